"""Draw and classify: draw an X, an O or a digit, and look inside the CNN that classifies it."""

import numpy as np
import pandas as pd
import streamlit as st

from components import canvas, charts, lesson, resources
from models import cnn

TASKS = {"X or O": "xo", "Digits 0–9": "digits"}
MY_DRAWING = "My drawing"
SHIFTS = tuple(np.round(np.linspace(-0.3, 0.3, 13), 3))  # share of the width
ANGLES = tuple(range(-90, 91, 15))  # degrees
SCALES = tuple(np.round(np.linspace(0.5, 1.5, 11), 2))  # factor
FILTER_CHOICES = (4, 8, 16)  # filters in conv 1 of a retrained CNN (conv 2 and 3 double them)
RATES = (0.001, 0.003, 0.01, 0.03)


def chart(container, builder: str, *args, **kwargs) -> None:
    """Draw ``charts.<builder>(...)`` from its cached spec, so unchanged charts cost nothing on a rerun."""
    container.vega_lite_chart(spec=resources.get_chart_spec(builder, *args, **kwargs), width="stretch")


def top_class(probs: dict[str, float]) -> str:
    return max(probs, key=probs.get)


lesson.page_intro(
    "Draw and classify",
    "Draw an **X**, an **O** or a **digit** with the mouse, and a small convolutional network answers with "
    "class probabilities. Then open it up: what it sees, its feature maps, its kernels, its training, and how "
    "it copes when your drawing is shifted, rotated or shrunk.",
    slides=[
        "Tasks in Computer Vision",
        "Learning Feature Representations",
        "Representation Learning in Deep CNNs",
        "CNNs for Classification",
        "Classify an X as an X even if it's shifted, shrunk, rotated, deformed",
        "Practice 2: CNN in PyTorch",
    ],
)

# --- 1. draw ---------------------------------------------------------------------------------------------------
lesson.section("1. Draw", "Pick a model, draw in the white square, and lift the pen: the answer updates.")
choice = st.radio("Model", list(TASKS), horizontal=True, key="draw_model")
task = TASKS[choice]
with st.container():  # a first visit's training progress lives here, so the canvas below never moves (or resets)
    model = resources.get_classifier(task)
    mlp = resources.get_classifier(task, "mlp")

pad, answer = st.columns([1, 1], gap="large")
with pad:
    stroke = st.slider("Pen width (pixels)", 4, 30, 18, key="draw_stroke")
    drawn = canvas.drawing_pad("draw_canvas", stroke_width=stroke)
    st.caption(
        "The toolbar above the canvas has **undo**, **redo** and the **bin** (clear everything). "
        "Draw big or small, anywhere: the pre-processing finds your ink."
    )
    examples = [f"Example: {name}" for name in cnn.EXAMPLES[task]]
    source = st.selectbox("…or use a ready-made drawing", [MY_DRAWING, *examples], key="draw_example")

image = drawn if source == MY_DRAWING else cnn.example_drawing(task, source.removeprefix("Example: "))
analysis = None
try:
    if image is not None:
        analysis = resources.get_drawing_analysis(task, image, model, f"{task}-default")
except ValueError as error:
    with answer:
        lesson.friendly_error(f"This drawing cannot be classified: {error}")
probs = analysis["probs"] if analysis else None

with answer:
    if probs is None:
        st.info("**Draw something** on the canvas (or pick a ready-made drawing): a blank canvas gets no answer.")
        if analysis is not None:
            st.caption("There is ink, but too little to read: a dot or a speck is not a drawing yet.")
    else:
        best = top_class(probs)
        st.metric("Prediction", best)
        st.caption(
            f"{probs[best]:.0%} sure. The softmax turns the last layer's scores into probabilities that sum to 1."
        )
        st.vega_lite_chart(charts.probability_chart(probs, title="Class probabilities"), width="stretch")

if probs is None:
    lesson.what_to_notice(
        [
            "Choose **X or O** or **Digits 0–9** above, then draw: the rest of the page opens once there is a drawing.",
            "The same kind of network serves both tasks: only the data and the number of outputs change.",
        ]
    )
    st.stop()

steps = analysis["steps"]

# --- 2. what the network sees ----------------------------------------------------------------------------------
lesson.section(
    "2. What the network sees",
    "Your drawing is not what goes in. It is turned into ink, cropped to the ink, fitted into a box and shrunk "
    "to the small grid the network was trained on.",
)
pictures = analysis["pictures"]
crop_caption = f"2. crop to the ink ({steps.crop.shape[0]}×{steps.crop.shape[1]})"
cols = st.columns(4)
cols[0].image(pictures["ink"], caption="1. ink (your drawing as numbers 0–1)")
cols[1].image(pictures["crop"], caption=crop_caption)
if task == "digits":
    cols[2].image(pictures["box"], caption="3. fit into 32×32, binarise")
    cols[3].vega_lite_chart(charts.input_grid_chart(steps.grid, annotate=True, fmt=".0f", cell=20), width="content")
    cols[3].caption("4. count ink in 4×4 blocks → 8×8 grid of 0–16, like `load_digits`")
else:
    cols[2].vega_lite_chart(charts.input_grid_chart(steps.grid, cell=6), width="content")
    cols[2].caption("3\\. fitted into 20×20 inside a 24×24 grid: the numbers the CNN reads (hover for values)")
    cols[3].markdown(
        "The position and size of your drawing are gone after the crop. What is left, the network must cope "
        "with: rotation, slant, wobble and pen width."
    )

# --- 3. feature maps -------------------------------------------------------------------------------------------
lesson.section(
    "3. Inside the CNN: feature maps",
    "Each conv layer slides its kernels over the previous layer's maps. Early maps respond to strokes and edges "
    "(low-level features); after pooling, later maps are smaller and respond to parts (mid- and high-level).",
)
for name, (c, h, w), picture in analysis["map_pictures"]:
    left, right = st.columns([1, 4])
    left.markdown(f"**{name}**  \n{c} maps of {h}×{w}")
    right.image(picture)
st.markdown("**Learned kernels of conv 1** (red: positive weights, blue: negative). Training found these by itself.")
st.image(resources.get_kernel_picture(task, model, f"{task}-default"))

# --- 4. architecture -------------------------------------------------------------------------------------------
lesson.section(
    "4. Architecture: Practice 2, a CNN in PyTorch",
    "Feature learning (conv, ReLU, pool, repeated) and then classification (flatten, linear, softmax).",
)
table = pd.DataFrame(model.layer_table())
st.dataframe(table, hide_index=True, width="stretch")
left, right = st.columns([1, 3])
left.metric("Parameters", f"{model.num_parameters:,}")
right.caption(
    "A conv layer's parameters are kernel height × width × input channels × filters, plus one bias per filter; "
    "it does not depend on the image size. A dense layer pays one weight per input."
)
lesson.show_code(cnn.ConvNet, label="Practice 2: CNN in PyTorch")
with st.expander("The fully connected network (MLP) it is compared with"):
    st.dataframe(pd.DataFrame(mlp.layer_table()), hide_index=True, width="stretch")

# --- 5. training -----------------------------------------------------------------------------------------------
lesson.section("5. Training", "Loss and accuracy per epoch on the training data and on held-out test data.")
history = model.history
left, right = st.columns(2)
chart(left, "curves_chart", {"train loss": history.loss, "test loss": history.val_loss}, y_title="loss", title="Loss")
chart(
    right,
    "curves_chart",
    {"train accuracy": history.accuracy, "test accuracy": history.val_accuracy},
    y_title="accuracy",
    title="Accuracy",
)
left, right = st.columns([1, 2])
left.metric("Test accuracy", f"{model.test_accuracy:.2%}")
if task == "digits":
    left.metric("SVC(gamma=0.001), same split", f"{resources.get_svc_baseline():.2%}")
    left.caption("Test set: the fixed 20% split (360 digits) of `load_digits`, stratified, seed 0.")
else:
    left.caption("Test set: 1,500 freshly generated X's, O's and others the network never saw.")
left.caption(f"The last epoch runs at a tenth of the learning rate. Training took {history.seconds:.1f} s.")
chart(
    right,
    "heatmap_chart",
    model.confusion,
    annotate=True,
    fmt=".0f",
    row_labels=model.labels,
    col_labels=model.labels,
    cell=34 if task == "digits" else 60,
    title="Confusion matrix (rows: true class, columns: predicted)",
)


@st.fragment
def retrain_section() -> None:
    """A student's own CNN with other settings; it lives in a per-user cache and never replaces the default."""
    with st.form("draw_retrain"):
        st.markdown("**Retrain with…** your own settings (takes a few seconds; the shared model stays as it is).")
        a, b, c = st.columns(3)
        filters = a.select_slider("Filters in conv 1 (conv 2 and 3 double them)", FILTER_CHOICES, 8, key="draw_filters")
        epochs = b.slider("Epochs", 1, 15, model.config.epochs, key="draw_epochs")
        rate = c.select_slider("Learning rate", RATES, 0.01, key="draw_rate")
        if st.form_submit_button("Retrain", icon=":material/model_training:"):
            st.session_state["draw_custom"] = (task, (filters, 2 * filters, 4 * filters), int(epochs), float(rate))
    custom = st.session_state.get("draw_custom")
    if not custom or custom[0] != task:
        return
    mine = resources.get_custom_classifier(*custom)
    a, b, c = st.columns(3)
    a.metric(
        "Your test accuracy", f"{mine.test_accuracy:.2%}", delta=f"{mine.test_accuracy - model.test_accuracy:+.2%}"
    )
    b.metric("Your parameters", f"{mine.num_parameters:,}")
    mine_probs = mine.predict_proba(image)
    c.metric("Your model's prediction", top_class(mine_probs) if mine_probs else "–")
    chart(st, "curves_chart", {"your test accuracy": mine.history.val_accuracy}, y_title="accuracy", height=160)


retrain_section()


# --- 6. invariance probe ---------------------------------------------------------------------------------------
@st.fragment
def invariance_section() -> None:
    """Shift, rotate and scale the drawing; compare the CNN with a fully connected network on the same inputs."""
    lesson.section(
        "6. Invariance probe: shifted, shrunk, rotated",
        "We want an X to stay an X when it moves, turns or shrinks. Move the sliders to transform the network's "
        "input, and compare the CNN with a fully connected network (MLP) trained on exactly the same data.",
    )
    label = top_class(probs)
    models = {"CNN": model, "MLP": mlp}
    a, b, c = st.columns(3)
    shift = a.select_slider("Shift right (share of the width)", SHIFTS, 0.0, key="draw_shift")
    angle = b.select_slider("Rotate (degrees)", ANGLES, 0, key="draw_rotate")
    scale = c.select_slider("Scale", SCALES, 1.0, key="draw_scale")
    moved = cnn.transformed_input(steps, task, shift=shift, angle=angle, scale=scale)
    left, right = st.columns([1, 3])
    picture = charts.png_bytes(1 - np.clip(moved / max(moved.max(), 1e-6), 0, 1), box=120)
    left.image(picture, caption="transformed input")
    with right:
        row = st.columns(2)
        for col, (name, m) in zip(row, models.items(), strict=True):
            p = m.predict_inputs(moved[None])[0]
            col.metric(f"{name} says", m.labels[int(p.argmax())], delta=f"P({label}) = {p[m.labels.index(label)]:.0%}")
    model_id = f"{task}-default"
    cols = st.columns(3)
    for col, kind, values, mark, title in (
        (cols[0], "shift", SHIFTS, shift, "shift (share of width)"),
        (cols[1], "rotate", ANGLES, angle, "rotation (degrees)"),
        (cols[2], "scale", SCALES, scale, "scale"),
    ):
        series = resources.get_probe(task, image, kind, values, label, models, model_id)
        col.vega_lite_chart(
            charts.transform_probe_chart(values, series, x_title=title, label=label, mark=mark), width="stretch"
        )
    st.caption(
        "Each curve moves only one thing; the sliders above combine all three. "
        "The CNN reuses the same small kernels everywhere, so a shifted stroke still finds its detector."
    )


invariance_section()

# --- 7. why this answer ----------------------------------------------------------------------------------------
lesson.section(
    "7. Why this answer? An occlusion map",
    "Hide one small patch of the input at a time and record how much the top class's (log-)probability drops. "
    "Red patches held the evidence; blue ones argued against it.",
)
left, right = st.columns([1, 1])
occlusion = charts.occlusion_chart(
    steps.model_input, analysis["occlusion"], label=analysis["occlusion_label"], cell=12 if task == "xo" else 30
)
left.vega_lite_chart(occlusion, width="content")
right.markdown(
    f"The network says **{analysis['occlusion_label']}**. If the red area sits on the strokes that make it "
    "that class (the crossing of an X, the closed loop of an O, the bar of a 7), it is looking at the right thing."
)


# --- 8. concept check ------------------------------------------------------------------------------------------
@st.fragment
def concept_checks() -> None:
    """Predict-then-reveal questions on shapes and invariance."""
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
    lesson.concept_check(
        "draw_check_shift",
        "Shift an X by a fifth of the width. Which network is more likely to keep saying X?",
        ["The CNN", "The MLP", "Both the same"],
        "The CNN",
        "Its kernels are shared across positions and pooling forgives small moves; the MLP has a separate weight "
        "for every pixel, so a moved stroke lands on weights that never saw it. Check with the shift curve above.",
    )
    lesson.concept_check(
        "draw_check_params",
        "Doubling the canvas size (so the input grid is twice as wide) changes the number of conv 1 parameters how?",
        ["Not at all", "Doubles it", "Quadruples it"],
        "Not at all",
        "A kernel has the same weights wherever it is applied; only the dense layer after flattening would grow.",
    )


concept_checks()

lesson.what_to_notice(
    [
        "The answer is a probability for every class; the prediction is simply the largest one.",
        "Conv 1's maps light up along strokes; deeper maps are smaller and respond to combinations of strokes.",
        "The CNN shrugs off small shifts that confuse the MLP, but large rotations fool both: invariance comes "
        "from weight sharing, pooling and the training data, not for free.",
        "The digits model only knows what `load_digits` and the synthetic strokes taught it: unusual styles fail.",
    ]
)
