"""Through time: LSTM gates, gradients along h_t and c_t, spectral radius, and the exploding-gradient run."""

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from models import language as L
from models import through_time as TT
from models.corpus import read_corpus, split_paragraphs

SLIDE = "This morning I took my dog for a walk."


@pytest.fixture(scope="module")
def small_text() -> str:
    return "\n\n".join(split_paragraphs(read_corpus())[:80])


@pytest.fixture(scope="module")
def trained(small_text) -> dict[str, L.LanguageModel]:
    return {kind: L.train_language_model(small_text, kind, epochs=2) for kind in ("window", "rnn", "lstm")}


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
        out, (_, c_n) = model.net.rnn(model.net.embed(ids))
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
    ids = model.vocab.encode([*tokens, L.tokenize(SLIDE)[-1]])
    # Reference: torch's own layer, one step at a time, so every h_t is a leaf we can ask for its gradient.
    layer, x = model.net.rnn, model.net.embed(torch.tensor(ids[:-1])).detach()
    h = torch.zeros(1, 1, layer.hidden_size)
    c = torch.zeros(1, 1, layer.hidden_size)
    states = []
    for t in range(len(x)):
        if kind == "rnn":
            _, h = layer(x[t].view(1, 1, -1), h)
        else:
            _, (h, c) = layer(x[t].view(1, 1, -1), (h, c))
        h.retain_grad()
        states.append(h)
    F.cross_entropy(model.net.out(h[0]), torch.tensor([ids[-1]])).backward()
    model.net.zero_grad(set_to_none=True)
    expected = np.array([float(s.grad.norm()) for s in states])
    assert np.allclose(norms, expected, rtol=1e-4, atol=1e-9)
    if kind == "lstm":
        assert trace.cell is not None and trace.cell.shape == norms.shape and trace.forget.shape[0] == len(norms)
    else:
        assert trace.cell is None


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
