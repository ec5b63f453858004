"""Draw and classify: draw an X, an O or a digit, and look inside the CNN that classifies it."""

from __future__ import annotations

import streamlit as st

from components import drawing_getters, lesson
from components.sections import draw_inside, draw_pad, draw_probe, draw_retrain
from models import cnn


def intro() -> None:
    lesson.page_intro(
        "Draw and classify",
        "Draw an **X**, an **O** or a **digit**; a small CNN answers with class probabilities. Below, look inside it.",
        slides=[
            "Tasks in Computer Vision",
            "Learning Feature Representations",
            "Representation Learning in Deep CNNs",
            "CNNs for Classification",
            "Classify an X as an X even if it's shifted, shrunk, rotated, deformed",
            "Practice 2: CNN in PyTorch",
        ],
    )


def mlp_of(task: str) -> cnn.ImageClassifier:
    """The fully connected twin (raises ModelNotReady while it trains, and its section waits)."""
    return drawing_getters.get_classifier(task, "mlp")


intro()
task, image, model, analysis = draw_pad.draw_section()
if analysis is None or analysis.probs is None:
    draw_pad.blank_notice()
    st.stop()
pictures = draw_inside.what_the_network_sees(task, image, model, analysis.steps)
lesson.sections(
    lambda: draw_inside.feature_maps_section(model, pictures),
    lambda: draw_inside.architecture_section(model, mlp_of(task)),
    lambda: draw_inside.training_section(task, model, mlp_of(task)),
    lambda: draw_retrain.retrain_section(task, model, image),
    lambda: draw_probe.invariance_section(task, image, model, mlp_of(task), analysis),
    lambda: draw_probe.occlusion_section(task, analysis),
    lambda: draw_probe.concept_checks(task, model, mlp_of(task)),
    lambda: draw_probe.closing_notice(task, model, mlp_of(task), analysis),  # what to notice
)
