"""The shared training loop: it learns, it is deterministic, it reports progress and clips gradients."""

import math
import os
import sys
import threading

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from models import training
from models.training import History, count_parameters, evaluate, seed_everything, train, train_in_phases


def blobs(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) + 3 * y[:, None].float()
    return x, y


def test_learns_a_separable_problem_and_reports_every_step():
    x, y = blobs()
    seed_everything(0)
    model = nn.Linear(2, 2)
    calls = []
    history = train(
        model, x, y, epochs=5, batch_size=32, learning_rate=0.1, val=(x, y), on_step=lambda *a: calls.append(a)
    )
    assert [c[0] for c in calls] == list(range(1, 5 * math.ceil(200 / 32) + 1))
    assert all(total == calls[-1][0] for _, total, _ in calls)
    assert len(history.loss) == len(history.accuracy) == len(history.val_accuracy) == 5
    assert history.val_accuracy[-1] > 0.95
    assert history.loss[-1] < history.loss[0]
    assert not model.training and next(model.parameters()).device.type == "cpu"


def test_same_seed_same_weights():
    x, y = blobs()
    weights = []
    for _ in range(2):
        seed_everything(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        train(model, x, y, epochs=2, seed=7)
        weights.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])


def test_clipping_caps_the_update_but_records_the_raw_norm():
    x, y = blobs()
    seed_everything(0)
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.mul_(100)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    # One plain SGD step with learning rate 1: the step taken is exactly the (clipped) gradient.
    history = train(model, x, y, epochs=1, batch_size=len(y), optimizer="sgd", learning_rate=1.0, clip_grad_norm=0.5)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert history.grad_norm[0] > 0.5, "raw norms are recorded before clipping"
    assert torch.linalg.vector_norm(after - before).item() == pytest.approx(0.5, rel=1e-4), "the step is clipped"


def test_phases_make_one_history_and_one_progress_count():
    x, y = blobs()
    seed_everything(0)
    calls = []
    phases = [{"epochs": 2, "learning_rate": 0.1}, {"epochs": 0}, {"epochs": 1, "learning_rate": 0.01, "seed": 1}]
    history = train_in_phases(
        nn.Linear(2, 2), x, y, phases, batch_size=50, val=(x, y), on_step=lambda *a: calls.append(a)
    )
    assert [c[0] for c in calls] == list(range(1, 13)) and {c[1] for c in calls} == {12}
    assert len(history.loss) == len(history.val_accuracy) == 3 and len(history.step_loss) == 12
    first = train(nn.Linear(2, 2), x, y, epochs=1)
    merged = History().extend(first).extend(first)
    assert merged.loss == first.loss * 2 and merged.seconds == pytest.approx(2 * first.seconds)


def test_regression_and_multiple_inputs():
    class Add(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 1)

        def forward(self, a, b):
            return self.lin(torch.cat([a, b], dim=1)).squeeze(1)

    a, b = torch.randn(64, 1), torch.randn(64, 1)
    target = (a + b).squeeze(1)
    history = train(Add(), (a, b), target, epochs=60, learning_rate=0.05, loss_fn=F.mse_loss, classification=False)
    assert history.accuracy == [] and history.loss[-1] < 0.05


def test_history_round_trip_and_helpers():
    h = History(loss=[1.0], accuracy=[0.5], seconds=2.0)
    assert History.from_dict(h.to_dict()) == h
    model = nn.Linear(3, 2)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())
    x, y = blobs(10)
    loss, acc = evaluate(nn.Linear(2, 2), x, y)
    assert loss > 0 and 0 <= acc <= 1


def test_bad_arguments():
    x, y = blobs(10)
    with pytest.raises(ValueError, match="epochs"):
        train(nn.Linear(2, 2), x, y, epochs=0)
    with pytest.raises(ValueError, match="empty"):
        train(nn.Linear(2, 2), x[:0], y[:0], epochs=1)
    with pytest.raises(ValueError, match="optimizer"):
        train(nn.Linear(2, 2), x, y, epochs=1, optimizer="lbfgs")
    with pytest.raises(ValueError, match="classification=False"):
        train(nn.Linear(2, 2), x, y, epochs=1, objective=lambda model, xb, yb: model(*xb).sum())


def test_an_objective_replaces_the_loss_of_the_output_and_validation_keeps_loss_fn():
    """The same weights as training on ``loss_fn(model(x), y)`` when the objective computes that very loss."""
    x, y = blobs()
    runs = []
    for objective in (None, lambda model, xb, yb: F.cross_entropy(model(*xb), yb)):
        seed_everything(0)
        model = nn.Linear(2, 2)
        history = train(model, x, y, epochs=2, classification=False, val=(x, y), objective=objective)
        runs.append((model.weight.detach().clone(), history))
    assert torch.equal(runs[0][0], runs[1][0])
    assert runs[0][1].loss == runs[1][1].loss and runs[0][1].val_loss == runs[1][1].val_loss


# --- watching a model learn: per-epoch snapshots and a stop flag (engineer "watch") -----------------------------
# The hooks background jobs use: ``on_epoch(epoch, model, history)`` after every epoch, ``should_stop()`` before
# every step, and the ``watching`` block for trainers that do not pass them on.


def test_on_epoch_hands_out_the_model_after_every_epoch_and_a_snapshot_keeps_it():
    from models.training import snapshot

    x, y = blobs()
    seed_everything(0)
    model = nn.Linear(2, 2)
    seen = []

    def on_epoch(epoch, net, history):
        assert not net.training, "the network is handed out in eval mode"
        seen.append((epoch, snapshot(net), list(history.val_accuracy)))

    history = train(model, x, y, epochs=3, batch_size=50, learning_rate=0.1, val=(x, y), on_epoch=on_epoch)
    assert [e for e, _, _ in seen] == [1, 2, 3]
    assert [len(v) for _, _, v in seen] == [1, 2, 3] and seen[-1][2] == history.val_accuracy
    first, last = seen[0][1], seen[-1][1]
    assert not torch.equal(first.weight, last.weight), "each snapshot is a copy, frozen at its epoch"
    assert torch.equal(last.weight, model.weight), "the last snapshot is the trained model"
    _, accuracy = evaluate(first, x, y)
    assert accuracy == pytest.approx(seen[0][2][0]), "a snapshot predicts like the model did at its epoch"


def test_should_stop_ends_training_between_steps_and_keeps_a_usable_model():
    x, y = blobs()
    seed_everything(0)
    model = nn.Linear(2, 2)
    steps = []
    history = train(
        model, x, y, epochs=5, batch_size=20, learning_rate=0.1, val=(x, y), on_step=lambda s, *_: steps.append(s),
        should_stop=lambda: len(steps) >= 13,
    )  # fmt: skip
    assert steps == list(range(1, 14)), "stopped before step 14, after the 13 steps it was allowed"
    assert len(history.step_loss) == 13
    assert len(history.loss) == len(history.val_accuracy) == 1, "10 steps per epoch: one complete epoch"
    assert not model.training and next(model.parameters()).device.type == "cpu"
    assert model(x).shape == (200, 2)
    stopped_at_once = train(nn.Linear(2, 2), x, y, epochs=2, should_stop=lambda: True)
    assert stopped_at_once.step_loss == [] and stopped_at_once.loss == []


def test_phases_count_epochs_across_phases_and_a_stop_skips_the_rest():
    x, y = blobs()
    seed_everything(0)
    epochs = []
    phases = [{"epochs": 2, "learning_rate": 0.1}, {"epochs": 2, "learning_rate": 0.01}]
    history = train_in_phases(
        nn.Linear(2, 2), x, y, phases, batch_size=50, val=(x, y),
        on_epoch=lambda e, net, h: epochs.append((e, len(h.loss))),
    )  # fmt: skip
    assert epochs == [(1, 1), (2, 2), (3, 3), (4, 4)] and len(history.loss) == 4
    calls = []
    stopped = train_in_phases(
        nn.Linear(2, 2), x, y, phases, batch_size=50, on_step=lambda *a: calls.append(a),
        should_stop=lambda: len(calls) >= 9,
    )  # fmt: skip
    assert len(calls) == 9 and len(stopped.loss) == 2, "stopped in the second phase, after its first step"


def test_watching_reaches_trainers_that_do_not_pass_the_hooks_on():
    import threading

    from models.training import watching

    x, y = blobs()

    def someone_elses_trainer():  # like train_classifier: it calls train() without on_epoch or should_stop
        return train(nn.Linear(2, 2), x, y, epochs=4, batch_size=50)

    epochs = []
    with watching(on_epoch=lambda e, net, h: epochs.append(e), should_stop=lambda: len(epochs) >= 2):
        history = someone_elses_trainer()
    assert epochs == [1, 2] and len(history.loss) == 2
    assert len(someone_elses_trainer().loss) == 4, "outside the block nothing watches"
    result = {}
    worker = threading.Thread(target=lambda: result.update(h=someone_elses_trainer()))
    with watching(should_stop=lambda: True):
        worker.start()
        worker.join()
    assert len(result["h"].loss) == 4, "the block belongs to its thread"


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the nice value is per thread only on Linux")
def test_a_background_thread_lowers_only_its_own_priority():
    main, seen = _nice(), {}

    def background():
        seen["returned"] = training.lower_thread_priority()
        seen["nice"] = _nice()
        seen["again"] = training.lower_thread_priority(50)  # never past 19

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    assert seen["returned"] == seen["nice"] == min(19, main + training.BACKGROUND_NICENESS)
    assert seen["again"] == 19
    assert _nice() == main  # the calling (page) thread keeps its priority
