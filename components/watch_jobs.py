"""A student's own models ("retrain with…", "train on your own text"), trained in the background while the page
watches them learn. Each :class:`WatchJob` trains in its own thread, hands out a usable snapshot after every epoch
and stops when asked (keeping the model as it is); :class:`WatchJobs` keeps a bounded number, each capped in time.
Like the shelf, it knows nothing about the UI.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from components.model_shelf import give_back_memory, record_step
from models.training import History, OnStep, lower_thread_priority, watching

logger = logging.getLogger("lab")

WATCH_MAX_SECONDS = 180.0  # a job stops by itself after this long, keeping its model as it is then
WATCH_MAX_RUNNING = 2  # jobs that train at once (the machine has 2 cores); later ones wait their turn
ABANDONED_SECONDS = 30.0  # a running job nobody looked at for this long may be evicted to make room


class WatchBusy(RuntimeError):
    """Raised when a new job cannot be kept: every place is taken by a job that is training and being watched."""


@dataclass(frozen=True)
class WatchPart:
    """One model of a per-user job: how to train it, how to wrap its network between epochs, what to chart."""

    name: str  # "cnn", "lstm", …: the key of its model in the job's results
    label: str  # for people: "your X-or-O CNN"
    train: Callable[[OnStep], Any]  # on_step -> the trained model; its train() calls are watched
    snapshot: Callable[[int, Any, History], Any] | None = None  # (epoch, live network, history) -> a usable model
    measure: Callable[[Any], dict[str, float]] | None = None  # a model -> the numbers charted after every epoch


@dataclass(frozen=True)
class EpochPoint:
    """What one part's snapshot measured after one epoch."""

    part: str
    epoch: int
    metrics: dict[str, float]
    seconds: float  # since the job started training


@dataclass
class JobView:
    """Where one per-user job stands (a copy, safe to read while it trains)."""

    key: str
    label: str
    parts: tuple[str, ...]
    part_labels: tuple[str, ...] = ()  # for people, one per part
    state: str = "waiting"  # waiting | training | ready | stopped | failed
    part: str = ""  # the part training now (or the last one)
    step: int = 0  # of the current part
    total: int = 0
    losses: list[float] = field(default_factory=list)  # of the current part, thinned to LOSS_POINTS
    epochs: list[EpochPoint] = field(default_factory=list)
    models: dict[str, Any] = field(default_factory=dict)  # each part's latest snapshot, or its final model
    reason: str = ""  # why it stopped: "stop" (asked), "time" (the cap), "evicted", "cleared"
    error: str = ""
    started: float | None = None
    finished: float | None = None

    @property
    def running(self) -> bool:
        return self.state in ("waiting", "training")

    @property
    def done(self) -> bool:
        """Finished (trained to the end, or stopped) with a usable model for every part."""
        return self.state in ("ready", "stopped") and len(self.models) == len(self.parts)

    @property
    def value(self) -> dict[str, Any] | None:
        """Every part's final model, once done."""
        return dict(self.models) if self.done else None

    @property
    def fraction(self) -> float:
        if self.state in ("ready", "stopped"):
            return 1.0
        if not self.parts or not self.part:
            return 0.0
        done = self.parts.index(self.part)
        return min((done + (self.step / self.total if self.total else 0.0)) / len(self.parts), 1.0)

    @property
    def seconds_left(self) -> float | None:
        """Time left, extrapolated from the share done so far (None until there is something to go on)."""
        if self.state != "training" or self.started is None or self.fraction < 0.02:
            return None
        elapsed = time.monotonic() - self.started
        return max(0.0, elapsed / self.fraction * (1 - self.fraction))


class WatchJob:
    """One student's own model(s), trained part after part, with a snapshot after every epoch and a stop flag.

    ``start()`` trains in a daemon thread (waiting for a place under ``gate`` first); ``run_here()`` trains in
    the calling thread (tests and ``LAB_BLOCKING_TRAINING``). Either way training ends at the latest
    ``max_seconds`` after it started, keeping the model as it is; parts after a stop are built untrained.
    """

    def __init__(
        self,
        key: str,
        label: str,
        parts: list[WatchPart],
        *,
        max_seconds: float = WATCH_MAX_SECONDS,
        gate: threading.Semaphore | None = None,
    ):
        if not parts or len({p.name for p in parts}) != len(parts):
            raise ValueError("a job needs at least one part, each with its own name")
        self.key, self.label, self.parts = key, label, list(parts)
        self.max_seconds = max_seconds
        self._gate = gate
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._view = JobView(key, label, tuple(p.name for p in parts), tuple(p.label for p in parts))
        self._thread: threading.Thread | None = None
        self.touched = time.monotonic()  # last time a session looked at it (for eviction)

    # --- control ------------------------------------------------------------------------------------------
    def start(self) -> WatchJob:
        """Train in a background thread."""
        with self._lock:
            if self._thread is None:
                name = f"lab-watch-{self.key[:40]}"
                self._thread = threading.Thread(target=self._run_in_background, name=name, daemon=True)
                self._thread.start()
        return self

    def run_here(self, on_step: OnStep | None = None) -> JobView:
        """Train in the calling thread, reporting every step to ``on_step`` too; returns the final view."""
        self._run(on_step)
        return self.view()

    def stop(self, reason: str = "stop") -> None:
        """Ask the job to stop before its next step; it keeps every part as it is then."""
        with self._lock:
            if not self._stop.is_set():
                self._view.reason = reason
            self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job's thread to end; True if it has (or never started)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    @property
    def alive(self) -> bool:
        """Is its thread still running?"""
        return self._thread is not None and self._thread.is_alive()

    def view(self) -> JobView:
        with self._lock:
            v = self._view
            return replace(v, losses=list(v.losses), epochs=list(v.epochs), models=dict(v.models))

    # --- the run ------------------------------------------------------------------------------------------
    def _run_in_background(self) -> None:
        lower_thread_priority()  # other students' page runs come first
        self._run()

    def _run(self, on_step: OnStep | None = None) -> None:
        acquired = False
        try:
            if self._gate is not None:
                while not self._stop.is_set() and not acquired:
                    acquired = self._gate.acquire(timeout=0.2)
            if self._stop.is_set():
                self._set(state="stopped", finished=time.monotonic())
                return
            started = time.monotonic()
            deadline = started + self.max_seconds
            self._set(state="training", started=started)
            logger.info("training custom %s", self.key)
            for part in self.parts:
                self._train_part(part, started, deadline, on_step)
            self._set(state="stopped" if self._stop.is_set() else "ready", finished=time.monotonic())
            logger.info("custom %s %s", self.key, self.view().state)
        except Exception as exc:  # a failed job must not take the server down: the page says it failed
            logger.exception("training custom %s failed", self.key)
            self._set(state="failed", error=f"{type(exc).__name__}: {exc}", finished=time.monotonic())
        finally:
            if acquired:
                self._gate.release()
            give_back_memory()

    def _train_part(self, part: WatchPart, started: float, deadline: float, on_step: OnStep | None) -> None:
        self._set(part=part.name, step=0, total=0, losses=[])

        def report(step: int, total: int, loss: float) -> None:
            with self._lock:
                record_step(self._view, step, total, loss)
            if on_step is not None:
                on_step(step, total, loss)

        def on_epoch(epoch: int, network: Any, history: History) -> None:
            if part.snapshot is None:
                return
            model = part.snapshot(epoch, network, history)
            metrics = part.measure(model) if part.measure is not None else {}
            point = EpochPoint(part.name, epoch, metrics, time.monotonic() - started)
            with self._lock:
                self._view.models[part.name] = model
                self._view.epochs.append(point)

        def should_stop() -> bool:
            if not self._stop.is_set() and time.monotonic() > deadline:
                self.stop("time")
            return self._stop.is_set()

        with watching(on_epoch=on_epoch, should_stop=should_stop):
            model = part.train(report)
        with self._lock:
            self._view.models[part.name] = model

    def _set(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self._view, name, value)


class WatchJobs:
    """This process's per-user jobs: at most ``max_entries`` kept, each forgotten ``ttl_seconds`` after last seen.

    Asking for a key that is training (or trained) joins that job, so nothing trains twice. To make room, the
    least recently seen finished job is dropped, else a running one nobody has looked at for
    ``ABANDONED_SECONDS`` (it is stopped); when every place is taken by a watched running job,
    :class:`WatchBusy` says so. A dropped running job is stopped, so no thread outlives its result.
    """

    def __init__(
        self,
        max_entries: int,
        ttl_seconds: float,
        *,
        max_seconds: float = WATCH_MAX_SECONDS,
        max_running: int = WATCH_MAX_RUNNING,
    ):
        self.max_entries, self.ttl_seconds, self.max_seconds = max_entries, ttl_seconds, max_seconds
        self._gate = threading.Semaphore(max_running)
        self._lock = threading.Lock()
        self._jobs: dict[str, WatchJob] = {}
        atexit.register(self.shutdown)  # a server that stops lets its jobs end between two steps, not mid-kernel

    def get(self, key: str) -> JobView | None:
        """The view of job ``key`` (and it counts as seen), or None if there is none (never asked, or dropped)."""
        with self._lock:
            self._expire()
            job = self._jobs.get(key)
            if job is None:
                return None
            job.touched = time.monotonic()
        return job.view()

    def request(
        self,
        key: str,
        label: str,
        parts: list[WatchPart],
        *,
        blocking: bool = False,
        on_step: OnStep | None = None,
        restart_stopped: bool = False,
    ) -> JobView:
        """Start job ``key``, or join it if it is already kept (``restart_stopped``: a stopped or failed one
        starts over). ``blocking`` trains in the calling thread. Raises :class:`WatchBusy` when there is no room."""
        with self._lock:
            self._expire()
            job = self._jobs.get(key)
            if job is not None:
                state = job.view().state
                if not (restart_stopped and state in ("stopped", "failed")):
                    job.touched = time.monotonic()
                    return job.view()
                self._drop(key, "replaced")
            self._make_room()
            job = WatchJob(key, label, parts, max_seconds=self.max_seconds, gate=None if blocking else self._gate)
            self._jobs[key] = job
        if blocking:
            return job.run_here(on_step)
        return job.start().view()

    def stop(self, key: str, *, wait: float = 0.0) -> JobView | None:
        """Stop job ``key`` (it keeps its models as they are), waiting up to ``wait`` seconds for it to end."""
        with self._lock:
            job = self._jobs.get(key)
        if job is None:
            return None
        job.stop("stop")
        job.join(wait)
        return job.view()

    def clear(self) -> None:
        """Forget every job, stopping those that train."""
        with self._lock:
            for key in list(self._jobs):
                self._drop(key, "cleared")

    def shutdown(self, wait: float = 2.0) -> None:
        """Stop every job and wait up to ``wait`` seconds in all for their threads to end."""
        with self._lock:
            jobs = list(self._jobs.values())
            for key in list(self._jobs):
                self._drop(key, "cleared")
        deadline = time.monotonic() + wait
        for job in jobs:
            job.join(max(0.0, deadline - time.monotonic()))

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def threads_alive(self) -> int:
        """How many jobs' threads run now, kept or already dropped (for tests and the benchmark)."""
        return sum(t.name.startswith("lab-watch-") for t in threading.enumerate())

    # --- helpers (called with the lock held) -------------------------------------------------------------------
    def _expire(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if now - job.touched > self.ttl_seconds:
                self._drop(key, "evicted")

    def _make_room(self) -> None:
        while len(self._jobs) >= self.max_entries:
            now = time.monotonic()
            by_age = sorted(self._jobs.items(), key=lambda kv: kv[1].touched)
            finished = [k for k, j in by_age if not j.view().running]
            abandoned = [k for k, j in by_age if j.view().running and now - j.touched > ABANDONED_SECONDS]
            if not finished and not abandoned:
                raise WatchBusy(f"{len(self._jobs)} students' own models are training right now")
            self._drop((finished or abandoned)[0], "evicted")

    def _drop(self, key: str, reason: str) -> None:
        job = self._jobs.pop(key)
        job.stop(reason)  # a running job ends at its next step; a finished one is simply forgotten
