"""The order students are most likely to need the default models in, and the warm-up that queues them so.

Draw first, then next word, text and speech, dimensionality, and last the long-term-memory pair (only one tab
needs it). ``lesson.page_intro`` calls :func:`warm_up` on every page run; it does its work once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components import drawing_getters, language_getters, pca_getters, resources, text_speech_getters

WARM_UP_ORDER: list[Callable[[], Any]] = [
    lambda: drawing_getters.get_classifier("xo"),
    lambda: drawing_getters.get_classifier("digits"),
    language_getters.get_language_models,
    lambda: drawing_getters.get_classifier("xo", "mlp"),
    lambda: drawing_getters.get_classifier("digits", "mlp"),
    text_speech_getters.get_text_cnn,
    text_speech_getters.get_speech_cnn,
    pca_getters.get_autoencoder,
    lambda: pca_getters.get_autoencoder(linear=True),
    language_getters.get_recall_models,
]


def warm_up() -> None:
    """Queue every missing default model for this process's background worker (once per process)."""
    resources.warm_up(WARM_UP_ORDER)
