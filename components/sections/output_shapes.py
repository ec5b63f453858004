"""Feature-map shapes: stride, padding, dilation and pooling checked against the formula on a real image, which
input cells each output reads, parameter counts of three layer types (weight sharing), and Practice 1."""

from __future__ import annotations

import streamlit as st

from components import charts, heatmaps, kernel_getters, lesson
from components.sections.kernel_display import KEEP, MEDIUM, SMALL, clamp_state, panel, panel_row, show_picture
from models import convolution as conv
from models import kernel_lessons as kl
from models import weight_sharing
from models.kernel_lessons import ChosenImage

SLIDE_CASES = {"stride 1": (5, 3, 1, 1), "stride 2": (5, 3, 1, 2)}  # (n, k, p, s) from Practice 1


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
