"""The text CNN: shapes, max over time against a hand-written loop, the data split, and learning beyond chance."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import sentences, text_cnn
from models.text_cnn import TextCNN, TextCNNConfig, pad_batch
from tests.text_speech_fixtures import bag_of_words, comparison, trained_text_cnn

SMALL = TextCNNConfig(embed_dim=5, filters=3)


def test_tokenize_splits_negations_and_ignores_everything_else():
    assert text_cnn.tokenize("It wasn't BAD, can't be!") == ["it", "was", "not", "bad", "can", "not", "be"]
    assert text_cnn.tokenize("<b>hi</b> 😀 Привет 123") == ["b", "hi", "b"]
    assert len(text_cnn.tokenize("word " * 1000)) == text_cnn.MAX_TOKENS


def test_shapes_of_maps_pooled_and_logits():
    torch.manual_seed(0)
    model = TextCNN(20, 3, SMALL)
    ids, lengths = pad_batch([[2, 3, 4, 5, 6, 7], [2, 3]], min_length=4)
    maps = model.feature_maps(ids, lengths)
    assert [m.shape for m in maps] == [(2, 3, 5), (2, 3, 4), (2, 3, 3)]
    assert model.pooled(ids, lengths).shape == (2, 9)
    assert model(ids, lengths).shape == (2, 3)


def test_max_over_time_matches_a_loop_over_windows():
    """Each pooled value is the max over the sentence's own windows of ReLU(w · x[t:t+k] + b), from unfold."""
    torch.manual_seed(1)
    model = TextCNN(30, 3, SMALL).eval()
    rows = [[5, 9, 2, 11, 3, 8, 4], [7, 6, 2], [12]]
    ids, lengths = pad_batch(rows, min_length=4)
    pooled = model.pooled(ids, lengths)
    x = model.embedding(ids)  # (B, T, E)
    for b, row in enumerate(rows):
        expected = []
        for conv, width in zip(model.convs, SMALL.widths, strict=True):
            windows = x[b].unfold(0, width, 1)  # (T - w + 1, E, w)
            scores = F.relu(torch.einsum("tew,few->tf", windows, conv.weight) + conv.bias)  # (T - w + 1, F)
            valid = max(len(row), width) - width + 1  # no window may start after the last word
            expected.append(scores[:valid].max(dim=0).values)
        torch.testing.assert_close(pooled[b], torch.cat(expected))


def test_padding_does_not_change_the_answer():
    torch.manual_seed(2)
    model = TextCNN(30, 3, SMALL).eval()
    short, _ = pad_batch([[5, 9, 2]], min_length=4)
    long = torch.cat([short, torch.zeros(1, 6, dtype=torch.long)], dim=1)
    lengths = torch.tensor([3])
    torch.testing.assert_close(model(short, lengths), model(long, lengths))


def test_the_split_is_fixed_and_balanced():
    train, held = sentences.load_split()
    assert len(train) + len(held) >= 1500
    assert abs(len(held) - len(train + held) / 5) <= len(sentences.sentence_files())  # every 5th line of each file
    assert {label for _, label in held} == set(text_cnn.CLASSES)
    assert not {s for s, _ in train} & {s for s, _ in held}
    assert (train, held) == sentences.load_split()


def test_learned_text_cnn_beats_chance_by_a_wide_margin():
    model = trained_text_cnn()
    assert model.test_accuracy >= 0.70  # chance is 1/3
    assert model.history.loss[-1] < model.history.loss[0]


def test_payload_round_trip_gives_the_same_probabilities():
    model = trained_text_cnn()
    again = text_cnn.TrainedTextCNN.from_payload(model.to_payload())
    probe = ["the soup was not bad at all", "the bus leaves at nine"]
    np.testing.assert_allclose(again.predict_proba(probe), model.predict_proba(probe), atol=1e-6)


def test_reading_a_sentence_traces_every_filter():
    model = trained_text_cnn()
    reading = model.read("The soup was hardly warm")
    assert abs(sum(reading.probs.values()) - 1) < 1e-5 and reading.label in text_cnn.CLASSES
    assert len(reading.traces) == model.config.filters * len(model.config.widths)
    pooled = model.network.pooled(*model.batch(["The soup was hardly warm"]))[0].detach().numpy()
    by_name = dict(zip(model.filter_names, pooled, strict=True))
    for trace in reading.traces:
        assert trace.value == pytest.approx(float(by_name[trace.name]), abs=1e-5)
        assert trace.scores.max() == pytest.approx(trace.value)
    with pytest.raises(ValueError, match="no words"):
        model.read("😀 !!! 123")


def test_top_ngrams_are_the_filters_real_winners():
    model = trained_text_cnn()
    corpus = [s for s, _ in sentences.load_split()[0][:200]]
    top = model.top_ngrams(corpus, k=3)
    name = model.filter_names[0]
    gram, value = top[name][0]
    pooled = model.network.pooled(*model.batch(corpus))[:, 0].detach().numpy()
    assert value == pytest.approx(float(pooled.max()), abs=1e-5)
    assert len(gram.split()) == model.config.widths[0]


def test_bag_of_words_and_comparison_add_up():
    result = comparison()
    assert result.order_count + result.plain_count == len(sentences.load_split()[1])
    assert bag_of_words().predict(["not good", "not good"]) == bag_of_words().predict(["good not", "good not"])
    overall = result.cnn_order_accuracy * result.order_count + result.cnn_plain_accuracy * result.plain_count
    assert overall / (result.order_count + result.plain_count) == pytest.approx(result.cnn_accuracy)
