"""Presenter mode in a real browser: ?present=1, large type, one section at a time with Previous / Next."""

import re

import pytest

from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_presenter_mode_shows_one_section_at_a_time(browser, app_server):
    page = browser.new_page(viewport={"width": 1024, "height": 768})  # a projector
    goto(page, app_server, "kernels?present=1")
    page.get_by_text(re.compile(r"Introduction, then [1-9]\d* sections")).wait_for()  # sections counted
    wait_for_app(page)
    assert_no_exception(page, app_server)
    assert page.get_by_role("heading", name="Kernel playground").is_visible()
    assert not page.get_by_role("heading", name="1. Pixels are numbers").is_visible()
    for _ in range(2):
        page.get_by_role("button", name="Next").click()
        wait_for_app(page)
    assert page.get_by_role("heading", name="2. The X/O case study").is_visible()
    assert not page.get_by_role("heading", name="1. Pixels are numbers").is_visible()
    assert not page.get_by_role("heading", name="3. Slide the window").first.is_visible()
    assert not page.get_by_role("heading", name="Kernel playground").is_visible()
    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20  # large type from the back of the room
    screenshot(page, "kernels-presenter-1024")
    page.close()
