"""models/cnn.py and models/cnn_training.py: the drawing classifiers: accuracy floors, shapes and parameters against
torch, bad inputs (odd arrays, blank canvases), persistence.
"""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from models import cnn, cnn_training, drawing
from models.training import History


def top(probs: dict[str, float]) -> str:
    return max(probs, key=probs.get)


def test_xo_reaches_99_5_percent_on_generated_shapes(xo_cnn):
    assert xo_cnn.labels == ("X", "O", "other")
    assert xo_cnn.test_accuracy >= 0.995
    assert xo_cnn.confusion.sum() == 1500
    assert xo_cnn.test_accuracy == pytest.approx(np.trace(xo_cnn.confusion) / xo_cnn.confusion.sum(), abs=1e-6)


def test_history_has_one_entry_per_epoch_including_the_cooldown(digits_cnn):
    config = digits_cnn.config
    n = config.epochs + config.cooldown_epochs
    history = digits_cnn.history
    assert len(history.loss) == len(history.val_accuracy) == n
    assert history.loss[-1] < history.loss[0]


@pytest.mark.parametrize("name", drawing.EXAMPLES["xo"])
def test_xo_examples_get_their_class(xo_cnn, name):
    probs = xo_cnn.predict_proba(drawing.example_drawing("xo", name))
    assert set(probs) == {"X", "O", "other"} and sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert top(probs) == (name if name in ("X", "O") else "other")


def test_digit_examples_get_their_digit(digits_cnn):
    guesses = {
        (name, seed): digits_cnn.predict_proba(drawing.example_drawing("digits", name, seed=seed))
        for name in drawing.EXAMPLES["digits"]
        for seed in (3, 4)
    }
    assert all(probs is not None for probs in guesses.values()), "every example digit has ink"
    right = sum(top(probs) == name for (name, _), probs in guesses.items())
    assert right >= 18, f"{right}/20 synthetic pen digits right"


def test_layer_table_matches_torch_shapes_and_numel(xo_cnn, digits_cnn):
    for model in (xo_cnn, digits_cnn):
        table = model.layer_table()
        assert sum(row["parameters"] for row in table) == model.num_parameters
        assert model.num_parameters == sum(p.numel() for p in model.network.parameters())
        maps = dict(model.grid_feature_maps(np.zeros((drawing.input_size(model.task),) * 2, np.float32)))
        for row in table:
            for name, values in maps.items():
                if row["layer"].startswith(name.split(" +")[0].replace("pool", "max-pool") + ":"):
                    assert row["output shape"] == " × ".join(map(str, values.shape))
        assert table[-1]["output shape"] == str(len(model.labels))
    conv1 = xo_cnn.network.convs[0]
    norm1 = xo_cnn.network.norms[0]
    c = xo_cnn.config.channels[0]
    conv1_parameters = conv1.weight.numel() + conv1.bias.numel() + 2 * c
    assert xo_cnn.layer_table()[1]["parameters"] == conv1_parameters == c * 9 + c + 2 * c
    assert norm1.weight.numel() == c


def test_feature_maps_cover_every_conv_layer_after_relu_and_pool(xo_cnn):
    maps = xo_cnn.feature_maps(drawing.example_drawing("xo", "X"))
    names = [name for name, _ in maps]
    assert names == ["conv 1 + ReLU", "pool 1", "conv 2 + ReLU", "pool 2", "conv 3 + ReLU", "pool 3"]
    c = xo_cnn.config.channels[0]
    side = drawing.XO_INPUT
    assert [m.shape for _, m in maps][:2] == [(c, side, side), (c, side // 2, side // 2)]
    assert all((m >= 0).all() for _, m in maps), "after ReLU nothing is negative"
    assert xo_cnn.kernels().shape == (c, 3, 3)


def test_preprocess_returns_every_step(xo_cnn, digits_cnn):
    steps = digits_cnn.preprocess(drawing.example_drawing("digits", "7"))
    assert steps.ink.shape == (280, 280) and steps.box.shape == (32, 32) and steps.grid.shape == (8, 8)
    np.testing.assert_allclose(steps.model_input, steps.grid / 16)
    steps = xo_cnn.preprocess(drawing.example_drawing("xo", "O"))
    m = drawing.XO_MARGIN
    assert steps.grid.shape == (drawing.XO_INPUT,) * 2 and steps.grid.max() == pytest.approx(1.0)
    assert steps.grid[:m].sum() == 0 and steps.grid[:, -m:].sum() == 0, "a margin is kept around the shape"


@pytest.mark.parametrize(
    ("make", "blank"),
    [
        (lambda: np.full((2000, 2000, 4), 255, np.uint8), True),  # huge, blank
        (lambda: np.zeros((280, 280, 4), np.uint8), True),  # transparent, blank
        (lambda: np.full((280, 280, 4), 255, np.uint8), True),  # white, blank
        (lambda: drawing.example_drawing("xo", "X")[::10, ::10], False),  # a 28×28 X
    ],
)
def test_odd_but_valid_images_work(xo_cnn, digits_cnn, make, blank):
    image = make()
    for model in (xo_cnn, digits_cnn):
        probs = model.predict_proba(image)
        if blank:
            assert probs is None
        else:
            assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    if not blank:
        assert top(xo_cnn.predict_proba(image)) == "X"


def test_bad_inputs(xo_cnn, digits_cnn):
    x = drawing.example_drawing("xo", "X")
    for model in (xo_cnn, digits_cnn):
        assert model.predict_proba(None) is None
        assert model.feature_maps(None) is None
        with pytest.raises(ValueError, match="at least"):
            model.predict_proba(np.zeros((1, 1), np.uint8))
        dot = np.full((280, 280, 4), 255, np.uint8)
        dot[138:142, 138:142, :3] = 0
        assert model.predict_proba(dot) is None, "a single dot is not a drawing"
    assert top(xo_cnn.predict_proba(x[:, :, :3])) == "X"  # RGB, no alpha
    assert top(xo_cnn.predict_proba(x[:, :, 0] / 255.0)) == "X"  # float grayscale
    big = np.asarray(Image.fromarray(x).resize((2000, 2000)), dtype=np.uint8)
    assert top(xo_cnn.predict_proba(big)) == "X"
    border = np.full((280, 280, 4), 255, np.uint8)
    border[:, :12, :3] = 0  # a thick line along the left edge
    assert digits_cnn.predict_proba(border) is not None


def untrained_mlp(task: str = "xo") -> cnn.ImageClassifier:
    config = cnn.default_config(task, "mlp")
    n = len(drawing.labels_of(task))
    return cnn.ImageClassifier(config, cnn.build_network(config), History(), 0.0, np.zeros((n, n)))


def test_only_a_cnn_has_kernels_and_feature_maps():
    mlp = untrained_mlp()
    assert mlp.convnet is None and mlp.feature_maps(drawing.example_drawing("xo", "X")) is None
    with pytest.raises(ValueError, match="only a CNN"):
        mlp.kernels()
    with pytest.raises(ValueError, match="only a CNN"):
        mlp.grid_feature_maps(np.zeros((drawing.XO_INPUT, drawing.XO_INPUT), np.float32))


def _canvas() -> np.ndarray:
    """A white, opaque 280×280 RGBA canvas, as the drawing pad sends it."""
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = 255
    return rgba


def test_blank_and_missing_canvas_give_no_prediction(xo_cnn):
    assert xo_cnn.predict_proba(None) is None
    assert xo_cnn.predict_proba(_canvas()) is None
    assert xo_cnn.predict_proba(np.zeros((280, 280, 4), dtype=np.uint8)) is None  # fully transparent
    assert xo_cnn.predict_proba(np.zeros((2000, 2000, 3), dtype=np.uint8)) is None  # black RGB: no ink on it


@pytest.mark.parametrize(
    "image",
    [
        np.random.default_rng(0).random((50, 70)).astype(np.float32),
        np.full((40, 40), 0.5, dtype=np.float64),
    ],
    ids=["float noise", "flat float"],
)
def test_odd_arrays_that_are_neither_x_nor_o_are_other(xo_cnn, image):
    probs = xo_cnn.predict_proba(image)
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-4) and top(probs) == "other"


def test_a_single_dot_is_no_drawing_and_ink_on_the_border_is_other(xo_cnn):
    dot = _canvas()
    dot[140:143, 140:143, :3] = 0
    assert xo_cnn.predict_proba(dot) is None
    border = _canvas()
    border[:, :12, :3] = 0  # a thick line along the left edge
    assert top(xo_cnn.predict_proba(border)) == "other"


def test_payload_round_trips_through_weights_only_load(digits_cnn):
    buffer = io.BytesIO()
    torch.save(digits_cnn.to_payload(), buffer)
    buffer.seek(0)
    restored = cnn.ImageClassifier.from_payload(torch.load(buffer, weights_only=True))
    image = drawing.example_drawing("digits", "3")
    assert restored.predict_proba(image) == pytest.approx(digits_cnn.predict_proba(image))
    assert restored.config == digits_cnn.config and restored.test_accuracy == digits_cnn.test_accuracy
    np.testing.assert_array_equal(restored.confusion, digits_cnn.confusion)
    assert restored.history.val_accuracy == digits_cnn.history.val_accuracy


def test_analyse_returns_one_dataclass(xo_cnn, digits_cnn):
    x = drawing.example_drawing("xo", "X")
    analysis = xo_cnn.analyse(x)
    assert analysis.label == "X" and analysis.probs == pytest.approx(xo_cnn.predict_proba(x))
    assert analysis.maps[0][0] == "conv 1 + ReLU" and analysis.occlusion.label == "X"
    blank = digits_cnn.analyse(np.full((280, 280, 4), 255, np.uint8))
    assert blank.probs is None and blank.label is None and not blank.steps.has_ink
    dot = np.full((280, 280, 4), 255, np.uint8)
    dot[138:142, 138:142, :3] = 0
    assert digits_cnn.analyse(dot).steps.has_ink and digits_cnn.analyse(dot).probs is None


def test_model_key_names_the_config(xo_cnn):
    config = cnn.default_config("xo", epochs=2)
    other = cnn.ImageClassifier(config, xo_cnn.network, xo_cnn.history, 0.5, xo_cnn.confusion)
    assert xo_cnn.key != other.key and xo_cnn.key.startswith("xo_cnn-v")


def test_overrides_and_progress_callback():
    calls = []
    model = cnn_training.train_classifier(
        "digits", channels=(4, 8), epochs=1, n_train=5, on_step=lambda s, t, loss: calls.append((s, t))
    )
    assert model.config.channels == (4, 8) and model.config.pools == (False, True)
    assert [s for s, _ in calls] == list(range(1, len(calls) + 1)) and calls[-1][0] == calls[-1][1]
    assert model.network.convs[1].out_channels == 8
    with pytest.raises(ValueError, match="unknown task"):
        cnn_training.train_classifier("letters")
    with pytest.raises(ValueError, match="unknown settings"):
        cnn_training.train_classifier("xo", colour="red")
    with pytest.raises(ValueError, match="epochs"):
        cnn.default_config("xo", epochs=0)


def test_default_classifier_is_trained_once_and_then_loaded(xo_cnn):
    again = cnn_training.default_classifier("xo")
    assert again.key == xo_cnn.key and again.test_accuracy == xo_cnn.test_accuracy


@pytest.mark.parametrize("task", ["xo", "digits"])
def test_training_forward_pools_before_relu_with_the_same_scores_and_gradients(task):
    """ConvNet.forward pools before ReLU to train faster; its scores and gradients are those of the
    conv → ReLU → pool order the page's feature maps show (forward_with_maps)."""
    torch.manual_seed(0)
    network = cnn.build_network(cnn.default_config(task)).train()
    x = torch.rand(32, drawing.input_size(task), drawing.input_size(task))
    torch.manual_seed(1)  # the same dropout mask for both passes
    fast = network(x)
    fast.square().sum().backward()
    fast_grads = [p.grad.clone() for p in network.parameters()]
    network.zero_grad()
    torch.manual_seed(1)
    shown, _ = network.forward_with_maps(x)
    shown.square().sum().backward()
    torch.testing.assert_close(fast, shown, rtol=0, atol=0)
    for a, p in zip(fast_grads, network.parameters(), strict=True):
        torch.testing.assert_close(a, p.grad, rtol=1e-6, atol=1e-7)
