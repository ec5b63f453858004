"""Altair chart builders: data in, ``alt.Chart`` out. Colours and sizes live at the top.

The shared primitives come first; each page's own builders follow in its section.
"""

from __future__ import annotations

import json
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
CELL = 28  # default pixel size of one heatmap cell
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
# Colour anchors of the schemes drawn with numbers on their cells, low to high, to pick black or white text
# by the brightness of the cell under it (white on yellow viridis cells cannot be read).
SCHEME_ANCHORS = {
    "viridis": ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                "#b5de2b", "#fde725"],
    "redblue": ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de",
                "#4393c3", "#2166ac", "#053061"],
    "blues": ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
    "greys": ["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"],
    "gray": ["#000000", "#ffffff"],  # heatmap_chart(gray=True): 0 is black
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
    if annotate:
        df["ink"] = text_colours(values, "gray" if gray else scheme, (lo, hi), reverse=scheme == DIVERGING and not gray)
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
        layers.append(
            base.mark_text(fontSize=FONT_SIZE).encode(
                text=alt.Text("value:Q", format=fmt),
                color=alt.condition(alt.datum.ink == LIGHT_TEXT, alt.value(LIGHT_TEXT), alt.value(DARK_TEXT)),
            )
        )
    if highlight:
        wanted = {tuple(cell) for cell in highlight}
        marked = df[[(r, c) in wanted for r, c in zip(df.r, df.c, strict=True)]]
        layers.append(alt.Chart(marked).mark_rect(fill=None, stroke=ACCENT, strokeWidth=3).encode(x=x, y=y))
    # Sizes as steps per cell: Streamlit shrinks a layered chart with fixed pixel sizes.
    return alt.layer(*layers).properties(width=alt.Step(cell), height=alt.Step(cell), title=title)


def image_chart(
    image: np.ndarray, *, title: str = "", cell: int = 6, domain: tuple[float, float] | None = None
) -> alt.Chart:
    """A small grayscale image (2-D array) drawn as cells; good up to about 64×64."""
    return heatmap_chart(image, title=title, cell=cell, gray=True, domain=domain, legend=False)


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
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=SERIES)),
            tooltip=["series", "x", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(width=width, height=height, title=title)
    )


# --- dimensionality (PCA and autoencoder) ------------------------------------
import base64  # noqa: E402
import io  # noqa: E402

from PIL import Image  # noqa: E402

SCATTER_SIZE = 340  # px: square PCA/latent scatters
THUMBNAIL = 48  # px: digit images shown in tooltips


def image_data_url(image: np.ndarray, *, domain: tuple[float, float] = (0.0, 1.0), size: int = THUMBNAIL) -> str:
    """A small grayscale image as a PNG data URL (white ink on black), for tooltips."""
    lo, hi = domain
    pixels = np.clip((np.asarray(image, dtype=float) - lo) / (hi - lo), 0, 1)
    img = Image.fromarray((pixels * 255).astype(np.uint8), mode="L").resize((size, size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def projection_chart(
    points: np.ndarray, projected: np.ndarray, angle_deg: float, pc1_deg: float, *, size: int = SCATTER_SIZE
) -> dict:
    """A 2-D cloud, its projections onto the chosen direction (with the error segments), and PC1 dashed.

    A plain Vega-Lite dict: it is rebuilt for every new angle, and an Altair build would cost ~40 ms.
    """
    centre = points.mean(axis=0)
    reach = float(np.abs(points - centre).max()) * 1.1
    domain = [-reach, reach]
    p, q = points - centre, projected - centre
    cloud = [{"x": x, "y": y, "px": px, "py": py} for (x, y), (px, py) in zip(p.tolist(), q.tolist(), strict=True)]
    lines = []
    for deg, name in ((angle_deg, "your direction"), (pc1_deg, "PC1")):
        u = np.array([np.cos(np.deg2rad(deg)), np.sin(np.deg2rad(deg))]) * reach * 1.5
        lines += [{"x": -u[0], "y": -u[1], "line": name}, {"x": u[0], "y": u[1], "line": name}]
    names = ["your direction", "PC1"]
    scale = {"domain": domain, "clamp": True}
    x = {"field": "x", "type": "quantitative", "scale": scale, "title": "feature 1 (centred)"}
    y = {"field": "y", "type": "quantitative", "scale": scale, "title": "feature 2 (centred)"}
    return {
        "width": size,
        "height": size,
        "layer": [
            {
                "data": {"values": cloud},
                "mark": {"type": "rule", "color": MUTED, "strokeWidth": 0.8},
                "encoding": {"x": x, "y": y, "x2": {"field": "px"}, "y2": {"field": "py"}},
            },
            {
                "data": {"values": cloud},
                "mark": {"type": "circle", "size": 22, "color": PRIMARY, "opacity": 0.7},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": lines},
                "mark": {"type": "line", "clip": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "line",
                        "type": "nominal",
                        "scale": {"domain": names, "range": ["black", ACCENT]},
                        "legend": {"title": None, "orient": "top"},
                    },
                    "strokeDash": {
                        "field": "line",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [[1, 0], [6, 4]]},
                        "legend": None,
                    },
                    "detail": {"field": "line", "type": "nominal"},
                },
            },
            {
                "data": {"values": cloud},
                "mark": {"type": "circle", "size": 16, "color": "black"},
                "encoding": {"x": {**x, "field": "px"}, "y": {**y, "field": "py"}},
            },
        ],
    }


def variance_by_angle_chart(
    angles: np.ndarray, variances: np.ndarray, angle_deg: float, pc1_deg: float, *, height: int = SCATTER_SIZE + 60
) -> dict:
    """Variance of the projections against the direction's angle, your angle in black and PC1 in the accent.

    A plain Vega-Lite dict, like :func:`projection_chart`, because it changes with every angle.
    """
    curve = [{"angle": float(a), "variance": float(v)} for a, v in zip(angles, variances, strict=True)]
    marks = [{"angle": float(angle_deg), "what": "your direction"}, {"angle": float(pc1_deg), "what": "PC1 (maximum)"}]
    names = ["your direction", "PC1 (maximum)"]
    x = {"field": "angle", "type": "quantitative", "title": "direction (degrees)", "scale": {"domain": [0, 180]}}
    return {
        "width": "container",
        "height": height,
        "layer": [
            {
                "data": {"values": curve},
                "mark": {"type": "line", "color": PRIMARY},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "variance",
                        "type": "quantitative",
                        "title": "variance of the projections",
                        "scale": {"zero": True},
                    },
                    "tooltip": [
                        {"field": "angle", "type": "quantitative", "format": ".0f"},
                        {"field": "variance", "type": "quantitative", "format": ".3f"},
                    ],
                },
            },
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "x": x,
                    "color": {
                        "field": "what",
                        "type": "nominal",
                        "scale": {"domain": names, "range": ["black", ACCENT]},
                        "legend": {"title": None, "orient": "top"},
                    },
                    "strokeDash": {
                        "field": "what",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [[1, 0], [6, 4]]},
                        "legend": None,
                    },
                },
            },
        ],
    }


def loadings_chart(
    feature_names: Sequence[str], loadings: np.ndarray, reference: np.ndarray | None = None, *, title: str = ""
) -> alt.Chart:
    """PC1's weight on each feature as bars; ``reference`` (e.g. before a change) as black ticks."""
    df = pd.DataFrame({"feature": list(feature_names), "weight": loadings})
    x = alt.X("weight:Q", scale=alt.Scale(domain=[-1, 1]), title="weight in PC1")
    y = alt.Y("feature:N", sort=None, title=None)
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=alt.condition(alt.datum.weight > 0, alt.value(ACCENT), alt.value(PRIMARY)),
            tooltip=["feature", alt.Tooltip("weight:Q", format=".3f")],
        )
    )
    chart = bars
    if reference is not None:
        ref = pd.DataFrame({"feature": list(feature_names), "weight": reference})
        chart = bars + alt.Chart(ref).mark_tick(color="black", thickness=2).encode(x=x, y=y)
    return chart.properties(width="container", height=24 * len(df) + 50, title=title)


def scree_chart(ratio: np.ndarray, k: int, marks: Mapping[str, int], *, max_bars: int = 64) -> alt.Chart:
    """Explained variance per component (bars, chosen k in the accent) and the cumulative share (line).

    ``marks`` maps a label such as "95%" to the k that reaches it; each gets a dashed rule.
    """
    shown = min(len(ratio), max_bars)
    ks = np.arange(1, shown + 1)
    df = pd.DataFrame({"k": ks, "share": ratio[:shown], "cumulative": np.cumsum(ratio)[:shown], "kept": ks <= k})
    x = alt.X("k:Q", title="component", scale=alt.Scale(domain=[0.5, shown + 0.5]), axis=alt.Axis(tickMinStep=1))
    y = alt.Y("share:Q", title="share of the variance", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    bars = (
        alt.Chart(df)
        .mark_bar(size=max(3, min(30, 480 // shown)))
        .encode(
            x=x,
            y=y,
            color=alt.condition(alt.datum.kept, alt.value(ACCENT), alt.value(MUTED)),
            tooltip=[
                alt.Tooltip("k:Q", title="component"),
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("cumulative:Q", format=".1%"),
            ],
        )
    )
    line = (
        alt.Chart(df)
        .mark_line(color=PRIMARY, point=shown <= 20)
        .encode(x=x, y=alt.Y("cumulative:Q", axis=alt.Axis(format="%")), tooltip=["k", "cumulative"])
    )
    by_k: dict[int, list[str]] = {}
    for name, v in marks.items():
        by_k.setdefault(int(v), []).append(name)
    # Stagger the labels downwards so that nearby ks do not print on top of each other.
    rows = [
        {"k": v, "label": f"{', '.join(names)}: k={v}", "y": 0.55 - 0.12 * i}
        for i, (v, names) in enumerate(sorted(by_k.items()))
    ]
    rules = alt.Chart(pd.DataFrame(rows)).mark_rule(strokeDash=[4, 3], color="black").encode(x="k:Q")
    labels = (
        alt.Chart(pd.DataFrame(rows))
        .mark_text(align="left", dx=4, fontSize=FONT_SIZE)
        .encode(x="k:Q", y=alt.Y("y:Q"), text="label:N")
    )
    return (bars + line + rules + labels).properties(width="container", height=320)


def pc_scatter_chart(
    df: pd.DataFrame | Mapping[str, Sequence],
    *,
    x_title: str,
    y_title: str,
    size: int = SCATTER_SIZE,
    title: str = "",
    width: int | str = "container",
) -> alt.Chart:
    """Points in a 2-D reduced space; columns x, y, optional label (colour) and image (a data-URL tooltip)."""
    df = pd.DataFrame(df)
    tooltip = []
    if "image" in df:
        tooltip.append(alt.Tooltip("image:N"))
    encodings = {
        "x": alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        "y": alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
    }
    if "label" in df:
        encodings["color"] = alt.Color("label:N", title="class", scale=alt.Scale(scheme="category10"))
        tooltip.append(alt.Tooltip("label:N", title="class"))
    tooltip += [alt.Tooltip("x:Q", title=x_title, format=".2f"), alt.Tooltip("y:Q", title=y_title, format=".2f")]
    return (
        alt.Chart(df)
        .mark_circle(size=28, opacity=0.75)
        .encode(**encodings, tooltip=tooltip)
        .properties(width=width, height=size, title=title)
    )


def image_tiles(images: Sequence[np.ndarray], *, signed: bool = False, size: int = 64) -> list[bytes]:
    """Small images as crisp PNG tiles for ``st.image`` (much lighter than one chart per image).

    Unsigned images are grayscale in [0, 1]; ``signed`` ones map negative to blue and positive to red.
    """
    tiles = []
    for image in images:
        image = np.asarray(image, dtype=float)
        if signed:
            t = np.clip(image / (np.abs(image).max() or 1.0), -1, 1)[..., None]
            red, blue = np.array([0.80, 0.15, 0.15]), np.array([0.15, 0.35, 0.80])
            rgb = np.where(t > 0, 1 - t * (1 - red), 1 + t * (1 - blue))  # white at zero
        else:
            rgb = np.repeat(np.clip(image, 0, 1)[..., None], 3, axis=2)
        pil = Image.fromarray((rgb * 255).astype(np.uint8), mode="RGB").resize((size, size), Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        pil.save(buffer, format="PNG")
        tiles.append(buffer.getvalue())
    return tiles


def k_curves_chart(
    ks: Sequence[int],
    series: Mapping[str, Sequence[float]],
    *,
    y_title: str,
    mark_k: int | None = None,
    baselines: Mapping[str, float] | None = None,
    percent: bool = False,
    log_x: bool = False,
    zero: bool = False,
    height: int = 300,
) -> alt.Chart:
    """Named curves against k, an optional marker at the chosen k, and dashed horizontal baselines."""
    frames = [pd.DataFrame({"k": list(ks), "value": list(v), "series": name}) for name, v in series.items()]
    df = pd.concat(frames, ignore_index=True)
    fmt = ".1%" if percent else ".4g"
    axis = alt.Axis(format="%") if percent else alt.Axis()
    x = alt.X("k:Q", title="k (components kept)", scale=alt.Scale(type="log") if log_x else alt.Scale())
    y = alt.Y("value:Q", title=y_title, axis=axis, scale=alt.Scale(zero=zero))
    names = list(series) + list(baselines or {})
    legend = alt.Legend(orient="top", columns=2, labelLimit=260)
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=SERIES), legend=legend)
    layers = [
        alt.Chart(df)
        .mark_line(point=len(ks) <= 20)
        .encode(x=x, y=y, color=colour, tooltip=["series", "k", alt.Tooltip("value:Q", format=fmt)])
    ]
    if baselines:
        base = pd.DataFrame({"series": list(baselines), "value": list(baselines.values())})
        layers.append(alt.Chart(base).mark_rule(strokeDash=[6, 4]).encode(y="value:Q", color=colour))
    if mark_k is not None:
        marked = df[df["k"] == mark_k]
        layers.append(alt.Chart(marked).mark_point(size=120, filled=True, color="black").encode(x=x, y=y))
    return alt.layer(*layers).properties(width="container", height=height)


def error_bars_chart(errors: Mapping[str, float], *, title: str = "", fmt: str = ".4f") -> alt.Chart:
    """Horizontal bars comparing one error per method, lowest in the accent colour."""
    df = pd.DataFrame({"method": list(errors), "error": list(errors.values())})
    df["best"] = df["error"] <= df["error"].min()
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("error:Q", title="reconstruction MSE (test digits)"),
            y=alt.Y("method:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
            color=alt.condition(alt.datum.best, alt.value(ACCENT), alt.value(PRIMARY)),
            tooltip=["method", alt.Tooltip("error:Q", format=fmt)],
        )
    )
    text = bars.mark_text(align="left", dx=3, fontSize=FONT_SIZE).encode(text=alt.Text("error:Q", format=fmt))
    return (bars + text).properties(width="container", height=40 * len(df) + 60, title=title)


# --- kernels (convolution playground) ----------------------------------------
# The interactive grids below are written as plain Vega-Lite dicts, not Altair: building and validating
# five Altair heatmaps costs ~150 ms, far too slow for a slider that moves a window; a dict costs ~1 ms.
EMPTY_FILL = "#eef1f3"  # cells with no value: zero padding, feature-map cells not computed yet


def _heatmap_view(
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
) -> dict:
    """One heatmap as a Vega-Lite view; NaN cells are drawn empty (grey, no number).

    With ``col_labels`` / ``row_labels`` every column / row is labelled (columns are positions, so a word
    that appears twice keeps two columns; slanted labels are never thinned out).
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
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
        x |= {"title": None, "axis": {"labelExpr": f"{names}[datum.value]", "labelAngle": -40, "labelOverlap": False,
                                      "ticks": False, "domain": False}}  # fmt: skip
    if row_labels is not None:
        names = json.dumps([str(n) for n in row_labels])
        y |= {"title": None, "axis": {"labelExpr": f"{names}[datum.value]", "ticks": False}}
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
                    "legend": {"title": None} if legend else None,
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
        "height": rows * (row_height or cell),
        "data": {"values": records},
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}},
    }


def heatmap_grid_chart(rows: Sequence[Sequence[Mapping]], *, spacing: int = 12) -> dict:
    """Rows of small heatmaps side by side, as a Vega-Lite spec for ``st.vega_lite_chart``.

    Each panel is a dict with ``values`` and optional ``title``, ``annotate``, ``fmt``, ``scheme``, ``domain``,
    ``cell``, ``highlight`` (accent-outlined (row, col) cells) and ``legend``. NaN cells are drawn empty.
    """
    lines = [{"hconcat": [_heatmap_view(**panel) for panel in row], "spacing": spacing} for row in rows]
    body = lines[0] if len(lines) == 1 else {"vconcat": lines, "spacing": spacing}
    return {**body, "resolve": {"scale": {"color": "independent"}}, "config": {"view": {"stroke": None}}}


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
    view = _heatmap_view(shown, title=title, fmt=".0f", scheme="blues", domain=(0, top), cell=cell, highlight=highlight)
    return {"hconcat": [view], "config": {"view": {"stroke": None}}}  # a concat keeps its own width in Streamlit


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
    return {"hconcat": [view], "config": {"view": {"stroke": None}}}


# --- draw (CNN classifiers) --------------------------------------------------
_MAP_COLOURS = np.array(  # viridis anchors: dark for 0, yellow for the strongest response of the layer
    [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=float
)


def feature_grid_image(
    maps: np.ndarray, *, columns: int = 8, scale: int = 4, signed: bool = False, gap: int = 1
) -> np.ndarray:
    """Channels (C, H, W) tiled into one RGB uint8 image for ``st.image``, one shared colour scale per grid.

    Unsigned maps (after ReLU) use viridis; ``signed`` ones (kernels) go blue (negative), white (0), red (positive).
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"feature_grid_image needs (C, H, W), got shape {maps.shape}")
    c, h, w = maps.shape
    columns = max(1, min(columns, c))
    rows = -(-c // columns)
    peak = float(np.abs(maps).max()) or 1.0
    if signed:
        t = np.clip(maps / peak, -1, 1)[..., None]
        red, blue = np.array([200, 40, 40]), np.array([40, 90, 200])
        rgb = np.where(t > 0, 255 - t * (255 - red), 255 + t * (255 - blue))
    else:
        t = np.clip(maps / peak, 0, 1) * (len(_MAP_COLOURS) - 1)
        low = np.floor(t).astype(int).clip(0, len(_MAP_COLOURS) - 2)
        frac = (t - low)[..., None]
        rgb = _MAP_COLOURS[low] * (1 - frac) + _MAP_COLOURS[low + 1] * frac
    canvas = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), 255.0)
    for i in range(c):
        r, col = divmod(i, columns)
        canvas[r * (h + gap) : r * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = rgb[i]
    image = canvas.astype(np.uint8)
    if scale > 1:  # crisp square pixels: the browser would blur a small image it has to stretch
        big = Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.Resampling.NEAREST)
        image = np.asarray(big)
    return image


def png_bytes(image: np.ndarray, *, box: int | None = None) -> bytes:
    """An image (H, W) in [0, 1] or (H, W, 3) uint8 as PNG bytes for ``st.image``.

    With ``box`` the image is scaled (keeping its shape) so its longer side is ``box`` pixels: averaged when
    shrinking, square pixels when enlarging, so small grids stay crisp instead of being blurred by the browser.
    """
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0, 1) * 255).astype(np.uint8)
    pil = Image.fromarray(array)
    if box is not None:
        scale = box / max(pil.width, pil.height)
        size = (max(1, round(pil.width * scale)), max(1, round(pil.height * scale)))
        pil = pil.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


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


_GRID_AXES = {  # row 0 at the top, no axes: the cells are pixels
    "x": {"field": "c", "type": "ordinal", "axis": None},
    "y": {"field": "r", "type": "ordinal", "axis": None},
}


def _cells(**grids: np.ndarray) -> list[dict]:
    first = next(iter(grids.values()))
    r, c = np.indices(first.shape)
    columns = {"r": r.ravel().tolist(), "c": c.ravel().tolist()}
    columns.update({k: np.round(np.asarray(v, dtype=float).ravel(), 3).tolist() for k, v in grids.items()})
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def input_grid_chart(grid: np.ndarray, *, annotate: bool = False, fmt: str = ".2f", cell: int = 8) -> dict:
    """The network's input grid as viridis cells, optionally with its numbers printed (a Vega-Lite dict)."""
    grid = np.asarray(grid, dtype=float)
    h, w = grid.shape
    hi = float(grid.max()) or 1.0
    value = {"field": "v", "type": "quantitative"}
    layers: list[dict] = [
        {
            "mark": "rect",
            "encoding": {
                "color": {**value, "scale": {"scheme": SEQUENTIAL, "domain": [0, hi]}, "legend": None},
                "tooltip": [{"field": "r", "title": "row"}, {"field": "c", "title": "col"}, {**value, "format": fmt}],
            },
        }
    ]
    if annotate:
        layers.append(
            {
                "mark": {"type": "text", "fontSize": FONT_SIZE},
                "encoding": {
                    "text": {**value, "format": fmt},
                    "color": INK_BY_CELL,
                },
            }
        )
    return {
        "autosize": {"type": "pad"},  # the cells keep their size; the legend and title add to it
        "data": {
            "values": [
                {**cell, "ink": ink}
                for cell, ink in zip(_cells(v=grid), text_colours(grid, SEQUENTIAL, (0, hi)), strict=True)
            ]
        },
        "width": w * cell,
        "height": h * cell,
        "encoding": _GRID_AXES,
        "layer": layers,
    }


def occlusion_chart(image: np.ndarray, drop: np.ndarray, *, label: str, cell: int = 10) -> dict:
    """The network input in gray with the occlusion drop on top: red where hiding a patch hurts the answer."""
    image, drop = np.asarray(image, dtype=float), np.asarray(drop, dtype=float)
    peak = max(float(np.abs(drop).max()), 1e-6)
    h, w = image.shape
    return {
        "title": f"Where the evidence for {label} is",
        "autosize": {"type": "pad"},
        "data": {"values": _cells(ink=image, drop=drop)},
        "width": w * cell,
        "height": h * cell,
        "encoding": _GRID_AXES,
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
                "mark": {"type": "rect", "opacity": 0.65},
                "encoding": {
                    "color": {
                        "field": "drop",
                        "type": "quantitative",
                        "scale": {"scheme": DIVERGING, "domain": [-peak, peak], "reverse": True},
                        "title": f"drop in log P({label})",
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


# --- next word (language models) ---------------------------------------------
def unique_labels(tokens: Sequence[str]) -> list[str]:
    """Axis labels for tokens that may repeat ("the", "the"): each gets its position, "3 the"."""
    return [f"{i} {tok}" for i, tok in enumerate(tokens, start=1)]


def units_by_tokens_chart(
    values: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str = "",
    domain: tuple[float, float] = (0.0, 1.0),
    scheme: str = SEQUENTIAL,
    col_width: int = 34,
    row_height: int = 7,
) -> alt.Chart:
    """A (tokens × units) array drawn as units (rows) × tokens (columns): one column per word read."""
    values = np.asarray(values, dtype=float)
    labels = unique_labels(tokens)
    t_idx, u_idx = np.indices(values.shape)
    df = pd.DataFrame({"token": np.array(labels)[t_idx.ravel()], "unit": u_idx.ravel(), "value": values.ravel()})
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("token:O", sort=labels, title=None, axis=alt.Axis(labelAngle=-45, labelLimit=90)),
            y=alt.Y("unit:O", title="unit", axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color(
                "value:Q",
                scale=alt.Scale(scheme=scheme, domain=list(domain), reverse=scheme == DIVERGING),
                legend=alt.Legend(title=None, gradientLength=80),
            ),
            tooltip=["token", "unit", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(width=alt.Step(col_width), height=alt.Step(row_height), title=title)
    )


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


def dot_label(text: str) -> str:
    """``text`` as a safe double-quoted Graphviz string (backslashes, quotes and line breaks escaped)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unrolled_graph_dot(tokens: Sequence[str], predictions: Sequence[tuple[str, float]]) -> str:
    """The RNN unrolled over the tokens as a DOT graph: x_t -> h_t -> y_t, and h_{t-1} -> h_t across time."""
    lines = [
        "digraph G {",
        "rankdir=BT; nodesep=0.25; ranksep=0.35;",
        'node [fontname="Helvetica", fontsize=11];',
        'edge [fontname="Helvetica", fontsize=9, color="#5f6b73"];',
    ]
    for t, (tok, (word, prob)) in enumerate(zip(tokens, predictions, strict=True), start=1):
        lines.append(f'x{t} [shape=box, style=filled, fillcolor="#eef4f8", label={dot_label(f"x{t}: {tok}")}];')
        lines.append(f'h{t} [shape=circle, style=filled, fillcolor="{PRIMARY}", fontcolor=white, label="h{t}"];')
        guess = dot_label(f"ŷ{t}: {word} {prob:.0%}")
        lines.append(f'y{t} [shape=box, style="rounded,filled", fillcolor="#fdece7", label={guess}];')
        lines.append(f"x{t} -> h{t}; h{t} -> y{t};")
        if t > 1:
            lines.append(f'h{t - 1} -> h{t} [color="{ACCENT}", penwidth=2, label="W_hh"];')
    lines.append("{rank=same; " + " ".join(f"h{t};" for t in range(1, len(tokens) + 1)) + "}")
    lines.append("}")
    return "\n".join(lines)


# --- text and speech ---------------------------------------------------------
WORD_CELL = 44  # px per word column: wide enough that every word's label shows under its cell


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
    view = _heatmap_view(
        values, title=title, fmt=fmt, scheme=scheme, domain=domain, cell=cell, highlight=highlight,
        col_labels=words, row_labels=row_labels, row_height=30,
    )  # fmt: skip
    return {"hconcat": [view], "config": {"view": {"stroke": None}}}


# --- draw: occlusion evidence (added by the draw page) ---------------------------------------------------------
def occlusion_evidence_chart(image: np.ndarray, evidence: np.ndarray, *, label: str, cell: int = 10) -> dict:
    """:func:`occlusion_chart` for evidence measured as the drop in the answer's log-odds (not in log P)."""
    spec = occlusion_chart(image, evidence, label=label, cell=cell)
    spec["layer"][1]["encoding"]["color"]["title"] = f"drop in log-odds of {label}"
    return spec


# --- next word: word embeddings through PCA (added by the next-word page) ---------------------------------
def embedding_scatter_chart(
    points: Sequence[Mapping], *, x_title: str = "PC1", y_title: str = "PC2", size: int = 520
) -> dict:
    """Words on a 2-D PCA map: hover shows the word; ``group`` colours named groups, ``focus`` words get a label.

    Each point is {"x", "y", "word", "group" (a name or "other"), "focus" (bool)}. A plain Vega-Lite dict, so
    a new search term re-draws without an Altair build.
    """
    groups = sorted({p["group"] for p in points} - {"other"})
    colour = {
        "field": "group",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [*groups, "other"], "range": [*[*SERIES, "#d45087", "#665191"][: len(groups)], MUTED]},
        "legend": {"orient": "bottom", "columns": 4, "labelLimit": 200},
    }
    axis = {"type": "quantitative", "scale": {"zero": False}}
    return {
        "width": size,
        "height": size,
        "data": {"values": [dict(p) for p in points]},
        "encoding": {"x": {"field": "x", **axis, "title": x_title}, "y": {"field": "y", **axis, "title": y_title}},
        "layer": [
            {
                "mark": {"type": "circle", "size": 46, "opacity": 0.8},
                "encoding": {
                    "color": colour,
                    "tooltip": [{"field": "word"}, {"field": "group"}],
                },
            },
            {
                "transform": [{"filter": "datum.focus"}],
                "mark": {"type": "circle", "size": 140, "filled": False, "color": ACCENT, "strokeWidth": 2},
            },
            {
                "transform": [{"filter": "datum.focus"}],
                "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": FONT_SIZE, "color": ACCENT},
                "encoding": {"text": {"field": "word"}},
            },
        ],
    }
