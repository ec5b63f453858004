"""A synthetic long-dependency task: recall a colour named many words earlier.

"<s> i painted the fence red , <filler words …> , still" -> "red": the answer is the word ``distance`` tokens
back, and nothing after it says which colour it was, so recall accuracy against distance measures memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch

from models.corpus import split_heldout, split_paragraphs
from models.language import IGNORE, LanguageConfig, LanguageModel, sequence_loss
from models.language_networks import RecurrentNet, open_forget_gates
from models.through_time import GradientTrace, state_gradients
from models.training import OnStep, seed_everything, torch_threads, train_in_phases
from models.vocabulary import START, UNK, Vocabulary, tokenize

COLOURS = ("red", "blue", "green", "yellow", "white", "black")
THINGS = ("fence", "door", "boat", "bike", "gate", "wall")
FILLER_TEXT = (  # words that fill the gap: they say nothing about the colour
    "then we walked to the shop and bought some bread before it started to rain so "
    "my sister made tea while the dog slept by the window after lunch our neighbour came over with a cake"
)
FILLER = tuple(FILLER_TEXT.split())
PREFIX_LEN = 6  # "<s> i painted the fence red": the colour is token 5
SUFFIX = (",", "still")  # the last words read before the colour must be recalled


@dataclass(frozen=True)
class RecallConfig:
    """The long-dependency experiment: task sizes and the recurrent models' training."""

    min_distance: int = 3  # shortest gap (in tokens) between the colour and the word to predict
    stages: tuple[int, ...] = (6, 20, 60)  # curriculum: longest gap of each training stage
    examples: int = 2048  # training sentences per stage
    embedding_dim: int = 16  # word embedding size
    hidden_size: int = 32  # recurrent state size
    epochs: int = 6  # passes over each stage's sentences
    learning_rate: float = 0.01  # Adam step size
    batch_size: int = 64  # sentences per step
    forget_bias: float = 1.0  # LSTM forget-gate bias at the start: 1-2 keeps the cell state open from step one


def recall_sentence(distance: int, rng: random.Random) -> tuple[list[str], str]:
    """One task sentence whose last word is ``distance`` tokens after the colour, and that colour."""
    if distance < len(SUFFIX) + 1:
        raise ValueError(f"the distance must be at least {len(SUFFIX) + 1}")
    colour, thing = rng.choice(COLOURS), rng.choice(THINGS)
    filler = [rng.choice(FILLER) for _ in range(distance - len(SUFFIX) - 1)]
    return [START, "i", "painted", "the", thing, colour, ",", *filler, *SUFFIX], colour


def recall_vocabulary() -> Vocabulary:
    """Every word the task can use."""
    words = sorted({*COLOURS, *THINGS, *FILLER, "i", "painted", "the", *SUFFIX})
    return Vocabulary([START, UNK, *words])


def recall_tensors(
    vocab: Vocabulary, distances: list[int], length: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Left-padded (N, length) inputs, and targets that are IGNORE everywhere but the last position."""
    rng = random.Random(seed)
    inputs = torch.full((len(distances), length), vocab.start_id, dtype=torch.long)
    targets = torch.full((len(distances), length), IGNORE, dtype=torch.long)
    for row, d in enumerate(distances):
        tokens, colour = recall_sentence(d, rng)
        ids = vocab.encode(tokens)
        inputs[row, length - len(ids) :] = torch.tensor(ids)
        targets[row, -1] = vocab.stoi[colour]
    return inputs, targets


def sequence_length(config: RecallConfig) -> int:
    """Tokens per padded sentence: the longest sentence of the task."""
    return PREFIX_LEN + max(config.stages)


def train_recall_model(
    kind: str, config: RecallConfig = RecallConfig(), *, seed: int = 0, on_step: OnStep | None = None
) -> LanguageModel:
    """Train an "rnn" or "lstm" on the recall task, short gaps first (a curriculum), then ever longer ones.

    Both kinds get the same data and steps. Starting straight on long gaps leaves either model stuck at chance.
    """
    if kind not in ("rnn", "lstm"):
        raise ValueError("the recall task compares the two recurrent kinds: 'rnn' or 'lstm'")
    vocab = recall_vocabulary()
    rng = random.Random(seed)
    seed_everything(seed)
    net = RecurrentNet(kind, len(vocab), config.embedding_dim, config.hidden_size)
    if kind == "lstm" and config.forget_bias:
        open_forget_gates(net.rnn, config.forget_bias)
    phases = []
    for stage, longest in enumerate(config.stages):
        distances = [rng.randint(config.min_distance, longest) for _ in range(config.examples)]
        inputs, targets = recall_tensors(vocab, distances, sequence_length(config), seed + stage)
        phases.append({"inputs": inputs, "targets": targets, "seed": seed + stage})
    with torch_threads(1):
        history = train_in_phases(
            net,
            phases[0]["inputs"],
            phases[0]["targets"],
            phases,
            on_step=on_step,
            epochs=config.epochs,
            batch_size=config.batch_size,
            learning_rate=config.learning_rate,
            loss_fn=sequence_loss,
            classification=False,
            clip_grad_norm=1.0,
        )
    lm_config = LanguageConfig(
        kind=kind,
        embedding_dim=config.embedding_dim,
        hidden_size=config.hidden_size,
        epochs=config.epochs * len(config.stages),
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        seq_len=sequence_length(config),
        heldout_every=0,
    )
    return LanguageModel(lm_config, vocab, net, history)


def recall_accuracy(model: LanguageModel, distances: list[int], *, n: int = 200, seed: int = 1) -> dict[int, float]:
    """Share of fresh sentences, per distance, where the model's top next word is the right colour.

    Sentences are left-padded to the training length, as in training.
    """
    result = {}
    for d in distances:
        inputs, targets = recall_tensors(model.vocab, [d] * n, max(model.config.seq_len, PREFIX_LEN + d), seed + d)
        with torch.no_grad():
            guess = model.network(inputs)[:, -1].argmax(dim=-1)  # (N,)
        result[d] = float((guess == targets[:, -1]).float().mean())
    return result


def chance_level() -> float:
    """Accuracy of guessing a colour at random."""
    return float(np.float64(1.0) / len(COLOURS))


def recall_gradients(model: LanguageModel, distance: int, *, seed: int = 3) -> GradientTrace:
    """Backpropagation through time on one task sentence: the loss of the recalled colour, back to the colour.

    The sentence is left-padded as in training; the trace covers the steps from the colour to the last word,
    so ``trace.ratio()`` is ‖∂L/∂s_colour‖ / ‖∂L/∂s_T‖ (s = h_t, or c_t with ``along="cell"`` for the LSTM).
    """
    inputs, targets = recall_tensors(model.vocab, [distance], max(model.config.seq_len, PREFIX_LEN + distance), seed)
    tokens, _ = recall_sentence(distance, random.Random(seed))  # the same sentence: same seed, same draws
    hidden, cell, forget = state_gradients(model.network, inputs[0].tolist(), int(targets[0, -1]))
    keep = slice(-(distance + 1), None)  # the colour and the distance steps after it
    if cell is None:
        return GradientTrace(tokens[keep], hidden[keep], None)
    return GradientTrace(tokens[keep], hidden[keep], cell[keep], forget[keep])


# --- a long-range pattern in a student's own text -------------------------------------------------------------
NAMES = ("anna", "ben", "chloe", "david", "emma", "farid")
GAPS = (  # what happens between the fact and the word that needs it: short gaps teach the link, long ones test it
    "",
    "later",
    "a week later",
    "after a long week",
    "after we came back from school",
    "after a rainy day at the lake with our friends",
    "after the whole family went to the lake for a week",
    "after we took the bus into town and had pizza with our friends",
    "after it rained all morning and we stayed inside to play cards with grandma",
)


def pattern_text(sentences: int = 1000, seed: int = 0) -> str:
    """A student-like text with a long-range pattern: a colour named early in a sentence is needed at its end.

    "anna got a red bike for her birthday , and after we walked to school … , the bike was still red ."
    The words just before the last colour ("was still") are the same whatever the colour, so only a model that
    remembers the start of the sentence can predict it. One sentence per paragraph, so every tenth is held out.
    """
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        name, colour, thing, gap = rng.choice(NAMES), rng.choice(COLOURS), rng.choice(THINGS), rng.choice(GAPS)
        lines.append(_pattern_sentence(name, colour, thing, gap))
    return "\n\n".join(lines)


def _pattern_sentence(name: str, colour: str, thing: str, gap: str) -> str:
    middle = f", and {gap}, " if gap else ", and "
    return f"{name.capitalize()} got a {colour} {thing} for a birthday{middle}the {thing} was still {colour}."


def pattern_distances() -> tuple[int, int]:
    """The shortest and longest distance, in tokens, from the first colour to "still" (as in the recall task)."""
    lengths = [len(tokenize(_pattern_sentence("anna", "red", "bike", gap))) for gap in GAPS]
    colour = len(tokenize("anna got a red")) - 1  # the colour's position; "still" is 3 before the end ("red .")
    return min(lengths) - 3 - colour, max(lengths) - 3 - colour


def _pattern_pairs(text: str) -> list[tuple[str, str]]:
    """(everything before the last colour, that colour) for every paragraph ending in "was still <colour>."."""
    pairs = []
    for paragraph in split_paragraphs(text):
        head, _, last = paragraph.rstrip(" .").rpartition(" ")
        if last.lower() in COLOURS and head.lower().endswith("was still"):
            pairs.append((head, last.lower()))
    return pairs


def pattern_sentences(text: str) -> int:
    """How many of the text's paragraphs end in "was still <colour>." (the pattern :func:`pattern_recall` scores)."""
    return len(_pattern_pairs(text))


def pattern_recall(model: LanguageModel, text: str) -> float:
    """Share of the held-out pattern sentences where the model's top word after "was still" is their colour.

    Held out means the paragraphs the model did not train on (every ``heldout_every``-th); all of them if none.
    """
    _, heldout = split_heldout(split_paragraphs(text), model.config.heldout_every)
    pairs = _pattern_pairs("\n\n".join(heldout)) or _pattern_pairs(text)
    return sum(model.predict_next(head, 1)[0][0] == colour for head, colour in pairs) / max(len(pairs), 1)
