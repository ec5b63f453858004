"""Links restore a view: bound settings come back from the URL; hostile values fall back quietly."""

import pytest

from tests.e2e.conftest import assert_no_exception, goto, new_context

pytestmark = pytest.mark.e2e


def _slider_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} [data-testid=stSliderThumbValue]").inner_text().strip()


def test_a_copied_link_restores_the_view_in_a_fresh_browser(browser, app_server):
    context = new_context(browser, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    goto(page, app_server, "kernels?kernels_stride=3&kernels_padding=2")
    assert_no_exception(page, app_server)
    assert _slider_value(page, "kernels_stride") == "3"
    assert _slider_value(page, "kernels_padding") == "2"
    page.get_by_role("button", name="Link to this view").click()
    link = page.locator('[data-testid="stPopoverBody"] code').inner_text()
    assert "kernels_stride=3" in link and "kernels_padding=2" in link
    context.close()

    fresh = new_context(browser, viewport={"width": 1400, "height": 900})  # no cookies, no session
    other = fresh.new_page()
    goto(other, app_server, link.split("/", 3)[3])
    assert _slider_value(other, "kernels_stride") == "3"
    fresh.close()


def test_hostile_query_values_fall_back_to_defaults_with_a_quiet_notice(page, app_server):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    goto(page, app_server, "kernels?kernels_stride=<script>alert(1)</script>&kernels_padding=99&kernels_preset=nope"
         + "&kernels_side=" + "9" * 5000)  # fmt: skip
    assert_no_exception(page, app_server)
    assert _slider_value(page, "kernels_stride") == "1"
    assert _slider_value(page, "kernels_padding") == "0"
    assert "reset to their defaults" in page.locator('[data-testid="stMain"]').inner_text()
    assert not dialogs  # the script tag was never run
    assert page.locator("script:has-text('alert(1)')").count() == 0
