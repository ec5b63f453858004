"""Training in a child process (models.training_process): steps come back as they happen, the model is the same
as one trained in this process, a stop ends the child, and the shelf uses it for its background worker."""

import sys
import time

import numpy as np
import pytest
import torch

from components.model_shelf import ModelJob, ModelShelf
from models import store
from models.training_process import Trainer, TrainerProcess, TrainingStopped


class Tiny:
    """A trained linear model with the payload protocol of the lab's models."""

    def __init__(self, weight: np.ndarray, pid: int):
        self.weight, self.pid, self.num_parameters = weight, pid, weight.size

    def to_payload(self) -> dict:
        return {"weight": torch.as_tensor(self.weight), "pid": self.pid}

    @classmethod
    def from_payload(cls, payload: dict) -> "Tiny":
        return cls(payload["weight"].numpy(), int(payload["pid"]))


def train_tiny(steps: int, *, on_step=None, seconds_per_step: float = 0.0, fail: bool = False) -> Tiny:
    """Module-level, so the child can import it: a seeded least-squares fit by gradient descent."""
    import os

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=generator)
    y = x @ torch.tensor([1.0, -2.0, 0.5])
    w = torch.zeros(3, requires_grad=True)
    for step in range(1, steps + 1):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        if on_step is not None:
            on_step(step, steps, float(loss))
        if fail and step == steps // 2:
            raise ValueError("the data ran out")
        time.sleep(seconds_per_step)
    return Tiny(w.detach().numpy().copy(), os.getpid())


@pytest.fixture
def trainer():
    process = TrainerProcess()
    yield process
    process.stop()


def test_child_trains_the_same_model_and_reports_every_step(trainer):
    import os

    steps = []
    done = trainer.train(Trainer(train_tiny, (20,)), lambda *s: steps.append(s), lambda: False)
    here = train_tiny(20)
    model = Tiny.from_payload(done.payload)
    assert model.pid != os.getpid() and trainer.alive  # trained elsewhere; the child waits for the next model
    assert np.array_equal(model.weight, here.weight)
    assert [s[0] for s in steps] == list(range(1, 21)) and all(s[1] == 20 for s in steps)
    assert steps[-1][2] < steps[0][2]
    assert done.parameters == 3


def test_a_failure_in_the_child_is_an_error_here_and_the_child_goes_on(trainer):
    with pytest.raises(RuntimeError, match="ValueError: the data ran out"):
        trainer.train(Trainer(train_tiny, (10,), {"fail": True}), lambda *s: None, lambda: False)
    done = trainer.train(Trainer(train_tiny, (5,)), lambda *s: None, lambda: False)
    assert Tiny.from_payload(done.payload).weight.shape == (3,)


def test_a_stop_request_ends_the_child(trainer):
    started = time.monotonic()
    with pytest.raises(TrainingStopped):
        trainer.train(
            Trainer(train_tiny, (1000,), {"seconds_per_step": 0.05}),
            lambda *s: None,
            lambda: time.monotonic() - started > 1.0,
        )
    assert not trainer.alive


def test_the_shelf_trains_in_the_child_once_and_ends_it_when_the_queue_is_empty(tmp_path, monkeypatch, caplog):
    import logging
    import os

    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    caplog.set_level(logging.INFO, logger="lab")
    shelf = ModelShelf(train_in_child=True)
    job = ModelJob("tiny", {"steps": 30}, 1, Trainer(train_tiny, (30,)), Tiny.from_payload, "the tiny model")
    shelf.enqueue(job)
    deadline = time.monotonic() + 60
    while shelf.value(job.key) is None and time.monotonic() < deadline:
        assert shelf.progress(job.key).state != "failed", shelf.progress(job.key).error
        time.sleep(0.1)
    model = shelf.value(job.key)
    assert model is not None and model.pid != os.getpid()
    assert shelf.progress(job.key).step == 30  # the live panel saw the child's steps
    assert store.load("tiny", {"steps": 30}, 1) is not None  # saved, so a restart loads it
    while shelf.training_process_alive and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not shelf.training_process_alive  # nothing left to train: the child ends, and its memory with it
    assert [r.getMessage() for r in caplog.records].count("training tiny") == 1
    shelf.shutdown()


def test_a_page_script_as_main_is_not_run_in_the_child(trainer, tmp_path, monkeypatch):
    """Inside Streamlit (and after AppTest) ``__main__`` is a page script, which spawn would re-run in the child."""
    import types

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the page script ran in the training process')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    done = trainer.train(Trainer(train_tiny, (5,)), lambda *s: None, lambda: False)
    assert Tiny.from_payload(done.payload).weight.shape == (3,)
    assert sys.modules["__main__"] is page


def test_two_threads_starting_children_at_once_leave_main_as_it_was(monkeypatch):
    """Two threads that start children at the same moment (two shelves' workers, say) must not interleave their
    swaps: the first to finish would put the real main back, and the second then its saved blank."""
    import threading

    from models.training_process import _neutral_main

    main = sys.modules["__main__"]
    monkeypatch.setitem(sys.modules, "__main__", main)  # put back after the test even if it fails
    first_inside, first_done, second_inside = threading.Event(), threading.Event(), threading.Event()

    def first():
        with _neutral_main():
            first_inside.set()
            second_inside.wait(0.5)  # never set with the lock: the second swap waits for this one
        first_done.set()

    def second():
        first_inside.wait(5)
        with _neutral_main():
            second_inside.set()
            first_done.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sys.modules["__main__"] is main
