"""PNG image builders for ``st.image``: arrays in, PNG bytes (or a data URL) out. Colour ramps live at the top.

A picture is far lighter than a chart with one cell per pixel: feature maps, kernels and digit tiles are drawn here.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

THUMBNAIL = 48  # px: digit images shown in chart tooltips
TILE = 64  # px: small digit tiles (eigen-digits, reconstructions)
GAP_RGB = 255.0  # the white gap between the tiles of a feature grid
# Signed values (kernels) go blue (negative), white (0), red (positive): the colours of a diverging scale's ends.
POSITIVE_RGB = np.array([200.0, 40.0, 40.0])
NEGATIVE_RGB = np.array([40.0, 90.0, 200.0])
# Non-negative values (feature maps after ReLU): viridis anchors, dark for 0, yellow for the strongest response.
VIRIDIS_RGB = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=float)


def signed_rgb(values: np.ndarray, peak: float | None = None) -> np.ndarray:
    """Signed values as RGB floats in 0…255: white at 0, full red at ``+peak``, full blue at ``-peak``."""
    values = np.asarray(values, dtype=float)
    peak = peak if peak is not None else float(np.abs(values).max())
    t = np.clip(values / (peak or 1.0), -1, 1)[..., None]
    return np.where(t > 0, 255 - t * (255 - POSITIVE_RGB), 255 + t * (255 - NEGATIVE_RGB))


def viridis_rgb(values: np.ndarray, peak: float) -> np.ndarray:
    """Non-negative values as RGB floats in 0…255 on viridis, 0 dark and ``peak`` yellow."""
    t = np.clip(np.asarray(values, dtype=float) / (peak or 1.0), 0, 1) * (len(VIRIDIS_RGB) - 1)
    low = np.floor(t).astype(int).clip(0, len(VIRIDIS_RGB) - 2)
    frac = (t - low)[..., None]
    return VIRIDIS_RGB[low] * (1 - frac) + VIRIDIS_RGB[low + 1] * frac


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


def image_data_url(image: np.ndarray, *, domain: tuple[float, float] = (0.0, 1.0), size: int = THUMBNAIL) -> str:
    """A small grayscale image as a PNG data URL (white ink on black), for chart tooltips."""
    lo, hi = domain
    pixels = (np.asarray(image, dtype=float) - lo) / (hi - lo)
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels, box=size)).decode()


def image_tiles(images: Sequence[np.ndarray], *, signed: bool = False, size: int = TILE) -> list[bytes]:
    """Small images as crisp PNG tiles for ``st.image`` (much lighter than one chart per image).

    Unsigned images are grayscale in [0, 1]; ``signed`` ones map negative to blue and positive to red.
    """
    return [
        png_bytes(signed_rgb(image).astype(np.uint8) if signed else np.asarray(image, dtype=float), box=size)
        for image in images
    ]


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
    rgb = signed_rgb(maps, peak) if signed else viridis_rgb(maps, peak)
    canvas = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), GAP_RGB)
    for i in range(c):
        r, col = divmod(i, columns)
        canvas[r * (h + gap) : r * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = rgb[i]
    image = canvas.astype(np.uint8)
    if scale > 1:  # crisp square pixels: the browser would blur a small image it has to stretch
        big = Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.Resampling.NEAREST)
        image = np.asarray(big)
    return image


def app_icon(size: int = 64) -> Image.Image:
    """The tab's icon, drawn here so that nothing is fetched: Rohrer's 3×3 X kernel in the signed colours.

    A Material icon as the page icon is fetched from fonts.gstatic.com by the browser (the navigation's icons come
    with Streamlit's bundled font); offline, that request fails and the tab shows no icon.
    """
    kernel = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0], [1.0, -1.0, 1.0]])
    cell = size // 3
    rgb = np.kron(signed_rgb(kernel), np.ones((cell, cell, 1)))  # (3·cell, 3·cell, 3)
    rgb[cell::cell, :], rgb[:, cell::cell] = GAP_RGB, GAP_RGB  # white lines between the cells
    return Image.fromarray(rgb.astype(np.uint8), mode="RGB")
