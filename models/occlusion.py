"""Why this answer? Cover one patch of the input at a time and measure how much the answer's log-odds drop.

Also: how much of a conv layer's response lies along the strokes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from models.drawing import input_size

if TYPE_CHECKING:
    from models.cnn import ImageClassifier


def occlusion_map(model: ImageClassifier, grid: np.ndarray, patch: int | None = None) -> OcclusionMap:
    """Slide a blank patch over the grid and record, per pixel, the mean drop of the top class's log-odds."""
    side = input_size(model.task)
    # X/O: 3 of 16 px (4 px spread the evidence over the whole shape: on the ready-made X, 39% of it lay on
    # strokes that cover 20% of the grid, against 51% with 3). Digits: 2 of 8.
    patch = patch or (3 if model.task == "xo" else 2)
    stride = 1
    base = model.grid_scores(grid)[0]
    top = int(base.argmax())
    corners = [(r, c) for r in range(0, side - patch + 1, stride) for c in range(0, side - patch + 1, stride)]
    batch = np.repeat(np.asarray(grid, dtype=np.float32)[None], len(corners), axis=0)
    for i, (r, c) in enumerate(corners):
        batch[i, r : r + patch, c : c + patch] = 0.0
    scores = model.grid_scores(batch)
    # Log-odds (top score minus the log-sum-exp of the others) do not saturate the way a probability does:
    # at P = 0.9999 a patch that matters still moves them by whole units.
    drops = log_odds(base[None], top)[0] - log_odds(scores, top)
    flips = int((scores.argmax(axis=1) != top).sum())
    total, count = np.zeros((side, side)), np.zeros((side, side))
    for drop, (r, c) in zip(drops, corners, strict=True):
        total[r : r + patch, c : c + patch] += drop
        count[r : r + patch, c : c + patch] += 1
    peak = float(np.max(grid))
    ink = np.asarray(grid) > 0.25 * peak if peak > 0 else np.zeros((side, side), dtype=bool)
    return OcclusionMap(model.labels[top], total / np.maximum(count, 1), ink, flips, len(corners), patch)


def log_odds(scores: np.ndarray, index: int) -> np.ndarray:
    """log(p / (1 − p)) of class ``index`` from class scores (N, classes), computed stably."""
    others = np.delete(scores, index, axis=1)
    peak = others.max(axis=1, keepdims=True)
    return scores[:, index] - (peak[:, 0] + np.log(np.exp(others - peak).sum(axis=1)))


@dataclass(frozen=True)
class OcclusionMap:
    """Where the evidence for the top class lies: the drop of its log-odds when each pixel is covered."""

    label: str  # the class the network names for the uncovered input
    evidence: np.ndarray  # (H, W) mean drop of log-odds over the patches covering each pixel (> 0: evidence for)
    ink: np.ndarray  # (H, W) bool, the drawn strokes
    flips: int  # how many patch positions change the answer when covered
    patches: int  # how many patch positions were tried
    patch: int  # side of the covering patch

    @property
    def on_ink_share(self) -> float:
        """Share of the positive evidence that lies on the strokes."""
        positive = np.clip(self.evidence, 0, None)
        total = float(positive.sum())
        return float(positive[self.ink].sum()) / total if total > 0 else 0.0

    @property
    def strongest(self) -> tuple[int, int]:
        """(row, column) of the pixel whose covering costs the answer most."""
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(self.evidence)), self.evidence.shape))

    @property
    def against(self) -> float:
        """The largest rise of the log-odds when something is covered (evidence against the answer), ≥ 0."""
        return max(0.0, -float(self.evidence.min()))


def near_strokes(grid: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """Pixels on the ink of a grid or touching it (a 3×3 neighbourhood), as a bool mask."""
    ink = np.pad(np.asarray(grid) > threshold * max(float(np.max(grid)), 1e-6), 1)
    h, w = np.asarray(grid).shape
    return np.any([ink[r : r + h, c : c + w] for r in range(3) for c in range(3)], axis=0)


def stroke_response_share(grid: np.ndarray, maps: np.ndarray) -> tuple[float, float]:
    """How much of a conv layer's change from its blank background lies on or beside the strokes.

    Returns (share of the change near the strokes, share of the grid that is near the strokes). Each map's
    background is its median away from the ink; some maps light up on strokes and others go dark there.
    """
    near = near_strokes(grid)
    if near.all() or not near.any():
        return 1.0, float(near.mean())
    background = np.median(maps[:, ~near], axis=1).reshape(-1, 1, 1)
    change = np.abs(maps - background)
    total = float(change.sum())
    return (float(change[:, near].sum()) / total if total > 0 else 0.0), float(near.mean())
