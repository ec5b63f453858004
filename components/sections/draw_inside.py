"""Inside the draw page's CNN: what the network sees of a drawing, its feature maps and kernels, its layers and
parameters (Practice 2), and its training, with the digits CNN against an SVC on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import drawing_getters, lesson
from models import cnn, drawing
from models.draw_lessons import SAME, pct


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
        cell = 144 // side  # the grid is drawn 144 px wide, whatever its side
        lesson.show_chart("input_grid_chart", steps.grid, cell=cell, where=cols[2], width="content")
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
