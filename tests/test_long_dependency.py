"""The long-dependency recall task: sentences, training, accuracy and gradients back to the colour."""

import random

import pytest

from models import long_dependency as LD


# --- long-term dependencies ------------------------------------------------------------------------------------
def test_recall_sentence_puts_the_colour_at_the_distance():
    rng = random.Random(0)
    for distance in (3, 12, 30):
        tokens, colour = LD.recall_sentence(distance, rng)
        assert colour in LD.COLOURS and tokens[LD.PREFIX_LEN - 1] == colour
        assert len(tokens) - 1 - (LD.PREFIX_LEN - 1) == distance
        assert tokens.count(colour) == 1
    with pytest.raises(ValueError):
        LD.recall_sentence(1, rng)


def test_recall_model_trains_and_reports_accuracy():
    config = LD.RecallConfig(stages=(6, 10), examples=64, epochs=1, hidden_size=8)
    for kind in ("rnn", "lstm"):
        model = LD.train_recall_model(kind, config)
        accuracy = LD.recall_accuracy(model, [4, 10], n=20)
        assert set(accuracy) == {4, 10} and all(0 <= a <= 1 for a in accuracy.values())
        assert len(model.history.loss) == 2
    with pytest.raises(ValueError):
        LD.train_recall_model("bow", config)
