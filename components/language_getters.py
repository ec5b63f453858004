"""Cached getters of the next-word page: the corpus, the four default language models and the two recall models,
a student's own four, and what the page reads off them (predictions, hidden states, gates, gradients, embeddings)."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from components import resources
from components.watch_jobs import JobView, WatchPart
from models import corpus as _corpus
from models import embeddings as _embeddings
from models import language as _language
from models import long_dependency as _longdep
from models import next_word_lessons as _next_word_lessons
from models import store
from models import through_time as _through_time
from models import vocabulary as _vocabulary
from models import watching as _watching
from models.training_process import Trainer

LANGUAGE_VERSION = 3  # bump when the language models' tokenizer, architecture or training changes
LANGUAGE_LABELS = {
    "window": "window (previous 2 words)",
    "bow": "bag of words",
    "rnn": "RNN",
    "lstm": "LSTM",
}
CUSTOM_TEXT_MAX_BYTES = 200_000  # a pasted or uploaded text is refused above this size


@resources.cache_resource()
def get_corpus() -> tuple[str, str]:
    """The bundled corpus text and a short fingerprint of it (so an edited corpus retrains the models)."""

    text = _corpus.read_corpus()
    return text, hashlib.sha1(text.encode()).hexdigest()[:12]


def get_language_model(kind: str) -> _language.LanguageModel:
    """The shared default next-word model of ``kind``, trained on the bundled corpus."""
    text, fingerprint = get_corpus()
    config = _language.default_config(kind)
    return resources.shared_model(
        kind,
        {**store.config_dict(config), "corpus": fingerprint},
        LANGUAGE_VERSION,
        train=Trainer(_language.train_language_model, (text, kind)),
        restore=_language.LanguageModel.from_payload,
        label=f"the {LANGUAGE_LABELS[kind]} model",
    )


@resources.cache_resource()
def get_corpus_vocabulary() -> _vocabulary.Vocabulary:
    """The vocabulary the default models build from the corpus (to check a prompt before any model is ready)."""
    return _next_word_lessons.corpus_vocabulary(get_corpus()[0])


DEFAULT_MODELS = tuple(functools.partial(get_language_model, kind) for kind in _language.KINDS)  # their getters


def get_language_models() -> dict[str, _language.LanguageModel]:
    """All four default next-word models (window, bow, rnn, lstm)."""
    return {kind: get_language_model(kind) for kind in _language.KINDS}


def get_custom_language_models(text: str, *, submitted: bool = False) -> JobView:
    """The four models trained one after another on a student's own text, in the background (see ``watch_custom``).

    Each part (window, bow, rnn, lstm) is a LanguageModel after every epoch, with its held-out perplexity.
    """

    def part(kind: str) -> WatchPart:
        overrides = _language.OWN_TEXT_OVERRIDES.get(kind, {})
        prepared: dict[str, _watching.LanguageRun] = {}  # the vocabulary, worked out at the first epoch

        def snapshot(epoch: int, network: Any, history: Any) -> _language.LanguageModel:
            if "run" not in prepared:
                prepared["run"] = _watching.prepare_language_run(text, kind, **overrides)
            return _watching.language_snapshot(prepared["run"], network, history)

        return WatchPart(
            kind,
            f"the {LANGUAGE_LABELS[kind]} model on your text",
            lambda on_step: _language.train_language_model(text, kind, on_step=on_step, **overrides),
            snapshot,
            lambda model: {"held-out perplexity": model.heldout_perplexity},
        )

    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    parts = [part(kind) for kind in _language.KINDS]
    key = f"next_word-v{LANGUAGE_VERSION}-{digest}"
    return resources.watch_custom("next_word_own", key, "the four models on your text", parts, submitted=submitted)


@resources.cache_data(max_entries=512)
def get_next_word_predictions(models: dict, prompt: str, k: int) -> dict[str, list[tuple[str, float]]]:
    """Top-k next words of every model for one prompt, most likely first."""
    return {kind: model.predict_next(prompt, k) for kind, model in models.items()}


@resources.cache_data(max_entries=256)
def get_continuation(model: _language.LanguageModel, prompt: str, n: int, temperature: float, seed: int) -> str:
    """The prompt continued by n words (greedy at temperature 0)."""
    return _vocabulary.detokenize(model.generate(prompt, n, temperature, seed=seed))


@resources.cache_data(max_entries=128)
def get_unrolled_rnn(model: _language.LanguageModel, prompt: str) -> dict:
    """The RNN read over a prompt: tokens, hidden state per step and the top prediction per step."""
    tokens, states = model.hidden_states(prompt)
    return {"tokens": tokens, "states": states, "predictions": model.step_predictions(prompt)}


@resources.cache_data(max_entries=128)
def get_gate_trace(model: _language.LanguageModel, prompt: str) -> _through_time.GateTrace:
    """The LSTM's gates and cell state over a prompt."""
    return _through_time.lstm_gates(model, prompt)


@resources.cache_data(max_entries=256)
def get_gradient_norms(models: dict, text: str, spectral_radius: float) -> dict:
    """‖∂L/∂h_t‖ per step for the RNN (W_hh rescaled to ``spectral_radius``, and as trained) and the LSTM."""
    rnn, lstm = models["rnn"], models["lstm"]
    scaled = _through_time.gradient_norms(rnn, text, spectral_radius=spectral_radius)
    return {
        "tokens": scaled.tokens,
        "rnn": scaled.hidden,
        "rnn_trained": _through_time.gradient_norms(rnn, text).hidden,
        "lstm": _through_time.gradient_norms(lstm, text).hidden,
        "rnn_linear": _through_time.recurrent_weight_norms(rnn, text, spectral_radius),
    }


@resources.cache_data(max_entries=16)
def get_exploding_run(clip: float | None) -> dict:
    """The unstable vanilla-RNN run with clipping off (None) or at a threshold, as a History dict."""
    text, _ = get_corpus()
    return _through_time.exploding_gradient_run(text, clip=clip).to_dict()


@resources.cache_data(spinner="Repeating the unclipped run with four more seeds…")
def get_exploding_spread() -> list[_through_time.RunSummary]:
    """The unclipped run for every seed of ``through_time.SPREAD_SEEDS``, measured on this machine (about 3 s)."""
    text, _ = get_corpus()
    return _through_time.exploding_spread(text)


def get_recall_models() -> dict[str, _language.LanguageModel]:
    """The RNN and LSTM trained on the long-dependency recall task (trained on first use)."""
    config = _longdep.RecallConfig()
    return {
        kind: resources.shared_model(
            f"longdep_{kind}",
            config,
            LANGUAGE_VERSION,
            train=Trainer(_longdep.train_recall_model, (kind, config)),
            restore=_language.LanguageModel.from_payload,
            label=f"the {LANGUAGE_LABELS[kind]} on the recall task",
        )
        for kind in ("rnn", "lstm")
    }


@resources.cache_data(max_entries=4)
def get_recall_accuracy(models: dict, distances: tuple[int, ...]) -> dict[str, dict[int, float]]:
    """Recall accuracy against distance for the long-dependency RNN and LSTM."""
    return {kind: _longdep.recall_accuracy(model, list(distances)) for kind, model in models.items()}


@resources.cache_data(max_entries=8)
def get_recall_gradients(models: dict, distance: int) -> dict[str, _through_time.GradientTrace]:
    """Backpropagation through time from the recalled colour back to it, for the recall RNN and LSTM."""
    return {kind: _longdep.recall_gradients(model, distance) for kind, model in models.items()}


@resources.cache_data(max_entries=8)
def get_pattern_recall(models: dict, text: str) -> dict[str, float] | None:
    """Each model's recall of the long-range colour in ``text``'s sentences, or None if it holds no such pattern."""
    if _longdep.pattern_sentences(text) < 10:
        return None
    return {kind: _longdep.pattern_recall(model, text) for kind, model in models.items()}


@resources.cache_data(max_entries=128)
def get_rnn_step(model: _language.LanguageModel, prompt: str) -> _through_time.RnnStep:
    """The RNN's last step on a prompt, split into the terms of h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)."""
    return _through_time.rnn_step(model, prompt)


@resources.cache_data(max_entries=8)
def get_heldout_unknown_share(model: _language.LanguageModel, text: str | None) -> float:
    """Share of the held-out tokens (of ``text``, or of the bundled corpus if None) read as ``<unk>``."""
    text = get_corpus()[0] if text is None else text
    _, heldout = _corpus.split_heldout(_corpus.split_paragraphs(text), model.config.heldout_every)
    return _vocabulary.unknown_share(model.vocab, "\n\n".join(heldout)) if heldout else 0.0


@resources.cache_data(max_entries=16)
def get_embedding_view(model: _language.LanguageModel, change: bool) -> _embeddings.EmbeddingView:
    """A model's word embeddings (or what training added to them) and their 2-D PCA map."""
    return _embeddings.embedding_view(model, change=change)


@resources.cache_data(max_entries=16)
def get_start_similarity(model: _language.LanguageModel) -> float:
    """Average cosine between each word's trained embedding and its random start."""
    return _embeddings.start_similarity(model)
