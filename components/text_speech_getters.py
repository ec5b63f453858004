"""Cached getters of the text and speech page: the hand-made detectors, the trained text and speech CNNs, and
their readings of one sentence or sound. Trained models are hashed by their own key."""

from __future__ import annotations

import hashlib

import numpy as np

from components import charts as _charts
from components import heatmaps as _heatmaps
from components import images as _images
from components import resources
from models import applications as _applications
from models import sentences as _sentences
from models import speech_cnn as _speech_cnn
from models import store
from models import text_cnn as _text_cnn
from models.training_process import Trainer

TEXT_SPEECH_MAX_CHARS = 2000  # a longer sentence is refused: the lesson reads one sentence, not a book


@resources.cache_data(max_entries=256)
def get_handmade_text_view(sentence: str) -> dict:
    """The hand-made text CNN on one sentence: its verdict and the chart specs, built once per sentence.

    Raises ValueError when the sentence has no words to convolve over.
    """
    verdict = _applications.classify_sentence(sentence)
    matrix = _applications.sentence_matrix(verdict.words)
    width = len(verdict.words)
    # Each detector's score sits under the word where its window starts; no window starts past the end.
    maps = np.full((len(verdict.maps), width), np.nan)
    for i, m in enumerate(verdict.maps.values()):
        maps[i, : len(m)] = m
    winners = [(i, int(np.argmax(m))) for i, m in enumerate(verdict.maps.values()) if m.size and m.max() > 0]
    input_title = "The sentence as numbers (feature × word)"
    maps_title = "Feature maps after ReLU (detector × where its window starts)"
    return {
        "verdict": verdict,
        "input_spec": _heatmaps.word_heatmap_chart(
            matrix, verdict.words, _applications.WORD_FEATURES, title=input_title, domain=(0, 1)
        ),
        "maps_spec": _heatmaps.word_heatmap_chart(
            maps, verdict.words, list(verdict.maps), title=maps_title, domain=(0, 1), highlight=winners
        ),
    }


@resources.cache_data(max_entries=32)
def get_handmade_sound_view(sound: str, kernel: str) -> dict:
    """A clean sound of ``sound``, its spectrogram and one hand-made kernel's feature map."""
    wave = _applications.make_sound(sound)
    image = _applications.spectrogram(wave)
    response = _applications.convolve_spectrogram(image, _applications.SPECTRO_KERNELS[kernel])
    return {"wave": wave, "image": image, "response": response}


TEXT_SPEECH_VERSION = 1  # bump when the text or speech CNN's data, architecture or training changes
TEXT_FILTERS_SHOWN = 4  # filters traced along the student's sentence
TOP_NGRAMS = 5  # n-grams listed per filter


@resources.cache_resource()
def get_sentences_fingerprint() -> str:
    """A short hash of the labelled sentence files, so that edited data retrains the text CNN."""
    digest = hashlib.sha1()
    for path in _sentences.sentence_files():
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def get_text_cnn() -> _text_cnn.TrainedTextCNN:
    """The shared text CNN, trained on first use on the labelled sentences."""
    config = _text_cnn.DEFAULT_CONFIG
    return resources.shared_model(
        "text_cnn",
        {**store.config_dict(config), "data": get_sentences_fingerprint()},
        TEXT_SPEECH_VERSION,
        train=Trainer(_text_cnn.train_text_cnn, (config,)),
        restore=_text_cnn.TrainedTextCNN.from_payload,
        label="the text CNN",
    )


@resources.cache_resource()
def get_bag_of_words(fingerprint: str) -> _text_cnn.BagOfWords:
    """The bag-of-words logistic regression on the text CNN's training split (fitted in well under a second)."""
    return _text_cnn.train_bag_of_words()


@resources.cache_data(max_entries=4)
def get_text_comparison(model: _text_cnn.TrainedTextCNN) -> _text_cnn.Comparison:
    """Text CNN against bag of words on the held-out split."""
    return _text_cnn.compare(model, get_bag_of_words(get_sentences_fingerprint()))


@resources.cache_data(max_entries=4)
def get_top_ngrams(model: _text_cnn.TrainedTextCNN) -> dict[str, list[tuple[str, float]]]:
    """For every filter, the training-corpus n-grams that excite it most."""
    train_rows, _ = _sentences.load_split()
    return model.top_ngrams([s for s, _ in train_rows], TOP_NGRAMS)


@resources.cache_data(max_entries=256)
def get_text_reading(sentence: str, model: _text_cnn.TrainedTextCNN) -> dict:
    """Everything the page shows about one sentence, computed once: probabilities, the strongest filters'
    traces along the words as a chart spec, and which words the model did not know.

    Raises ValueError when the sentence has no words.
    """
    reading = model.read(sentence)
    shown = reading.traces[:TEXT_FILTERS_SHOWN]
    values = np.full((len(shown), max(len(reading.tokens), max(model.config.widths))), np.nan)
    highlight = []
    for i, trace in enumerate(shown):
        values[i, : len(trace.scores)] = trace.scores
        highlight += [(i, trace.start + d) for d in range(trace.width) if trace.start + d < values.shape[1]]
    words = reading.tokens + ["·"] * (values.shape[1] - len(reading.tokens))
    peak = max(float(np.nanmax(values)) if np.isfinite(values).any() else 1.0, 1e-6)
    title = "Filter scores at each window start (outlined: the n-gram that won the max-pool)"
    spec = _heatmaps.word_heatmap_chart(
        values, words, [t.name for t in shown], title=title, scheme=_charts.SEQUENTIAL, domain=(0, peak), fmt=".1f"
    )
    probs = dict(sorted(reading.probs.items(), key=lambda kv: -kv[1]))
    return {
        "reading": reading,
        "traces_spec": spec,
        "probs_spec": _charts.probability_chart(probs),
        "unknown": [t for t, k in zip(reading.tokens, reading.known, strict=True) if not k],
    }


def get_speech_cnn() -> _speech_cnn.TrainedSpeechCNN:
    """The shared speech CNN, trained on first use on freshly generated sounds."""
    config = _speech_cnn.DEFAULT_CONFIG
    return resources.shared_model(
        "speech_cnn",
        config,
        TEXT_SPEECH_VERSION,
        train=Trainer(_speech_cnn.train_speech_cnn, (config,)),
        restore=_speech_cnn.TrainedSpeechCNN.from_payload,
        label="the speech CNN",
    )


@resources.cache_data(max_entries=64)
def get_speech_view(sound: str, variant: int, model: _speech_cnn.TrainedSpeechCNN) -> dict:
    """One generated sound (variant 0 is the clean one), the CNN's probabilities and its first-layer maps as PNG."""
    if variant == 0:
        wave = _applications.make_sound(sound)
    else:
        wave = _speech_cnn.random_sound(sound, np.random.default_rng(variant), model.config)
    maps = model.feature_maps(wave)
    probs = dict(sorted(model.predict_proba(wave).items(), key=lambda kv: -kv[1]))
    return {
        "wave": wave,
        "image": _applications.spectrogram(wave),
        "probs": probs,
        "probs_spec": _charts.probability_chart(probs),
        "maps_png": _images.png_bytes(_images.feature_grid_image(maps, columns=4, scale=4)),
    }


@resources.cache_data(max_entries=4)
def get_speech_kernel_pictures(model: _speech_cnn.TrainedSpeechCNN) -> dict:
    """The learned first-layer kernels and the hand-made ones, each as one PNG (red positive, blue negative), and
    for each hand-made kernel the most similar learned one (index, cosine similarity)."""
    handmade = np.stack(list(_applications.SPECTRO_KERNELS.values()))
    learned = model.kernels().reshape(len(model.kernels()), -1)
    learned = learned / np.linalg.norm(learned, axis=1, keepdims=True).clip(1e-9)
    closest = {}
    for name, kernel in _applications.SPECTRO_KERNELS.items():
        cosine = learned @ (kernel.ravel() / np.linalg.norm(kernel))
        closest[name] = (int(cosine.argmax()), float(cosine.max()))
    return {
        "closest": closest,
        "learned": _images.png_bytes(_images.feature_grid_image(model.kernels(), columns=8, scale=24, signed=True)),
        "handmade": _images.png_bytes(_images.feature_grid_image(handmade, columns=4, scale=24, signed=True)),
    }


PAGE_MODELS = (get_text_cnn, get_speech_cnn)  # the default models the page's sections use
