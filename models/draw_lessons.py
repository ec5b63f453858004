"""The small computations behind the draw page: the top class, which network keeps a moved drawing more often,
where on the grid the strongest evidence lies, the shape question's options, and the transformed input as a picture."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from models.cnn import shape_text

SAME = 0.05  # keep rates closer than this count as "the same"


def top_class(probs: Mapping[str, float]) -> str:
    """The most probable class."""
    return max(probs, key=probs.get)


def pct(x: float) -> str:
    """A share as a whole percentage, the way the page quotes it."""
    return f"{x:.0%}"


def better_keeper(cnn_rate: float, mlp_rate: float, same: float = SAME) -> str:
    """Which network keeps naming a moved drawing more often: "cnn", "mlp", or "same" within ``same``."""
    if cnn_rate - mlp_rate > same:
        return "cnn"
    if mlp_rate - cnn_rate > same:
        return "mlp"
    return "same"


def grid_region(row: int, col: int, side: int) -> tuple[str, str]:
    """The third of a ``side``×``side`` grid a cell lies in: (top / middle / bottom, left / centre / right)."""
    return ("top", "middle", "bottom")[min(3 * row // side, 2)], ("left", "centre", "right")[min(3 * col // side, 2)]


def skipped_pools(first: Sequence[bool], second: Sequence[bool]) -> list[int]:
    """The conv layers (from 1) that pool in the first network and not in the second."""
    return [i + 1 for i, (a, b) in enumerate(zip(first, second, strict=True)) if a and not b]


def shape_options(answer: str, conv1_channels: int) -> list[str]:
    """The options of the conv 2 shape question: the real shape ("C × H × W") among the shapes four common slips
    give (no padding, so a 3×3 kernel loses 2; conv 2's pooling counted too; conv 1's number of maps; one
    pooling too few), largest first, each once.
    """
    c, h, w = (int(n) for n in answer.split(" × "))
    slips = [(c, h - 2, w - 2), (c, h // 2, w // 2), (conv1_channels, h, w), (c, 2 * h, 2 * w)]
    shapes = {(c, h, w), *(s for s in slips if min(s) >= 1)}
    return [shape_text(s) for s in sorted(shapes, reverse=True)]


def input_picture(grid: np.ndarray) -> np.ndarray:
    """A network input as a picture: ink scaled to 0–1 by its largest value, dark on white."""
    return 1 - np.clip(grid / max(float(grid.max()), 1e-6), 0, 1)
