"""Pictures for the kernel playground: a safe loader for uploads (PIL + numpy) and photos, and grey levels on a
fixed, stated display scale.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from models.convolution import check_image, check_kernel

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # bigger files are refused before decoding
MAX_DECODE_PIXELS = 40_000_000  # header says more than this: refuse (a decompression bomb or a poster scan)
MAX_SIDE = 512  # longer sides are downscaled to this, with a note


@dataclass(frozen=True)
class LoadedImage:
    """A grayscale image in [0, 1] ready for the playground, and a note on what was done to it (or "")."""

    pixels: np.ndarray  # (H, W) float in [0, 1], 0 = black
    note: str  # e.g. "Downscaled from 4000×3000 to 512×384." or ""


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """An (H, W, 3) uint8 photo as (H, W) luminance in [0, 1] (ITU-R 601 weights, as PIL's "L" mode)."""
    rgb = np.asarray(rgb, dtype=float)
    if rgb.ndim == 2:
        return rgb / 255.0
    return (rgb[..., :3] @ np.array([0.299, 0.587, 0.114])) / 255.0


def resize(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink a [0, 1] image so its longer side is at most ``max_side`` (area averaging); small images are kept."""
    image = check_image(image)
    h, w = image.shape
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    pil = Image.fromarray(np.asarray(image, dtype=np.float32), mode="F")
    return np.asarray(pil.resize(size, Image.Resampling.BOX), dtype=float)


def load_image(data: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_UPLOAD_BYTES) -> LoadedImage:
    """Decode an uploaded file into a grayscale [0, 1] array, safely; ValueError with a clear message if it can't."""
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("The image is too large to open safely (a decompression bomb?).") from None
    except Exception:  # PIL raises many kinds of errors on damaged or crafted files
        raise ValueError("This file could not be read as an image (it may be damaged or not an image).") from None
    w, h = im.size
    if w * h > MAX_DECODE_PIXELS:
        raise ValueError(
            f"The image claims to be {w}×{h} pixels, too large to open safely "
            f"(limit {MAX_DECODE_PIXELS / 1e6:.0f} megapixels)."
        )
    try:
        with warnings.catch_warnings(), im:
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            frames = getattr(im, "n_frames", 1)
            im.seek(0)  # animated GIF/WebP: the first frame
            im.draft("L", (max_side, max_side))  # JPEG: decode at a reduced size, much faster
            gray = _as_gray(ImageOps.exif_transpose(im))
    except Exception:
        raise ValueError("This file could not be decoded as an image (it may be damaged or truncated).") from None
    notes = []
    if frames > 1:
        notes.append(f"Animated image: using the first of its {frames} frames.")
    if max(gray.shape) > max_side:
        small = resize(gray, max_side)
        notes.append(f"Downscaled from {w}×{h} to {small.shape[1]}×{small.shape[0]} pixels.")
        gray = small
    return LoadedImage(np.clip(gray, 0.0, 1.0), " ".join(notes))


DISPLAY_SCALES = {  # how a picture's values become grey levels (values are in pixel units: 1.0 = 255)
    "clip": "0 is black and 255 white; values outside 0…255 are clipped",
    "signed": "0 is mid-grey, +255 white and −255 black; values beyond ±255 are clipped",
}


def display_scale(kernel: np.ndarray) -> str:
    """ "signed" for a kernel whose weights add up to 0 (an edge or gradient detector), "clip" for any other."""
    return "signed" if abs(float(np.sum(check_kernel(kernel)))) < 1e-9 else "clip"


def to_display(image: np.ndarray, width: int | None = None, scale: str = "clip") -> np.ndarray:
    """Values in pixel units (1.0 = 255) as 0…255 grey levels on a fixed ``scale`` (see DISPLAY_SCALES), optionally
    resized to ``width`` (sharp pixels when enlarged)."""
    image = check_image(image)
    if scale not in DISPLAY_SCALES:
        raise ValueError(f"The display scale must be one of {', '.join(DISPLAY_SCALES)}, got {scale!r}.")
    levels = (image + 1.0) / 2.0 if scale == "signed" else image
    out = np.round(np.clip(levels, 0.0, 1.0) * 255).astype(np.uint8)
    if width is None or width == out.shape[1]:
        return out
    height = max(1, round(out.shape[0] * width / out.shape[1]))
    method = Image.Resampling.NEAREST if width > out.shape[1] else Image.Resampling.BOX
    return np.asarray(Image.fromarray(out).resize((width, height), method))


def clipped_share(image: np.ndarray, scale: str = "clip") -> float:
    """The share of pixels whose value lies outside the display scale (drawn as pure black or white)."""
    image = check_image(image)
    lo, hi = (-1.0, 1.0) if scale == "signed" else (0.0, 1.0)
    return float(np.mean((image < lo - 1e-9) | (image > hi + 1e-9)))


def _as_gray(im: Image.Image) -> np.ndarray:
    """Any PIL mode (RGB, RGBA, CMYK, P, LA, I;16, F, 1) as a [0, 1] float array; transparency becomes white."""
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(im, dtype=float)
        lo, hi = float(arr.min()), float(arr.max())
        return (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    return np.asarray(im.convert("L"), dtype=float) / 255.0
