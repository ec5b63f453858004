"""Charts of dimensionality reduction (PCA and the autoencoder): projections, variance over a direction's angle,
loadings, scree plots, scatters of two components, and curves against the number of components kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from components.charts import ACCENT, FONT_SIZE, MUTED, PRIMARY, SERIES

SCATTER_SIZE = 340  # px: square PCA/latent scatters
EMBEDDING_SIZE = 520  # px: the word-embedding map
EXTRA_GROUPS = ["#d45087", "#665191"]  # named word groups beyond the SERIES colours
CLASS_SCHEME = "category10"  # one colour per digit class in the scatters


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
        encodings["color"] = alt.Color("label:N", title="class", scale=alt.Scale(scheme=CLASS_SCHEME))
        tooltip.append(alt.Tooltip("label:N", title="class"))
    tooltip += [alt.Tooltip("x:Q", title=x_title, format=".2f"), alt.Tooltip("y:Q", title=y_title, format=".2f")]
    return (
        alt.Chart(df)
        .mark_circle(size=28, opacity=0.75)
        .encode(**encodings, tooltip=tooltip)
        .properties(width=width, height=size, title=title)
    )


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


def embedding_scatter_chart(
    points: Sequence[Mapping], *, x_title: str = "PC1", y_title: str = "PC2", size: int = EMBEDDING_SIZE
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
        "scale": {"domain": [*groups, "other"], "range": [*[*SERIES, *EXTRA_GROUPS][: len(groups)], MUTED]},
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
