"""The CNNs for text and speech page in a real browser: it is in the navigation, and a typed sentence reruns it."""

import pytest

from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_text_speech_page_in_navigation_and_typing(page, app_server):
    goto(page, app_server, "text_speech")
    assert_no_exception(page, app_server)
    assert "CNNs for text and speech" in page.locator('[data-testid="stTopNav"]').inner_text()
    box = page.get_by_label("Your sentence")
    box.fill("<b>The soup was hardly warm</b>")
    box.press("Enter")
    wait_for_app(page)
    assert_no_exception(page, app_server)
    assert page.locator("b", has_text="The soup was hardly warm").count() == 0  # shown as text, never rendered
    assert page.get_by_text("Text CNN says").first.is_visible()
    screenshot(page, "text_speech")
