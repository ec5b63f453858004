"""The lab's one cache layer: the only module that calls ``st.cache_resource`` and ``st.cache_data``.

It owns the cache policy (``cache_data`` / ``cache_resource``: no spinner, trained models hashed by their own
key), the build-once machinery for models (the shelf of shared defaults and the students' own jobs, their
progress and live panels) and the two getters every page uses (chart specs, source code). The thin getters of
each page live beside it (``pca_getters``, ``kernel_getters``, ``drawing_getters``, ``language_getters``,
``text_speech_getters``) and decorate with the policy defined here.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from components import charts as _charts
from components import heatmaps as _heatmaps
from components import pca_charts as _pca_charts
from components import training_panel
from components.model_shelf import ModelJob, ModelShelf
from components.watch_jobs import JobView, WatchBusy, WatchJobs, WatchPart
from models import store
from models.autoencoder import TrainedAutoencoder
from models.cnn import ImageClassifier
from models.kernel_lessons import ChosenImage
from models.language import LanguageModel
from models.speech_cnn import TrainedSpeechCNN
from models.text_cnn import TrainedTextCNN
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
# LAB_TRAIN_IN_CHILD=1: the default models train in a child process (``models.training_process``) instead of the
# worker thread. Off by default: measured in Chromium (benchmarks.browser, 2026-12-02) it did not shorten what a
# student waits for (8 students on draw: first section 15.8 s median with it, 15.5 s without), and the child's own
# peak was 753 MB.
TRAIN_IN_CHILD = os.environ.get("LAB_TRAIN_IN_CHILD", "0") == "1"
_collecting = threading.local()  # set while the warm-up asks every default getter for its job


# Trained models (and chosen kernel images) are hashed by the key they carry, not by their weights or pixels:
# hashing a network's weights, or a 512×512 image, on every call would cost more than the work being cached.
_BY_OWN_KEY = {
    kind: (lambda value: value.key)
    for kind in (ImageClassifier, LanguageModel, TrainedTextCNN, TrainedSpeechCNN, TrainedAutoencoder, ChosenImage)
}


def cache_data(*, max_entries: int | None = None, ttl: float | None = None, spinner: str | bool = False):
    """``st.cache_data`` with the lab's policy: no spinner unless one is worth a sentence, bounded entries, and
    trained models hashed by their own key."""
    return st.cache_data(show_spinner=spinner, max_entries=max_entries, ttl=ttl, hash_funcs=_BY_OWN_KEY)


def cache_resource():
    """``st.cache_resource`` with the lab's policy: one shared object per process, built without a spinner."""
    return st.cache_resource(show_spinner=False)


class ModelNotReady(StopException):
    """Raised by a getter whose model is still training, after it drew the live panel in its place.

    ``lesson.sections`` catches it, so the page goes on with the next section; uncaught, it ends the
    page run quietly, like ``st.stop()``.
    """


@cache_resource()
def get_model_shelf() -> ModelShelf:
    """This process's shelf of shared default models (and its one background worker)."""
    return ModelShelf(train_in_child=TRAIN_IN_CHILD)


@cache_resource()
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
    if getattr(_collecting, "on", False):  # the warm-up (or ask_for) is only listing jobs
        shelf.enqueue(job, front=getattr(_collecting, "front", False))
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


def warm_up(order: list[Callable[[], Any]]) -> None:
    """Once per server process: queue every default model for the background worker, in ``order`` (getters).

    Models already on disk load in a moment; the rest train one at a time. A page that needs a model that
    is not next in line moves it to the front.
    """
    shelf = get_model_shelf()
    if shelf.warmed or BLOCKING:
        return
    shelf.warmed = True
    _collecting.on = True
    try:
        for getter in order:
            try:
                getter()
            except Exception as exc:  # a getter that cannot list itself is trained when its page asks
                logger.warning("warm-up skipped %s (%s)", getattr(getter, "__name__", getter), exc)
    finally:
        _collecting.on = False


def ask_for(*getters: Callable[[], Any]) -> None:
    """Move every default model these getters need to the front of the worker's queue, the first getter's first,
    without drawing or waiting for anything.

    For a page or section that needs several models: a getter raises :class:`ModelNotReady` for the first model
    that is missing, so the ones after it were asked for only once it was ready, and by then the worker had started
    on the next model in the warm-up's order (measured on the dimensionality page: its linear autoencoder waited
    1.75 s for the digits CNN). Models that are ready, training or on disk are left as they are.
    """
    if BLOCKING or not getters:
        return
    _collecting.on, _collecting.front = True, True
    try:
        with get_model_shelf().together():  # the worker takes the first getter's model, not whichever came first
            for getter in reversed(getters):  # each goes to the very front: the last asked ends up first
                try:
                    getter()
                except Exception as exc:  # a getter that cannot list itself is asked for again when the page runs it
                    logger.warning("ask_for skipped %s (%s)", getattr(getter, "__name__", getter), exc)
    finally:
        _collecting.on, _collecting.front = False, False


def model_queue() -> None:
    """The live table of every default model and where it stands (Home)."""
    training_panel.queue_table(get_model_shelf())


class CustomBusy(Exception):
    """A student's own model cannot start now; the message says why and what to do, in words for the page."""


_WATCHING = "_lab_watch_jobs"  # session-state key: {page section: the key of the job it shows}
_WATCH_RUNS = itertools.count(1)  # numbers every watched run (``watch_run_name``)


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


def watch_run_name() -> str:
    """A name for one watched run, for its models' keys: a stopped model must never answer as a finished one."""
    return f"watch{next(_WATCH_RUNS)}"


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


@cache_data(max_entries=64)
def get_source(module: str, name: str) -> str:
    """The source code of ``module.name`` (a function or class from ``models``), read from disk once."""
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return inspect.getsource(obj)


@cache_data(max_entries=CHART_SPECS_MAX)
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
