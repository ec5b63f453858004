"""Hand-written PCA against sklearn.decomposition.PCA, the scaling-invariance property, and bad input."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from models import pca, pca_datasets


def _assert_equal_up_to_sign(a: np.ndarray, b: np.ndarray, atol: float = 1e-8) -> None:
    """Rows (or columns of scores) may differ by a factor of -1 each."""
    for u, v in zip(a, b, strict=True):
        assert np.allclose(u, v, atol=atol) or np.allclose(u, -v, atol=atol)


@pytest.mark.parametrize("name", pca_datasets.BUILTIN)
@pytest.mark.parametrize("standardize", [False, True])
def test_fit_pca_matches_sklearn(name, standardize):
    X = pca_datasets.load_builtin(name).X
    k = min(4, X.shape[1])
    ours = pca.fit_pca(X, k, standardize=standardize)
    reference_input = StandardScaler().fit_transform(X) if standardize else X
    theirs = PCA(n_components=k, svd_solver="full").fit(reference_input)
    _assert_equal_up_to_sign(ours.components, theirs.components_)
    assert np.allclose(ours.explained_variance_ratio, theirs.explained_variance_ratio_)
    assert np.allclose(ours.explained_variance, theirs.explained_variance_)
    _assert_equal_up_to_sign(ours.transform(X).T, theirs.transform(reference_input).T, atol=1e-6)
    assert ours.components.shape == (k, X.shape[1])
    assert (ours.scale is None) != standardize


def test_intermediate_steps_are_consistent():
    X = pca_datasets.load_builtin("iris").X
    result = pca.fit_pca(X)
    assert np.allclose(result.prepared.mean(axis=0), 0)
    assert np.allclose(result.covariance, np.cov(X, rowvar=False))
    assert np.all(np.diff(result.raw_eigenvalues) >= 0)  # eigh returns ascending
    assert np.all(np.diff(result.all_variance) <= 0)  # sorted descending
    assert np.isclose(result.all_variance_ratio.sum(), 1.0)
    assert result.components_for(0.95) == int(np.argmax(np.cumsum(result.all_variance_ratio) >= 0.95) + 1)


def test_standardized_pca_is_invariant_to_feature_units():
    X = pca_datasets.load_builtin("wine").X
    rescaled = X * np.array([1000.0, 0.001] + [1.0] * (X.shape[1] - 2))
    a = pca.fit_pca(X, 3, standardize=True)
    b = pca.fit_pca(rescaled, 3, standardize=True)
    _assert_equal_up_to_sign(a.components, b.components)
    assert np.allclose(a.explained_variance_ratio, b.explained_variance_ratio)
    # Without standardising, the ×1000 feature takes over PC1.
    raw = pca.fit_pca(rescaled, 1)
    assert np.argmax(np.abs(raw.components[0])) == 0
    assert raw.explained_variance_ratio[0] > 0.9


def test_full_reconstruction_is_exact_and_error_falls_with_k():
    X = pca_datasets.load_builtin("digits").X
    result = pca.fit_pca(X)
    assert np.allclose(result.reconstruct(X), X)
    errors = [result.reconstruction_error(X, k) for k in (1, 5, 20, 64)]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1e-20


@pytest.mark.parametrize(
    ("X", "k", "message"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), None, "NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), None, "NaN or infinite"),
        (np.array([[1.0, 2.0]]), None, "at least 2 rows"),
        (np.ones((5, 3)), 4, "min\\(rows, features\\) = 3"),
        (np.ones((2, 3)), 3, "= 2"),
        (np.ones(5), None, "2-D"),
    ],
)
def test_fit_pca_rejects_bad_input(X, k, message):
    with pytest.raises(ValueError, match=message):
        pca.fit_pca(X, k)


def test_transform_checks_feature_count():
    result = pca.fit_pca(np.random.default_rng(0).normal(size=(10, 3)))
    with pytest.raises(ValueError, match="expected 3 features"):
        result.transform(np.ones((2, 4)))


def test_variance_along_directions_peaks_at_pc1():
    points = pca.correlated_cloud(300, angle_deg=30, seed=1)
    angles = np.arange(0, 180, 0.5)
    variances = pca.projection_variance(points, angles)
    pc1 = pca.angle_of(pca.fit_pca(points).components[0])
    assert abs(angles[variances.argmax()] - pc1) < 1.0
    assert np.isclose(variances.max(), pca.fit_pca(points).explained_variance[0], rtol=1e-3)
    # Kept plus lost is the total variance, so projecting onto PC1 loses the least.
    total = np.var(points, axis=0, ddof=1).sum()
    assert all(np.isclose(variances[i] + pca.project_onto(points, a)[1], total) for i, a in enumerate(angles[:5]))
    _, lost_pc1 = pca.project_onto(points, pc1)
    assert all(lost_pc1 <= pca.project_onto(points, a)[1] + 1e-12 for a in (0, 45, 90, 135))


def test_logistic_with_every_component_equals_the_baseline():
    data = pca_datasets.load_builtin("digits")
    points, baseline = pca.pca_then_logistic(data.X, data.labels, (2, 64), repeats=1)
    assert baseline.k is None
    assert points[-1].k == 64
    assert points[-1].accuracy == pytest.approx(baseline.accuracy, abs=1e-12)
    assert points[0].accuracy < baseline.accuracy
    assert points[-1].variance_kept == pytest.approx(1.0)


@pytest.mark.parametrize("name", pca_datasets.BUILTIN)
@pytest.mark.parametrize("standardize", [False, True])
def test_sklearn_agreement_is_tiny_for_every_component(name, standardize):
    # Digits has constant pixels: their zero-variance directions are arbitrary and left out.
    assert pca.sklearn_agreement(pca_datasets.load_builtin(name).X, standardize=standardize) < 1e-6


def test_error_by_k_matches_reconstruction_error():
    X = pca_datasets.load_builtin("iris").X
    result = pca.fit_pca(X, standardize=True)
    curve = result.error_by_k(X[7])
    assert np.allclose(curve, [result.reconstruction_error(X[7:8], k) for k in range(1, 5)])


@pytest.mark.parametrize(
    ("X", "k", "words"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), None, "NaN|finite|infinite"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), None, "NaN|finite|infinite"),
        (np.array([[1.0, 2.0]]), None, "2 rows|two rows|at least 2"),
        (np.ones((5, 3)), 4, "components|k"),
    ],
)
def test_fit_pca_bad_input(X, k, words):
    with pytest.raises(ValueError, match=words):
        pca.fit_pca(X, n_components=k)
