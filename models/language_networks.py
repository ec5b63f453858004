"""The networks behind the next-word models: a two-word window and a bag of words (both FFNs), and a recurrent
net (a tanh RNN or an LSTM). Each maps token ids (B, T) to next-word scores (B, T, V) whose softmax is the
next-word distribution, and ``loss(x, targets)`` is its training loss; ``models.language`` trains them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

IGNORE = -100  # target id skipped by the loss: "<s>" (trivially follows a full stop) and padding
READOUT_DIV = 2.0  # an adaptive softmax's later groups see h shrunk by this factor, once more per group


class AdaptiveReadout(nn.Module):
    """The output layer as an adaptive softmax (Grave et al., 2017; ``nn.AdaptiveLogSoftmaxWithLoss``).

    One softmax covers the ``cutoffs[0]`` most frequent ids (the vocabulary is ordered by frequency) plus one
    entry per group of rarer words; a word in a group gets P(group | h) · P(word | group, h), scored through a
    smaller projection of h. Training pays for a group's softmax only at the positions whose target is in it,
    so a step costs a fraction of scoring every word (the figures are at ``LanguageConfig.readout_cutoffs``).
    """

    def __init__(self, hidden_size: int, vocab_size: int, cutoffs: Sequence[int], div_value: float):
        super().__init__()
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(hidden_size, vocab_size, list(cutoffs), div_value=div_value)

    @property
    def head_size(self) -> int:
        """How many of the most frequent ids the first softmax scores directly."""
        return self.softmax.shortlist_size

    def groups(self) -> list[tuple[int, int, int]]:
        """(first id, id after the last, size of h's projection) of every group of rarer words."""
        bounds = self.softmax.cutoffs  # ends with the vocabulary size
        return [(bounds[i], bounds[i + 1], tail[0].out_features) for i, tail in enumerate(self.softmax.tail)]

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """log P(word | h) for every word, shape (..., V): every group's softmax, as prediction needs."""
        return self.softmax.log_prob(h.reshape(-1, h.shape[-1])).view(*h.shape[:-1], -1)

    def loss(self, h: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean −log P(target | h) over the positions that have a target: only the targets' groups are scored."""
        keep = targets.flatten() != IGNORE
        return self.softmax(h.reshape(-1, h.shape[-1])[keep], targets.flatten()[keep]).loss


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position that has a target."""
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


def readout(
    hidden_size: int, vocab_size: int, cutoffs: Sequence[int] = (), div_value: float = READOUT_DIV
) -> nn.Module:
    """The output layer: an adaptive softmax split at ``cutoffs``, or ŷ = softmax(W_hy h + b_y) as one linear
    layer when no cutoff fits the vocabulary (a small vocabulary is cheap to score in full)."""
    fitting = [c for c in cutoffs if 0 < c < vocab_size - 1]
    if not fitting:
        return nn.Linear(hidden_size, vocab_size)
    return AdaptiveReadout(hidden_size, vocab_size, fitting, div_value)


class NextWordNet(nn.Module):
    """What the three networks share: ``features`` (the hidden layer at every position), then the readout ``out``."""

    out: nn.Module

    def features(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))  # (B, T, V)

    def loss(self, x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the next word over every position that has a target (``IGNORE`` marks the rest)."""
        h = self.features(x)
        if isinstance(self.out, AdaptiveReadout):
            return self.out.loss(h, targets)
        return sequence_loss(self.out(h), targets)


class WindowNet(NextWordNet):
    """Guesses the next word from the previous two words only: their embeddings, side by side, through an FFN."""

    def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int, pad_id: int, cutoffs: Sequence[int] = ()):
        super().__init__()
        self.pad_id = pad_id
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(2 * embedding_dim, hidden_size)
        self.out = readout(hidden_size, vocab_size, cutoffs)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden layer at every position."""
        prev = F.pad(x[:, :-1], (1, 0), value=self.pad_id)  # (B, T): the word before each word
        pair = torch.cat([self.embed(prev), self.embed(x)], dim=-1)  # (B, T, 2E)
        return torch.relu(self.hidden(pair))  # (B, T, H)


class BagOfWordsNet(NextWordNet):
    """An FFN over the count vector of every previous word, so word order is lost before the network sees anything.

    ``<s>`` is not a word and is not counted. Training computes W1 · counts as a running sum of W1's columns
    (the same number, without a vocabulary-sized vector per position); prediction multiplies the count vector
    itself, whose entries are small integers summed in a fixed slot order, so a reordered prompt gives
    bit-for-bit the same answer.
    """

    def __init__(self, vocab_size: int, hidden_size: int, pad_id: int, cutoffs: Sequence[int] = ()):
        super().__init__()
        self.pad_id = pad_id
        self.vocab_size = vocab_size
        self.hidden = nn.Linear(vocab_size, hidden_size)
        self.out = readout(hidden_size, vocab_size, cutoffs)

    def counts(self, x: torch.Tensor) -> torch.Tensor:
        """The count vector of the words so far, at every position."""
        onehot = F.one_hot(x, self.vocab_size).float()  # (B, T, V)
        onehot[..., self.pad_id] = 0.0
        return onehot.cumsum(dim=1)  # (B, T, V)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden layer at every position: relu(W1 · counts + b1)."""
        if self.training:
            columns = F.embedding(x, self.hidden.weight.T)  # (B, T, H): column w of W1 for each word w
            columns = columns * (x != self.pad_id).unsqueeze(-1)  # <s> adds nothing
            return torch.relu(columns.cumsum(dim=1) + self.hidden.bias)  # (B, T, H)
        return torch.relu(self.hidden(self.counts(x)))  # (B, T, H)


class RecurrentNet(NextWordNet):
    """An embedding, one recurrent layer (a tanh RNN or an LSTM) carrying a state along the words, and a readout."""

    def __init__(self, cell: str, vocab_size: int, embedding_dim: int, hidden_size: int, cutoffs: Sequence[int] = ()):
        super().__init__()
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        layer = nn.LSTM if cell == "lstm" else nn.RNN
        self.rnn = layer(embedding_dim, hidden_size, batch_first=True)
        self.out = readout(hidden_size, vocab_size, cutoffs)  # W_hy and b_y without cutoffs

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden state h_t after every word."""
        states, _ = self.rnn(self.embed(x))  # (B, T, H)
        return states


def open_forget_gates(lstm: nn.LSTM, bias: float) -> None:
    """Start every forget gate at sigmoid(bias) (PyTorch orders the gates input, forget, candidate, output)."""
    h = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_ih_l0[h : 2 * h] = bias
        lstm.bias_hh_l0[h : 2 * h] = 0.0
