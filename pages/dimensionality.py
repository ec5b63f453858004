"""Dimensionality reduction: PCA from first principles, PCA as a pre-processing step, and an autoencoder beside it.

The sections live in components/sections/ (pca_basics, pca_in_use, autoencoders); the bottom of the file lists them.
The interactive parts are fragments, so moving a control reruns only its own section.
"""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components import lesson, pca_getters
from components.sections import autoencoders, pca_basics, pca_in_use
from models import pca
from models import pca_lessons as pl


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
        needs=pca_getters.AUTOENCODERS,  # section 7's: training starts while sections 1-6 are drawn
    )


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
def what_to_notice() -> None:
    """The page's take-aways, worded from its own models and curves."""
    points, baseline = pca_getters.get_preprocessing_curve()
    few, digits = pca.point_at(points, pca_in_use.FEW_COMPONENTS), pca_getters.get_pca("digits", True)
    model, linear, _, pca_error = autoencoders.autoencoders_and_views()
    near = pca.smallest_k_within(points, baseline.accuracy, pca_in_use.NEAR_ACCURACY)
    needed = f"about {near.k} are needed to come within {pca_in_use.NEAR_ACCURACY * 100:.0f} points" if near else ""
    linear_gap = pl.relative_gap(linear.test_mse, pca_error)
    same = abs(linear_gap) <= autoencoders.SAME_ERROR
    linear_text = "matches PCA" if same else f"differs from PCA by {linear_gap:+.0%}"
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
    pca_basics.why_reduce,
    pca_basics.preprocessing_and_steps,
    pca_in_use.choosing_k,
    pca_in_use.reconstruction,
    pca_in_use.as_preprocessing,
    autoencoders.autoencoders,
    words_link,
    autoencoders.concept_checks,
    what_to_notice,
)
