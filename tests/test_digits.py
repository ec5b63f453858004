"""Digits pre-processing: ink from any image, crop, fit, binarise, 4×4 block counts; the fixed split and baseline."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from models import digits
from models.shapes import render_strokes


def canvas_with(strokes, width=0.06, size=280) -> np.ndarray:
    """Strokes drawn like the canvas sends them: black ink on white, RGBA uint8."""
    ink = render_strokes(strokes, width, size)
    gray = (255 * (1 - ink)).astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def test_to_ink_reads_every_kind_of_image_the_same_way():
    rgba = canvas_with([np.array([[0.2, 0.2], [0.8, 0.8]])])
    ink = digits.to_ink(rgba)
    assert ink.dtype == np.float32 and ink.shape == (280, 280)
    assert ink.max() == pytest.approx(1.0) and ink[0, -1] == 0.0
    np.testing.assert_allclose(digits.to_ink(rgba[:, :, :3]), ink, atol=1e-6)  # RGB without alpha
    np.testing.assert_allclose(digits.to_ink(rgba[:, :, 0]), ink, atol=1e-6)  # grayscale
    np.testing.assert_allclose(digits.to_ink(rgba[:, :, 0] / 255.0), ink, atol=1e-6)  # float in [0, 1]
    transparent = rgba.copy()
    transparent[..., 3] = (ink * 255).astype(np.uint8)  # ink on a transparent background
    transparent[..., :3] = 0
    np.testing.assert_allclose(digits.to_ink(transparent), ink, atol=1 / 255)
    np.testing.assert_allclose(digits.to_ink(1.0 - rgba[:, :, 0] / 255.0), ink, atol=1e-6)  # light ink on dark


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((1, 1, 4), np.uint8), "at least"),
        (np.zeros((5000, 10), np.uint8), "limit"),
        (np.zeros((10, 10, 2), np.uint8), "expected"),
        (np.full((10, 10), np.nan), "NaN"),
        (np.array([["a"] * 10] * 10), "numbers"),
        (None, "draw something"),
    ],
)
def test_to_ink_rejects_unusable_images(image, message):
    with pytest.raises(ValueError, match=message):
        digits.to_ink(image)


def test_blank_and_dot_count_as_blank_but_a_stroke_does_not():
    assert digits.is_blank(np.zeros((280, 280), np.float32))
    dot = digits.to_ink(canvas_with([np.array([[0.5, 0.5], [0.5, 0.5]])], width=0.05))
    assert digits.is_blank(dot)
    assert not digits.is_blank(digits.to_ink(canvas_with([np.array([[0.5, 0.1], [0.5, 0.9]])], width=0.02)))


def test_count_blocks_matches_torch_sum_pooling():
    rng = np.random.default_rng(0)
    box = (rng.random((32, 32)) > 0.6).astype(np.float32)
    expected = torch.nn.functional.avg_pool2d(torch.tensor(box)[None, None], 4)[0, 0].numpy() * 16
    np.testing.assert_allclose(digits.count_blocks(box), expected)
    assert digits.count_blocks(np.ones((32, 32))).max() == 16


def test_preprocess_fits_the_longer_side_and_keeps_the_aspect_ratio():
    # A tall thin bar anywhere on the canvas fills the box from top to bottom, centred, and stays thin.
    steps = digits.preprocess_digit(digits.to_ink(canvas_with([np.array([[0.8, 0.3], [0.8, 0.7]])], width=0.03)))
    assert steps.box.shape == (32, 32) and set(np.unique(steps.box)) <= {0.0, 1.0}
    rows, cols = np.flatnonzero(steps.box.any(axis=1)), np.flatnonzero(steps.box.any(axis=0))
    assert rows[0] == 0 and rows[-1] == 31
    assert cols[-1] - cols[0] < 8 and abs((cols[0] + cols[-1]) / 2 - 15.5) <= 1
    assert steps.grid.shape == (8, 8) and steps.grid.max() <= 16 and steps.grid.sum() == steps.box.sum()


def test_preprocess_ignores_position_and_size():
    stroke = np.array([[0.0, 0.0], [1.0, 0.0], [0.4, 1.0]])  # a 7
    small = digits.preprocess_digit(digits.to_ink(canvas_with([stroke * 0.3 + 0.05], width=0.02))).grid
    large = digits.preprocess_digit(digits.to_ink(canvas_with([stroke * 0.8 + 0.1], width=0.053))).grid
    assert np.abs(small - large).mean() < 1.5


def test_ink_touching_the_border_is_kept():
    steps = digits.preprocess_digit(digits.to_ink(canvas_with([np.array([[0.0, 0.0], [0.0, 1.0]])], width=0.05)))
    assert steps.grid.sum() > 0


def test_split_is_fixed_stratified_and_80_20():
    x_train, x_test, y_train, y_test = digits.load_digit_split()
    assert len(x_train) + len(x_test) == len(load_digits().target) and len(x_test) == 360
    assert x_train.shape[1:] == (8, 8) and x_train.max() == 16
    shares = np.bincount(y_test) / np.bincount(y_train)
    assert shares.min() > 0.2 and shares.max() < 0.3
    np.testing.assert_array_equal(y_test, digits.load_digit_split()[3])


def test_svc_baseline_is_about_99_percent():
    assert 0.98 < digits.svc_baseline_accuracy() < 0.995


def test_stroke_digits_go_through_the_same_preprocessing():
    grids, labels = digits.make_stroke_digits(3, seed=0)
    assert grids.shape == (30, 8, 8) and np.bincount(labels).tolist() == [3] * 10
    assert grids.max() <= 16 and (grids.reshape(30, -1).sum(axis=1) > 0).all()
    ink = digits.stroke_digit(7, np.random.default_rng(0))
    assert ink.shape == (64, 64) and not digits.is_blank(ink)
