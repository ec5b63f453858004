"""Heatmaps: a matrix as coloured cells, optionally with its numbers printed, as plain Vega-Lite dicts.

Every heatmap in the lab is one view (:func:`heatmap_view`), shown alone, in a grid of panels or with labels.
They are dicts, not Altair: building and validating five Altair heatmaps costs ~150 ms, far too slow for a
slider that moves a window; a dict costs ~1 ms. Cell sizes and the text colours on cells live at the top.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from components.charts import ACCENT, DIVERGING, FONT_SIZE, PIXEL_GREY, SEQUENTIAL, standalone

CELL = 28  # default pixel size of one heatmap cell
WORD_CELL = 44  # px per word column: wide enough that every word's label shows under its cell
WORD_ROW = 30  # px per row of a word heatmap
LABEL_ANGLE = -40  # column labels are slanted, and never thinned out
EMPTY_FILL = "#eef1f3"  # cells with no value: zero padding, feature-map cells not computed yet
LEGEND_LENGTH = 200  # px: the longest colour legend (a short heatmap gets a shorter one)
OCCLUSION_OPACITY = 0.65  # the evidence layer over the gray input
# Colour anchors of the schemes drawn with numbers on their cells, low to high, to pick black or white text
# by the brightness of the cell under it (white on yellow viridis cells cannot be read).
SCHEME_ANCHORS = {
    "viridis": ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                "#b5de2b", "#fde725"],
    "redblue": ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de",
                "#4393c3", "#2166ac", "#053061"],
    "blues": ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
    "greys": ["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"],
    "gray": ["#000000", "#ffffff"],  # PIXEL_GREY: 0 is black
}  # fmt: skip
DARK_TEXT, LIGHT_TEXT = "#111111", "#ffffff"
# The text colour of a cell's number, from its ``ink`` field. A condition, not a field with ``scale: null``:
# Streamlit's renderer silently drops a whole chart that has the latter.
INK_BY_CELL = {"condition": {"test": f"datum.ink === '{LIGHT_TEXT}'", "value": LIGHT_TEXT}, "value": DARK_TEXT}


def _luminance(hex_colours: Sequence[str]) -> np.ndarray:
    """Relative luminance (WCAG) of ``#rrggbb`` colours."""
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hex_colours], dtype=float) / 255
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def text_colours(
    values: np.ndarray, scheme: str, domain: tuple[float, float], *, reverse: bool = False
) -> list[str | None]:
    """Black or white for a number printed on each cell, whichever reads on the cell's colour (None for NaN)."""
    values = np.asarray(values, dtype=float).ravel()
    anchors = _luminance(SCHEME_ANCHORS.get(scheme, SCHEME_ANCHORS["viridis"]))
    if reverse:
        anchors = anchors[::-1]
    lo, hi = domain
    t = np.clip((values - lo) / ((hi - lo) or 1.0), 0, 1) * (len(anchors) - 1)
    shade = np.interp(t, np.arange(len(anchors)), anchors)
    # Black text on a cell brighter than 0.18 contrasts better than white (the two contrast ratios cross there).
    return [
        None if not np.isfinite(v) else (DARK_TEXT if s > 0.18 else LIGHT_TEXT)
        for v, s in zip(values, shade, strict=True)
    ]


def heatmap_view(
    values: np.ndarray,
    *,
    title: str = "",
    annotate: bool = True,
    fmt: str = ".2f",
    scheme: str = SEQUENTIAL,
    domain: tuple[float, float] | None = None,
    cell: int = CELL,
    highlight: Sequence[tuple[int, int]] = (),
    legend: bool = False,
    col_labels: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
    row_height: int | None = None,
    row_title: str | None = None,
) -> dict:
    """One heatmap as a Vega-Lite view (row 0 at the top); NaN cells are drawn empty (grey, no number).

    ``scheme`` is a Vega scheme name, or ``PIXEL_GREY`` for a grayscale image (0 black). ``highlight``
    outlines the listed (row, col) cells in the accent colour. With ``col_labels`` / ``row_labels`` every
    column / row is labelled (columns are positions, so a word that appears twice keeps two columns).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"a heatmap needs a 2-D array, got shape {values.shape}")
    rows, cols = values.shape
    height = rows * (row_height or cell)
    finite = values[np.isfinite(values)]
    lo, hi = domain if domain is not None else ((finite.min(), finite.max()) if finite.size else (0.0, 1.0))
    lo, hi = (float(lo) - 1.0, float(hi) + 1.0) if lo == hi else (float(lo), float(hi))
    inks = text_colours(values, scheme, (lo, hi), reverse=scheme == DIVERGING)
    records = [
        {"r": r, "c": c, "v": float(v) if np.isfinite(v) else None, "ink": ink}
        for ((r, c), v), ink in zip(np.ndenumerate(values), inks, strict=True)
    ]
    x = {"field": "c", "type": "ordinal", "axis": None, "scale": {"domain": list(range(cols))}}
    y = {"field": "r", "type": "ordinal", "axis": None, "scale": {"domain": list(range(rows))}}
    if col_labels is not None:  # JSON strings are valid Vega expression strings
        names = json.dumps([str(n) for n in col_labels])
        x |= {"title": None, "axis": {"labelExpr": f"{names}[datum.value]", "labelAngle": LABEL_ANGLE,
                                      "labelOverlap": False, "ticks": False, "domain": False}}  # fmt: skip
    if row_labels is not None:
        names = json.dumps([str(n) for n in row_labels])
        y |= {"title": None, "axis": {"labelExpr": f"{names}[datum.value]", "ticks": False}}
    elif row_title is not None:
        y |= {"title": row_title, "axis": {"labels": False, "ticks": False, "domain": False}}
    valid = {"filter": "isValid(datum.v)"}
    layers: list[dict] = [
        {"mark": {"type": "rect", "fill": EMPTY_FILL, "stroke": "white"}, "encoding": {"x": x, "y": y}},
        {
            "transform": [valid],
            "mark": {"type": "rect"},
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "v",
                    "type": "quantitative",
                    "scale": (
                        {"range": ["black", "white"], "domain": [lo, hi]}
                        if scheme == PIXEL_GREY
                        else {"scheme": scheme, "domain": [lo, hi], "reverse": scheme == DIVERGING}
                    ),
                    "legend": {"title": None, "gradientLength": min(LEGEND_LENGTH, max(height, 50))}
                    if legend
                    else None,
                },
                "tooltip": [
                    {"field": "r", "title": "row"},
                    {"field": "c", "title": "col"},
                    {"field": "v", "title": "value", "format": fmt},
                ],
            },
        },
    ]
    if annotate:
        layers.append(
            {
                "transform": [valid],
                "mark": {"type": "text", "fontSize": FONT_SIZE},
                "encoding": {
                    "x": x,
                    "y": y,
                    "text": {"field": "v", "type": "quantitative", "format": fmt},
                    "color": INK_BY_CELL,
                },
            }
        )
    if len(highlight):
        layers.append(
            {
                "data": {"values": [{"r": int(r), "c": int(c)} for r, c in highlight]},
                "mark": {"type": "rect", "fill": None, "stroke": ACCENT, "strokeWidth": 3},
                "encoding": {"x": x, "y": y},
            }
        )
    return {
        "title": title,
        "width": cols * cell,
        "height": height,
        "data": {"values": records},
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}},
    }


def heatmap_chart(
    values: np.ndarray,
    *,
    title: str = "",
    annotate: bool = False,
    fmt: str = ".2f",
    scheme: str = SEQUENTIAL,
    domain: tuple[float, float] | None = None,
    cell: int = CELL,
    highlight: Sequence[tuple[int, int]] = (),
    gray: bool = False,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    legend: bool = True,
    row_height: int | None = None,
) -> dict:
    """A matrix as coloured cells (row 0 at the top), optionally with the numbers printed and every row and
    column labelled. ``gray`` shows it as a grayscale image (0 = black, no legend) instead of a colour scale.
    """
    view = heatmap_view(
        values, title=title, annotate=annotate, fmt=fmt, scheme=PIXEL_GREY if gray else scheme, domain=domain,
        cell=cell, highlight=highlight, legend=legend and not gray, col_labels=col_labels, row_labels=row_labels,
        row_height=row_height,
    )  # fmt: skip
    return standalone(view)


def heatmap_grid_chart(rows: Sequence[Sequence[Mapping]], *, spacing: int = 12) -> dict:
    """Rows of small heatmaps side by side, as a Vega-Lite spec for ``st.vega_lite_chart``.

    Each panel is a dict of :func:`heatmap_view` arguments: ``values`` and optional ``title``, ``annotate``,
    ``fmt``, ``scheme``, ``domain``, ``cell``, ``highlight`` and ``legend``. NaN cells are drawn empty.
    """
    lines = [{"hconcat": [heatmap_view(**panel) for panel in row], "spacing": spacing} for row in rows]
    body = lines[0] if len(lines) == 1 else {"vconcat": lines, "spacing": spacing}
    return {**body, "resolve": {"scale": {"color": "independent"}}, "config": {"view": {"stroke": None}}}


def word_heatmap_chart(
    values: np.ndarray,
    words: Sequence[str],
    row_labels: Sequence[str],
    *,
    title: str = "",
    scheme: str = "blues",
    domain: tuple[float, float] | None = None,
    fmt: str = ".0f",
    highlight: Sequence[tuple[int, int]] = (),
    cell: int = WORD_CELL,
) -> dict:
    """Rows × words as coloured cells with the numbers printed and EVERY word labelled under its column.

    NaN cells (no window starts there) are drawn empty. ``highlight`` outlines (row, col) cells, e.g. the
    n-gram that won the max-pool.
    """
    return heatmap_chart(
        values, title=title, annotate=True, fmt=fmt, scheme=scheme, domain=domain, cell=cell, highlight=highlight,
        col_labels=words, row_labels=row_labels, row_height=WORD_ROW, legend=False,
    )  # fmt: skip


def units_by_tokens_chart(
    values: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str = "",
    domain: tuple[float, float] = (0.0, 1.0),
    scheme: str = SEQUENTIAL,
    col_width: int = 34,
    row_height: int = 7,
) -> dict:
    """A (tokens × units) array drawn as units (rows) × tokens (columns): one column per word read."""
    view = heatmap_view(
        np.asarray(values, dtype=float).T, title=title, annotate=False, scheme=scheme, domain=domain,
        cell=col_width, row_height=row_height, legend=True, col_labels=tokens, row_title="unit",
    )  # fmt: skip
    return standalone(view)


def coverage_chart(
    counts: np.ndarray, padding: int, highlight: Sequence[tuple[int, int]] = (), *, title: str = "", cell: int = CELL
) -> dict:
    """The padded input as a grid: how many windows read each cell, zero padding empty, one window outlined."""
    counts = np.asarray(counts, dtype=float)
    n = counts.shape[0]
    r, c = np.indices(counts.shape)
    pad = (r < padding) | (c < padding) | (r >= n - padding) | (c >= n - padding)
    shown = np.where(pad, np.nan, counts)
    top = max(float(counts.max()), 1.0)
    view = heatmap_view(shown, title=title, fmt=".0f", scheme="blues", domain=(0, top), cell=cell, highlight=highlight)
    return standalone(view)


def input_grid_chart(grid: np.ndarray, *, annotate: bool = False, fmt: str = ".2f", cell: int = 8) -> dict:
    """The network's input grid as viridis cells, optionally with its numbers printed."""
    grid = np.asarray(grid, dtype=float)
    view = heatmap_view(grid, annotate=annotate, fmt=fmt, domain=(0, float(grid.max()) or 1.0), cell=cell)
    return {**view, "autosize": {"type": "pad"}}  # the cells keep their size; the title adds to it


def occlusion_evidence_chart(image: np.ndarray, evidence: np.ndarray, *, label: str, cell: int = 10) -> dict:
    """The network input in gray with the evidence on top: red where hiding a patch lowers the answer's
    log-odds (its drop), blue where hiding it helps."""
    image, evidence = np.asarray(image, dtype=float), np.asarray(evidence, dtype=float)
    peak = max(float(np.abs(evidence).max()), 1e-6)
    h, w = image.shape
    r, c = np.indices(image.shape)
    cells = [
        {"r": int(i), "c": int(j), "ink": round(float(a), 3), "drop": round(float(b), 3)}
        for i, j, a, b in zip(r.ravel(), c.ravel(), image.ravel(), evidence.ravel(), strict=True)
    ]
    return {
        "title": f"Where the evidence for {label} is",
        "autosize": {"type": "pad"},
        "data": {"values": cells},
        "width": w * cell,
        "height": h * cell,
        "encoding": {
            "x": {"field": "c", "type": "ordinal", "axis": None},
            "y": {"field": "r", "type": "ordinal", "axis": None},
        },
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "ink",
                        "type": "quantitative",
                        "scale": {"range": ["white", "black"]},
                        "legend": None,
                    }
                },
            },
            {
                "mark": {"type": "rect", "opacity": OCCLUSION_OPACITY},
                "encoding": {
                    "color": {
                        "field": "drop",
                        "type": "quantitative",
                        "scale": {"scheme": DIVERGING, "domain": [-peak, peak], "reverse": True},
                        "title": f"drop in log-odds of {label}",
                    },
                    "tooltip": [
                        {"field": "r", "title": "row"},
                        {"field": "c", "title": "col"},
                        {"field": "drop", "type": "quantitative", "format": ".2f"},
                    ],
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
    }
