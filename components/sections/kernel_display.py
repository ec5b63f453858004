"""How the kernel playground draws: grey pictures on a fixed scale, rows of small annotated heatmaps, and settings
that survive leaving the page (and are in its link)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import charts, heatmaps, kernel_getters, lesson
from models.kernel_lessons import ChosenImage

KEEP = {"persist_state": "session", "bind": "query-params"}  # a setting survives leaving the page and is in the link
SHOW, MEDIUM, SMALL = 300, 220, 160  # pixels: how wide images are shown


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
