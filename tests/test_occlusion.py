"""models/occlusion.py: where the evidence for the top class lies, in log-odds that match the probabilities."""

import numpy as np
import pytest

from models import drawing
from models.occlusion import log_odds


def test_occlusion_map_of_an_x(xo_cnn):
    steps = xo_cnn.preprocess(drawing.example_drawing("xo", "X"))
    occlusion = xo_cnn.occlusion_map(steps.model_input)
    side = drawing.XO_INPUT
    assert occlusion.label == "X" and occlusion.evidence.shape == (side, side)
    assert occlusion.evidence.max() > 0, "hiding some patch of an X lowers its log-odds"
    assert 0 <= occlusion.on_ink_share <= 1 and occlusion.patches == (side - occlusion.patch + 1) ** 2


def test_log_odds_match_the_probabilities(xo_cnn):
    grid = xo_cnn.preprocess(drawing.example_drawing("xo", "O")).model_input
    scores, probs = xo_cnn.grid_scores(grid), xo_cnn.predict_grids(grid)
    for k in range(3):
        p = probs[0, k]
        assert log_odds(scores, k)[0] == pytest.approx(np.log(p / (1 - p)), rel=1e-3, abs=1e-3)
