"""The networks behind the next-word models: a two-word window and a bag of words (both FFNs), and a recurrent
net (a tanh RNN or an LSTM). Each maps token ids (B, T) to next-word scores (B, T, V); ``models.language`` trains them.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class WindowNet(nn.Module):
    """Guesses the next word from the previous two words only: their embeddings, side by side, through an FFN."""

    def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int, pad_id: int):
        super().__init__()
        self.pad_id = pad_id
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(2 * embedding_dim, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden layer at every position."""
        prev = F.pad(x[:, :-1], (1, 0), value=self.pad_id)  # (B, T): the word before each word
        pair = torch.cat([self.embed(prev), self.embed(x)], dim=-1)  # (B, T, 2E)
        return torch.relu(self.hidden(pair))  # (B, T, H)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))  # (B, T, V)


class BagOfWordsNet(nn.Module):
    """An FFN over the count vector of every previous word, so word order is lost before the network sees anything.

    ``<s>`` is not a word and is not counted. Training computes W1 · counts as a running sum of W1's columns
    (the same number, without a vocabulary-sized vector per position); prediction multiplies the count vector
    itself, whose entries are small integers summed in a fixed slot order, so a reordered prompt gives
    bit-for-bit the same answer.
    """

    def __init__(self, vocab_size: int, hidden_size: int, pad_id: int):
        super().__init__()
        self.pad_id = pad_id
        self.vocab_size = vocab_size
        self.hidden = nn.Linear(vocab_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))  # (B, T, V)


class RecurrentNet(nn.Module):
    """An embedding, one recurrent layer (a tanh RNN or an LSTM) carrying a state along the words, and a readout."""

    def __init__(self, cell: str, vocab_size: int, embedding_dim: int, hidden_size: int):
        super().__init__()
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        layer = nn.LSTM if cell == "lstm" else nn.RNN
        self.rnn = layer(embedding_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden state h_t after every word."""
        states, _ = self.rnn(self.embed(x))  # (B, T, H)
        return states

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))  # (B, T, V)


def open_forget_gates(lstm: nn.LSTM, bias: float) -> None:
    """Start every forget gate at sigmoid(bias) (PyTorch orders the gates input, forget, candidate, output)."""
    h = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_ih_l0[h : 2 * h] = bias
        lstm.bias_hh_l0[h : 2 * h] = 0.0
