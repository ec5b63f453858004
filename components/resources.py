"""The lab's one cache layer: every ``st.cache_resource`` and ``st.cache_data`` lives here.

Shared models are trained once per process (and once per machine, thanks to the
weights store), whatever the number of students who open a page at the same
time. Training shows a progress bar in the session that triggered it.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import itertools
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from PIL import Image
from sklearn.datasets import load_digits as _load_digits
from sklearn.datasets import load_sample_images as _load_sample_images
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from components import charts as _charts
from components import heatmaps as _heatmaps
from components import images as _images
from components import pca_charts as _pca_charts
from components import training_panel
from components.background import JobView, ModelJob, ModelShelf, WatchBusy, WatchJobs, WatchPart
from models import applications as _applications
from models import autoencoder as _autoencoder
from models import baselines as _baselines
from models import cnn as _cnn
from models import cnn_training as _cnn_training
from models import convolution as _convolution
from models import corpus as _corpus
from models import embeddings as _embeddings
from models import invariance as _invariance
from models import language as _language
from models import long_dependency as _longdep
from models import pca as _pca
from models import pca_datasets as _pca_datasets
from models import pictures as _pictures
from models import sentences as _sentences
from models import speech_cnn as _speech_cnn
from models import store
from models import text_cnn as _text_cnn
from models import through_time as _through_time
from models import vocabulary as _vocabulary
from models import watching as _watching
from models.training import OnStep

T = TypeVar("T")

logger = logging.getLogger("lab")
if not logger.handlers:  # Streamlit only configures its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("lab.store").setLevel(logging.INFO)

CUSTOM_MAX_ENTRIES = 6  # per-user jobs (own corpus, "retrain with...") kept in memory at once, running or done
CUSTOM_TTL_SECONDS = 60 * 60  # and forgotten an hour after a page last showed them
PROGRESS_UPDATES = 60  # at most this many progress-bar redraws per training run


# Tests and benchmarks train in the calling thread with a progress bar (AppTest runs no fragments); a
# server trains in the background and shows live panels instead.
BLOCKING = os.environ.get("LAB_BLOCKING_TRAINING") == "1"
_collecting = threading.local()  # set while the warm-up asks every default getter for its job


class ModelNotReady(StopException):
    """Raised by a getter whose model is still training, after it drew the live panel in its place.

    ``lesson.sections`` catches it, so the page goes on with the next section; uncaught, it ends the
    page run quietly, like ``st.stop()``.
    """


@st.cache_resource(show_spinner=False)
def get_model_shelf() -> ModelShelf:
    """This process's shelf of shared default models (and its one background worker)."""
    return ModelShelf()


@st.cache_resource(show_spinner=False)
def get_watch_jobs() -> WatchJobs:
    """This process's per-user models ("retrain with…", own text): at most CUSTOM_MAX_ENTRIES, each capped in time."""
    return WatchJobs(CUSTOM_MAX_ENTRIES, CUSTOM_TTL_SECONDS)


def progress_callback(label: str) -> tuple[OnStep, Callable[[], None]]:
    """An ``on_step`` callback that drives an ``st.progress`` bar, and a function to remove the bar."""
    bar = st.progress(0.0, text=f"Training {label}…")
    last = {"shown": -1}

    def on_step(step: int, total: int, loss: float) -> None:
        shown = int(PROGRESS_UPDATES * step / max(total, 1))
        if shown != last["shown"]:
            last["shown"] = shown
            bar.progress(min(step / max(total, 1), 1.0), text=f"Training {label}: step {step}/{total}, loss {loss:.3f}")

    return on_step, bar.empty


def shared_model(
    name: str,
    config: Any,
    version: int,
    *,
    train: Callable[[OnStep], T],
    restore: Callable[[dict], T],
    label: str,
) -> T:
    """A default model: from memory, else from disk, else trained once for the whole server and saved.

    ``train(on_step)`` builds the model; the model's ``to_payload()`` is what is saved and
    ``restore(payload)`` rebuilds it. A payload that fails to restore is retrained. While the model
    trains in the background, this draws a live training panel and raises :class:`ModelNotReady`.
    """
    job = ModelJob(name, config, version, train, restore, label)
    shelf = get_model_shelf()
    if (value := shelf.value(job.key)) is not None:
        return value
    if getattr(_collecting, "on", False):  # the warm-up is only listing jobs
        shelf.enqueue(job)
        return None  # type: ignore[return-value]
    if BLOCKING:
        on_step, done = progress_callback(label)
        try:
            return shelf.build(job, on_step)
        finally:
            done()
    if (value := shelf.load_now(job)) is not None:
        return value
    shelf.enqueue(job, front=True)
    drawn = st.session_state.setdefault(_PANELS_DRAWN, set())
    if job.key in drawn:  # a second section waiting for the same model: one live panel per page is enough
        st.caption(f"Waiting for {label}: see its training panel above.")
    else:
        drawn.add(job.key)
        training_panel.training_panel(shelf, job.key, label)
    raise ModelNotReady(label)


_PANELS_DRAWN = "_lab_training_panels"  # session-state key: the models whose panel this page run has drawn


def start_page_run() -> None:
    """Called at the top of every page run (by ``lesson.page_intro``): no training panel drawn yet."""
    st.session_state[_PANELS_DRAWN] = set()


# The order students need the default models in: the warm-up queues them so, and trains what is missing.
WARM_UP_ORDER: list[Callable[[], Any]] = []


def warm_up() -> None:
    """Once per server process: queue every default model for the background worker, in WARM_UP_ORDER.

    Models already on disk load in a moment; the rest train one at a time. A page that needs a model that
    is not next in line moves it to the front.
    """
    shelf = get_model_shelf()
    if shelf.warmed or BLOCKING:
        return
    shelf.warmed = True
    _collecting.on = True
    try:
        for getter in WARM_UP_ORDER:
            try:
                getter()
            except Exception as exc:  # a getter that cannot list itself is trained when its page asks
                logger.warning("warm-up skipped %s (%s)", getattr(getter, "__name__", getter), exc)
    finally:
        _collecting.on = False


def model_queue() -> None:
    """The live table of every default model and where it stands (Home)."""
    training_panel.queue_table(get_model_shelf())


class CustomBusy(Exception):
    """A student's own model cannot start now; the message says why and what to do, in words for the page."""


_WATCHING = "_lab_watch_jobs"  # session-state key: {page section: the key of the job it shows}
_WATCH_RUNS = itertools.count(1)  # names every watched run, so that its snapshots never share a cache key


def watch_custom(owner: str, key: str, label: str, parts: list[WatchPart], *, submitted: bool = False) -> JobView:
    """A per-user model (own text, own settings) that trains in the background while the page watches it learn.

    ``owner`` names the page section that shows it ("draw_xo"). Asking again for the same ``key`` joins its
    job, also from another session, so nothing trains twice; a ``submitted`` request (a button press) starts a
    stopped one over. Under LAB_BLOCKING_TRAINING it trains here, with a progress bar. It is never written to
    disk and never replaces a shared default. Raises :class:`CustomBusy` when this session's other model is
    still training, or when the server has no room for another.
    """
    jobs = get_watch_jobs()
    mine = st.session_state.setdefault(_WATCHING, {})
    view = jobs.get(key)
    if view is not None and not (submitted and view.state in ("stopped", "failed")):
        mine[owner] = key
        return view
    if (other := running_custom_job(exclude=key)) is not None:
        raise CustomBusy(
            f"Still training: {other.label}. One model of yours trains at a time: press **Stop** on its panel (it "
            "keeps what it has learned so far) or wait until it is done, then ask again."
        )
    try:
        if BLOCKING:
            on_step, done = progress_callback(label)
            try:
                view = jobs.request(key, label, parts, blocking=True, on_step=on_step, restart_stopped=submitted)
            finally:
                done()
        else:
            view = jobs.request(key, label, parts, restart_stopped=submitted)
    except WatchBusy as exc:
        raise CustomBusy(f"The server has no room for another model right now ({exc}); try again in a minute.") from exc
    mine[owner] = key
    return view


def running_custom_job(exclude: str = "") -> JobView | None:
    """This session's own model that is training now (other than ``exclude``), if any."""
    jobs = get_watch_jobs()
    for key in st.session_state.get(_WATCHING, {}).values():
        if key != exclude and (view := jobs.get(key)) is not None and view.running:
            return view
    return None


def stop_custom(key: str) -> None:
    """Stop a per-user job now; it keeps its model as it is (waits a moment for the job to end)."""
    get_watch_jobs().stop(key, wait=3.0)


def watch_panel(view: JobView, show: Callable[[JobView], None]) -> None:
    """The live panel of a per-user job (progress, Stop, and ``show(view)`` after every epoch)."""
    training_panel.watch_panel(get_watch_jobs(), view.key, show)


def custom_model(key: str, label: str, train: Callable[[OnStep], T]) -> T:
    """A per-user model trained in this page run with a progress bar (nothing to watch), kept like the watched ones.

    Raises ValueError with the trainer's message when training fails.
    """
    view = get_watch_jobs().get(key)
    if view is None or not view.done:
        on_step, done = progress_callback(label)
        try:
            view = get_watch_jobs().request(
                key, label, [WatchPart("model", label, train)], blocking=True, on_step=on_step, restart_stopped=True
            )
        finally:
            done()
    if not view.done:
        raise ValueError(view.error or f"{label} is still being trained elsewhere")
    return view.value["model"]


def cached_models() -> list[store.CachedModel]:
    """What the weights folder holds right now (not cached: it is cheap and must be fresh)."""
    return store.list_cached()


def cache_folder() -> str:
    """Where weights are saved, for the Home page."""
    return str(store.cache_dir())


def clear_models() -> int:
    """Forget every trained model, in memory and on disk; the warm-up then retrains them in the background."""
    get_model_shelf().clear()
    get_watch_jobs().clear()
    return store.clear()


CHART_SPECS_MAX = 512  # chart specs kept in memory at once (each a few kB)
_CHART_MODULES = (_charts, _heatmaps, _pca_charts)  # where ``get_chart_spec`` looks a builder up by name


def _arrow_bytes(records: list[dict]) -> bytes | list[dict]:
    """A dataset as Arrow IPC bytes, the form Streamlit sends it in (unchanged if Arrow cannot type it)."""
    try:
        table = pa.Table.from_pylist(records)
    except (pa.ArrowException, TypeError, ValueError):
        return records
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@st.cache_data(show_spinner=False, max_entries=64)
def get_source(module: str, name: str) -> str:
    """The source code of ``module.name`` (a function or class from ``models``), read from disk once."""
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return inspect.getsource(obj)


@st.cache_data(show_spinner=False, max_entries=CHART_SPECS_MAX)
def get_chart_spec(builder: str, *args: Any, **kwargs: Any) -> dict:
    """The Vega-Lite spec of ``<builder>(*args, **kwargs)`` from a chart module, built once per distinct input.

    Building, validating and serialising an Altair chart costs 10–40 ms, so a page with many charts reruns
    in well under 100 ms only if unchanged charts are not rebuilt. Datasets are stored as Arrow bytes, so
    Streamlit does not convert them again either. Show the result with ``st.vega_lite_chart``.
    """
    module = next((m for m in _CHART_MODULES if hasattr(m, builder)), _charts)
    chart = getattr(module, builder)(*args, **kwargs)
    spec = _charts.with_readable_text(chart if isinstance(chart, dict) else chart.to_dict())
    if "datasets" in spec:
        spec["datasets"] = {name: _arrow_bytes(rows) for name, rows in spec["datasets"].items()}
    return spec


# --- dimensionality (PCA and autoencoder) ------------------------------------


AUTOENCODER_VERSION = 1  # bump when the autoencoder's architecture or training changes
PREPROCESSING_KS = (1, 2, 3, 5, 8, 12, 16, 20, 30, 40, 64)  # k grid for logistic regression after PCA
SCATTER_MAX_POINTS = 1000  # scatters show at most this many (seeded) points


@st.cache_data(show_spinner=False, max_entries=64)
def get_image_tiles(images: np.ndarray, signed: bool = False, size: int = 64) -> list[bytes]:
    """Small images (n, h, w) as crisp PNG tiles for ``st.image``, encoded once."""
    return _images.image_tiles(images, signed=signed, size=size)


def get_autoencoder(linear: bool = False) -> _autoencoder.TrainedAutoencoder:
    """The shared digits autoencoder with a 2-unit bottleneck: non-linear, or ``linear`` (no non-linearity)."""
    config = _autoencoder.LINEAR_CONFIG if linear else _autoencoder.DEFAULT_CONFIG
    return shared_model(
        "linear_autoencoder" if linear else "autoencoder",
        config,
        AUTOENCODER_VERSION,
        train=lambda on_step: _autoencoder.train_autoencoder(config, on_step=on_step),
        restore=_autoencoder.TrainedAutoencoder.from_payload,
        label="the linear autoencoder" if linear else "the digits autoencoder",
    )


@st.cache_data(show_spinner=False, max_entries=8)
def get_dataset(name: str, csv: bytes | None = None) -> _pca_datasets.Dataset:
    """A bundled dataset by name, or the parsed upload when ``csv`` is given (raises ValueError on bad files)."""
    return _pca_datasets.parse_csv(csv, name) if csv is not None else _pca_datasets.load_builtin(name)


@st.cache_data(show_spinner=False, max_entries=32)
def get_pca(
    name: str, standardize: bool, csv: bytes | None = None, feature: int | None = None, factor: float = 1.0
) -> _pca.PCAResult:
    """PCA of a dataset, optionally after multiplying one feature by ``factor`` (a change of unit)."""
    X = get_dataset(name, csv).X
    if feature is not None and factor != 1.0:
        X = X.copy()
        X[:, feature] *= factor
    return _pca.fit_pca(X, standardize=standardize)


@st.cache_data(show_spinner=False, max_entries=16)
def get_sklearn_agreement(name: str, standardize: bool) -> float:
    """How far the hand-written PCA is from sklearn's on a bundled dataset."""
    return _pca.sklearn_agreement(get_dataset(name).X, standardize=standardize)


@st.cache_data(show_spinner=False, max_entries=16)
def get_pca_step_tables(name: str, standardize: bool) -> dict[str, pd.DataFrame]:
    """The numbers of each step of :func:`models.pca.fit_pca` on a bundled dataset, as small rounded tables."""
    data, result = get_dataset(name), get_pca(name, standardize)
    names = list(data.feature_names)
    eig = [f"λ{i + 1}" for i in range(len(names))]
    pcs = [f"PC{i + 1}" for i in range(len(names))]
    centre = {"mean": result.mean} | ({"std (divided out)": result.scale} if result.scale is not None else {})
    return {
        "centre": pd.DataFrame(centre, index=names).T.round(3),
        "prepared": pd.DataFrame(result.prepared[:5], columns=names).round(3),
        "eigenvalues": pd.DataFrame([result.raw_eigenvalues], index=["eigenvalue"], columns=eig).round(4),
        "eigenvectors": pd.DataFrame(result.raw_eigenvectors, index=names, columns=eig).round(3),
        "sorted": pd.DataFrame(
            {
                "was": [eig[i] for i in result.order],
                "eigenvalue (variance)": result.all_variance.round(4),
                "share (%)": (100 * result.all_variance_ratio).round(1),
                "cumulative (%)": (100 * result.cumulative_ratio).round(1),
            },
            index=pcs,
        ),
        "scores": pd.DataFrame(result.transform(data.X[:5]), columns=pcs).round(3),
    }


@st.cache_data(show_spinner=False)
def get_digit_thumbnails() -> list[str]:
    """Every sklearn digit as a PNG data URL, for tooltips."""
    pixels, _ = _pca_datasets.digits_pixels()
    return [_images.image_data_url(row.reshape(8, 8)) for row in pixels]


@st.cache_data(show_spinner=False, max_entries=64)
def get_pc_scatter_spec(name: str, standardize: bool, pc_x: int, pc_y: int, csv: bytes | None = None) -> dict:
    """Chart spec of the points on two chosen PCs (0-based), coloured by class, with digit-image tooltips."""
    data = get_dataset(name, csv)
    result = get_pca(name, standardize, csv)
    rows = np.random.default_rng(0).permutation(len(data.X))[:SCATTER_MAX_POINTS]
    scores = result.transform(data.X[rows])
    df = pd.DataFrame({"x": scores[:, pc_x], "y": scores[:, pc_y]})
    if data.labels is not None:
        df["label"] = data.labels[rows]
    if data.image_shape is not None:
        thumbnails = get_digit_thumbnails()
        df["image"] = [thumbnails[i] for i in rows]
    return _pca_charts.pc_scatter_chart(df, x_title=f"PC{pc_x + 1}", y_title=f"PC{pc_y + 1}").to_dict()


@st.cache_data(show_spinner=False)
def get_digits_pca() -> _pca.PCAResult:
    """PCA of the digits pixels in [0, 1] (no standardising, so components are images in pixel units)."""
    return _pca.fit_pca(_pca_datasets.digits_pixels()[0])


@st.cache_data(show_spinner="Fitting logistic regression once for each k…")
def get_preprocessing_curve(
    ks: tuple[int, ...] = PREPROCESSING_KS,
) -> tuple[list[_pca.PreprocessingPoint], _pca.PreprocessingPoint]:
    """Logistic regression on digits after standardise → PCA(k), for every k, and the baseline without PCA."""
    data = get_dataset("digits")
    return _pca.pca_then_logistic(data.X, data.labels, ks)


@st.cache_data(show_spinner=False, max_entries=4)
def get_latent_views(
    _model: _autoencoder.TrainedAutoencoder, _linear: _autoencoder.TrainedAutoencoder, key: str, samples: int = 8
) -> dict:
    """Held-out digits in the autoencoder's 2-D code and in PCA's (chart specs), reconstructions of ``samples``
    of them (PNG tiles and each one's MSE per pixel), and each method's mean test error.

    ``key`` identifies the trained models (their weights are not hashed).
    """
    config = _model.config
    X_train, X_test, _, y_test = _autoencoder.split_digits(config.test_share, _model.seed)
    result = _pca.fit_pca(X_train, config.latent)
    labels = y_test.astype(str)
    thumbnails = [_images.image_data_url(row.reshape(8, 8)) for row in X_test]

    def scatter(codes: np.ndarray, axis: str, title: str) -> dict:
        df = pd.DataFrame({"x": codes[:, 0], "y": codes[:, 1], "label": labels, "image": thumbnails})
        return _pca_charts.pc_scatter_chart(df, x_title=f"{axis} 1", y_title=f"{axis} 2", title=title).to_dict()

    rebuilt = {
        f"PCA, k = {config.latent}": result.reconstruct(X_test),
        f"linear autoencoder, {_linear.config.latent} units": _linear.reconstruct(X_test),
        f"autoencoder, {config.latent} units": _model.reconstruct(X_test),
    }
    shown = X_test[:samples]
    tiles = {"original": (_images.image_tiles(shown.reshape(-1, 8, 8)), [f"label {d}" for d in labels[:samples]])}
    for method, rows in rebuilt.items():
        errors = ((rows[:samples] - shown) ** 2).mean(axis=1)
        tiles[method] = (_images.image_tiles(rows[:samples].reshape(-1, 8, 8)), [f"{e:.3f}" for e in errors])
    return {
        "ae_spec": scatter(_model.encode(X_test), "code", "Autoencoder: its 2-D code"),
        "pca_spec": scatter(result.transform(X_test), "PC", "PCA: the first 2 components"),
        "count": len(X_test),
        "tiles": tiles,
        "errors": {
            f"PCA (k={config.latent})": result.reconstruction_error(X_test),
            f"linear autoencoder (k={_linear.config.latent})": _linear.test_mse,
            f"autoencoder (k={config.latent})": _model.test_mse,
        },
    }


# --- kernels (convolution playground) ----------------------------------------


KERNELS_SAMPLE_PHOTOS = ("china.jpg", "flower.jpg")  # sklearn's bundled photos
KERNELS_MAX_UPLOADS = 8  # decoded uploads kept in memory at once
KERNELS_MAX_RESULTS = 64  # filtered images kept in memory at once


@st.cache_data(show_spinner=False, max_entries=8)
def get_sample_photo(name: str, max_side: int) -> np.ndarray:
    """One of sklearn's bundled photos as grayscale in [0, 1], its longer side shrunk to ``max_side``."""
    photos = _load_sample_images()
    index = [p.rsplit("/", 1)[-1] for p in photos.filenames].index(name)
    return _pictures.resize(_pictures.to_grayscale(photos.images[index]), max_side)


@st.cache_data(show_spinner=False)
def get_digit_image(digit: int) -> np.ndarray:
    """The first 8×8 sklearn digit of a class, in [0, 1]."""
    digits = _load_digits()
    return digits.images[list(digits.target).index(digit)] / 16.0


@st.cache_data(show_spinner=False, max_entries=KERNELS_MAX_UPLOADS, ttl=CUSTOM_TTL_SECONDS)
def get_uploaded_image(file_id: str, _data: bytes, max_side: int) -> _pictures.LoadedImage:
    """A decoded, checked upload, keyed by the uploader's file id (raises ValueError for broken or huge files)."""
    return _pictures.load_image(_data, max_side=max_side)


# The image getters below take a small hashable ``key`` naming the array, and the array itself as ``_image``
# (not hashed): hashing a 512×512 image on every call would cost more than the convolution.
@st.cache_data(show_spinner=False, max_entries=KERNELS_MAX_RESULTS)
def get_filtered(
    key: tuple, _image: np.ndarray, kernel: tuple[tuple[float, ...], ...], stride: int = 1, padding: int = 0,
    dilation: int = 1,
) -> np.ndarray:  # fmt: skip
    """The feature map of image ``key`` (torch fast path; it matches ``convolve2d``, see tests), as float32.

    float32 halves what the cache unpickles on every rerun; the picture and the shape are all the page needs.
    """
    return _convolution.convolve2d_fast(_image, np.array(kernel), stride, padding, dilation).astype(np.float32)


@st.cache_data(show_spinner=False, max_entries=KERNELS_MAX_RESULTS)
def get_pooled(key: tuple, _image: np.ndarray, size: int, stride: int, mode: str) -> np.ndarray:
    """Image ``key`` pooled (torch fast path; it matches ``pool2d``, see tests)."""
    return _convolution.pool2d_fast(_image, size, stride, mode)


@st.cache_data(show_spinner=False, max_entries=KERNELS_MAX_RESULTS)
def get_display_png(key: tuple, _image: np.ndarray, width: int, scale: str = "clip") -> bytes:
    """Image ``key`` on a fixed grey ``scale`` (see ``pictures.DISPLAY_SCALES``), ``width`` pixels wide, as PNG.

    Already at its display width, Streamlit sends it as it is instead of decoding and re-encoding it every rerun.
    """
    buffer = io.BytesIO()
    Image.fromarray(_pictures.to_display(_image, width, scale)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --- draw (CNN classifiers) --------------------------------------------------

IMAGE_MAX_WIDTH = 1460  # st.image decodes and shrinks a wider picture on every rerun (its content width, 2 × 730)
DRAW_TASK_LABELS = {"xo": "the X-or-O CNN", "digits": "the digits CNN"}
_BY_MODEL_KEY = {_cnn.ImageClassifier: lambda model: model.key}  # a trained classifier is cached by its own key


def get_classifier(task: str, arch: str = "cnn") -> _cnn.ImageClassifier:
    """The shared default classifier of ``task`` ("xo" or "digits"); ``arch="mlp"`` gives its MLP twin."""
    config = _cnn.default_config(task, arch)
    name = task if arch == "cnn" else f"{task}_{arch}"
    label = DRAW_TASK_LABELS[task] if arch == "cnn" else f"the {task} MLP"
    return shared_model(
        name,
        config,
        _cnn.MODEL_VERSION,
        train=lambda on_step: _cnn_training.train_classifier(task, arch=arch, on_step=on_step),
        restore=_cnn.ImageClassifier.from_payload,
        label=label,
    )


def get_custom_classifier(
    task: str, channels: tuple[int, ...], epochs: int, learning_rate: float, *, submitted: bool = False
) -> JobView:
    """A student's own retrained CNN, trained in the background and watched epoch by epoch (see ``watch_custom``).

    Its part "cnn" is an ImageClassifier after every epoch (test accuracy, kernels, predictions) and at the end.
    """
    config = _cnn.default_config(task, channels=channels, epochs=epochs, learning_rate=learning_rate)
    run = f"watch{next(_WATCH_RUNS)}"  # its own cache keys: a stopped model must not answer as a finished one

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
    return watch_custom(f"draw_{task}", key, label, [part], submitted=submitted)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=_BY_MODEL_KEY)
def get_drawing_analysis(image: np.ndarray, model: _cnn.ImageClassifier) -> _cnn.DrawingAnalysis:
    """``model.analyse(image)``, once per drawing. Raises ValueError for unusable images."""
    return model.analyse(image)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=_BY_MODEL_KEY)
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


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=_BY_MODEL_KEY)
def get_kernel_picture(model: _cnn.ImageClassifier) -> bytes:
    """The first conv layer's kernels as one PNG (red positive, blue negative), encoded once per model."""
    return _images.png_bytes(_images.feature_grid_image(model.kernels(), columns=16, scale=16, signed=True))


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=_BY_MODEL_KEY)
def get_probe(
    image: np.ndarray, kind: str, values: tuple[float, ...], label: str, models: dict[str, _cnn.ImageClassifier]
) -> dict[str, np.ndarray]:
    """P(``label``) for every model as ``kind`` sweeps over ``values`` (shift, rotate or scale)."""
    steps = next(iter(models.values())).preprocess(image)
    return _invariance.probe(models, steps, kind, np.asarray(values), label)


@st.cache_data(show_spinner="Measuring on fresh drawings of every class…", max_entries=16, hash_funcs=_BY_MODEL_KEY)
def get_keep_rates(models: dict[str, _cnn.ImageClassifier]) -> dict[str, dict[str, float]]:
    """How often each model still names fresh drawings correctly when moved or turned (``keep_rate_summary``)."""
    return _invariance.keep_rate_summary(models)


@st.cache_data(show_spinner="Fitting the SVC baselines…", max_entries=4, hash_funcs=_BY_MODEL_KEY)
def get_digits_comparison(models: dict[str, _cnn.ImageClassifier]) -> _baselines.DigitsComparison:
    """The digit classifiers and SVC(gamma=0.001) on the same training rows, scored on the same test sets."""
    return _baselines.compare_digits(models)


# --- next word (language models) ---------------------------------------------

LANGUAGE_VERSION = 2  # bump when the language models' tokenizer, architecture or training changes
LANGUAGE_LABELS = {
    "window": "window (previous 2 words)",
    "bow": "bag of words",
    "rnn": "RNN",
    "lstm": "LSTM",
}
CUSTOM_TEXT_MAX_BYTES = 200_000  # a pasted or uploaded text is refused above this size


@st.cache_resource(show_spinner=False)
def get_corpus() -> tuple[str, str]:
    """The bundled corpus text and a short fingerprint of it (so an edited corpus retrains the models)."""

    text = _corpus.read_corpus()
    return text, hashlib.sha1(text.encode()).hexdigest()[:12]


def get_language_model(kind: str) -> _language.LanguageModel:
    """The shared default next-word model of ``kind``, trained on the bundled corpus."""
    text, fingerprint = get_corpus()
    config = _language.default_config(kind)
    return shared_model(
        kind,
        {**store.config_dict(config), "corpus": fingerprint},
        LANGUAGE_VERSION,
        train=lambda on_step: _language.train_language_model(text, kind, on_step=on_step),
        restore=_language.LanguageModel.from_payload,
        label=f"the {LANGUAGE_LABELS[kind]} model",
    )


def get_language_models() -> dict[str, _language.LanguageModel]:
    """All four default next-word models (window, bow, rnn, lstm)."""
    return {kind: get_language_model(kind) for kind in _language.KINDS}


def get_custom_language_models(text: str, *, submitted: bool = False) -> JobView:
    """The four models trained one after another on a student's own text, in the background (see ``watch_custom``).

    Each part (window, bow, rnn, lstm) is a LanguageModel after every epoch, with its held-out perplexity.
    """

    def part(kind: str) -> WatchPart:
        overrides = _language.OWN_TEXT_OVERRIDES.get(kind, {})
        prepared: dict[str, _watching.LanguageRun] = {}  # the vocabulary, worked out at the first epoch

        def snapshot(epoch: int, network: Any, history: Any) -> _language.LanguageModel:
            if "run" not in prepared:
                prepared["run"] = _watching.prepare_language_run(text, kind, **overrides)
            return _watching.language_snapshot(prepared["run"], network, history)

        return WatchPart(
            kind,
            f"the {LANGUAGE_LABELS[kind]} model on your text",
            lambda on_step: _language.train_language_model(text, kind, on_step=on_step, **overrides),
            snapshot,
            lambda model: {"held-out perplexity": model.heldout_perplexity},
        )

    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    parts = [part(kind) for kind in _language.KINDS]
    key = f"next_word-v{LANGUAGE_VERSION}-{digest}"
    return watch_custom("next_word_own", key, "the four models on your text", parts, submitted=submitted)


_BY_KEY = {_language.LanguageModel: lambda model: model.key}  # a model is hashed by its own fingerprint


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs=_BY_KEY)
def get_next_word_predictions(models: dict, prompt: str, k: int) -> dict[str, list[tuple[str, float]]]:
    """Top-k next words of every model for one prompt, most likely first."""
    return {kind: model.predict_next(prompt, k) for kind, model in models.items()}


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=_BY_KEY)
def get_continuation(model: _language.LanguageModel, prompt: str, n: int, temperature: float, seed: int) -> str:
    """The prompt continued by n words (greedy at temperature 0)."""
    return _vocabulary.detokenize(model.generate(prompt, n, temperature, seed=seed))


@st.cache_data(show_spinner=False, max_entries=128, hash_funcs=_BY_KEY)
def get_unrolled_rnn(model: _language.LanguageModel, prompt: str) -> dict:
    """The RNN read over a prompt: tokens, hidden state per step and the top prediction per step."""
    tokens, states = model.hidden_states(prompt)
    return {"tokens": tokens, "states": states, "predictions": model.step_predictions(prompt)}


@st.cache_data(show_spinner=False, max_entries=128, hash_funcs=_BY_KEY)
def get_gate_trace(model: _language.LanguageModel, prompt: str) -> _through_time.GateTrace:
    """The LSTM's gates and cell state over a prompt."""
    return _through_time.lstm_gates(model, prompt)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=_BY_KEY)
def get_gradient_norms(models: dict, text: str, spectral_radius: float) -> dict:
    """‖∂L/∂h_t‖ per step for the RNN (W_hh rescaled to ``spectral_radius``, and as trained) and the LSTM."""
    rnn, lstm = models["rnn"], models["lstm"]
    scaled = _through_time.gradient_norms(rnn, text, spectral_radius=spectral_radius)
    return {
        "tokens": scaled.tokens,
        "rnn": scaled.hidden,
        "rnn_trained": _through_time.gradient_norms(rnn, text).hidden,
        "lstm": _through_time.gradient_norms(lstm, text).hidden,
        "rnn_linear": _through_time.recurrent_weight_norms(rnn, text, spectral_radius),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def get_exploding_run(clip: float | None) -> dict:
    """The unstable vanilla-RNN run with clipping off (None) or at a threshold, as a History dict."""
    text, _ = get_corpus()
    return _through_time.exploding_gradient_run(text, clip=clip).to_dict()


def get_recall_models() -> dict[str, _language.LanguageModel]:
    """The RNN and LSTM trained on the long-dependency recall task (trained on first use)."""
    config = _longdep.RecallConfig()
    return {
        kind: shared_model(
            f"longdep_{kind}",
            config,
            LANGUAGE_VERSION,
            train=lambda on_step, kind=kind: _longdep.train_recall_model(kind, config, on_step=on_step),
            restore=_language.LanguageModel.from_payload,
            label=f"the {LANGUAGE_LABELS[kind]} on the recall task",
        )
        for kind in ("rnn", "lstm")
    }


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=_BY_KEY)
def get_recall_accuracy(models: dict, distances: tuple[int, ...]) -> dict[str, dict[int, float]]:
    """Recall accuracy against distance for the long-dependency RNN and LSTM."""
    return {kind: _longdep.recall_accuracy(model, list(distances)) for kind, model in models.items()}


# --- text and speech (CNNs for text and speech) ------------------------------

TEXT_SPEECH_MAX_CHARS = 2000  # a longer sentence is refused: the lesson reads one sentence, not a book


@st.cache_data(show_spinner=False, max_entries=256)
def get_handmade_text_view(sentence: str) -> dict:
    """The hand-made text CNN on one sentence: its verdict and the chart specs, built once per sentence.

    Raises ValueError when the sentence has no words to convolve over.
    """
    verdict = _applications.classify_sentence(sentence)
    matrix = _applications.sentence_matrix(verdict.words)
    width = len(verdict.words)
    # Each detector's score sits under the word where its window starts; no window starts past the end.
    maps = np.full((len(verdict.maps), width), np.nan)
    for i, m in enumerate(verdict.maps.values()):
        maps[i, : len(m)] = m
    winners = [(i, int(np.argmax(m))) for i, m in enumerate(verdict.maps.values()) if m.size and m.max() > 0]
    input_title = "The sentence as numbers (feature × word)"
    maps_title = "Feature maps after ReLU (detector × where its window starts)"
    return {
        "verdict": verdict,
        "input_spec": _heatmaps.word_heatmap_chart(
            matrix, verdict.words, _applications.WORD_FEATURES, title=input_title, domain=(0, 1)
        ),
        "maps_spec": _heatmaps.word_heatmap_chart(
            maps, verdict.words, list(verdict.maps), title=maps_title, domain=(0, 1), highlight=winners
        ),
    }


@st.cache_data(show_spinner=False, max_entries=32)
def get_handmade_sound_view(sound: str, kernel: str) -> dict:
    """A clean sound of ``sound``, its spectrogram and one hand-made kernel's feature map."""
    wave = _applications.make_sound(sound)
    image = _applications.spectrogram(wave)
    response = _applications.convolve_spectrogram(image, _applications.SPECTRO_KERNELS[kernel])
    return {"wave": wave, "image": image, "response": response}


TEXT_SPEECH_VERSION = 1  # bump when the text or speech CNN's data, architecture or training changes
TEXT_FILTERS_SHOWN = 4  # filters traced along the student's sentence
TOP_NGRAMS = 5  # n-grams listed per filter


@st.cache_resource(show_spinner=False)
def get_sentences_fingerprint() -> str:
    """A short hash of the labelled sentence files, so that edited data retrains the text CNN."""
    digest = hashlib.sha1()
    for path in _sentences.sentence_files():
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def get_text_cnn() -> _text_cnn.TrainedTextCNN:
    """The shared text CNN, trained on first use on the labelled sentences."""
    config = _text_cnn.DEFAULT_CONFIG
    return shared_model(
        "text_cnn",
        {**store.config_dict(config), "data": get_sentences_fingerprint()},
        TEXT_SPEECH_VERSION,
        train=lambda on_step: _text_cnn.train_text_cnn(config, on_step=on_step),
        restore=_text_cnn.TrainedTextCNN.from_payload,
        label="the text CNN",
    )


@st.cache_resource(show_spinner=False)
def get_bag_of_words(fingerprint: str) -> _text_cnn.BagOfWords:
    """The bag-of-words logistic regression on the text CNN's training split (fitted in well under a second)."""
    return _text_cnn.train_bag_of_words()


@st.cache_data(show_spinner=False, max_entries=4)
def get_text_comparison(model_key: str, _cnn: _text_cnn.TrainedTextCNN) -> _text_cnn.Comparison:
    """Text CNN against bag of words on the held-out split; ``model_key`` names the trained CNN."""
    return _text_cnn.compare(_cnn, get_bag_of_words(get_sentences_fingerprint()))


@st.cache_data(show_spinner=False, max_entries=4)
def get_top_ngrams(model_key: str, _cnn: _text_cnn.TrainedTextCNN) -> dict[str, list[tuple[str, float]]]:
    """For every filter, the training-corpus n-grams that excite it most."""
    train_rows, _ = _sentences.load_split()
    return _cnn.top_ngrams([s for s, _ in train_rows], TOP_NGRAMS)


def text_model_key(model: _text_cnn.TrainedTextCNN) -> str:
    """A short name for a trained text CNN in cache keys (its weights are not hashed)."""
    return f"{model.test_accuracy:.6f}-{model.num_parameters}-{len(model.vocab)}"


@st.cache_data(show_spinner=False, max_entries=256)
def get_text_reading(sentence: str, model_key: str, _cnn: _text_cnn.TrainedTextCNN) -> dict:
    """Everything the page shows about one sentence, computed once: probabilities, the strongest filters'
    traces along the words as a chart spec, and which words the model did not know.

    Raises ValueError when the sentence has no words.
    """
    reading = _cnn.read(sentence)
    shown = reading.traces[:TEXT_FILTERS_SHOWN]
    values = np.full((len(shown), max(len(reading.tokens), max(_cnn.config.widths))), np.nan)
    highlight = []
    for i, trace in enumerate(shown):
        values[i, : len(trace.scores)] = trace.scores
        highlight += [(i, trace.start + d) for d in range(trace.width) if trace.start + d < values.shape[1]]
    words = reading.tokens + ["·"] * (values.shape[1] - len(reading.tokens))
    peak = max(float(np.nanmax(values)) if np.isfinite(values).any() else 1.0, 1e-6)
    title = "Filter scores at each window start (outlined: the n-gram that won the max-pool)"
    spec = _heatmaps.word_heatmap_chart(
        values, words, [t.name for t in shown], title=title, scheme=_charts.SEQUENTIAL, domain=(0, peak), fmt=".1f"
    )
    probs = dict(sorted(reading.probs.items(), key=lambda kv: -kv[1]))
    return {
        "reading": reading,
        "traces_spec": spec,
        "probs_spec": _charts.probability_chart(probs),
        "unknown": [t for t, k in zip(reading.tokens, reading.known, strict=True) if not k],
    }


def get_speech_cnn() -> _speech_cnn.TrainedSpeechCNN:
    """The shared speech CNN, trained on first use on freshly generated sounds."""
    config = _speech_cnn.DEFAULT_CONFIG
    return shared_model(
        "speech_cnn",
        config,
        TEXT_SPEECH_VERSION,
        train=lambda on_step: _speech_cnn.train_speech_cnn(config, on_step=on_step),
        restore=_speech_cnn.TrainedSpeechCNN.from_payload,
        label="the speech CNN",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def get_speech_view(sound: str, variant: int, model_key: str, _model: _speech_cnn.TrainedSpeechCNN) -> dict:
    """One generated sound (variant 0 is the clean one), the CNN's probabilities and its first-layer maps as PNG."""
    if variant == 0:
        wave = _applications.make_sound(sound)
    else:
        wave = _speech_cnn.random_sound(sound, np.random.default_rng(variant), _model.config)
    maps = _model.feature_maps(wave)
    probs = dict(sorted(_model.predict_proba(wave).items(), key=lambda kv: -kv[1]))
    return {
        "wave": wave,
        "image": _applications.spectrogram(wave),
        "probs": probs,
        "probs_spec": _charts.probability_chart(probs),
        "maps_png": _images.png_bytes(_images.feature_grid_image(maps, columns=4, scale=4)),
    }


@st.cache_data(show_spinner=False, max_entries=4)
def get_speech_kernel_pictures(model_key: str, _model: _speech_cnn.TrainedSpeechCNN) -> dict:
    """The learned first-layer kernels and the hand-made ones, each as one PNG (red positive, blue negative), and
    for each hand-made kernel the most similar learned one (index, cosine similarity)."""
    handmade = np.stack(list(_applications.SPECTRO_KERNELS.values()))
    learned = _model.kernels().reshape(len(_model.kernels()), -1)
    learned = learned / np.linalg.norm(learned, axis=1, keepdims=True).clip(1e-9)
    closest = {}
    for name, kernel in _applications.SPECTRO_KERNELS.items():
        cosine = learned @ (kernel.ravel() / np.linalg.norm(kernel))
        closest[name] = (int(cosine.argmax()), float(cosine.max()))
    return {
        "closest": closest,
        "learned": _images.png_bytes(_images.feature_grid_image(_model.kernels(), columns=8, scale=24, signed=True)),
        "handmade": _images.png_bytes(_images.feature_grid_image(handmade, columns=4, scale=24, signed=True)),
    }


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=_BY_KEY)
def get_recall_gradients(models: dict, distance: int) -> dict[str, _through_time.GradientTrace]:
    """Backpropagation through time from the recalled colour back to it, for the recall RNN and LSTM."""
    return {kind: _longdep.recall_gradients(model, distance) for kind, model in models.items()}


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=_BY_KEY)
def get_pattern_recall(models: dict, text: str) -> dict[str, float] | None:
    """Each model's recall of the long-range colour in ``text``'s sentences, or None if it holds no such pattern."""
    if _longdep.pattern_sentences(text) < 10:
        return None
    return {kind: _longdep.pattern_recall(model, text) for kind, model in models.items()}


@st.cache_data(show_spinner=False, max_entries=128, hash_funcs=_BY_KEY)
def get_rnn_step(model: _language.LanguageModel, prompt: str) -> _through_time.RnnStep:
    """The RNN's last step on a prompt, split into the terms of h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)."""
    return _through_time.rnn_step(model, prompt)


@st.cache_data(show_spinner=False, max_entries=8, hash_funcs=_BY_KEY)
def get_heldout_unknown_share(model: _language.LanguageModel, text: str | None) -> float:
    """Share of the held-out tokens (of ``text``, or of the bundled corpus if None) read as ``<unk>``."""
    text = get_corpus()[0] if text is None else text
    _, heldout = _corpus.split_heldout(_corpus.split_paragraphs(text), model.config.heldout_every)
    return _vocabulary.unknown_share(model.vocab, "\n\n".join(heldout)) if heldout else 0.0


# --- warm-up order -------------------------------------------------------------
# The order students are most likely to need the default models in: draw, next word, text and speech,
# dimensionality, then the long-term-memory pair (only one tab needs it).
WARM_UP_ORDER.extend(
    [
        lambda: get_classifier("xo"),
        lambda: get_classifier("digits"),
        get_language_models,
        lambda: get_classifier("xo", "mlp"),
        lambda: get_classifier("digits", "mlp"),
        get_text_cnn,
        get_speech_cnn,
        get_autoencoder,
        lambda: get_autoencoder(linear=True),
        get_recall_models,
    ]
)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=_BY_KEY)
def get_embedding_view(model: _language.LanguageModel, change: bool) -> _embeddings.EmbeddingView:
    """A model's word embeddings (or what training added to them) and their 2-D PCA map."""
    return _embeddings.embedding_view(model, change=change)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=_BY_KEY)
def get_start_similarity(model: _language.LanguageModel) -> float:
    """Average cosine between each word's trained embedding and its random start."""
    return _embeddings.start_similarity(model)
