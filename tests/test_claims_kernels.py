"""Claims of the Kernel playground and the Dimensionality page, each asserted on the page's own models.

Seed-dependent claims (random grids, autoencoders against PCA) are checked over 5 seeds in benchmarks/claims_kernels.py.
"""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from models import convolution as conv
from models import pca, tabular
from models import xo_case_study as xo


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
    assert xo.vote(xo.ROHRER_IMAGES[name]).label == label


@pytest.mark.parametrize("grid", [-np.ones((9, 9)), np.ones((9, 9))], ids=["empty", "full"])
def test_kernels_vote_says_neither_for_an_empty_or_full_grid(grid):
    assert xo.vote(grid).label == "neither"  # the cosine vote called both of these an X


def test_kernels_vote_says_neither_for_random_grids():
    grids = xo.random_grids(150, 0.3, seed=0)
    labels = [xo.vote(g).label for g in grids]
    assert labels[0] == "neither"
    assert labels.count("neither") / len(labels) >= 0.97  # 5 seeds × 4 densities: see benchmarks/claims_kernels.py


def test_kernels_votes_discriminate():
    """The numbers shown separate the cases: the winner leads by a wide margin, the losers stay below MIN_VOTE."""
    x, shifted, o = (xo.vote(xo.ROHRER_IMAGES[n]).votes for n in ("X", "shifted X", "O"))
    assert x["X"] - x["O"] > 0.5 and o["O"] - o["X"] > 0.5 and shifted["X"] - shifted["O"] > 0.4
    for grid in (-np.ones((9, 9)), np.ones((9, 9))):
        assert max(xo.vote(grid).votes.values()) < xo.MIN_VOTE


def test_kernels_page_shows_the_vote_and_neither(kernels):
    assert "this looks like an **X**" in texts(kernels)
    assert {m.label: m.value for m in kernels.metric} == {"X vote": "+0.44", "O vote": "-0.44"}
    for r in range(9):
        kernels.segmented_control(key=f"kernels_row_{r}").set_value([])
    kernels.run()
    assert "**neither** an X nor an O" in texts(kernels)
    kernels.button(key="kernels_xo_reset").click().run()


def test_kernels_shifted_x_sentence_is_the_measured_peaks(kernels):
    peaks = xo.peaks(xo.ROHRER_X_SHIFTED)
    assert peaks["diagonal \\"] == pytest.approx((7 / 9, 0)) and peaks["diagonal /"] == pytest.approx((7 / 9, 0))
    assert peaks["X centre"] == (1.0, 1)
    text = notice(kernels)
    assert "still lights up" not in text
    assert "peak at 0.78 and 0.78" in text and "only the centre filter reaches 1.00 once" in text
    kept = sum(label == "X" for label in xo.one_pixel_shift_labels().values())
    assert f"of the 8 one-pixel moves of the X, {kept} still get X" in text


def test_kernels_parameter_words_come_from_the_counts(kernels):
    layers = conv.layer_counts(32, 3, 16, 3)
    assert (layers.convolutional, layers.fully_connected) == (448, 44_251_200)
    text = notice(kernels)
    assert "448 parameters (hundreds)" in text and "44,251,200 (millions" in text
    assert "thousands of parameters" not in text


def test_kernels_uniform_white_upload_shows_white():
    assert conv.to_display(np.ones((5, 5))).min() == 255  # stretching drew it mid-grey
    sharpened = conv.convolve2d(np.full((6, 6), 0.5), conv.KERNEL_PRESETS["sharpen"])
    assert np.unique(conv.to_display(sharpened)).tolist() == [128]  # a flat area keeps its grey under sharpen
    edges = conv.convolve2d(np.full((6, 6), 0.5), conv.KERNEL_PRESETS["edge detect"])
    assert np.unique(conv.to_display(edges, scale="signed")).tolist() == [128]  # no edge: 0, drawn mid-grey


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
    data = tabular.load_builtin("digits")
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
    wine = tabular.load_builtin("wine")
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
