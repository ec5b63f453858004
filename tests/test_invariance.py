"""models/invariance.py: moving a pre-processed grid, and the probe that sweeps a shift, turn or scale."""

import numpy as np
import pytest
import torch

from models import cnn_training, drawing, invariance


@pytest.fixture(scope="module")
def quick_mlp():
    return cnn_training.train_classifier("xo", arch="mlp", n_train=200, n_test=50, epochs=1)


def test_transform_grid_matches_a_pixel_shift_and_identity():
    image = torch.zeros(1, 8, 8)
    image[0, 3, 2] = 1.0
    moved = invariance.transform_grid(image, shift=2 / 8)  # two pixels to the right
    np.testing.assert_allclose(moved[0].numpy(), torch.roll(image, 2, dims=2)[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(invariance.transform_grid(image)[0].numpy(), image[0].numpy(), atol=1e-6)
    turned = invariance.transform_grid(image, angle=90.0)
    assert turned.sum().item() == pytest.approx(1.0, abs=1e-5)


def test_transformed_inputs_start_from_the_model_input(xo_cnn, digits_cnn):
    for model, name in ((xo_cnn, "X"), (digits_cnn, "4")):
        steps = model.preprocess(drawing.example_drawing(model.task, name))
        same = invariance.transformed_input(steps, model.task)
        np.testing.assert_allclose(same, steps.model_input, atol=1e-5)
        swept = invariance.transformed_inputs(steps, model.task, "shift", [-0.2, 0.0, 0.2])
        assert swept.shape == (3, *steps.model_input.shape)
    with pytest.raises(ValueError, match="unknown transform"):
        invariance.transformed_inputs(steps, "digits", "flip", [1])


def test_probe_compares_models_on_the_same_moved_inputs(xo_cnn, digits_cnn, quick_mlp):
    steps = xo_cnn.preprocess(drawing.example_drawing("xo", "X"))
    curves = invariance.probe({"CNN": xo_cnn, "MLP": quick_mlp}, steps, "rotate", np.array([-30, 0, 30]), "X")
    assert set(curves) == {"CNN", "MLP"} and curves["CNN"].shape == (3,)
    assert curves["CNN"][1] > 0.9
    with pytest.raises(ValueError, match="one task"):
        invariance.probe({"CNN": xo_cnn, "other": digits_cnn}, steps, "shift", [0], "X")
