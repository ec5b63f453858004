"""PCA in use: choosing k from a scree plot (any built-in data set or a CSV), rebuilding a digit from k
eigen-digits, and PCA before a logistic regression (accuracy and fit time against k)."""

from __future__ import annotations

import streamlit as st

from components import lesson, pca_getters
from components.sections.pca_basics import KEEP
from models import pca
from models import pca_lessons as pl
from models.pca_datasets import MAX_CSV_BYTES, MAX_CSV_CELLS, MAX_CSV_COLUMNS

DATASETS = {"digits": "Digits (8×8 images)", "iris": "Iris", "wine": "Wine", "csv": "Upload a CSV"}
SHARES = {"90%": 0.90, "95%": 0.95, "99%": 0.99}
EIGEN_DIGITS = 13  # principal components drawn as images (one row on a wide screen)
FEW_COMPONENTS = 5  # "a few components" in section 6
NEAR_ACCURACY = 0.02  # "nearly as accurate": within this share of the accuracy without PCA
FASTER = 1.5  # a fit at least this many times faster (or slower) than without PCA is worth a word


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
        pca_getters.get_image_tiles(pl.digit_pair(pixels, rebuilt), size=128),
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
