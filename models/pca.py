"""Principal component analysis written out step by step (centre, scale, covariance, eigen-decomposition,
sort, project), plus the small experiments the Dimensionality page runs on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


def _as_matrix(X: np.ndarray, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D table (rows × features), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop or fill those rows first")
    return X


@dataclass(frozen=True)
class PCAResult:
    """A fitted PCA: the kept components, and every intermediate step that produced them."""

    components: np.ndarray  # (k, d) principal directions, one per row, sorted by variance
    explained_variance: np.ndarray  # (k,) variance of the data along each kept component
    explained_variance_ratio: np.ndarray  # (k,) share of the total variance each component keeps
    mean: np.ndarray  # (d,) feature means subtracted in the centring step
    scale: np.ndarray | None  # (d,) feature standard deviations divided out, None when not standardised
    prepared: np.ndarray  # (n, d) the data after centring (and scaling): step 1
    covariance: np.ndarray  # (d, d) covariance matrix of the prepared data: step 2
    raw_eigenvalues: np.ndarray  # (d,) eigenvalues as numpy.linalg.eigh returns them (ascending): step 3
    raw_eigenvectors: np.ndarray  # (d, d) matching eigenvectors, one per column
    order: np.ndarray  # (d,) indices that sort the eigenvalues from largest to smallest: step 4
    all_variance: np.ndarray  # (d,) every sorted eigenvalue, kept or not (for scree plots)
    all_variance_ratio: np.ndarray  # (d,) every sorted eigenvalue as a share of the total

    @property
    def n_components(self) -> int:
        """How many components were kept (k)."""
        return len(self.components)

    @property
    def cumulative_ratio(self) -> np.ndarray:
        """Share of the total variance kept by the first 1, 2, …, d components."""
        return np.cumsum(self.all_variance_ratio)

    def components_for(self, share: float) -> int:
        """The smallest k whose components keep at least ``share`` of the total variance."""
        hits = np.flatnonzero(self.cumulative_ratio >= share - 1e-12)
        return int(hits[0] + 1) if hits.size else len(self.all_variance_ratio)

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        X = _as_matrix(X)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"expected {len(self.mean)} features, got {X.shape[1]}")
        centred = X - self.mean
        return centred / self.scale if self.scale is not None else centred

    def transform(self, X: np.ndarray, k: int | None = None) -> np.ndarray:
        """Project rows of ``X`` onto the first ``k`` kept components (all kept ones by default): step 5."""
        k = self._check_k(k)
        return self._prepare(X) @ self.components[:k].T  # (n, d) @ (d, k) -> (n, k)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Map scores ``Z`` (n × k', k' ≤ k) back to the original feature space."""
        Z = _as_matrix(Z, "Z")
        k = self._check_k(Z.shape[1])
        back = Z @ self.components[:k]  # (n, k) @ (k, d) -> (n, d)
        if self.scale is not None:
            back = back * self.scale
        return back + self.mean

    def reconstruct(self, X: np.ndarray, k: int | None = None) -> np.ndarray:
        """Rebuild ``X`` from its first ``k`` components."""
        return self.inverse_transform(self.transform(X, k))

    def reconstruction_error(self, X: np.ndarray, k: int | None = None) -> float:
        """Mean squared error (per cell, in original units) of rebuilding ``X`` from ``k`` components."""
        X = _as_matrix(X)
        return float(np.mean((X - self.reconstruct(X, k)) ** 2))

    def error_by_k(self, x: np.ndarray) -> np.ndarray:
        """Squared error (mean per feature, original units) of rebuilding one row ``x`` from k = 1, 2, … components."""
        x = np.asarray(x, dtype=float).reshape(1, -1)
        scores = self.transform(x)[0]  # (k,)
        partial = np.cumsum(scores[:, None] * self.components, axis=0)  # (k, d): rebuilt from the first 1..k
        if self.scale is not None:
            partial = partial * self.scale
        return np.mean((x - (partial + self.mean)) ** 2, axis=1)

    def _check_k(self, k: int | None) -> int:
        if k is None:
            return self.n_components
        if not 0 <= k <= self.n_components:
            raise ValueError(f"k must be between 0 and {self.n_components}, got {k}")
        return int(k)


def fit_pca(X: np.ndarray, n_components: int | None = None, standardize: bool = False) -> PCAResult:
    """Fit PCA by hand: centre (and scale), covariance, eigen-decomposition, sort; keep ``n_components``."""
    X = _as_matrix(X)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"PCA needs at least 2 rows to measure variance, got {n}")
    if d < 1:
        raise ValueError("PCA needs at least 1 feature")
    limit = min(n, d)
    k = limit if n_components is None else int(n_components)
    if not 1 <= k <= limit:
        raise ValueError(f"n_components must be between 1 and min(rows, features) = {limit}, got {n_components}")

    # Step 1: centre, and optionally scale each feature to unit variance (population std, like StandardScaler).
    mean = X.mean(axis=0)
    prepared = X - mean
    scale = None
    if standardize:
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0  # a constant feature stays zero instead of dividing by zero
        prepared = prepared / scale

    # Step 2: covariance matrix (n - 1 in the denominator, as sklearn and numpy.cov do).
    covariance = prepared.T @ prepared / (n - 1)  # (d, n) @ (n, d) -> (d, d)

    # Step 3: eigen-decomposition; eigh because a covariance matrix is symmetric.
    raw_values, raw_vectors = np.linalg.eigh(covariance)

    # Step 4: sort from the largest eigenvalue (most variance) down.
    order = np.argsort(raw_values)[::-1]
    values = np.clip(raw_values[order], 0.0, None)  # rounding can leave tiny negative values
    vectors = raw_vectors[:, order].T  # one direction per row

    # An eigenvector's sign is arbitrary; fix it as sklearn does (largest |entry| positive) so plots are stable.
    signs = np.sign(vectors[np.arange(d), np.abs(vectors).argmax(axis=1)])
    vectors = vectors * np.where(signs == 0, 1.0, signs)[:, None]

    total = values.sum()
    ratio = values / total if total > 0 else np.zeros_like(values)
    return PCAResult(
        components=vectors[:k],
        explained_variance=values[:k],
        explained_variance_ratio=ratio[:k],
        mean=mean,
        scale=scale,
        prepared=prepared,
        covariance=covariance,
        raw_eigenvalues=raw_values,
        raw_eigenvectors=raw_vectors,
        order=order,
        all_variance=values,
        all_variance_ratio=ratio,
    )


def sklearn_agreement(X: np.ndarray, n_components: int | None = None, standardize: bool = False) -> float:
    """Largest difference between :func:`fit_pca` and sklearn's PCA (components up to sign, and variance ratios)."""
    ours = fit_pca(X, n_components, standardize)
    prepared = StandardScaler().fit_transform(X) if standardize else np.asarray(X, dtype=float)
    theirs = PCA(n_components=ours.n_components, svd_solver="full").fit(prepared)
    # Directions with zero variance (constant pixels, say) are an arbitrary basis of the null space in
    # any implementation, so only components that carry variance are compared.
    carrying = ours.explained_variance > 1e-9 * max(ours.all_variance.sum(), 1e-300)
    mine, reference = ours.components[carrying], theirs.components_[carrying]
    # Compare each of our components with the sign that brings it closer to sklearn's.
    flips = np.sign(np.sum(mine * reference, axis=1, keepdims=True))
    component_gap = np.abs(mine * np.where(flips == 0, 1.0, flips) - reference).max(initial=0.0)
    ratio_gap = np.abs(ours.explained_variance_ratio - theirs.explained_variance_ratio_).max()
    return float(max(component_gap, ratio_gap))


# --- a 2-D point cloud for "why reduce dimensions" -------------------------------------------------------


def correlated_cloud(
    n: int = 200, *, angle_deg: float | None = None, spread: tuple[float, float] = (3.0, 0.8), seed: int = 0
) -> np.ndarray:
    """``n`` 2-D points stretched along ``angle_deg`` (random when None): a cloud with one long direction."""
    if n < 2:
        raise ValueError("the cloud needs at least 2 points")
    rng = np.random.default_rng(seed)
    if angle_deg is None:
        angle_deg = rng.uniform(15.0, 165.0)
    raw = rng.normal(size=(n, 2)) * np.asarray(spread)
    theta = np.deg2rad(angle_deg)
    rotation = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    return raw @ rotation + rng.normal(0, 0.2, size=2)


def direction(angle_deg: float) -> np.ndarray:
    """The unit vector at ``angle_deg`` degrees from the x axis."""
    theta = np.deg2rad(angle_deg)
    return np.array([np.cos(theta), np.sin(theta)])


def angle_of(vector: np.ndarray) -> float:
    """The angle of a 2-D direction in degrees, folded into [0, 180) since ±v is the same line."""
    return float(np.rad2deg(np.arctan2(vector[1], vector[0])) % 180.0)


def projection_variance(points: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Variance of the points' projections onto the direction at each angle."""
    centred = _as_matrix(points) - points.mean(axis=0)
    units = np.stack([direction(a) for a in np.atleast_1d(angles_deg)])  # (A, 2)
    return (centred @ units.T).var(axis=0, ddof=1)  # (n, 2) @ (2, A) -> (n, A) -> (A,)


def project_onto(points: np.ndarray, angle_deg: float) -> tuple[np.ndarray, float]:
    """The points' projections onto the line through their mean at ``angle_deg``, and the variance lost.

    The loss is the summed squared distance to the projections over n - 1, so that variance kept plus
    variance lost equals the total variance.
    """
    points = _as_matrix(points)
    mean = points.mean(axis=0)
    u = direction(angle_deg)
    projected = mean + np.outer((points - mean) @ u, u)
    return projected, float(np.sum((points - projected) ** 2) / (len(points) - 1))


# --- PCA as a pre-processing step --------------------------------------------------------------------------
TIMING_REPEATS = 3  # fits timed per k; the median is reported


@dataclass(frozen=True)
class PreprocessingPoint:
    """Logistic regression after keeping k components: its test accuracy and fit time."""

    k: int | None  # components kept; None for the baseline without PCA
    accuracy: float  # test accuracy
    seconds: float  # median of a few wall-clock fits of scaler + PCA + logistic regression
    variance_kept: float  # share of the (standardised) variance the k components keep; 1.0 for the baseline


def pca_then_logistic(
    X: np.ndarray,
    y: np.ndarray,
    ks: tuple[int, ...],
    *,
    test_size: float = 0.25,
    seed: int = 0,
    repeats: int = TIMING_REPEATS,
) -> tuple[list[PreprocessingPoint], PreprocessingPoint]:
    """Fit standardise → PCA(k) → logistic regression for each k, and the same without PCA (the baseline)."""
    X = _as_matrix(X)
    y = np.asarray(y)
    d = X.shape[1]
    if any(not 1 <= k <= d for k in ks):
        raise ValueError(f"every k must be between 1 and {d}")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    ratio = fit_pca(StandardScaler().fit_transform(X_train), standardize=False).cumulative_ratio

    def run(k: int | None) -> PreprocessingPoint:
        # The same scaler and solver both ways: with every component kept, PCA is only a rotation,
        # which an L2 penalty does not notice, so k = d reproduces the baseline.
        steps = [StandardScaler()] + ([PCA(n_components=k, svd_solver="full")] if k else [])
        model = make_pipeline(*steps, LogisticRegression(max_iter=5000, tol=1e-8))
        # The median of a few fits, every k timed the same way: one slow fit (a busy neighbour) does not move it.
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            model.fit(X_train, y_train)
            times.append(time.perf_counter() - started)
        seconds = float(np.median(times))
        kept = float(ratio[k - 1]) if k else 1.0
        return PreprocessingPoint(k, float(model.score(X_test, y_test)), seconds, kept)

    # One BLAS thread: these fits are small, and on a busy 2-core machine two threads spin against each
    # other (measured: 3.5 s on one thread against 20 s on two for the whole grid).
    with threadpool_limits(1):
        return [run(k) for k in ks], run(None)


def smallest_k_within(points: list[PreprocessingPoint], target: float, tolerance: float) -> PreprocessingPoint | None:
    """The point with the fewest components whose accuracy is at least ``target − tolerance`` (None if none is)."""
    good = [p for p in points if p.k is not None and p.accuracy >= target - tolerance - 1e-12]
    return min(good, key=lambda p: p.k) if good else None


def point_at(points: list[PreprocessingPoint], k: int) -> PreprocessingPoint:
    """The point measured at exactly ``k`` components."""
    return next(p for p in points if p.k == k)
