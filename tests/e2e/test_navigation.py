"""Every page in the navigation opens in a real browser without an exception box."""

import pytest

from tests.e2e.conftest import PAGES, assert_no_exception, goto, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", list(PAGES))
def test_page_opens_without_exception(page, app_server, path):
    goto(page, app_server, path)
    assert_no_exception(page, app_server)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 1
    assert page.get_by_role("heading", name=PAGES[path]).first.is_visible()
    screenshot(page, path or "home")


def test_sidebar_lists_every_page(page, app_server):
    goto(page, app_server, "")
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for title in ["Home", "Dimensionality reduction", "Kernel playground", "Draw and classify", "Next word"]:
        assert title in nav


def test_app_log_has_no_warnings(app_server):
    log = app_server.log()
    bad = [line for line in log.splitlines() if "WARNING" in line or "Traceback" in line or "Error" in line]
    assert not bad, "\n".join(bad)


def test_deep_link_on_a_fresh_server_goes_through_the_router(browser, chromium_path):
    """The first visitor of a new server opens /kernels directly: the router's sidebar and layout must still apply."""
    import tempfile

    from tests.e2e.conftest import AppServer

    server = AppServer(tempfile.mkdtemp(prefix="lab-e2e-deeplink-"))
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        goto(page, server, "kernels")
        assert_no_exception(page, server)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Kernel playground" in nav and "streamlit app" not in nav
        assert page.get_by_role("heading", name="Kernel playground").first.is_visible()
        page.close()
    finally:
        server.stop()
