"""The convolution operation by hand: Rohrer's X/O case study (filters, ReLU, pooling, a vote with readable
weights, on a grid the student can draw on) and the sliding window filling one output cell at a time."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import charts, heatmaps, lesson
from components.sections.kernel_display import KEEP, clamp_state, panel, panel_row
from models import convolution as conv
from models import kernel_lessons as kl
from models import xo_case_study as xo
from models.kernel_lessons import ChosenImage

PIXEL_CSS = (  # selected cells of the X/O grid are ink: dark, like the +1 pixels on the slide
    '[class*="st-key-kernels_row_"] button[aria-pressed="true"] '
    f"{{background: {charts.INK_CELL} !important; border-color: {charts.INK_CELL} !important;}}"
)
WINDOW_SIDE = 12  # the chosen image is shrunk to this for the sliding-window demo
WINDOW_TARGETS = ["the X/O grid above", "the chosen image (shrunk)"]
WINDOW_KERNELS = {**{f"filter {k}": v for k, v in xo.ROHRER_FILTERS.items()}, **conv.KERNEL_PRESETS}


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
    kept = list(moved.values()).count("X")
    return (
        f"On the slide's shifted X {diagonals}; {only}{centre_text}. Pooling twice keeps each stroke in its quarter, "
        f"so the vote says **{verdict.label}** ({verdict.votes['X']:+.2f} for X, {verdict.votes['O']:+.2f} for O). "
        f"Pooling forgives some shifts, not all: of the {len(moved)} one-pixel moves of the X, {kept} still get X."
    )
