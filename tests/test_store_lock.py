"""The store's cross-process lock: server processes sharing one weights folder train each model once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from models import store

pytestmark = pytest.mark.skipif(store.fcntl is None, reason="fcntl.flock is Linux/macOS only")
ROOT = Path(__file__).resolve().parents[1]

# One "server process": load the model, or train it (slowly, leaving a marker line) and save it.
WORKER = textwrap.dedent(
    """
    import sys, time, torch
    from models import store
    marker, seconds = sys.argv[1], float(sys.argv[2])
    with store.training_lock("tiny", {"hidden": 3}, 1):
        payload = store.load("tiny", {"hidden": 3}, 1)
        if payload is None:
            with open(marker, "a") as f:
                f.write("training tiny\\n")
            time.sleep(seconds)  # long enough that the other process is certainly waiting
            payload = {"w": torch.full((4,), 7.0)}
            store.save("tiny", {"hidden": 3}, 1, payload)
    print("loaded", float(payload["w"].sum()))
    """
)

# The same through the app's own cache layer, as two `streamlit run` processes would call it.
APP_WORKER = textwrap.dedent(
    """
    import sys, time, torch
    from components import resources
    marker = sys.argv[1]

    class Tiny:
        num_parameters = 4
        def __init__(self, w): self.w = w
        def to_payload(self): return {"w": self.w}

    def train(on_step):
        with open(marker, "a") as f:
            f.write("training tiny\\n")
        time.sleep(1.0)
        return Tiny(torch.full((4,), 7.0))

    model = resources.shared_model("tiny", {"hidden": 3}, 1, train=train,
                                   restore=lambda p: Tiny(p["w"]), label="tiny")
    print("loaded", float(model.w.sum()))
    """
)


def run_together(code: str, cache: Path, marker: Path, *args: str, processes: int = 2) -> list[str]:
    """Start ``processes`` Python processes on one cache folder at once; return their outputs."""
    env = {**os.environ, store.CACHE_ENV: str(cache), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", code, str(marker), *args]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, **pipes) for _ in range(processes)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs


def trainings(marker: Path) -> int:
    return marker.read_text().count("training tiny") if marker.exists() else 0


def test_two_processes_train_once_and_both_load(tmp_path):
    outputs = run_together(WORKER, tmp_path / "cache", tmp_path / "marker", "1.0")
    assert trainings(tmp_path / "marker") == 1
    assert all("loaded 28.0" in out for out in outputs)


def test_a_corrupt_file_is_retrained_once_not_fatal(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(store.CACHE_ENV, str(cache))
    store.weights_path("tiny", {"hidden": 3}, 1).write_bytes(b"not a torch file")
    outputs = run_together(WORKER, cache, tmp_path / "marker", "0.5")
    assert trainings(tmp_path / "marker") == 1
    assert all("loaded 28.0" in out for out in outputs)
    assert torch.equal(store.load("tiny", {"hidden": 3}, 1)["w"], torch.full((4,), 7.0))


def test_shared_model_trains_once_across_processes(tmp_path):
    outputs = run_together(APP_WORKER, tmp_path / "cache", tmp_path / "marker")
    assert trainings(tmp_path / "marker") == 1
    assert all("loaded 28.0" in out for out in outputs)


def test_lock_is_released_after_use_and_on_error(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    with pytest.raises(RuntimeError), store.training_lock("tiny", None, 1):
        raise RuntimeError("training failed")
    started = time.monotonic()
    with store.training_lock("tiny", None, 1, timeout=5) as acquired:
        assert acquired
    assert time.monotonic() - started < 1


def test_a_waiter_is_told_and_gives_up_after_its_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom models import store\n"
         "with store.training_lock('tiny', None, 1):\n    print('held', flush=True)\n    time.sleep(30)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        waited = []
        with store.training_lock("tiny", None, 1, on_wait=lambda: waited.append(1), timeout=0.5) as acquired:
            assert not acquired
        assert waited == [1]
    finally:
        holder.kill()
        holder.wait()
    with store.training_lock("tiny", None, 1, timeout=5) as acquired:  # a dead holder's lock is gone
        assert acquired


def test_clear_keeps_lock_files(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    with store.training_lock("tiny", None, 1):
        store.save("tiny", None, 1, {"w": torch.ones(1)})
    assert store.clear() == 1
    assert store.lock_path("tiny", None, 1).exists()  # deleting a held lock file would let a second trainer in
