"""Procedural X's, O's and "other" doodles drawn as strokes, to train the X-or-O classifier.

Each shape is a few polylines in a unit square, jittered (size, position, rotation, slant, wobble, pen width)
and rendered with PIL as white ink on black, the way a canvas drawing looks after ``digits.to_ink``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

SHAPE_LABELS = ("X", "O", "other")
OTHER_KINDS = ("line", "scribble", "triangle", "square", "zigzag", "arc", "check", "wave", "plus")
# An X turned by 45° is a "+", so a "+" may turn only a little either way, and an X no more than
# ``ShapeConfig.max_rotation``; the gap between the two keeps the classes apart. Every other doodle turns freely.
OTHER_MAX_ROTATION = {"plus": 10.0}
OTHER_MAX_SLANT = {"plus": 0.1}  # a strongly slanted "+" leans towards an X too

Stroke = np.ndarray  # (P, 2) points, x and y in [0, 1]


@dataclass(frozen=True)
class ShapeConfig:
    """How the procedural shapes vary; the defaults cover what students draw on a 280×280 canvas."""

    size: int = 56  # render side in pixels (downsampled to the model input afterwards)
    min_extent: float = 0.3  # smallest shape, as a share of the canvas side
    max_extent: float = 0.9  # largest shape
    min_width: float = 0.012  # thinnest pen, as a share of the canvas side (about 3 px on 280)
    max_width: float = 0.09  # thickest pen (about 25 px on 280)
    max_rotation: float = 18.0  # degrees either way for X and O (an X turned 45° is a +, which is "other")
    max_slant: float = 0.3  # horizontal shear
    wobble: float = 0.025  # hand jitter of interior points, as a share of the shape size


def _xy(x: np.ndarray, y: np.ndarray) -> Stroke:
    """(P, 2) points from their x and y coordinates (``np.stack(..., axis=1)`` without its overhead)."""
    points = np.empty((len(x), 2))
    points[:, 0], points[:, 1] = x, y
    return points


def arc_points(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> Stroke:
    """Points along an elliptic arc from angle ``a0`` to ``a1`` (radians, y pointing down)."""
    t = np.linspace(a0, a1, n)
    return _xy(cx + rx * np.cos(t), cy + ry * np.sin(t))


def _densify(stroke: Stroke, per_segment: int = 4) -> Stroke:
    """Add points along each segment so that wobble bends straight strokes a little."""
    if len(stroke) < 2:
        return stroke
    t = _segment_steps(per_segment)  # (per_segment, 1)
    a, b = stroke[:-1, None, :], stroke[1:, None, :]
    parts = (a + t * (b - a)).reshape(-1, 2)  # the same element-wise sums as one segment at a time
    return np.concatenate([parts, stroke[-1:]], axis=0)


@functools.lru_cache(maxsize=8)
def _segment_steps(per_segment: int) -> np.ndarray:
    steps = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    steps.flags.writeable = False
    return steps


def x_strokes(rng: np.random.Generator) -> list[Stroke]:
    """Two crossing strokes with jittered ends: an X in the unit square."""
    j = lambda: rng.uniform(-0.12, 0.12, 2)  # noqa: E731 - a tiny local helper reads best here
    a = np.array([[0.0, 0.0], [1.0, 1.0]]) + np.array([j(), j()])
    b = np.array([[1.0, 0.0], [0.0, 1.0]]) + np.array([j(), j()])
    strokes = [a, b]
    if rng.random() < 0.5:  # some people start the second stroke from the bottom
        strokes[1] = strokes[1][::-1]
    return strokes


def o_strokes(rng: np.random.Generator) -> list[Stroke]:
    """One closed (or slightly overlapping) loop with a wobbly radius: an O."""
    start = rng.uniform(0, 2 * np.pi)
    sweep = rng.uniform(1.9, 2.15) * np.pi * (1 if rng.random() < 0.5 else -1)
    t = np.linspace(start, start + sweep, 40)
    wobble = 1 + 0.06 * np.sin(t * rng.integers(2, 4) + rng.uniform(0, 6)) + rng.normal(0, 0.01, t.size)
    return [_xy(0.5 + 0.5 * wobble * np.cos(t), 0.5 + 0.5 * wobble * np.sin(t))]


def other_strokes(kind: str, rng: np.random.Generator) -> list[Stroke]:
    """Strokes for one "other" doodle: lines, scribbles, triangles, squares and friends."""
    u = lambda *shape: rng.uniform(0, 1, shape)  # noqa: E731
    if kind == "line":
        n = rng.integers(1, 3)  # one line, or two that do not cross like an X
        if n == 1:
            return [u(2, 2)]
        y = np.sort(u(2))
        return [np.array([[0, y[0]], [1, y[0] + rng.uniform(-0.2, 0.2)]]), np.array([[0, y[1]], [1, y[1]]])]
    if kind == "scribble":
        steps = rng.normal(0, 0.25, (rng.integers(6, 14), 2))
        return [np.clip(0.5 + np.cumsum(steps, axis=0), 0, 1)]
    if kind == "triangle":
        p = np.array([[0.5, 0.0], [1.0, 1.0], [0.0, 1.0]]) + rng.uniform(-0.15, 0.15, (3, 2))
        return [np.concatenate([p, p[:1]])]
    if kind == "square":
        p = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]) + rng.uniform(-0.08, 0.08, (4, 2))
        return [np.concatenate([p, p[:1]])]
    if kind == "zigzag":
        n = rng.integers(3, 6)
        x = np.linspace(0, 1, n + 1)
        y = np.where(np.arange(n + 1) % 2 == 0, 0.0, 1.0) + rng.uniform(-0.1, 0.1, n + 1)
        return [_xy(x, y)]
    if kind == "arc":  # a C or a U: an O that is far from closed
        start = rng.uniform(0, 2 * np.pi)
        return [arc_points(0.5, 0.5, 0.5, 0.5, start, start + rng.uniform(0.6, 1.5) * np.pi)]
    if kind == "check":  # a tick or a V: two strokes that meet instead of crossing
        return [np.array([[0.0, rng.uniform(0.3, 0.7)], [rng.uniform(0.3, 0.5), 1.0], [1.0, 0.0]])]
    if kind == "plus":  # an upright cross: an X turned by 45°, so not an X
        j = lambda: rng.uniform(-0.1, 0.1, 2)  # noqa: E731
        return [
            np.array([[0.0, 0.5], [1.0, 0.5]]) + np.array([j(), j()]),
            np.array([[0.5, 0.0], [0.5, 1.0]]) + np.array([j(), j()]),
        ]
    if kind == "wave":
        x = np.linspace(0, 1, 30)
        return [_xy(x, 0.5 + 0.3 * np.sin(x * rng.uniform(6, 14) + rng.uniform(0, 6)))]
    raise ValueError(f"unknown shape kind {kind!r}; use one of {OTHER_KINDS}")


def shape_strokes(label: str, rng: np.random.Generator) -> list[Stroke]:
    """Unit-square strokes for a random example of ``label`` ("X", "O" or "other")."""
    return random_shape(label, rng)[0]


def random_shape(
    label: str, rng: np.random.Generator, config: ShapeConfig = ShapeConfig()
) -> tuple[list[Stroke], dict[str, float]]:
    """Unit-square strokes for a random example of ``label``, and the limits of :func:`place_strokes` for it.

    The limits are ``max_rotation`` (degrees either way) and ``max_slant`` (shear).
    """
    if label in ("X", "O"):
        strokes = x_strokes(rng) if label == "X" else o_strokes(rng)
        return strokes, {"max_rotation": config.max_rotation, "max_slant": config.max_slant}
    if label == "other":
        kind = OTHER_KINDS[rng.integers(len(OTHER_KINDS))]
        limits = {
            "max_rotation": OTHER_MAX_ROTATION.get(kind, 180.0),
            "max_slant": OTHER_MAX_SLANT.get(kind, config.max_slant),
        }
        return other_strokes(kind, rng), limits
    raise ValueError(f"unknown label {label!r}; use one of {SHAPE_LABELS}")


def place_strokes(
    strokes: list[Stroke],
    rng: np.random.Generator,
    config: ShapeConfig,
    *,
    extent: float = 0.6,
    max_rotation: float = 180.0,
    max_slant: float | None = None,
) -> list[Stroke]:
    """Rotate, slant, squash, wobble, scale and move unit-square strokes onto the canvas (still in [0, 1])."""
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation))
    c, s = np.cos(angle), np.sin(angle)
    aspect = np.exp(rng.uniform(-0.3, 0.3))
    slant = rng.uniform(-1, 1) * (config.max_slant if max_slant is None else max_slant)
    matrix = np.array([[c, -s], [s, c]]) @ np.array([[aspect, slant], [0, 1 / aspect]])
    # Hand wobble bends straight strokes; curves (many points) already carry their own smooth wobble.
    strokes = [_densify(p) + rng.normal(0, config.wobble, (4 * len(p) - 3, 2)) if len(p) < 10 else p for p in strokes]
    points = (np.concatenate(strokes) - 0.5) @ matrix.T
    # This runs for every training shape, and on two numbers numpy's cost per call was most of it: from here on
    # the arithmetic is on Python floats (the same operations in the same order, so the same shapes bit for bit)
    # and on all the strokes' points at once.
    (lo_x, lo_y), (hi_x, hi_y) = points.min(axis=0).tolist(), points.max(axis=0).tolist()
    scale = extent / max(hi_x - lo_x, hi_y - lo_y, 1e-6)
    size_x, size_y = (hi_x - lo_x) * scale, (hi_y - lo_y) * scale
    if size_x < 0.94 and size_y < 0.94:
        offset = (rng.uniform(0.03, 1 - 0.03 - size_x), rng.uniform(0.03, 1 - 0.03 - size_y))
    else:
        offset = (0.03, 0.03)
    placed = (points - (lo_x, lo_y)) * scale + offset
    bounds = [0, *itertools.accumulate(len(p) for p in strokes)]
    return [placed[a:b] for a, b in itertools.pairwise(bounds)]


def render_strokes(strokes: list[Stroke], width: float, size: int) -> np.ndarray:
    """Draw strokes (coordinates in [0, 1]) with a round pen of ``width`` (share of the side); float ink in [0, 1]."""
    image = Image.new("L", (size, size), 0)
    _draw_strokes(ImageDraw.Draw(image), strokes, width, size)
    return np.asarray(image, dtype=np.float32) / 255.0


def _draw_strokes(draw: ImageDraw.ImageDraw, strokes: list[Stroke], width: float, size: int, top: int = 0) -> None:
    """Draw strokes into a ``size``-wide tile whose first row is ``top`` of a taller image (the pixels are the
    same as drawing into an image of its own: PIL truncates the cap boxes towards zero, so they are cut here).
    """
    w = max(1, round(width * size))
    r = w / 2
    for stroke in strokes:
        scaled = stroke * (size - 1)
        flat = scaled.ravel().tolist()  # x0, y0, x1, y1, ...: the same floats as a list of (x, y) pairs
        if top:
            flat[1::2] = [y + top for y in flat[1::2]]
        draw.line(flat, fill=255, width=w, joint="curve")
        if w > 2:  # round caps, like a real pen
            for x, y in (scaled[0].tolist(), scaled[-1].tolist()):
                box = [int(x - r + 0.5), int(y - r + 0.5), int(x + r - 0.5), int(y + r - 0.5)]
                draw.ellipse((box[0], box[1] + top, box[2], box[3] + top), fill=255)


def render_many(jobs: list[tuple[list[Stroke], float]], size: int, out: np.ndarray) -> None:
    """Render ``(strokes, width)`` jobs into ``out`` (N, size, size) float32, as :func:`render_strokes` would.

    The shapes are drawn as tiles of one tall image (one PIL image and one conversion per batch instead of
    per shape), a tile's height apart so that a wide pen at the edge of one tile cannot reach the next.
    Strokes that stray further than that off their canvas are drawn on their own.
    """
    stride = 2 * size
    for first in range(0, len(jobs), _TILES_PER_BATCH):
        batch = jobs[first : first + _TILES_PER_BATCH]
        image = Image.new("L", (size, stride * len(batch)), 0)
        draw = ImageDraw.Draw(image)
        alone = []
        for i, (strokes, width) in enumerate(batch):
            if all(float(p.min()) >= -0.4 and float(p.max()) <= 1.4 for p in strokes):
                _draw_strokes(draw, strokes, width, size, top=i * stride)
            else:
                alone.append(i)
        tiles = np.asarray(image).reshape(len(batch), stride, size)[:, :size]
        np.divide(tiles, np.float32(255.0), out=out[first : first + len(batch)], dtype=np.float32)
        for i in alone:
            out[first + i] = render_strokes(*batch[i], size)


_TILES_PER_BATCH = 256


def make_shapes(
    n_per_class: int, *, seed: int = 0, config: ShapeConfig = ShapeConfig()
) -> tuple[np.ndarray, np.ndarray]:
    """A balanced, shuffled set of rendered shapes: ink images (N, size, size) and labels (X=0, O=1, other=2)."""
    jobs, labels = _shape_jobs(n_per_class, seed, config)
    images = np.empty((len(jobs), config.size, config.size), dtype=np.float32)  # filled in place: no second copy
    render_many(jobs, config.size, images)
    return images, labels


def make_shapes_as(
    n_per_class: int,
    transform: Callable[[np.ndarray], np.ndarray],
    *,
    seed: int = 0,
    config: ShapeConfig = ShapeConfig(),
    chunk: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """``transform(images)`` and labels of :func:`make_shapes`, bit for bit, drawn ``chunk`` shapes at a time.

    The full-size drawings of a training set are large (9,000 at 56×56 are 113 MB) and only their small model
    inputs are kept, so each chunk is drawn into one reused buffer and transformed before the next is drawn.
    ``transform`` must treat every image on its own (as ``drawing.xo_inputs`` does).
    """
    jobs, labels = _shape_jobs(n_per_class, seed, config)
    buffer = np.empty((min(chunk, len(jobs)), config.size, config.size), dtype=np.float32)
    out = None
    for first in range(0, len(jobs), chunk):
        part = jobs[first : first + chunk]
        render_many(part, config.size, buffer[: len(part)])
        done = transform(buffer[: len(part)])
        if out is None:
            out = np.empty((len(jobs), *done.shape[1:]), dtype=done.dtype)
        out[first : first + len(part)] = done
    return out, labels


def _shape_jobs(
    n_per_class: int, seed: int, config: ShapeConfig
) -> tuple[list[tuple[list[Stroke], float]], np.ndarray]:
    """The (strokes, pen width) of every shape of a balanced set, shuffled, and their labels."""
    if n_per_class < 1:
        raise ValueError("n_per_class must be at least 1")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(SHAPE_LABELS), dtype=np.int64), n_per_class)
    jobs = []
    for label in SHAPE_LABELS:
        for _ in range(n_per_class):
            extent = rng.uniform(config.min_extent, config.max_extent)
            strokes, limits = random_shape(label, rng, config)
            strokes = place_strokes(strokes, rng, config, extent=extent, **limits)
            # A pen much wider than a sixth of the shape turns every shape into a blob.
            max_width = min(config.max_width, extent / 6)
            jobs.append((strokes, np.exp(rng.uniform(np.log(config.min_width), np.log(max_width)))))
    order = rng.permutation(len(labels))
    return [jobs[i] for i in order.tolist()], labels[order]  # drawn shuffled: no copy of the images to shuffle
