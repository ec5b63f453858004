"""The digits autoencoder: shapes, parameter counts, persistence, and the linear one against PCA."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from models import autoencoder as ae
from models.pca import fit_pca


@pytest.fixture(scope="module")
def linear_model():
    return ae.train_autoencoder(ae.LINEAR_CONFIG, seed=0)


@pytest.fixture(scope="module")
def small_model():
    return ae.train_autoencoder(replace(ae.AutoencoderConfig(), epochs=3), seed=0)


def test_shapes_and_parameter_count(small_model):
    X, _, _, _ = ae.split_digits(0.2)
    codes = small_model.encode(X[:5])
    assert codes.shape == (5, 2)
    assert small_model.decode(codes).shape == (5, 64)
    rebuilt = small_model.reconstruct(X[:5])
    assert rebuilt.shape == (5, 64) and rebuilt.min() >= 0 and rebuilt.max() <= 1  # sigmoid output
    expected = sum(p.numel() for p in small_model.network.parameters())
    assert small_model.num_parameters == expected == (64 * 64 + 64) + (64 * 2 + 2) + (2 * 64 + 64) + (64 * 64 + 64)
    assert len(small_model.history.loss) == 3 and len(small_model.history.val_loss) == 3


def test_linear_autoencoder_has_no_nonlinearity_and_reaches_pca_error(linear_model):
    modules = list(linear_model.network.modules())
    assert all(isinstance(m, (ae.Autoencoder, torch.nn.Linear)) for m in modules)
    X_train, X_test, _, _ = ae.split_digits(ae.LINEAR_CONFIG.test_share)
    pca_error = fit_pca(X_train, 2).reconstruction_error(X_test, 2)
    # PCA is the best linear map with k = 2, so the linear AE can only approach it from above.
    assert linear_model.test_mse == pytest.approx(pca_error, rel=0.05)
    assert linear_model.history.loss[-1] < linear_model.history.loss[0]


def test_payload_round_trip_is_exact_and_weights_only_safe(small_model, tmp_path):
    path = tmp_path / "ae.pt"
    torch.save(small_model.to_payload(), path)
    restored = ae.TrainedAutoencoder.from_payload(torch.load(path, weights_only=True))
    X = np.random.default_rng(0).random((4, 64), dtype=np.float32)
    assert np.array_equal(restored.encode(X), small_model.encode(X))
    assert restored.config == small_model.config
    assert restored.history.loss == small_model.history.loss
    assert restored.test_mse == small_model.test_mse


def test_training_is_deterministic():
    config = replace(ae.LINEAR_CONFIG, epochs=2)
    a = ae.train_autoencoder(config, seed=3)
    b = ae.train_autoencoder(config, seed=3)
    assert a.history.loss == b.history.loss


def test_bad_input_raises_value_error(small_model):
    with pytest.raises(ValueError, match="64"):
        small_model.encode(np.ones((2, 10)))
    with pytest.raises(ValueError, match="latent"):
        ae.Autoencoder(replace(ae.AutoencoderConfig(), latent=0))


def test_on_step_reports_progress():
    calls = []
    ae.train_autoencoder(replace(ae.LINEAR_CONFIG, epochs=1), on_step=lambda s, t, loss: calls.append((s, t)))
    assert calls[-1][0] == calls[-1][1] == len(calls)
