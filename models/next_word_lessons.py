"""The small computations behind the next-word page: which count-vector slots to show, averages over the recall
distances, the comparison table, the named word groups that sit together, and a vocabulary before any model exists."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from models import language
from models.corpus import split_heldout, split_paragraphs
from models.language_networks import AdaptiveReadout
from models.vocabulary import Vocabulary, mark_sentences, tokenize

LOG_FLOOR = 1e-30  # a gradient norm of exactly 0 cannot be drawn on a log scale
CLOSE_MARGIN = 0.1  # a named group "sits together" when its cosine beats two random words by this much


def corpus_vocabulary(text: str, kind: str = "lstm") -> Vocabulary:
    """The vocabulary a default model of ``kind`` builds from ``text`` (its training paragraphs), without training."""
    config = language.default_config(kind)
    train_part, _ = split_heldout(split_paragraphs(text), config.heldout_every)
    tokens = [t for p in train_part for t in mark_sentences(tokenize(p))]
    min_count = config.min_count or (1 if len(tokens) < 5000 else 2)
    return Vocabulary.build(tokens, min_count=min_count, max_size=config.max_vocab)


def shown_slots(counts: np.ndarray, *, empty: range = range(2, 12), limit: int = 40) -> list[int]:
    """The count-vector slots worth showing: a few (mostly empty) ones, then every word of the prompt, at most
    ``limit`` in all."""
    return sorted({*empty, *np.flatnonzero(counts).tolist()})[:limit]


def log_safe(values: np.ndarray) -> np.ndarray:
    """Values floored at LOG_FLOOR, so that a log-scale chart can draw them."""
    return np.maximum(values, LOG_FLOOR)


def far_accuracy(accuracy: Mapping[str, Mapping[int, float]], far: int) -> dict[str, float]:
    """Each model's mean recall accuracy over the distances of at least ``far``."""
    return {
        kind: float(np.mean([value for distance, value in by_distance.items() if distance >= far]))
        for kind, by_distance in accuracy.items()
    }


def spread_ranges(runs: Sequence) -> tuple[tuple[float, float], tuple[float, float]]:
    """Over several runs (``RunSummary``): the range of the largest gradient norm and of the loss's rise."""
    norms = [run.largest_norm for run in runs]
    rises = [run.highest_loss - run.start_loss for run in runs]
    return (min(norms), max(norms)), (min(rises), max(rises))


def exploded(run, *, norm: float, rise: float) -> bool:
    """Whether a run (``RunSummary``) "exploded": its largest gradient norm reached ``norm`` and its loss rose
    ``rise`` above its start."""
    return run.largest_norm >= norm and run.highest_loss - run.start_loss >= rise


def rounded_perplexity(model: language.LanguageModel) -> float | None:
    """The held-out perplexity to one decimal, or None when no text was held out."""
    ppl = model.heldout_perplexity
    return None if math.isnan(ppl) else round(ppl, 1)


def comparison_rows(
    models: Mapping[str, language.LanguageModel], labels: Mapping[str, str], reads: Mapping[str, str]
) -> list[dict]:
    """One row per model: held-out perplexity, how far it reads, vocabulary, parameters, epochs, training time."""
    return [
        {
            "model": labels[kind],
            "held-out perplexity": rounded_perplexity(m),
            "reads": reads[kind],
            "vocabulary": len(m.vocab),
            "parameters": m.num_parameters,
            "epochs": len(m.history.loss),
            "training time (s)": round(m.history.seconds, 1),
        }
        for kind, m in models.items()
    ]


def known_perplexities(models: Mapping[str, language.LanguageModel]) -> dict[str, float]:
    """Each model's held-out perplexity, leaving out the models that had no held-out text."""
    return {k: m.heldout_perplexity for k, m in models.items() if not math.isnan(m.heldout_perplexity)}


def close_groups(groups: Mapping[str, float], baseline: float, margin: float = CLOSE_MARGIN) -> tuple[list, list]:
    """The named groups whose words sit clearly closer than two random words, and the others."""
    together = [name for name, sim in groups.items() if sim >= baseline + margin]
    return together, [name for name in groups if name not in together]


def progress_row(label: str, state: str, model: language.LanguageModel | None, prompt: str) -> dict:
    """One model of a student's own four as it trains: epochs done, held-out perplexity, its next word."""
    top = model.predict_next(prompt, 1) if model is not None else []
    return {
        "model": label,
        "state": state,
        "epochs done": len(model.history.loss) if model is not None else 0,
        "held-out perplexity": rounded_perplexity(model) if model is not None else None,
        "next word": f"{top[0][0]} ({top[0][1]:.0%})" if top else "–",
    }


def clipped_norms(norms: Sequence[float], threshold: float) -> np.ndarray:
    """The gradient norms as gradient clipping at ``threshold`` lets them through."""
    return np.minimum(np.asarray(norms, dtype=float), threshold)


def perplexity_curves(models: Mapping[str, language.LanguageModel], labels: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Each model's held-out perplexity per epoch (exp of its validation loss), where text was held out."""
    return {labels[k]: np.exp(m.history.val_loss) for k, m in models.items() if m.history.val_loss}


def readout_sentence(model: language.LanguageModel) -> str:
    """What ŷ_t = softmax(W_hy h_t + b_y) is in this model: one W_hy, or an adaptive softmax's pieces."""
    out, h, v = model.network.out, model.config.hidden_size, len(model.vocab)
    if not isinstance(out, AdaptiveReadout):
        return f"W_hy is {v:,}×{h}."
    groups = out.groups()
    sizes = " and ".join(f"{last - first:,} (through h shrunk to {k} numbers)" for first, last, k in groups)
    return (
        f"Here W_hy comes in pieces, to train faster than by scoring all {v:,} tokens at every step (an adaptive "
        f"softmax): one softmax over the {out.head_size} most frequent tokens plus one entry per group of rarer "
        f"words, {sizes}; a rarer word's probability is its group's times its share inside the group. Training "
        "scores a group only where the next word is in it; predictions here use every group."
    )
