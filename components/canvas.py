"""The drawing pad: streamlit-drawable-canvas wrapped so that a page gets an RGBA array (or None) back."""

from __future__ import annotations

import numpy as np
import streamlit as st

try:  # the component is a runtime dependency, but a page should explain its absence rather than crash
    from streamlit_drawable_canvas import st_canvas
except ImportError:  # pragma: no cover - only without the package installed
    st_canvas = None

CANVAS_SIZE = 280  # pixels on each side
VISIT_KEY = "_lab_visit"  # session-state key: counts page visits (set by ``lesson.page_intro``)
_SAVED = "_lab_canvas_saved"  # session-state key: {pad key: the last drawing (canvas JSON and image)}
_ENTRY = "_lab_canvas_entry"  # session-state key: {pad key: (visit, the drawing the pad was restored with)}
INK = "#000000"  # black ink ...
PAPER = "#ffffff"  # ... on white paper


def drawing_pad(key: str, *, stroke_width: int = 18, size: int = CANVAS_SIZE) -> np.ndarray | None:
    """A square canvas with the component's toolbar (undo, redo, clear); returns the drawing as RGBA uint8.

    The drawing is sent back when the pen is lifted. Returns None when nothing has been sent yet
    (a fresh canvas, or under AppTest, where custom components do not run). The last drawing is kept for
    the session: leave the page and come back, and the pad shows it again.
    """
    if st_canvas is None:
        st.error("The drawing canvas (streamlit-drawable-canvas) is not installed, so there is nothing to draw on.")
        return None
    saved = st.session_state.setdefault(_SAVED, {})
    entries = st.session_state.setdefault(_ENTRY, {})
    visit = st.session_state.get(VISIT_KEY, 0)
    if entries.get(key, (None,))[0] != visit:  # back on the page: the pad starts from the last drawing
        entries[key] = (visit, saved.get(key))
    restored = entries[key][1]
    result = st_canvas(
        initial_drawing=restored["json"] if restored else None,  # the same object for the whole visit
        stroke_width=int(stroke_width),
        stroke_color=INK,
        background_color=PAPER,
        update_streamlit=True,  # send on pen lift (mouse up), not on every mouse move
        height=size,
        width=size,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    try:
        image = result.image_data
    except (RuntimeError, ValueError, OSError):  # an undecodable frame from the browser: treat as not drawn yet
        return None
    if image is None:  # nothing sent during this visit yet: the drawing the pad was restored with, if any
        return restored["image"] if restored else None
    if result.json_data is not None:
        saved[key] = {"json": result.json_data, "image": np.asarray(image).copy()}
    image = np.asarray(image)
    if image.ndim == 2:  # a grayscale PNG: add colour channels and an opaque alpha
        image = np.dstack([image, image, image, np.full_like(image, 255)])
    return image.astype(np.uint8, copy=False)


def strokes_drawn(key: str) -> int:
    """How many pen strokes the pad ``key`` has sent this session (0 before the first one)."""
    saved = st.session_state.get(_SAVED, {}).get(key)
    objects = (saved or {}).get("json", {}).get("objects", [])
    return sum(1 for obj in objects if str(obj.get("type", "")).lower() == "path")  # fabric 6 says "Path"
