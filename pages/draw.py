"""Draw and classify: draw an X, an O or a digit, and look inside the CNN that classifies it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import canvas, charts, drawing_getters, images, lesson, resources
from models import cnn, drawing, invariance, occlusion

TASKS = {"X or O": "xo", "Digits 0–9": "digits"}
MY_DRAWING = "My drawing"
SHIFTS = tuple(np.round(np.linspace(-0.3, 0.3, 13), 3))  # share of the width
ANGLES = tuple(range(-90, 91, 15))  # degrees
SCALES = tuple(np.round(np.linspace(0.5, 1.5, 11), 2))  # factor
FILTER_CHOICES = (4, 8, 12, 16)  # filters in conv 1 of a retrained CNN (conv 2 and 3 double them)
RATES = (0.001, 0.003, 0.01, 0.03)
SAME = 0.05  # keep rates closer than this count as "the same"


def top_class(probs: dict[str, float]) -> str:
    return max(probs, key=probs.get)


def pct(x: float) -> str:
    return f"{x:.0%}"


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


def draw_section():
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
    if xo.pools != dg.pools:
        skipped = [str(i + 1) for i, (a, b) in enumerate(zip(xo.pools, dg.pools, strict=True)) if a and not b]
        if skipped:
            differences.append(f"no pooling after conv {', '.join(skipped)} (its input is only 8×8)")
    if xo.dropout != dg.dropout:
        differences.append(f"dropout {dg.dropout:g}")
    return (
        f"The same kind of network ({len(xo.channels)} conv layers, each with ReLU and batch norm, then one linear "
        f"layer) serves both tasks; the digits one has {', '.join(differences)}."
    )


def what_the_network_sees(task: str, image: np.ndarray, model: cnn.ImageClassifier, steps) -> dict:
    lesson.section(
        "2. What the network sees",
        "Your drawing is not what goes in. It is turned into ink, cropped to the ink, fitted into a box and shrunk "
        "to the small grid the network was trained on.",
    )
    pictures = drawing_getters.get_drawing_pictures(image, model)
    cols = st.columns(4)
    cols[0].image(pictures["ink"], caption="1. ink (your drawing as numbers 0–1)", output_format="PNG")
    cols[1].image(
        pictures["crop"],
        caption=f"2. crop to the ink ({steps.crop.shape[0]}×{steps.crop.shape[1]})",
        output_format="PNG",
    )
    if task == "digits":
        cols[2].image(
            pictures["box"],
            caption=f"3. fit into {steps.box.shape[0]}×{steps.box.shape[1]}, binarise",
            output_format="PNG",
        )
        lesson.show_chart(
            "input_grid_chart", steps.grid, annotate=True, fmt=".0f", cell=20, where=cols[3], width="content"
        )
        cols[3].caption("4. count ink in 4×4 blocks → 8×8 grid of 0–16, like `load_digits`")
    else:
        side, inner = drawing.XO_INPUT, drawing.XO_INPUT - 2 * drawing.XO_MARGIN
        lesson.show_chart("input_grid_chart", steps.grid, cell=6, where=cols[2], width="content")
        cols[2].caption(f"3\\. fitted into {inner}×{inner} inside a {side}×{side} grid: the numbers the CNN reads")
        cols[3].markdown(
            "The position and size of your drawing are gone after the crop. What is left, the network must cope "
            "with: rotation, slant, wobble and pen width."
        )
    return pictures


def feature_maps_section(model: cnn.ImageClassifier, pictures: dict) -> None:
    lesson.section(
        "3. Inside the CNN: feature maps",
        "Each conv layer slides its kernels over the previous layer's maps. Early maps respond to strokes and edges "
        "(low-level features); after pooling, later maps are smaller and respond to parts (mid- and high-level).",
    )
    for name, (c, h, w), picture in pictures["maps"]:
        left, right = st.columns([1, 4])
        left.markdown(f"**{name}**  \n{c} maps of {h}×{w}")
        right.image(picture, output_format="PNG")  # as encoded: "auto" would re-encode it as a JPEG
    st.markdown(
        "**Learned kernels of conv 1** (red: positive weights, blue: negative). Training found these by itself."
    )
    st.image(drawing_getters.get_kernel_picture(model), output_format="PNG")


def parameter_sentence(model: cnn.ImageClassifier) -> str:
    """The parameter arithmetic of conv 1 and of the output layer, from the tensors' sizes."""
    counts = model.parameter_counts()
    c, o = counts["conv 1"], counts["output"]
    conv_total = c["weights"] + c["biases"] + c["batch norm"]
    norm = f" and {c['batch norm']} for batch norm (a scale and a shift per channel)" if c["batch norm"] else ""
    return (
        f"Conv 1: {c['kernel']}×{c['kernel']}×{c['in']} weights per filter × {c['filters']} filters = "
        f"{c['weights']}, plus {c['biases']} biases (one per filter){norm}: {conv_total}, as in the table. "
        "None of this depends on the image size. The output layer joins each of its "
        f"{o['in']:,} inputs to each of its {o['out']} outputs: {o['in']:,} × {o['out']} = {o['weights']:,} "
        f"weights plus {o['biases']} biases = {o['weights'] + o['biases']:,}."
    )


def architecture_section(model: cnn.ImageClassifier, mlp: cnn.ImageClassifier) -> None:
    lesson.section(
        "4. Architecture: Practice 2, a CNN in PyTorch",
        "Feature learning (conv, ReLU, pool, repeated) and then classification (flatten, linear, softmax).",
    )
    st.dataframe(pd.DataFrame(model.layer_table()), hide_index=True, width="stretch")
    left, right = st.columns([1, 3])
    left.metric("Parameters", f"{model.num_parameters:,}")
    right.caption(parameter_sentence(model))
    lesson.show_code(cnn.ConvNet, label="Practice 2: CNN in PyTorch")
    with st.expander("The fully connected network (MLP) it is compared with"):
        st.dataframe(pd.DataFrame(mlp.layer_table()), hide_index=True, width="stretch")


def digits_comparison(model: cnn.ImageClassifier, mlp: cnn.ImageClassifier) -> None:
    """The digits CNN against SVC on the same rows, where they tie and where they do not."""
    result = drawing_getters.get_digits_comparison({"CNN": model, "MLP": mlp})
    table = pd.DataFrame(result.accuracy).T
    st.dataframe(table.map(lambda v: f"{v:.2%}"), width="stretch")
    acc, rows = result.accuracy, result.train_rows
    test, moved, pen = acc["test digits"], acc["test digits moved 1 px"], acc["fresh pen strokes"]
    gap = 100 * (test["CNN"] - test["SVC, same rows"])
    tie = "the same" if abs(gap) < 0.1 else (f"{gap:+.2f} points for the CNN")
    words = [
        f"On the {result.test_sets['test digits']} test digits the CNN scores {test['CNN']:.2%} and an "
        f"`SVC(gamma=0.001)` trained on the same {rows['CNN']:,} rows {test['SVC, same rows']:.2%}: {tie}.",
        f"The synthetic strokes in those rows are what teach pen strokes: trained on the "
        f"{rows['SVC, real digits only']:,} real digits only, the SVC reads {pct(pen['SVC, real digits only'])} of "
        f"fresh pen strokes and {test['SVC, real digits only']:.2%} of the test digits; with them, "
        f"{pct(pen['SVC, same rows'])} and {test['SVC, same rows']:.2%}.",
    ]
    lead = moved["CNN"] - moved["SVC, same rows"]
    if lead > SAME:
        words.append(
            f"Where the CNN pulls ahead is a move of one pixel: {pct(moved['CNN'])} against the SVC's "
            f"{pct(moved['SVC, same rows'])} (and the MLP's {pct(moved['MLP'])})."
        )
    else:
        words.append(f"Moved one pixel, the CNN reads {pct(moved['CNN'])}, the SVC {pct(moved['SVC, same rows'])}.")
    st.caption(" ".join(words))


def training_section(task: str, model: cnn.ImageClassifier, mlp: cnn.ImageClassifier) -> None:
    lesson.section("5. Training", "Loss and accuracy per epoch on the training data and on held-out test data.")
    history = model.history
    left, right = st.columns(2)
    curves = {"train loss": history.loss, "test loss": history.val_loss}
    lesson.show_chart("curves_chart", curves, y_title="loss", title="Loss", where=left)
    curves = {"train accuracy": history.accuracy, "test accuracy": history.val_accuracy}
    lesson.show_chart("curves_chart", curves, y_title="accuracy", title="Accuracy", where=right)
    left, right = st.columns([1, 2])
    left.metric("Test accuracy", f"{model.test_accuracy:.2%}")
    n_test = int(model.confusion.sum())
    if task == "digits":
        left.caption(f"Test set: the fixed 20% split ({n_test} digits) of `load_digits`, stratified, seed 0.")
    else:
        left.caption(f"Test set: {n_test:,} freshly generated X's, O's and others the network never saw.")
    cool = model.config.cooldown_epochs
    if cool:
        left.caption(
            f"The last {'epoch runs' if cool == 1 else f'{cool} epochs run'} at a tenth of the learning rate. "
            f"Training took {history.seconds:.1f} s."
        )
    lesson.show_chart(
        "heatmap_chart",
        model.confusion,
        annotate=True,
        fmt=".0f",
        row_labels=model.labels,
        col_labels=model.labels,
        cell=34 if task == "digits" else 60,
        title="Confusion matrix (rows: true class, columns: predicted)",
        where=right,
    )
    if task == "digits":
        st.markdown("**Against the classic baseline, on the same training rows**")
        digits_comparison(model, mlp)


@st.fragment
def retrain_section(task: str, model: cnn.ImageClassifier, image: np.ndarray) -> None:
    """A student's own CNN with other settings, watched as it learns; it lives in a per-user cache and never
    replaces the default."""
    runs = model.config.epochs + model.config.cooldown_epochs
    per_epoch = model.history.seconds / max(runs, 1)
    with st.form(f"draw_retrain_{task}"):
        st.markdown(
            f"**Retrain with…** your own settings. The default took {model.history.seconds:.0f} s to train "
            f"({per_epoch:.1f} s per epoch with {model.config.channels[0]} filters; more filters cost more); the "
            "shared model stays as it is. Yours trains in the background: watch its test accuracy, its kernels and "
            "its answer for your drawing after every epoch, and stop it whenever you like."
        )
        a, b, c = st.columns(3)
        filters = a.select_slider(
            "Filters in conv 1 (conv 2 and 3 double them)",
            FILTER_CHOICES,
            model.config.channels[0],
            key=f"draw_{task}_filters",
            persist_state="session",
            bind="query-params",
        )
        epochs = b.slider(
            "Epochs",
            1,
            15,
            model.config.epochs,
            key=f"draw_{task}_epochs",
            persist_state="session",
            bind="query-params",
        )
        rate = c.select_slider(
            "Learning rate",
            RATES,
            model.config.learning_rate,
            key=f"draw_{task}_rate",
            persist_state="session",
            bind="query-params",
        )
        submitted = st.form_submit_button("Retrain", icon=":material/model_training:")
    if submitted:
        wanted = ((filters, 2 * filters, 4 * filters), int(epochs), float(rate))
        try:
            drawing_getters.get_custom_classifier(task, *wanted, submitted=True)
        except resources.CustomBusy as busy:
            lesson.friendly_error(str(busy))
        else:
            st.session_state[f"draw_custom_{task}"] = wanted
    custom = st.session_state.get(f"draw_custom_{task}")
    if not custom:
        return
    channels, n_epochs, learning_rate = custom
    try:
        job = drawing_getters.get_custom_classifier(task, channels, n_epochs, learning_rate)
    except resources.CustomBusy as busy:
        lesson.friendly_error(str(busy))
        return
    if job.running:
        resources.watch_panel(job, lambda view: watching_view(view, model, image))
        return
    if job.state == "failed":
        lesson.friendly_error(f"Your model could not be trained ({job.error}). Change a setting and retrain.")
        return
    if not job.done:
        st.info("You stopped your model before its first step, so there is nothing to show. Press **Retrain**.")
        return
    mine = job.value["cnn"]
    a, b, c = st.columns(3)
    a.metric("Your test accuracy", f"{mine.test_accuracy:.2%}")
    gap = 100 * (mine.test_accuracy - model.test_accuracy)
    a.caption("the same as the default" if abs(gap) < 0.005 else f"{gap:+.2f} points against the default")
    b.metric("Your parameters", f"{mine.num_parameters:,}")
    mine_probs = mine.predict_proba(image)
    c.metric("Your model's prediction", top_class(mine_probs) if mine_probs else "–")
    planned = n_epochs + mine.config.cooldown_epochs
    done = len(mine.history.loss)
    stopped = ""
    if job.state == "stopped":
        why = "at the time limit" if job.reason == "time" else "when you pressed Stop"
        stopped = f" It was stopped {why}, after {done} of its {planned} epochs, and kept as it was then."
    st.caption(
        f"Your model: {channels[0]} filters in conv 1, {n_epochs} epochs (+{mine.config.cooldown_epochs} at a "
        f"tenth of the rate), learning rate {learning_rate:g}; it trained for {mine.history.seconds:.1f} s.{stopped}"
    )
    left, right = st.columns([2, 1])
    if mine.history.val_accuracy:
        lesson.show_chart(
            "curves_chart", {"your test accuracy": mine.history.val_accuracy}, y_title="accuracy", height=160,
            where=left,
        )  # fmt: skip
    right.image(
        drawing_getters.get_kernel_picture(mine),
        caption=f"Your {channels[0]} conv 1 kernels (red +, blue −); compare the default's above",
        output_format="PNG",
    )


def watching_view(view, default: cnn.ImageClassifier, image: np.ndarray) -> None:
    """Your CNN as it is after its latest epoch: test accuracy so far, its answer for the drawing, its kernels."""
    mine = view.models.get("cnn")
    if mine is None or not view.epochs:
        st.caption("Its first epoch is on the way: the test accuracy, kernels and prediction appear after it.")
        return
    latest = view.epochs[-1]
    planned = mine.config.epochs + mine.config.cooldown_epochs
    a, b, c = st.columns(3)
    a.metric(f"Test accuracy after epoch {latest.epoch}", f"{latest.metrics['test accuracy']:.2%}")
    a.caption(f"epoch {latest.epoch} of {planned}; the default's: {default.test_accuracy:.2%}")
    probs = mine.predict_proba(image)
    b.metric("Its prediction for your drawing", top_class(probs) if probs else "–")
    if probs:
        b.caption(f"{probs[top_class(probs)]:.0%} sure, after epoch {latest.epoch}")
    accuracy = [p.metrics["test accuracy"] for p in view.epochs]
    lesson.show_chart("curves_chart", {"test accuracy": accuracy}, y_title="accuracy", height=140, where=c)
    st.image(
        drawing_getters.get_kernel_picture(mine),
        caption=f"Its {mine.config.channels[0]} conv 1 kernels after epoch {latest.epoch} (red +, blue −)",
        output_format="PNG",
    )


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
        if cnn_rate - mlp_rate > SAME:
            verdict = "the CNN keeps it more often"
        elif mlp_rate - cnn_rate > SAME:
            verdict = "the MLP keeps it more often"
        else:
            verdict = "the two are about the same"
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
        images.png_bytes(1 - np.clip(moved / max(moved.max(), 1e-6), 0, 1), box=120),
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
    third = lambda i: ("top", "middle", "bottom")[min(3 * i // side, 2)]  # noqa: E731
    across = ("left", "centre", "right")[min(3 * col // side, 2)]
    vertical = third(row)
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
        sorted({conv2["output shape"], "16 × 24 × 24", "16 × 6 × 6", "8 × 12 × 12", "16 × 4 × 4"}),
        conv2["output shape"],
        "Padding 1 keeps the size, each 2×2 max-pool halves it, and the number of maps is the number of filters.",
    )
    _, rates = keep_rate_table({"CNN": model, "MLP": mlp})
    thing = "an O" if task == "xo" else "a digit"
    row = rates[f"{'O' if task == 'xo' else 'a digit'} moved a fifth of the width"]
    if row["CNN"] - row["MLP"] > SAME:
        answer, why = (
            "The CNN",
            (
                "Its kernels are shared across positions and pooling forgives small moves; the MLP has a separate "
                "weight for every pixel, so a moved stroke lands on weights that never saw it."
            ),
        )
    elif row["MLP"] - row["CNN"] > SAME:
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
    if area < 0.6:
        return (
            f"Conv 1's maps change only along your strokes: {pct(share)} of their change from the blank background "
            f"lies on or beside the ink ({pct(area)} of the grid), because a 3×3 kernel sees one pixel around each "
            f"point. Some maps light up there, others go dark; {deeper}"
        )
    return f"Conv 1's maps follow your strokes (on an 8×8 grid nearly every pixel is beside one); {deeper}"


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


def mlp_of(task: str) -> cnn.ImageClassifier:
    """The fully connected twin (raises ModelNotReady while it trains, and its section waits)."""
    return drawing_getters.get_classifier(task, "mlp")


intro()
task, image, model, analysis = draw_section()
if analysis is None or analysis.probs is None:
    blank_notice()
    st.stop()
pictures = what_the_network_sees(task, image, model, analysis.steps)
lesson.sections(
    lambda: feature_maps_section(model, pictures),
    lambda: architecture_section(model, mlp_of(task)),
    lambda: training_section(task, model, mlp_of(task)),
    lambda: retrain_section(task, model, image),
    lambda: invariance_section(task, image, model, mlp_of(task), analysis),
    lambda: occlusion_section(task, analysis),
    lambda: concept_checks(task, model, mlp_of(task)),
    lambda: closing_notice(task, model, mlp_of(task), analysis),
)
