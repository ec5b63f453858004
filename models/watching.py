"""Usable models made from a network between epochs, so that a student can watch a model learn.

``models.training`` hands out the live network after every epoch (``on_epoch``); the functions here wrap a
frozen copy of it in the trainers' own classes, so that a snapshot predicts, shows its kernels and reports its
test accuracy or held-out perplexity exactly like a finished model. Nothing here trains.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
from torch import nn

from models.cnn import ClassifierConfig, ImageClassifier
from models.corpus import split_heldout, split_paragraphs
from models.drawing import labels_of
from models.language import LanguageConfig, LanguageModel, default_config
from models.training import History, snapshot
from models.vocabulary import Vocabulary, mark_sentences, tokenize


def copy_history(history: History) -> History:
    """A copy of ``history`` that the trainer's later epochs do not change."""
    return History().extend(history)


def classifier_snapshot(config: ClassifierConfig, network: nn.Module, history: History) -> ImageClassifier:
    """The classifier as it is after the epochs in ``history``: its test accuracy is the last epoch's.

    ``train_classifier`` validates on the test set after every epoch, so ``history.val_accuracy[-1]`` is the
    snapshot's test accuracy. The confusion matrix is left at zeros (the watching view does not show it).
    """
    accuracy = history.val_accuracy[-1] if history.val_accuracy else math.nan
    n = len(labels_of(config.task))
    return ImageClassifier(config, snapshot(network), copy_history(history), accuracy, np.zeros((n, n), np.int64))


@dataclass(frozen=True)
class LanguageRun:
    """What ``train_language_model`` derives from a text before it trains: the config, vocabulary and held-out part."""

    config: LanguageConfig
    vocab: Vocabulary
    heldout_text: str  # "" when the text is too short to hold a part out


def prepare_language_run(text: str, kind: str, **overrides) -> LanguageRun:
    """The vocabulary and held-out text ``train_language_model(text, kind, **overrides)`` will use.

    The same steps as the trainer (tests/test_background.py checks that both agree), so that a snapshot of the
    network reads prompts with the vocabulary it is being trained on.
    """
    config = default_config(kind, **overrides)
    train_part, heldout = split_heldout(split_paragraphs(text), config.heldout_every)
    train_tokens = [t for p in train_part for t in mark_sentences(tokenize(p))]
    min_count = config.min_count or (1 if len(train_tokens) < 5000 else 2)
    vocab = Vocabulary.build(train_tokens, min_count=min_count, max_size=config.max_vocab)
    return LanguageRun(config, vocab, "\n\n".join(heldout))


def language_snapshot(run: LanguageRun, network: nn.Module, history: History) -> LanguageModel:
    """The language model as it is after the epochs in ``history``, with its held-out perplexity measured now."""
    model = LanguageModel(run.config, run.vocab, snapshot(network), copy_history(history))
    if run.heldout_text:
        with contextlib.suppress(ValueError):  # a held-out part without a single known word: no perplexity
            model.heldout_perplexity = model.perplexity(run.heldout_text)
    return model
