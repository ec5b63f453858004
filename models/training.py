"""One small training loop shared by every model in the lab.

The trainer knows nothing about the UI: it reports progress through an
``on_step(step, total, loss)`` callback, and the Streamlit layer turns those
calls into a progress bar. To watch a model learn, ``on_epoch(epoch, model, history)``
hands out the network between epochs and ``should_stop()`` ends training early
(see :func:`watching` for trainers that do not pass them on).
"""

from __future__ import annotations

import copy
import math
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

OnStep = Callable[[int, int, float], None]
OnEpoch = Callable[[int, nn.Module, "History"], None]  # (epochs done, the live network, history so far)
ShouldStop = Callable[[], bool]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Objective = Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], torch.Tensor]  # (model, inputs, y) -> loss


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, numpy and torch, and return a torch generator for shuffling."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Run torch on ``n`` threads inside the block, then restore the setting.

    The lab's networks are tiny: one thread is best for inference and for the recurrent and dense models,
    because on a busy 2-core machine two threads spin against each other (measured here: an RNN took
    14 s on two threads under load against 3 s on one). Convolutions on a batch gain from a second core
    only on an idle machine (:data:`TRAIN_THREADS`); the CNN trainer uses one thread too (see
    ``models.cnn_training.CNN_TRAIN_THREADS``).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


BACKGROUND_NICENESS = 10  # how much lower than the pages a background training thread runs (Linux nice steps)


def lower_thread_priority(steps: int = BACKGROUND_NICENESS) -> int | None:
    """Make the calling thread ``steps`` nice levels kinder (at most 19), and return its new nice value.

    For threads that train in the background: the kernel then gives a core to a student's page script or to
    the server's websocket first, and the training takes whatever is left. On Linux the nice value belongs to
    each thread (and a thread it starts inherits it), so only this thread and its children slow down. Elsewhere
    (macOS, Windows), or where the call is refused, nothing changes and None is returned.
    """
    if not sys.platform.startswith("linux"):
        return None
    tid = threading.get_native_id()
    try:
        nice = min(19, os.getpriority(os.PRIO_PROCESS, tid) + max(0, steps))
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError:
        return None
    return nice


TRAIN_THREADS = min(2, os.cpu_count() or 1)  # for batched convolutions: measured 9.6 s → 6.5 s for the X/O CNN
EVAL_BATCH = 256  # examples per forward pass when evaluating: larger slices only raise the memory peak


def choose_device() -> torch.device:
    """The CPU here; a GPU when the machine has one."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class History:
    """What happened while training: per-epoch curves and per-step gradient norms."""

    loss: list[float] = field(default_factory=list)  # mean training loss per epoch
    accuracy: list[float] = field(default_factory=list)  # training accuracy per epoch (empty for regression)
    val_loss: list[float] = field(default_factory=list)  # validation loss per epoch (empty without val data)
    val_accuracy: list[float] = field(default_factory=list)  # validation accuracy per epoch
    step_loss: list[float] = field(default_factory=list)  # loss of every optimiser step
    grad_norm: list[float] = field(default_factory=list)  # gradient norm of every step, before clipping
    seconds: float = 0.0  # wall-clock training time

    def to_dict(self) -> dict:
        """Plain lists and floats, safe for ``torch.load(weights_only=True)``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> History:
        """Rebuild a history saved with :meth:`to_dict`."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def extend(self, later: History) -> History:
        """Append a later training run (the next phase of the same model) to this history, in place."""
        for name, values in asdict(later).items():
            if isinstance(values, list):
                getattr(self, name).extend(values)
        self.seconds += later.seconds
        return self


def accuracy_of(output: torch.Tensor, target: torch.Tensor) -> float:
    """Share of argmax predictions equal to integer targets (any leading shape)."""
    return (output.argmax(dim=-1) == target).float().mean().item()


def _as_tuple(x: torch.Tensor | tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return x if isinstance(x, tuple) else (x,)


def evaluate(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    *,
    loss_fn: LossFn = F.cross_entropy,
    classification: bool = True,
    batch_size: int = EVAL_BATCH,
) -> tuple[float, float]:
    """Mean loss and accuracy (nan for regression) of ``model`` on a dataset."""
    inputs = _as_tuple(inputs)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total_loss, total_correct, count = 0.0, 0.0, 0
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            xb = tuple(x[start : start + batch_size].to(device) for x in inputs)
            yb = targets[start : start + batch_size].to(device)
            out = model(*xb)
            n = len(yb)
            total_loss += loss_fn(out, yb).item() * n
            if classification:
                total_correct += accuracy_of(out, yb) * n
            count += n
    model.train(was_training)
    return total_loss / max(count, 1), (total_correct / max(count, 1)) if classification else math.nan


def train(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    weight_decay: float = 0.0,
    optimizer: str = "adam",
    loss_fn: LossFn = F.cross_entropy,
    classification: bool = True,
    val: tuple[torch.Tensor | tuple[torch.Tensor, ...], torch.Tensor] | None = None,
    clip_grad_norm: float | None = None,
    augment: Callable[[tuple[torch.Tensor, ...], torch.Generator], tuple[torch.Tensor, ...]] | None = None,
    seed: int = 0,
    on_step: OnStep | None = None,
    device: torch.device | None = None,
    on_epoch: OnEpoch | None = None,
    should_stop: ShouldStop | None = None,
    objective: Objective | None = None,
) -> History:
    """Train ``model`` in place with mini-batch Adam (or SGD) and return its history.

    ``inputs`` is one tensor or a tuple of tensors passed to ``model(*inputs)``.
    ``augment`` may transform each batch of inputs (for data augmentation).
    ``on_step(step, total, loss)`` is called after every optimiser step.
    ``on_epoch(epoch, model, history)`` is called after every complete epoch (and its validation), with the
    model in eval mode; copy it (:func:`snapshot`) to keep it. ``should_stop()`` is asked before every step:
    once it says True, training ends there and the model is kept as it is (a cut-short epoch adds to the
    per-step lists only). Both default to the ones of an enclosing :func:`watching` block.
    ``objective(model, inputs, targets)`` replaces ``loss_fn(model(*inputs), targets)`` as the training loss, for
    a model with a cheaper training path than its full output (an adaptive softmax); validation still uses
    ``loss_fn`` on the full output. It needs ``classification=False``, as there is no output to score.
    The model ends on the CPU in eval mode, ready for inference.
    """
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    if objective is not None and classification:
        raise ValueError("an objective gives no outputs to count correct ones: pass classification=False")
    inputs = _as_tuple(inputs)
    n = len(targets)
    if n == 0:
        raise ValueError("cannot train on an empty dataset")
    on_epoch, should_stop = _watch_hooks(on_epoch, should_stop)
    generator = seed_everything(seed)
    device = device or choose_device()
    model.to(device).train()
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(params, lr=learning_rate, weight_decay=weight_decay)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=learning_rate, weight_decay=weight_decay)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}; use 'adam' or 'sgd'")

    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    history = History()
    started = time.perf_counter()
    step = 0
    stopped = False
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        epoch_loss, epoch_correct = 0.0, 0.0
        for start in range(0, n, batch_size):
            if should_stop is not None and should_stop():
                stopped = True
                break
            idx = order[start : start + batch_size]
            xb = tuple(x[idx] for x in inputs)
            if augment is not None:
                xb = augment(xb, generator)
            xb = tuple(x.to(device) for x in xb)
            yb = targets[idx].to(device)
            if objective is None:
                out = model(*xb)
                loss = loss_fn(out, yb)
            else:
                loss = objective(model, xb, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clip_grad_norm:
                norm = nn.utils.clip_grad_norm_(params, clip_grad_norm)
            else:  # only measured: clip_grad_norm_(inf) would also multiply every gradient by 1 (15% of a small step)
                norm = nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])
            opt.step()
            step += 1
            loss_value = loss.item()
            history.step_loss.append(loss_value)
            history.grad_norm.append(float(norm))
            epoch_loss += loss_value * len(idx)
            if classification:
                epoch_correct += accuracy_of(out.detach(), yb) * len(idx)
            if on_step is not None:
                on_step(step, total, loss_value)
        if stopped:
            break
        history.loss.append(epoch_loss / n)
        if classification:
            history.accuracy.append(epoch_correct / n)
        if val is not None:
            val_loss, val_acc = evaluate(  # in training-sized slices: evaluating never sets the memory peak
                model, val[0], val[1], loss_fn=loss_fn, classification=classification, batch_size=batch_size
            )
            history.val_loss.append(val_loss)
            if classification:
                history.val_accuracy.append(val_acc)
        if on_epoch is not None:
            model.eval()
            on_epoch(epoch + 1, model, history)
            model.train()
    history.seconds = time.perf_counter() - started
    model.cpu().eval()
    return history


def train_in_phases(
    model: nn.Module,
    inputs: torch.Tensor | tuple[torch.Tensor, ...],
    targets: torch.Tensor,
    phases: Sequence[dict],
    *,
    on_step: OnStep | None = None,
    on_epoch: OnEpoch | None = None,
    should_stop: ShouldStop | None = None,
    **common,
) -> History:
    """Consecutive :func:`train` runs on one model, reported as one history and one progress count.

    Each phase is a dict of :func:`train` arguments that override ``common`` for that run, for example
    ``[{"epochs": 4, "learning_rate": 1e-2}, {"epochs": 1, "learning_rate": 1e-3}]`` for a cooldown at a
    tenth of the learning rate. A phase may bring its own ``inputs`` and ``targets`` (a curriculum).
    Phases with ``epochs`` < 1 are skipped. ``on_epoch`` counts epochs over all phases and gets the history of
    every phase so far; once ``should_stop()`` says True, the remaining phases are skipped.
    """
    on_epoch, should_stop = _watch_hooks(on_epoch, should_stop)
    runs = [{"inputs": inputs, "targets": targets, **common, **phase} for phase in phases]
    runs = [run for run in runs if run.get("epochs", 0) >= 1]
    steps = [run["epochs"] * math.ceil(len(run["targets"]) / run.get("batch_size", 64)) for run in runs]
    total, done, epochs_done = sum(steps), 0, 0
    history = History()
    for run, n_steps in zip(runs, steps, strict=True):
        if should_stop is not None and should_stop():
            break
        report = None
        if on_step is not None:
            report = lambda step, _total, loss, offset=done: on_step(offset + step, total, loss)  # noqa: E731
        watch = None
        if on_epoch is not None:

            def watch(epoch: int, net: nn.Module, later: History, offset: int = epochs_done) -> None:
                on_epoch(offset + epoch, net, History().extend(history).extend(later))

        history.extend(
            train(
                model, run.pop("inputs"), run.pop("targets"), on_step=report, on_epoch=watch, should_stop=should_stop,
                **run,
            )
        )  # fmt: skip
        done += n_steps
        epochs_done = len(history.loss)
    return history


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# --- watching a model learn -------------------------------------------------------------------------------------
_watch = threading.local()  # the hooks of the enclosing ``watching`` block, per thread


@contextmanager
def watching(*, on_epoch: OnEpoch | None = None, should_stop: ShouldStop | None = None) -> Iterator[None]:
    """Within the block, every :func:`train` in this thread reports epochs to ``on_epoch`` and asks ``should_stop``.

    For trainers such as ``train_classifier`` or ``train_language_model``, which do not pass these hooks on:
    ``with watching(should_stop=flag.is_set): model = train_classifier("xo")`` returns a usable model, trained
    until the flag was set. Hooks given to :func:`train` directly take precedence; blocks nest.
    """
    before = getattr(_watch, "hooks", (None, None))
    _watch.hooks = (on_epoch, should_stop)
    try:
        yield
    finally:
        _watch.hooks = before


def _watch_hooks(on_epoch: OnEpoch | None, should_stop: ShouldStop | None) -> tuple[OnEpoch | None, ShouldStop | None]:
    ambient_epoch, ambient_stop = getattr(_watch, "hooks", (None, None))
    return on_epoch or ambient_epoch, should_stop or ambient_stop


def snapshot(model: nn.Module) -> nn.Module:
    """A frozen copy of ``model`` on the CPU in eval mode, safe to use while the original goes on training."""
    return copy.deepcopy(model).cpu().eval()
