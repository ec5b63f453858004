"""models/xo_case_study.py: Rohrer's X/O images and filters are the slides', and its pooling matches torch."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import xo_case_study as xo


def test_rohrer_constants_are_the_slides():
    for img in xo.ROHRER_IMAGES.values():
        assert img.shape == (9, 9) and set(np.unique(img)) == {-1.0, 1.0}
    assert np.array_equal(xo.FILTER_DIAGONAL, np.where(np.eye(3) > 0, 1, -1))
    assert np.array_equal(xo.FILTER_ANTI_DIAGONAL, np.fliplr(xo.FILTER_DIAGONAL))
    assert xo.FILTER_X_CENTRE[1, 1] == 1 and xo.FILTER_X_CENTRE[0, 1] == -1
    # "element-wise multiply, add outputs" = 9: the diagonal filter on the X's top-left stroke
    assert np.sum(xo.ROHRER_X[1:4, 1:4] * xo.FILTER_DIAGONAL) == 9
    maps = xo.match_maps(xo.ROHRER_X)
    assert maps["X centre"][3, 3] == 1.0 and maps["diagonal \\"][1, 1] == 1.0 and maps["diagonal /"][1, 5] == 1.0


def test_xo_pooling_matches_torch():
    for image in xo.ROHRER_IMAGES.values():
        for name, m in xo.match_maps(image).items():
            t = torch.from_numpy(np.maximum(m, 0))[None, None]
            once = F.max_pool2d(t, 2, ceil_mode=True)
            np.testing.assert_allclose(xo.pooled_maps(image)[name], once[0, 0].numpy())
            np.testing.assert_allclose(xo.quarter_maps(image)[name], F.max_pool2d(once, 2, ceil_mode=True)[0, 0])


def test_voting_weights_are_read_off_the_references():
    wx, wo = xo.voting_weights("X"), xo.voting_weights("O")
    for name in xo.ROHRER_FILTERS:
        assert set(np.unique(wx[name])) <= {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(wx["diagonal \\"], [[1, -1], [-1, 1]])  # the X's "\" strokes sit on its diagonal
    np.testing.assert_array_equal(wo["diagonal \\"], [[-1, 1], [1, -1]])  # the O's sit in the other corners
    with pytest.raises(ValueError, match="letter"):
        xo.voting_weights("Y")


def test_shift_moves_pixels_and_fills_with_background():
    moved = xo.shift(xo.ROHRER_X, 1, -1)
    assert moved[2, 0] == 1 and moved[0].max() == -1 and moved[:, 8].max() == -1
