"""Every behavioural claim the lab's pages make, asserted on the pages' own default models.

One section per page; each test is named after its page and the claim (test_<page>_<claim>). A claim that depends
on the random seed is also checked over five seeds by the benchmark (``benchmarks/claims_*.py``), since that takes
minutes, not seconds. A sentence on a page with no test here is either computed from the model on the page and
worded from that number, or it does not belong on the page.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from components import heatmaps
from components.sections import draw_probe
from models import (
    applications,
    baselines,
    cnn,
    cnn_training,
    draw_lessons,
    drawing,
    invariance,
    next_word_lessons,
    occlusion,
    pca,
    pca_datasets,
    pictures,
    text_cnn,
    vocabulary,
    weight_sharing,
)
from models import convolution as conv
from models import language as L
from models import long_dependency as LD
from models import through_time as TT
from models import xo_case_study as xo_study
from models.corpus import read_corpus
from tests.text_speech_fixtures import comparison, trained_speech_cnn, trained_text_cnn

# ====================================================================================================
# Draw and classify
# ====================================================================================================

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "draw.py")


@pytest.fixture(scope="module")
def xo() -> dict[str, cnn.ImageClassifier]:
    return {"CNN": cnn_training.default_classifier("xo"), "MLP": cnn_training.default_classifier("xo", "mlp")}


@pytest.fixture(scope="module")
def dg() -> dict[str, cnn.ImageClassifier]:
    return {"CNN": cnn_training.default_classifier("digits"), "MLP": cnn_training.default_classifier("digits", "mlp")}


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


def test_draw_shift_verdicts_are_the_measured_ones(xo, page_xo):
    """Old: the page said the CNN keeps shifted X's better while the two networks were close. Each class's verdict
    now comes from its measured keep rates (with 16×16 inputs the CNN does keep X's better: 2026-12-06)."""
    text = text_of(page_xo)
    verdicts = {
        "cnn": "the CNN keeps it more often",
        "mlp": "the MLP keeps it more often",
        "same": "the two are about the same",
    }
    for label in ("X", "O"):
        rates = invariance.keep_rates(xo, label, "shift", list(invariance.CHECK_SHIFTS))
        cnn_rate, mlp_rate = rates["CNN"].mean(), rates["MLP"].mean()
        verdict = verdicts[draw_lessons.better_keeper(cnn_rate, mlp_rate)]
        assert f"{label}: CNN {cnn_rate:.0%}, MLP {mlp_rate:.0%} ({verdict})" in text


def test_draw_an_x_turned_45_degrees_is_a_plus_not_an_x(xo):
    """Old: both models called an X turned 45° (a "+") an X with P ≈ 1."""
    model = xo["CNN"]
    steps = model.preprocess(drawing.example_drawing("xo", "X"))
    for angle in (-45, 45):
        turned = invariance.transformed_input(steps, "xo", angle=angle)
        assert model.labels[int(model.predict_grids(turned).argmax())] == "other", angle
    probs = model.predict_proba(drawing.example_drawing("xo", "plus"))
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
    grid = model.preprocess(drawing.example_drawing("xo", "X")).model_input
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
    maps = dict(model.grid_feature_maps(np.zeros((drawing.XO_INPUT, drawing.XO_INPUT), np.float32)))
    conv2 = next(r for r in model.layer_table() if r["layer"].startswith("conv 2"))["output shape"]
    assert conv2 == " × ".join(map(str, maps["conv 2 + ReLU"].shape))


def test_draw_conv1_changes_along_the_strokes(xo):
    """ "Conv 1's maps change along your strokes", measured on every ready-made X/O drawing."""
    model = xo["CNN"]
    for name in drawing.EXAMPLES["xo"]:
        analysis = model.analyse(drawing.example_drawing("xo", name))
        share, area = occlusion.stroke_response_share(analysis.steps.model_input, dict(analysis.maps)["conv 1 + ReLU"])
        assert share > 0.7 and share - area >= 0.3, (name, share, area)
        sentence = draw_probe.maps_sentence(analysis)
        assert f"{share:.0%} of their change from the blank background lies on or beside the ink" in sentence


def test_draw_maps_sentence_names_the_grid_when_strokes_cover_most_of_it(dg):
    """The fallback names the grid it measured. Old: it said "on an 8×8 grid" whatever the grid, and a ready-made
    X/O square (60% of its 16×16 grid beside ink) got it too."""
    analysis = dg["CNN"].analyse(drawing.example_drawing("digits", "0"))
    _, area = occlusion.stroke_response_share(analysis.steps.model_input, dict(analysis.maps)["conv 1 + ReLU"])
    assert area > 0.9
    assert f"{area:.0%} of the 8×8 grid is on or beside one" in draw_probe.maps_sentence(analysis)


def test_draw_same_kind_of_network_sentence_reads_the_configs():
    """Old: "only the data and the number of outputs change", though pooling and dropout differ too."""
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    text = text_of(at)
    assert "only the data and the number of outputs change" not in text
    assert "no pooling after conv 1" in text and "10 outputs instead of 3" in text


def test_draw_svc_baseline_trains_on_the_cnn_rows(dg):
    """Old: the SVC trained on 1,437 real digits, the CNN on 4,374 rows; the page called the CNN better."""
    result = baselines.compare_digits(dg)
    rows = len(drawing.make_dataset(dg["CNN"].config).y_train)
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


def test_draw_xo_input_docstring_gives_the_grid_sizes():
    """Old docstring: 22×22 in 28×28."""
    inner = drawing.XO_INPUT - 2 * drawing.XO_MARGIN
    assert f"{inner}×{inner} box centred in {drawing.XO_INPUT}×{drawing.XO_INPUT}" in drawing.xo_input.__doc__
    grid = drawing.xo_input(np.ones((50, 50), np.float32))
    m = drawing.XO_MARGIN
    assert grid[m:-m, m:-m].min() == 1 and grid.sum() == inner * inner


# ====================================================================================================
# Kernel playground and Dimensionality reduction
# ====================================================================================================


@pytest.fixture(scope="module")
def kernels() -> AppTest:
    app = AppTest.from_file("../pages/kernels.py", default_timeout=120).run()
    assert not app.exception
    return app


@pytest.fixture(scope="module")
def dimensionality() -> AppTest:
    app = AppTest.from_file("../pages/dimensionality.py", default_timeout=300).run()
    assert not app.exception
    return app


def notice(app: AppTest) -> str:
    return next(i.value for i in app.info if "What to notice" in i.value)


def texts(app: AppTest) -> str:
    return "\n".join(m.value for m in [*app.markdown, *app.caption, *app.success, *app.warning, *app.info])


# --- Kernel playground -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "label"), [("X", "X"), ("shifted X", "X"), ("O", "O")])
def test_kernels_vote_names_the_letters(name, label):
    assert xo_study.vote(xo_study.ROHRER_IMAGES[name]).label == label


@pytest.mark.parametrize("grid", [-np.ones((9, 9)), np.ones((9, 9))], ids=["empty", "full"])
def test_kernels_vote_says_neither_for_an_empty_or_full_grid(grid):
    assert xo_study.vote(grid).label == "neither"  # the cosine vote called both of these an X


def test_kernels_vote_says_neither_for_random_grids():
    grids = xo_study.random_grids(150, 0.3, seed=0)
    labels = [xo_study.vote(g).label for g in grids]
    assert labels[0] == "neither"
    assert labels.count("neither") / len(labels) >= 0.97  # 5 seeds × 4 densities: see benchmarks/claims_kernels.py


def test_kernels_votes_discriminate():
    """The numbers shown separate the cases: the winner leads by a wide margin, the losers stay below MIN_VOTE."""
    x, shifted, o = (xo_study.vote(xo_study.ROHRER_IMAGES[n]).votes for n in ("X", "shifted X", "O"))
    assert x["X"] - x["O"] > 0.5 and o["O"] - o["X"] > 0.5 and shifted["X"] - shifted["O"] > 0.4
    for grid in (-np.ones((9, 9)), np.ones((9, 9))):
        assert max(xo_study.vote(grid).votes.values()) < xo_study.MIN_VOTE


def test_kernels_page_shows_the_vote_and_neither(kernels):
    assert "this looks like an **X**" in texts(kernels)
    assert {m.label: m.value for m in kernels.metric} == {"X vote": "+0.44", "O vote": "-0.44"}
    for r in range(9):
        kernels.segmented_control(key=f"kernels_row_{r}").set_value([])
    kernels.run()
    assert "**neither** an X nor an O" in texts(kernels)
    kernels.button(key="kernels_xo_reset").click().run()


def test_kernels_shifted_x_sentence_is_the_measured_peaks(kernels):
    peaks = xo_study.peaks(xo_study.ROHRER_X_SHIFTED)
    assert peaks["diagonal \\"] == pytest.approx((7 / 9, 0)) and peaks["diagonal /"] == pytest.approx((7 / 9, 0))
    assert peaks["X centre"] == (1.0, 1)
    text = notice(kernels)
    assert "still lights up" not in text
    assert "peak at 0.78 and 0.78" in text and "only the centre filter reaches 1.00 once" in text
    kept = sum(label == "X" for label in xo_study.one_pixel_shift_labels().values())
    assert f"of the 8 one-pixel moves of the X, {kept} still get X" in text


def test_kernels_parameter_words_come_from_the_counts(kernels):
    layers = weight_sharing.layer_counts(32, 3, 16, 3)
    assert (layers.convolutional, layers.fully_connected) == (448, 44_251_200)
    text = notice(kernels)
    assert "448 parameters (hundreds)" in text and "44,251,200 (millions" in text
    assert "thousands of parameters" not in text


def test_kernels_uniform_white_upload_shows_white():
    assert pictures.to_display(np.ones((5, 5))).min() == 255  # stretching drew it mid-grey
    sharpened = conv.convolve2d(np.full((6, 6), 0.5), conv.KERNEL_PRESETS["sharpen"])
    assert np.unique(pictures.to_display(sharpened)).tolist() == [128]  # a flat area keeps its grey under sharpen
    edges = conv.convolve2d(np.full((6, 6), 0.5), conv.KERNEL_PRESETS["edge detect"])
    assert np.unique(pictures.to_display(edges, scale="signed")).tolist() == [128]  # no edge: 0, drawn mid-grey


def _panels(app: AppTest) -> dict[str, list[float]]:
    """The values of every titled heatmap panel in the page's Vega-Lite specs."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if "title" in node and "data" in node and isinstance(node["data"], dict) and "values" in node["data"]:
                found[node["title"]] = [r.get("v") for r in node["data"]["values"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for chart in app.get("vega_lite_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def test_kernels_window_arithmetic_is_shown_at_one_precision(kernels):
    kernels.radio(key="kernels_window_target").set_value("the chosen image (shrunk)").run()
    kernels.selectbox(key="kernels_window_kernel").set_value("box blur").run()
    panels = _panels(kernels)
    patch, kernel, products = (np.array(panels[t]) for t in ("patch", "kernel", "patch × kernel"))
    assert np.allclose(patch, np.round(patch))  # whole 0…255 values: what is shown is what is multiplied
    np.testing.assert_allclose(products, patch * kernel)
    total = float(np.sum(products))
    assert f"→ **{total:.1f}**" in texts(kernels)


# --- Dimensionality ----------------------------------------------------------------------------------------------
def test_dimensionality_few_components_is_worded_from_the_curve(dimensionality):
    data = pca_datasets.load_builtin("digits")
    points, baseline = pca.pca_then_logistic(data.X, data.labels, (5,), repeats=1)
    assert points[0].accuracy < baseline.accuracy - 0.1  # "nearly as accurate" was false
    text = notice(dimensionality)
    assert "nearly as accurate" not in text
    assert f"reaches {points[0].accuracy:.0%} against {baseline.accuracy:.0%}" in text


def test_dimensionality_eigen_digit_caption_says_the_sign_is_arbitrary(dimensionality):
    caption = next(c.value for c in dimensionality.caption if "mean digit" in c.value)
    assert "red (adds ink)" not in caption
    assert "sign is arbitrary" in caption and "where its score is positive" in caption


def test_dimensionality_no_delta_where_nothing_changed(dimensionality):
    metric = next(m for m in dimensionality.metric if m.label == "Largest weight in PC1")
    assert not metric.delta


def test_dimensionality_fit_times_are_medians_and_worded(dimensionality):
    assert pca.TIMING_REPEATS >= 3
    assert "median of 3 fits" in texts(dimensionality)
    assert (
        "faster" in texts(dimensionality)
        or "slower" in texts(dimensionality)
        or "about the same" in texts(dimensionality)
    )


def test_dimensionality_raw_wine_covariance_says_why_it_is_one_colour(dimensionality):
    dimensionality.toggle(key="dimensionality_standardize").set_value(False).run()
    dimensionality.radio(key="dimensionality_steps_data").set_value("wine").run()
    assert any(c.value.startswith("Unstandardised, proline's variance") for c in dimensionality.caption)


def test_dimensionality_linear_autoencoder_answer_is_measured(dimensionality):
    dimensionality.radio(key="dimensionality_quiz_linear_choice").set_value("about the same").run()
    dimensionality.button(key="dimensionality_quiz_linear_reveal").click().run()
    verdict = next(m.value for m in [*dimensionality.success, *dimensionality.warning] if "held-out digits" in m.value)
    assert verdict.startswith("Right")  # within 10 % of PCA (5 of 5 seeds: benchmarks/claims_kernels.py)


def test_dimensionality_unstandardised_pca_follows_the_biggest_feature():
    wine = pca_datasets.load_builtin("wine")
    raw = pca.fit_pca(wine.X)
    assert int(np.abs(raw.components[0]).argmax()) == int(wine.X.var(axis=0).argmax())  # proline
    assert int(np.abs(pca.fit_pca(wine.X, standardize=True).components[0]).argmax()) != int(wine.X.var(axis=0).argmax())


def test_dimensionality_pc1_keeps_most_and_loses_least():
    cloud = pca.correlated_cloud(200, seed=0)
    angles = np.arange(0, 180, 1.0)
    variances = pca.projection_variance(cloud, angles)
    losses = [pca.project_onto(cloud, a)[1] for a in angles]
    assert int(np.argmax(variances)) == int(np.argmin(losses))
    np.testing.assert_allclose(variances + np.array(losses), np.trace(np.cov(cloud.T)))  # kept + lost = total


def test_dimensionality_quiz_cloud_runs_at_135_degrees():
    cloud = pca.correlated_cloud(200, angle_deg=135.0, seed=42)
    assert abs(pca.angle_of(pca.fit_pca(cloud).components[0]) - 135) < 10


# ====================================================================================================
# CNNs for text and speech
# ====================================================================================================

DEFAULT = "The movie was not bad at all and the actors were very good"
MIXED = "The walk was not good but the dog was very happy"


def test_text_speech_default_sentence_is_positive_for_the_hand_made_vote():
    """Issue 15.10: the default must not come out wrong by accident ("not bad at all ... very good" is positive)."""
    verdict = applications.classify_sentence(DEFAULT)
    assert verdict.label == "positive"
    assert verdict.pooled["not + negative"] == 1.0 and verdict.pooled["very + positive"] == 1.0


def test_text_speech_negated_positive_beside_a_positive_is_mixed_not_negative():
    """The old vote called this sentence "negative"; its evidence cancels, and the page says so."""
    verdict = applications.classify_sentence(MIXED)
    assert verdict.label == "mixed" and verdict.score == 0


def test_text_speech_max_pool_keeps_one_number_per_detector():
    verdict = applications.classify_sentence(MIXED)
    assert verdict.firing["positive word"] == 2 and verdict.pooled["positive word"] == 1.0


def test_text_speech_width_two_detector_sees_order():
    """A width-2 detector sees "not" right before "bad"; the same words the other way round do not fire it."""
    assert applications.classify_sentence("not bad").pooled["not + negative"] == 1.0
    assert applications.classify_sentence("bad not").pooled["not + negative"] == 0.0


def test_text_speech_every_word_is_labelled_on_the_x_axis():
    """Issue 15.10: every word's label shows (including "not" and "very"), none thinned out."""
    words = applications.tokenize_words(DEFAULT)
    spec = heatmaps.word_heatmap_chart(applications.sentence_matrix(words), words, applications.WORD_FEATURES)
    axis = spec["hconcat"][0]["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False
    assert json.loads(axis["labelExpr"].removesuffix("[datum.value]")) == words


def test_text_speech_text_cnn_beats_chance_by_a_wide_margin():
    assert trained_text_cnn().test_accuracy >= 2 * (1 / len(text_cnn.CLASSES))


def test_text_speech_cnn_beats_bag_of_words_on_negations():
    """The default model's order-subset verdict (the page words it from these numbers; 5 seeds in the benchmark)."""
    result = comparison()
    assert result.cnn_order_accuracy > result.bow_order_accuracy
    assert result.cnn_accuracy > result.bow_accuracy


def test_text_speech_shuffling_words_lowers_the_cnn():
    """Concept check "Shuffle the words ... does the accuracy change?" → yes, it drops."""
    result = comparison()
    assert result.shuffled_accuracy < result.cnn_accuracy


def test_text_speech_speech_cnn_held_out_accuracy():
    assert trained_speech_cnn().test_accuracy >= 0.9


def test_text_speech_rising_kernel_finds_the_rising_pitch():
    for sound, kernel in [("rising pitch", "rising line"), ("falling pitch", "falling line")]:
        image = applications.spectrogram(applications.make_sound(sound))
        responses = {
            n: applications.convolve_spectrogram(image, k).max() for n, k in applications.SPECTRO_KERNELS.items()
        }
        assert max(responses, key=responses.get) == kernel
    assert np.isfinite(list(responses.values())).all()


# ====================================================================================================
# Next word
# ====================================================================================================

LONG_PROMPT = (
    "After school my sister and I walked home through the park, and we stopped at the little shop on the corner "
    "to buy some bread and milk for dinner. It started to rain, so we ran the last part of the way and got home "
    "wet and cold. Mum made tea, and we sat by the window and talked about the day until"
)


@pytest.fixture(scope="module")
def small_models(small_text) -> dict[str, L.LanguageModel]:
    return {kind: L.train_language_model(small_text, kind, epochs=1) for kind in L.KINDS}


@pytest.fixture(scope="module")
def recall_models() -> dict[str, L.LanguageModel]:
    return {kind: LD.train_recall_model(kind) for kind in ("rnn", "lstm")}


def test_next_word_clipping_bounds_the_step_and_the_loss_never_rises_above_its_start():
    text = read_corpus()
    lr = TT.ExplodingConfig().learning_rate
    free = TT.summarise_run(TT.exploding_gradient_run(text, clip=None), lr, None)
    assert free.highest_loss > free.start_loss + 5  # the unclipped run the page trains (seed 0) really explodes
    for threshold in TT.CLIP_THRESHOLDS:
        history = TT.exploding_gradient_run(text, clip=threshold)
        run = TT.summarise_run(history, lr, threshold)
        assert run.largest_step <= lr * threshold + 1e-9
        assert run.steps_above_start == 0, threshold  # what the page says for every threshold it offers
        assert run.final_loss < free.final_loss


def test_next_word_exploding_spread_is_wide_and_is_what_the_page_runs():
    """How far the unclipped run explodes depends on the seed (and, the run being chaotic, on the CPU): the page
    measures the spread over seeds where it runs, and says "depends on the random start" only because it is wide."""
    text = read_corpus()
    lr = TT.ExplodingConfig().learning_rate
    spread = TT.exploding_spread(text)
    assert len(spread) == len(TT.SPREAD_SEEDS) == 5
    assert spread[0] == TT.summarise_run(TT.exploding_gradient_run(text, clip=None, seed=0), lr, None)
    norms = [run.largest_norm for run in spread]
    assert max(norms) > 10 * min(norms)


def test_next_word_bow_shuffle_never_changes_the_answer_even_for_a_long_prompt(small_models):
    bow = small_models["bow"]
    assert len(vocabulary.tokenize(LONG_PROMPT)) > L.MAX_PROMPT_TOKENS
    for seed in range(5):
        shuffled = vocabulary.shuffle_words(LONG_PROMPT, seed)
        assert np.array_equal(bow.next_distribution(LONG_PROMPT), bow.next_distribution(shuffled))
    assert bow.count_vector(LONG_PROMPT).sum() == len(vocabulary.tokenize(LONG_PROMPT))  # every token counts


def test_next_word_never_offers_a_special_token_and_lists_most_likely_first(small_models):
    prompts = ["The cat sat on the", "zyxw qqq blorf", "", "She opened the door and", LONG_PROMPT]
    for model in small_models.values():
        for prompt in prompts:
            top = model.predict_next(prompt, 5)
            words = [w for w, _ in top]
            assert not set(words) & set(vocabulary.SPECIALS), (model.kind, prompt, words)
            assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
            probs = model.next_distribution(prompt)
            assert probs[model.vocab.unk_id] == 0 and math.isclose(probs.sum(), 1.0, abs_tol=1e-9)
            assert not set(model.generate(prompt, 8, temperature=1.0)) & set(vocabulary.SPECIALS)
        assert all(w not in vocabulary.SPECIALS for w, _ in model.step_predictions(LONG_PROMPT))


def test_next_word_rnn_step_shows_the_equation_it_computes(small_models):
    rnn = small_models["rnn"]
    step = TT.rnn_step(rnn, "This morning I took my dog for a")
    _, states = rnn.hidden_states("This morning I took my dog for a")
    assert np.allclose(step.hidden, np.tanh(step.recurrent + step.input), atol=1e-6)
    assert np.allclose(step.hidden, states[-1], atol=1e-5)
    assert step.top == rnn.predict_next("This morning I took my dog for a", 3)


def test_next_word_gate_table_shows_the_equations_numbers(small_models):
    trace = TT.lstm_gates(small_models["lstm"], "This morning I took my dog for a")
    for row in trace.step_table(trace.busiest_units(6)):
        c = row["f_t"] * row["c_{t-1}"] + row["i_t"] * row["g_t"]
        assert math.isclose(row["c_t = f·c_{t-1} + i·g"], c, abs_tol=1e-5)
        assert math.isclose(row["h_t = o·tanh(c_t)"], row["o_t"] * math.tanh(c), abs_tol=1e-5)


def test_next_word_lstm_cell_gradient_survives_where_the_rnn_gradient_vanishes(recall_models):
    far = 60
    grads = {kind: LD.recall_gradients(model, far) for kind, model in recall_models.items()}
    rnn, lstm = grads["rnn"].ratio(), grads["lstm"].ratio(along="cell")
    assert len(grads["rnn"].hidden) == far + 1
    assert rnn < 1e-6  # vanished
    assert lstm > 1e4 * rnn
    assert grads["lstm"].kept_by_forget_gates() > 0.5  # forget gates stay open along the gap


def test_next_word_lstm_recalls_the_longest_distance_and_the_rnn_does_not(recall_models):
    distances = [12, 20, 40, 60]
    accuracy = {kind: LD.recall_accuracy(model, distances) for kind, model in recall_models.items()}
    assert accuracy["lstm"][60] >= 0.9
    assert np.mean(list(accuracy["rnn"].values())) <= np.mean(list(accuracy["lstm"].values())) - 0.25


def test_next_word_lstm_recall_does_not_depend_on_a_lucky_seed():
    # Seed 2 left the LSTM at chance before its forget gates started open.
    accuracy = LD.recall_accuracy(LD.train_recall_model("lstm", seed=2), [60])
    assert accuracy[60] >= 0.9


def test_next_word_own_text_lstm_learns_a_long_range_pattern_the_window_cannot():
    text = LD.pattern_text()
    assert LD.pattern_sentences(text) == 1000 and LD.pattern_distances()[1] > 20
    lstm = L.train_language_model(text, "lstm", **L.OWN_TEXT_OVERRIDES["lstm"])
    window = L.train_language_model(text, "window", **L.OWN_TEXT_OVERRIDES.get("window", {}))
    chance = LD.chance_level()
    lstm_recall, window_recall = LD.pattern_recall(lstm, text), LD.pattern_recall(window, text)
    assert window_recall <= chance + 0.1  # "was still" looks the same for every colour
    # "the LSTM can remember it": far above guessing a colour and above the window. Measured at seed 0: 0.97 on
    # an Intel machine, 0.78 on an AMD EPYC one (the run is chaotic enough that the CPU's arithmetic moves it).
    assert lstm_recall >= max(3 * chance, window_recall + 0.4), (lstm_recall, window_recall, chance)


def test_text_speech_negation_spread_shown_on_the_page_is_the_measured_one():
    """The page shows the CNN's lead over bag of words per seed instead of claiming a win (it trails on seed 4)."""
    bow = text_cnn.train_bag_of_words()
    for seed, shown in enumerate(text_cnn.NEGATION_GAP_BY_SEED):
        assert text_cnn.negation_gap(seed, bow) == pytest.approx(shown, abs=0.02)  # 0.014 is one sentence of 72


def test_next_word_readout_sentence_names_the_trained_readouts_pieces(trained):
    """The RNN step's caption says what ŷ_t is in the page's model: the head and group sizes are the module's."""
    rnn = trained["rnn"]
    out = rnn.network.out
    sentence = next_word_lessons.readout_sentence(rnn)
    groups = out.groups()
    assert out.head_size + sum(last - first for first, last, _ in groups) == len(rnn.vocab)
    assert f"the {out.head_size} most frequent tokens" in sentence
    for first, last, projection in groups:
        assert f"{last - first:,} (through h shrunk to {projection} numbers)" in sentence
    tiny = L.train_language_model("The cat sat. The dog ran. The cat ran.", "rnn", epochs=1)
    assert next_word_lessons.readout_sentence(tiny) == f"W_hy is {len(tiny.vocab):,}×{tiny.config.hidden_size}."
