"""A process that exits while the background worker trains a model exits cleanly (exit code 0).

A daemon thread killed inside a torch kernel at exit aborts the whole process ("terminate called without an
active exception", exit code 134): under pytest that is a failed test run although every test passed.
"""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from components.model_shelf import ModelJob, ModelShelf

ROOT = Path(__file__).resolve().parent.parent


def _endless(on_step):
    """A training run that never ends by itself (one step at a time, like the real ones)."""
    step = 0
    while True:
        step += 1
        on_step(step, 10**9, 1.0)
        time.sleep(0.01)


def test_shutdown_stops_the_worker_at_its_next_step(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    shelf = ModelShelf()
    job = ModelJob("endless", {"n": 1}, 1, _endless, lambda payload: None, "an endless model")
    shelf.enqueue(job)
    deadline = time.monotonic() + 10
    while shelf.progress(job.key).step < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert shelf.progress(job.key).state == "training"
    shelf.shutdown(wait=5)
    stopped_at = shelf.progress(job.key).step
    time.sleep(0.3)  # the endless run took a step every 10 ms: it would be 30 steps further on
    assert shelf.progress(job.key).step == stopped_at, "the worker still trains after shutdown"
    shelf.enqueue(job)  # after shutdown nothing starts again
    time.sleep(0.3)
    assert shelf.progress(job.key).step == stopped_at
    assert shelf.progress(job.key).state != "ready"


def test_a_process_that_exits_mid_training_exits_with_code_0(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, time, torch
        os.environ["LAB_CACHE_DIR"] = {str(tmp_path)!r}
        from components.model_shelf import ModelJob, ModelShelf

        def train(on_step):
            net = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256))
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            for step in range(10**9):
                loss = net(torch.randn(512, 256)).pow(2).mean()
                opt.zero_grad(); loss.backward(); opt.step()
                on_step(step + 1, 10**9, float(loss))

        shelf = ModelShelf()
        job = ModelJob("busy", {{"n": 1}}, 1, train, lambda payload: None, "a busy model")
        shelf.enqueue(job)
        while shelf.progress(job.key).step < 5:
            time.sleep(0.05)
        print("exiting while it trains", flush=True)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "exiting while it trains" in done.stdout, done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
