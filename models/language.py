"""Next-word language models that share one vocabulary: a two-word window, a bag of words, an RNN and an LSTM.

Besides prediction, perplexity and generation, a trained model exposes what the page looks inside:
hidden states, LSTM gates and cell state, and the gradient norm ‖∂L/∂h_t‖ through time.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models.corpus import split_heldout, split_paragraphs
from models.training import History, OnStep, count_parameters, seed_everything, torch_threads, train

START = "<s>"  # starts every sentence; also pads the window model's first position
UNK = "<unk>"  # every word rarer than min_count, and every word the corpus never saw
SPECIALS = (START, UNK)
KINDS = ("window", "bow", "rnn", "lstm")
IGNORE = -100  # target id skipped by the loss: "<s>" (trivially follows a full stop) and padding
MAX_PROMPT_TOKENS = 64  # a longer prompt keeps only its last tokens (the training sequence length)
MAX_TEXT_CHARS = 2_000_000  # a text longer than this is refused rather than tokenised

TOKEN_PATTERN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|[^\sa-z0-9]")
SENTENCE_END = frozenset({".", "!", "?"})
CLOSERS = frozenset({'"', "'", ")"})  # may follow a full stop without ending the wait for the next sentence
NO_SPACE_BEFORE = frozenset({".", ",", "!", "?", ";", ":", ")", "'s"})


def single_threaded(method):
    """Decorator: run a model method on one torch thread (small inference stalls on two busy threads)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with torch_threads(1):
            return method(*args, **kwargs)

    return wrapper


def tokenize(text: str) -> list[str]:
    """Lower-case words (with inner apostrophes) and single punctuation marks, in order."""
    return TOKEN_PATTERN.findall(text.lower().replace("\u2019", "'"))


def mark_sentences(tokens: Sequence[str], *, open_end: bool = False) -> list[str]:
    """Put ``<s>`` before the first word and before every word that follows a sentence end.

    With ``open_end`` a text ending in a full stop also gets a final ``<s>``: the next word starts a sentence.
    """
    out, pending = [START], False
    for tok in tokens:
        if tok[0].isalnum():
            if pending:
                out.append(START)
            pending = False
        elif tok in SENTENCE_END:
            pending = True
        elif tok not in CLOSERS:
            pending = False
        out.append(tok)
    if open_end and pending:
        out.append(START)
    return out


def text_tokens(text: str) -> list[str]:
    """A whole text as one token stream: paragraphs in order, each sentence opened by ``<s>``."""
    out: list[str] = []
    for paragraph in split_paragraphs(text):
        out.extend(mark_sentences(tokenize(paragraph)))
    return out


def shuffle_words(prompt: str, seed: int = 0) -> str:
    """The prompt's tokens in a random order (same multiset of words), joined by spaces."""
    tokens = tokenize(prompt)
    random.Random(seed).shuffle(tokens)
    return " ".join(tokens)


def decode_text(data: bytes, max_bytes: int) -> str:
    """Bytes of an uploaded file as text; ValueError if it is too big, binary, not UTF-8 or empty."""
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data) / 1000:.0f} kB; the limit is {max_bytes / 1000:.0f} kB")
    if b"\x00" in data:
        raise ValueError("this looks like a binary file, not plain text: upload a .txt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("the file is not UTF-8 text: save it as plain UTF-8 text and upload it again") from exc
    if not text.strip():
        raise ValueError("the file is empty")
    return text


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to readable text: no space before punctuation, sentences capitalised."""
    text, capital = "", True
    for tok in tokens:
        if tok == START:
            capital = True
            continue
        word = tok.capitalize() if capital and tok[0].isalpha() else ("I" if tok == "i" else tok)
        if tok[0].isalnum():
            capital = False
        elif tok in SENTENCE_END:
            capital = True
        text += word if (not text or tok in NO_SPACE_BEFORE) else " " + word
    return text


class Vocabulary:
    """Maps tokens to ids and back: specials first, then words by frequency; rare and unseen words become ``<unk>``."""

    def __init__(self, itos: Sequence[str]):
        if list(itos[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError(f"a vocabulary must start with {SPECIALS}")
        self.itos = list(itos)
        self.stoi = {tok: i for i, tok in enumerate(self.itos)}
        self.start_id = self.stoi[START]
        self.unk_id = self.stoi[UNK]

    @classmethod
    def build(cls, tokens: Sequence[str], *, min_count: int = 2, max_size: int = 2000) -> Vocabulary:
        """The words seen at least ``min_count`` times, most frequent first, at most ``max_size`` entries in all."""
        counts = Counter(t for t in tokens if t not in SPECIALS)
        ranked = sorted((c, w) for w, c in counts.items() if c >= min_count)
        ranked.sort(key=lambda cw: (-cw[0], cw[1]))  # frequency, then alphabet: deterministic
        return cls([*SPECIALS, *(w for _, w in ranked[: max(max_size - len(SPECIALS), 0)])])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids, ``<unk>`` for anything unknown."""
        return [self.stoi.get(t, self.unk_id) for t in tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Tokens for ids."""
        return [self.itos[i] for i in ids]

    def count_vector(self, tokens: Sequence[str]) -> np.ndarray:
        """How often each vocabulary entry occurs in ``tokens`` (``<s>`` is not a word and is not counted)."""
        counts = np.zeros(len(self), dtype=np.int64)
        for i in self.encode(tokens):
            if i != self.start_id:
                counts[i] += 1
        return counts


@dataclass(frozen=True)
class LanguageConfig:
    """Everything that defines one language model and its training run."""

    kind: str = "lstm"  # "window", "bow", "rnn" or "lstm"
    embedding_dim: int = 48  # size of a word embedding (window, rnn, lstm)
    hidden_size: int = 96  # hidden layer (window, bow) or recurrent state (rnn, lstm)
    epochs: int = 0  # passes over the training text; 0 = as many as it takes to see token_budget tokens
    token_budget: int = 200_000  # training tokens in all when epochs is 0 (a bigger text gets fewer epochs)
    learning_rate: float = 0.005  # Adam step size
    batch_size: int = 32  # sequences per optimiser step
    seq_len: int = 64  # tokens per training sequence (truncated backpropagation through time)
    min_count: int = 0  # rarer words become <unk>; 0 = 2, or 1 for a text under 5,000 tokens
    max_vocab: int = 1200  # vocabulary cap, specials included: the softmax over it is most of the cost
    clip_grad_norm: float = 1.0  # gradient clipping threshold (0 = off)
    heldout_every: int = 10  # every n-th paragraph is held out for perplexity (0 = none)


MAX_AUTO_EPOCHS = 40  # a tiny text still gets enough steps to learn something
DEFAULT_CONFIGS: dict[str, LanguageConfig] = {  # tuned on the bundled corpus (about 46,000 training tokens)
    "window": LanguageConfig(kind="window", token_budget=140_000),  # 3 epochs; it overfits from about 5
    "bow": LanguageConfig(kind="bow", token_budget=140_000),  # 3 epochs: its held-out loss rises after that
    "rnn": LanguageConfig(kind="rnn", token_budget=200_000),  # 4 epochs
    "lstm": LanguageConfig(kind="lstm", learning_rate=0.015, token_budget=240_000),  # 5 epochs
}


def default_config(kind: str, **overrides) -> LanguageConfig:
    """The default configuration of a kind, with some fields replaced."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    known = {f.name for f in dataclasses.fields(LanguageConfig)} - {"kind"}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return dataclasses.replace(DEFAULT_CONFIGS[kind], **overrides)


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


def build_net(config: LanguageConfig, vocab_size: int, pad_id: int) -> nn.Module:
    """The untrained network of ``config.kind``."""
    if config.kind == "window":
        return WindowNet(vocab_size, config.embedding_dim, config.hidden_size, pad_id)
    if config.kind == "bow":
        return BagOfWordsNet(vocab_size, config.hidden_size, pad_id)
    if config.kind in ("rnn", "lstm"):
        return RecurrentNet(config.kind, vocab_size, config.embedding_dim, config.hidden_size)
    raise ValueError(f"unknown kind {config.kind!r}; choose one of {', '.join(KINDS)}")


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position that has a target."""
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


def make_sequences(ids: Sequence[int], seq_len: int, start_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a token-id stream into (inputs, targets) of shape (N, seq_len); targets are the inputs shifted by one.

    ``<s>`` targets are skipped (a full stop already says a sentence starts); the last piece is padded.
    """
    stream = torch.tensor(list(ids), dtype=torch.long)
    n = max(math.ceil((len(stream) - 1) / seq_len), 0)
    inputs = torch.full((n * seq_len + 1,), start_id, dtype=torch.long)
    inputs[: len(stream)] = stream
    targets = inputs[1:].clone()
    targets[targets == start_id] = IGNORE
    targets[len(stream) - 1 :] = IGNORE  # padding
    inputs, targets = inputs[:-1].view(n, seq_len), targets.view(n, seq_len)
    keep = (targets != IGNORE).any(dim=1)
    return inputs[keep], targets[keep]


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


class LanguageModel:
    """A trained next-word model with its vocabulary: predict, score and generate text, and look inside."""

    def __init__(
        self,
        config: LanguageConfig,
        vocab: Vocabulary,
        net: nn.Module,
        history: History | None = None,
        heldout_perplexity: float = math.nan,
    ):
        self.config = config
        self.kind = config.kind
        self.vocab = vocab
        self.net = net.eval()
        self.history = history or History()
        self.heldout_perplexity = heldout_perplexity  # nan when the text was too short to hold a part out

    @property
    def num_parameters(self) -> int:
        """Trainable parameters of the network."""
        return count_parameters(self.net)

    # --- reading prompts ----------------------------------------------------
    def prompt_tokens(self, prompt: str) -> list[str]:
        """The prompt as the model reads it: ``<s>``-marked tokens, at most the last MAX_PROMPT_TOKENS."""
        if not isinstance(prompt, str):
            raise ValueError("the prompt must be a string")
        # Only the tail matters, so a huge paste is cut before tokenising (a token is rarely over 40 characters).
        tokens = mark_sentences(tokenize(prompt[-40 * MAX_PROMPT_TOKENS :]), open_end=True)
        return tokens[-MAX_PROMPT_TOKENS:]

    def _ids(self, tokens: Sequence[str]) -> torch.Tensor:
        return torch.tensor([self.vocab.encode(tokens)], dtype=torch.long)  # (1, T)

    @single_threaded
    def next_distribution(self, prompt: str) -> np.ndarray:
        """Probability of every vocabulary entry being the next token (``<s>`` gets 0); sums to 1."""
        with torch.no_grad():
            logits = self.net(self._ids(self.prompt_tokens(prompt)))[0, -1]  # (V,)
            logits[self.vocab.start_id] = -math.inf
            return torch.softmax(logits.double(), dim=0).numpy()

    def predict_next(self, prompt: str, k: int = 5) -> list[tuple[str, float]]:
        """The k most likely next tokens with their probabilities."""
        probs = self.next_distribution(prompt)
        top = np.argsort(-probs, kind="stable")[: max(int(k), 0)]
        return [(self.vocab.itos[i], float(probs[i])) for i in top]

    @single_threaded
    def generate(self, prompt: str, n: int = 10, temperature: float = 0.0, seed: int = 0) -> list[str]:
        """Continue the prompt by n tokens: greedy at temperature 0, else sampled from softmax(logits / T)."""
        if temperature < 0:
            raise ValueError("temperature must be 0 (greedy) or positive")
        generator = torch.Generator().manual_seed(seed)
        tokens = self.prompt_tokens(prompt)
        out: list[str] = []
        with torch.no_grad():
            for _ in range(max(int(n), 0)):
                logits = self.net(self._ids(tokens[-MAX_PROMPT_TOKENS:]))[0, -1]
                # <unk> is a real prediction but a useless word to print; <s> is added after a full stop below.
                logits[[self.vocab.start_id, self.vocab.unk_id]] = -math.inf
                if temperature == 0:
                    nxt = int(logits.argmax())
                else:
                    nxt = int(torch.multinomial(torch.softmax(logits / temperature, dim=0), 1, generator=generator))
                word = self.vocab.itos[nxt]
                out.append(word)
                tokens.append(word)
                if word in SENTENCE_END:
                    tokens.append(START)
        return out

    @single_threaded
    def perplexity(self, text: str) -> float:
        """exp(mean cross-entropy) of the text's next tokens, read in training-length pieces."""
        ids = self.vocab.encode(text_tokens(text))
        inputs, targets = make_sequences(ids, self.config.seq_len, self.vocab.start_id)
        if len(targets) == 0:
            raise ValueError("the text has no words to score")
        with torch.no_grad():
            logits = self.net(inputs)  # (N, T, V)
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="sum")
        return math.exp(loss.item() / int((targets != IGNORE).sum()))

    # --- looking inside -----------------------------------------------------
    def count_vector(self, prompt: str) -> np.ndarray:
        """The bag of words the bow model sees: counts of every vocabulary entry in the prompt."""
        return self.vocab.count_vector(self.prompt_tokens(prompt))

    @single_threaded
    def hidden_states(self, prompt: str) -> tuple[list[str], np.ndarray]:
        """The prompt's tokens and the hidden layer (or recurrent state) after each, shape (T, H)."""
        tokens = self.prompt_tokens(prompt)
        with torch.no_grad():
            return tokens, self.net.features(self._ids(tokens))[0].numpy()

    @single_threaded
    def step_predictions(self, prompt: str) -> list[tuple[str, float]]:
        """The most likely next token after every prompt token, with its probability."""
        tokens = self.prompt_tokens(prompt)
        with torch.no_grad():
            logits = self.net(self._ids(tokens))[0]  # (T, V)
            logits[:, self.vocab.start_id] = -math.inf
            probs = torch.softmax(logits, dim=-1)
            best = probs.max(dim=-1)
        return [(self.vocab.itos[i], float(p)) for p, i in zip(best.values, best.indices, strict=True)]

    @single_threaded
    def lstm_gates(self, prompt: str) -> GateTrace:
        """The LSTM's gates, candidate, cell and hidden state for every prompt token, computed step by step."""
        if self.kind != "lstm":
            raise ValueError("gates exist only in an LSTM model")
        tokens = self.prompt_tokens(prompt)
        lstm = self.net.rnn
        with torch.no_grad():
            x = self.net.embed(self._ids(tokens))[0]  # (T, E)
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

    @single_threaded
    def gradient_norms(self, text: str, spectral_radius: float | None = None) -> tuple[list[str], np.ndarray]:
        """‖∂L/∂h_t‖ for every step t, where L is the loss of the text's last word (backpropagation through time).

        For the RNN, ``spectral_radius`` rescales W_hh so its largest |eigenvalue| is that value (the trained
        weights are left untouched). Returns the tokens read and one norm per token read.
        """
        if self.kind not in ("rnn", "lstm"):
            raise ValueError("gradients through time need a recurrent model (rnn or lstm)")
        tokens = self.prompt_tokens(text)
        if tokens and tokens[-1] == START:
            tokens = tokens[:-1]
        if len(tokens) < 2:
            raise ValueError("the text needs at least one word to predict")
        ids = self.vocab.encode(tokens)
        layer = self.net.rnn
        w_hh = layer.weight_hh_l0.detach()
        if spectral_radius is not None:
            if self.kind != "rnn":
                raise ValueError("the spectral-radius slider applies to the vanilla RNN's W_hh")
            w_hh = scale_spectral_radius(w_hh, spectral_radius)
        x = self.net.embed(torch.tensor(ids[:-1])).detach()  # (T, E)
        pre_x = x @ layer.weight_ih_l0.detach().T + layer.bias_ih_l0.detach() + layer.bias_hh_l0.detach()  # (T, G)
        h = torch.zeros(layer.hidden_size, requires_grad=True)  # so that every later h_t is in the graph
        c = torch.zeros(layer.hidden_size)
        states = []
        for t in range(len(x)):
            if self.kind == "rnn":
                h = torch.tanh(pre_x[t] + w_hh @ h)
            else:
                i, f, g, o = (pre_x[t] + w_hh @ h).chunk(4)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            h.retain_grad()
            states.append(h)
        logits = self.net.out(h)  # (V,)
        loss = F.cross_entropy(logits[None], torch.tensor([ids[-1]]))
        loss.backward()
        self.net.zero_grad(set_to_none=True)
        norms = np.array([float(s.grad.norm()) for s in states])
        return tokens[:-1], norms

    @single_threaded
    def recurrent_weight_norms(self, text: str, spectral_radius: float) -> np.ndarray:
        """The slide's simplified picture of BPTT: ‖(W_hhᵀ)^k g‖ for k steps back, ignoring tanh'.

        g is the real ∂L/∂h_T of the text's last word; W_hh is rescaled to ``spectral_radius``. Without the
        tanh' factors nothing saturates, so a radius above 1 grows and one below 1 shrinks geometrically.
        """
        if self.kind != "rnn":
            raise ValueError("this picture is of the vanilla RNN's W_hh")
        tokens, _ = self.gradient_norms(text)
        ids = self.vocab.encode([*tokens, *self.prompt_tokens(text)[-1:]])
        with torch.no_grad():
            states, _ = self.net.rnn(self.net.embed(torch.tensor([ids[:-1]])))  # (1, T, H)
        h_last = states[0, -1].clone().requires_grad_(True)
        F.cross_entropy(self.net.out(h_last)[None], torch.tensor([ids[-1]])).backward()
        self.net.zero_grad(set_to_none=True)
        w_hh = scale_spectral_radius(self.net.rnn.weight_hh_l0.detach(), spectral_radius)
        grad, norms = h_last.grad, []
        for _ in range(len(tokens)):
            norms.append(float(grad.norm()))
            grad = w_hh.T @ grad
        return np.array(norms[::-1])

    # --- persistence ----------------------------------------------------------
    def to_payload(self) -> dict:
        """Config, vocabulary, weights and history: only tensors, numbers, strings, lists and dicts."""
        return {
            "config": dataclasses.asdict(self.config),
            "vocab": list(self.vocab.itos),
            "state": {k: v.detach().clone() for k, v in self.net.state_dict().items()},
            "history": self.history.to_dict(),
            "heldout_perplexity": float(self.heldout_perplexity),
        }

    @classmethod
    def from_payload(cls, payload: dict) -> LanguageModel:
        """Rebuild a model saved with :meth:`to_payload`."""
        config = LanguageConfig(**payload["config"])
        vocab = Vocabulary(payload["vocab"])
        net = build_net(config, len(vocab), vocab.start_id)
        net.load_state_dict(payload["state"])
        history = History.from_dict(payload["history"])
        return cls(config, vocab, net, history, float(payload["heldout_perplexity"]))


def train_language_model(
    text: str, kind: str, *, seed: int = 0, on_step: OnStep | None = None, **overrides
) -> LanguageModel:
    """Train a next-word model of ``kind`` on ``text`` (every n-th paragraph held out for perplexity)."""
    config = default_config(kind, **overrides)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the text is empty: give the model some words to learn from")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"the text is too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
    train_part, heldout = split_heldout(split_paragraphs(text), config.heldout_every)
    train_tokens = [t for p in train_part for t in mark_sentences(tokenize(p))]
    if len(train_tokens) <= 1:
        raise ValueError("the text has no words: type or upload some English sentences")
    min_count = config.min_count or (1 if len(train_tokens) < 5000 else 2)
    vocab = Vocabulary.build(train_tokens, min_count=min_count, max_size=config.max_vocab)
    inputs, targets = make_sequences(vocab.encode(train_tokens), config.seq_len, vocab.start_id)
    if len(targets) == 0:
        raise ValueError("the text is too short to learn from: write at least two words")
    val = None
    heldout_text = "\n\n".join(heldout)
    if heldout:
        val_x, val_y = make_sequences(vocab.encode(text_tokens(heldout_text)), config.seq_len, vocab.start_id)
        val = (val_x, val_y) if len(val_y) else None
    epochs = config.epochs or int(min(max(round(config.token_budget / inputs.numel()), 1), MAX_AUTO_EPOCHS))
    seed_everything(seed)
    net = build_net(config, len(vocab), vocab.start_id)
    with torch_threads(1):
        history = train(
            net,
            inputs,
            targets,
            epochs=epochs,
            batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            loss_fn=sequence_loss,
            classification=False,
            val=val,
            clip_grad_norm=config.clip_grad_norm or None,
            seed=seed,
            on_step=on_step,
        )
    model = LanguageModel(config, vocab, net, history)
    if val is not None:
        model.heldout_perplexity = model.perplexity(heldout_text)
    return model


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


def scale_spectral_radius(weight: torch.Tensor, radius: float) -> torch.Tensor:
    """``weight`` rescaled so that its largest |eigenvalue| equals ``radius``."""
    current = float(torch.linalg.eigvals(weight).abs().max())
    return weight * (radius / max(current, 1e-12))


def exploding_gradient_run(
    text: str, *, clip: float | None, config: ExplodingConfig = ExplodingConfig(), seed: int = 0
) -> History:
    """Train a vanilla RNN briefly with large weights; ``History.grad_norm`` is each step's norm before clipping."""
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
