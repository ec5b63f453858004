"""Seed robustness of the kernels and dimensionality pages' claims: the X/O vote on random grids, the autoencoders
against PCA, and how many components the classifier needs. ``run()`` returns one row per claim.
"""

from __future__ import annotations

import numpy as np

from models import autoencoder, pca, pca_datasets
from models import xo_case_study as xo

RANDOM_GRIDS = 300  # per seed and density
DENSITIES = (0.2, 0.35, 0.5)  # share of ink pixels in a random grid


def _row(claim: str, values: list[float], goal: str, met: bool, worst: float) -> dict:
    return {"claim": claim, "values": values, "mean": float(np.mean(values)), "worst": worst, "goal": goal, "met": met}


def random_grids_are_neither(seeds) -> dict:
    """Share of random 9×9 grids the voting layer calls neither X nor O (worst density per seed)."""
    values = []
    for seed in seeds:
        shares = [
            np.mean([xo.vote(g).label == "neither" for g in xo.random_grids(RANDOM_GRIDS, d, seed)]) for d in DENSITIES
        ]
        values.append(float(min(shares)))
    worst = min(values)
    claim = "kernels: a random grid gets no verdict (share neither)"
    return _row(claim, values, "≥ 0.97 every seed", worst >= 0.97, worst)


def autoencoders_against_pca(seeds) -> list[dict]:
    """Test error of each autoencoder over PCA's (k = 2) on the same held-out digits."""
    linear, relu = [], []
    for seed in seeds:
        X_train, X_test, _, _ = autoencoder.split_digits(autoencoder.DEFAULT_CONFIG.test_share, seed)
        pca_error = pca.fit_pca(X_train, 2).reconstruction_error(X_test)
        relu.append(autoencoder.train_autoencoder(autoencoder.DEFAULT_CONFIG, seed=seed).test_mse / pca_error)
        linear.append(autoencoder.train_autoencoder(autoencoder.LINEAR_CONFIG, seed=seed).test_mse / pca_error)
    worst_linear = max(abs(v - 1) for v in linear)
    return [
        _row(
            "dimensionality: linear autoencoder ≈ PCA at k = 2 (error ratio)",
            linear,
            "within ±10 % every seed",
            worst_linear <= 0.10,
            float(1 + worst_linear),
        ),
        _row(
            "dimensionality: ReLU autoencoder beats PCA at k = 2 (error ratio)",
            relu,
            "< 1 every seed",
            max(relu) < 1,
            float(max(relu)),
        ),
    ]


def few_components_fall_short(seeds) -> dict:
    """Accuracy gap at k = 5 to the classifier without PCA, over train/test splits."""
    data = pca_datasets.load_builtin("digits")
    gaps = []
    for seed in seeds:
        points, baseline = pca.pca_then_logistic(data.X, data.labels, (5,), seed=seed, repeats=1)
        gaps.append(float(baseline.accuracy - points[0].accuracy))
    worst = min(gaps)
    return _row(
        "dimensionality: k = 5 is well below no PCA (accuracy gap)", gaps, "≥ 0.10 every split", worst >= 0.10, worst
    )


def run(seeds=(0, 1, 2, 3, 4)) -> list[dict]:
    """Every seed-dependent claim of the two pages, over ``seeds``."""
    return [random_grids_are_neither(seeds), *autoencoders_against_pca(seeds), few_components_fall_short(seeds)]


if __name__ == "__main__":
    for row in run():
        print(f"{'met' if row['met'] else 'NOT MET'}  {row['claim']}: mean {row['mean']:.3f}, worst {row['worst']:.3f}")
