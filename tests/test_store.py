"""The weights store: atomic saves, safe loads, and damaged files treated as missing."""

import logging
from dataclasses import dataclass

import pytest
import torch

from models import store


@dataclass(frozen=True)
class TinyConfig:
    hidden: int = 3  # a field, so that configs hash differently


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_round_trip_keeps_tensors_and_plain_data(cache):
    payload = {"state": {"w": torch.arange(6.0).reshape(2, 3)}, "labels": ["X", "O"], "history": {"loss": [1.0, 0.5]}}
    path = store.save("tiny", TinyConfig(), 1, payload, seconds=1.25, parameters=6)
    assert path.parent == cache and path.suffix == ".pt"
    loaded = store.load("tiny", TinyConfig(), 1)
    assert torch.equal(loaded["state"]["w"], payload["state"]["w"])
    assert loaded["labels"] == ["X", "O"] and loaded["history"] == {"loss": [1.0, 0.5]}
    [listed] = store.list_cached()
    assert (listed.name, listed.version, listed.parameters, listed.seconds) == ("tiny", 1, 6, 1.25)


def test_key_depends_on_config_and_version(cache):
    keys = {
        store.model_key("m", TinyConfig(3), 1),
        store.model_key("m", TinyConfig(4), 1),
        store.model_key("m", TinyConfig(3), 2),
    }
    assert len(keys) == 3
    assert store.model_key("m", TinyConfig(3), 1) == store.model_key("m", TinyConfig(3), 1)


def test_missing_file_is_none(cache):
    assert store.load("nothing", None, 1) is None


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_file_is_missing_with_a_warning(cache, caplog, damage):
    path = store.save("tiny", TinyConfig(), 1, {"w": torch.randn(100, 100)})
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a torch file", "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="lab.store"):
        assert store.load("tiny", TinyConfig(), 1) is None
    assert "retrained" in caplog.text


def test_old_version_file_is_not_loaded(cache, caplog):
    path = store.save("tiny", TinyConfig(), 1, {"w": torch.zeros(1)})
    path.rename(store.weights_path("tiny", TinyConfig(), 2))  # same key scheme, wrong version inside
    with caplog.at_level(logging.WARNING, logger="lab.store"):
        assert store.load("tiny", TinyConfig(), 2) is None
    assert "stale" in caplog.text


def test_pickled_objects_are_refused(cache):
    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    path = store.weights_path("tiny", TinyConfig(), 1)
    torch.save({"meta": "{}", "payload": Evil()}, path)
    assert store.load("tiny", TinyConfig(), 1) is None


def test_interrupted_save_leaves_the_old_file_intact(cache, monkeypatch):
    store.save("tiny", TinyConfig(), 1, {"w": torch.ones(3)})

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # killed mid-write

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(torch, "save", crash)
        store.save("tiny", TinyConfig(), 1, {"w": torch.zeros(3)})
    assert torch.equal(store.load("tiny", TinyConfig(), 1)["w"], torch.ones(3))
    assert not list(cache.glob("*.tmp"))


def test_cache_folder_deleted_mid_run_is_recreated(cache):
    store.save("tiny", TinyConfig(), 1, {"w": torch.ones(1)})
    for p in cache.iterdir():
        p.unlink()
    cache.rmdir()
    assert store.load("tiny", TinyConfig(), 1) is None
    store.save("tiny", TinyConfig(), 1, {"w": torch.ones(1)})
    assert store.load("tiny", TinyConfig(), 1) is not None


def test_clear_removes_everything(cache):
    store.save("a", None, 1, {"w": torch.ones(1)})
    store.save("b", None, 1, {"w": torch.ones(1)})
    assert store.clear() == 2
    assert store.list_cached() == []


def test_weights_of_another_model_version_are_dropped_with_a_warning(cache, caplog):
    store.save("tiny", TinyConfig(), 1, {"w": torch.zeros(1)})
    store.save("tiny_other", TinyConfig(), 1, {"w": torch.zeros(1)})  # another model: left alone
    with caplog.at_level(logging.WARNING, logger="lab.store"):
        assert store.load("tiny", TinyConfig(), 2) is None
    assert "version 1, not 2" in caplog.text and "retrained" in caplog.text
    assert [m.name for m in store.list_cached()] == ["tiny_other"]
