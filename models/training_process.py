"""Training default models in a child process, so that the server's own process keeps its CPU (and its GIL) for
the students' pages, and a training run's memory goes back to the operating system when the child ends.

The job of :class:`TrainerProcess` is to run one :class:`Trainer` at a time in a spawned child, relay its
``on_step`` calls to the parent as they happen, and hand back the trained model's payload (what the weights store
saves). The shelf (``components.model_shelf``) decides what to train and when. This module lives in ``models``
because the child must not import Streamlit (``components`` does). Left out on purpose: a pool of children; the
machine has two cores, and one of them serves the pages.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import sys
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.training import OnStep, lower_thread_priority

logger = logging.getLogger("lab")

POLL_SECONDS = 0.2  # how often the parent checks for a stop request while the child trains
_MAIN_SWAP = threading.Lock()  # one ``_neutral_main`` at a time: two interleaved swaps would leave the blank in place


@dataclass(frozen=True, eq=False)
class Trainer:
    """A ``train(on_step)`` that can be sent to another process: ``function(*args, on_step=on_step, **kwargs)``.

    ``function`` must be defined at module level (in ``models``), so that pickle can name it.
    """

    function: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __call__(self, on_step: OnStep | None = None) -> Any:
        return self.function(*self.args, on_step=on_step, **self.kwargs)


@dataclass(frozen=True)
class TrainedPayload:
    """What the child sends back: the model's payload and what the weights store records beside it."""

    payload: dict
    parameters: int
    seconds: float
    peak_mb: float  # the child's high-water mark of resident memory so far (0 where /proc is missing)


class TrainingStopped(Exception):
    """The parent asked the child to stop (the server is shutting down); the child was ended."""


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _child_main(conn) -> None:
    """The child's loop: receive a Trainer, train it, send ("step", ...) messages and then ("done", payload)."""
    lower_thread_priority()  # the server's page runs come first
    while True:
        try:
            trainer = conn.recv()
        except EOFError:
            return
        if trainer is None:
            return
        model = None
        try:
            started = time.perf_counter()
            model = trainer(lambda step, total, loss: conn.send(("step", step, total, float(loss))))
            parameters = int(getattr(model, "num_parameters", 0) or 0)
            done = TrainedPayload(model.to_payload(), parameters, time.perf_counter() - started, _peak_mb())
            conn.send(("done", done))
        except Exception as exc:  # reported to the parent, which marks the model failed
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            del model
            gc.collect()


class TrainerProcess:
    """One spawned child that trains what it is sent, one model at a time; started on first use, and ended by
    :meth:`stop` (the shelf stops it once its queue is empty, so an idle server holds no training memory)."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs torch threads
        self._process = None
        self._conn = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def train(self, trainer: Trainer, on_step: OnStep, should_stop: Callable[[], bool]) -> TrainedPayload:
        """Train ``trainer`` in the child; ``on_step`` runs here for every step. Raises RuntimeError with the
        child's message if training failed, and :class:`TrainingStopped` once ``should_stop()`` is true."""
        if not self.alive:
            self._start()
        self._conn.send(trainer)
        while True:
            if should_stop():
                self.stop(wait=0.0)
                raise TrainingStopped
            if not self._conn.poll(POLL_SECONDS):
                if not self.alive:
                    code = self._process.exitcode
                    self._process = self._conn = None
                    raise RuntimeError(f"the training process ended unexpectedly (exit code {code})")
                continue
            kind, *rest = self._conn.recv()
            if kind == "step":
                on_step(*rest)
            elif kind == "done":
                return rest[0]
            else:
                raise RuntimeError(rest[0])

    def stop(self, wait: float = 5.0) -> None:
        """End the child (politely, then by force after ``wait`` seconds)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            conn.send(None)
        process.join(wait)
        if process.is_alive():
            process.terminate()
            process.join(2.0)
        conn.close()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_child_main, args=(child,), name="lab-trainer", daemon=True)
        with _neutral_main():
            self._process.start()
        child.close()
        self._conn = parent
        logger.info("started the training process (pid %s)", self._process.pid)


@contextlib.contextmanager
def _neutral_main():
    """While a child is spawned, a ``__main__`` with no file: spawn re-runs the parent's main script in the child,
    and inside Streamlit (or AppTest) that is a page script, which imports Streamlit and fails outside its runtime.
    ``_child_main`` needs nothing from it. Two threads that start children at once take turns: interleaved, the
    second would save the first one's blank and put it back last, leaving the process without its real main."""
    with _MAIN_SWAP:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main
