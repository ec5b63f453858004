"""The cache layer: train once, then memory, then disk; damaged files retrain with a warning; one training at a time."""

import logging
import threading
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from components import resources
from components.model_shelf import ModelJob, ModelShelf
from models import store
from tests import fakes


def _script():
    import streamlit as st

    from components import resources
    from tests.fakes import ConstantModel, train_constant

    model = resources.shared_model(
        "const", {"value": 3}, 1, train=train_constant, restore=ConstantModel.from_payload, label="the constant model"
    )
    st.metric("value", float(model.value.sum()))


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.levelname} {record.getMessage()}")


@pytest.fixture
def lab_log():
    handler = _Lines()
    logging.getLogger("lab").addHandler(handler)
    yield handler.lines
    logging.getLogger("lab").removeHandler(handler)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    resources.clear_models()
    fakes.TRAINED["count"] = 0
    yield tmp_path
    resources.clear_models()


def _run() -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "12.0"
    return at


def test_trains_once_then_memory_then_disk(fresh, lab_log):
    _run()
    assert fakes.TRAINED["count"] == 1
    assert [line for line in lab_log if "training" in line] == ["INFO training const"]
    _run()  # same process: from memory
    assert fakes.TRAINED["count"] == 1
    resources.get_model_shelf().clear()  # a restart: memory gone, disk kept
    _run()
    assert fakes.TRAINED["count"] == 1
    [cached] = resources.cached_models()
    assert cached.name == "const" and cached.parameters == 4


@pytest.mark.parametrize("damage", ["truncate", "delete_folder"])
def test_damaged_weights_retrain_with_a_warning(fresh, lab_log, damage):
    _run()
    path = store.weights_path("const", {"value": 3}, 1)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:20])
    else:
        for p in fresh.iterdir():
            p.unlink()
        fresh.rmdir()
    resources.get_model_shelf().clear()
    _run()
    assert fakes.TRAINED["count"] == 2
    if damage == "truncate":
        assert any(line.startswith("WARNING") and "retrained" in line for line in lab_log)
    assert store.load("const", {"value": 3}, 1) is not None


def test_clear_models_forgets_memory_and_disk(fresh):
    _run()
    assert resources.clear_models() == 1
    _run()
    assert fakes.TRAINED["count"] == 2


def test_concurrent_sessions_build_once(fresh):
    shelf = ModelShelf(start_worker=False)
    builds = []

    def train(on_step):
        builds.append(1)
        time.sleep(0.3)
        return fakes.ConstantModel(torch.zeros(2))

    job = ModelJob("slow", {"n": 1}, 1, train, fakes.ConstantModel.from_payload, "the slow model")
    results = []
    threads = [threading.Thread(target=lambda: results.append(shelf.build(job))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == [1] and len(results) == 8 and len({id(r) for r in results}) == 1


def test_custom_models_are_separate_and_bounded(fresh):
    for i in range(resources.CUSTOM_MAX_ENTRIES + 3):
        resources.custom_model(f"text-{i}", "a custom model", fakes.train_constant)
    assert fakes.TRAINED["count"] == resources.CUSTOM_MAX_ENTRIES + 3
    assert store.list_cached() == []  # never written to disk
    resources.custom_model("text-0", "a custom model", fakes.train_constant)  # evicted long ago: retrains
    assert fakes.TRAINED["count"] == resources.CUSTOM_MAX_ENTRIES + 4
