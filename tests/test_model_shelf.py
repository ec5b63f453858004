"""The shelf of default models (components.model_shelf): one worker trains missing ones once, in order."""

import os
import sys
import threading
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from components import resources
from components.model_shelf import ModelJob, ModelShelf
from models import store, training
from tests import fakes


def _job(name: str, log: list[str], *, seconds: float = 0.05, fail: bool = False) -> ModelJob:
    def train(on_step):
        log.append(name)
        for step in range(1, 5):
            time.sleep(seconds / 4)
            on_step(step, 4, 1.0 / step)
        if fail:
            raise RuntimeError("boom")
        return fakes.ConstantModel(torch.ones(3))

    return ModelJob(name, {"n": name}, 1, train, fakes.ConstantModel.from_payload, f"the {name} model")


def _wait(shelf: ModelShelf, job: ModelJob, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while shelf.progress(job.key).state not in ("ready", "failed"):
        assert time.monotonic() < deadline, f"{job.name} never finished"
        time.sleep(0.02)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_worker_trains_each_job_once_in_order_and_a_page_can_jump_the_queue(cache):
    log: list[str] = []
    shelf = ModelShelf()
    gate = threading.Event()
    first = ModelJob("first", {"n": 0}, 1, lambda on_step: gate.wait(10) and fakes.ConstantModel(torch.ones(1)),
                     fakes.ConstantModel.from_payload, "the first model")  # fmt: skip
    jobs = [_job(name, log) for name in ("draw", "next_word", "dimensionality", "memory")]
    shelf.enqueue(first)
    for job in jobs:
        shelf.enqueue(job)
        shelf.enqueue(job)  # asked twice: still queued once
    shelf.enqueue(jobs[3], front=True)  # a page needs the last one now
    gate.set()
    for job in jobs:
        _wait(shelf, job)
    assert log == ["memory", "draw", "next_word", "dimensionality"]
    assert all(shelf.value(job.key) is not None for job in jobs)
    assert [p.state for _, p in shelf.jobs()] == ["ready"] * 5


def test_progress_reports_steps_losses_and_time_left(cache):
    shelf = ModelShelf(start_worker=False)
    seen = []
    job = _job("watched", [], seconds=0.2)
    original = job.train

    def train(on_step):
        def spy(step, total, loss):
            on_step(step, total, loss)
            seen.append(shelf.progress(job.key))

        return original(spy)

    shelf.build(ModelJob(job.name, job.config, job.version, train, job.restore, job.label))
    assert [p.step for p in seen] == [1, 2, 3, 4] and all(p.state == "training" for p in seen)
    assert seen[-1].losses == [1.0, 0.5, 1 / 3, 0.25]
    assert seen[2].seconds_left is not None and seen[2].seconds_left >= 0
    assert shelf.progress(job.key).state == "ready"


def test_a_failed_training_is_reported_and_the_worker_goes_on(cache):
    log: list[str] = []
    shelf = ModelShelf()
    bad, good = _job("bad", log, fail=True), _job("good", log)
    shelf.enqueue(bad)
    shelf.enqueue(good)
    _wait(shelf, good)
    assert shelf.progress(bad.key).state == "failed" and "boom" in shelf.progress(bad.key).error
    assert shelf.value(good.key) is not None
    shelf.enqueue(bad)  # not retried in a loop
    assert log == ["bad", "good"]


def test_a_model_on_disk_loads_without_training(cache):
    log: list[str] = []
    job = _job("saved", log)
    ModelShelf(start_worker=False).build(job)
    assert log == ["saved"]
    restarted = ModelShelf(start_worker=False)  # a new process: memory empty, disk kept
    assert restarted.load_now(job) is not None and log == ["saved"]


def _page():
    import streamlit as st

    from components import lesson, resources
    from tests.fakes import ConstantModel
    from tests.test_model_shelf import slow_constant

    def model_free():
        st.subheader("Model-free section")

    def needs_model():
        model = resources.shared_model(
            "bg_const", {"v": 1}, 1, train=slow_constant, restore=ConstantModel.from_payload, label="the slow model"
        )
        st.metric("value", float(model.value.sum()))

    def after():
        st.subheader("Section after it")

    lesson.sections(model_free, needs_model, after)


def slow_constant(on_step):
    for step in range(1, 11):
        time.sleep(0.1)
        on_step(step, 10, 1.0 / step)
    return fakes.ConstantModel(torch.full((4,), 3.0))


def test_a_page_shows_its_model_free_sections_and_a_training_panel_then_the_section(cache, monkeypatch):
    monkeypatch.setattr(resources, "BLOCKING", False)
    resources.clear_models()
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert not at.exception, at.exception
    titles = [s.value for s in at.subheader]
    assert titles == ["Model-free section", "Section after it"]  # the section after the model still shows
    assert not at.metric
    assert any("being trained for this server" in m.value for m in at.markdown)
    shelf = resources.get_model_shelf()
    [(job, _)] = [(j, p) for j, p in shelf.jobs() if j.name == "bg_const"]
    _wait(shelf, job)
    at.run()
    assert at.metric[0].value == "12.0"
    assert not any("being trained" in m.value for m in at.markdown)
    resources.clear_models()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the nice value is per thread only on Linux")
def test_the_worker_trains_at_a_lower_priority_than_the_pages(cache):
    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = []

    def train(on_step):
        seen.append(nice())
        return fakes.ConstantModel(torch.ones(1))

    page = nice()
    shelf = ModelShelf()
    job = ModelJob("niced", {"n": 1}, 1, train, fakes.ConstantModel.from_payload, "the niced model")
    shelf.enqueue(job)
    _wait(shelf, job)
    shelf.shutdown()
    assert seen == [min(19, page + training.BACKGROUND_NICENESS)] and nice() == page


def test_ask_for_puts_every_model_a_section_needs_at_the_front_in_order(cache, monkeypatch):
    """A section that needs two models asks for both at once: the second no longer waits behind the warm-up's next
    model (the dimensionality page's linear autoencoder once waited for the digits CNN)."""
    monkeypatch.setattr(resources, "BLOCKING", False)
    resources.clear_models()
    shelf = resources.get_model_shelf()
    log: list[str] = []
    gate = threading.Event()
    busy = ModelJob("busy", {"n": "busy"}, 1, lambda on_step: gate.wait(10) and fakes.ConstantModel(torch.ones(1)),
                    fakes.ConstantModel.from_payload, "the busy model")  # fmt: skip
    shelf.enqueue(busy)
    deadline = time.monotonic() + 10
    while shelf.progress(busy.key).state != "training":  # the worker is busy with it, as with the X/O CNN
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for name in ("next_in_warm_up", "later"):
        shelf.enqueue(_job(name, log))

    def getter(name: str):
        job = _job(name, log)
        return lambda: resources.shared_model(
            name, job.config, 1, train=job.train, restore=job.restore, label=job.label
        )

    resources.ask_for(getter("needed_first"), getter("needed_second"))
    waiting = [job.name for job, progress in shelf.jobs() if progress.state == "waiting"]
    assert waiting == ["needed_first", "needed_second", "next_in_warm_up", "later"]
    assert log == []  # nothing trained or drawn: only queued
    gate.set()
    for job, _ in shelf.jobs():
        _wait(shelf, job)
    assert log == ["needed_first", "needed_second", "next_in_warm_up", "later"]
    resources.ask_for(getter("needed_first"))  # a ready model is left as it is
    assert log.count("needed_first") == 1
    resources.clear_models()


def test_a_model_only_the_warm_up_wanted_is_set_aside_when_a_page_asks_for_another(cache):
    """The warm-up's X/O CNN used to keep a dimensionality student waiting: now the page's model goes first and the
    set-aside one trains again afterwards, once; a model a page asked for is never set aside."""
    log: list[str] = []
    shelf = ModelShelf()
    started = threading.Event()

    def slow_job(name: str) -> ModelJob:
        def train(on_step):
            log.append(name)
            started.set()
            for step in range(1, 201):
                time.sleep(0.01)
                on_step(step, 200, 1.0)
            return fakes.ConstantModel(torch.ones(2))

        return ModelJob(name, {"n": name}, 1, train, fakes.ConstantModel.from_payload, f"the {name} model")

    warm, later = slow_job("warm_up_only"), _job("later", log)
    shelf.enqueue(warm)
    shelf.enqueue(later)
    assert started.wait(10)
    page = _job("page_needs", log)
    shelf.enqueue(page, front=True)  # a student's page asks for another model while the warm-up's one trains
    for job in (page, warm, later):
        _wait(shelf, job)
    assert log == ["warm_up_only", "page_needs", "warm_up_only", "later"]
    assert all(shelf.value(job.key) is not None for job in (page, warm, later))

    log.clear()
    started.clear()
    asked = slow_job("asked")
    shelf.enqueue(asked, front=True)
    assert started.wait(10)
    other = _job("other_page", log)
    shelf.enqueue(other, front=True)
    for job in (asked, other):
        _wait(shelf, job)
    assert log == ["asked", "other_page"]  # the first page's model finished first: it was not set aside

    log.clear()
    late = slow_job("past_half")
    shelf.enqueue(late)
    deadline = time.monotonic() + 10
    while shelf.progress(late.key).step <= 120:  # past SET_ASIDE_BEFORE of its 200 steps
        assert time.monotonic() < deadline
        time.sleep(0.01)
    third = _job("third_page", log)
    shelf.enqueue(third, front=True)
    for job in (late, third):
        _wait(shelf, job)
    assert log == ["past_half", "third_page"]  # finishing it cost less than starting it again


@pytest.mark.parametrize(
    ("page", "needed"),
    [
        ("dimensionality", {"autoencoder", "linear_autoencoder"}),
        ("next_word", {"window", "bow", "rnn", "lstm"}),
        ("text_speech", {"text_cnn", "speech_cnn"}),
    ],
)
def test_a_page_puts_the_models_it_needs_at_the_front_before_its_sections_run(cache, monkeypatch, page, needed):
    """``page_intro(needs=...)``: a student's page is ahead of the warm-up's order from its first run (the
    autoencoders are the dimensionality page's last section, which used to ask for them seconds later)."""
    from components import lesson

    shelf = ModelShelf(start_worker=False)  # nothing trains: only the queue's order is looked at
    monkeypatch.setattr(resources, "get_model_shelf", lambda: shelf)
    monkeypatch.setattr(resources, "BLOCKING", False)
    seen: list[list[str]] = []  # the queue when the page's first section starts
    section = lesson.section

    def first_section(*args, **kwargs):
        if not seen:
            seen.append([job.name for job, _ in shelf.jobs()])
        return section(*args, **kwargs)

    monkeypatch.setattr(lesson, "section", first_section)
    at = AppTest.from_file(f"../pages/{page}.py", default_timeout=60).run()
    assert not at.exception, at.exception
    [order] = seen
    assert set(order[: len(needed)]) == needed, order
    assert len(order) > len(needed)  # the warm-up queued the other defaults behind them


def test_with_the_worker_idle_ask_for_starts_on_the_first_getters_model(cache, monkeypatch):
    monkeypatch.setattr(resources, "BLOCKING", False)
    resources.clear_models()
    shelf = resources.get_model_shelf()
    log: list[str] = []
    jobs = [_job(name, log) for name in ("first", "second", "third")]
    getters = [
        (
            lambda job=job: resources.shared_model(
                job.name, job.config, 1, train=job.train, restore=job.restore, label=job.label
            )
        )
        for job in jobs
    ]
    resources.ask_for(*getters)
    for job in jobs:
        _wait(shelf, job)
    assert log == ["first", "second", "third"]  # not the last enqueued, which the idle worker could have grabbed
    resources.clear_models()
