"""The dimensionality page's numbers: PC1's largest loading, the dominant variance, digit pixels, eigen-images."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA

from models import pca
from models import pca_lessons as pl


def test_largest_loading_on_raw_wine_is_proline_like_sklearn():
    wine = load_wine()
    component = PCA(n_components=1).fit(wine.data).components_[0]
    assert pl.largest_loading(component, wine.feature_names) == "proline"
    assert pl.largest_loading(pca.fit_pca(wine.data).components[0], wine.feature_names) == "proline"


def test_dominant_feature_names_the_feature_that_owns_the_variance():
    wine = load_wine()
    found = pl.dominant_feature(np.cov(wine.data, rowvar=False), wine.feature_names)
    assert found is not None and found.first == "proline"
    assert found.ratio == pytest.approx(wine.data[:, 12].var() / np.sort(wine.data.var(axis=0))[-2])
    standardized = (wine.data - wine.data.mean(0)) / wine.data.std(0)
    assert pl.dominant_feature(np.cov(standardized, rowvar=False), wine.feature_names) is None
    assert pl.dominant_feature(np.eye(1), ["only"]) is None


def test_unit_pixels_and_eigen_images_match_sklearn():
    X = load_digits().data
    pixels = pl.unit_pixels(X)
    assert pixels.min() == 0 and pixels.max() == 1
    result = pca.fit_pca(pixels)
    images = pl.eigen_images(result, 3)
    assert images.shape == (4, 8, 8)
    np.testing.assert_allclose(images[0].ravel(), pixels.mean(0))
    reference = PCA(n_components=3).fit(pixels).components_
    for mine, theirs in zip(images[1:], reference, strict=True):
        assert abs(np.dot(mine.ravel(), theirs)) == pytest.approx(1, abs=1e-6)  # the same direction, up to sign


@pytest.mark.parametrize(("error", "verdict"), [(0.5, -1), (0.95, 0), (1.09, 0), (1.5, 1)])
def test_error_comparison(error, verdict):
    assert pl.error_comparison(error, 1.0, 0.10) == verdict


def test_speedup():
    assert pl.speedup(2.0, 0.5) == 4.0 and pl.speedup(1.0, 0.0) == 1.0


def test_relative_gap_k_options_frame_and_digit_pair():
    assert pl.relative_gap(1.1, 1.0) == pytest.approx(0.1)
    assert pl.k_options(10, 13) == ["2", "10", "13"] and pl.k_options(2, 13) == ["2", "13"]
    cloud = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert pl.xy_frame(cloud) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    pair = pl.digit_pair(np.zeros(64), np.ones(64))
    assert pair.shape == (2, 8, 8) and pair[0].sum() == 0 and pair[1].sum() == 64
