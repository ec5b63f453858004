"""Dimensionality reduction: PCA from first principles, PCA as a pre-processing step, and an autoencoder beside it.

Each section is a function; the bottom of the file lists them. The interactive parts are fragments, so moving a
control reruns only its own section.
"""

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components import charts, lesson, pca_getters
from models import autoencoder, pca
from models import pca_lessons as pl
from models.pca_datasets import MAX_CSV_BYTES, MAX_CSV_CELLS, MAX_CSV_COLUMNS

KEEP = {"persist_state": "session", "bind": "query-params"}  # a setting survives leaving the page and is in the link
ANGLES = np.arange(0, 180, 1.0)  # directions tried in section 1
UNIT_FACTORS = [0.001, 0.01, 1.0, 100.0, 1000.0]  # "change the unit of one feature"
DATASETS = {"digits": "Digits (8×8 images)", "iris": "Iris", "wine": "Wine", "csv": "Upload a CSV"}
SHARES = {"90%": 0.90, "95%": 0.95, "99%": 0.99}
EIGEN_DIGITS = 13  # principal components drawn as images (one row on a wide screen)
RECON_SAMPLES = 8  # held-out digits shown in the autoencoder comparison
FEW_COMPONENTS = 5  # "a few components" in section 6
NEAR_ACCURACY = 0.02  # "nearly as accurate": within this share of the accuracy without PCA
SAME_ERROR = 0.10  # two reconstruction errors within 10% of each other are "about the same"
LINEAR_OPTIONS = ["the linear autoencoder, clearly", "about the same", "PCA, clearly"]
FASTER = 1.5  # a fit at least this many times faster (or slower) than without PCA is worth a word


# --- Helpers ---------------------------------------------------------------------------------------------------------
def autoencoders_and_views():
    """The ReLU and linear autoencoders, their views beside PCA, and PCA's k = 2 error on the same digits."""
    model, linear = pca_getters.get_autoencoder(), pca_getters.get_autoencoder(linear=True)
    views = pca_getters.get_latent_views(model, linear, RECON_SAMPLES)
    return model, linear, views, next(iter(views.errors.values()))


def linear_verdict(linear_error: float, pca_error: float) -> str:
    """The concept check's answer, from the two measured errors."""
    return LINEAR_OPTIONS[pl.error_comparison(linear_error, pca_error, SAME_ERROR) + 1]


def accuracy_sentence(points: list[pca.PreprocessingPoint], baseline: pca.PreprocessingPoint) -> str:
    """How many components the classifier needs, worded from the measured curve."""
    few = pca.point_at(points, FEW_COMPONENTS)
    near = pca.smallest_k_within(points, baseline.accuracy, NEAR_ACCURACY)
    text = (
        f"With k = {few.k} the classifier reaches {few.accuracy:.0%} against {baseline.accuracy:.0%} on all 64 pixels "
        f"({few.variance_kept:.0%} of the variance kept)."
    )
    if near is not None:
        text += (
            f" It takes k = {near.k} ({near.variance_kept:.0%} of the variance) to come within "
            f"{NEAR_ACCURACY * 100:.0f} points ({near.accuracy:.1%})."
        )
    return text


def timing_sentence(points: list[pca.PreprocessingPoint], baseline: pca.PreprocessingPoint) -> str:
    """What the fit-time chart shows, worded from the medians."""
    near = pca.smallest_k_within(points, baseline.accuracy, NEAR_ACCURACY) or points[-1]
    ratio = pl.speedup(baseline.seconds, near.seconds)
    timing = (
        f"Each time is the median of {pca.TIMING_REPEATS} fits of the whole pipeline (scaler, PCA and logistic "
        f"regression) on this machine. At k = {near.k} a fit takes {near.seconds:.2f} s against "
        f"{baseline.seconds:.2f} s without PCA"
    )
    if ratio >= FASTER:
        return timing + f": {ratio:.1f} times faster, with fewer numbers per digit for the classifier to weigh."
    if ratio <= 1 / FASTER:
        return timing + f": {1 / ratio:.1f} times slower, since fitting PCA costs more than it saves on 64 features."
    return timing + (
        ": about the same. With only 64 features the fit is quick either way, so PCA's saving does not show on "
        "data this small."
    )


# --- The five steps of PCA (section 3), one tab each -----------------------------------------------------------------
def centre_step(tables: dict, covariance: np.ndarray, standardize: bool) -> None:
    """Step 1: subtract the means (and divide by the stds)."""
    st.markdown("Subtract each feature's mean" + (", then divide by its std." if standardize else "."))
    st.dataframe(tables["centre"], width="stretch")
    st.caption("The first five rows after this step:")
    st.dataframe(tables["prepared"], width="stretch")


def covariance_step(tables: dict, covariance: np.ndarray, standardize: bool) -> None:
    """Step 2: the covariance matrix as a heatmap, and why it looks one colour when one feature owns the variance."""
    st.markdown("How every pair of prepared features varies together: $C = X^\\top X / (n-1)$.")
    small = len(covariance) <= 6
    reach = float(np.abs(covariance).max())
    names = list(tables["prepared"].columns)
    labels = [str(c)[:14] for c in names]
    lesson.show_chart("heatmap_chart", covariance, annotate=True, fmt=".2f" if small else ".1f",
                      scheme=charts.DIVERGING, domain=(-reach, reach), cell=70 if small else 34, row_labels=labels,
                      col_labels=labels, legend=False, width="content")  # fmt: skip
    dominant = pl.dominant_feature(covariance, names)
    if dominant is not None:
        st.caption(
            f"Unstandardised, {dominant.first}'s variance ({dominant.first_variance:,.0f}) is {dominant.ratio:,.0f} "
            f"times the next largest ({dominant.second}, {dominant.second_variance:,.1f}), so on one colour scale "
            "every other cell is close to 0 and looks white. That is the structure: one feature owns the variance, "
            "and PCA will follow it. Standardise to see how the others vary together."
        )


def eigen_step(tables: dict, covariance: np.ndarray, standardize: bool) -> None:
    """Step 3: eigenvalues and eigenvectors as numpy returns them."""
    st.markdown("`numpy.linalg.eigh(C)` returns eigenvalues in *ascending* order, one eigenvector per column.")
    st.dataframe(tables["eigenvalues"], width="stretch")
    st.dataframe(tables["eigenvectors"], width="stretch")


def sort_step(tables: dict, covariance: np.ndarray, standardize: bool) -> None:
    """Step 4: sorted from the largest eigenvalue down."""
    st.markdown("Sort from the largest eigenvalue down: the top eigenvector is PC1, the direction of most spread.")
    st.dataframe(tables["sorted"], width="stretch")


def project_step(tables: dict, covariance: np.ndarray, standardize: bool) -> None:
    """Step 5: the PC scores."""
    st.markdown("Multiply the prepared rows by the sorted eigenvectors: each row becomes its PC scores.")
    st.dataframe(tables["scores"], width="stretch")


PCA_STEPS = {  # tab name -> step
    "1 · Centre (and scale)": centre_step,
    "2 · Covariance": covariance_step,
    "3 · Eigen-decomposition": eigen_step,
    "4 · Sort": sort_step,
    "5 · Project": project_step,
}


# --- Sections --------------------------------------------------------------------------------------------------------
def intro() -> None:
    """The page title, what the student will see, and the slides it covers."""
    lesson.page_intro(
        "Dimensionality reduction",
        "Unsupervised learning finds structure without labels. Rotate a line through a cloud of points until it "
        "keeps the most variance, then watch PCA do the same in 64 dimensions: choosing k, rebuilding digits from a "
        "few components, speeding up a classifier, and finally a small neural network (an autoencoder) learning its "
        "own code.",
        slides=[
            "Why reduce dimensions?",
            "PCA: Conceptual Algorithm",
            "PCA Algorithm: Pre-processing",
            "Maximize Variance",
            "Dimensionality Reduction Using PCA",
            "PCA is a useful preprocessing step",
            "Dimensionality Reduction – Autoencoder",
        ],
    )


def why_reduce() -> None:
    """Section 1: rotate a direction through a 2-D cloud and watch the variance of the projections."""
    lesson.section(
        "1. Why reduce dimensions?",
        "Two features that move together carry little more than one feature's worth of information. Rotate a "
        "direction through the cloud: projecting every point onto it turns 2 numbers into 1. Which direction keeps "
        "the most spread?",
    )
    rotate_a_direction()


@st.fragment
def rotate_a_direction() -> None:
    """Section 1's cloud, direction slider, projections and variance curve."""
    st.session_state.setdefault("dimensionality_cloud_seed", 0)
    if st.button("New sample", key="dimensionality_new_sample", icon=":material/casino:"):
        st.session_state["dimensionality_cloud_seed"] += 1
    cloud = pca.correlated_cloud(200, seed=st.session_state["dimensionality_cloud_seed"])
    angle = st.slider("Direction (degrees from the x axis)", 0, 179, 0, key="dimensionality_angle", **KEEP)
    fitted = pca.fit_pca(cloud)
    pc1_angle = pca.angle_of(fitted.components[0])
    projected, lost = pca.project_onto(cloud, angle)
    _, lost_pc1 = pca.project_onto(cloud, pc1_angle)
    left, right = st.columns(2)
    lesson.show_chart("projection_chart", cloud, projected, angle, pc1_angle, width="content", where=left)
    variances = pca.projection_variance(cloud, ANGLES)
    lesson.show_chart("variance_by_angle_chart", ANGLES, variances, angle, pc1_angle, where=right)
    m1, m2, m3 = st.columns(3)
    m1.metric("Variance along your direction", f"{variances[angle]:.2f}")
    m2.metric(f"Maximum: PC1 at {pc1_angle:.0f}°", f"{fitted.explained_variance[0]:.2f}")
    lost_help = "Squared distance from each point to its projection, summed and divided by n − 1 like a variance."
    m3.metric("Reconstruction error", f"{lost:.2f}", delta=f"{lost - lost_pc1:+.2f} vs PC1", delta_color="inverse",
              help=lost_help)  # fmt: skip
    st.caption(
        "Grey segments are what each point loses when it is replaced by its projection (black dots). "
        "Variance kept plus variance lost is always the same total, so maximising one minimises the other."
    )


@st.fragment
def preprocessing_and_steps() -> None:
    """Sections 2 and 3 share the standardise toggle, so they rerun together."""
    standardize = units_and_scaling()
    conceptual_steps(standardize)


def units_and_scaling() -> bool:
    """Section 2: change the unit of one wine feature and watch PC1, with and without standardising."""
    lesson.section(
        "2. Pre-processing: centre, and usually scale",
        "PCA chases variance, and variance depends on units. The wine data mixes grams per litre, degrees and "
        "milligrams: change the unit of one feature and watch PC1.",
    )
    wine = pca_getters.get_dataset("wine")
    c1, c2, c3 = st.columns(3)
    standardize = c1.toggle("Standardise features", key="dimensionality_standardize",
                            help="Divide each by its std.", **KEEP)  # fmt: skip
    feature = c2.selectbox("Feature whose unit changes", wine.feature_names, index=0, key="dimensionality_unit", **KEEP)
    factor = c3.select_slider("Multiply it by", UNIT_FACTORS, value=1000.0, format_func=lambda f: f"×{f:g}",
                              key="dimensionality_factor", **KEEP)  # fmt: skip
    before = pca_getters.get_pca("wine", standardize)
    after = pca_getters.get_pca("wine", standardize, feature=wine.feature_names.index(feature), factor=factor)
    top_before = pl.largest_loading(before.components[0], wine.feature_names)
    top_after = pl.largest_loading(after.components[0], wine.feature_names)
    m1, m2 = st.columns(2)
    shift = after.explained_variance_ratio[0] - before.explained_variance_ratio[0]
    m1.metric("PC1 explains", f"{after.explained_variance_ratio[0]:.1%}", delta=f"{shift:+.1%} vs ×1",
              delta_color="off")  # fmt: skip
    m2.metric("Largest weight in PC1", top_after)
    m2.caption(f"At ×1 it is {top_before}." if top_before != top_after else f"At ×1 it is {top_before} too.")
    lesson.show_chart("loadings_chart", wine.feature_names, after.components[0], before.components[0])
    st.caption("Bars: PC1 after the change of unit. Black ticks: PC1 at ×1. With standardising on, they coincide.")
    return standardize


def conceptual_steps(standardize: bool) -> None:
    """Section 3: the five steps of PCA with their numbers, checked against scikit-learn."""
    lesson.section(
        "3. The conceptual algorithm, step by step",
        "PCA is five steps of ordinary linear algebra. Each tab shows the numbers of one step "
        "(the standardise toggle above applies here too).",
    )
    name = st.radio("Data", ["iris", "wine"], horizontal=True, key="dimensionality_steps_data", **KEEP)
    tables = pca_getters.get_pca_step_tables(name, standardize)
    lesson.tabbed_sections(PCA_STEPS, tables, pca_getters.get_pca(name, standardize).covariance, standardize)
    gap = pca_getters.get_sklearn_agreement(name, standardize)
    if gap < 1e-6:
        st.success(
            f"Check: these hand-written steps equal `sklearn.decomposition.PCA` on {name} (components up to sign, "
            f"explained-variance ratios; largest difference {gap:.0e}).",
            icon=":material/check_circle:",
        )
    else:
        st.error(f"The hand-written PCA differs from sklearn's by {gap:.2g}.")
    lesson.show_code(pca.fit_pca, label="Show the code of fit_pca")


def choosing_k() -> None:
    """Section 4: scree plot, cumulative variance and a scatter of two PCs for the chosen dataset."""
    lesson.section(
        "4. Dimensionality reduction with PCA: choosing k",
        "Each component keeps a share of the variance, and the scree plot shows how fast the shares fall. "
        "Pick the smallest k that keeps enough, for example 95%.",
    )
    scree_and_scatter()


@st.fragment
def scree_and_scatter() -> None:
    """Section 4's dataset picker (or CSV upload), scree plot and PC scatter."""
    source = st.segmented_control("Dataset", list(DATASETS), default="digits", format_func=DATASETS.get,
                                  key="dimensionality_dataset", **KEEP) or "digits"  # fmt: skip
    name, csv = source, None
    if source == "csv":
        upload = st.file_uploader(
            f"A CSV of numeric columns (at most {MAX_CSV_BYTES // 2**20} MB, {MAX_CSV_COLUMNS} columns and "
            f"{MAX_CSV_CELLS:,} numbers; a text column with a few distinct values colours the points)",
            type=["csv", "txt"],
            key="dimensionality_upload",
        )
        if upload is None:
            st.info("Upload a CSV to see its scree plot.", icon=":material/upload_file:")
            return
        name, csv = upload.name, upload.getvalue()
    try:
        data = pca_getters.get_dataset(name, csv)
    except ValueError as exc:
        lesson.friendly_error(f"Could not use this file: {exc}")
        return
    for note in data.notes:
        st.caption(note)
    standardize = st.toggle("Standardise features first", value=source != "digits",
                            key=f"dimensionality_k_std_{source}", **KEEP)  # fmt: skip
    result = pca_getters.get_pca(name, standardize, csv)
    most = result.n_components
    k = st.slider("k: components to keep", 1, most, min(10, most), key=f"dimensionality_k_{source}", **KEEP)
    marks = {label: result.components_for(share) for label, share in SHARES.items()}
    cols = st.columns(4)
    cols[0].metric(f"k = {k} keeps", f"{result.cumulative_ratio[k - 1]:.1%}")
    for col, (label, needed) in zip(cols[1:], marks.items(), strict=True):
        col.metric(f"k for {label}", f"{needed} of {len(data.feature_names)}")
    lesson.show_chart("scree_chart", result.all_variance_ratio, k, marks)
    if most < 2:
        st.warning("There is only one component, so there is no pair of PCs to plot.")
        return
    options = list(range(1, most + 1))
    a, b, _ = st.columns([1, 1, 2])
    pc_x = a.selectbox("Horizontal axis", options, 0, format_func="PC{}".format, key=f"dimensionality_pcx_{source}",
                       **KEEP)  # fmt: skip
    pc_y = b.selectbox("Vertical axis", options, 1, format_func="PC{}".format, key=f"dimensionality_pcy_{source}",
                       **KEEP)  # fmt: skip
    lesson.show_chart(pca_getters.get_pc_scatter_spec(name, standardize, pc_x - 1, pc_y - 1, csv))
    hint = "Hover a point to see the digit itself. " if data.image_shape else ""
    shown = f"{min(len(data.X), pca_getters.SCATTER_MAX_POINTS)} of {len(data.X)} points shown. "
    classes = "Colours are the known classes, which PCA never saw." if data.labels is not None else ""
    st.caption(hint + shown + classes)


def reconstruction() -> None:
    """Section 5: eigen-digits, and one digit rebuilt from its first k components."""
    lesson.section(
        "5. Reconstruction: eigen-digits",
        "On the 8×8 digits every principal component is itself an 8×8 image. A digit is the mean digit plus a "
        "weighted sum of these images; keep only the first k and see what survives.",
    )
    eigen_digits_and_rebuild()


@st.fragment
def eigen_digits_and_rebuild() -> None:
    """Section 5's eigen-digit row, digit picker and reconstruction-error curve."""
    digits_pca = pca_getters.get_digits_pca()
    images = pl.eigen_images(digits_pca, EIGEN_DIGITS)
    tiles = pca_getters.get_image_tiles(images[:1]) + pca_getters.get_image_tiles(images[1:], signed=True)
    st.image(tiles, caption=["mean digit"] + [f"PC{i + 1}" for i in range(EIGEN_DIGITS)], width=64, output_format="PNG")
    st.caption(
        "The mean digit in grayscale; each component in red and blue. A digit adds score × component to the mean, so "
        "red adds ink where its score is positive and removes ink where it is negative (blue the reverse). A "
        "component's sign is arbitrary: −PC is an equally good direction."
    )
    digits = pca_getters.get_dataset("digits")
    c1, c2 = st.columns(2)
    sample = int(c1.number_input("Digit number", 0, len(digits.X) - 1, 0, key="dimensionality_sample", **KEEP))
    k = c2.slider("k: components used", 1, 64, 5, key="dimensionality_recon_k", **KEEP)
    pixels = pl.unit_pixels(digits.X[sample])  # the [0, 1] pixels the digits PCA was fitted on
    rebuilt = digits_pca.reconstruct(pixels[None], k)[0]
    errors = digits_pca.error_by_k(pixels)
    left, right = st.columns([2, 3])
    left.image(
        pca_getters.get_image_tiles(np.stack([pixels, rebuilt]).reshape(2, 8, 8), size=128),
        caption=[f"original (label {digits.labels[sample]})", f"rebuilt from k = {k}"],
        width=128,
        output_format="PNG",
    )
    left.metric("Reconstruction error (MSE per pixel)", f"{errors[k - 1]:.4f}")
    lesson.show_chart("k_curves_chart", tuple(range(1, 65)), {"this digit's error": errors}, y_title="MSE", mark_k=k,
                      where=right)  # fmt: skip


def as_preprocessing() -> None:
    """Section 6: logistic regression accuracy and fit time against k on digits."""
    lesson.section(
        "6. PCA is a useful pre-processing step",
        "Feed a logistic regression k PC scores instead of 64 pixels (standardise → PCA(k) → logistic regression, "
        "tested on a held-out quarter of the digits).",
    )
    points, baseline = pca_getters.get_preprocessing_curve()
    ks = [p.k for p in points]
    left, right = st.columns(2)
    curves = {"test accuracy": [p.accuracy for p in points], "variance kept": [p.variance_kept for p in points]}
    lesson.show_chart("k_curves_chart", ks, curves, y_title="share", baselines={"no PCA: accuracy": baseline.accuracy},
                      percent=True, where=left)  # fmt: skip
    seconds = {"fit time (s)": [p.seconds for p in points]}
    lesson.show_chart("k_curves_chart", ks, seconds, y_title="seconds", baselines={"no PCA": baseline.seconds},
                      zero=True, where=right)  # fmt: skip
    full = points[-1]
    same = "exactly" if abs(full.accuracy - baseline.accuracy) < 1e-9 else "close to"
    st.caption(
        f"With all {full.k} components the accuracy is {full.accuracy:.2%}, {same} the {baseline.accuracy:.2%} "
        "without PCA: keeping every component only rotates the data."
    )
    st.markdown(accuracy_sentence(points, baseline))
    st.markdown(timing_sentence(points, baseline))


@lesson.model_section
def autoencoders() -> None:
    """Section 7: the 2-D codes, reconstructions and training curves of the autoencoders beside PCA."""
    lesson.section(
        "7. Dimensionality reduction with an autoencoder",
        "An autoencoder is a neural network trained to copy its input through a narrow middle layer. With a 2-unit "
        "bottleneck it must squeeze each 64-pixel digit into 2 numbers, like PCA with k = 2, but its mapping may "
        "bend.",
    )
    model, linear, views, pca_error = autoencoders_and_views()
    left, right = st.columns(2)
    lesson.show_chart(views.ae_spec, where=left)
    lesson.show_chart(views.pca_spec, where=right)
    st.caption(f"{views.count} held-out digits, coloured by their label. Hover a point to see the digit.")
    st.markdown("**Reconstructions of held-out digits** (each image is captioned with its MSE per pixel)")
    for method, (tiles, captions) in views.tiles.items():
        label_col, image_col = st.columns([1, 5], vertical_alignment="center")
        label_col.markdown(method)
        image_col.image(tiles, caption=captions, width=64, output_format="PNG")
    left, right = st.columns(2)
    lesson.show_chart("error_bars_chart", views.errors, title="Mean squared error per pixel", where=left)
    curves = {
        "autoencoder (train)": model.history.loss,
        "autoencoder (test)": model.history.val_loss,
        "linear (train)": linear.history.loss,
        "linear (test)": linear.history.val_loss,
        "PCA k=2 (test)": [pca_error] * len(model.history.loss),
    }
    lesson.show_chart("curves_chart", curves, y_title="MSE per pixel", title="Training curves", height=300, where=right)
    st.caption(
        f"The autoencoder has {model.num_parameters:,} parameters and trained in {model.history.seconds:.1f} s; "
        f"the linear one has {linear.num_parameters:,} and took {linear.history.seconds:.1f} s."
    )
    lesson.show_code(autoencoder.Autoencoder, label="Show the autoencoder's code")


def words_link() -> None:
    """PCA on language: the next-word models' word embeddings, mapped by the same fit_pca."""
    st.markdown(
        "**PCA on words.** The next-word models learn a vector of numbers for every word. The same `fit_pca` maps "
        "those vectors to 2-D: words used alike land together."
    )
    try:
        st.page_link("pages/next_word.py", label="Next word → the Word embeddings tab", icon=":material/hub:")
    except StreamlitPageNotFoundError:  # the page run on its own, without the router (as in AppTest)
        st.caption("Open the Next word page, tab Word embeddings.")


@lesson.model_section
def concept_checks() -> None:
    """Section 8: predict, then reveal the chart that answers."""
    lesson.section("8. Concept check", "Commit to an answer first: each chart appears only once you reveal.")
    quiz_cloud = pca.correlated_cloud(200, angle_deg=135.0, seed=42)
    frame = {"x": quiz_cloud[:, 0].tolist(), "y": quiz_cloud[:, 1].tolist()}
    lesson.show_chart("pc_scatter_chart", frame, x_title="feature 1", y_title="feature 2", width="stretch",
                      where=st.columns([1, 2])[0])  # fmt: skip
    if lesson.concept_check(
        "dimensionality_quiz_direction",
        "Which direction has the most variance in this cloud?",
        ["about 0°", "about 45°", "about 90°", "about 135°"],
        "about 135°",
        "The cloud runs from top left to bottom right, and PC1 points along it.",
    ):
        pc1 = pca.angle_of(pca.fit_pca(quiz_cloud).components[0])
        lesson.show_chart("variance_by_angle_chart", ANGLES, pca.projection_variance(quiz_cloud, ANGLES), pc1, pc1)

    wine_std = pca_getters.get_pca("wine", True)
    k95 = wine_std.components_for(0.95)
    digits_k95 = pca_getters.get_pca("digits", False).components_for(0.95)
    if lesson.concept_check(
        "dimensionality_quiz_k95",
        "After standardising, how many of wine's 13 components keep 95% of its variance?",
        sorted({"2", str(k95), "13"}, key=int),
        str(k95),
        f"Standardised wine features overlap less than neighbouring pixels do: wine needs {k95} of 13 components "
        f"for 95%, while the 64-pixel digits need {digits_k95}.",
    ):
        lesson.show_chart("scree_chart", wine_std.all_variance_ratio, k95, {"95%": k95})

    model, linear, views, pca_error = autoencoders_and_views()
    if lesson.concept_check(
        "dimensionality_quiz_linear",
        "A linear autoencoder with 2 bottleneck units against PCA with k = 2: whose reconstruction error is lower?",
        LINEAR_OPTIONS,
        linear_verdict(linear.test_mse, pca_error),
        f"Measured on the held-out digits: linear autoencoder {linear.test_mse:.4f}, PCA {pca_error:.4f} "
        f"({linear.test_mse / pca_error - 1:+.0%}). Without a non-linearity the autoencoder can only learn a flat "
        "2-D subspace, and PCA's is already the best one for squared error; gradient descent gets close to it. "
        f"The ReLU autoencoder can bend, and reaches {model.test_mse:.4f}.",
    ):
        lesson.show_chart("error_bars_chart", views.errors)


@lesson.model_section
def what_to_notice() -> None:
    """The page's take-aways, worded from its own models and curves."""
    points, baseline = pca_getters.get_preprocessing_curve()
    few, digits = pca.point_at(points, FEW_COMPONENTS), pca_getters.get_pca("digits", True)
    model, linear, _, pca_error = autoencoders_and_views()
    near = pca.smallest_k_within(points, baseline.accuracy, NEAR_ACCURACY)
    needed = f"about {near.k} are needed to come within {NEAR_ACCURACY * 100:.0f} points" if near else ""
    linear_gap = linear.test_mse / pca_error - 1
    linear_text = "matches PCA" if abs(linear_gap) <= SAME_ERROR else f"differs from PCA by {linear_gap:+.0%}"
    bent = model.test_mse / pca_error
    bent_text = f"beats it at k = 2 ({bent:.0%} of PCA's error)" if bent < 1 else f"does not beat it ({bent:.0%})"
    lesson.what_to_notice(
        [
            "PC1 is the direction where the projections vary most, which is also where they lose least.",
            "Without standardising, PCA follows whichever feature has the biggest numbers, not the most information.",
            f"A few components keep much of the variance (k = {few.k}: {few.variance_kept:.0%} of the standardised "
            f"digits; 95% takes k = {digits.components_for(0.95)}), but the classifier on {few.k} reaches "
            f"{few.accuracy:.0%} against {baseline.accuracy:.0%}: {needed}.",
            f"An autoencoder is a learned, possibly bent PCA: linear, it {linear_text}; with ReLUs it {bent_text}.",
        ]
    )


intro()
lesson.sections(
    why_reduce,
    preprocessing_and_steps,
    choosing_k,
    reconstruction,
    as_preprocessing,
    autoencoders,
    words_link,
    concept_checks,
    what_to_notice,
)
