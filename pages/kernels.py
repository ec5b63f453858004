"""Kernel playground: pixels as numbers, Rohrer's X/O filters, sliding windows, kernels, stride, padding and pooling."""

import numpy as np
import pandas as pd
import streamlit as st

from components import charts, lesson, resources
from models import applications
from models import convolution as conv

PIXEL_CSS = (  # selected cells of the X/O grid are ink: dark, like the +1 pixels on the slide
    '[class*="st-key-kernels_row_"] button[aria-pressed="true"] '
    "{background: #1d2b36 !important; border-color: #1d2b36 !important;}"
)
SOURCES = ["China (photo)", "Flower (photo)", "A digit (8×8)", "Upload your own"]
PHOTOS = {"China (photo)": "china.jpg", "Flower (photo)": "flower.jpg"}
SLIDE_CASES = {"stride 1": (5, 3, 1, 1), "stride 2": (5, 3, 1, 2)}  # (n, k, p, s) from Practice 1
SHOW, MEDIUM, SMALL = 300, 220, 160  # pixels: how wide images are shown
WINDOW_SIDE = 12  # the chosen image is shrunk to this for the sliding-window demo


def chart(builder: str, *args, **kwargs) -> None:
    """Draw a chart from ``components.charts``: Vega-Lite dicts directly, Altair charts through the spec cache."""
    if builder in ("heatmap_grid_chart", "coverage_chart", "parameter_count_chart"):  # plain dicts: cheap to build
        st.vega_lite_chart(getattr(charts, builder)(*args, **kwargs), width="content")
    else:
        st.vega_lite_chart(resources.get_chart_spec(builder, *args, **kwargs), width="content")


def choose_image() -> tuple[tuple, np.ndarray]:
    """The image picker: a bundled photo, a digit or an upload (bad uploads fall back to a photo, with a message).

    Returns a small key naming the image (the cache key for everything computed from it) and the pixels.
    """
    left, right = st.columns([3, 2])
    source = left.radio("Image", SOURCES, horizontal=True, key="kernels_source")
    if source == "A digit (8×8)":
        digit = right.slider("Digit", 0, 9, 3, key="kernels_digit")
        return ("digit", digit), resources.get_digit_image(digit)
    side = right.select_slider("Longer side (pixels)", [32, 64, 128, 256, 512], 128, key="kernels_side")
    if source == "Upload your own":
        upload = st.file_uploader(
            f"An image (at most {conv.MAX_UPLOAD_BYTES // 2**20} MB; it is made grayscale)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
            key="kernels_upload",
        )
        if upload is not None:
            try:
                loaded = resources.get_uploaded_image(upload.file_id, upload.getvalue(), side)
            except ValueError as exc:
                lesson.friendly_error(f"{exc} Showing the China photo instead.")
            else:
                if loaded.note:
                    st.info(loaded.note, icon=":material/info:")
                return ("upload", upload.file_id, side), loaded.pixels
        else:
            st.caption("Until you upload a file, the China photo stands in.")
    photo = PHOTOS.get(source, "china.jpg")
    return ("photo", photo, side), resources.get_sample_photo(photo, side)


def as_tuple(kernel: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """A kernel as nested tuples: a plain, hashable cache key."""
    return tuple(map(tuple, np.asarray(kernel, dtype=float).tolist()))


def show(where, key: tuple, pixels: np.ndarray, *, width: int = SHOW, caption: str | None = None) -> None:
    """Show an array as a grayscale picture (stretched to black…white), encoded once per key."""
    where.image(resources.get_display_png(key, pixels, width), width=width, caption=caption, output_format="PNG")


def reset_grid() -> None:
    """Load the chosen Rohrer image into the nine row widgets."""
    start = conv.ROHRER_IMAGES[st.session_state.get("kernels_xo_start", "X")]
    for r, line in enumerate(start):
        st.session_state[f"kernels_row_{r}"] = [c for c, v in enumerate(line) if v > 0]


def pixel_grid() -> np.ndarray:
    """A 9×9 grid: each row is a multi-select segmented control; a selected (dark) cell is +1 ink, others −1."""
    if "kernels_row_0" not in st.session_state:
        reset_grid()
    st.html(f"<style>{PIXEL_CSS}</style>")
    image = -np.ones((9, 9))
    for r in range(9):
        ink = st.segmented_control(
            f"row {r}",
            range(9),
            selection_mode="multi",
            format_func=lambda c: "\u00a0" + "\u200b" * c,  # blank but distinct labels: the colour is the pixel
            key=f"kernels_row_{r}",
            label_visibility="collapsed",
        )
        image[r, list(ink)] = 1.0
    return image


def panel(values: np.ndarray, title: str, **options) -> dict:
    """One small annotated heatmap for ``heatmap_grid_chart`` (signed red/blue colours unless told otherwise)."""
    return {
        "values": values,
        "title": title,
        "annotate": True,
        "scheme": "redblue",
        "cell": 30,
        "legend": False,
    } | options


def clamp_state(key: str, top: int) -> None:
    """Keep a slider's remembered value inside a range that just shrank (another image, another kernel)."""
    if st.session_state.get(key, 0) > top:
        st.session_state[key] = top


def shape_working(n_h: int, n_w: int, k: int, s: int, p: int, d: int = 1) -> str:
    """The slide's formula, filled in for height and width."""
    span = "k" if d == 1 else "(d(k − 1) + 1)"
    lines = []
    for name, n in (("height", n_h), ("width", n_w)):
        reach = k if d == 1 else d * (k - 1) + 1
        lines.append(
            f"- {name}: ⌊({n} + 2·{p} − {reach}) / {s}⌋ + 1 = **{conv.output_size(n, k, s, p, d)}**"
            if reach <= n + 2 * p
            else f"- {name}: the kernel reaches {reach} pixels but the padded input has only {n + 2 * p}"
        )
    return f"⌊(n + 2p − {span}) / s⌋ + 1\n\n" + "\n".join(lines)


lesson.page_intro(
    "Kernel playground",
    "A computer sees an image as a grid of numbers, and a convolution slides a small grid of weights (a kernel) "
    "over it: multiply element-wise, add up, move on. Take the operation apart below, from Rohrer's X and O "
    "to real photos, then work out feature-map shapes yourself.",
    slides=[
        "What computers “see”",
        "Fully connected / locally connected / convolutional layer",
        "The convolution operation",
        "Feature extraction with convolution: a case study",
        "Producing feature maps",
        "Spatial arrangement of output volume",
        "Pooling layer",
        "Practice 1: feature map shape",
    ],
)

# 1 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "1. Pixels are numbers",
    "A grayscale image is a matrix: 0 is black, 255 is white. Pick an image; the grid shows it shrunk "
    "so that every number fits.",
)
image_key, image = choose_image()
small = conv.resize(image, 16)
col_img, col_grid = st.columns([1, 2])
show(col_img, image_key, image, caption=f"{image.shape[0]}×{image.shape[1]} pixels")
with col_grid:
    chart("heatmap_chart", np.round(small * 255), annotate=True, fmt=".0f", gray=True, domain=(0, 255), cell=30)
    st.caption(f"The same image as a {small.shape[0]}×{small.shape[1]} matrix of pixel values (0 to 255).")

# 2 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "2. The X/O case study",
    "Rohrer's images are 9×9 with +1 for ink and −1 for background. Each 3×3 filter looks for one piece "
    "of an X; element-wise multiply and add gives 9 when the piece is there exactly, so dividing by 9 "
    "makes 1.00 a perfect match. Click pixels to draw your own X or O.",
)
col_grid, col_vote = st.columns([3, 2])
with col_grid:
    st.radio("Start from", list(conv.ROHRER_IMAGES), horizontal=True, key="kernels_xo_start", on_change=reset_grid)
    xo = pixel_grid()
    st.button("Reset the grid", key="kernels_xo_reset", on_click=reset_grid, icon=":material/restart_alt:")
maps = conv.match_maps(xo)
pooled = conv.pooled_features(xo)
vote = conv.vote_x_or_o(xo)
with col_vote:
    st.markdown(f"#### The vote: this looks like an **{vote.label}**")
    a, b = st.columns(2)
    a.metric("Similarity to an X", f"{vote.x_score:.2f}")
    b.metric("Similarity to an O", f"{vote.o_score:.2f}")
    st.caption(
        "The vote compares the three pooled maps below with those of the reference X and O "
        "(cosine similarity, 1.00 = the same pattern); a trained network learns this last step instead."
    )
rows = [
    [
        panel(f, "filter", fmt=".0f", domain=(-1, 1), cell=24),
        panel(maps[name], f"{name}: match ÷ 9", domain=(-1, 1)),
        panel(conv.relu(maps[name]), "ReLU", domain=(0, 1), scheme="viridis"),
        panel(pooled[name], "2×2 max pool", domain=(0, 1), scheme="viridis"),
    ]
    for name, f in conv.ROHRER_FILTERS.items()
]
chart("heatmap_grid_chart", rows)

# 3 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "3. Slide the window",
    "A convolution visits every position of the window in turn. Move it and watch one output cell being filled.",
)
c1, c2 = st.columns(2)
targets = ["the X/O grid above", "the chosen image (shrunk)"]
target = c1.radio("Slide over", targets, horizontal=True, key="kernels_window_target")
kernels = {**{f"filter {k}": v for k, v in conv.ROHRER_FILTERS.items()}, **conv.KERNEL_PRESETS}
kernel_name = c2.selectbox("Kernel", list(kernels), key="kernels_window_kernel")
grid = xo if target.startswith("the X") else conv.resize(image, WINDOW_SIDE)
kernel = kernels[kernel_name]
if min(grid.shape) < kernel.shape[0]:
    lesson.friendly_error(f"The image ({grid.shape[0]}×{grid.shape[1]}) is smaller than the kernel; using the X.")
    grid, target = xo, targets[0]
out_h, out_w = conv.output_shape(grid.shape, kernel.shape)
clamp_state("kernels_position", out_h * out_w - 1)
position = st.slider("Window position (row by row)", 0, out_h * out_w - 1, 0, key="kernels_position")
row, col = divmod(position, out_w)
patch = conv.window(grid, row, col, kernel.shape)
feature = conv.convolve2d(grid, kernel)
so_far = np.where(np.arange(feature.size).reshape(feature.shape) <= position, feature, np.nan)
signed = (-1, 1) if grid.min() < 0 else (0, 1)
digits = ".0f" if target == targets[0] else ".1f"  # ±1 pixels need no decimals
span = (float(feature.min()), float(feature.max()))
window_panels = [
    panel(grid, "input", fmt=digits, domain=signed, highlight=conv.receptive_cells(row, col, 3), cell=24),
    panel(patch, "patch", fmt=digits, domain=signed),
    panel(kernel, "kernel", fmt=".3~g"),
    panel(patch * kernel, "patch × kernel", fmt=".3~g"),
    panel(so_far, "feature map so far", fmt=".1f", scheme="viridis", domain=span, highlight=[(row, col)], cell=24),
]
chart("heatmap_grid_chart", [window_panels])
st.markdown(
    f"Output cell ({row}, {col}): add up the {patch.size} products → **{feature[row, col]:.3g}**"
    + (f", and ÷ 9 = **{feature[row, col] / 9:.2f}**" if target.startswith("the X") and "filter" in kernel_name else "")
)
lesson.show_code(conv.convolve2d, label="Show the code: convolve2d, a sliding window in two loops")

# 4 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "4. Kernels",
    "The same operation with different weights finds different things. These are the slide's feature maps "
    "of the chosen image:",
)
gallery = st.columns(4)
for col_, name in zip(gallery, ["identity", "sharpen", "edge detect", "strong edge detect"], strict=True):
    filtered_key = (*image_key, as_tuple(conv.KERNEL_PRESETS[name]), 1, 1)
    out = resources.get_filtered(image_key, image, filtered_key[-3], 1, 1)
    show(col_, filtered_key, out, width=SMALL, caption="original" if name == "identity" else name)
st.markdown("Now pick a preset and edit its weights (click a cell to type; zero padding keeps the size).")
c1, c2 = st.columns([3, 1])
preset = c1.selectbox("Preset", list(conv.KERNEL_PRESETS), index=1, key="kernels_preset")
size = c2.radio("Size", [3, 5], format_func=lambda k: f"{k}×{k}", horizontal=True, key="kernels_kernel_size")
col_edit, col_orig, col_out = st.columns([2, 2, 2])
with col_edit:
    table = pd.DataFrame(conv.kernel_preset(preset, size), columns=[str(j) for j in range(size)])
    edited = st.data_editor(
        table,
        key=f"kernels_editor_{preset}_{size}",  # a new preset starts a fresh editor
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(c, format="%.3g", width="small") for c in table.columns},
    )
    st.caption(f"Sum of weights: {np.nansum(edited.to_numpy(dtype=float)):.3g} (1 keeps the brightness).")
try:
    kernel = conv.check_kernel(edited.to_numpy(dtype=float))
    result_key = (*image_key, as_tuple(kernel), 1, size // 2)
    result = resources.get_filtered(image_key, image, as_tuple(kernel), 1, size // 2)
except ValueError as exc:
    lesson.friendly_error(f"{exc} Fix the cell to see the result.")
else:
    show(col_orig, image_key, image, width=MEDIUM, caption="original")
    show(col_out, result_key, result, width=MEDIUM, caption=f"{preset} (edited)")
    col_out.caption(
        f"Raw values run from **{result.min():.3g}** to **{result.max():.3g}**; they are stretched to black…white "
        "for display."
    )

# 5 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "5. Stride, padding, pooling",
    "The output's size depends on the kernel size k, the stride s and the zero padding p (and dilation d, "
    "which spreads the kernel out). Here a k×k averaging kernel runs over the chosen image.",
)
c1, c2, c3, c4 = st.columns(4)
k = c1.slider("Kernel size k", 1, 7, 3, key="kernels_k")
s = c2.slider("Stride s", 1, 4, 1, key="kernels_stride")
p = c3.slider("Zero padding p", 0, 3, 0, key="kernels_padding")
d = c4.slider("Dilation d", 1, 3, 1, key="kernels_dilation")
col_formula, col_result = st.columns([3, 2])
try:
    strided_key = (*image_key, "box", k, s, p, d)
    strided = resources.get_filtered(image_key, image, as_tuple(conv.box_kernel(k)), s, p, d)
except ValueError as exc:
    strided = None
    lesson.friendly_error(f"{exc} Make the kernel smaller, the padding larger, or pick a bigger image.")
with col_formula:
    st.markdown(
        f"Input **{image.shape[0]} × {image.shape[1]}**. The formula " + shape_working(*image.shape, k, s, p, d)
    )
    if strided is not None:
        st.success(f"The real output is **{strided.shape[0]} × {strided.shape[1]}**: the formula agrees.")
if strided is not None:
    show(col_result, strided_key, strided, width=MEDIUM, caption=f"output {strided.shape}")

st.subheader("Pooling")
st.markdown("Pooling summarises each window of the output above by its maximum or its average, shrinking it again.")
c1, c2, c3 = st.columns(3)
mode = c1.radio("Pooling", ["max", "avg"], horizontal=True, key="kernels_pool_mode")
pool_size = c2.slider("Pool size", 2, 4, 2, key="kernels_pool_size")
pool_stride = c3.slider("Pool stride", 1, 4, 2, key="kernels_pool_stride")
if strided is not None:
    try:
        pooled_key = (*strided_key, mode, pool_size, pool_stride)
        pooled_image = resources.get_pooled(strided_key, strided, pool_size, pool_stride, mode)
    except ValueError as exc:
        lesson.friendly_error(str(exc))
    else:
        (h, w), (ph, pw) = strided.shape, pooled_image.shape
        c1.markdown(f"**{mode} pool {pool_size}×{pool_size}, stride {pool_stride}**: {h}×{w} → **{ph}×{pw}**")
        show(c2, pooled_key, pooled_image, width=SMALL)

st.subheader("Which input cells does each output cell read?")
c1, c2 = st.columns([1, 3])
n_small = c1.slider("Input size n (diagram)", 3, 9, 5, key="kernels_diagram_n")
try:
    counts = conv.coverage(n_small, k, s, p, d)
except ValueError as exc:
    lesson.friendly_error(f"{exc} Try a smaller k or d, or more padding.")
else:
    m = conv.output_size(n_small, k, s, p, d)
    clamp_state("kernels_output_cell", m * m - 1)
    cell_index = c1.slider("Output cell (row by row)", 0, m * m - 1, 0, key="kernels_output_cell") if m > 1 else 0
    orow, ocol = divmod(cell_index, m)
    with c2:
        title = f"{n_small}×{n_small} input, padding {p} (grey): output cell ({orow}, {ocol}) of {m}×{m}"
        chart("coverage_chart", counts, p, conv.receptive_cells(orow, ocol, k, s, d), title=title)
        st.caption("Numbers: how many output cells read that input cell. Outlined: what the chosen output cell reads.")

# 6 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "6. Layer types",
    "A fully connected layer links every input value to every output unit. A locally connected layer gives "
    "each output unit only a k×k patch, but its own weights. A convolutional layer shares one kernel across "
    "all positions, so its size does not depend on the image at all.",
)
c1, c2, c3, c4 = st.columns(4)
n_layer = c1.number_input("Input size n (n×n)", 4, 1024, 32, key="kernels_layer_n")
c_in = c2.number_input("Input channels", 1, 512, 3, key="kernels_layer_cin")
c_out = c3.number_input("Output channels (filters)", 1, 512, 16, key="kernels_layer_cout")
k_layer = c4.number_input("Kernel size k", 1, 11, 3, key="kernels_layer_k")
try:
    layers = conv.layer_counts(int(n_layer), int(c_in), int(c_out), int(k_layer))
except ValueError as exc:
    lesson.friendly_error(str(exc))
else:
    o = layers.output_height
    col_table, col_chart = st.columns([3, 2])
    col_table.markdown(
        f"Output: {o}×{o}×{c_out} (stride 1, no padding).\n\n"
        "| layer | weights + biases | parameters |\n|---|---|---:|\n"
        f"| fully connected | ({n_layer}·{n_layer}·{c_in}) × ({o}·{o}·{c_out}) + {o}·{o}·{c_out} | "
        f"{layers.fully_connected:,} |\n"
        f"| locally connected | {o}·{o}·{c_out} × ({k_layer}·{k_layer}·{c_in} + 1) | {layers.locally_connected:,} |\n"
        f"| convolutional | {c_out} × ({k_layer}·{k_layer}·{c_in} + 1) | {layers.convolutional:,} |"
    )
    with col_chart:
        bars = {
            "fully connected": layers.fully_connected,
            "locally connected": layers.locally_connected,
            "convolutional": layers.convolutional,
        }
        chart("parameter_count_chart", bars)
st.markdown("**Weight sharing**: the kernels used at four output positions of each kind of layer.")
rng = np.random.default_rng(9)
shared = rng.normal(size=(3, 3))
local_kernels = [panel(rng.normal(size=(3, 3)), f"place {i + 1}", fmt=".1f", cell=26) for i in range(4)]
conv_kernels = [panel(shared, f"place {i + 1}", fmt=".1f", cell=26) for i in range(4)]
col_local, col_conv = st.columns(2)
with col_local:
    st.caption("Locally connected: a different kernel at every place.")
    chart("heatmap_grid_chart", [local_kernels])
with col_conv:
    st.caption("Convolutional: one kernel, shared by every place.")
    chart("heatmap_grid_chart", [conv_kernels])

# 7 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "7. Practice 1: feature map shape",
    "Predict first, then check. The first two questions are the slides' cases (a 3×3 kernel with zero "
    "padding 1, at stride 1 and at stride 2); then ask for new ones.",
)


def set_question(question: tuple[int, int, int, int]) -> None:
    st.session_state.kernels_question = question
    st.session_state.kernels_checked = False
    st.session_state.kernels_answer_h = None
    st.session_state.kernels_answer_w = None


def new_question() -> None:
    st.session_state.kernels_asked = st.session_state.get("kernels_asked", 0) + 1
    rng = np.random.default_rng(st.session_state.kernels_asked)  # seeded: the same sequence for everyone
    while True:
        n, k, p, s = (
            int(rng.integers(4, 33)),
            int(rng.choice([1, 3, 5, 7])),
            int(rng.integers(0, 3)),
            int(rng.integers(1, 4)),
        )
        if k <= n + 2 * p:
            break
    set_question((n, k, p, s))


if "kernels_question" not in st.session_state:
    set_question(SLIDE_CASES["stride 1"])
c1, c2, c3 = st.columns(3)
c1.button("Slide case: stride 1", key="kernels_q_slide1", on_click=set_question, args=(SLIDE_CASES["stride 1"],))
c2.button("Slide case: stride 2", key="kernels_q_slide2", on_click=set_question, args=(SLIDE_CASES["stride 2"],))
c3.button("New question", key="kernels_q_new", on_click=new_question, icon=":material/casino:")
qn, qk, qp, qs = st.session_state.kernels_question
with st.container(border=True):
    st.markdown(
        f"**Predict:** an input of **{qn}×{qn}**, a **{qk}×{qk}** kernel, zero padding **{qp}**, stride **{qs}**. "
        "What is the feature map's height and width?"
    )
    a1, a2, a3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    guess_h = a1.number_input("Height", 0, 1000, None, key="kernels_answer_h")
    guess_w = a2.number_input("Width", 0, 1000, None, key="kernels_answer_w")
    if a3.button("Check", key="kernels_check", disabled=guess_h is None or guess_w is None):
        st.session_state.kernels_checked = True
    if st.session_state.kernels_checked and guess_h is not None and guess_w is not None:
        answer = conv.output_size(qn, qk, qs, qp)
        if (guess_h, guess_w) == (answer, answer):
            st.success(f"Right: the feature map is **{answer}×{answer}**.")
        else:
            st.warning(f"Not quite: the feature map is **{answer}×{answer}**, not {guess_h}×{guess_w}.")
        st.markdown(f"⌊(n + 2p − k) / s⌋ + 1 = ⌊({qn} + 2·{qp} − {qk}) / {qs}⌋ + 1 = **{answer}**, for both sides.")
        if qn <= 9:
            title = f"{qn}×{qn} input with padding {qp}: each number counts the windows that read that cell"
            chart("coverage_chart", conv.coverage(qn, qk, qs, qp), qp, conv.receptive_cells(0, 0, qk, qs), title=title)

# 8 ------------------------------------------------------------------------------------------------------------------
lesson.section(
    "8. One architecture, many applications",
    "The same sliding window works on anything laid out as a grid. A sentence is a grid of word features × words "
    "(**CNN for text classification**); a sound is a spectrogram, frequency × time (**CNN for speech recognition**). "
    "The detectors here are hand-made so you can read every number; a real network learns them.",
)
text_col, sound_col = st.columns(2, gap="large")
with text_col:
    st.subheader("Text: a 1-D convolution over words")
    sentence = st.text_input("Sentence", "The walk was not good but the dog was very happy", key="kernels_sentence")
    try:
        verdict = applications.classify_sentence(sentence)
    except ValueError as exc:
        lesson.friendly_error(f"{str(exc).capitalize()}. Type a few English words.")
    else:
        words = [f"{i}:{w}" for i, w in enumerate(verdict.words)]
        matrix = applications.sentence_matrix(verdict.words)
        chart(
            "heatmap_chart",
            matrix,
            title="The sentence as numbers (feature × word)",
            scheme="blues",
            domain=(0, 1),
            cell=24,
            row_labels=applications.WORD_FEATURES,
            col_labels=words,
            legend=False,
        )
        width = max(len(m) for m in verdict.maps.values())
        maps = np.array([np.pad(m, (0, width - len(m))) for m in verdict.maps.values()])
        chart(
            "heatmap_chart",
            maps,
            title="Feature maps after ReLU (detector × position)",
            annotate=True,
            fmt=".0f",
            domain=(0, 1),
            cell=24,
            row_labels=list(verdict.maps),
            col_labels=[str(i) for i in range(width)],
            legend=False,
        )
        pooled = ", ".join(f"{name} **{value:.0f}**" for name, value in verdict.pooled.items())
        st.markdown(f"Max-pooling over time keeps one number per detector: {pooled}.")
        st.metric("Verdict", verdict.label)
        st.caption(f"Evidence score {verdict.score:+.0f}: positives minus negatives; a negated positive counts twice.")
with sound_col:
    st.subheader("Sound: a 2-D convolution over a spectrogram")
    sound = st.selectbox("Sound", applications.SOUNDS, key="kernels_sound")
    wave = applications.make_sound(sound)
    st.audio(wave, sample_rate=applications.SAMPLE_RATE)
    kernel_name = st.selectbox("Kernel", list(applications.SPECTRO_KERNELS), index=1, key="kernels_sound_kernel")
    image = applications.spectrogram(wave)
    response = applications.convolve_spectrogram(image, applications.SPECTRO_KERNELS[kernel_name])
    chart(
        "heatmap_chart",
        image,
        title="Spectrogram (high pitch at the top, time to the right)",
        cell=9,
        legend=False,
        domain=(0, 1),
    )
    chart("heatmap_chart", response, title=f"Feature map: {kernel_name}", cell=9, legend=False)
    st.caption(f"Strongest response {response.max():.2f}. Try the rising line on a rising and a falling pitch.")

lesson.what_to_notice(
    [
        "A convolution is only multiply-and-add in a sliding window; the kernel's numbers decide what it finds.",
        "A filter scores 1.00 exactly where its pattern sits, so the shifted X still lights up, just in other places; "
        "pooling then forgives small shifts.",
        "Stride and padding decide the output size: ⌊(n + 2p − k)/s⌋ + 1. Padding (k − 1)/2 with stride 1 keeps it.",
        "Sharing one kernel across positions is why a conv layer has thousands of parameters where a fully connected "
        "one has millions.",
        "Text and sound become grids too, so the same convolution finds 'not good' in a sentence and a rising pitch "
        "in a spectrogram; a window of two words misses 'not a good', which is why text CNNs use several widths.",
    ]
)
