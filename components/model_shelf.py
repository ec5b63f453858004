"""Default models built once per process by one background worker, so that no page waits for training.

The job of the shelf is to hold every shared default model of this server process: it loads a model
from the weights store, or trains it (one at a time, in the order students need them) and saves it,
and it reports each model's progress for the live training panels. It knows nothing about the UI.
A student's own models are :mod:`components.watch_jobs` instead.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from models import store
from models.training import OnStep, lower_thread_priority
from models.training_process import Trainer, TrainerProcess, TrainingStopped

logger = logging.getLogger("lab")

LOSS_POINTS = 200  # losses kept per model for the live curve (thinned evenly beyond this)
SET_ASIDE_BEFORE = 0.5  # a warm-up-only model gives way to a page's model only before this share of its steps
SHUTDOWN_SECONDS = 15.0  # at exit, how long to wait for the worker to reach its next training step


@dataclass(frozen=True)
class ModelJob:
    """How to build one shared default model: its store key, how to train it and how to restore it."""

    name: str  # file name stem in the weights store, and the name in log lines ("training xo")
    config: Any  # config dataclass or dict: part of the key
    version: int  # bump to retrain everywhere
    train: Callable[[OnStep], Any] = field(compare=False, hash=False)  # on_step -> trained model (a Trainer can
    # run in the training process; any other callable trains in the worker thread)
    restore: Callable[[dict], Any] = field(compare=False, hash=False)  # payload -> model
    label: str = field(default="", compare=False)  # for people: "the X-or-O CNN"

    @property
    def key(self) -> str:
        return store.model_key(self.name, self.config, self.version)


@dataclass
class Progress:
    """Where one model stands: waiting, training (with its losses so far), ready or failed."""

    state: str = "waiting"  # waiting | training | ready | failed
    step: int = 0
    total: int = 0
    losses: list[float] = field(default_factory=list)
    started: float | None = None
    finished: float | None = None
    error: str = ""
    elsewhere: bool = False  # another server process holds the lock and is training it

    @property
    def fraction(self) -> float:
        return min(self.step / self.total, 1.0) if self.total else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Time left, extrapolated from the steps done so far (None until there is something to go on)."""
        if self.state != "training" or self.started is None or self.step < 2 or not self.total:
            return None
        elapsed = time.monotonic() - self.started
        return max(0.0, elapsed / self.step * (self.total - self.step))


def record_step(progress: Any, step: int, total: int, loss: float) -> None:
    """One training step into a live view (a ``Progress`` or a ``JobView``): the count, and the loss curve thinned
    evenly to at most ``LOSS_POINTS`` points."""
    progress.step, progress.total = step, total
    progress.losses.append(float(loss))
    if len(progress.losses) > LOSS_POINTS:
        progress.losses = progress.losses[::2]


class ShelfClosing(Exception):
    """Raised inside a training step when the process exits: the worker drops the model it was training."""


class SetAside(Exception):
    """Raised inside a training step of a model that only the warm-up wanted, when a page asks for another one:
    the worker drops the unfinished model, trains the page's first, and starts the other again afterwards."""


class ModelShelf:
    """Every shared default model of one process, built at most once, by a background worker or on demand."""

    def __init__(self, *, start_worker: bool = True, train_in_child: bool = False):
        self._lock = threading.Condition()
        self._values: dict[str, Any] = {}
        self._progress: dict[str, Progress] = {}
        self._jobs: dict[str, ModelJob] = {}
        self._queue: list[str] = []  # keys waiting for the worker, next first
        self._asked: set[str] = set()  # keys a page has asked for (not only the warm-up): never set aside
        self._building: dict[str, threading.Lock] = {}
        self._start_worker = start_worker
        self._worker: threading.Thread | None = None
        self._closing = False  # set at interpreter exit: the worker stops at its next training step
        # The worker's models train in a child process, so the pages keep this process's CPU to themselves.
        self._trainer = TrainerProcess() if train_in_child else None
        self.warmed = False  # set once the warm-up has queued every default model
        atexit.register(self.shutdown)

    # --- what sessions ask --------------------------------------------------------------------------
    def value(self, key: str) -> Any:
        """The built model of ``key``, or None."""
        with self._lock:
            return self._values.get(key)

    def progress(self, key: str) -> Progress:
        """A copy of ``key``'s progress (safe to read while the worker updates it)."""
        with self._lock:
            p = self._progress.get(key, Progress())
            return replace(p, losses=list(p.losses))

    @property
    def training_process_alive(self) -> bool:
        """Is the child process that trains the worker's models running (it ends once the queue is empty)?"""
        return self._trainer is not None and self._trainer.alive

    def jobs(self) -> list[tuple[ModelJob, Progress]]:
        """Every model the shelf knows, in queue order: built or building first, then the waiting queue."""
        with self._lock:
            order = [k for k in self._jobs if k not in self._queue] + list(self._queue)
            return [(self._jobs[k], replace(self._progress[k], losses=list(self._progress[k].losses))) for k in order]

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Within the block, the worker cannot pick its next job: several ``enqueue`` calls land as one."""
        with self._lock:  # a Condition's lock is reentrant: enqueue takes it again inside
            yield

    def enqueue(self, job: ModelJob, *, front: bool = False) -> None:
        """Queue ``job`` for the worker (``front``: a page needs it now). Built or building jobs stay as they are."""
        with self._lock:
            self._jobs.setdefault(job.key, job)
            self._progress.setdefault(job.key, Progress())
            if front:
                self._asked.add(job.key)
            if job.key in self._values or self._progress[job.key].state in ("training", "failed"):
                return
            if job.key in self._queue:
                if not front:
                    return
                self._queue.remove(job.key)
            self._queue.insert(0, job.key) if front else self._queue.append(job.key)
            self._lock.notify_all()
        self._ensure_worker()

    def load_now(self, job: ModelJob) -> Any:
        """The model from memory or from the weights store, without training (None if it must be trained)."""
        if (value := self.value(job.key)) is not None:
            return value
        if self.progress(job.key).state == "training":
            return None
        payload = store.load(job.name, job.config, job.version)
        if payload is None:
            return None
        try:
            model = job.restore(payload)
        except Exception as exc:  # an old or damaged payload: the worker retrains it
            logger.warning("Could not restore %s from disk (%s); retraining.", job.key, exc)
            return None
        self._finish(job, model)
        return model

    def build(self, job: ModelJob, on_step: OnStep | None = None) -> Any:
        """Load or train ``job`` in the calling thread, once per process (and, via the store's lock, once
        across processes sharing the weights folder); callers arriving meanwhile wait for the first."""
        with self._lock:
            self._jobs.setdefault(job.key, job)
            self._progress.setdefault(job.key, Progress())
            building = self._building.setdefault(job.key, threading.Lock())
        with building:
            if (value := self.value(job.key)) is not None:
                return value
            with self._lock:
                if job.key in self._queue:
                    self._queue.remove(job.key)

            def on_wait() -> None:
                self._update(job.key, elsewhere=True)

            with store.training_lock(job.name, job.config, job.version, on_wait=on_wait):
                self._update(job.key, elsewhere=False)
                if (model := self.load_now(job)) is not None:
                    return model
                return self._train(job, on_step)

    def clear(self) -> None:
        """Forget every model (the worker finishes the one it is training, then finds an empty queue)."""
        with self._lock:
            self._values.clear()
            self._progress.clear()
            self._jobs.clear()
            self._queue.clear()
            self._asked.clear()
            self.warmed = False

    def shutdown(self, wait: float = SHUTDOWN_SECONDS) -> None:
        """Stop the worker at its next training step and wait for it (at exit: a thread killed inside a torch
        kernel aborts the whole process with "terminate called without an active exception")."""
        with self._lock:
            self._closing = True
            self._queue.clear()
            self._lock.notify_all()
            worker = self._worker
        if worker is not None:
            worker.join(wait)

    # --- the worker ---------------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        with self._lock:
            if self._closing or not self._start_worker or (self._worker is not None and self._worker.is_alive()):
                return
            self._worker = threading.Thread(target=self._work, name="lab-model-shelf", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        lower_thread_priority()  # the students' page runs come first; the warm-up takes the CPU that is left
        while True:
            with self._lock:
                if not self._queue and self._trainer is not None and self._trainer.alive:
                    self._lock.release()  # nothing left to train: end the child, and its memory with it
                    try:
                        self._trainer.stop()
                    finally:
                        self._lock.acquire()
                while not self._queue and not self._closing:
                    self._lock.wait()
                if self._closing:
                    return
                key = self._queue[0]
                job = self._jobs[key]
            try:
                self.build(job)
            except ShelfClosing:
                return
            except SetAside as why:
                self._set_aside(job, why)
                continue
            except Exception as exc:  # a failed model must not stop the worker: the page says it failed
                logger.exception("training %s failed", job.name)
                self._update(key, state="failed", error=f"{type(exc).__name__}: {exc}")
            with self._lock:
                if key in self._queue:
                    self._queue.remove(key)

    # --- helpers ------------------------------------------------------------------------------------
    def _train(self, job: ModelJob, on_step: OnStep | None) -> Any:
        logger.info("training %s", job.name)
        self._update(job.key, state="training", started=time.monotonic(), step=0, losses=[])

        # Only the worker's own in-thread training is set aside: a page's blocking build never is, nor a run in the
        # training process (stopping a child mid-run is the shutdown path's job).
        in_worker = threading.current_thread() is self._worker and self._trainer is None

        def report(step: int, total: int, loss: float) -> None:
            if self._closing:
                raise ShelfClosing(job.name)
            if in_worker and step < SET_ASIDE_BEFORE * total and self._page_waits_behind(job.key):
                raise SetAside(f"{job.name} ({step} of {total} steps done)")
            with self._lock:
                record_step(self._progress.setdefault(job.key, Progress(state="training")), step, total, loss)
            if on_step is not None:
                on_step(step, total, loss)

        if on_step is None and self._trainer is not None and isinstance(job.train, Trainer):
            try:
                done = self._trainer.train(job.train, report, lambda: self._closing)
            except TrainingStopped:
                raise ShelfClosing(job.name) from None
            logger.info("trained %s in %.1f s (training process peak %.0f MB)", job.name, done.seconds, done.peak_mb)
            model, payload, seconds, params = job.restore(done.payload), done.payload, done.seconds, done.parameters
        else:
            started = time.perf_counter()
            try:
                model = job.train(report)
            finally:
                give_back_memory()
            seconds = time.perf_counter() - started
            payload, params = model.to_payload(), int(getattr(model, "num_parameters", 0) or 0)
        try:
            store.save(job.name, job.config, job.version, payload, seconds=seconds, parameters=params)
        except OSError as exc:  # a read-only or full disk must not stop the lesson
            logger.warning("Could not save %s (%s); it will be retrained next start.", job.key, exc)
        self._finish(job, model)
        return model

    def _finish(self, job: ModelJob, model: Any) -> None:
        if getattr(model, "key", None) is None:  # a model carries its own key, so caches can hash it by that
            model.key = job.key
        with self._lock:
            self._values[job.key] = model
            p = self._progress.setdefault(job.key, Progress())
            p.state, p.finished = "ready", time.monotonic()
            if job.key in self._queue:
                self._queue.remove(job.key)
            self._lock.notify_all()

    def _page_waits_behind(self, key: str) -> bool:
        """Whether a page has asked for the next model in the queue while ``key`` trains only for the warm-up.

        The job of this check is a student who opens a page other than the warm-up's first: without it their models
        waited for the X/O CNN, which trains the slowest while their page is loading (measured: 6 s on
        dimensionality's first visit against 2 s alone). What ``key`` had trained is lost (less than
        ``SET_ASIDE_BEFORE`` of its steps: past that, finishing costs less than starting again); it trains again later.
        """
        with self._lock:
            return key not in self._asked and bool(self._queue) and self._queue[0] in self._asked

    def _set_aside(self, job: ModelJob, why: SetAside) -> None:
        """Queue a model that was set aside again, behind every model a page has asked for."""
        with self._lock:
            p = self._progress.setdefault(job.key, Progress())
            p.state, p.step, p.losses, p.started = "waiting", 0, [], None
            if job.key not in self._queue:
                asked = next((i for i, k in enumerate(self._queue) if k not in self._asked), len(self._queue))
                self._queue.insert(asked, job.key)
        logger.info("set %s aside: a page needs another model first; it starts again afterwards", why)

    def _update(self, key: str, **changes: Any) -> None:
        with self._lock:
            p = self._progress.setdefault(key, Progress())
            for name, value in changes.items():
                setattr(p, name, value)


def give_back_memory() -> None:
    """Return a training run's freed memory to the OS (glibc keeps it otherwise, and the server's RSS grows)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
