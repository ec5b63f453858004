"""Cached getters of the draw page: the default X/O and digits classifiers (and their MLP twins), a student's own
retrained CNN, and everything computed from one drawing. Classifiers are hashed by their own key."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from components import images as _images
from components import resources
from components.watch_jobs import JobView, WatchPart
from models import baselines as _baselines
from models import cnn as _cnn
from models import cnn_training as _cnn_training
from models import invariance as _invariance
from models import store
from models import watching as _watching
from models.training import OnStep
from models.training_process import Trainer

IMAGE_MAX_WIDTH = 1460  # st.image decodes and shrinks a wider picture on every rerun (its content width, 2 × 730)
DRAW_TASK_LABELS = {"xo": "the X-or-O CNN", "digits": "the digits CNN"}


def get_classifier(task: str, arch: str = "cnn") -> _cnn.ImageClassifier:
    """The shared default classifier of ``task`` ("xo" or "digits"); ``arch="mlp"`` gives its MLP twin."""
    config = _cnn.default_config(task, arch)
    name = task if arch == "cnn" else f"{task}_{arch}"
    label = DRAW_TASK_LABELS[task] if arch == "cnn" else f"the {task} MLP"
    return resources.shared_model(
        name,
        config,
        _cnn.MODEL_VERSION,
        train=Trainer(_cnn_training.train_classifier, (task,), {"arch": arch}),
        restore=_cnn.ImageClassifier.from_payload,
        label=label,
    )


def task_models(task: str) -> tuple:
    """The getters of the draw page's default models for ``task``: the CNN, then its MLP twin."""
    return (functools.partial(get_classifier, task), functools.partial(get_classifier, task, "mlp"))


def get_custom_classifier(
    task: str, channels: tuple[int, ...], epochs: int, learning_rate: float, *, submitted: bool = False
) -> JobView:
    """A student's own retrained CNN, trained in the background and watched epoch by epoch (see ``watch_custom``).

    Its part "cnn" is an ImageClassifier after every epoch (test accuracy, kernels, predictions) and at the end.
    """
    config = _cnn.default_config(task, channels=channels, epochs=epochs, learning_rate=learning_rate)
    run = resources.watch_run_name()

    def train(on_step: OnStep) -> _cnn.ImageClassifier:
        model = _cnn_training.train_classifier(
            task, on_step=on_step, channels=channels, epochs=epochs, learning_rate=learning_rate
        )
        model.key = f"{model.key}-{run}"
        return model

    def snapshot(epoch: int, network: Any, history: Any) -> _cnn.ImageClassifier:
        model = _watching.classifier_snapshot(config, network, history)
        model.key = f"{model.key}-{run}-epoch{epoch}"
        return model

    label = "your " + DRAW_TASK_LABELS[task].removeprefix("the ")
    part = WatchPart("cnn", label, train, snapshot, lambda model: {"test accuracy": model.test_accuracy})
    key = store.model_key(f"draw-{task}", config, _cnn.MODEL_VERSION)
    return resources.watch_custom(f"draw_{task}", key, label, [part], submitted=submitted)


@resources.cache_data(max_entries=32)
def get_drawing_analysis(image: np.ndarray, model: _cnn.ImageClassifier) -> _cnn.DrawingAnalysis:
    """``model.analyse(image)``, once per drawing. Raises ValueError for unusable images."""
    return model.analyse(image)


@resources.cache_data(max_entries=32)
def get_drawing_pictures(image: np.ndarray, model: _cnn.ImageClassifier) -> dict:
    """The pre-processing steps and every layer's feature maps of one drawing as PNGs, encoded once."""
    analysis = get_drawing_analysis(image, model)
    steps = analysis.steps
    pictures = {"ink": _images.png_bytes(1 - steps.ink, box=140), "crop": _images.png_bytes(1 - steps.crop, box=140)}
    if steps.box is not None:
        pictures["box"] = _images.png_bytes(1 - steps.box, box=128)
    maps = []
    for name, values in analysis.maps or []:
        columns = 8 if len(values) <= 8 else 16
        fits = IMAGE_MAX_WIDTH // (columns * (values.shape[2] + 1) - 1)  # the grid's width with 1-pixel gaps
        scale = max(1, min(96 // values.shape[2], fits))
        grid = _images.feature_grid_image(values, columns=columns, scale=scale)
        maps.append((name, values.shape, _images.png_bytes(grid)))
    pictures["maps"] = maps
    return pictures


@resources.cache_data(max_entries=8)
def get_kernel_picture(model: _cnn.ImageClassifier) -> bytes:
    """The first conv layer's kernels as one PNG (red positive, blue negative), encoded once per model."""
    return _images.png_bytes(_images.feature_grid_image(model.kernels(), columns=16, scale=16, signed=True))


@resources.cache_data(max_entries=64)
def get_probe(
    image: np.ndarray, kind: str, values: tuple[float, ...], label: str, models: dict[str, _cnn.ImageClassifier]
) -> dict[str, np.ndarray]:
    """P(``label``) for every model as ``kind`` sweeps over ``values`` (shift, rotate or scale)."""
    steps = next(iter(models.values())).preprocess(image)
    return _invariance.probe(models, steps, kind, np.asarray(values), label)


@resources.cache_data(max_entries=16, spinner="Measuring on fresh drawings of every class…")
def get_keep_rates(models: dict[str, _cnn.ImageClassifier]) -> dict[str, dict[str, float]]:
    """How often each model still names fresh drawings correctly when moved or turned (``keep_rate_summary``)."""
    return _invariance.keep_rate_summary(models)


@resources.cache_data(max_entries=4, spinner="Fitting the SVC baselines…")
def get_digits_comparison(models: dict[str, _cnn.ImageClassifier]) -> _baselines.DigitsComparison:
    """The digit classifiers and SVC(gamma=0.001) on the same training rows, scored on the same test sets."""
    return _baselines.compare_digits(models)
