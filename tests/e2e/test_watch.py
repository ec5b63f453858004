"""Watch it learn in Chromium: a retrain on the draw page shows its accuracy after every epoch, and Stop keeps it."""

from __future__ import annotations

import re

import pytest

from models import cnn
from tests.e2e.conftest import assert_no_exception, goto, screenshot, wait_for_app
from tests.e2e.test_draw import DRAWINGS, draw

pytestmark = pytest.mark.e2e

PANEL = '[class*="st-key-lab_watching_"]'


def metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def test_a_retrain_shows_every_epoch_and_stop_keeps_a_model_that_predicts(page, app_server):
    # The default 8 filters and the most epochs (15), so that the run is long enough to be stopped half-way
    # (epochs are quick on the 16×16 grid).
    goto(page, app_server, "draw?draw_xo_filters=8&draw_xo_epochs=15")
    draw(page, DRAWINGS["X"])
    assert_no_exception(page, app_server)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Retrain with")
    form.scroll_into_view_if_needed()
    form.get_by_role("button", name="Retrain").click()

    panel = page.locator(PANEL)
    panel.wait_for(timeout=60_000)
    live = metric(panel, "Test accuracy after epoch")
    live.wait_for(timeout=120_000)  # the first epoch's test accuracy appears in the live panel
    accuracy = live.locator('[data-testid="stMetricValue"]').inner_text()
    assert re.fullmatch(r"\d{1,3}\.\d\d%", accuracy), accuracy
    said = metric(panel, "Its prediction for your drawing").locator('[data-testid="stMetricValue"]').inner_text()
    assert said.strip() in ("X", "O", "other")
    assert panel.locator("img").count() >= 1, "the first-layer kernels are drawn after the epoch"
    page.wait_for_function(  # it keeps updating by itself: a later epoch replaces the first
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
            m => /Test accuracy after epoch ([2-9]|1\\d)/.test(m.innerText))""",
        timeout=120_000,
    )
    assert_no_exception(page, app_server)

    panel.get_by_role("button", name="Stop").click()
    mine = metric(page, "Your model's prediction")
    mine.wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.locator(PANEL).count() == 0, "a stopped model's panel is gone"
    assert mine.locator('[data-testid="stMetricValue"]').inner_text().strip() in ("X", "O", "other")
    epochs = 15 + cnn.default_config("xo").cooldown_epochs
    stopped = page.get_by_text(re.compile(rf"stopped when you pressed Stop, after \d+ of its {epochs} epochs"))
    assert stopped.count() == 1
    done = int(re.search(r"after (\d+) of", stopped.inner_text()).group(1))
    assert 2 <= done < epochs, "stopped half-way, keeping the epochs it had"
    assert re.fullmatch(r"\d{1,3}\.\d\d%", metric(page, "Your test accuracy").locator(
        '[data-testid="stMetricValue"]').inner_text())  # fmt: skip
    assert_no_exception(page, app_server)
    screenshot(page, "watch_stopped")
    assert "training custom draw-xo" in app_server.log() and "stopped" in app_server.log()
