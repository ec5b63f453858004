"""The lab's chart palette and type sizes (top), and its line and bar charts: data in, Vega-Lite spec out.

Every chart module draws with these colours; ``with_readable_text`` gives every spec the minimum type size.
Heatmaps are in ``heatmaps``, PCA charts in ``pca_charts``, PNG pictures in ``images``, DOT graphs in ``diagrams``.
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
DIVERGING = "redblue"  # signed values (kernel weights, products); reversed so positive is red
PIXEL_GREY = "gray"  # pixel values of photos: 0 black … 255 white (kernels page heatmaps)
INK_GREY = "greys"  # ±1 pixels of the X/O grid: +1 ink dark, −1 background white
SEQUENTIAL = "viridis"  # non-negative magnitudes (feature maps after ReLU, variance)
INK_CELL = "#1d2b36"  # a selected (+1 ink) cell of the clickable X/O grid: dark, like the +1 pixels on the slide
FONT_SIZE = 13  # the smallest text any chart draws (axis labels, legends, numbers in cells)
TITLE_SIZE = 15
# Applied to every Vega-Lite spec the pages draw (see ``with_readable_text``): a minimum type size, and no
# truncated legends or titles. Text colours are left to Streamlit's theme, so charts read in light and dark.
CHART_CONFIG = {
    "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelLimit": 240},
    "legend": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelLimit": 0, "symbolLimit": 0},
    "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
    "title": {"fontSize": TITLE_SIZE, "limit": 0, "anchor": "start"},
    "text": {"fontSize": FONT_SIZE},
}


def standalone(view: dict) -> dict:
    """One view as a whole spec that keeps its own size (Streamlit stretches a plain view, not a concat)."""
    return {"hconcat": [view], "config": {"view": {"stroke": None}}}


def scaled_text(spec: dict, factor: float) -> dict:
    """``spec`` with every font size in its ``config`` multiplied by ``factor`` (presenter mode)."""
    config = {
        key: {k: round(v * factor) if "FontSize" in k or k == "fontSize" else v for k, v in value.items()}
        if isinstance(value, dict)
        else value
        for key, value in spec.get("config", {}).items()
    }
    return {**spec, "config": config}


def with_readable_text(spec: dict) -> dict:
    """``spec`` with the lab's minimum type sizes merged under its own ``config`` (the spec's own values win)."""
    config = {key: dict(value) for key, value in CHART_CONFIG.items()}
    for key, value in spec.get("config", {}).items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return {**spec, "config": config}


def probability_chart(
    probs: Mapping[str, float] | Sequence[tuple[str, float]],
    *,
    title: str = "",
    width: int = 360,
    step: int = 26,
) -> dict:
    """Horizontal probability bars, largest first, each with its value, the top one in the accent colour.

    Takes a class → probability mapping or (word, p) pairs, in any order. The label order is given to the
    scale explicitly: with ``sort: null`` Vega keeps the order it first saw when the chart's data is updated
    in place, so bars drawn after a new prompt came out unsorted. The axis ends just past the largest bar
    (never beyond 100 %), so an 11 % guess is a readable bar, not a stub. A plain dict costs well under a
    millisecond where an Altair build costs about 20 ms.
    """
    items = sorted(((str(k), float(p)) for k, p in (probs.items() if isinstance(probs, Mapping) else probs)),
                   key=lambda item: -item[1])  # fmt: skip
    best = items[0][1] if items else 0.0
    top = 1.0 if best > 0.7 else min(1.0, np.ceil((best + 0.08) * 10) / 10)
    rows = [
        {"label": label, "probability": round(p, 4), "top": i == 0, "text": f"{p:.0%}" if p >= 0.095 else f"{p:.1%}"}
        for i, (label, p) in enumerate(items)
    ]
    labels = [row["label"] for row in rows]
    percent = {"field": "probability", "type": "quantitative"}
    return {
        "title": title,
        "data": {"values": rows},
        "width": width,
        "height": {"step": step},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": labels, "scale": {"domain": labels}, "title": None},
            "x": {**percent, "scale": {"domain": [0, top]}, "axis": {"format": "%", "tickCount": 5}, "title": None},
        },
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "color": {"condition": {"test": "datum.top", "value": ACCENT}, "value": PRIMARY},
                    "tooltip": [{"field": "label"}, {**percent, "format": ".1%"}],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": FONT_SIZE},
                "encoding": {"text": {"field": "text"}},
            },
        ],
    }


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
            x=alt.X("x:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d")),  # epochs, steps: whole
            y=alt.Y("value:Q", title=y_title, scale=y_scale),
            # Colours in the order given, not alphabetical: a series named first is the same colour in every chart.
            color=alt.Color("series:N", title=None, sort=list(data), scale=alt.Scale(domain=list(data), range=SERIES)),
            tooltip=["series", "x", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(width=width, height=height, title=title)
    )


def transform_probe_chart(
    values: Sequence[float], series: Mapping[str, Sequence[float]], *, x_title: str, label: str, mark: float
) -> dict:
    """P(label) against a transform (shift, angle, scale) for several models, the slider's value marked (Vega-Lite)."""
    rows = [
        {"x": float(x), "p": round(float(p), 4), "model": name}
        for name, ys in series.items()
        for x, p in zip(values, ys, strict=True)
    ]
    x = {"field": "x", "type": "quantitative", "title": x_title}
    return {
        "data": {"values": rows},
        "width": "container",
        "height": 200,
        "layer": [
            {
                "data": {"values": [{"x": float(mark)}]},
                "mark": {"type": "rule", "color": MUTED, "strokeDash": [4, 3]},
                "encoding": {"x": x},
            },
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "p",
                        "type": "quantitative",
                        "title": f"P({label})",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                    },
                    "color": {
                        "field": "model",
                        "type": "nominal",
                        "title": None,
                        "scale": {"range": SERIES},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [{"field": "model"}, x, {"field": "p", "type": "quantitative", "format": ".1%"}],
                },
            },
        ],
    }


def recall_chart(accuracy: Mapping[str, Mapping[int, float]], *, chance: float, title: str = "") -> alt.Chart:
    """Recall accuracy against distance, one line per model, with the chance level dashed."""
    df = pd.DataFrame(
        [{"distance": d, "accuracy": a, "model": name} for name, by_d in accuracy.items() for d, a in by_d.items()]
    )
    lines = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("distance:Q", title="distance to the remembered word (tokens)"),
            y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="recall accuracy"),
            color=alt.Color("model:N", title=None, scale=alt.Scale(range=SERIES)),
            tooltip=["model", "distance", alt.Tooltip("accuracy:Q", format=".0%")],
        )
    )
    rule = alt.Chart(pd.DataFrame({"chance": [chance]})).mark_rule(strokeDash=[4, 4], color=MUTED).encode(y="chance:Q")
    return (rule + lines).properties(width="container", height=240, title=title)


def parameter_count_chart(counts: Mapping[str, int], *, width: int = 260) -> dict:
    """Parameter counts of layer types as horizontal bars on a log scale, with the numbers printed."""
    rows = [{"layer": name, "parameters": max(int(v), 1), "text": f"{int(v):,}"} for name, v in counts.items()]
    y = {"field": "layer", "type": "nominal", "sort": None, "title": None}
    top = max(r["parameters"] for r in rows) * 40  # room for the printed numbers
    x = {
        "field": "parameters",
        "type": "quantitative",
        "scale": {"type": "log", "domain": [1, top]},
        "axis": {"grid": False, "format": "~s", "tickCount": 5},
        "title": "parameters (log scale)",
    }
    view = {
        "width": width,
        "height": 36 * len(rows),
        "data": {"values": rows},
        "layer": [
            {"mark": {"type": "bar", "color": PRIMARY}, "encoding": {"y": y, "x": x, "x2": {"datum": 1}}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": FONT_SIZE},
                "encoding": {"y": y, "x": x, "text": {"field": "text"}},
            },
        ],
    }
    return standalone(view)
