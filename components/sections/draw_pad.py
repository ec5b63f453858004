"""The first screen of the draw page: the pad, the choice of model and its answer, and what a blank canvas gets."""

from __future__ import annotations

import streamlit as st

from components import canvas, charts, drawing_getters, lesson, resources
from models import cnn, draw_lessons, drawing

TASKS = {"X or O": "xo", "Digits 0–9": "digits"}
MY_DRAWING = "My drawing"


def draw_section() -> tuple:
    """The pad on the left, the model choice and its answer on the right, both in the first screen."""
    pad, answer = st.columns([1, 1], gap="large")
    with answer:
        st.subheader("1. Draw", anchor="draw")  # beside the pad, not above it: pad and answer fit one screen
        choice = st.radio(
            "Model", list(TASKS), horizontal=True, key="draw_model", persist_state="session", bind="query-params"
        )
        task = TASKS[choice]
    with pad:
        st.space("small")  # room for the canvas toolbar, which floats above the pad
        drawn = canvas.drawing_pad("draw_canvas", stroke_width=st.session_state.get("draw_stroke", 18))
        st.caption(
            "Lift the pen and the answer updates. The toolbar has **undo**, **redo** and the **bin** (clear). "
            "Draw big or small, anywhere: the pre-processing finds your ink."
        )
        st.slider("Pen width (pixels)", 4, 30, 18, key="draw_stroke", persist_state="session", bind="query-params")
        examples = [f"Example: {name}" for name in drawing.EXAMPLES[task]]
        source = st.selectbox(
            "…or use a ready-made drawing",
            [MY_DRAWING, *examples],
            key="draw_example",
            persist_state="session",
            bind="query-params",
        )
    image = drawn if source == MY_DRAWING else drawing.example_drawing(task, source.removeprefix("Example: "))
    with answer:
        # The CNN first, its MLP twin (for the sections below) right behind it, ahead of other pages' models.
        resources.ask_for(*drawing_getters.task_models(task))
        try:
            model = drawing_getters.get_classifier(task)  # while it trains, a live panel shows here, beside the pad
        except resources.ModelNotReady:
            if image is not None and source == MY_DRAWING:
                strokes = canvas.strokes_drawn("draw_canvas")
                st.caption(
                    f"Your drawing ({strokes} stroke{'s' if strokes != 1 else ''}) is kept: it is classified as "
                    "soon as the model is ready."
                )
            return task, image, None, None
        try:
            analysis = drawing_getters.get_drawing_analysis(image, model) if image is not None else None
        except ValueError as error:
            lesson.friendly_error(f"This drawing cannot be classified: {error}")
            return task, image, model, None
        show_answer(analysis)
    return task, image, model, analysis


def show_answer(analysis: cnn.DrawingAnalysis | None) -> None:
    if analysis is not None and analysis.probs is not None:
        best = analysis.label
        st.metric("Prediction", best)
        st.caption(
            f"{analysis.probs[best]:.0%} sure. The softmax turns the last layer's scores into probabilities "
            "that sum to 1."
        )
        lesson.show_chart(charts.probability_chart(analysis.probs, title="Class probabilities"))
    elif analysis is not None and analysis.steps.has_ink:
        st.info("**Draw something bigger:** there is ink, but a dot or a speck is too little to read.")
    else:
        st.info("**Draw something** on the canvas (or pick a ready-made drawing): a blank canvas gets no answer.")


def blank_notice() -> None:
    lesson.what_to_notice(
        [
            "Choose **X or O** or **Digits 0–9** above, then draw: the rest of the page opens once there is a drawing.",
            same_kind_sentence(cnn.default_config("xo"), cnn.default_config("digits")),
        ]
    )


def same_kind_sentence(xo: cnn.ClassifierConfig, dg: cnn.ClassifierConfig) -> str:
    """How the two tasks' networks differ, read from their configs."""
    differences = [f"{len(drawing.labels_of('digits'))} outputs instead of {len(drawing.labels_of('xo'))}"]
    if xo.channels != dg.channels:
        differences.append(f"{', '.join(map(str, dg.channels))} filters instead of {', '.join(map(str, xo.channels))}")
    if skipped := draw_lessons.skipped_pools(xo.pools, dg.pools):
        differences.append(f"no pooling after conv {', '.join(map(str, skipped))} (its input is only 8×8)")
    if xo.dropout != dg.dropout:
        differences.append(f"dropout {dg.dropout:g}")
    return (
        f"The same kind of network ({len(xo.channels)} conv layers, each with ReLU and batch norm, then one linear "
        f"layer) serves both tasks; the digits one has {', '.join(differences)}."
    )
