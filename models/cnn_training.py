"""Training the drawing classifiers: generate the data for a task, train a CNN (or its MLP twin) with a cooldown,
and measure it on the test set; the default classifiers are kept in the weights cache (``models.store``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
from torch.nn import functional as F

from models import store
from models.cnn import MODEL_VERSION, ClassifierConfig, ImageClassifier, build_network, default_config
from models.drawing import Dataset, jitter_batch, labels_of, make_dataset
from models.training import EVAL_BATCH, OnStep, torch_threads, train_in_phases

# One thread: on the busy 2-core machine two threads spin against each other and everything else (measured under
# load, one X/O epoch: 3.1-3.5 s on one thread, 25-27 s on two); one thread also trains the same weights on every
# machine, whatever its core count (thread count changes the order of the sums, hence the trained model).
CNN_TRAIN_THREADS = 1


def confusion_matrix(predicted: np.ndarray, target: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (target, predicted), 1)
    return matrix


def train_classifier(
    task: str, *, seed: int = 0, on_step: OnStep | None = None, arch: str = "cnn", **overrides
) -> ImageClassifier:
    """Generate the data for ``task`` ("xo" or "digits"), train a CNN (or an MLP) and measure it on the test set.

    ``overrides`` change :class:`ClassifierConfig` fields, such as ``epochs``, ``learning_rate`` or ``channels``.
    """
    config = default_config(task, arch, **overrides)
    data = make_dataset(config, seed)
    return fit_classifier(config, data, seed=seed, on_step=on_step)


def default_classifier(task: str, arch: str = "cnn") -> ImageClassifier:
    """The default classifier of ``task`` from the weights cache (``models.store``), trained and saved if missing.

    The app's cache layer keeps the same files, so a notebook or a test reuses what the server trained.
    """
    config = default_config(task, arch)
    name = task if arch == "cnn" else f"{task}_{arch}"
    payload = store.load(name, config, MODEL_VERSION)
    if payload is not None:
        return ImageClassifier.from_payload(payload)
    model = train_classifier(task, arch=arch)
    store.save(
        name, config, MODEL_VERSION, model.to_payload(), seconds=model.history.seconds, parameters=model.num_parameters
    )
    return model


def fit_classifier(
    config: ClassifierConfig, data: Dataset, *, seed: int = 0, on_step: OnStep | None = None
) -> ImageClassifier:
    """Train a fresh network for ``config`` on ``data``: its epochs, then a cooldown at a tenth of the learning rate."""
    torch.manual_seed(seed)
    # Channels-last while training: oneDNN's convolutions and pooling run about 1.5x faster in that layout on the
    # CPU (X/O: 14.4 -> 9.7 s on 2026-12-02). The network goes back to the usual layout before it is used or saved.
    network = build_network(config).to(memory_format=torch.channels_last)
    phases = [
        {"epochs": config.epochs, "learning_rate": config.learning_rate, "seed": seed},
        {
            "epochs": config.cooldown_epochs,
            "learning_rate": config.learning_rate / 10,
            "seed": seed + 1,
            **({} if config.cooldown_jitter else {"augment": None}),
        },
    ]
    with torch_threads(CNN_TRAIN_THREADS):
        history = train_in_phases(
            network,
            data.x_train,
            data.y_train,
            phases,
            on_step=on_step,
            batch_size=config.batch_size,
            weight_decay=config.weight_decay,
            loss_fn=partial(F.cross_entropy, label_smoothing=config.label_smoothing),
            val=(data.x_test, data.y_test),
            augment=jitter_batch if config.task == "xo" else None,  # the MLP gets the same data as the CNN
            device=torch.device("cpu"),  # the nets are tiny: a GPU round trip would cost more than it saves
        )
    network.to(memory_format=torch.contiguous_format).eval()
    with torch.no_grad():  # in slices: one pass over every test image at once would add ~100 MB to the peak
        predicted = torch.cat([network(x).argmax(dim=-1) for x in data.x_test.split(EVAL_BATCH)]).numpy()
    accuracy = float((predicted == data.y_test.numpy()).mean())  # from the same pass: no second one
    confusion = confusion_matrix(predicted, data.y_test.numpy(), len(labels_of(config.task)))
    return ImageClassifier(config, network, history, accuracy, confusion)
