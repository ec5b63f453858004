"""PCA from first principles: rotate a direction until the projections' variance peaks, see why standardising
matters when a unit changes, and walk through PCA's five steps with their numbers, checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import charts, lesson, pca_getters
from models import kernel_lessons, pca
from models import pca_lessons as pl

KEEP = {"persist_state": "session", "bind": "query-params"}  # a setting survives leaving the page and is in the link
ANGLES = np.arange(0, 180, 1.0)  # directions tried in section 1
UNIT_FACTORS = [0.001, 0.01, 1.0, 100.0, 1000.0]  # "change the unit of one feature"


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
    # Rounded to what is shown, plus 0.0: a rounding-level difference reads "+0.0%", never "-0.0%".
    shift = round(float(after.explained_variance_ratio[0] - before.explained_variance_ratio[0]), 3) + 0.0
    m1.metric("PC1 explains", f"{after.explained_variance_ratio[0]:.1%}", delta=f"{shift:+.1%} vs ×1",
              delta_color="off")  # fmt: skip
    m2.metric("Largest weight in PC1", top_after)
    m2.caption(f"At ×1 it is {top_before}." if top_before != top_after else f"At ×1 it is {top_before} too.")
    lesson.show_chart("loadings_chart", wine.feature_names, after.components[0], before.components[0])
    st.caption("Bars: PC1 after the change of unit. Black ticks: PC1 at ×1. With standardising on, they coincide.")
    return standardize


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
    names = list(tables["prepared"].columns)
    labels = [str(c)[:14] for c in names]
    domain = kernel_lessons.symmetric_domain(covariance)
    lesson.show_chart("heatmap_chart", covariance, annotate=True, fmt=".2f" if small else ".1f",
                      scheme=charts.DIVERGING, domain=domain, cell=70 if small else 34, row_labels=labels,
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
