"""Every behavioural claim of the CNNs for text and speech page, asserted on the default models."""

import json

import numpy as np

from components import charts
from models import applications as app
from models import text_cnn
from tests.text_speech_fixtures import comparison, trained_speech_cnn, trained_text_cnn

DEFAULT = "The movie was not bad at all and the actors were very good"
MIXED = "The walk was not good but the dog was very happy"


def test_text_speech_default_sentence_is_positive_for_the_hand_made_vote():
    """Issue 15.10: the default must not come out wrong by accident ("not bad at all ... very good" is positive)."""
    verdict = app.classify_sentence(DEFAULT)
    assert verdict.label == "positive"
    assert verdict.pooled["not + negative"] == 1.0 and verdict.pooled["very + positive"] == 1.0


def test_text_speech_negated_positive_beside_a_positive_is_mixed_not_negative():
    """The old vote called this sentence "negative"; its evidence cancels, and the page says so."""
    verdict = app.classify_sentence(MIXED)
    assert verdict.label == "mixed" and verdict.score == 0


def test_text_speech_max_pool_keeps_one_number_per_detector():
    verdict = app.classify_sentence(MIXED)
    assert verdict.firing["positive word"] == 2 and verdict.pooled["positive word"] == 1.0


def test_text_speech_width_two_detector_sees_order():
    """A width-2 detector sees "not" right before "bad"; the same words the other way round do not fire it."""
    assert app.classify_sentence("not bad").pooled["not + negative"] == 1.0
    assert app.classify_sentence("bad not").pooled["not + negative"] == 0.0


def test_text_speech_every_word_is_labelled_on_the_x_axis():
    """Issue 15.10: every word's label shows (including "not" and "very"), none thinned out."""
    words = app.tokenize_words(DEFAULT)
    spec = charts.word_heatmap_chart(app.sentence_matrix(words), words, app.WORD_FEATURES)
    axis = spec["hconcat"][0]["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False
    assert json.loads(axis["labelExpr"].removesuffix("[datum.value]")) == words


def test_text_speech_text_cnn_beats_chance_by_a_wide_margin():
    assert trained_text_cnn().test_accuracy >= 2 * (1 / len(text_cnn.CLASSES))


def test_text_speech_cnn_beats_bag_of_words_on_negations():
    """The default model's order-subset verdict (the page words it from these numbers; 5 seeds in the benchmark)."""
    result = comparison()
    assert result.cnn_order_accuracy > result.bow_order_accuracy
    assert result.cnn_accuracy > result.bow_accuracy


def test_text_speech_shuffling_words_lowers_the_cnn():
    """Concept check "Shuffle the words ... does the accuracy change?" → yes, it drops."""
    result = comparison()
    assert result.shuffled_accuracy < result.cnn_accuracy


def test_text_speech_speech_cnn_held_out_accuracy():
    assert trained_speech_cnn().test_accuracy >= 0.9


def test_text_speech_rising_kernel_finds_the_rising_pitch():
    for sound, kernel in [("rising pitch", "rising line"), ("falling pitch", "falling line")]:
        image = app.spectrogram(app.make_sound(sound))
        responses = {n: app.convolve_spectrogram(image, k).max() for n, k in app.SPECTRO_KERNELS.items()}
        assert max(responses, key=responses.get) == kernel
    assert np.isfinite(list(responses.values())).all()
