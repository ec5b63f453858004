"""Every page in the navigation opens in a real browser without an exception box."""

import pytest

from tests.e2e.conftest import PAGES, assert_no_exception, goto, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", list(PAGES))
def test_page_opens_without_exception(page, app_server, path):
    goto(page, app_server, path)
    assert_no_exception(page, app_server)
    assert page.locator('[data-testid="stTopNav"]').count() == 1
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # Streamlit's own pages/ list never shows
    assert page.get_by_role("heading", name=PAGES[path]).first.is_visible()
    screenshot(page, path or "home")


def test_no_page_asks_another_host(page, app_server):
    """Offline means offline: opening every page (scrolled through, so lazy images load) requests nothing
    outside the app's own server. A Material icon as the tab's icon used to be fetched from fonts.gstatic.com."""
    from urllib.parse import urlsplit

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES:
        goto(page, app_server, path)
        page.mouse.wheel(0, 20_000)
        page.wait_for_timeout(300)
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts <= {"localhost", "127.0.0.1"}, sorted(
        url for url in requested if urlsplit(url).hostname in hosts - {"localhost", "127.0.0.1"}
    )
    assert page.locator('link[rel="shortcut icon"], link[rel="icon"]').count() >= 1  # a tab icon, served here


def test_navigation_lists_every_page(page, app_server):
    goto(page, app_server, "")
    nav = page.locator('[data-testid="stTopNav"]').inner_text()
    for title in ["Home", "Dimensionality reduction", "Kernel playground", "Draw and classify", "Next word"]:
        assert title in nav


def test_app_log_has_no_warnings(app_server):
    log = app_server.log()
    bad = [line for line in log.splitlines() if "WARNING" in line or "Traceback" in line or "Error" in line]
    assert not bad, "\n".join(bad)


def test_deep_link_on_a_fresh_server_goes_through_the_router(browser, chromium_path):
    """The first visitor of a new server opens /kernels directly: the router's navigation and layout must apply,
    and Streamlit's own list of the pages/ folder ("streamlit app, dimensionality, …") must never show, not
    even while the router takes over."""
    import tempfile

    from deploy.local_server import LocalServer

    server = LocalServer(tempfile.mkdtemp(prefix="lab-e2e-deeplink-"))
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        seen: list[str] = []  # every navigation text the page showed while loading, sampled every 100 ms
        page.goto(f"{server.url}/kernels", wait_until="commit")
        for _ in range(40):
            seen += page.evaluate(
                "() => [...document.querySelectorAll('[data-testid=stSidebarNav], [data-testid=stTopNav]')]"
                ".map(e => e.innerText)"
            )
            page.wait_for_timeout(100)
        goto(page, server, "kernels")
        assert_no_exception(page, server)
        nav = page.locator('[data-testid="stTopNav"]').inner_text()
        assert "Kernel playground" in nav
        assert not [text for text in seen if "streamlit app" in text.lower() or "streamlit_app" in text]
        assert page.get_by_role("heading", name="Kernel playground").first.is_visible()
        page.close()
    finally:
        server.stop()
