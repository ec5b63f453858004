"""Kernel playground: pixels as numbers, Rohrer's X/O filters and their vote, sliding windows, kernels, stride,
padding, pooling, layer sizes and Practice 1. Each section is a function; the bottom of the file lists them.
"""

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components import charts, heatmaps, kernel_getters, lesson
from models import convolution as conv
from models import kernel_lessons as kl
from models import pictures, weight_sharing
from models import xo_case_study as xo
from models.kernel_lessons import ChosenImage

PIXEL_CSS = (  # selected cells of the X/O grid are ink: dark, like the +1 pixels on the slide
    '[class*="st-key-kernels_row_"] button[aria-pressed="true"] '
    f"{{background: {charts.INK_CELL} !important; border-color: {charts.INK_CELL} !important;}}"
)
KEEP = {"persist_state": "session", "bind": "query-params"}  # a setting survives leaving the page and is in the link
SOURCES = ["China (photo)", "Flower (photo)", "A digit (8×8)", "Upload your own"]
PHOTOS = {"China (photo)": "china.jpg", "Flower (photo)": "flower.jpg"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
SLIDE_CASES = {"stride 1": (5, 3, 1, 1), "stride 2": (5, 3, 1, 2)}  # (n, k, p, s) from Practice 1
SHOW, MEDIUM, SMALL = 300, 220, 160  # pixels: how wide images are shown
WINDOW_SIDE = 12  # the chosen image is shrunk to this for the sliding-window demo
WINDOW_TARGETS = ["the X/O grid above", "the chosen image (shrunk)"]
WINDOW_KERNELS = {**{f"filter {k}": v for k, v in xo.ROHRER_FILTERS.items()}, **conv.KERNEL_PRESETS}
GALLERY = ["identity", "sharpen", "edge detect", "strong edge detect"]  # the slide's feature maps


# --- Helpers ---------------------------------------------------------------------------------------------------------
def show_picture(where, image: ChosenImage, *, width: int = SHOW, scale: str = "clip", caption=None):
    """Show an image in pixel units (1.0 = 255) as a grey picture on a fixed scale, encoded once per image."""
    png = kernel_getters.get_display_png(image, width, scale)
    where.image(png, width=width, caption=caption, output_format="PNG")


def panel(values: np.ndarray, title: str, **options) -> dict:
    """One small annotated heatmap for ``heatmap_grid_chart`` (signed red/blue colours unless told otherwise)."""
    return {"values": values, "title": title, "annotate": True, "scheme": charts.DIVERGING, "cell": 30} | options


def panel_row(where, panels: list[dict]) -> None:
    """Draw one row of heatmap panels at their own size."""
    lesson.show_chart(heatmaps.heatmap_grid_chart([panels]), where=where, width="content")


def clamp_state(key: str, top: int) -> None:
    """Keep a slider's remembered value inside a range that just shrank (another image, another kernel)."""
    if st.session_state.get(key, 0) > top:
        st.session_state[key] = top


def shape_working(n_h: int, n_w: int, k: int, s: int, p: int, d: int = 1) -> str:
    """The slide's formula, filled in for height and width."""
    reach = conv.kernel_reach(k, d)
    lines = [
        f"- {name}: ⌊({n} + 2·{p} − {reach}) / {s}⌋ + 1 = **{conv.output_size(n, k, s, p, d)}**"
        if reach <= n + 2 * p
        else f"- {name}: the kernel reaches {reach} pixels but the padded input has only {n + 2 * p}"
        for name, n in (("height", n_h), ("width", n_w))
    ]
    return f"⌊(n + 2p − {'k' if d == 1 else '(d(k − 1) + 1)'}) / s⌋ + 1\n\n" + "\n".join(lines)


def reset_grid() -> None:
    """Load the chosen Rohrer image into the nine row widgets."""
    start = xo.ROHRER_IMAGES[st.session_state.get("kernels_xo_start", "X")]
    for r, ink in enumerate(kl.ink_of(start)):
        st.session_state[f"kernels_row_{r}"] = ink


def pixel_grid() -> np.ndarray:
    """A 9×9 grid: each row is a multi-select segmented control; a selected (dark) cell is +1 ink, others −1."""
    if "kernels_row_0" not in st.session_state:
        reset_grid()
    st.html(f"<style>{PIXEL_CSS}</style>")
    blank = lambda c: "\u00a0" + "\u200b" * c  # noqa: E731 (blank but distinct labels: the colour is the pixel)
    rows = []
    for r in range(kl.GRID_SIDE):
        rows.append(st.segmented_control(f"row {r}", range(kl.GRID_SIDE), selection_mode="multi", format_func=blank,
                                         key=f"kernels_row_{r}", label_visibility="collapsed", **KEEP))  # fmt: skip
    return kl.grid_from_ink(rows)


def set_question(question: tuple[int, int, int, int]) -> None:
    """Pose a Practice 1 question and clear the previous answer."""
    st.session_state.kernels_question = question
    st.session_state.kernels_checked = False
    st.session_state.kernels_answer_h = None
    st.session_state.kernels_answer_w = None


def new_question() -> None:
    """The next generated question (the same sequence for everyone)."""
    st.session_state.kernels_asked = st.session_state.get("kernels_asked", 0) + 1
    set_question(conv.practice_question(st.session_state.kernels_asked))


def choose_image() -> ChosenImage:
    """The image picker: a bundled photo, a digit or an upload (bad uploads fall back to a photo, with a message)."""
    left, right = st.columns([3, 2])
    source = left.radio("Image", SOURCES, horizontal=True, key="kernels_source", **KEEP)
    if source == "A digit (8×8)":
        digit = right.slider("Digit", 0, 9, 3, key="kernels_digit", **KEEP)
        return kernel_getters.get_digit_image(digit)
    side = right.select_slider("Longer side (pixels)", [32, 64, 128, 256, 512], 128, key="kernels_side", **KEEP)
    if source == "Upload your own":
        label = f"An image (at most {pictures.MAX_UPLOAD_BYTES // 2**20} MB; it is made grayscale)"
        upload = st.file_uploader(label, type=UPLOAD_TYPES, key="kernels_upload")
        if upload is None:
            st.caption("Until you upload a file, the China photo stands in.")
        else:
            try:
                uploaded, note = kernel_getters.get_uploaded_image(upload.file_id, upload.getvalue(), side)
            except ValueError as exc:
                lesson.friendly_error(f"{exc} Showing the China photo instead.")
            else:
                if note:
                    st.info(note, icon=":material/info:")
                return uploaded
    photo = PHOTOS.get(source, "china.jpg")
    return kernel_getters.get_sample_photo(photo, side)


# --- Sections --------------------------------------------------------------------------------------------------------
def intro() -> None:
    """The page title, what the student will see, and the slides it covers."""
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


def pixels_are_numbers() -> ChosenImage:
    """Section 1: the chosen image, and the same image as a small matrix of 0…255 values."""
    lesson.section(
        "1. Pixels are numbers",
        "A grayscale image is a matrix: 0 is black, 255 is white. Pick an image; the grid shows it shrunk "
        "so that every number fits.",
    )
    image = choose_image()
    values = kl.pixel_values(image.pixels, 16)
    col_img, col_grid = st.columns([1, 2])
    show_picture(col_img, image, caption=f"{image.pixels.shape[0]}×{image.pixels.shape[1]} pixels")
    lesson.show_chart("heatmap_chart", values, annotate=True, fmt=".0f", gray=True, domain=(0, 255), cell=30,
                      width="content", where=col_grid)  # fmt: skip
    col_grid.caption(f"The same image as a {values.shape[0]}×{values.shape[1]} matrix of pixel values (0 to 255).")
    return image


def xo_case_study() -> np.ndarray:
    """Section 2: Rohrer's filters, ReLU, pooling twice, and a voting layer with readable weights."""
    lesson.section(
        "2. The X/O case study",
        "Rohrer's images are 9×9 with +1 for ink and −1 for background. Each 3×3 filter looks for one piece "
        "of an X; element-wise multiply and add gives 9 when the piece is there exactly, so dividing by 9 "
        "makes 1.00 a perfect match. ReLU and pooling follow, then a voting layer weighs what is left. "
        "Click pixels to draw your own X or O.",
    )
    col_grid, col_vote = st.columns([3, 2])
    with col_grid:
        st.radio("Start from", list(xo.ROHRER_IMAGES), horizontal=True, key="kernels_xo_start", on_change=reset_grid,
                 **KEEP)  # fmt: skip
        grid = pixel_grid()
        st.button("Reset the grid", key="kernels_xo_reset", on_click=reset_grid, icon=":material/restart_alt:")
    verdict = xo.vote(grid)
    with col_vote:
        if verdict.label == "neither":
            st.markdown("#### The vote: this looks like **neither** an X nor an O")
        else:
            st.markdown(f"#### The vote: this looks like an **{verdict.label}**")
        a, b = st.columns(2)
        a.metric("X vote", f"{verdict.votes['X']:+.2f}")
        b.metric("O vote", f"{verdict.votes['O']:+.2f}")
        found = ", ".join(f"{letter} {'yes' if ok else 'no'}" for letter, ok in verdict.strokes_found.items())
        st.caption(
            "Each vote is the average of the quarter cells (last column below) that the letter weights +1, minus the "
            "average of those it weights −1: +1.00 would be every expected stroke perfect and every other one absent. "
            f"A letter wins when its vote reaches {xo.MIN_VOTE:+.2f} and every stroke it expects is found (a match of "
            f"at least {xo.FOUND:.2f}: at most one pixel wrong). Every stroke found: {found}."
        )
    matches, pooled_maps, quarters = xo.match_maps(grid), xo.pooled_maps(grid), xo.quarter_maps(grid)
    rows = [
        [
            panel(f, "filter", fmt=".0f", domain=(-1, 1), cell=24),
            panel(matches[name], f"{name}: match ÷ 9", domain=(-1, 1)),
            panel(conv.relu(matches[name]), "ReLU", domain=(0, 1), scheme=charts.SEQUENTIAL),
            panel(pooled_maps[name], "2×2 max pool", domain=(0, 1), scheme=charts.SEQUENTIAL),
            panel(quarters[name], "pooled again", domain=(0, 1), scheme=charts.SEQUENTIAL, cell=40),
        ]
        for name, f in xo.ROHRER_FILTERS.items()
    ]
    lesson.show_chart(heatmaps.heatmap_grid_chart(rows), width="content")
    st.markdown(
        "**The voting layer's weights**, one 2×2 grid per filter, read off the reference X and O: +1 where this "
        "letter's reference finds a stroke and the other's matches worse, −1 the other way round, 0 where they agree."
    )
    for column, letter in zip(st.columns(2), xo.LETTERS, strict=True):
        column.caption(f"Weights of the {letter} vote")
        weights = xo.voting_weights(letter).items()
        panel_row(column, [panel(w, f"{letter}: {name}", fmt="+.0f", domain=(-1, 1), cell=40) for name, w in weights])
    return grid


def slide_the_window(grid_xo: np.ndarray, image: ChosenImage) -> None:
    """Section 3: one window position at a time: patch, kernel, products, and the feature map filled so far."""
    lesson.section(
        "3. Slide the window",
        "A convolution visits every position of the window in turn. Move it and watch one output cell being filled.",
    )
    c1, c2 = st.columns(2)
    target = c1.radio("Slide over", WINDOW_TARGETS, horizontal=True, key="kernels_window_target", **KEEP)
    window_kernel = c2.selectbox("Kernel", list(WINDOW_KERNELS), key="kernels_window_kernel", **KEEP)
    kernel = WINDOW_KERNELS[window_kernel]
    on_xo = target == WINDOW_TARGETS[0]
    grid = grid_xo if on_xo else kl.pixel_values(image.pixels, WINDOW_SIDE)  # whole 0…255 values, as shown
    if min(grid.shape) < kernel.shape[0]:
        lesson.friendly_error(f"The image ({grid.shape[0]}×{grid.shape[1]}) is smaller than the kernel; using the X.")
        grid, on_xo = grid_xo, True
    out_h, out_w = conv.output_shape(grid.shape, kernel.shape)
    clamp_state("kernels_position", out_h * out_w - 1)
    position = st.slider("Window position (row by row)", 0, out_h * out_w - 1, 0, key="kernels_position", **KEEP)
    step = kl.window_step(grid, kernel, position)
    number = kl.window_number_format(kernel, on_xo)  # the same format for products and their sums
    grey = {"fmt": ".0f", "scheme": charts.INK_GREY if on_xo else charts.PIXEL_GREY, "domain": (-1, 1) if on_xo
            else (0, 255)}  # fmt: skip
    panel_row(st, [
        panel(grid, "input", highlight=conv.receptive_cells(step.row, step.col, 3), cell=24, **grey),
        panel(step.patch, "patch", **grey),
        panel(kernel, "kernel", fmt=".3~g", domain=kl.symmetric_domain(kernel)),
        panel(step.products, "patch × kernel", fmt=number, domain=kl.symmetric_domain(step.products)),
        panel(step.so_far, "feature map so far", fmt=number, domain=kl.symmetric_domain(step.feature),
              highlight=[(step.row, step.col)], cell=24),
    ])  # fmt: skip
    matched = f", and ÷ 9 = **{step.total / 9:.2f}**" if on_xo and window_kernel.startswith("filter") else ""
    st.markdown(
        f"Output cell ({step.row}, {step.col}): add up the {step.patch.size} products → "
        f"**{format(step.total, number)}**{matched}"
    )
    units = "±1 pixels" if on_xo else "pixel values 0 (black) to 255 (white), rounded to whole numbers"
    st.caption(
        f"Grey: {units}. Red and blue: signed kernel weights, products and sums (white is 0)."
        + ("" if number == ".0f" else " Products and sums are shown to the same precision.")
    )
    lesson.show_code(conv.convolve2d, label="Show the code: convolve2d, a sliding window in two loops")


def kernel_gallery(image: ChosenImage) -> None:
    """Section 4: the slide's feature maps, then an editable kernel, every picture on a fixed, stated scale."""
    lesson.section(
        "4. Kernels",
        "The same operation with different weights finds different things. These are the slide's feature maps "
        "of the chosen image:",
    )
    for column, name in zip(st.columns(len(GALLERY)), GALLERY, strict=True):
        scale = pictures.display_scale(conv.KERNEL_PRESETS[name])
        out = kernel_getters.get_filtered(image, conv.KERNEL_PRESETS[name], 1, 1)
        caption = "original" if name == "identity" else f"{name} ({scale})"
        show_picture(column, out, width=SMALL, scale=scale, caption=caption)
    st.caption(
        "Each picture is drawn on a fixed scale, never stretched: **clip** means "
        f"{pictures.DISPLAY_SCALES['clip']}; **signed** (for kernels whose weights add up to 0, which answer 0 on a "
        f"flat area) means {pictures.DISPLAY_SCALES['signed']}."
    )
    st.markdown("Now pick a preset and edit its weights (click a cell to type; zero padding keeps the size).")
    c1, c2 = st.columns([3, 1])
    preset = c1.selectbox("Preset", list(conv.KERNEL_PRESETS), index=1, key="kernels_preset", **KEEP)
    size = c2.radio("Size", [3, 5], format_func=lambda k: f"{k}×{k}", horizontal=True, key="kernels_kernel_size",
                    **KEEP)  # fmt: skip
    col_edit, col_orig, col_out = st.columns([2, 2, 2])
    table = pd.DataFrame(conv.kernel_preset(preset, size), columns=[str(j) for j in range(size)])
    number_columns = {c: st.column_config.NumberColumn(c, format="%.3g", width="small") for c in table.columns}
    edited = col_edit.data_editor(table, key=f"kernels_editor_{preset}_{size}",  # a new preset: a fresh editor
                                  hide_index=True, column_config=number_columns)  # fmt: skip
    col_edit.caption(f"Sum of weights: {np.nansum(edited.to_numpy(dtype=float)):.3g} (1 keeps the brightness).")
    try:
        kernel = conv.check_kernel(edited.to_numpy(dtype=float))
        result = kernel_getters.get_filtered(image, kernel, 1, size // 2)
    except ValueError as exc:
        lesson.friendly_error(f"{exc} Fix the cell to see the result.")
        return
    scale = pictures.display_scale(kernel)
    show_picture(col_orig, image, width=MEDIUM, caption="original (clip)")
    show_picture(col_out, result, width=MEDIUM, scale=scale,
                 caption=f"{preset} (edited), {scale}")  # fmt: skip
    col_out.caption(
        f"Raw values run from **{255 * result.pixels.min():.0f}** to **{255 * result.pixels.max():.0f}** (pixel "
        f"units, 255 = white); on the {scale} scale {pictures.clipped_share(result.pixels, scale):.0%} of the "
        "pixels fall outside it and are drawn pure black or white."
    )


def stride_padding_pooling(image: ChosenImage) -> None:
    """Section 5: the output-size formula against a real averaging convolution, pooling, and the coverage diagram."""
    lesson.section(
        "5. Stride, padding, pooling",
        "The output's size depends on the kernel size k, the stride s and the zero padding p (and dilation d, "
        "which spreads the kernel out). Here a k×k averaging kernel runs over the chosen image.",
    )
    c1, c2, c3, c4 = st.columns(4)
    k = c1.slider("Kernel size k", 1, 7, 3, key="kernels_k", **KEEP)
    s = c2.slider("Stride s", 1, 4, 1, key="kernels_stride", **KEEP)
    p = c3.slider("Zero padding p", 0, 3, 0, key="kernels_padding", **KEEP)
    d = c4.slider("Dilation d", 1, 3, 1, key="kernels_dilation", **KEEP)
    col_formula, col_result = st.columns([3, 2])
    try:
        strided = kernel_getters.get_filtered(image, conv.box_kernel(k), s, p, d)
    except ValueError as exc:
        strided = None
        lesson.friendly_error(f"{exc} Make the kernel smaller, the padding larger, or pick a bigger image.")
    (n_h, n_w) = image.pixels.shape
    col_formula.markdown(f"Input **{n_h} × {n_w}**. The formula " + shape_working(n_h, n_w, k, s, p, d))
    if strided is not None:
        col_formula.success(
            f"The real output is **{strided.pixels.shape[0]} × {strided.pixels.shape[1]}**: the formula agrees."
        )
        show_picture(col_result, strided, width=MEDIUM, caption=f"output {strided.pixels.shape} (clip)")

    st.subheader("Pooling")
    st.markdown("Pooling summarises each window of the output above by its maximum or its average, shrinking it again.")
    c1, c2, c3 = st.columns(3)
    mode = c1.radio("Pooling", ["max", "avg"], horizontal=True, key="kernels_pool_mode", **KEEP)
    pool_size = c2.slider("Pool size", 2, 4, 2, key="kernels_pool_size", **KEEP)
    pool_stride = c3.slider("Pool stride", 1, 4, 2, key="kernels_pool_stride", **KEEP)
    if strided is not None:
        try:
            pooled = kernel_getters.get_pooled(strided, pool_size, pool_stride, mode)
        except ValueError as exc:
            lesson.friendly_error(str(exc))
        else:
            (h, w), (ph, pw) = strided.pixels.shape, pooled.pixels.shape
            c1.markdown(f"**{mode} pool {pool_size}×{pool_size}, stride {pool_stride}**: {h}×{w} → **{ph}×{pw}**")
            show_picture(c2, pooled, width=SMALL)

    st.subheader("Which input cells does each output cell read?")
    c1, c2 = st.columns([1, 3])
    n_small = c1.slider("Input size n (diagram)", 3, 9, 5, key="kernels_diagram_n", **KEEP)
    try:
        counts = conv.coverage(n_small, k, s, p, d)
    except ValueError as exc:
        lesson.friendly_error(f"{exc} Try a smaller k or d, or more padding.")
        return
    m = conv.output_size(n_small, k, s, p, d)
    clamp_state("kernels_output_cell", m * m - 1)
    cell = c1.slider("Output cell (row by row)", 0, m * m - 1, 0, key="kernels_output_cell", **KEEP) if m > 1 else 0
    orow, ocol = divmod(cell, m)
    title = f"{n_small}×{n_small} input, padding {p} (grey): output cell ({orow}, {ocol}) of {m}×{m}"
    spec = heatmaps.coverage_chart(counts, p, conv.receptive_cells(orow, ocol, k, s, d), title=title)
    lesson.show_chart(spec, where=c2, width="content")
    c2.caption("Numbers: how many output cells read that input cell. Outlined: what the chosen output cell reads.")


def layer_types() -> weight_sharing.LayerCounts | None:
    """Section 6: parameter counts of fully connected, locally connected and convolutional layers; weight sharing."""
    lesson.section(
        "6. Layer types",
        "A fully connected layer links every input value to every output unit. A locally connected layer gives "
        "each output unit only a k×k patch, but its own weights. A convolutional layer shares one kernel across "
        "all positions, so its size does not depend on the image at all.",
    )
    c1, c2, c3, c4 = st.columns(4)
    n = int(c1.number_input("Input size n (n×n)", 4, 1024, 32, key="kernels_layer_n", **KEEP))
    c_in = int(c2.number_input("Input channels", 1, 512, 3, key="kernels_layer_cin", **KEEP))
    c_out = int(c3.number_input("Output channels (filters)", 1, 512, 16, key="kernels_layer_cout", **KEEP))
    k = int(c4.number_input("Kernel size k", 1, 11, 3, key="kernels_layer_k", **KEEP))
    try:
        layers = weight_sharing.layer_counts(n, c_in, c_out, k)
    except ValueError as exc:
        lesson.friendly_error(str(exc))
        return None
    col_table, col_chart = st.columns([3, 2])
    o = layers.output_height
    col_table.markdown(f"Output: {o}×{o}×{c_out} (stride 1, no padding).")
    col_table.table(kl.parameter_table(layers, n, c_in, c_out, k))
    bars = {"fully connected": layers.fully_connected, "locally connected": layers.locally_connected,
            "convolutional": layers.convolutional}  # fmt: skip
    lesson.show_chart(charts.parameter_count_chart(bars), where=col_chart, width="content")
    st.markdown("**Weight sharing**: the kernels used at four output positions of each kind of layer.")
    local, shared = weight_sharing.example_kernels(places=4, seed=9)
    col_local, col_conv = st.columns(2)
    for where, caption, row in (
        (col_local, "Locally connected: a different kernel at every place.", local),
        (col_conv, "Convolutional: one kernel, shared by every place.", [shared] * len(local)),
    ):
        where.caption(caption)
        panel_row(where, [panel(w, f"place {i + 1}", fmt=".1f", cell=26, domain=kl.symmetric_domain(w))
                          for i, w in enumerate(row)])  # fmt: skip
    return layers


def practice() -> None:
    """Section 7: predict a feature map's shape, then check it against the formula."""
    lesson.section(
        "7. Practice 1: feature map shape",
        "Predict first, then check. The first two questions are the slides' cases (a 3×3 kernel with zero "
        "padding 1, at stride 1 and at stride 2); then ask for new ones.",
    )
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
        guess_h = a1.number_input("Height", 0, 1000, None, key="kernels_answer_h", **KEEP)
        guess_w = a2.number_input("Width", 0, 1000, None, key="kernels_answer_w", **KEEP)
        if a3.button("Check", key="kernels_check", disabled=guess_h is None or guess_w is None):
            st.session_state.kernels_checked = True
        if not (st.session_state.kernels_checked and guess_h is not None and guess_w is not None):
            return
        answer = conv.output_size(qn, qk, qs, qp)
        if (guess_h, guess_w) == (answer, answer):
            st.success(f"Right: the feature map is **{answer}×{answer}**.")
        else:
            st.warning(f"Not quite: the feature map is **{answer}×{answer}**, not {guess_h}×{guess_w}.")
        st.markdown(f"⌊(n + 2p − k) / s⌋ + 1 = ⌊({qn} + 2·{qp} − {qk}) / {qs}⌋ + 1 = **{answer}**, for both sides.")
        if qn <= 9:
            title = f"{qn}×{qn} input with padding {qp}: each number counts the windows that read that cell"
            counts, first = conv.coverage(qn, qk, qs, qp), conv.receptive_cells(0, 0, qk, qs)
            lesson.show_chart(heatmaps.coverage_chart(counts, qp, first, title=title), width="content")


def text_and_speech() -> None:
    """Section 8: a pointer to the page that runs the same window over words and spectrograms."""
    lesson.section(
        "8. One architecture, many applications",
        "The same sliding window works on anything laid out as a grid, such as a sentence or a spectrogram.",
    )
    try:
        st.page_link("pages/text_speech.py", label="CNNs for text and speech", icon=":material/graphic_eq:")
    except StreamlitPageNotFoundError:  # the page run on its own, without the router (as in AppTest)
        st.markdown("Open **CNNs for text and speech** in the navigation at the top.")


def shift_sentence() -> str:
    """What the filters and the vote do on the slide's shifted X, worded from the numbers."""
    peaks = xo.peaks(xo.ROHRER_X_SHIFTED)
    verdict = xo.vote(xo.ROHRER_X_SHIFTED)
    (d1, n1), (centre, n_centre), (d2, n2) = (peaks[name] for name in xo.ROHRER_FILTERS)
    perfect = [name for name, (_, count) in peaks.items() if count]
    if n1 == 0 and n2 == 0:
        diagonals = f"neither diagonal filter matches perfectly (they peak at {d1:.2f} and {d2:.2f})"
    else:
        diagonals = f"the diagonal filters peak at {d1:.2f} and {d2:.2f}"
    times = {1: "once", 2: "twice"}.get(n_centre, f"{n_centre} times")
    centre_text = f"the centre filter reaches {centre:.2f} {times}" if n_centre else f"the centre peaks at {centre:.2f}"
    only = "only " if perfect == ["X centre"] else ""
    moved = xo.one_pixel_shift_labels()
    kept = sum(label == "X" for label in moved.values())
    return (
        f"On the slide's shifted X {diagonals}; {only}{centre_text}. Pooling twice keeps each stroke in its quarter, "
        f"so the vote says **{verdict.label}** ({verdict.votes['X']:+.2f} for X, {verdict.votes['O']:+.2f} for O). "
        f"Pooling forgives some shifts, not all: of the {len(moved)} one-pixel moves of the X, {kept} still get X."
    )


def sharing_sentence(layers: weight_sharing.LayerCounts | None) -> str:
    """The weight-sharing point, worded from the counts in section 6."""
    if layers is None:
        return "Sharing one kernel across positions keeps a conv layer's size independent of the image size."
    conv_n, fc_n = layers.convolutional, layers.fully_connected
    return (
        f"Sharing one kernel across positions is why the convolutional layer above has {conv_n:,} parameters "
        f"({kl.magnitude(conv_n)}) where a fully connected one has {fc_n:,} ({kl.magnitude(fc_n)}, "
        f"{fc_n / conv_n:,.0f} times as many); only the fully connected count grows with the image."
    )


def what_to_notice(layers: weight_sharing.LayerCounts | None) -> None:
    """The page's take-aways, the measured ones worded from the numbers."""
    lesson.what_to_notice(
        [
            "A convolution is only multiply-and-add in a sliding window; the kernel's numbers decide what it finds.",
            shift_sentence(),
            "Stride and padding decide the output size: ⌊(n + 2p − k)/s⌋ + 1. Padding (k − 1)/2 with stride 1 keeps "
            "it.",
            sharing_sentence(layers),
        ]
    )


intro()
image = pixels_are_numbers()
grid = xo_case_study()
slide_the_window(grid, image)
kernel_gallery(image)
stride_padding_pooling(image)
layers = layer_types()
practice()
text_and_speech()
what_to_notice(layers)
