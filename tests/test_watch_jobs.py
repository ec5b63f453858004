"""Per-user jobs (components.watch_jobs): "Retrain with…" and "train on your own text", watched as they learn."""

import os
import sys
import threading
import time
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from components.watch_jobs import WatchBusy, WatchJob, WatchJobs, WatchPart
from models import training

_X = torch.cat([torch.randn(100, 2, generator=torch.Generator().manual_seed(0)) + 3, torch.randn(100, 2)])
_Y = torch.cat([torch.ones(100, dtype=torch.long), torch.zeros(100, dtype=torch.long)])


@dataclass
class Fitted:
    """A tiny trained model: a network and its history, like the lab's classifiers."""

    net: nn.Module
    history: training.History

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.net(x).argmax(dim=-1)


def _linear_part(name: str = "net", *, epochs: int = 400, delay: float = 0.002, log: list | None = None) -> WatchPart:
    """A linear classifier on two blobs that learns for ``epochs`` epochs, ``delay`` seconds per step."""

    def train_fn(on_step):
        if log is not None:
            log.append(name)
        torch.manual_seed(0)
        net = nn.Linear(2, 2)

        def slow(step, total, loss):
            time.sleep(delay)
            on_step(step, total, loss)

        history = training.train(net, _X, _Y, epochs=epochs, batch_size=50, learning_rate=0.1, val=(_X, _Y),
                                 on_step=slow)  # fmt: skip
        return Fitted(net, history)

    return WatchPart(
        name,
        f"the {name} model",
        train_fn,
        snapshot=lambda epoch, net, history: Fitted(training.snapshot(net), training.History().extend(history)),
        measure=lambda model: {"accuracy": model.history.val_accuracy[-1]},
    )


def _until(condition, timeout: float = 20.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_job_hands_out_a_snapshot_after_every_epoch_and_stop_keeps_a_usable_model():
    job = WatchJob("linear", "the linear model", [_linear_part()]).start()
    _until(lambda: len(job.view().epochs) >= 3 and job.view().epochs[-1].metrics["accuracy"] > 0.9, 60, "learning")
    view = job.view()
    assert view.state == "training" and view.running and view.value is None
    assert [p.epoch for p in view.epochs[:3]] == [1, 2, 3] and all("accuracy" in p.metrics for p in view.epochs)
    live = view.models["net"]
    assert live.predict(_X).shape == (200,), "the latest snapshot is a model that predicts"
    job.stop()
    assert job.join(10) and not job.alive
    stopped = job.view()
    assert stopped.state == "stopped" and stopped.reason == "stop" and stopped.done
    model = stopped.value["net"]
    assert model.history.step_loss and len(model.history.loss) < 400, "stopped long before its 400 epochs"
    assert (model.predict(_X) == _Y).float().mean() > 0.85, "the stopped model is usable: it has learned the blobs"
    assert torch.equal(stopped.value["net"].net.weight, model.net.weight)
    points = len(stopped.epochs)
    time.sleep(0.1)
    assert len(job.view().epochs) == points, "nothing trains after a stop"


def test_the_time_cap_ends_a_job_that_nobody_stops():
    job = WatchJob("capped", "the capped model", [_linear_part()], max_seconds=0.5).start()
    assert job.join(10), "the thread ended by itself"
    view = job.view()
    assert view.state == "stopped" and view.reason == "time" and view.done
    assert view.finished - view.started < 5


def test_later_parts_after_a_stop_are_built_untrained_and_every_part_is_usable():
    log: list[str] = []
    job = WatchJob("two", "two models", [_linear_part("first", log=log), _linear_part("second", log=log)]).start()
    _until(lambda: job.view().epochs, what="an epoch")
    job.stop()
    assert job.join(10)
    view = job.view()
    assert log == ["first", "second"] and set(view.value) == {"first", "second"}
    assert view.value["second"].history.step_loss == [], "the second part never took a step"
    assert view.value["second"].predict(_X).shape == (200,)


def test_a_duplicate_request_joins_the_running_job_and_nothing_trains_twice():
    log: list[str] = []
    jobs = WatchJobs(max_entries=3, ttl_seconds=60)
    first = jobs.request("same", "the model", [_linear_part(log=log, epochs=30)])
    again = jobs.request("same", "the model", [_linear_part(log=log, epochs=30)])
    assert first.key == again.key and jobs.keys() == ["same"]
    _until(lambda: jobs.get("same").state == "ready", what="the job to finish")
    jobs.request("same", "the model", [_linear_part(log=log, epochs=30)], restart_stopped=True)  # ready: reused
    assert log == ["net"]
    assert jobs.get("same").value["net"].predict(_X).shape == (200,)


def test_jobs_are_bounded_evicting_a_running_one_stops_its_thread(monkeypatch):
    jobs = WatchJobs(max_entries=2, ttl_seconds=60)
    for key in ("a", "b"):
        jobs.request(key, key, [_linear_part()])
    with pytest.raises(WatchBusy):  # both train and are being watched: no room, and a clear reason
        jobs.request("c", "c", [_linear_part()])
    monkeypatch.setattr("components.watch_jobs.ABANDONED_SECONDS", 0.0)  # nobody has looked at "a" since
    time.sleep(0.05)
    jobs.get("b")
    jobs.request("c", "c", [_linear_part()])
    assert sorted(jobs.keys()) == ["b", "c"] and jobs.get("a") is None
    _until(lambda: not any(t.name == "lab-watch-a" for t in threading.enumerate()), 10, "a's thread to end")
    jobs.clear()
    _until(lambda: jobs.threads_alive() == 0, 10, "every job thread to end")


def test_a_job_nobody_looks_at_is_forgotten_after_its_ttl_and_its_thread_ends():
    jobs = WatchJobs(max_entries=4, ttl_seconds=0.3)
    jobs.request("left", "a session that left", [_linear_part()])
    _until(lambda: any(t.name == "lab-watch-left" for t in threading.enumerate()), 5, "the thread to start")
    time.sleep(0.4)
    assert jobs.get("left") is None
    _until(lambda: jobs.threads_alive() == 0, 10, "the thread to end")


def test_at_most_max_running_jobs_train_at_once_the_rest_wait_their_turn():
    jobs = WatchJobs(max_entries=4, ttl_seconds=60, max_running=1)
    jobs.request("one", "one", [_linear_part(epochs=20)])
    jobs.request("two", "two", [_linear_part(epochs=20)])
    assert jobs.get("two").state == "waiting"
    _until(lambda: jobs.get("two").state == "ready", what="the second job")
    one, two = jobs.get("one"), jobs.get("two")
    assert one.finished <= two.started


def test_a_blocking_request_trains_in_the_calling_thread_and_a_failure_is_reported():
    jobs = WatchJobs(max_entries=4, ttl_seconds=60)
    steps = []
    view = jobs.request(
        "here", "here", [_linear_part(epochs=3, delay=0)], blocking=True, on_step=lambda *a: steps.append(a)
    )
    assert view.state == "ready" and len(view.epochs) == 3 and steps and jobs.threads_alive() == 0

    def boom(on_step):
        raise ValueError("the text has no words")

    failed = jobs.request("bad", "bad", [WatchPart("net", "bad", boom)], blocking=True)
    assert failed.state == "failed" and "no words" in failed.error and failed.value is None


def test_a_real_cnn_snapshot_reports_its_test_accuracy_and_kernels_and_the_stopped_model_predicts():
    from models import cnn, cnn_training, drawing, watching

    config = cnn.default_config("digits", channels=(4, 8, 16), epochs=6)
    part = WatchPart(
        "cnn",
        "your digits CNN",
        lambda on_step: cnn_training.train_classifier("digits", on_step=on_step, channels=(4, 8, 16), epochs=6),
        snapshot=lambda epoch, net, history: watching.classifier_snapshot(config, net, history),
        measure=lambda model: {"test accuracy": model.test_accuracy},
    )
    job = WatchJob("digits", "your digits CNN", [part]).start()
    _until(lambda: len(job.view().epochs) >= 2, 60, "two epochs")
    job.stop()
    assert job.join(30)
    view = job.view()
    snapshot_accuracy = [p.metrics["test accuracy"] for p in view.epochs]
    model = view.value["cnn"]
    assert snapshot_accuracy == model.history.val_accuracy[: len(snapshot_accuracy)], "charted = measured"
    assert model.kernels().shape[0] == 4 and 0.0 < model.test_accuracy <= 1.0
    probs = model.predict_proba(drawing.example_drawing("digits", "7"))
    assert probs is not None and abs(sum(probs.values()) - 1) < 1e-6


def test_a_language_snapshot_reads_prompts_with_the_vocabulary_it_is_trained_on(small_text):
    from models import language, watching

    run = watching.prepare_language_run(small_text, "rnn")
    epochs = []

    def on_epoch(epoch, net, history):
        epochs.append(watching.language_snapshot(run, net, history))

    with training.watching(on_epoch=on_epoch):
        model = language.train_language_model(small_text, "rnn", epochs=2)
    assert run.vocab.itos == model.vocab.itos, "the snapshot's vocabulary is the trainer's"
    assert len(epochs) == 2 and epochs[-1].heldout_perplexity == pytest.approx(model.heldout_perplexity)
    assert epochs[0].heldout_perplexity > epochs[-1].heldout_perplexity, "it learns between epochs"
    assert epochs[0].predict_next("the dog", 3) and epochs[0].key != epochs[-1].key


def test_shutdown_stops_every_job_and_waits_for_its_thread():
    jobs = WatchJobs(max_entries=4, ttl_seconds=60)
    jobs.request("one", "one", [_linear_part()])
    jobs.request("two", "two", [_linear_part()])
    _until(lambda: jobs.get("one").state == "training", 10, "the first job to start")
    jobs.shutdown(wait=10)
    assert jobs.threads_alive() == 0 and jobs.keys() == []


def test_the_watching_panel_says_where_a_job_stands():
    from components.training_panel import describe_job
    from components.watch_jobs import JobView

    parts, labels = ("window", "lstm"), ("the window model", "the LSTM model")
    assert "waiting its turn" in describe_job(JobView("k", "yours", parts, labels))
    training = JobView("k", "yours", parts, labels, state="training", part="lstm", step=3, total=10,
                       started=time.monotonic() - 6)  # fmt: skip
    said = describe_job(training)
    assert said.startswith("model 2 of 2, the LSTM model: step 3 of 10") and "s left" in said
    assert training.fraction == pytest.approx(0.65)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the nice value is per thread only on Linux")
def test_a_job_in_the_background_trains_at_a_lower_priority_and_a_blocking_one_does_not():
    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = []

    def train(on_step):
        seen.append(nice())
        return _linear_part(epochs=1, delay=0).train(on_step)

    page = nice()
    jobs = WatchJobs(max_entries=4, ttl_seconds=60)
    jobs.request("background", "background", [WatchPart("net", "net", train)])
    _until(lambda: jobs.get("background").state == "ready", what="the background job")
    jobs.request("here", "here", [WatchPart("net", "net", train)], blocking=True)
    assert seen == [min(19, page + training.BACKGROUND_NICENESS), page] and nice() == page
