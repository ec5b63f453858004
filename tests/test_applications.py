"""The same convolution over text and sound: checked against torch, and the detectors do what they say."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import applications as app


@pytest.mark.parametrize("width", [1, 2, 3])
def test_text_convolution_matches_torch_conv1d(width):
    rng = np.random.default_rng(width)
    matrix = rng.normal(size=(4, 9))
    kernel = rng.normal(size=(4, width))
    expected = F.conv1d(torch.tensor(matrix)[None], torch.tensor(kernel)[None])[0, 0].numpy()
    np.testing.assert_allclose(app.conv1d_text(matrix, kernel), expected, rtol=1e-10)


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("a great walk with my dog", "positive"),
        ("the weather was not good", "negative"),
        ("I had a very bad day", "negative"),
        ("the bus came at nine", "neutral"),
        ("the movie was not bad at all and the actors were very good", "positive"),
        ("the walk was not good but the dog was very happy", "mixed"),
    ],
)
def test_hand_made_text_cnn(sentence, label):
    assert app.classify_sentence(sentence).label == label


def test_two_word_detector_needs_both_words():
    verdict = app.classify_sentence("good")
    assert verdict.pooled["not + positive"] == 0.0
    assert app.classify_sentence("not good").pooled["not + positive"] == 1.0


def test_vote_is_the_weighted_sum_of_pooled_detectors():
    verdict = app.classify_sentence("not bad, very good, and so happy")
    assert verdict.score == sum(app.VOTE_WEIGHTS[n] * v for n, v in verdict.pooled.items())
    assert verdict.firing["positive word"] == 2 and verdict.pooled["positive word"] == 1.0


@pytest.mark.parametrize("sound", app.SOUNDS)
def test_varied_sounds_fill_the_clip(sound):
    wave = app.make_sound(sound, seed=3, pitch=1.1, span=0.6, start=0.3, noise=0.2)
    assert wave.shape == (app.SAMPLE_RATE,) and np.isfinite(wave).all()
    assert np.abs(wave).max() == pytest.approx(0.8, abs=1e-6)


def test_text_bad_input():
    with pytest.raises(ValueError, match="no words"):
        app.classify_sentence("!!! 123")
    assert len(app.tokenize_words("word " * 1000)) == app.MAX_WORDS


@pytest.mark.parametrize("sound", app.SOUNDS)
def test_sounds_are_bounded_and_spectrograms_scaled(sound):
    wave = app.make_sound(sound)
    assert wave.dtype == np.float32 and np.abs(wave).max() <= 0.8 + 1e-6
    image = app.spectrogram(wave)
    assert image.shape[0] == 32 and image.min() == 0.0 and image.max() == pytest.approx(1.0)


@pytest.mark.parametrize(("sound", "kernel"), [("rising pitch", "rising line"), ("falling pitch", "falling line")])
def test_line_kernels_prefer_their_own_direction(sound, kernel):
    image = app.spectrogram(app.make_sound(sound))
    responses = {name: app.convolve_spectrogram(image, k).max() for name, k in app.SPECTRO_KERNELS.items()}
    assert max(responses, key=responses.get) == kernel


def test_unknown_sound():
    with pytest.raises(ValueError, match="unknown sound"):
        app.make_sound("birdsong")


def test_a_stack_of_waves_gives_the_spectrograms_of_each_wave_bit_for_bit():
    waves = np.stack([app.make_sound(kind, seed=i, noise=0.2) for i, kind in enumerate(app.SOUNDS)])
    one_by_one = np.stack([app.spectrogram(wave) for wave in waves])
    assert np.array_equal(app.spectrogram(waves), one_by_one)
