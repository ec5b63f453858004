"""Altair chart builders: data in, ``alt.Chart`` out. Colours and sizes live at the top.

The shared primitives come first; each page's own builders follow in its section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

ACCENT = "#e4572e"  # highlights: the chosen cell, the top class, PC1
PRIMARY = "#2e86ab"  # the main series
MUTED = "#b8c4cc"  # everything else
SERIES = ["#2e86ab", "#e4572e", "#76b041", "#f3a712", "#8e6c8a", "#17bebb"]  # one colour per model/series
DIVERGING = "redblue"  # signed values (kernels, ±1 pixels, weights); reversed so positive is red
SEQUENTIAL = "viridis"  # non-negative magnitudes (feature maps after ReLU, variance)
CELL = 28  # default pixel size of one heatmap cell
FONT_SIZE = 11


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
) -> alt.Chart:
    """A matrix as coloured cells (row 0 at the top), optionally with the numbers printed.

    ``highlight`` draws an accent outline around the listed (row, col) cells.
    ``gray`` shows it as a grayscale image (0 = black) instead of a colour scale.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"heatmap_chart needs a 2-D array, got shape {values.shape}")
    rows, cols = values.shape
    r_names = list(row_labels) if row_labels is not None else [str(i) for i in range(rows)]
    c_names = list(col_labels) if col_labels is not None else [str(j) for j in range(cols)]
    r_idx, c_idx = np.indices(values.shape)
    df = pd.DataFrame(
        {
            "row": np.array(r_names)[r_idx.ravel()],
            "col": np.array(c_names)[c_idx.ravel()],
            "r": r_idx.ravel(),
            "c": c_idx.ravel(),
            "value": values.ravel(),
        }
    )
    finite = values[np.isfinite(values)]
    lo, hi = domain if domain is not None else ((finite.min(), finite.max()) if finite.size else (0.0, 1.0))
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    if gray:
        scale = alt.Scale(range=["black", "white"], domain=[lo, hi])
    else:
        scale = alt.Scale(scheme=scheme, domain=[lo, hi], reverse=scheme == DIVERGING)
    x = alt.X(
        "col:O", sort=c_names, title=None, axis=alt.Axis(labels=col_labels is not None, ticks=False, labelAngle=0)
    )
    y = alt.Y("row:O", sort=r_names, title=None, axis=alt.Axis(labels=row_labels is not None, ticks=False))
    base = alt.Chart(df).encode(x=x, y=y)
    layers = [
        base.mark_rect().encode(
            color=alt.Color("value:Q", scale=scale, legend=alt.Legend(title=None) if legend and not gray else None),
            tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O"), alt.Tooltip("value:Q", format=fmt)],
        )
    ]
    if annotate:
        mid = (lo + hi) / 2
        layers.append(
            base.mark_text(fontSize=FONT_SIZE).encode(
                text=alt.Text("value:Q", format=fmt),
                color=alt.condition(
                    alt.datum.value > mid if gray else abs(alt.datum.value - mid) < (hi - lo) / 4,
                    alt.value("black"),
                    alt.value("white"),
                ),
            )
        )
    if highlight:
        wanted = {tuple(cell) for cell in highlight}
        marked = df[[(r, c) in wanted for r, c in zip(df.r, df.c, strict=True)]]
        layers.append(alt.Chart(marked).mark_rect(fill=None, stroke=ACCENT, strokeWidth=3).encode(x=x, y=y))
    return alt.layer(*layers).properties(width=cols * cell, height=rows * cell, title=title)


def image_chart(
    image: np.ndarray, *, title: str = "", cell: int = 6, domain: tuple[float, float] | None = None
) -> alt.Chart:
    """A small grayscale image (2-D array) drawn as cells; good up to about 64×64."""
    return heatmap_chart(image, title=title, cell=cell, gray=True, domain=domain, legend=False)


def probability_chart(
    probs: Mapping[str, float], *, title: str = "", top_k: int | None = None, width: int = 260
) -> alt.Chart:
    """Horizontal probability bars, the most likely class in the accent colour."""
    items = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)
    if top_k is not None:
        items = items[:top_k]
    df = pd.DataFrame(items, columns=["label", "probability"])
    df["top"] = df["probability"] >= df["probability"].max()
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None),
            y=alt.Y("label:N", sort=None, title=None),
            color=alt.condition(alt.datum.top, alt.value(ACCENT), alt.value(PRIMARY)),
            tooltip=["label", alt.Tooltip("probability:Q", format=".1%")],
        )
    )
    text = bars.mark_text(align="left", dx=3, fontSize=FONT_SIZE).encode(
        text=alt.Text("probability:Q", format=".0%"), color=alt.value("black")
    )
    return (bars + text).properties(width=width, height=max(22 * len(df), 40), title=title)


def curves_chart(
    data: Mapping[str, Sequence[float]],
    *,
    x_title: str = "epoch",
    y_title: str = "",
    title: str = "",
    log_y: bool = False,
    x_start: int = 1,
    width: int | str = "container",
    height: int = 220,
) -> alt.Chart:
    """Several named curves over a shared x axis (epochs, steps, k, ...)."""
    frames = [
        pd.DataFrame({"x": np.arange(x_start, x_start + len(ys)), "value": np.asarray(ys, dtype=float), "series": name})
        for name, ys in data.items()
        if len(ys)
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"x": [], "value": [], "series": []})
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    return (
        alt.Chart(df)
        .mark_line(point=len(df) < 60)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("value:Q", title=y_title, scale=y_scale),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=SERIES)),
            tooltip=["series", "x", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(width=width, height=height, title=title)
    )


# --- dimensionality (PCA and autoencoder) ------------------------------------


# --- kernels (convolution playground) ----------------------------------------


# --- draw (CNN classifiers) --------------------------------------------------


# --- next word (language models) ---------------------------------------------
