"""Every claim the Draw page makes about its models, checked on the default models (seed 0).

Seed-dependent claims are also checked over five seeds in ``benchmarks/claims_draw.py``.
"""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from models import baselines, cnn, drawing, invariance

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "draw.py")


@pytest.fixture(scope="module")
def xo() -> dict[str, cnn.ImageClassifier]:
    return {"CNN": cnn.default_classifier("xo"), "MLP": cnn.default_classifier("xo", "mlp")}


@pytest.fixture(scope="module")
def dg() -> dict[str, cnn.ImageClassifier]:
    return {"CNN": cnn.default_classifier("digits"), "MLP": cnn.default_classifier("digits", "mlp")}


@pytest.fixture(scope="module")
def page_xo(xo) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    at.selectbox(key="draw_example").set_value("Example: X").run()
    assert not at.exception, at.exception
    return at


def text_of(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def test_draw_shift_check_asks_about_o_and_its_answer_is_measured(xo, page_xo):
    """Old: "Shift an X … → The CNN", though the MLP keeps shifted X's as often (or more)."""
    rates = invariance.keep_rates(xo, "O", "shift", [-0.2, 0.2])
    cnn_rate, mlp_rate = rates["CNN"].mean(), rates["MLP"].mean()
    assert cnn_rate - mlp_rate > 0.1, (cnn_rate, mlp_rate)
    at = page_xo
    questions = [m.value for m in at.markdown if "fifth of the width" in m.value and "Predict first" in m.value]
    assert questions and "an O" in questions[0]
    at.radio(key="draw_check_shift_choice").set_value("The CNN").run()
    at.button(key="draw_check_shift_reveal").click().run()
    right = [s.value for s in at.success]
    assert any(f"the CNN keeps {cnn_rate:.0%}, the MLP {mlp_rate:.0%}" in s for s in right), right


def test_draw_x_is_not_claimed_shift_proof(xo):
    """For X the two networks are close: the page must not say the CNN keeps shifted X's better."""
    rates = invariance.keep_rates(xo, "X", "shift", [-0.2, 0.2])
    assert abs(rates["CNN"].mean() - rates["MLP"].mean()) < 0.2


def test_draw_an_x_turned_45_degrees_is_a_plus_not_an_x(xo):
    """Old: both models called an X turned 45° (a "+") an X with P ≈ 1."""
    model = xo["CNN"]
    steps = model.preprocess(cnn.example_drawing("xo", "X"))
    for angle in (-45, 45):
        turned = invariance.transformed_input(steps, "xo", angle=angle)
        assert model.labels[int(model.predict_grids(turned).argmax())] == "other", angle
    probs = model.predict_proba(cnn.example_drawing("xo", "plus"))
    assert max(probs, key=probs.get) == "other"
    rates = invariance.keep_rates(xo, "X", "rotate", [-45, 45, 90])
    assert rates["CNN"][:2].mean() < 0.5, "most fresh X's turned 45° are not called X"
    assert rates["CNN"][2] > 0.9, "an X turned 90° is an X again"
    assert invariance.keep_rates(xo, "O", "rotate", [45, 90])["CNN"].min() > 0.9, "an O is round"


def test_draw_rotation_words_come_from_the_measurement(xo, page_xo):
    """Old: "large rotations fool both", while the CNN kept P(true) = 1.00 at every angle."""
    text = text_of(page_xo)
    assert "large rotations fool both" not in text
    x45 = invariance.keep_rates(xo, "X", "rotate", [-45, 45])["CNN"].mean()
    assert f"the CNN still says X for {x45:.0%} of fresh X's" in text


def test_draw_occlusion_shows_evidence_for_a_confident_answer(xo):
    """Old: log P of a confident X barely moves (a map on a ±0.0002 scale)."""
    model = xo["CNN"]
    grid = model.preprocess(cnn.example_drawing("xo", "X")).model_input
    assert model.predict_grids(grid)[0].max() > 0.99
    occlusion = model.occlusion_map(grid)
    assert occlusion.evidence.max() > 1.0, "whole units of log-odds"
    assert occlusion.on_ink_share > 2 * occlusion.ink.mean(), "the evidence gathers on the strokes"


def test_draw_parameter_caption_matches_the_table_and_numel(xo, page_xo):
    """Old: the formula gave 80 for conv 1 but the table said 96; "a dense layer pays one weight per input"."""
    model = xo["CNN"]
    table = model.layer_table()
    conv1 = next(r for r in table if r["layer"].startswith("conv 1"))["parameters"]
    head = next(r for r in table if r["layer"].startswith("linear"))["parameters"]
    text = text_of(page_xo)
    assert "one weight per input" not in text
    assert f"{conv1}, as in the table" in text and "batch norm (a scale and a shift per channel)" in text
    assert f"= {head:,}." in text
    counts = model.parameter_counts()
    assert counts["conv 1"]["weights"] + counts["conv 1"]["biases"] + counts["conv 1"]["batch norm"] == conv1
    assert counts["output"]["in"] * counts["output"]["out"] + counts["output"]["out"] == head


def test_draw_doubling_the_grid_keeps_conv1_and_grows_the_dense_layer(monkeypatch):
    """The concept check's answer "Not at all", and its explanation that only the dense layer grows."""
    small = cnn.build_network(cnn.default_config("xo"))
    monkeypatch.setattr(drawing, "XO_INPUT", 2 * drawing.XO_INPUT)
    big = cnn.build_network(cnn.default_config("xo"))
    numel = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert numel(small.convs[0]) == numel(big.convs[0]) and numel(small.norms[0]) == numel(big.norms[0])
    assert big.head.weight.numel() == 4 * small.head.weight.numel()


def test_draw_conv2_shape_check_matches_torch(xo):
    model = xo["CNN"]
    maps = dict(model.grid_feature_maps(np.zeros((24, 24), np.float32)))
    conv2 = next(r for r in model.layer_table() if r["layer"].startswith("conv 2"))["output shape"]
    assert conv2 == " × ".join(map(str, maps["conv 2 + ReLU"].shape))


def test_draw_conv1_changes_along_the_strokes(xo):
    """ "Conv 1's maps change along your strokes", measured on every ready-made X/O drawing."""
    model = xo["CNN"]
    for name in cnn.EXAMPLES["xo"]:
        analysis = model.analyse(cnn.example_drawing("xo", name))
        share, area = cnn.stroke_response_share(analysis.steps.model_input, dict(analysis.maps)["conv 1 + ReLU"])
        assert share > 0.7 and area < 0.5, (name, share, area)


def test_draw_same_kind_of_network_sentence_reads_the_configs():
    """Old: "only the data and the number of outputs change", though pooling and dropout differ too."""
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    text = text_of(at)
    assert "only the data and the number of outputs change" not in text
    assert "no pooling after conv 1" in text and "10 outputs instead of 3" in text


def test_draw_svc_baseline_trains_on_the_cnn_rows(dg):
    """Old: the SVC trained on 1,437 real digits, the CNN on 4,374 rows; the page called the CNN better."""
    result = baselines.compare_digits(dg)
    rows = len(cnn.make_dataset(dg["CNN"].config).y_train)
    assert result.train_rows["SVC, same rows"] == result.train_rows["CNN"] == rows
    assert result.train_rows["SVC, real digits only"] == 1437
    test, moved = result.accuracy["test digits"], result.accuracy["test digits moved 1 px"]
    assert abs(test["CNN"] - test["SVC, same rows"]) < 0.01, "on the test digits they tie"
    assert moved["CNN"] - moved["SVC, same rows"] > 0.2, "moved one pixel, the CNN pulls ahead"
    pen = result.accuracy["fresh pen strokes"]
    assert pen["SVC, same rows"] - pen["SVC, real digits only"] > 0.2, "the synthetic strokes teach pen strokes"


def test_draw_digit_shift_check_answer_is_the_cnn(dg):
    rates = [invariance.keep_rates(dg, str(d), "shift", [-0.2, 0.2]) for d in range(10)]
    cnn_rate = np.mean([r["CNN"].mean() for r in rates])
    mlp_rate = np.mean([r["MLP"].mean() for r in rates])
    assert cnn_rate - mlp_rate > 0.05, (cnn_rate, mlp_rate)


def test_draw_xo_input_docstring_says_20_in_24():
    """Old docstring: 22×22 in 28×28."""
    inner = drawing.XO_INPUT - 2 * drawing.XO_MARGIN
    assert f"{inner}×{inner} box centred in {drawing.XO_INPUT}×{drawing.XO_INPUT}" in drawing.xo_input.__doc__
    grid = drawing.xo_input(np.ones((50, 50), np.float32))
    assert grid[2:-2, 2:-2].min() == 1 and grid.sum() == inner * inner
