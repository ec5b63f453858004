"""An autoencoder beside PCA: its 2-D codes, reconstructions and training curves (a ReLU one and a linear one),
and the page's concept checks, each answered by a chart that appears once the student has committed."""

from __future__ import annotations

import streamlit as st

from components import lesson, pca_getters
from components.sections.pca_basics import ANGLES
from models import autoencoder, pca
from models import pca_lessons as pl

RECON_SAMPLES = 8  # held-out digits shown in the autoencoder comparison
SAME_ERROR = 0.10  # two reconstruction errors within 10% of each other are "about the same"
LINEAR_OPTIONS = ["the linear autoencoder, clearly", "about the same", "PCA, clearly"]


def autoencoders_and_views():
    """The ReLU and linear autoencoders, their views beside PCA, and PCA's k = 2 error on the same digits."""
    model, linear = pca_getters.get_autoencoder(), pca_getters.get_autoencoder(linear=True)
    views = pca_getters.get_latent_views(model, linear, RECON_SAMPLES)
    return model, linear, views, next(iter(views.errors.values()))


def linear_verdict(linear_error: float, pca_error: float) -> str:
    """The concept check's answer, from the two measured errors."""
    return LINEAR_OPTIONS[pl.error_comparison(linear_error, pca_error, SAME_ERROR) + 1]


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


@lesson.model_section
def concept_checks() -> None:
    """Section 8: predict, then reveal the chart that answers."""
    lesson.section("8. Concept check", "Commit to an answer first: each chart appears only once you reveal.")
    quiz_cloud = pca.correlated_cloud(200, angle_deg=135.0, seed=42)
    frame = pl.xy_frame(quiz_cloud)
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
        pl.k_options(k95, 13),
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
        f"({pl.relative_gap(linear.test_mse, pca_error):+.0%}). Without a non-linearity the autoencoder can only "
        "learn a flat 2-D subspace, and PCA's is already the best one for squared error; gradient descent gets "
        f"close to it. The ReLU autoencoder can bend, and reaches {model.test_mse:.4f}.",
    ):
        lesson.show_chart("error_bars_chart", views.errors)
