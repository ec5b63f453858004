"""A small 2-D CNN that classifies synthetic spoken-like sounds from their spectrograms.

Sounds are generated on the fly (``models.applications.make_sound`` with random pitch, length, onset and noise),
so nothing is downloaded; the spectrogram comes from ``scipy.signal.spectrogram``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models import applications as _app
from models.training import History, count_parameters, evaluate, torch_threads, train

CLASSES = _app.SOUNDS
# Sounds per scipy call when making a dataset: all 1,120 at once raised a server's peak by about 60 MB (float64
# segments and their spectra), one by one took 0.43 s instead of about 0.1 s.
SPECTROGRAM_CHUNK = 64


@dataclass(frozen=True)
class SpeechConfig:
    """Data and network sizes of the speech CNN (frozen, so it can key a cache)."""

    train_per_class: int = 100  # generated training sounds per class
    test_per_class: int = 40  # held-out sounds per class, from other seeds
    pitch: tuple[float, float] = (0.8, 1.1)  # every frequency is multiplied by a factor in this range
    span: tuple[float, float] = (0.6, 1.0)  # the sound lasts this share of the 1 s clip (speaking speed)
    noise: tuple[float, float] = (0.0, 0.3)  # white noise, relative to the sound's peak
    channels: tuple[int, int] = (8, 16)  # conv 1 and conv 2
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 3e-3
    seed: int = 0


DEFAULT_CONFIG = SpeechConfig()


def random_sound(kind: str, rng: np.random.Generator, config: SpeechConfig = DEFAULT_CONFIG) -> np.ndarray:
    """One sound of ``kind`` with random pitch, length, onset and noise drawn from ``config``'s ranges."""
    span = rng.uniform(*config.span)
    return _app.make_sound(
        kind, seed=int(rng.integers(1 << 31)), pitch=rng.uniform(*config.pitch), span=span,
        start=rng.uniform(0, 1 - span), noise=rng.uniform(*config.noise),
    )  # fmt: skip


def make_dataset(per_class: int, seed: int, config: SpeechConfig = DEFAULT_CONFIG) -> tuple[torch.Tensor, torch.Tensor]:
    """Spectrograms (n, 1, frequency, time) and integer labels of ``per_class`` random sounds of every class."""
    rng = np.random.default_rng(seed)
    kinds = [kind for kind in CLASSES for _ in range(per_class)]
    images = []
    for first in range(0, len(kinds), SPECTROGRAM_CHUNK):  # a stack at a time: scipy's float64 buffers stay small
        waves = np.stack([random_sound(kind, rng, config) for kind in kinds[first : first + SPECTROGRAM_CHUNK]])
        images.append(torch.tensor(_app.spectrogram(waves), dtype=torch.float32))
    labels = torch.arange(len(CLASSES)).repeat_interleave(per_class)
    return torch.cat(images)[:, None], labels


class SpeechCNN(nn.Module):
    """The network's job: read a spectrogram and say which kind of sound made it.

    Two 3×3 conv layers (each ReLU, then 2×2 max-pool) find local time-frequency patterns such as a rising line
    or an onset; a global max over the remaining map keeps each pattern's strongest response wherever it
    happened, and a linear layer votes. Left out on purpose: batch norm and dropout (the task is small).
    """

    def __init__(self, n_classes: int, channels: tuple[int, int] = (8, 16)):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.linear = nn.Linear(c2, n_classes)

    def first_maps(self, x: torch.Tensor) -> torch.Tensor:
        """Conv 1 after ReLU: (B, c1, frequency, time)."""
        return F.relu(self.conv1(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Pooling before ReLU gives the same numbers (ReLU keeps the order of values) for a quarter of the ReLU work.
        x = F.relu(F.max_pool2d(self.conv1(x), 2))  # (B, c1, F/2, T/2)
        x = F.relu(F.max_pool2d(self.conv2(x), 2))  # (B, c2, F/4, T/4)
        return self.linear(x.amax(dim=(2, 3)))  # (B, classes)


class TrainedSpeechCNN:
    """A trained speech CNN with its history and held-out accuracy; saved through ``models.store``."""

    def __init__(self, network: SpeechCNN, config: SpeechConfig, history: History, accuracy: float, confusion):
        self.network = network.eval()
        self.config = config
        self.history = history
        self.test_accuracy = accuracy
        self.confusion = np.asarray(confusion, dtype=int)  # (true, predicted) counts on the held-out sounds
        self.num_parameters = count_parameters(network)

    def predict_proba(self, wave: np.ndarray) -> dict[str, float]:
        """Class probabilities of one sound."""
        x = torch.tensor(_app.spectrogram(wave), dtype=torch.float32)[None, None]
        with torch.no_grad(), torch_threads(1):
            probs = F.softmax(self.network(x), dim=1)[0].numpy()
        return {c: float(p) for c, p in zip(CLASSES, probs, strict=True)}

    def kernels(self) -> np.ndarray:
        """The learned first-layer kernels, (c1, 3, 3)."""
        return self.network.conv1.weight.detach()[:, 0].numpy()

    def feature_maps(self, wave: np.ndarray) -> np.ndarray:
        """The first layer's feature maps (after ReLU) for one sound, (c1, frequency, time)."""
        x = torch.tensor(_app.spectrogram(wave), dtype=torch.float32)[None, None]
        with torch.no_grad(), torch_threads(1):
            return self.network.first_maps(x)[0].numpy()

    def to_payload(self) -> dict:
        """Weights, config, history, accuracy and confusion matrix as plain tensors and lists."""
        raw = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.config).items()}
        return {
            "state": self.network.state_dict(),
            "config": raw,
            "history": self.history.to_dict(),
            "accuracy": float(self.test_accuracy),
            "confusion": self.confusion.tolist(),
        }

    @classmethod
    def from_payload(cls, payload: dict) -> TrainedSpeechCNN:
        """Rebuild a model saved with :meth:`to_payload`."""
        config = SpeechConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in payload["config"].items()})
        model = SpeechCNN(len(CLASSES), config.channels)
        model.load_state_dict(payload["state"])
        history = History.from_dict(payload["history"])
        return cls(model, config, history, float(payload["accuracy"]), payload["confusion"])


def train_speech_cnn(config: SpeechConfig = DEFAULT_CONFIG, on_step=None) -> TrainedSpeechCNN:
    """Generate the sounds, train the CNN and measure it on held-out sounds drawn with another seed."""
    x_train, y_train = make_dataset(config.train_per_class, seed=config.seed, config=config)
    x_test, y_test = make_dataset(config.test_per_class, seed=10_000 + config.seed, config=config)
    torch.manual_seed(config.seed)
    model = SpeechCNN(len(CLASSES), config.channels)
    # Channels-last while training, as for the drawing CNNs: oneDNN's pooling is much faster in that layout
    # (measured 2026-12-07: 3.0 -> 1.6 ms a step, most of it max-pooling).
    model.to(memory_format=torch.channels_last)
    with torch_threads(1):  # measured: 15 ms a step on one thread, 150 ms on two on a busy 2-core machine
        history = train(
            model, x_train, y_train, epochs=config.epochs, batch_size=config.batch_size,
            learning_rate=config.learning_rate, val=(x_test, y_test), seed=config.seed, on_step=on_step,
        )  # fmt: skip
        model.to(memory_format=torch.contiguous_format)
        _, accuracy = evaluate(model, x_test, y_test)
        with torch.no_grad():
            predicted = model(x_test).argmax(dim=1)
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    np.add.at(confusion, (y_test.numpy(), predicted.numpy()), 1)
    return TrainedSpeechCNN(model, config, history, accuracy, confusion)
