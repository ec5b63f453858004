"""Probing the draw page's CNN beside a fully connected twin: shifted, turned and scaled drawings (with measured keep
rates), an occlusion map of the evidence, and the concept checks and closing notes read from those measurements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import charts, drawing_getters, images, lesson
from models import cnn, draw_lessons, invariance, occlusion
from models.draw_lessons import pct

SHIFTS = tuple(np.round(np.linspace(-0.3, 0.3, 13), 3))  # share of the width
ANGLES = tuple(range(-90, 91, 15))  # degrees
SCALES = tuple(np.round(np.linspace(0.5, 1.5, 11), 2))  # factor
MAPS_CONCENTRATE = 0.2  # conv 1's change "lies along the strokes" when its share there beats their area by this


def keep_rate_table(models: dict) -> tuple[pd.DataFrame, dict]:
    """Measured on fresh drawings: how often each network still names the class after a shift or a turn."""
    rates = drawing_getters.get_keep_rates(models)
    return pd.DataFrame(rates).T.map(pct), rates


def rotation_sentence(task: str, rates: dict) -> str:
    """What turning does to each class, from the measured keep rates."""
    if task == "xo":
        x45, x90 = rates["X turned 45°"]["CNN"], rates["X turned 90°"]["CNN"]
        o45 = rates["O turned 45°"]["CNN"]
        turned = (
            f'Turned 45°, an X is a "+", which the training data counts as "other": the CNN still says X for '
            f"{pct(x45)} of fresh X's. "
        )
        back = f"Turned 90°, an X is an X again ({pct(x90)} kept)"
        round_o = f", and an O is round: {pct(o45)} stay O at 45°." if o45 > 0.9 else f"; an O keeps {pct(o45)}."
        return turned + back + round_o + " For this task, rotation changes the answer only where it changes the shape."
    d45, d90 = rates["a digit turned 45°"]["CNN"], rates["a digit turned 90°"]["CNN"]
    m90 = rates["a digit turned 90°"]["MLP"]
    return (
        f"Digits are not symmetric: turned 45°, the CNN still reads {pct(d45)} of fresh pen digits, turned 90° "
        f"{pct(d90)} (the MLP {pct(m90)}). Neither network was trained on turned digits."
    )


def shift_sentence(task: str, rates: dict) -> str:
    """Which network keeps the class when the input moves, from the measured keep rates."""
    parts = []
    for label in ("X", "O") if task == "xo" else ("a digit",):
        row = rates[f"{label} moved a fifth of the width"]
        cnn_rate, mlp_rate = row["CNN"], row["MLP"]
        verdict = {
            "cnn": "the CNN keeps it more often",
            "mlp": "the MLP keeps it more often",
            "same": "the two are about the same",
        }[draw_lessons.better_keeper(cnn_rate, mlp_rate)]
        parts.append(f"{label}: CNN {pct(cnn_rate)}, MLP {pct(mlp_rate)} ({verdict})")
    return "Moved a fifth of the width: " + "; ".join(parts) + "."


@st.fragment
def invariance_section(task: str, image: np.ndarray, model, mlp, analysis: cnn.DrawingAnalysis) -> None:
    """Shift, rotate and scale the drawing; compare the CNN with a fully connected network on the same inputs."""
    lesson.section(
        "6. Invariance probe: shifted, shrunk, rotated",
        "We want an X to stay an X when it moves, turns or shrinks. Move the sliders to transform the network's "
        "input, and compare the CNN with a fully connected network (MLP) trained on exactly the same data.",
    )
    label = analysis.label
    models = {"CNN": model, "MLP": mlp}
    a, b, c = st.columns(3)
    shift = a.select_slider(
        "Shift right (share of the width)", SHIFTS, 0.0, key="draw_shift", persist_state="session", bind="query-params"
    )
    angle = b.select_slider(
        "Rotate (degrees)", ANGLES, 0, key="draw_rotate", persist_state="session", bind="query-params"
    )
    scale = c.select_slider("Scale", SCALES, 1.0, key="draw_scale", persist_state="session", bind="query-params")
    moved = invariance.transformed_input(analysis.steps, task, shift=shift, angle=angle, scale=scale)
    left, right = st.columns([1, 3])
    left.image(
        images.png_bytes(draw_lessons.input_picture(moved), box=120),
        caption="transformed input",
        output_format="PNG",
    )
    with right:
        for col, (name, m) in zip(st.columns(2), models.items(), strict=True):
            p = m.predict_grids(moved[None])[0]
            col.metric(f"{name} says", m.labels[int(p.argmax())])
            col.caption(f"P({label}) = {p[m.labels.index(label)]:.0%}")
    cols = st.columns(3)
    for col, kind, values, mark, title in (
        (cols[0], "shift", SHIFTS, shift, "shift (share of width)"),
        (cols[1], "rotate", ANGLES, angle, "rotation (degrees)"),
        (cols[2], "scale", SCALES, scale, "scale"),
    ):
        series = drawing_getters.get_probe(image, kind, values, label, models)
        lesson.show_chart(
            charts.transform_probe_chart(values, series, x_title=title, label=label, mark=mark), where=col
        )
    st.caption(
        "Each curve moves only one thing in your drawing; the sliders above combine all three. A turn is applied "
        "to the drawing before it is cropped, as if you had drawn it turned; a shift or a scale moves the grid the "
        "network reads (cropping would undo them)."
    )
    table, rates = keep_rate_table(models)
    left, right = st.columns([2, 3])
    left.dataframe(table, width="stretch")
    right.caption(
        f"Measured on fresh drawings ({invariance.KEEP_RATE_DRAWINGS[task]} of each class): the share that "
        f"each network still names correctly. {shift_sentence(task, rates)} {rotation_sentence(task, rates)}"
    )


def where_words(row: int, col: int, side: int) -> str:
    vertical, across = draw_lessons.grid_region(row, col, side)
    return "the centre" if (vertical, across) == ("middle", "centre") else f"the {vertical} {across}"


def occlusion_section(task: str, analysis: cnn.DrawingAnalysis) -> None:
    occlusion = analysis.occlusion
    lesson.section(
        "7. Why this answer? An occlusion map",
        f"Hide one {occlusion.patch}×{occlusion.patch} patch of the input at a time and record how much the "
        f"log-odds of **{occlusion.label}** drop (log-odds keep moving even when the answer is 99.99 % sure). "
        "Red patches held evidence for it; blue ones argued against it.",
    )
    left, right = st.columns([1, 1])
    lesson.show_chart(
        "occlusion_evidence_chart",
        analysis.steps.model_input,
        occlusion.evidence,
        label=occlusion.label,
        cell=12 if task == "xo" else 30,
        where=left,
        width="content",
    )
    peak = float(occlusion.evidence.max())
    if peak <= 0:
        right.markdown(
            f"The network says **{occlusion.label}**, and no single patch lowers its log-odds: the evidence is "
            "spread out, so hiding one part leaves enough of the rest."
        )
        return
    row, col = occlusion.strongest
    side = occlusion.evidence.shape[0]
    flips = (
        f"Hiding {occlusion.flips} of the {occlusion.patches} patches changes the answer."
        if occlusion.flips
        else f"No single patch (of {occlusion.patches}) changes the answer."
    )
    against = (
        f" The bluest patch raises them by {occlusion.against:.1f}: something there looked like another class."
        if occlusion.against > 0.1 * peak
        else ""
    )
    right.markdown(
        f"The network says **{occlusion.label}**. The evidence is strongest at {where_words(row, col, side)}: "
        f"hiding it lowers the log-odds by {peak:.1f}. {pct(occlusion.on_ink_share)} of the red lies on your "
        f"strokes, which cover {pct(occlusion.ink.mean())} of the grid. {flips}{against}"
    )


@st.fragment
def concept_checks(task: str, model: cnn.ImageClassifier, mlp: cnn.ImageClassifier) -> None:
    """Predict-then-reveal questions on shapes and invariance; every answer comes from the page's models."""
    lesson.section("8. Concept check")
    table = model.layer_table()
    conv2 = next(r for r in table if r["layer"].startswith("conv 2"))
    lesson.concept_check(
        "draw_check_shape",
        f"The input is {table[0]['output shape']}. What shape comes out of conv 2 (before its pooling)?",
        draw_lessons.shape_options(conv2["output shape"], model.config.channels[0]),
        conv2["output shape"],
        "Padding 1 keeps the size, each 2×2 max-pool halves it, and the number of maps is the number of filters.",
    )
    _, rates = keep_rate_table({"CNN": model, "MLP": mlp})
    thing = "an O" if task == "xo" else "a digit"
    row = rates[f"{'O' if task == 'xo' else 'a digit'} moved a fifth of the width"]
    keeper = draw_lessons.better_keeper(row["CNN"], row["MLP"])
    if keeper == "cnn":
        answer, why = (
            "The CNN",
            (
                "Its kernels are shared across positions and pooling forgives small moves; the MLP has a separate "
                "weight for every pixel, so a moved stroke lands on weights that never saw it."
            ),
        )
    elif keeper == "mlp":
        answer, why = "The MLP", "Here weight sharing did not win: the CNN's last layer is dense too."
    else:
        answer, why = "Both the same", "Weight sharing helps the CNN's features, but its last layer is dense too."
    lesson.concept_check(
        "draw_check_shift",
        f"Move {thing} by a fifth of the width. Which network is more likely to keep naming it correctly?",
        ["The CNN", "The MLP", "Both the same"],
        answer,
        f"Measured on fresh drawings moved left and right: the CNN keeps {pct(row['CNN'])}, the MLP "
        f"{pct(row['MLP'])}. {why} Check with the shift curve and the table above.",
    )
    lesson.concept_check(
        "draw_check_params",
        "Doubling the canvas size (so the input grid is twice as wide) changes the number of conv 1 parameters how?",
        ["Not at all", "Doubles it", "Quadruples it"],
        "Not at all",
        "A kernel has the same weights wherever it is applied; only the dense layer after flattening would grow.",
    )


def maps_sentence(analysis: cnn.DrawingAnalysis) -> str:
    """Where conv 1 responds, measured on this drawing."""
    conv1 = dict(analysis.maps)["conv 1 + ReLU"]
    share, area = occlusion.stroke_response_share(analysis.steps.model_input, conv1)
    deeper = "deeper maps are smaller and respond to combinations of strokes."
    if share - area >= MAPS_CONCENTRATE:
        return (
            f"Conv 1's maps change along your strokes: {pct(share)} of their change from the blank background "
            f"lies on or beside the ink, which covers {pct(area)} of the grid, because a 3×3 kernel sees one pixel "
            f"around each point. Some maps light up there, others go dark; {deeper}"
        )
    side = analysis.steps.model_input.shape[0]
    return (
        f"Conv 1's maps follow your strokes, but {pct(area)} of the {side}×{side} grid is on or beside one, so "
        f"where they change says little here; {deeper}"
    )


def closing_notice(task: str, model: cnn.ImageClassifier, mlp: cnn.ImageClassifier, analysis) -> None:
    _, rates = keep_rate_table({"CNN": model, "MLP": mlp})
    points = [
        "The answer is a probability for every class; the prediction is simply the largest one.",
        maps_sentence(analysis),
        shift_sentence(task, rates) + " Invariance comes from weight sharing, pooling and the training data; "
        "a CNN whose last layer is dense gets only part of it for free.",
    ]
    if task == "xo":
        points.append(
            f'Rotation: an X turned 45° is a "+", and the CNN calls {pct(1 - rates["X turned 45°"]["CNN"])} of '
            "those something other than X; an O stays an O."
        )
    else:
        comparison = drawing_getters.get_digits_comparison({"CNN": model, "MLP": mlp}).accuracy
        points.append(
            f"The digits model knows what `load_digits` and the synthetic strokes taught it: "
            f"{pct(comparison['fresh pen strokes']['CNN'])} of fresh pen strokes, "
            f"{pct(rates['a digit turned 45°']['CNN'])} of digits turned 45°. Unusual styles fail."
        )
    lesson.what_to_notice(points)
