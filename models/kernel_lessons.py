"""The numbers behind the kernel playground: the X/O pixel grid, one step of a sliding window, pictures as
whole 0…255 values, colour domains, and the layer-count table. Pure numpy and pandas, so a notebook can use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from models import convolution as conv
from models import pictures
from models.weight_sharing import LayerCounts

GRID_SIDE = 9  # Rohrer's X/O images are 9×9
INK, BACKGROUND = 1.0, -1.0  # Rohrer's pixel values


class ChosenImage(NamedTuple):
    """An image a student picked, or one computed from it: a small key naming it (caches hash the key, not the
    pixels) and its pixels."""

    key: tuple  # e.g. ("photo", "china.jpg", 128), ("digit", 3) or (..., "pool", "max", 2, 2)
    pixels: np.ndarray  # (H, W) grey values in [0, 1]


@dataclass(frozen=True)
class WindowStep:
    """One position of a sliding window: where it is, what it reads, and the feature map filled up to it."""

    row: int  # the output cell being filled
    col: int
    patch: np.ndarray  # (k, k) input values under the window
    products: np.ndarray  # (k, k) patch × kernel, element-wise
    feature: np.ndarray  # (H', W') the whole feature map
    so_far: np.ndarray  # (H', W') the feature map with the cells after this position NaN

    @property
    def total(self) -> float:
        """The output cell's value: the sum of the products."""
        return float(self.feature[self.row, self.col])


def window_step(grid: np.ndarray, kernel: np.ndarray, position: int) -> WindowStep:
    """The sliding window at ``position`` (counted row by row over the output cells), stride 1, no padding."""
    out_h, out_w = conv.output_shape(grid.shape, kernel.shape)
    if not 0 <= position < out_h * out_w:
        raise ValueError(f"Window position {position} is outside the {out_h}×{out_w} output.")
    row, col = divmod(position, out_w)
    patch = conv.window(grid, row, col, kernel.shape)
    feature = conv.convolve2d(grid, kernel)
    return WindowStep(row, col, patch, patch * kernel, feature, conv.filled_so_far(feature, position))


def window_number_format(kernel: np.ndarray, on_xo: bool) -> str:
    """One number format for a window's products and sums: whole numbers when pixels and weights are whole."""
    if np.allclose(kernel, np.round(kernel)):  # integer pixels × integer weights: exact whole numbers
        return ".0f"
    return ".3~g" if on_xo else ".1f"


def grid_from_ink(ink_rows: Sequence[Sequence[int]], side: int = GRID_SIDE) -> np.ndarray:
    """A ``side``×``side`` X/O grid from the inked columns of each row: +1 ink, −1 background."""
    grid = np.full((side, side), BACKGROUND)
    for r, ink in enumerate(ink_rows):
        grid[r, list(ink)] = INK
    return grid


def ink_of(image: np.ndarray) -> list[list[int]]:
    """The inked (positive) columns of each row of an X/O image: the inverse of :func:`grid_from_ink`."""
    return [[c for c, v in enumerate(line) if v > 0] for line in np.asarray(image)]


def pixel_values(image: np.ndarray, side: int) -> np.ndarray:
    """An image in [0, 1] shrunk to ``side`` pixels on its longer side, as the whole 0…255 values a student sees."""
    return np.round(pictures.resize(image, side) * 255)


def symmetric_domain(values: np.ndarray) -> tuple[float, float]:
    """A colour domain centred on 0 (white on a diverging scale), reaching the largest magnitude (1 if all 0)."""
    reach = float(np.nanmax(np.abs(values))) or 1.0
    return -reach, reach


def magnitude(n: int) -> str:
    """A count in words a student can compare: "hundreds", "thousands", "millions"…"""
    for size, word in ((10**9, "billions"), (10**6, "millions"), (10**3, "thousands"), (100, "hundreds")):
        if n >= size:
            return word
    return "tens" if n >= 10 else "a handful"


def parameter_table(layers: LayerCounts, n: int, c_in: int, c_out: int, k: int) -> pd.DataFrame:
    """The three layers' parameter counts with the working behind each (``layers`` from ``layer_counts``)."""
    o = layers.output_height
    return pd.DataFrame(
        {
            "weights + biases": [
                f"({n}·{n}·{c_in}) × ({o}·{o}·{c_out}) + {o}·{o}·{c_out}",
                f"{o}·{o}·{c_out} × ({k}·{k}·{c_in} + 1)",
                f"{c_out} × ({k}·{k}·{c_in} + 1)",
            ],
            "parameters": [f"{v:,}" for v in (layers.fully_connected, layers.locally_connected, layers.convolutional)],
        },
        index=["fully connected", "locally connected", "convolutional"],
    )


def weight_sum(kernel: np.ndarray) -> float:
    """The sum of a kernel's weights, empty cells left out (1 keeps the brightness, 0 answers 0 on a flat area)."""
    return float(np.nansum(kernel))
