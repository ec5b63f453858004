"""From a raw drawing to the grid a classifier reads (ink, crop, fit, shrink), and the data sets made that way.

X/O drawings become a 16×16 grid (the ink fitted into 14×14, with a 1-pixel margin); digits become the 8×8
grid of ink counts 0–16 that ``load_digits`` uses (see ``models.digits``). Also: ready-made example drawings.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

from models import digits, shapes

TASKS = ("xo", "digits")
XO_INPUT = 16  # side of the X/O model's input grid (24 before 2026-12-06, which with more filters and shapes cost 2.5x)
XO_MARGIN = 1  # empty border around the fitted drawing, so shifted copies stay inside
AUGMENT_DEGREES = 10.0  # training-time rotation either way (more would turn an X towards a "+")


def labels_of(task: str) -> tuple[str, ...]:
    """Class names of a task, in output order."""
    return shapes.SHAPE_LABELS if task == "xo" else tuple(str(d) for d in range(10))


def input_size(task: str) -> int:
    """Side of the square grid the task's networks read."""
    return XO_INPUT if task == "xo" else digits.GRID


def xo_input(ink: np.ndarray) -> np.ndarray:
    """Crop the drawing to its ink, fit it (keeping its shape) into a 14×14 box centred in 16×16, darkest ink = 1.

    Cropping takes care of where and how big the shape was drawn; the network still has to cope with
    rotation, slant, wobble and pen width, and (through training-time jitter) with small shifts.
    """
    mask = ink > digits.INK_THRESHOLD
    if not mask.any():
        return np.zeros((XO_INPUT, XO_INPUT), dtype=np.float32)
    crop = digits.crop_to_ink(ink)
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side, side), dtype=np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = crop
    inner = XO_INPUT - 2 * XO_MARGIN
    small = np.asarray(Image.fromarray(square, mode="F").resize((inner, inner), Image.BOX), dtype=np.float32)
    out = np.zeros((XO_INPUT, XO_INPUT), dtype=np.float32)
    out[XO_MARGIN:-XO_MARGIN, XO_MARGIN:-XO_MARGIN] = small
    peak = float(out.max())
    return out / peak if peak > 0 else out


def xo_inputs(inks: np.ndarray) -> np.ndarray:
    """:func:`xo_input` of every drawing in a stack (N, H, W): the same grids, computed in bulk.

    The crops are squared as :func:`xo_input` does; the 14×14 shrink repeats PIL's box filter (the same
    weights, summed in the same order in double precision, horizontal pass first), drawings of one square size
    at a time.
    """
    inks = np.asarray(inks)
    out = np.zeros((len(inks), XO_INPUT, XO_INPUT), dtype=np.float32)
    mask = inks > digits.INK_THRESHOLD
    rows, cols = mask.any(axis=2), mask.any(axis=1)  # (N, H), (N, W): which rows and columns hold ink
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom, right = rows.shape[1] - rows[:, ::-1].argmax(axis=1), cols.shape[1] - cols[:, ::-1].argmax(axis=1)
    inked = np.flatnonzero(rows.any(axis=1))
    sides = np.maximum(bottom - top, right - left)[inked]
    inner = XO_INPUT - 2 * XO_MARGIN
    for side in np.unique(sides).tolist():
        group = inked[sides == side]
        squares = np.zeros((len(group), side, side), dtype=np.float32)
        for square, i in zip(squares, group.tolist(), strict=True):
            h, w = int(bottom[i] - top[i]), int(right[i] - left[i])
            dy, dx = (side - h) // 2, (side - w) // 2
            square[dy : dy + h, dx : dx + w] = inks[i, top[i] : bottom[i], left[i] : right[i]]
        out[group, XO_MARGIN:-XO_MARGIN, XO_MARGIN:-XO_MARGIN] = _box_shrink(squares, inner)
    peaks = out.max(axis=(1, 2))
    np.divide(out, peaks[:, None, None], out=out, where=peaks[:, None, None] > 0)
    return out


def _box_shrink(squares: np.ndarray, size: int) -> np.ndarray:
    """PIL's ``resize((size, size), Image.BOX)`` of float32 squares (N, S, S), bit for bit."""
    index, weight = _box_coefficients(squares.shape[1], size)
    wide = np.zeros((*squares.shape[:2], size))  # horizontal pass: (N, S, size), summed in double ...
    for j in range(index.shape[1]):
        wide += squares[:, :, index[:, j]] * weight[:, j]
    wide = wide.astype(np.float32)  # ... and stored as float32 between the passes, like PIL's "F" image
    tall = np.zeros((len(squares), size, size))
    for j in range(index.shape[1]):
        tall += wide[:, index[:, j], :] * weight[:, j, None]
    return tall.astype(np.float32)


@functools.lru_cache(maxsize=128)
def _box_coefficients(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The box filter's input indices and weights per output pixel, (out, K) each, as Pillow computes them
    (``precompute_coeffs`` in Resample.c); unused slots have weight 0 (adding 0 changes no sum)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 0.5 * filterscale
    ksize = int(np.ceil(support)) * 2 + 1
    index = np.zeros((out_size, ksize), dtype=np.int64)
    weight = np.zeros((out_size, ksize))
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        w = [1.0 if -0.5 < (x + xmin - center + 0.5) * (1.0 / filterscale) <= 0.5 else 0.0 for x in range(xmax)]
        total = sum(w)
        for x, wx in enumerate(w):
            index[xx, x] = x + xmin
            weight[xx, x] = wx / total if total != 0.0 else wx
    for arr in (index, weight):
        arr.flags.writeable = False
    return index, weight


@dataclass(frozen=True)
class Preprocessed:
    """The stages from drawing to network input, for showing what the network sees."""

    ink: np.ndarray  # (H, W) ink in [0, 1]
    crop: np.ndarray | None  # the ink cropped to its bounding box (None when blank)
    box: np.ndarray | None  # digits: the 32×32 binarised box (X/O: None)
    grid: np.ndarray  # the network's input grid; digits: counts 0–16, X/O: ink 0–1
    model_input: np.ndarray  # what goes into the network: digits grid / 16, or the X/O grid
    blank: bool  # too little ink to classify
    has_ink: bool = False  # any ink at all (a blank drawing with ink is a dot or a speck)


def preprocess(task: str, image: np.ndarray) -> Preprocessed:
    """Turn a raw drawing into the network input of ``task``, keeping every intermediate step."""
    ink = digits.to_ink(image)
    side = input_size(task)
    if digits.is_blank(ink):
        empty = np.zeros((side, side), dtype=np.float32)
        return Preprocessed(ink, None, None, empty, empty, True, bool((ink > digits.INK_THRESHOLD).any()))
    if task == "xo":
        grid = xo_input(ink)
        return Preprocessed(ink, digits.crop_to_ink(ink), None, grid, grid, False, True)
    steps = digits.preprocess_digit(ink)
    return Preprocessed(ink, steps.crop, steps.box, steps.grid, steps.grid / 16.0, False, True)


# --- example drawings -------------------------------------------------------------------------------------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "xo": ("X", "O", "plus", "triangle", "square", "scribble"),
    "digits": tuple(str(d) for d in range(10)),
}


def ink_to_rgba(ink: np.ndarray) -> np.ndarray:
    """Float ink (H, W) as the canvas would send it: black ink on white, RGBA uint8."""
    gray = (255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def example_drawing(task: str, name: str, *, size: int = 280, seed: int = 3) -> np.ndarray:
    """A ready-made drawing (RGBA uint8, like the canvas) for students without a mouse, and for tests."""
    if name not in EXAMPLES.get(task, ()):
        raise ValueError(f"no example {name!r} for task {task!r}; choose from {EXAMPLES.get(task, ())}")
    rng = np.random.default_rng(seed)
    if task == "digits":
        return ink_to_rgba(digits.stroke_digit(int(name), rng, size=size))
    config = shapes.ShapeConfig(size=size, max_rotation=8.0, max_slant=0.1, wobble=0.01)
    strokes = shapes.shape_strokes(name, rng) if name in ("X", "O") else shapes.other_strokes(name, rng)
    placed = shapes.place_strokes(strokes, rng, config, extent=0.6, max_rotation=8.0)
    return ink_to_rgba(shapes.render_strokes(placed, 0.05, size))


def drawn_examples(task: str, label: str, n: int, *, seed: int = 0, size: int = 56) -> list[Preprocessed]:
    """``n`` fresh drawings of ``label``, pre-processed: the generated test population of the invariance checks.

    X/O shapes vary as the training shapes do; digits are synthetic pen strokes (``load_digits`` has no pen
    strokes to move, only 8×8 grids).
    """
    if label not in labels_of(task):
        raise ValueError(f"unknown label {label!r} for task {task!r}")
    rng = np.random.default_rng(seed)
    config = shapes.ShapeConfig(size=size)
    out = []
    for _ in range(n):
        if task == "digits":
            ink = digits.stroke_digit(int(label), rng, size=64)
        else:
            extent = rng.uniform(config.min_extent, config.max_extent)
            strokes, limits = shapes.random_shape(label, rng, config)
            placed = shapes.place_strokes(strokes, rng, config, extent=extent, **limits)
            width = np.exp(rng.uniform(np.log(config.min_width), np.log(min(config.max_width, extent / 6))))
            ink = shapes.render_strokes(placed, width, size)
        out.append(preprocess(task, ink_to_rgba(ink)))
    return out


# --- data -------------------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Model inputs and labels for training and testing one task."""

    x_train: torch.Tensor  # (N, H, W) float inputs
    y_train: torch.Tensor  # (N,) class indices
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=1)
def _xo_data(n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """Generated X/O/other inputs; kept for the next call, because the CNN and its MLP twin train on the same set."""
    x_train, y_train = shapes.make_shapes_as(n_train, xo_inputs, seed=seed)  # the large drawings are never all kept
    x_test, y_test = shapes.make_shapes_as(n_test, xo_inputs, seed=seed + 10_000)
    return x_train, y_train, x_test, y_test  # shared between calls: training only reads it


def make_dataset(config: Any, seed: int = 0) -> Dataset:
    """Training and test grids for a config's task: generated shapes, or load_digits plus synthetic strokes."""
    if config.task == "xo":
        x_train, y_train, x_test, y_test = _xo_data(config.n_train, config.n_test, seed)
    else:
        x_train, x_test, y_train, y_test = digits.load_digit_split(seed=0)  # the split is fixed, whatever the seed
        synth_x, synth_y = digits.make_stroke_digits(config.n_train, seed=seed)
        x_train = np.concatenate([*[x_train] * config.real_copies, synth_x]) / 16.0
        y_train = np.concatenate([*[y_train] * config.real_copies, synth_y])
        x_test = x_test / 16.0
    as_x = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32))  # noqa: E731
    as_y = lambda a: torch.as_tensor(np.asarray(a, dtype=np.int64))  # noqa: E731
    return Dataset(as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test))


def jitter_batch(batch: tuple[torch.Tensor, ...], generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Data augmentation: move each image a few pixels, turn it a little and rescale it by up to 10%."""
    (x,) = batch
    n = len(x)
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=generator)  # noqa: E731
    angle, scale = torch.deg2rad(u(-AUGMENT_DEGREES, AUGMENT_DEGREES)), u(0.9, 1.1)
    shift = torch.stack([u(-0.15, 0.15), u(-0.15, 0.15)], dim=1)  # share of the half-side, about ±2 px
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, sin, shift[:, 0]], 1), torch.stack([-sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, *x.shape[1:]], align_corners=False)  # (N, H, W, 2)
    return (F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1),)
