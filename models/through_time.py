"""What happens through time inside the recurrent models: the LSTM's gates step by step, the gradient flowing
back along the hidden state h_t and the cell state c_t, and a deliberately exploding RNN run with and without
gradient clipping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from models.language import LanguageModel, make_sequences, sequence_loss, single_threaded
from models.language_networks import RecurrentNet
from models.training import History, seed_everything, torch_threads, train
from models.vocabulary import START, Vocabulary, text_tokens


@dataclass(frozen=True)
class GateTrace:
    """The LSTM's inside, one row per token: gates in [0, 1], candidate in [-1, 1], cell and hidden state."""

    tokens: list[str]  # the prompt as the model read it, with <s>
    forget: np.ndarray  # (T, H) f_t: how much of the old cell state to keep
    input: np.ndarray  # (T, H) i_t: how much of the candidate to write
    candidate: np.ndarray  # (T, H) g_t: the new information
    output: np.ndarray  # (T, H) o_t: how much of the cell to show
    cell: np.ndarray  # (T, H) c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    hidden: np.ndarray  # (T, H) h_t = o_t ⊙ tanh(c_t)

    def busiest_units(self, n: int = 24) -> np.ndarray:
        """Indices of the n units whose cell state changes most over the prompt, in unit order."""
        spread = self.cell.std(axis=0) if len(self.tokens) > 1 else np.abs(self.cell).max(axis=0)
        return np.sort(np.argsort(-spread, kind="stable")[:n])

    def step_table(self, units: Sequence[int], t: int = -1) -> list[dict]:
        """One row per unit at step t: c_{t-1}, the gates, and the c_t and h_t they produce."""
        previous = self.cell[t - 1] if len(self.tokens) > 1 and t not in (0, -len(self.tokens)) else 0 * self.cell[0]
        return [
            {
                "unit": int(u),
                "c_{t-1}": float(previous[u]),
                "f_t": float(self.forget[t, u]),
                "i_t": float(self.input[t, u]),
                "g_t": float(self.candidate[t, u]),
                "o_t": float(self.output[t, u]),
                "c_t = f·c_{t-1} + i·g": float(self.cell[t, u]),
                "h_t = o·tanh(c_t)": float(self.hidden[t, u]),
            }
            for u in units
        ]


@dataclass(frozen=True)
class GradientTrace:
    """‖∂L/∂h_t‖ (and, for an LSTM, ‖∂L/∂c_t‖) at every step t, where L is the loss of the last word."""

    tokens: list[str]  # the words read, one per step (the last word, the target, is not read)
    hidden: np.ndarray  # (T,) ‖∂L/∂h_t‖
    cell: np.ndarray | None  # (T,) ‖∂L/∂c_t‖ for an LSTM, None for an RNN
    forget: np.ndarray | None = None  # (T, H) forget gates f_t of an LSTM

    def kept_by_forget_gates(self) -> float:
        """The largest product of one unit's forget gates after the first step: ∂c_T/∂c_1 along the cell alone."""
        if self.forget is None:
            raise ValueError("only an LSTM has forget gates")
        return float(self.forget[1:].prod(axis=0).max())

    def ratio(self, start: int = 0, along: str = "hidden") -> float:
        """How much of the last step's gradient reaches step ``start``: ‖∂L/∂s_start‖ / ‖∂L/∂s_T‖."""
        norms = self.cell if along == "cell" else self.hidden
        if norms is None:
            raise ValueError("only an LSTM has a cell state")
        return first_to_last(norms[start:])


@single_threaded
def lstm_gates(model: LanguageModel, prompt: str) -> GateTrace:
    """The LSTM's gates, candidate, cell and hidden state for every prompt token, computed step by step."""
    if model.kind != "lstm":
        raise ValueError("gates exist only in an LSTM model")
    tokens = model.prompt_tokens(prompt)
    lstm = model.network.rnn
    with torch.no_grad():
        x = model.network.embed(torch.tensor(model.vocab.encode(tokens)))  # (T, E)
        pre_x = x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0  # (T, 4H)
        h = c = torch.zeros(lstm.hidden_size)
        rows: dict[str, list[torch.Tensor]] = {k: [] for k in ("input", "forget", "candidate", "output", "c", "h")}
        for t in range(len(tokens)):
            # PyTorch stacks the four gates in the order input, forget, cell candidate, output.
            i, f, g, o = (pre_x[t] + lstm.weight_hh_l0 @ h).chunk(4)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            for name, value in zip(rows, (i, f, g, o, c, h), strict=True):
                rows[name].append(value)
    arr = {k: torch.stack(v).numpy() for k, v in rows.items()}
    return GateTrace(tokens, arr["forget"], arr["input"], arr["candidate"], arr["output"], arr["c"], arr["h"])


@dataclass(frozen=True)
class RnnStep:
    """The numbers of one RNN step: h_t = tanh(W_hh h_{t-1} + W_xh x_t + b) and ŷ_t = softmax(W_hy h_t + b_y)."""

    token: str  # the word x_t read at this step
    previous: np.ndarray  # (H,) h_{t-1}
    recurrent: np.ndarray  # (H,) W_hh h_{t-1}
    input: np.ndarray  # (H,) W_xh x_t + b (x_t is the word's embedding)
    hidden: np.ndarray  # (H,) h_t
    top: list[tuple[str, float]]  # ŷ_t: the most likely next words (no special tokens)


@single_threaded
def rnn_step(model: LanguageModel, prompt: str, k: int = 3) -> RnnStep:
    """The RNN's last step on the prompt, split into the two terms of its equation."""
    if model.kind != "rnn":
        raise ValueError("this step is the vanilla RNN's")
    tokens = model.prompt_tokens(prompt)
    layer = model.network.rnn
    with torch.no_grad():
        states, _ = layer(model.network.embed(torch.tensor([model.vocab.encode(tokens)])))  # (1, T, H)
        previous = states[0, -2] if len(tokens) > 1 else torch.zeros(layer.hidden_size)
        x = model.network.embed(torch.tensor(model.vocab.encode(tokens[-1:])))[0]  # (E,)
        recurrent = layer.weight_hh_l0 @ previous
        inputs = layer.weight_ih_l0 @ x + layer.bias_ih_l0 + layer.bias_hh_l0
        hidden = torch.tanh(recurrent + inputs)
    return RnnStep(
        tokens[-1], previous.numpy(), recurrent.numpy(), inputs.numpy(), hidden.numpy(), model.predict_next(prompt, k)
    )


def state_gradients(
    net: RecurrentNet, ids: Sequence[int], target: int, w_hh: torch.Tensor | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """‖∂L/∂h_t‖, and for an LSTM ‖∂L/∂c_t‖ and the forget gates (T, H), per step after reading ``ids``.

    L is the cross-entropy of ``target`` as the word after the last one.

    The recurrence is written out step by step (as on the slides) so every h_t and c_t can keep its gradient;
    ``w_hh`` replaces the trained recurrent weights (the network itself is left untouched).
    """
    layer = net.rnn
    w_hh = layer.weight_hh_l0.detach() if w_hh is None else w_hh
    x = net.embed(torch.tensor(list(ids))).detach()  # (T, E)
    pre_x = x @ layer.weight_ih_l0.detach().T + layer.bias_ih_l0.detach() + layer.bias_hh_l0.detach()  # (T, G)
    h = torch.zeros(layer.hidden_size, requires_grad=True)  # so that every later h_t is in the graph
    c = torch.zeros(layer.hidden_size)
    hs, cs, fs = [], [], []
    for t in range(len(x)):
        if net.cell == "rnn":
            h = torch.tanh(pre_x[t] + w_hh @ h)  # h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)
        else:
            i, f, g, o = (pre_x[t] + w_hh @ h).chunk(4)
            f = torch.sigmoid(f)
            fs.append(f.detach())
            c = f * c + torch.sigmoid(i) * torch.tanh(g)  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
            c.retain_grad()
            cs.append(c)
            h = torch.sigmoid(o) * torch.tanh(c)
        h.retain_grad()
        hs.append(h)
    F.cross_entropy(net.out(h)[None], torch.tensor([target])).backward()
    net.zero_grad(set_to_none=True)
    hidden = np.array([float(s.grad.norm()) for s in hs])
    if not cs:
        return hidden, None, None
    return hidden, np.array([float(s.grad.norm()) for s in cs]), torch.stack(fs).numpy()


def _scored_tokens(model: LanguageModel, text: str) -> list[str]:
    if model.kind not in ("rnn", "lstm"):
        raise ValueError("gradients through time need a recurrent model (rnn or lstm)")
    tokens = model.prompt_tokens(text)
    if tokens and tokens[-1] == START:
        tokens = tokens[:-1]
    if len(tokens) < 2:
        raise ValueError("the text needs at least one word to predict")
    return tokens


@single_threaded
def gradient_norms(model: LanguageModel, text: str, spectral_radius: float | None = None) -> GradientTrace:
    """Backpropagation through time of the loss of the text's last word, step by step back to the first.

    For the RNN, ``spectral_radius`` rescales W_hh so its largest |eigenvalue| is that value (the trained
    weights are left untouched).
    """
    tokens = _scored_tokens(model, text)
    w_hh = None
    if spectral_radius is not None:
        if model.kind != "rnn":
            raise ValueError("the spectral-radius slider applies to the vanilla RNN's W_hh")
        w_hh = scale_spectral_radius(model.network.rnn.weight_hh_l0.detach(), spectral_radius)
    ids = model.vocab.encode(tokens)
    return GradientTrace(tokens[:-1], *state_gradients(model.network, ids[:-1], ids[-1], w_hh))


@single_threaded
def recurrent_weight_norms(model: LanguageModel, text: str, spectral_radius: float) -> np.ndarray:
    """The slide's simplified picture of BPTT: ‖(W_hhᵀ)^k g‖ for k steps back, ignoring tanh'.

    g is the real ∂L/∂h_T of the text's last word; W_hh is rescaled to ``spectral_radius``. Without the
    tanh' factors nothing saturates, so a radius above 1 grows and one below 1 shrinks geometrically.
    """
    if model.kind != "rnn":
        raise ValueError("this picture is of the vanilla RNN's W_hh")
    tokens = _scored_tokens(model, text)
    ids = model.vocab.encode(tokens)
    with torch.no_grad():
        states, _ = model.network.rnn(model.network.embed(torch.tensor([ids[:-1]])))  # (1, T, H)
    h_last = states[0, -1].clone().requires_grad_(True)
    F.cross_entropy(model.network.out(h_last)[None], torch.tensor([ids[-1]])).backward()
    model.network.zero_grad(set_to_none=True)
    w_hh = scale_spectral_radius(model.network.rnn.weight_hh_l0.detach(), spectral_radius)
    grad, norms = h_last.grad, []
    for _ in range(len(tokens) - 1):
        norms.append(float(grad.norm()))
        grad = w_hh.T @ grad
    return np.array(norms[::-1])


def first_to_last(norms: np.ndarray) -> float:
    """How much of the last step's gradient reaches the first: norms[0] / norms[-1]."""
    return float(norms[0] / max(float(norms[-1]), 1e-30))


def scale_spectral_radius(weight: torch.Tensor, radius: float) -> torch.Tensor:
    """``weight`` rescaled so that its largest |eigenvalue| equals ``radius``."""
    current = float(torch.linalg.eigvals(weight).abs().max())
    return weight * (radius / max(current, 1e-12))


# --- exploding gradients and clipping ------------------------------------------------------------------------
CLIP_THRESHOLDS = (0.1, 0.25, 0.5)  # offered on the page: with the learning rate below, each run stays stable


@dataclass(frozen=True)
class ExplodingConfig:
    """A deliberately unstable vanilla RNN run: big recurrent weights, plain SGD with a large step."""

    weight_scale: float = 1.5  # spectral radius W_hh starts with (> 1 makes gradients grow through time)
    learning_rate: float = 2.0  # SGD step size: large, so one huge gradient throws the weights far
    steps: int = 80  # optimiser steps (one pass over steps × batch_size sequences)
    batch_size: int = 16  # sequences per step
    seq_len: int = 48  # tokens per sequence: long enough for products of many Jacobians
    hidden_size: int = 64  # RNN state size
    max_vocab: int = 500  # a small vocabulary keeps the demo quick


SPREAD_SEEDS = (0, 1, 2, 3, 4)  # the seeds the exploding-gradient tab repeats its unclipped run with


@dataclass(frozen=True)
class RunSummary:
    """The numbers the exploding-gradient tab quotes about one run."""

    start_loss: float  # loss of the first step, before any update
    highest_loss: float  # highest loss after the first update
    final_loss: float  # mean loss over the last 20 steps
    largest_norm: float  # largest gradient norm before clipping
    largest_step: float  # largest step length actually taken: learning rate × min(norm, threshold)
    steps_above_start: int  # steps whose loss is above the starting loss


def summarise_run(history: History, learning_rate: float, clip: float | None) -> RunSummary:
    """What one exploding-gradient run did, in the page's words' numbers."""
    loss = np.asarray(history.step_loss)
    norms = np.asarray(history.grad_norm)
    used = norms if clip is None else np.minimum(norms, clip)
    return RunSummary(
        start_loss=float(loss[0]),
        highest_loss=float(loss[1:].max()) if len(loss) > 1 else float(loss[0]),
        final_loss=float(loss[-20:].mean()),
        largest_norm=float(norms.max()),
        largest_step=float(learning_rate * used.max()),
        steps_above_start=int((loss[1:] > loss[0]).sum()),
    )


def exploding_gradient_run(
    text: str, *, clip: float | None, config: ExplodingConfig = ExplodingConfig(), seed: int = 0
) -> History:
    """Train a vanilla RNN briefly with large weights; ``History.grad_norm`` is each step's norm before clipping.

    With clipping, the step SGD takes is learning_rate × the clipped gradient, so its length is at most
    learning_rate × clip.
    """
    tokens = text_tokens(text)
    if len(tokens) < 3:
        raise ValueError("the text is too short for the exploding-gradient run")
    vocab = Vocabulary.build(tokens, min_count=1, max_size=config.max_vocab)
    inputs, targets = make_sequences(vocab.encode(tokens), config.seq_len, vocab.start_id)
    n = config.steps * config.batch_size
    inputs, targets = inputs[:n], targets[:n]
    seed_everything(seed)
    net = RecurrentNet("rnn", len(vocab), 32, config.hidden_size)
    with torch.no_grad():
        net.rnn.weight_hh_l0.copy_(scale_spectral_radius(net.rnn.weight_hh_l0, config.weight_scale))
    with torch_threads(1):
        return train(
            net,
            inputs,
            targets,
            epochs=1,
            batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            optimizer="sgd",
            loss_fn=sequence_loss,
            classification=False,
            clip_grad_norm=clip,
            seed=seed,
        )


def exploding_spread(text: str, seeds: Sequence[int] = SPREAD_SEEDS) -> list[RunSummary]:
    """The unclipped run once per seed. How far it explodes depends on the random start, and, the run being
    chaotic, even on the CPU's arithmetic (on one machine seed 0's largest norm was 1,806, on another 34), so the
    page measures this spread where it runs instead of quoting one."""
    lr = ExplodingConfig().learning_rate
    return [summarise_run(exploding_gradient_run(text, clip=None, seed=seed), lr, None) for seed in seeds]
