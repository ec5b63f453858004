"""Procedural X / O / other shapes: balanced, seeded, inside the canvas, with visible ink."""

import numpy as np
import pytest

from models import shapes


def test_make_shapes_is_balanced_seeded_and_in_range():
    images, labels = shapes.make_shapes(20, seed=1)
    assert images.shape == (60, 56, 56) and images.dtype == np.float32
    assert np.bincount(labels).tolist() == [20, 20, 20]
    assert images.min() >= 0 and images.max() <= 1
    assert (images.reshape(60, -1).max(axis=1) > 0.5).all(), "every shape has ink"
    again, labels_again = shapes.make_shapes(20, seed=1)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, labels_again)
    other, _ = shapes.make_shapes(20, seed=2)
    assert not np.array_equal(images, other)


@pytest.mark.parametrize("kind", shapes.OTHER_KINDS)
def test_every_other_kind_renders(kind):
    rng = np.random.default_rng(0)
    placed = shapes.place_strokes(shapes.other_strokes(kind, rng), rng, shapes.ShapeConfig(), extent=0.5)
    points = np.concatenate(placed)
    assert points.min() >= -0.01 and points.max() <= 1.01, "placed strokes stay on the canvas"
    assert shapes.render_strokes(placed, 0.03, 64).max() > 0.5


def test_x_has_two_strokes_and_o_is_closed():
    rng = np.random.default_rng(0)
    assert len(shapes.x_strokes(rng)) == 2
    (loop,) = shapes.o_strokes(rng)
    assert np.linalg.norm(loop[0] - loop[-1]) < 0.3, "an O ends near where it started"


def test_pen_width_changes_the_amount_of_ink():
    strokes = [np.array([[0.1, 0.5], [0.9, 0.5]])]
    thin, thick = shapes.render_strokes(strokes, 0.02, 100), shapes.render_strokes(strokes, 0.1, 100)
    assert thick.sum() > 3 * thin.sum()


def test_bad_arguments_raise_clear_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown label"):
        shapes.shape_strokes("Y", rng)
    with pytest.raises(ValueError, match="unknown shape kind"):
        shapes.other_strokes("star", rng)
    with pytest.raises(ValueError, match="at least 1"):
        shapes.make_shapes(0)


def test_a_plus_is_other_and_barely_turns_so_it_never_becomes_an_x():
    rng = np.random.default_rng(0)
    limits = {shapes.random_shape("other", rng)[1]["max_rotation"] for _ in range(300)}
    assert limits == {180.0, shapes.OTHER_MAX_ROTATION["plus"]}, "a '+' turns a little, other doodles freely"
    assert shapes.OTHER_MAX_ROTATION["plus"] + shapes.ShapeConfig().max_rotation < 45, "a gap between X and +"
    assert shapes.random_shape("X", rng)[1]["max_rotation"] == shapes.ShapeConfig().max_rotation
