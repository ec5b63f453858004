"""The lab's default models in one place: the name each is cached under, what it is and the page that uses it.

Home lists them. The descriptions of architectures are written from the configs that build the models (channels,
widths, layer sizes), so changing a config changes its description too.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import autoencoder, cnn, language, speech_cnn, text_cnn
from models.drawing import input_size, labels_of

DIMENSIONALITY_PAGE = "Dimensionality reduction"
DRAW_PAGE = "Draw and classify"
NEXT_WORD_PAGE = "Next word"
TEXT_SPEECH_PAGE = "CNNs for text and speech"


@dataclass(frozen=True)
class DefaultModel:
    """One default model: trained once per server in the background, then loaded from the weights cache."""

    name: str  # the name its weights are saved under (``models.store``)
    what: str  # what it is, in a line (the Home table's "what it is")
    page: str  # the title of the page that uses it


def _arrows(*sizes: int) -> str:
    return "→".join(str(s) for s in sizes)


def autoencoder_description(config: autoencoder.AutoencoderConfig) -> str:
    """ "Digits autoencoder 64→64→2→64→64 (ReLU, sigmoid)", or the linear one's layer sizes."""
    pixels, k = autoencoder.PIXELS, config.latent
    if config.linear:
        return f"Linear digits autoencoder {_arrows(pixels, k, pixels)} (no ReLU)"
    h = config.hidden
    return f"Digits autoencoder {_arrows(pixels, h, k, h, pixels)} (ReLU, sigmoid)"


def classifier_description(task: str, arch: str = "cnn") -> str:
    """The default drawing classifier of ``task``: its conv layers and channels, or the MLP's layer sizes."""
    config = cnn.default_config(task, arch)
    what = "X / O / other" if task == "xo" else "Digits 0–9"
    if arch == "mlp":
        sizes = _arrows(input_size(task) ** 2, config.hidden, len(labels_of(task)))
        return f"{what} MLP ({sizes}), for the invariance probe"
    data = " on load_digits + synthetic strokes" if task == "digits" else ""
    channels = ", ".join(str(c) for c in config.channels)
    return f"{what} CNN{data}, {len(config.channels)} conv layers ({channels} channels)"


def text_cnn_description(config: text_cnn.TextCNNConfig) -> str:
    """ "Text CNN: word embeddings → convs of widths 2, 3, 4 → max over time"."""
    widths = ", ".join(str(w) for w in config.widths)
    return f"Text CNN: word embeddings → convs of widths {widths} → max over time"


def speech_cnn_description(config: speech_cnn.SpeechConfig) -> str:
    """ "Speech CNN: 2 conv layers on spectrograms of 8 generated sounds"."""
    sounds = len(speech_cnn.CLASSES)
    return f"Speech CNN: {len(config.channels)} conv layers on spectrograms of {sounds} generated sounds"


def _language_description(kind: str) -> str:
    config = language.default_config(kind)
    return {
        "window": "Next word from the previous 2 word embeddings (FFN)",
        "bow": "Next word from the bag-of-words count vector of all previous words (FFN)",
        "rnn": f"Next word with a vanilla tanh RNN ({config.hidden_size} hidden units)",
        "lstm": f"Next word with an LSTM ({config.hidden_size} hidden units)",
    }[kind]


def _default_models() -> dict[str, DefaultModel]:
    entries = [
        DefaultModel("autoencoder", autoencoder_description(autoencoder.DEFAULT_CONFIG), DIMENSIONALITY_PAGE),
        DefaultModel("linear_autoencoder", autoencoder_description(autoencoder.LINEAR_CONFIG), DIMENSIONALITY_PAGE),
        DefaultModel("xo", classifier_description("xo"), DRAW_PAGE),
        DefaultModel("digits", classifier_description("digits"), DRAW_PAGE),
        DefaultModel("xo_mlp", classifier_description("xo", "mlp"), DRAW_PAGE),
        DefaultModel("digits_mlp", classifier_description("digits", "mlp"), DRAW_PAGE),
        *(DefaultModel(kind, _language_description(kind), NEXT_WORD_PAGE) for kind in language.KINDS),
        DefaultModel("longdep_rnn", "Vanilla RNN on the long-dependency recall task", NEXT_WORD_PAGE),
        DefaultModel("longdep_lstm", "LSTM on the long-dependency recall task", NEXT_WORD_PAGE),
        DefaultModel("text_cnn", text_cnn_description(text_cnn.DEFAULT_CONFIG), TEXT_SPEECH_PAGE),
        DefaultModel("speech_cnn", speech_cnn_description(speech_cnn.DEFAULT_CONFIG), TEXT_SPEECH_PAGE),
    ]
    return {entry.name: entry for entry in entries}


DEFAULT_MODELS: dict[str, DefaultModel] = _default_models()  # in the order Home lists them
