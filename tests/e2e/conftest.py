"""End-to-end fixtures: the real app on a free port, driven by Playwright in Debian's Chromium.

Without Chromium these tests skip with a reason, unless ``LAB_E2E_REQUIRED=1`` (set by ``.ci/run``),
in which case they fail: CI must never pass by skipping the browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local_server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
PAGES: dict[str, str] = {  # url path -> the title that proves the page rendered
    "": "Deep Learning Lab",
    "dimensionality": "Dimensionality reduction",
    "kernels": "Kernel playground",
    "draw": "Draw and classify",
    "text_speech": "CNNs for text and speech",
    "next_word": "Next word",
}
RUN_TIMEOUT_MS = 180_000  # a page's first visit may train its models


def find_chromium() -> str | None:
    """Debian's Chromium, or whatever ``LAB_CHROMIUM`` points to."""
    for candidate in (os.environ.get("LAB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _require_browser() -> str:
    chromium = find_chromium()
    required = os.environ.get("LAB_E2E_REQUIRED") == "1"
    if chromium is None:
        reason = "no Chromium found (apt-get install -y chromium, or set LAB_CHROMIUM)"
        if required:
            pytest.fail(f"LAB_E2E_REQUIRED=1 but {reason}")
        pytest.skip(reason)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if required:
            pytest.fail("LAB_E2E_REQUIRED=1 but the playwright package is missing")
        pytest.skip("the playwright package is not installed (pip install -r requirements-dev.txt)")
    return chromium


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return _require_browser()


@pytest.fixture(scope="session")
def app_server(chromium_path) -> Iterator[LocalServer]:
    cache = tempfile.mkdtemp(prefix="lab-e2e-cache-")
    server = LocalServer(cache)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    yield page
    context.close()


def wait_for_app(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' status, no spinner) and every
    model the page needs has finished training in the background (no live training panel left)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            return !document.querySelector('[data-testid="stStatusWidget"]')
                && !document.querySelector('[data-testid="stSpinner"]')
                && !document.querySelector('[class*="st-key-lab_training_"]');  // no model still training
        }""",
        timeout=timeout_ms,
        polling=250,
    )
    page.wait_for_timeout(300)  # let the last deltas paint


def goto(page, server: LocalServer, path: str) -> None:
    """Open one page of the app and wait for its script to finish."""
    page.goto(f"{server.url}/{path}")
    wait_for_app(page)


def assert_no_exception(page, server: LocalServer | None = None) -> None:
    """Fail with the exception text (and the server log) if the page shows an exception box."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        text = "\n---\n".join(boxes.nth(i).inner_text() for i in range(boxes.count()))
        log = server.log()[-4000:] if server else ""
        pytest.fail(f"exception on page {page.url}:\n{text}\n\nserver log tail:\n{log}")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under screenshots/ (git-ignored) for a human to look at."""
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.png"
    # Streamlit scrolls inside its own container, so grow the viewport to the content first.
    measure = """() => {
        const block = document.querySelector('[data-testid="stMainBlockContainer"]');
        return block ? block.getBoundingClientRect().top + block.scrollHeight + 40 : document.body.scrollHeight;
    }"""
    height, previous = page.evaluate(measure), -1
    for _ in range(10):  # wait until the layout stops growing
        if height == previous:
            break
        page.wait_for_timeout(500)
        previous, height = height, page.evaluate(measure)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 16000))})
    page.wait_for_timeout(2000)  # charts and widgets re-render at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
