"""Drawings to 8×8 digit grids, made the way sklearn's ``load_digits`` set was made, plus synthetic stroke digits.

The bundled set (UCI optdigits) was built by cropping each scanned digit to its ink, fitting it into a 32×32 box,
binarising it and counting the ink pixels in each 4×4 block, which gives an 8×8 grid of counts 0–16.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from models.shapes import Stroke, arc_points, render_strokes

BOX = 32  # side of the box the cropped ink is fitted into
BLOCK = 4  # side of the blocks whose ink is counted
GRID = BOX // BLOCK  # 8: side of the final grid
INK_THRESHOLD = 0.2  # ink level that counts when cropping
BINARY_THRESHOLD = 0.35  # ink level that becomes a 1 in the binarised box
MAX_SIDE = 4096  # larger images are refused: they cannot come from the canvas and would cost memory
MIN_SIDE = 8  # smaller images carry no drawing worth classifying
MIN_INK_SHARE = 0.0015  # below this much ink (share of the image area) a drawing counts as blank
MIN_EXTENT = 0.08  # ... or when its bounding box spans less than this share of the image side (a dot)


def to_ink(image: np.ndarray) -> np.ndarray:
    """Any drawing (RGBA canvas, RGB, grayscale; uint8, bool or float) as float32 ink in [0, 1], 1 = ink.

    Canvas images are black ink on a white or transparent background. A picture without alpha whose border
    is mostly dark is taken to be light ink on dark (like the digits set itself) and used as it is.
    """
    if image is None:
        raise ValueError("no image: draw something first")
    array = np.asarray(image)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"the image must hold numbers, got dtype {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"expected an H×W, H×W×3 or H×W×4 image, got shape {array.shape}")
    height, width = array.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise ValueError(f"the image is {height}×{width} pixels; it needs at least {MIN_SIDE}×{MIN_SIDE}")
    if max(height, width) > MAX_SIDE:
        raise ValueError(f"the image is {height}×{width} pixels; the limit is {MAX_SIDE} on each side")
    values = array.astype(np.float32)
    if not np.all(np.isfinite(values)):
        raise ValueError("the image contains NaN or infinite values")
    if array.dtype == bool:
        pass
    elif np.issubdtype(array.dtype, np.integer) or values.max() > 1.0:
        values = values / 255.0
    values = np.clip(values, 0.0, 1.0)
    if values.ndim == 2:
        gray, alpha = values, None
    else:
        gray = values[:, :, :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        alpha = values[:, :, 3] if values.shape[2] == 4 else None
    if alpha is not None:
        return (alpha * (1.0 - gray)).astype(np.float32)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return (gray if np.median(border) < 0.5 else 1.0 - gray).astype(np.float32)


def is_blank(ink: np.ndarray) -> bool:
    """True when there is too little ink to classify (an empty canvas, a stray dot)."""
    mask = ink > INK_THRESHOLD
    if mask.mean() < MIN_INK_SHARE:
        return True
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    return extent < MIN_EXTENT * max(ink.shape)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle holding all the ink."""
    mask = ink > INK_THRESHOLD
    if not mask.any():
        raise ValueError("there is no ink to crop")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fit_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale the crop so its longer side is ``box`` pixels (keeping the aspect ratio) and centre it in a square."""
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    resized = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize((new_w, new_h), Image.BILINEAR))
    out = np.zeros((box, box), dtype=np.float32)
    top, left = (box - new_h) // 2, (box - new_w) // 2
    out[top : top + new_h, left : left + new_w] = resized
    return out


def count_blocks(binary: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """Count the ink pixels in each ``block``×``block`` block: a 32×32 0/1 box becomes an 8×8 grid of 0–16."""
    h, w = binary.shape
    if h % block or w % block:
        raise ValueError(f"the box {h}×{w} is not a multiple of the block size {block}")
    return binary.reshape(h // block, block, w // block, block).sum(axis=(1, 3)).astype(np.float32)


@dataclass(frozen=True)
class DigitSteps:
    """Every stage from drawing to model input, so a page can show what the network sees."""

    ink: np.ndarray  # (H, W) float ink in [0, 1] at the drawing's own size
    crop: np.ndarray  # the ink cropped to its bounding box
    box: np.ndarray  # (32, 32) binarised 0/1 box, the crop fitted inside keeping its aspect ratio
    grid: np.ndarray  # (8, 8) ink counts 0–16, exactly like one load_digits image


def box_from_ink(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Crop the ink, fit it into the 32×32 box and binarise it; returns (crop, box)."""
    crop = crop_to_ink(ink)
    return crop, (fit_box(crop) > BINARY_THRESHOLD).astype(np.float32)


def preprocess_digit(ink: np.ndarray) -> DigitSteps:
    """Ink (from :func:`to_ink`) -> crop -> 32×32 binary box -> 8×8 grid of 0–16, like load_digits."""
    crop, box = box_from_ink(ink)
    return DigitSteps(ink=ink, crop=crop, box=box, grid=count_blocks(box))


def load_digit_split(seed: int = 0, test_size: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bundled digits as 8×8 grids (0–16), split 80/20 and stratified: x_train, x_test, y_train, y_test."""
    digits = load_digits()
    return train_test_split(
        digits.images.astype(np.float32),
        digits.target.astype(np.int64),
        test_size=test_size,
        stratify=digits.target,
        random_state=seed,
    )


def svc_baseline_accuracy(seed: int = 0) -> float:
    """Test accuracy of ``SVC(gamma=0.001)`` on the same fixed split: the classic baseline to beat."""
    from sklearn.svm import SVC

    x_train, x_test, y_train, y_test = load_digit_split(seed)
    model = SVC(gamma=0.001).fit(x_train.reshape(len(x_train), -1), y_train)
    return float(model.score(x_test.reshape(len(x_test), -1), y_test))


# --- synthetic stroke digits ------------------------------------------------
# Hand-written templates in a unit box (x to the right, y down), with the variants students draw:
# a 1 with and without a flag or a base, a 7 with and without a bar, an open and a closed 4, and so on.
_PI = np.pi


def _line(*points: tuple[float, float]) -> Stroke:
    return np.array(points, dtype=float)


_arc = arc_points  # short names keep the templates readable


DIGIT_TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [[_arc(0.5, 0.5, 0.45, 0.5, -_PI / 2, 1.5 * _PI + 0.2, 40)]],
    1: [
        [_line((0.5, 0.0), (0.5, 1.0))],
        [_line((0.15, 0.3), (0.55, 0.0), (0.55, 1.0))],
        [_line((0.15, 0.3), (0.55, 0.0), (0.55, 1.0)), _line((0.2, 1.0), (0.9, 1.0))],
    ],
    2: [
        [np.concatenate([_arc(0.5, 0.3, 0.42, 0.3, -_PI, 0.45, 20), _line((0.0, 1.0), (1.0, 1.0))])],
        [np.concatenate([_arc(0.5, 0.3, 0.42, 0.3, -_PI * 0.9, 0.3, 20), _line((0.05, 1.0), (0.3, 0.9), (1.0, 1.0))])],
    ],
    3: [
        [
            np.concatenate(
                [
                    _arc(0.48, 0.26, 0.42, 0.26, -2.7, _PI / 2, 20),
                    _arc(0.48, 0.74, 0.48, 0.26, -_PI / 2, 2.7),
                ]
            )
        ],
        [_line((0.05, 0.0), (0.95, 0.0), (0.4, 0.42)), _arc(0.5, 0.7, 0.48, 0.3, -2.0, 2.7)],
    ],
    4: [
        [_line((0.65, 0.0), (0.0, 0.68), (1.0, 0.68)), _line((0.72, 0.3), (0.72, 1.0))],
        [_line((0.1, 0.0), (0.05, 0.6), (1.0, 0.6)), _line((0.78, 0.0), (0.78, 1.0))],
    ],
    5: [
        [_line((0.95, 0.0), (0.2, 0.0), (0.12, 0.45)), _arc(0.48, 0.7, 0.45, 0.3, -2.3, 2.7)],
        [np.concatenate([_line((0.95, 0.0), (0.2, 0.0), (0.12, 0.45)), _arc(0.48, 0.7, 0.45, 0.3, -2.3, 2.7)])],
    ],
    6: [
        [np.concatenate([_line((0.8, 0.0), (0.35, 0.3)), _arc(0.5, 0.7, 0.42, 0.3, -2.6, 2 * _PI - 2.6, 30)])],
        [np.concatenate([_arc(0.75, 0.6, 0.7, 0.6, -1.9, -_PI, 10), _arc(0.5, 0.72, 0.45, 0.28, _PI, 3 * _PI, 30)])],
    ],
    7: [
        [_line((0.0, 0.0), (1.0, 0.0), (0.35, 1.0))],
        [_line((0.0, 0.0), (1.0, 0.0), (0.35, 1.0)), _line((0.3, 0.52), (0.9, 0.52))],
        [_line((0.0, 0.15), (0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.45, 1.0))],
    ],
    8: [
        [_arc(0.5, 0.25, 0.36, 0.25, 0, 2 * _PI, 30), _arc(0.5, 0.74, 0.46, 0.26, -_PI / 2, 1.5 * _PI, 30)],
        [
            np.concatenate(
                [
                    _arc(0.5, 0.25, 0.38, 0.25, _PI / 2, 2 * _PI, 24),
                    _arc(0.5, 0.74, 0.46, 0.26, -_PI / 2, -2.5 * _PI),
                ]
            )
        ],
    ],
    9: [
        [_arc(0.45, 0.28, 0.42, 0.28, 0, 2 * _PI, 30), _line((0.87, 0.28), (0.82, 1.0))],
        [np.concatenate([_arc(0.45, 0.28, 0.42, 0.28, 0.2, 2 * _PI, 30), _line((0.87, 0.3), (0.6, 1.0))])],
    ],
}


def _smooth_noise(n: int, rng: np.random.Generator, scale: float, anchors: int = 4) -> np.ndarray:
    """A slowly varying (n, 2) offset: hands drift, they do not shake from point to point."""
    knots = rng.normal(0, scale, (anchors, 2))
    t = np.linspace(0, anchors - 1, n)
    return np.stack([np.interp(t, np.arange(anchors), knots[:, k]) for k in range(2)], axis=1)


def stroke_digit(digit: int, rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """A random hand-drawn-looking digit: a template slanted, rotated, squashed, wobbled; float ink (size, size)."""
    variants = DIGIT_TEMPLATES[digit]
    strokes = [s.copy() for s in variants[rng.integers(len(variants))]]
    angle = np.deg2rad(rng.uniform(-12, 12))
    c, s = np.cos(angle), np.sin(angle)
    width_scale = rng.uniform(0.45, 0.9) if digit != 1 else rng.uniform(0.3, 0.8)
    matrix = np.array([[c, -s], [s, c]]) @ np.array([[width_scale, rng.uniform(-0.35, 0.25)], [0, 1]])
    moved = [(p - 0.5 + _smooth_noise(len(p), rng, 0.03)) @ matrix.T for p in strokes]
    points = np.concatenate(moved)
    lo, hi = points.min(axis=0), points.max(axis=0)
    scale = 0.8 / max(float((hi - lo).max()), 1e-6)
    placed = [(p - lo) * scale + 0.1 for p in moved]
    pen = np.exp(rng.uniform(np.log(0.025), np.log(0.2))) * 0.8  # pen width relative to the digit's height
    return render_strokes(placed, pen, size)


def make_stroke_digits(n_per_digit: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic digits rendered as strokes and pushed through :func:`preprocess_digit`: grids (N, 8, 8), labels."""
    rng = np.random.default_rng(seed)
    grids, labels = [], []
    for digit in range(10):
        for _ in range(n_per_digit):
            grids.append(preprocess_digit(stroke_digit(digit, rng)).grid)
            labels.append(digit)
    order = rng.permutation(len(labels))
    return np.stack(grids)[order], np.asarray(labels, dtype=np.int64)[order]
