"""Presenter mode in a real browser: ?present=1, large type, one section at a time with Previous / Next."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_presenter_mode_shows_one_section_at_a_time(browser, app_server):
    page = browser.new_page(viewport={"width": 1024, "height": 768})  # a projector
    goto(page, app_server, "kernels?present=1")
    page.get_by_text(re.compile(r"Introduction, then [1-9]\d* sections")).wait_for()  # sections counted
    wait_for_app(page)
    assert_no_exception(page, app_server)
    # expect() retries: the presenter CSS of a rerun may paint a moment after the script has finished
    expect(page.get_by_role("heading", name="Kernel playground")).to_be_visible()
    expect(page.get_by_role("heading", name="1. Pixels are numbers")).to_be_hidden()
    for _ in range(2):
        page.get_by_role("button", name="Next").click()
        wait_for_app(page)
    expect(page.get_by_role("heading", name="2. The X/O case study")).to_be_visible()
    expect(page.get_by_role("heading", name="1. Pixels are numbers")).to_be_hidden()
    expect(page.get_by_role("heading", name="3. Slide the window").first).to_be_hidden()
    expect(page.get_by_role("heading", name="Kernel playground")).to_be_hidden()
    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20  # large type from the back of the room
    screenshot(page, "kernels-presenter-1024")
    page.close()
