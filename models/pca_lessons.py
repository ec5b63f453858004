"""The numbers behind the dimensionality page's sentences: which feature PC1 follows, which feature owns the
variance, digits as [0, 1] pixels and eigen-digit images, and the comparisons the page words (errors, fit times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from models.autoencoder import TrainedAutoencoder, split_digits
from models.pca import PCAResult, fit_pca

DIGIT_INK = 16.0  # the 8×8 digits' pixel values run from 0 to 16
DOMINANT_RATIO = 10.0  # a variance this many times the next one makes the covariance heatmap one colour


class DominantFeature(NamedTuple):
    """The feature with the largest variance, when it dwarfs the runner-up."""

    first: str
    first_variance: float
    second: str
    second_variance: float

    @property
    def ratio(self) -> float:
        """How many times the runner-up's variance the largest is."""
        return self.first_variance / self.second_variance


def largest_loading(component: np.ndarray, names: Sequence[str]) -> str:
    """The feature with the largest weight (in magnitude) in a principal component."""
    return names[int(np.abs(np.asarray(component)).argmax())]


def dominant_feature(covariance: np.ndarray, names: Sequence[str], ratio: float = DOMINANT_RATIO):
    """The feature whose variance is at least ``ratio`` times the next largest, or None when no feature dwarfs."""
    variances = np.diag(np.asarray(covariance, dtype=float))
    order = np.argsort(variances)[::-1]
    if len(order) < 2 or variances[order[1]] <= 0 or variances[order[0]] / variances[order[1]] < ratio:
        return None
    first, second = order[:2]
    return DominantFeature(names[first], float(variances[first]), names[second], float(variances[second]))


def unit_pixels(digit: np.ndarray) -> np.ndarray:
    """A raw digit (values 0…16) as the [0, 1] pixels the digits PCA was fitted on."""
    return np.asarray(digit, dtype=float) / DIGIT_INK


def eigen_images(result: PCAResult, count: int, shape: tuple[int, int] = (8, 8)) -> np.ndarray:
    """The mean image followed by the first ``count`` components, each reshaped to ``shape``: (count + 1, H, W)."""
    return np.concatenate([result.mean[None], result.components[:count]]).reshape(-1, *shape)


def error_comparison(error: float, reference: float, tolerance: float) -> int:
    """−1 when ``error`` is clearly lower than ``reference``, 1 when clearly higher, 0 within ``tolerance`` of it
    (as a share of ``reference``)."""
    if abs(error / reference - 1) <= tolerance:
        return 0
    return -1 if error < reference else 1


def speedup(baseline_seconds: float, seconds: float) -> float:
    """How many times faster than the baseline a fit is (1.0 when it took no measurable time)."""
    return baseline_seconds / seconds if seconds > 0 else 1.0


@dataclass(frozen=True)
class LatentComparison:
    """Held-out digits through the autoencoders and PCA with the same 2-number code: codes, rebuilt pixels, errors."""

    digits: np.ndarray  # (n, 64) held-out pixels in [0, 1]
    labels: np.ndarray  # (n,) their digit labels, as strings
    codes: dict[str, np.ndarray]  # "autoencoder" / "pca" -> (n, 2) codes
    rebuilt: dict[str, np.ndarray]  # method (as shown) -> (n, 64) reconstructions
    errors: dict[str, float]  # method (as shown) -> mean squared error per pixel on every held-out digit


def latent_comparison(model: TrainedAutoencoder, linear: TrainedAutoencoder) -> LatentComparison:
    """``model`` (non-linear), ``linear`` and PCA with k = the code size, each fitted on the same training digits
    and compared on the same held-out ones."""
    config = model.config
    X_train, X_test, _, y_test = split_digits(config.test_share, model.seed)
    result = fit_pca(X_train, config.latent)
    return LatentComparison(
        digits=X_test,
        labels=y_test.astype(str),
        codes={"autoencoder": model.encode(X_test), "pca": result.transform(X_test)},
        rebuilt={
            f"PCA, k = {config.latent}": result.reconstruct(X_test),
            f"linear autoencoder, {linear.config.latent} units": linear.reconstruct(X_test),
            f"autoencoder, {config.latent} units": model.reconstruct(X_test),
        },
        errors={
            f"PCA (k={config.latent})": result.reconstruction_error(X_test),
            f"linear autoencoder (k={linear.config.latent})": linear.test_mse,
            f"autoencoder (k={config.latent})": model.test_mse,
        },
    )


def relative_gap(error: float, reference: float) -> float:
    """How far ``error`` is from ``reference``, as a share of it (+0.1: 10 % higher)."""
    return error / reference - 1


def k_options(k: int, total: int) -> list[str]:
    """The options of "how many components keep 95 %": 2, the real k and all ``total``, each once, in order."""
    return sorted({"2", str(k), str(total)}, key=int)


def xy_frame(points: np.ndarray) -> dict[str, list[float]]:
    """A 2-D point cloud as the columns a scatter chart reads."""
    return {"x": points[:, 0].tolist(), "y": points[:, 1].tolist()}


def digit_pair(original: np.ndarray, rebuilt: np.ndarray, shape: tuple[int, int] = (8, 8)) -> np.ndarray:
    """A digit and its reconstruction as two images, ready to be drawn side by side."""
    return np.stack([original, rebuilt]).reshape(2, *shape)
