"""The drawing pad: streamlit-drawable-canvas wrapped so that a page gets an RGBA array (or None) back."""

from __future__ import annotations

import numpy as np
import streamlit as st

try:  # the component is a runtime dependency, but a page should explain its absence rather than crash
    from streamlit_drawable_canvas import st_canvas
except ImportError:  # pragma: no cover - only without the package installed
    st_canvas = None

CANVAS_SIZE = 280  # pixels on each side
INK = "#000000"  # black ink ...
PAPER = "#ffffff"  # ... on white paper


def drawing_pad(key: str, *, stroke_width: int = 18, size: int = CANVAS_SIZE) -> np.ndarray | None:
    """A square canvas with the component's toolbar (undo, redo, clear); returns the drawing as RGBA uint8.

    The drawing is sent back when the pen is lifted. Returns None when nothing has been sent yet
    (a fresh canvas, or under AppTest, where custom components do not run).
    """
    if st_canvas is None:
        st.error("The drawing canvas (streamlit-drawable-canvas) is not installed, so there is nothing to draw on.")
        return None
    result = st_canvas(
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
    if image is None:
        return None
    image = np.asarray(image)
    if image.ndim == 2:  # a grayscale PNG: add colour channels and an opaque alpha
        image = np.dstack([image, image, image, np.full_like(image, 255)])
    return image.astype(np.uint8, copy=False)
