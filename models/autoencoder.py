"""A small PyTorch autoencoder for the 8×8 digits: squeeze 64 pixels through a tiny bottleneck and rebuild them.

The linear variant (no non-linearity) can only learn PCA's subspace, which is why it reaches about PCA's error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models.pca_datasets import digits_pixels
from models.training import History, OnStep, count_parameters, torch_threads, train

PIXELS = 64  # 8×8 digits, flattened


@dataclass(frozen=True)
class AutoencoderConfig:
    """How the autoencoder is built and trained."""

    latent: int = 2  # units in the bottleneck (the "k" of the reduction)
    hidden: int = 64  # units in the hidden layer on each side; unused when linear
    linear: bool = False  # True: one linear map in, one out, no non-linearity (PCA's territory)
    epochs: int = 60  # passes over the training digits
    batch_size: int = 64  # digits per optimiser step
    learning_rate: float = 3e-3  # Adam step size
    test_share: float = 0.2  # share of digits held out to measure reconstruction error


DEFAULT_CONFIG = AutoencoderConfig()  # the non-linear autoencoder with a 2-unit bottleneck
LINEAR_CONFIG = AutoencoderConfig(linear=True, learning_rate=1e-2)  # the same k, no non-linearity


class Autoencoder(nn.Module):
    """The job of an autoencoder is to copy its input to its output through a narrow middle layer.

    The encoder maps 64 pixels to ``latent`` numbers; the decoder maps them back to 64 pixels. Training on
    reconstruction error alone forces the bottleneck to keep what matters most about each digit.
    """

    def __init__(self, config: AutoencoderConfig):
        super().__init__()
        if config.latent < 1 or config.latent > PIXELS:
            raise ValueError(f"latent must be between 1 and {PIXELS}, got {config.latent}")
        if config.linear:
            self.encoder = nn.Linear(PIXELS, config.latent)
            self.decoder = nn.Linear(config.latent, PIXELS)
        else:
            self.encoder = nn.Sequential(
                nn.Linear(PIXELS, config.hidden), nn.ReLU(), nn.Linear(config.hidden, config.latent)
            )
            # Sigmoid output because pixels live in [0, 1].
            self.decoder = nn.Sequential(
                nn.Linear(config.latent, config.hidden), nn.ReLU(), nn.Linear(config.hidden, PIXELS), nn.Sigmoid()
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encoder(x)  # (B, 64) -> (B, latent)
        return self.decoder(z)  # (B, latent) -> (B, 64)


def split_digits(test_share: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits pixels in [0, 1] split into train and test rows: (X_train, X_test, y_train, y_test)."""
    X, y = digits_pixels()
    order = np.random.default_rng(seed).permutation(len(X))
    cut = round(len(X) * (1 - test_share))
    train_idx, test_idx = order[:cut], order[cut:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


class TrainedAutoencoder:
    """A trained autoencoder with its config, training history and held-out error; persistable for the store."""

    def __init__(self, config: AutoencoderConfig, network: Autoencoder, history: History, test_mse: float, seed: int):
        self.config = config
        self.network = network.eval()
        self.history = history
        self.test_mse = test_mse  # mean squared error per pixel (pixels in [0, 1]) on held-out digits
        self.seed = seed

    @property
    def num_parameters(self) -> int:
        """Trainable weights and biases."""
        return count_parameters(self.network)

    def _run(self, module: nn.Module, X: np.ndarray, width: int) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != width:
            raise ValueError(f"expected rows of {width} numbers, got shape {X.shape}")
        with torch.no_grad():
            return module(torch.from_numpy(X)).numpy()

    def encode(self, X: np.ndarray) -> np.ndarray:
        """Pixels in [0, 1] (n, 64) -> bottleneck codes (n, latent)."""
        return self._run(self.network.encoder, X, PIXELS)

    def decode(self, Z: np.ndarray) -> np.ndarray:
        """Bottleneck codes (n, latent) -> pixels (n, 64)."""
        return self._run(self.network.decoder, Z, self.config.latent)

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Pixels (n, 64) -> rebuilt pixels (n, 64)."""
        return self._run(self.network, X, PIXELS)

    def to_payload(self) -> dict:
        """Weights, config, history and error as plain tensors and numbers (weights_only-safe)."""
        return {
            "config": asdict(self.config),
            "state": self.network.state_dict(),
            "history": self.history.to_dict(),
            "test_mse": self.test_mse,
            "seed": self.seed,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> TrainedAutoencoder:
        """Rebuild a model saved with :meth:`to_payload`."""
        config = AutoencoderConfig(**payload["config"])
        model = Autoencoder(config)
        model.load_state_dict(payload["state"])
        return cls(config, model, History.from_dict(payload["history"]), float(payload["test_mse"]), payload["seed"])


def train_autoencoder(
    config: AutoencoderConfig = DEFAULT_CONFIG, *, seed: int = 0, on_step: OnStep | None = None
) -> TrainedAutoencoder:
    """Train an autoencoder on the digits with the shared training loop (MSE, inputs are their own targets)."""
    X_train, X_test, _, _ = split_digits(config.test_share, seed)
    torch.manual_seed(seed)  # the initial weights, before train() reseeds for shuffling
    model = Autoencoder(config)
    train_x, test_x = torch.from_numpy(X_train), torch.from_numpy(X_test)
    with torch_threads(1):  # layers this small gain nothing from a second thread (see torch_threads)
        history = train(
            model,
            train_x,
            train_x,
            epochs=config.epochs,
            batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            loss_fn=F.mse_loss,
            classification=False,
            val=(test_x, test_x),
            seed=seed,
            on_step=on_step,
        )
    with torch.no_grad():
        test_mse = float(F.mse_loss(model(test_x), test_x))
    return TrainedAutoencoder(config, model, history, test_mse, seed)
