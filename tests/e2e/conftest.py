"""End-to-end fixtures: the real app on a free port, driven by Playwright in Debian's Chromium.

Without Chromium these tests skip with a reason, unless ``LAB_E2E_REQUIRED=1`` (set by ``.ci/run``),
in which case they fail: CI must never pass by skipping the browser.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
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
# Watches the app's run state (``data-test-script-state``) from the first script of every page: counts the runs
# that start (``window.__labRuns``: each time the state leaves "notRunning") and notes when the state last changed
# (``window.__labStateChanged``). A test can then wait for the run its click or stroke sets off, and
# ``wait_for_app`` for a state that has held a moment, not a blink between two runs.
WATCH_RUNS = """
window.__labRuns = 0;
window.__labStateChanged = performance.now();
new MutationObserver(changes => {
    for (const c of changes) {
        window.__labStateChanged = performance.now();
        if (c.oldValue === 'notRunning' && c.target.getAttribute('data-test-script-state') !== 'notRunning')
            window.__labRuns++;
    }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
SETTLED_MS = 300  # how long the app must have been idle before ``wait_for_app`` believes it


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
    # The test run's own weights folder (tests/conftest.py makes a fresh one): the models this server's warm-up
    # trains are then loaded, not trained again, by the in-process tests that come after the e2e folder.
    # Tests that need an empty folder start their own server (test_concurrency, test_navigation).
    cache = os.environ.get("LAB_CACHE_DIR") or tempfile.mkdtemp(prefix="lab-e2e-cache-")
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
    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    yield page
    context.close()


def new_context(browser, **options):
    """A browser context (a student with their own cookies) whose pages watch the app's run state."""
    context = browser.new_context(**options)
    context.add_init_script(WATCH_RUNS)
    return context


def wait_for_app(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' status, no spinner) and every
    model the page needs has finished training in the background (no live training panel left).

    The idle state must have held for ``SETTLED_MS``, counted from the later of its last change and this call.
    From this call: an action just before it (a click, an upload) gets that long to start its run. From the last
    change: when a model is ready its panel's fragment ends with a rerun of the page, and between the two runs the
    app blinks "notRunning" with the panel gone and the section not yet drawn (the likely cause of a flake seen
    here: the X/O answer area still empty after this returned)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    called = page.evaluate("performance.now()")
    page.wait_for_function(
        """([settled, called]) => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (performance.now() - Math.max(window.__labStateChanged ?? 0, called) < settled) return false;
            return !document.querySelector('[data-testid="stStatusWidget"]')
                && !document.querySelector('[data-testid="stSpinner"]')
                && !document.querySelector('[class*="st-key-lab_training_"]');  // no model still training
        }""",
        arg=[SETTLED_MS, called],
        timeout=timeout_ms,
        polling=100,
    )


def rerun_after(page, action: Callable[[], None], start_timeout_ms: int = 5_000) -> None:
    """Do ``action`` (a click, a stroke), wait for the script run it sets off to start, then for the app.

    A fixed pause is not enough on a loaded machine: the canvas sends a stroke a little after the pen
    lifts, and a run that has not started yet looks finished to ``wait_for_app``. A click that lands while
    a run is under way joins that run without the app ever showing "notRunning" in between, so after
    ``start_timeout_ms`` without a new run this goes on to wait for the app; callers then poll for the
    effect they expect (``wait_for_text``) rather than read it once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    runs = page.evaluate("() => window.__labRuns ?? 0")
    action()
    with contextlib.suppress(PlaywrightTimeoutError):  # no new run: the action joined one under way (above)
        page.wait_for_function(f"() => (window.__labRuns ?? 0) > {runs}", timeout=start_timeout_ms, polling=50)
    wait_for_app(page)


def wait_for_text(read: Callable[[], str | None], want: Callable[[str | None], bool], timeout_ms: int = 20_000):
    """Poll ``read()`` until ``want`` accepts what it returns, or the time is up; return the last reading.

    The page may still be painting the last run's deltas when ``wait_for_app`` returns."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = read()
        if want(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


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


SCREENSHOT_HEIGHT = """() => {
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    return block ? block.getBoundingClientRect().top + block.scrollHeight + 40 : document.body.scrollHeight;
}"""


def _settled_height(page, step_ms: int, still_reads: int) -> float:
    """The page content's height once ``still_reads`` reads ``step_ms`` apart agree (at most 10 steps)."""
    height, still = page.evaluate(SCREENSHOT_HEIGHT), 0
    for _ in range(10):
        page.wait_for_timeout(step_ms)
        previous, height = height, page.evaluate(SCREENSHOT_HEIGHT)
        still = still + 1 if height == previous else 0
        if still >= still_reads:
            break
    return height


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under screenshots/ (git-ignored) for a human to look at."""
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.png"
    # Streamlit scrolls inside its own container, so grow the viewport to the content first.
    height = _settled_height(page, 500, 1)  # until the layout stops growing
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 16000))})
    # Charts and widgets re-render at the new size: wait until the layout has held still for 400 ms (at most 2 s;
    # a fixed 2 s pause cost the suite about 30 s over its screenshots).
    _settled_height(page, 200, 2)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
