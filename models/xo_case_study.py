"""Brandon Rohrer's X/O case study: 9×9 images of ±1 pixels, three 3×3 filters, ReLU, pooling and a voting layer.

The voting layer's weights are read off the reference X and O (not trained), so every weight can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from models.convolution import convolve2d, pool2d, relu

# --- The images: +1 is ink, -1 is background -------------------------------------------------------------------------
ROHRER_X = np.array(
    [
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
        [-1, 1, -1, -1, -1, -1, -1, 1, -1],
        [-1, -1, 1, -1, -1, -1, 1, -1, -1],
        [-1, -1, -1, 1, -1, 1, -1, -1, -1],
        [-1, -1, -1, -1, 1, -1, -1, -1, -1],
        [-1, -1, -1, 1, -1, 1, -1, -1, -1],
        [-1, -1, 1, -1, -1, -1, 1, -1, -1],
        [-1, 1, -1, -1, -1, -1, -1, 1, -1],
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    ],
    dtype=float,
)
ROHRER_X_SHIFTED = np.array(  # the slide's shifted, deformed X
    [
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
        [-1, -1, -1, -1, -1, -1, 1, -1, -1],
        [-1, 1, -1, -1, -1, 1, -1, -1, -1],
        [-1, -1, 1, 1, -1, 1, -1, -1, -1],
        [-1, -1, -1, -1, 1, -1, -1, -1, -1],
        [-1, -1, -1, 1, -1, 1, 1, -1, -1],
        [-1, -1, -1, 1, -1, -1, -1, 1, -1],
        [-1, -1, 1, -1, -1, -1, -1, -1, -1],
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    ],
    dtype=float,
)
ROHRER_O = np.array(  # not on the slides: drawn in the same style, for the X-or-O vote
    [
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
        [-1, -1, -1, 1, 1, 1, -1, -1, -1],
        [-1, -1, 1, -1, -1, -1, 1, -1, -1],
        [-1, 1, -1, -1, -1, -1, -1, 1, -1],
        [-1, 1, -1, -1, -1, -1, -1, 1, -1],
        [-1, 1, -1, -1, -1, -1, -1, 1, -1],
        [-1, -1, 1, -1, -1, -1, 1, -1, -1],
        [-1, -1, -1, 1, 1, 1, -1, -1, -1],
        [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    ],
    dtype=float,
)
FILTER_DIAGONAL = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)  # "\" stroke
FILTER_X_CENTRE = np.array([[1, -1, 1], [-1, 1, -1], [1, -1, 1]], dtype=float)  # the crossing in the middle
FILTER_ANTI_DIAGONAL = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]], dtype=float)  # "/" stroke
ROHRER_IMAGES = {"X": ROHRER_X, "shifted X": ROHRER_X_SHIFTED, "O": ROHRER_O}
ROHRER_FILTERS = {"diagonal \\": FILTER_DIAGONAL, "X centre": FILTER_X_CENTRE, "diagonal /": FILTER_ANTI_DIAGONAL}
LETTERS = ("X", "O")

# --- The voting layer ---------------------------------------------------------------------------------------------
FOUND = 7 / 9  # a match of 7/9 ≈ 0.78 or more: the stroke is there with at most one of its 9 pixels wrong
MIN_VOTE = 0.2  # a letter needs at least this vote (and all its strokes found) to win; below it: "neither"


def match_maps(image: np.ndarray, filters: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Each filter's feature map divided by its size, so 1.00 means a perfect ±1 match."""
    filters = ROHRER_FILTERS if filters is None else filters
    return {name: convolve2d(image, f) / f.size for name, f in filters.items()}


def pooled_maps(image: np.ndarray) -> dict[str, np.ndarray]:
    """Match maps → ReLU → 2×2 max pooling (keeping the edge windows, as the slides do): 7×7 → 4×4 per filter."""
    return {name: pool2d(relu(m), 2, mode="max", ceil_mode=True) for name, m in match_maps(image).items()}


def quarter_maps(image: np.ndarray) -> dict[str, np.ndarray]:
    """The pooled maps pooled once more (4×4 → 2×2): each cell says how well a filter matches in one quarter."""
    return {name: pool2d(m, 2, mode="max", ceil_mode=True) for name, m in pooled_maps(image).items()}


@cache  # two fixed references: read the weights once
def voting_weights(letter: str) -> dict[str, np.ndarray]:
    """The voting layer's weights for ``letter``, read off the two references, one 2×2 grid per filter.

    +1 where this letter's reference finds a stroke (≥ FOUND) and the other letter's matches worse; −1 where it is
    the other way round; 0 where the two references agree.
    """
    if letter not in LETTERS:
        raise ValueError(f"The letter must be one of {', '.join(LETTERS)}, got {letter!r}.")
    other = "O" if letter == "X" else "X"
    mine, theirs = quarter_maps(ROHRER_IMAGES[letter]), quarter_maps(ROHRER_IMAGES[other])
    weights = {}
    for name in ROHRER_FILTERS:
        a, b = mine[name], theirs[name]
        weights[name] = np.where((a >= FOUND) & (a > b), 1.0, 0.0) - np.where((b >= FOUND) & (b > a), 1.0, 0.0)
    return weights


@dataclass(frozen=True)
class XOVote:
    """The voting layer's verdict: each letter's vote and whether every stroke it expects was found."""

    label: str  # "X", "O" or "neither"
    votes: dict[str, float]  # letter -> mean of its +1 cells minus mean of its −1 cells, in [−1, 1]
    strokes_found: dict[str, bool]  # letter -> every cell it weights +1 reaches FOUND


def vote(image: np.ndarray) -> XOVote:
    """Vote X, O or neither: the larger vote wins if it reaches MIN_VOTE and all of that letter's strokes are found."""
    quarters = quarter_maps(image)
    votes, found = {}, {}
    for letter in LETTERS:
        weights = voting_weights(letter)
        plus = np.concatenate([quarters[n][weights[n] > 0] for n in ROHRER_FILTERS])
        minus = np.concatenate([quarters[n][weights[n] < 0] for n in ROHRER_FILTERS])
        votes[letter] = float(plus.mean() - minus.mean())
        found[letter] = bool(plus.min() >= FOUND - 1e-9)
    best = max(LETTERS, key=votes.get)
    label = best if votes[best] >= MIN_VOTE and found[best] else "neither"
    return XOVote(label, votes, found)


def peaks(image: np.ndarray) -> dict[str, tuple[float, int]]:
    """Each filter's best match on the image and how many positions reach a perfect 1.00."""
    return {name: (float(m.max()), int(np.isclose(m, 1.0).sum())) for name, m in match_maps(image).items()}


def random_grids(count: int, density: float, seed: int = 0) -> np.ndarray:
    """``count`` random 9×9 ±1 grids, each pixel ink with probability ``density``."""
    rng = np.random.default_rng(seed)
    return np.where(rng.random((count, 9, 9)) < density, 1.0, -1.0)


def shift(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The image moved by whole pixels; what moves in from the edge is background (−1)."""
    out = -np.ones_like(image, dtype=float)
    h, w = image.shape
    src = image[max(0, -rows) : h - max(0, rows), max(0, -cols) : w - max(0, cols)]
    out[max(0, rows) : max(0, rows) + src.shape[0], max(0, cols) : max(0, cols) + src.shape[1]] = src
    return out


@cache  # fixed inputs: eight votes, computed once
def one_pixel_shift_labels() -> dict[tuple[int, int], str]:
    """The vote on the reference X moved by one pixel in each of the 8 directions: (rows, cols) -> label."""
    moves = [(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1) if (r, c) != (0, 0)]
    return {move: vote(shift(ROHRER_X, *move)).label for move in moves}
