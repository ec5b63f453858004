"""The draw page's small computations: top class, which network keeps a moved drawing, grid regions, options."""

import numpy as np

from models import draw_lessons as D


def test_top_class_and_pct():
    assert D.top_class({"X": 0.2, "O": 0.7, "other": 0.1}) == "O"
    assert D.pct(0.456) == "46%"


def test_better_keeper_needs_a_clear_gap():
    assert D.better_keeper(0.9, 0.5) == "cnn"
    assert D.better_keeper(0.5, 0.9) == "mlp"
    assert D.better_keeper(0.52, 0.5) == "same" and D.better_keeper(0.5, 0.54) == "same"


def test_grid_region_splits_the_grid_in_thirds():
    assert D.grid_region(0, 0, 9) == ("top", "left")
    assert D.grid_region(4, 4, 9) == ("middle", "centre")
    assert D.grid_region(8, 8, 9) == ("bottom", "right")


def test_skipped_pools_and_shape_options():
    assert D.skipped_pools((True, True, True), (True, False, False)) == [2, 3]
    assert D.skipped_pools((True, True), (True, True)) == []
    options = D.shape_options("16 × 8 × 8", 8)
    assert options == ["16 × 16 × 16", "16 × 8 × 8", "16 × 6 × 6", "16 × 4 × 4", "8 × 8 × 8"]
    assert len(D.shape_options("16 × 8 × 8", 16)) == 4  # a slip that gives the answer is not listed twice
    assert "16 × 0 × 0" not in D.shape_options("16 × 2 × 2", 8)  # no shape without pixels


def test_input_picture_is_dark_ink_on_white():
    grid = np.array([[0.0, 2.0], [1.0, 4.0]])
    assert np.allclose(D.input_picture(grid), [[1.0, 0.5], [0.75, 0.0]])
    assert np.allclose(D.input_picture(np.zeros((2, 2))), 1.0)
