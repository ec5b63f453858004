"""The kernel playground's numbers: the X/O grid, one window step (checked against torch), pictures as 0…255."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import kernel_lessons as kl
from models import weight_sharing
from models import xo_case_study as xo


@pytest.mark.parametrize("name", list(xo.ROHRER_IMAGES))
def test_ink_round_trips_through_the_grid(name):
    image = xo.ROHRER_IMAGES[name]
    assert np.array_equal(kl.grid_from_ink(kl.ink_of(image)), np.where(np.asarray(image) > 0, 1.0, -1.0))


def test_grid_from_ink_marks_only_the_chosen_cells():
    grid = kl.grid_from_ink([[1, 7], [], [4]])
    assert grid.shape == (9, 9) and grid.sum() == -81 + 2 * 3
    assert grid[0, 1] == grid[0, 7] == grid[2, 4] == 1.0 and grid[1].max() == -1.0


@pytest.mark.parametrize("shape", [(9, 9), (8, 12), (5, 7)])
def test_window_step_matches_torch_and_fills_row_by_row(shape):
    rng = np.random.default_rng(0)
    grid, kernel = rng.normal(size=shape), rng.normal(size=(3, 3))
    reference = F.conv2d(torch.tensor(grid)[None, None], torch.tensor(kernel)[None, None])[0, 0].numpy()
    out_h, out_w = reference.shape
    for position in (0, out_w + 1, out_h * out_w - 1):
        step = kl.window_step(grid, kernel, position)
        assert (step.row, step.col) == divmod(position, out_w)
        np.testing.assert_allclose(step.feature, reference, atol=1e-12)
        assert step.total == pytest.approx(step.products.sum()) == pytest.approx(reference[step.row, step.col])
        assert np.isnan(step.so_far).sum() == out_h * out_w - 1 - position  # later cells are not filled yet


def test_window_step_refuses_a_position_outside_the_output():
    with pytest.raises(ValueError, match="outside"):
        kl.window_step(np.zeros((5, 5)), np.ones((3, 3)), 9)


@pytest.mark.parametrize(
    ("kernel", "on_xo", "fmt"),
    [(np.ones((3, 3)), False, ".0f"), (np.full((3, 3), 1 / 9), False, ".1f"), (np.full((3, 3), 1 / 9), True, ".3~g")],
)
def test_window_number_format(kernel, on_xo, fmt):
    assert kl.window_number_format(kernel, on_xo) == fmt


def test_pixel_values_are_whole_numbers_in_range():
    values = kl.pixel_values(np.linspace(0, 1, 40 * 60).reshape(40, 60), 12)
    assert max(values.shape) == 12 and values.min() >= 0 and values.max() <= 255
    assert np.array_equal(values, np.round(values))


def test_symmetric_domain_is_centred_on_zero():
    assert kl.symmetric_domain(np.array([[-2.0, 1.0], [np.nan, 0.5]])) == (-2.0, 2.0)
    assert kl.symmetric_domain(np.zeros((2, 2))) == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("n", "word"), [(3, "a handful"), (40, "tens"), (448, "hundreds"), (9_999, "thousands"), (44_251_200, "millions")]
)
def test_magnitude_words(n, word):
    assert kl.magnitude(n) == word


def test_parameter_table_matches_the_counts_and_torch():
    layers = weight_sharing.layer_counts(8, 1, 4, 3)
    table = kl.parameter_table(layers, 8, 1, 4, 3)
    conv_layer = torch.nn.Conv2d(1, 4, 3)
    assert table.loc["convolutional", "parameters"] == f"{sum(p.numel() for p in conv_layer.parameters()):,}"
    assert table.loc["fully connected", "parameters"] == f"{64 * 144 + 144:,}"
    assert table.loc["locally connected", "weights + biases"] == "6·6·4 × (3·3·1 + 1)"


def test_weight_sum_leaves_out_empty_cells():
    assert kl.weight_sum(np.array([[0.5, np.nan], [0.25, 0.25]])) == 1.0
    assert kl.weight_sum(np.array([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]])) == 0.0
