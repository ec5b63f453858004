"""The speech CNN: generated data, shapes, and held-out accuracy on sounds it never heard."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import speech_cnn
from tests.text_speech_fixtures import trained_speech_cnn


def test_dataset_shapes_and_labels():
    x, y = speech_cnn.make_dataset(2, seed=0)
    assert x.shape == (2 * len(speech_cnn.CLASSES), 1, 32, 31) and x.min() >= 0 and x.max() <= 1
    assert torch.equal(y, torch.arange(len(speech_cnn.CLASSES)).repeat_interleave(2))


def test_forward_is_the_textbook_order_of_conv_relu_pool():
    """The network pools before ReLU (cheaper); the scores are those of conv → ReLU → pool, twice."""
    torch.manual_seed(0)
    net = speech_cnn.SpeechCNN(len(speech_cnn.CLASSES)).eval()
    x, _ = speech_cnn.make_dataset(1, seed=0)
    h = F.max_pool2d(F.relu(net.conv1(x)), 2)
    h = F.max_pool2d(F.relu(net.conv2(h)), 2)
    with torch.no_grad():
        assert torch.equal(net(x), net.linear(h.amax(dim=(2, 3))))


def test_random_sounds_differ_by_seed():
    a = speech_cnn.random_sound("rising pitch", np.random.default_rng(0))
    b = speech_cnn.random_sound("rising pitch", np.random.default_rng(1))
    assert a.shape == b.shape and not np.allclose(a, b)


def test_network_shapes():
    model = speech_cnn.SpeechCNN(len(speech_cnn.CLASSES))
    x = torch.rand(3, 1, 32, 31)
    assert model(x).shape == (3, len(speech_cnn.CLASSES))
    assert model.first_maps(x).shape == (3, 8, 32, 31)


def test_held_out_accuracy_and_confusion():
    model = trained_speech_cnn()
    assert model.test_accuracy >= 0.90  # chance is 1/8
    assert model.confusion.sum() == model.config.test_per_class * len(speech_cnn.CLASSES)
    assert np.trace(model.confusion) / model.confusion.sum() == pytest.approx(model.test_accuracy)
    assert model.kernels().shape == (8, 3, 3)
    probs = model.predict_proba(speech_cnn.random_sound("clicks", np.random.default_rng(5)))
    assert abs(sum(probs.values()) - 1) < 1e-5


def test_payload_round_trip():
    model = trained_speech_cnn()
    again = speech_cnn.TrainedSpeechCNN.from_payload(model.to_payload())
    wave = speech_cnn.random_sound("vowel (harmonics)", np.random.default_rng(3))
    assert again.predict_proba(wave) == model.predict_proba(wave)
    np.testing.assert_array_equal(again.confusion, model.confusion)


def test_making_a_training_set_keeps_scipys_buffers_small():
    """Spectrograms are taken a chunk of sounds at a time: all 800 at once held about 100 MB of float64 buffers."""
    import tracemalloc

    tracemalloc.start()
    try:
        speech_cnn.make_dataset(speech_cnn.DEFAULT_CONFIG.train_per_class, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30e6, f"{peak / 1e6:.0f} MB"
