"""The next-word page's small computations: count-vector slots, recall averages, tables and groups, the vocabulary."""

import math

import numpy as np

from models import next_word_lessons as NW
from models import through_time


def test_corpus_vocabulary_is_the_one_the_models_build(small_text, trained):
    vocab = NW.corpus_vocabulary(small_text)
    assert vocab.itos == trained["lstm"].vocab.itos
    assert NW.corpus_vocabulary(small_text, "window").itos == trained["window"].vocab.itos


def test_shown_slots_start_with_empty_ones_then_every_prompt_word_up_to_the_limit():
    counts = np.zeros(100, int)
    counts[[3, 50, 70]] = 1
    assert NW.shown_slots(counts) == [*range(2, 12), 50, 70]
    counts[:] = 1
    assert NW.shown_slots(counts) == list(range(40))


def test_log_safe_domain_and_clipping():
    assert NW.log_safe(np.array([0.0, 2.0])).tolist() == [NW.LOG_FLOOR, 2.0]
    assert NW.clipped_norms([0.1, 3.0], 0.25).tolist() == [0.1, 0.25]


def test_far_accuracy_averages_the_long_distances_only():
    accuracy = {"rnn": {4: 1.0, 12: 0.2, 60: 0.4}, "lstm": {4: 1.0, 12: 0.9, 60: 0.7}}
    far = NW.far_accuracy(accuracy, 12)
    assert math.isclose(far["rnn"], 0.3) and math.isclose(far["lstm"], 0.8)


def test_spread_ranges_and_exploded():
    runs = [
        through_time.RunSummary(**fields)
        for fields in (
            dict(start_loss=5.0, highest_loss=9.0, final_loss=6.0, largest_norm=500.0, largest_step=5.0,
                 steps_above_start=10),
            dict(start_loss=5.0, highest_loss=6.0, final_loss=5.0, largest_norm=20.0, largest_step=0.2,
                 steps_above_start=1),
        )
    ]  # fmt: skip
    assert NW.spread_ranges(runs) == ((20.0, 500.0), (1.0, 4.0))
    assert NW.exploded(runs[0], norm=100, rise=3) and not NW.exploded(runs[1], norm=100, rise=3)


def test_tables_and_groups_from_trained_models(trained):
    labels = {k: k.upper() for k in trained}
    rows = NW.comparison_rows(trained, labels, {k: "far" for k in trained})
    assert [r["model"] for r in rows] == list(labels.values())
    for row, model in zip(rows, trained.values(), strict=True):
        assert row["epochs"] == 2 and row["parameters"] == model.num_parameters
    assert set(NW.known_perplexities(trained)) <= set(trained)
    curves = NW.perplexity_curves(trained, labels)
    for kind, model in trained.items():
        if model.history.val_loss:
            assert np.allclose(curves[labels[kind]], np.exp(model.history.val_loss))
    row = NW.progress_row("LSTM", "training", trained["lstm"], "the cat")
    assert row["epochs done"] == 2 and row["next word"] != "–"
    assert NW.progress_row("LSTM", "waiting", None, "the cat")["next word"] == "–"
    assert NW.close_groups({"days": 0.5, "pets": 0.15}, 0.1) == (["days"], ["pets"])
