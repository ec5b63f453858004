"""Through time: LSTM gates, gradients along h_t and c_t, spectral radius, and the exploding-gradient run."""

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import through_time as TT
from models.vocabulary import tokenize

SLIDE = "This morning I took my dog for a walk."


# --- looking inside: checked against torch ---------------------------------------------------------------------
def test_lstm_gates_match_torch_lstm(trained):
    model = trained["lstm"]
    trace = TT.lstm_gates(model, SLIDE)
    for gate in (trace.forget, trace.input, trace.output):
        assert gate.min() >= 0 and gate.max() <= 1
    assert np.abs(trace.candidate).max() <= 1
    c_prev = np.vstack([np.zeros((1, trace.cell.shape[1])), trace.cell[:-1]])
    assert np.allclose(trace.cell, trace.forget * c_prev + trace.input * trace.candidate, atol=1e-6)
    assert np.allclose(trace.hidden, trace.output * np.tanh(trace.cell), atol=1e-6)
    ids = torch.tensor([model.vocab.encode(trace.tokens)])
    with torch.no_grad():
        out, (_, c_n) = model.network.rnn(model.network.embed(ids))
    assert np.allclose(trace.hidden, out[0].numpy(), atol=1e-5)
    assert np.allclose(trace.cell[-1], c_n[0, 0].numpy(), atol=1e-5)
    assert len(trace.busiest_units(10)) == 10
    with pytest.raises(ValueError):
        TT.lstm_gates(trained["rnn"], SLIDE)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_gradient_norms_match_autograd_through_torch_layers(trained, kind):
    model = trained[kind]
    trace = TT.gradient_norms(model, SLIDE)
    tokens, norms = trace.tokens, trace.hidden
    ids = model.vocab.encode([*tokens, tokenize(SLIDE)[-1]])
    # Reference: torch's own layer, one step at a time, so every h_t is a leaf we can ask for its gradient.
    layer, x = model.network.rnn, model.network.embed(torch.tensor(ids[:-1])).detach()
    h = torch.zeros(1, 1, layer.hidden_size)
    c = torch.zeros(1, 1, layer.hidden_size)
    states, cells = [], []
    for t in range(len(x)):
        if kind == "rnn":
            _, h = layer(x[t].view(1, 1, -1), h)
        else:
            _, (h, c) = layer(x[t].view(1, 1, -1), (h, c))
            cells.append((h.detach(), c.detach()))
        h.retain_grad()
        states.append(h)
    F.cross_entropy(model.network.out(h[0]), torch.tensor([ids[-1]])).backward()
    model.network.zero_grad(set_to_none=True)
    expected = np.array([float(s.grad.norm()) for s in states])
    assert np.allclose(norms, expected, rtol=1e-4, atol=1e-9)
    if kind == "lstm":
        # ∂L/∂c_t in full: c_t reaches the loss through h_t = o_t ⊙ tanh(c_t) and through the later steps,
        # which torch's own layer runs from (h_t(c), c).
        for t in (0, len(x) // 2, len(x) - 1):
            h_t, c_t = cells[t]
            o_t = h_t / torch.tanh(c_t)
            c_leaf = c_t.clone().requires_grad_(True)
            h_leaf = o_t * torch.tanh(c_leaf)
            if t + 1 < len(x):
                out, _ = layer(x[t + 1 :].unsqueeze(0), (h_leaf, c_leaf))
                h_leaf = out[:, -1]
            F.cross_entropy(model.network.out(h_leaf.reshape(1, -1)), torch.tensor([ids[-1]])).backward()
            model.network.zero_grad(set_to_none=True)
            assert math.isclose(trace.cell[t], float(c_leaf.grad.norm()), rel_tol=1e-3, abs_tol=1e-9), t
        with torch.no_grad():
            gates = x @ layer.weight_ih_l0.T + layer.bias_ih_l0 + layer.bias_hh_l0  # only for the first step's f
        h0 = layer.hidden_size
        assert np.allclose(trace.forget[0], torch.sigmoid(gates[0, h0 : 2 * h0]).numpy(), atol=1e-6)
        assert math.isclose(trace.kept_by_forget_gates(), trace.forget[1:].prod(axis=0).max())
    else:
        assert trace.cell is None
        with pytest.raises(ValueError):
            trace.kept_by_forget_gates()


def test_spectral_radius_controls_vanishing(trained):
    model = trained["rnn"]
    w = torch.randn(6, 6)
    assert math.isclose(float(torch.linalg.eigvals(TT.scale_spectral_radius(w, 0.7)).abs().max()), 0.7, rel_tol=1e-4)
    sentence = "This morning I took my dog for a walk in the park and then we went home for breakfast"
    small = TT.gradient_norms(model, sentence, spectral_radius=0.25).hidden
    assert small[0] < 1e-4 * small[-1]  # vanishing: the first step hears almost nothing
    big = TT.gradient_norms(model, sentence, spectral_radius=2.0).hidden
    assert big[0] / big[-1] > small[0] / small[-1]
    with pytest.raises(ValueError):
        TT.gradient_norms(trained["lstm"], sentence, spectral_radius=2.0)
    with pytest.raises(ValueError):
        TT.gradient_norms(trained["window"], sentence)


def test_exploding_run_records_norms_before_clipping(small_text):
    config = TT.ExplodingConfig(steps=6, batch_size=4, seq_len=24)
    free = TT.exploding_gradient_run(small_text, clip=None, config=config)
    clipped = TT.exploding_gradient_run(small_text, clip=0.5, config=config)
    assert len(free.grad_norm) == len(clipped.grad_norm) == 6
    assert free.grad_norm[0] == clipped.grad_norm[0] > 0.5  # same start; the record is before clipping
    assert free.step_loss[0] == clipped.step_loss[0]


def test_recurrent_weight_norms_grow_above_one_and_shrink_below(trained):
    model = trained["rnn"]
    sentence = "This morning I took my dog for a walk in the park and then we went home"
    trace = TT.gradient_norms(model, sentence)
    tokens, real = trace.tokens, trace.hidden
    for radius, grows in ((0.5, False), (1.5, True)):
        norms = TT.recurrent_weight_norms(model, sentence, radius)
        assert len(norms) == len(tokens) and math.isclose(norms[-1], real[-1], rel_tol=1e-4)
        assert (norms[0] > norms[-1]) == grows


def test_run_summary_reads_the_history():
    history = TT.History(step_loss=[5.0, 4.0, 6.0, 3.0], grad_norm=[1.0, 10.0, 0.2, 3.0])
    run = TT.summarise_run(history, learning_rate=2.0, clip=0.5)
    assert (run.start_loss, run.highest_loss, run.largest_norm) == (5.0, 6.0, 10.0)
    assert run.largest_step == 1.0 and run.steps_above_start == 1
    assert TT.summarise_run(history, learning_rate=2.0, clip=None).largest_step == 20.0
    assert TT.first_to_last(np.array([1e-3, 1.0, 2.0])) == 5e-4
