"""AppTest for the Draw and classify page: blank canvas, ready-made drawings, every section's controls, bad input."""

import threading
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from models import cnn
from tests.conftest import rerun_until

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "draw.py")


@pytest.fixture(scope="module")
def warm() -> None:
    """Train the four default models once (the first AppTest run does it through the cache layer)."""
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    assert not at.exception
    at.radio(key="draw_model").set_value("Digits 0–9").run()
    assert not at.exception


def fresh(example: str | None = None, model: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    if model:
        at.radio(key="draw_model").set_value(model).run()
    if example:
        at.selectbox(key="draw_example").set_value(f"Example: {example}").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):
    return next((m.value for m in at.metric if m.label == label), None)


def test_blank_canvas_says_draw_something(warm):
    at = fresh()
    options = at.radio(key="draw_model").options
    assert options[0].startswith("X") and any("Digit" in o for o in options)
    assert metric(at, "Prediction") is None
    assert any("Draw something" in i.value for i in at.info)
    assert not at.dataframe, "no architecture table before there is a drawing"


@pytest.mark.parametrize(
    ("model", "example", "expected"), [(None, "X", "X"), (None, "O", "O"), (None, "triangle", "other")]
)
def test_xo_examples_predict_their_class(warm, model, example, expected):
    at = fresh(example, model)
    assert metric(at, "Prediction") == expected
    assert metric(at, "CNN says") == expected
    assert metric(at, "Parameters") == f"{sum(int(r) for r in at.dataframe[0].value['parameters']):,}"


def test_digits_examples_and_switching_models(warm):
    at = fresh("7", "Digits 0–9")
    assert metric(at, "Prediction") == "7"
    comparison = next(d.value for d in at.dataframe if "SVC, same rows" in d.value.columns)
    assert list(comparison.index) == ["test digits", "test digits moved 1 px", "fresh pen strokes"]
    at.selectbox(key="draw_example").set_value("Example: 2").run()
    assert metric(at, "Prediction") == "2"
    at.radio(key="draw_model").set_value("X or O").run()
    assert not at.exception
    assert metric(at, "Prediction") is None, "the digit example does not carry over to the X/O model"


def test_invariance_sliders_change_what_the_networks_see(warm):
    at = fresh("X")
    before = metric(at, "CNN says")
    at.select_slider(key="draw_rotate").set_value(90).run()
    at.select_slider(key="draw_shift").set_value(0.3).run()
    at.select_slider(key="draw_scale").set_value(0.5).run()
    assert not at.exception
    assert before == "X"
    says = [m for m in at.metric if m.label in ("CNN says", "MLP says")]
    assert len(says) == 2 and all(not m.delta for m in says), "P(X) is a caption, not a change arrow"
    shown = [c.value for c in at.caption if c.value.startswith("P(X) = ")]
    assert len(shown) == 2 and "P(X) = 100%" not in shown, "a big rotation, shift and shrink costs some confidence"


def test_no_metric_shows_a_delta_arrow(warm):
    at = fresh("O")
    assert all(not m.delta for m in at.metric)


def test_concept_check_reveals_the_answer(warm):
    at = fresh("X")
    at.radio(key="draw_check_shift_choice").set_value("The CNN").run()
    at.button(key="draw_check_shift_reveal").click().run()
    verdict = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any("Measured on fresh drawings" in v for v in verdict)


def test_retrain_form_trains_a_private_model_and_shows_its_settings(warm):
    at = fresh("4", "Digits 0–9")
    at.select_slider(key="draw_digits_filters").set_value(4)
    at.slider(key="draw_digits_epochs").set_value(2)
    at.button[[b.label for b in at.button].index("Retrain")].click().run()
    assert not at.exception, at.exception
    assert metric(at, "Your test accuracy") is not None
    assert metric(at, "Your parameters") != metric(at, "Parameters")
    assert metric(at, "Your model's prediction") is not None
    assert any(c.value.startswith("Your model: 4 filters in conv 1, 2 epochs") for c in at.caption)
    at.select_slider(key="draw_digits_filters").set_value(16).run()  # moved but not submitted
    assert any(c.value.startswith("Your model: 4 filters in conv 1, 2 epochs") for c in at.caption)
    assert any("s to train" in m.value for m in at.markdown), "the form states what training costs"


def test_a_background_retrain_shows_a_live_panel_and_stop_keeps_a_model_that_predicts(warm, monkeypatch):
    from components import resources

    monkeypatch.setattr(resources, "BLOCKING", False)  # as on a server: the retrain trains in a thread
    at = fresh("4", "Digits 0–9")
    at.select_slider(key="draw_digits_filters").set_value(4)
    at.slider(key="draw_digits_epochs").set_value(15)
    at.button[[b.label for b in at.button].index("Retrain")].click().run()
    assert not at.exception, at.exception
    assert any("in the background" in m.value for m in at.markdown), "the live panel, not a blocking progress bar"
    assert metric(at, "Your test accuracy") is None
    rerun_until(at, lambda at: metric(at, "Its prediction for your drawing") is not None)  # after its first epoch
    assert metric(at, "Its prediction for your drawing") in [str(d) for d in range(10)]
    assert any(m.label.startswith("Test accuracy after epoch") for m in at.metric)
    assert metric(at, "Prediction") == "4", "the rest of the page works meanwhile"
    next(b for b in at.button if b.label == "Stop").click().run()
    rerun_until(at, lambda at: metric(at, "Your model's prediction") is not None)
    assert metric(at, "Your model's prediction") in [str(d) for d in range(10)]
    stopped = [c.value for c in at.caption if "stopped when you pressed Stop" in c.value]
    planned = 15 + cnn.default_config("digits").cooldown_epochs
    assert len(stopped) == 1 and f"of its {planned} epochs" in stopped[0], stopped
    assert not any(b.label == "Stop" for b in at.button), "nothing trains any more"
    assert resources.get_watch_jobs().threads_alive() == 0


def test_a_second_retrain_while_one_trains_gets_a_message_and_the_first_goes_on(warm, monkeypatch):
    from components import resources
    from components.watch_jobs import WatchPart

    monkeypatch.setattr(resources, "BLOCKING", False)
    release = threading.Event()
    running = WatchPart("cnn", "your X-or-O CNN", lambda on_step: release.wait(60))
    resources.get_watch_jobs().request("draw-running", "your X-or-O CNN", [running])
    try:
        at = AppTest.from_file(PAGE, default_timeout=120)
        at.session_state["_lab_watch_jobs"] = {"draw_xo": "draw-running"}  # this session's first retrain
        at.run()
        at.radio(key="draw_model").set_value("Digits 0–9").run()
        at.selectbox(key="draw_example").set_value("Example: 4").run()
        at.button[[b.label for b in at.button].index("Retrain")].click().run()
        assert not at.exception, at.exception
        assert any("Still training: your X-or-O CNN" in w.value for w in at.warning)
        assert "draw_custom_digits" not in at.session_state, "the second request was not taken"
        assert resources.get_watch_jobs().get("draw-running").state == "training"
    finally:
        release.set()
        resources.get_watch_jobs().clear()


def test_bad_canvas_images_give_a_message_not_a_traceback(warm):
    odd = {
        "dot": np.full((280, 280, 4), 255, np.uint8),
        "tiny": np.zeros((1, 1, 4), np.uint8),
        "huge": np.zeros((4200, 8, 4), np.uint8),
    }
    odd["dot"][139:141, 139:141, :3] = 0
    for name, image in odd.items():
        with mock.patch("components.canvas.drawing_pad", return_value=image):
            at = AppTest.from_file(PAGE, default_timeout=120).run()
        assert not at.exception, (name, at.exception)
        assert metric(at, "Prediction") is None, name
        if name == "dot":
            messages = [i.value for i in at.info if "Draw something" in i.value]
            assert len(messages) == 1 and "too little" in messages[0], messages
            assert not any("blank canvas" in i.value for i in at.info), "one message, not two that disagree"
        else:
            assert any("cannot be classified" in w.value for w in at.warning), name
