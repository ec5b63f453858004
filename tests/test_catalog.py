"""models/catalog.py: every default model is listed once, on a real page, and its description is the network's."""

import re
from pathlib import Path

import pytest
from torch import nn

from models import autoencoder, catalog, cnn, language, speech_cnn, text_cnn

ROOT = Path(__file__).resolve().parents[1]


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def linear_sizes(network: nn.Module) -> list[int]:
    """Input size, then the output size of every linear layer, in order."""
    layers = [m for m in network.modules() if isinstance(m, nn.Linear)]
    return [layers[0].in_features, *(layer.out_features for layer in layers)]


def test_every_default_model_is_listed_once_on_a_page_of_the_app():
    names = list(catalog.DEFAULT_MODELS)
    assert names[:2] == ["autoencoder", "linear_autoencoder"] and len(names) == len(set(names)) == 14
    assert all(name == model.name for name, model in catalog.DEFAULT_MODELS.items())
    assert {"xo", "digits", "xo_mlp", "digits_mlp", *language.KINDS, "text_cnn", "speech_cnn"} <= set(names)
    titles = set(re.findall(r'title="([^"]+)"', (ROOT / "streamlit_app.py").read_text()))
    assert {model.page for model in catalog.DEFAULT_MODELS.values()} <= titles


@pytest.mark.parametrize("task", ["xo", "digits"])
def test_cnn_descriptions_are_the_networks_conv_layers(task):
    network = cnn.build_network(cnn.default_config(task))
    channels = [conv.out_channels for conv in network.convs]
    what = catalog.DEFAULT_MODELS[task].what
    assert f"{len(channels)} conv layers ({', '.join(map(str, channels))} channels)" in what


@pytest.mark.parametrize("task", ["xo", "digits"])
def test_mlp_descriptions_are_the_networks_layer_sizes(task):
    network = cnn.build_network(cnn.default_config(task, "mlp"))
    assert numbers(catalog.DEFAULT_MODELS[f"{task}_mlp"].what.split("MLP")[1]) == linear_sizes(network)


@pytest.mark.parametrize(
    ("name", "config"), [("autoencoder", autoencoder.DEFAULT_CONFIG), ("linear_autoencoder", autoencoder.LINEAR_CONFIG)]
)
def test_autoencoder_descriptions_are_the_networks_layer_sizes(name, config):
    assert numbers(catalog.DEFAULT_MODELS[name].what) == linear_sizes(autoencoder.Autoencoder(config))


def test_text_and_speech_descriptions_follow_their_networks():
    widths = [conv.kernel_size[0] for conv in text_cnn.TextCNN(50, len(text_cnn.CLASSES)).convs]
    assert f"widths {', '.join(map(str, widths))} →" in catalog.DEFAULT_MODELS["text_cnn"].what
    network = speech_cnn.SpeechCNN(len(speech_cnn.CLASSES), speech_cnn.DEFAULT_CONFIG.channels)
    convs = sum(isinstance(m, nn.Conv2d) for m in network.modules())
    assert numbers(catalog.DEFAULT_MODELS["speech_cnn"].what) == [convs, network.linear.out_features]


def test_recurrent_descriptions_give_the_hidden_size():
    for kind in ("rnn", "lstm"):
        network = language.build_network(language.default_config(kind), 30, 0)
        assert f"({network.rnn.hidden_size} hidden units)" in catalog.DEFAULT_MODELS[kind].what


def test_a_changed_config_changes_its_description():
    assert "64→64→3→64→64" in catalog.autoencoder_description(autoencoder.AutoencoderConfig(latent=3))
    assert "widths 2, 5 →" in catalog.text_cnn_description(text_cnn.TextCNNConfig(widths=(2, 5)))
    assert "3 conv layers" in catalog.speech_cnn_description(speech_cnn.SpeechConfig(channels=(4, 8, 16)))
