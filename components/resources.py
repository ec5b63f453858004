"""The lab's one cache layer: every ``st.cache_resource`` and ``st.cache_data`` lives here.

Shared models are trained once per process (and once per machine, thanks to the
weights store), whatever the number of students who open a page at the same
time. Training shows a progress bar in the session that triggered it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st

from models import store
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

CUSTOM_MAX_ENTRIES = 6  # per-user models (own corpus, "retrain with...") kept in memory at once
CUSTOM_TTL_SECONDS = 60 * 60  # and forgotten after an hour
PROGRESS_UPDATES = 60  # at most this many progress-bar redraws per training run


@dataclass
class _Slot:
    """A place for one trained model, with a lock so that only one session trains it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    value: Any = None


@st.cache_resource(show_spinner=False)
def _shared_slot(key: str) -> _Slot:
    return _Slot()


@st.cache_resource(show_spinner=False, max_entries=CUSTOM_MAX_ENTRIES, ttl=CUSTOM_TTL_SECONDS)
def _custom_slot(key: str) -> _Slot:
    return _Slot()


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


def _fill(slot: _Slot, label: str, build: Callable[[], T]) -> T:
    """Run ``build`` once per slot; sessions arriving meanwhile wait with a spinner."""
    if slot.value is not None:
        return slot.value
    if not slot.lock.acquire(blocking=False):
        with st.spinner(f"Someone else is training {label}; it will be ready in a moment…"):
            slot.lock.acquire()
    try:
        if slot.value is None:
            slot.value = build()
        return slot.value
    finally:
        slot.lock.release()


def _train_with_progress(name: str, label: str, train: Callable[[OnStep], T]) -> tuple[T, float]:
    on_step, done = progress_callback(label)
    logger.info("training %s", name)
    started = time.perf_counter()
    try:
        model = train(on_step)
    finally:
        done()
    return model, time.perf_counter() - started


def shared_model(
    name: str,
    config: Any,
    version: int,
    *,
    train: Callable[[OnStep], T],
    restore: Callable[[dict], T],
    label: str,
) -> T:
    """A default model: from memory, else from disk, else trained once (with a progress bar) and saved.

    ``train(on_step)`` builds the model; the model's ``to_payload()`` is what is saved and
    ``restore(payload)`` rebuilds it. A payload that fails to restore is retrained.
    """
    key = store.model_key(name, config, version)

    def build() -> T:
        payload = store.load(name, config, version)
        if payload is not None:
            try:
                return restore(payload)
            except Exception as exc:  # an old or damaged payload: retrain rather than fail
                logger.warning("Could not restore %s from disk (%s); retraining.", key, exc)
        model, seconds = _train_with_progress(name, label, train)
        params = int(getattr(model, "num_parameters", 0) or 0)
        try:
            store.save(name, config, version, model.to_payload(), seconds=seconds, parameters=params)
        except OSError as exc:  # a read-only or full disk must not stop the lesson
            logger.warning("Could not save %s (%s); it will be retrained next start.", key, exc)
        return model

    return _fill(_shared_slot(key), label, build)


def custom_model(key: str, label: str, train: Callable[[OnStep], T]) -> T:
    """A per-user model (own text, own settings): trained once per key, kept in a small bounded cache.

    It is never written to disk and never replaces a shared default.
    """
    return _fill(_custom_slot(key), label, lambda: _train_with_progress(f"custom {key}", label, train)[0])


def cached_models() -> list[store.CachedModel]:
    """What the weights folder holds right now (not cached: it is cheap and must be fresh)."""
    return store.list_cached()


def cache_folder() -> str:
    """Where weights are saved, for the Home page."""
    return str(store.cache_dir())


def clear_models() -> int:
    """Forget every trained model, in memory and on disk; the next use retrains."""
    _shared_slot.clear()
    _custom_slot.clear()
    return store.clear()


# ---------------------------------------------------------------------------
# Default models, listed on the Home page: name -> (what it is, page that uses it).
# Each page section below adds its own entries.
# ---------------------------------------------------------------------------
DEFAULT_MODELS: dict[str, tuple[str, str]] = {}


# --- dimensionality (PCA and autoencoder) ------------------------------------


# --- kernels (convolution playground) ----------------------------------------


# --- draw (CNN classifiers) --------------------------------------------------


# --- next word (language models) ---------------------------------------------
