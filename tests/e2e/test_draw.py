"""Draw with the real mouse on the real canvas in Chromium, and check the "Prediction" metric."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.e2e.conftest import assert_no_exception, goto, rerun_after, screenshot, wait_for_app, wait_for_text

pytestmark = pytest.mark.e2e


def arc(cx, cy, rx, ry, a0, a1, n=24):
    t = np.linspace(a0, a1, n)
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t), strict=True))


PI = np.pi
# Strokes in canvas units (0-1, y down), drawn the way a student would: one list of points per pen-down.
DRAWINGS = {
    "X": [[(0.25, 0.25), (0.75, 0.75)], [(0.75, 0.25), (0.25, 0.75)]],
    "O": [arc(0.5, 0.5, 0.28, 0.3, -PI / 2, 1.55 * PI, 40)],
    "0": [arc(0.5, 0.5, 0.18, 0.3, -PI / 2, 1.55 * PI, 40)],
    "1": [[(0.5, 0.2), (0.5, 0.8)]],
    "1 with a flag": [[(0.38, 0.32), (0.53, 0.2), (0.53, 0.8)]],
    "2": [[*arc(0.5, 0.34, 0.17, 0.14, -PI, 0.3, 16), (0.32, 0.78), (0.7, 0.78)]],
    "3": [arc(0.49, 0.34, 0.16, 0.14, -2.6, PI / 2, 16) + arc(0.49, 0.64, 0.19, 0.16, -PI / 2, 2.6, 16)],
    "4": [[(0.58, 0.2), (0.3, 0.6), (0.72, 0.6)], [(0.6, 0.38), (0.6, 0.82)]],
    "7": [[(0.3, 0.22), (0.7, 0.22), (0.42, 0.8)]],
    "7 with a bar": [[(0.3, 0.22), (0.7, 0.22), (0.42, 0.8)], [(0.38, 0.5), (0.64, 0.5)]],
    "small 7 in a corner": [[(0.08, 0.08), (0.28, 0.08), (0.14, 0.36)]],
    "slanted 4": [[(0.62, 0.18), (0.28, 0.58), (0.7, 0.58)], [(0.68, 0.3), (0.56, 0.84)]],
}


def draw(page, strokes) -> None:
    """Move the real mouse over the canvas: press, drag through the points, release."""
    box = page.locator("canvas.upper-canvas").bounding_box()
    to_px = lambda p: (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])  # noqa: E731
    for stroke in strokes:
        page.mouse.move(*to_px(stroke[0]))
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*to_px(point), steps=6)
        rerun_after(page, page.mouse.up)  # the canvas sends the drawing shortly after the pen lifts


def clear(page) -> None:
    page.locator("canvas.upper-canvas").hover()
    rerun_after(page, page.locator('[aria-label="Reset canvas & history"]').click)


def prediction(page) -> str | None:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Prediction")
    if not metric.count():
        return None
    return metric.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def prediction_becomes(page, want: str | None) -> str | None:
    """The prediction once it reads ``want`` (or, after 20 s, whatever it reads then)."""
    return wait_for_text(lambda: prediction(page), lambda value: value == want)


def choose_model(page, label: str) -> None:
    radio = page.get_by_test_id("stRadioGroup").get_by_role("radio", name=label)
    if not radio.is_checked():
        rerun_after(page, page.get_by_test_id("stRadioGroup").get_by_text(label, exact=True).click)
    assert radio.is_checked(), f"the model picker did not switch to {label}"


def test_mouse_drawn_x_and_o(page, app_server):
    goto(page, app_server, "draw")
    assert_no_exception(page, app_server)
    assert page.get_by_text("Draw something").count()
    assert prediction(page) is None
    results = {}
    for name in ("X", "O"):
        draw(page, DRAWINGS[name])
        assert_no_exception(page, app_server)
        results[name] = prediction_becomes(page, name)
        if name == "X":
            screenshot(page, "draw_x")
        clear(page)
    assert results == {"X": "X", "O": "O"}
    assert prediction_becomes(page, None) is None, "after clearing, no prediction"


def test_mouse_drawn_digits(page, app_server):
    goto(page, app_server, "draw")
    choose_model(page, "Digits 0–9")
    digits = [name for name in DRAWINGS if name not in ("X", "O")]
    expected = {name: name[0] if name[0].isdigit() else name.split()[1] for name in digits}
    expected["small 7 in a corner"] = "7"
    expected["slanted 4"] = "4"
    results = {}
    for name in digits:
        draw(page, DRAWINGS[name])
        assert_no_exception(page, app_server)
        results[name] = prediction_becomes(page, expected[name])
        if name == "3":
            screenshot(page, "draw_digit_3")
        clear(page)
    wrong = {k: v for k, v in results.items() if v != expected[k]}
    assert not wrong, f"mouse-drawn digits misread: {wrong} (all: {results})"


def test_undo_removes_the_last_stroke(page, app_server):
    goto(page, app_server, "draw")
    draw(page, DRAWINGS["X"])
    assert prediction_becomes(page, "X") == "X"
    page.locator("canvas.upper-canvas").hover()
    rerun_after(page, page.locator('[aria-label="Undo"]').click)
    assert wait_for_text(lambda: prediction(page), lambda value: value != "X") != "X", "one stroke of an X is not an X"
    assert_no_exception(page, app_server)


@pytest.mark.parametrize("viewport", [(1280, 720), (1400, 900)])
def test_pad_and_answer_fit_the_first_screen(page, app_server, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    goto(page, app_server, "draw")
    draw(page, DRAWINGS["X"])
    pad = page.locator("canvas.upper-canvas").bounding_box()
    answer = page.locator('[data-testid="stMetric"]').filter(has_text="Prediction").first.bounding_box()
    assert pad["y"] + pad["height"] <= height, f"the pad ends at {pad['y'] + pad['height']:.0f} px"
    assert answer["y"] + answer["height"] <= height, f"the answer ends at {answer['y'] + answer['height']:.0f} px"
    assert prediction_becomes(page, "X") == "X"


def test_the_drawing_and_the_model_survive_a_page_switch(page, app_server):
    goto(page, app_server, "draw")
    choose_model(page, "Digits 0–9")
    draw(page, DRAWINGS["7"])
    assert prediction_becomes(page, "7") == "7"
    page.locator('[data-testid="stTopNav"]').get_by_text("Home", exact=True).click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))  # bound settings may ride along in the query string
    wait_for_app(page)
    page.locator('[data-testid="stTopNav"]').get_by_text("Draw and classify").click()
    page.wait_for_url(re.compile(r"/draw(\?.*)?$"))
    wait_for_app(page)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    assert_no_exception(page, app_server)
    assert page.get_by_test_id("stRadioGroup").get_by_role("radio", name="Digits 0–9").is_checked()
    assert prediction_becomes(page, "7") == "7"  # the answer is back, and so is the ink on the pad
    ink = page.locator("canvas.dc-canvas.lower-canvas").evaluate(  # the strokes layer, transparent elsewhere
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let inked = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 128) inked++; return inked; }"""
    )
    assert ink > 500
