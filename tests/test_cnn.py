"""The drawing classifiers: accuracy floors, shapes and parameters against torch, bad inputs, persistence, probes."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from models import cnn, invariance
from models.occlusion import log_odds


def top(probs: dict[str, float]) -> str:
    return max(probs, key=probs.get)


@pytest.fixture(scope="module")
def xo() -> cnn.ImageClassifier:
    return cnn.default_classifier("xo")


@pytest.fixture(scope="module")
def digit_model() -> cnn.ImageClassifier:
    return cnn.default_classifier("digits")


def test_xo_reaches_99_5_percent_on_generated_shapes(xo):
    assert xo.labels == ("X", "O", "other")
    assert xo.test_accuracy >= 0.995
    assert xo.confusion.sum() == 1500
    assert xo.test_accuracy == pytest.approx(np.trace(xo.confusion) / xo.confusion.sum(), abs=1e-6)


def test_history_has_one_entry_per_epoch_including_the_cooldown(digit_model):
    config = digit_model.config
    n = config.epochs + config.cooldown_epochs
    history = digit_model.history
    assert len(history.loss) == len(history.val_accuracy) == n
    assert history.loss[-1] < history.loss[0]


@pytest.mark.parametrize("name", cnn.EXAMPLES["xo"])
def test_xo_examples_get_their_class(xo, name):
    probs = xo.predict_proba(cnn.example_drawing("xo", name))
    assert set(probs) == {"X", "O", "other"} and sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert top(probs) == (name if name in ("X", "O") else "other")


def test_digit_examples_get_their_digit(digit_model):
    right = sum(
        top(p) == name
        for name in cnn.EXAMPLES["digits"]
        for seed in (3, 4)
        if (p := digit_model.predict_proba(cnn.example_drawing("digits", name, seed=seed)))
    )
    assert right >= 18, f"{right}/20 synthetic pen digits right"


def test_layer_table_matches_torch_shapes_and_numel(xo, digit_model):
    for model in (xo, digit_model):
        table = model.layer_table()
        assert sum(row["parameters"] for row in table) == model.num_parameters
        assert model.num_parameters == sum(p.numel() for p in model.network.parameters())
        maps = dict(model.grid_feature_maps(np.zeros((cnn.input_size(model.task),) * 2, np.float32)))
        for row in table:
            for name, values in maps.items():
                if row["layer"].startswith(name.split(" +")[0].replace("pool", "max-pool") + ":"):
                    assert row["output shape"] == " × ".join(map(str, values.shape))
        assert table[-1]["output shape"] == str(len(model.labels))
    conv1 = xo.network.convs[0]
    norm1 = xo.network.norms[0]
    c = xo.config.channels[0]
    assert xo.layer_table()[1]["parameters"] == conv1.weight.numel() + conv1.bias.numel() + 2 * c == c * 9 + c + 2 * c
    assert norm1.weight.numel() == c


def test_feature_maps_cover_every_conv_layer_after_relu_and_pool(xo):
    maps = xo.feature_maps(cnn.example_drawing("xo", "X"))
    names = [name for name, _ in maps]
    assert names == ["conv 1 + ReLU", "pool 1", "conv 2 + ReLU", "pool 2", "conv 3 + ReLU", "pool 3"]
    c = xo.config.channels[0]
    assert [m.shape for _, m in maps][:2] == [(c, 24, 24), (c, 12, 12)]
    assert all((m >= 0).all() for _, m in maps), "after ReLU nothing is negative"
    assert xo.kernels().shape == (c, 3, 3)


def test_preprocess_returns_every_step(xo, digit_model):
    steps = digit_model.preprocess(cnn.example_drawing("digits", "7"))
    assert steps.ink.shape == (280, 280) and steps.box.shape == (32, 32) and steps.grid.shape == (8, 8)
    np.testing.assert_allclose(steps.model_input, steps.grid / 16)
    steps = xo.preprocess(cnn.example_drawing("xo", "O"))
    assert steps.grid.shape == (24, 24) and steps.grid.max() == pytest.approx(1.0)
    assert steps.grid[:2].sum() == 0 and steps.grid[:, -2:].sum() == 0, "a margin is kept around the shape"


@pytest.mark.parametrize(
    ("make", "blank"),
    [
        (lambda: np.full((2000, 2000, 4), 255, np.uint8), True),  # huge, blank
        (lambda: np.zeros((280, 280, 4), np.uint8), True),  # transparent, blank
        (lambda: np.full((280, 280, 4), 255, np.uint8), True),  # white, blank
        (lambda: cnn.example_drawing("xo", "X")[::10, ::10], False),  # a 28×28 X
    ],
)
def test_odd_but_valid_images_work(xo, digit_model, make, blank):
    image = make()
    for model in (xo, digit_model):
        probs = model.predict_proba(image)
        if blank:
            assert probs is None
        else:
            assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    if not blank:
        assert top(xo.predict_proba(image)) == "X"


def test_bad_inputs(xo, digit_model):
    x = cnn.example_drawing("xo", "X")
    for model in (xo, digit_model):
        assert model.predict_proba(None) is None
        assert model.feature_maps(None) is None
        with pytest.raises(ValueError, match="at least"):
            model.predict_proba(np.zeros((1, 1), np.uint8))
        dot = np.full((280, 280, 4), 255, np.uint8)
        dot[138:142, 138:142, :3] = 0
        assert model.predict_proba(dot) is None, "a single dot is not a drawing"
    assert top(xo.predict_proba(x[:, :, :3])) == "X"  # RGB, no alpha
    assert top(xo.predict_proba(x[:, :, 0] / 255.0)) == "X"  # float grayscale
    big = np.asarray(Image.fromarray(x).resize((2000, 2000)), dtype=np.uint8)
    assert top(xo.predict_proba(big)) == "X"
    border = np.full((280, 280, 4), 255, np.uint8)
    border[:, :12, :3] = 0  # a thick line along the left edge
    assert digit_model.predict_proba(border) is not None


def test_payload_round_trips_through_weights_only_load(digit_model):
    buffer = io.BytesIO()
    torch.save(digit_model.to_payload(), buffer)
    buffer.seek(0)
    restored = cnn.ImageClassifier.from_payload(torch.load(buffer, weights_only=True))
    image = cnn.example_drawing("digits", "3")
    assert restored.predict_proba(image) == pytest.approx(digit_model.predict_proba(image))
    assert restored.config == digit_model.config and restored.test_accuracy == digit_model.test_accuracy
    np.testing.assert_array_equal(restored.confusion, digit_model.confusion)
    assert restored.history.val_accuracy == digit_model.history.val_accuracy


def test_transform_grid_matches_a_pixel_shift_and_identity():
    image = torch.zeros(1, 8, 8)
    image[0, 3, 2] = 1.0
    moved = invariance.transform_grid(image, shift=2 / 8)  # two pixels to the right
    np.testing.assert_allclose(moved[0].numpy(), torch.roll(image, 2, dims=2)[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(invariance.transform_grid(image)[0].numpy(), image[0].numpy(), atol=1e-6)
    turned = invariance.transform_grid(image, angle=90.0)
    assert turned.sum().item() == pytest.approx(1.0, abs=1e-5)


def test_transformed_inputs_start_from_the_model_input(xo, digit_model):
    for model, name in ((xo, "X"), (digit_model, "4")):
        steps = model.preprocess(cnn.example_drawing(model.task, name))
        same = invariance.transformed_input(steps, model.task)
        np.testing.assert_allclose(same, steps.model_input, atol=1e-5)
        swept = invariance.transformed_inputs(steps, model.task, "shift", [-0.2, 0.0, 0.2])
        assert swept.shape == (3, *steps.model_input.shape)
    with pytest.raises(ValueError, match="unknown transform"):
        invariance.transformed_inputs(steps, "digits", "flip", [1])


def test_probe_and_occlusion(xo):
    mlp = cnn.train_classifier("xo", arch="mlp", n_train=200, n_test=50, epochs=1)
    steps = xo.preprocess(cnn.example_drawing("xo", "X"))
    curves = invariance.probe({"CNN": xo, "MLP": mlp}, steps, "rotate", np.array([-30, 0, 30]), "X")
    assert set(curves) == {"CNN", "MLP"} and curves["CNN"].shape == (3,)
    assert curves["CNN"][1] > 0.9
    occlusion = xo.occlusion_map(steps.model_input)
    assert occlusion.label == "X" and occlusion.evidence.shape == (24, 24)
    assert occlusion.evidence.max() > 0, "hiding some patch of an X lowers its log-odds"
    assert 0 <= occlusion.on_ink_share <= 1 and occlusion.patches == 100
    with pytest.raises(ValueError, match="only a CNN"):
        mlp.kernels()
    with pytest.raises(ValueError, match="one task"):
        invariance.probe(
            {"CNN": xo, "other": cnn.train_classifier("digits", epochs=1, n_train=5)}, steps, "shift", [0], "X"
        )


def test_log_odds_match_the_probabilities(xo):
    grid = xo.preprocess(cnn.example_drawing("xo", "O")).model_input
    scores, probs = xo.grid_scores(grid), xo.predict_grids(grid)
    for k in range(3):
        p = probs[0, k]
        assert log_odds(scores, k)[0] == pytest.approx(np.log(p / (1 - p)), rel=1e-3, abs=1e-3)


def test_analyse_returns_one_dataclass(xo, digit_model):
    analysis = xo.analyse(cnn.example_drawing("xo", "X"))
    assert analysis.label == "X" and analysis.probs == pytest.approx(xo.predict_proba(cnn.example_drawing("xo", "X")))
    assert analysis.maps[0][0] == "conv 1 + ReLU" and analysis.occlusion.label == "X"
    blank = digit_model.analyse(np.full((280, 280, 4), 255, np.uint8))
    assert blank.probs is None and blank.label is None and not blank.steps.has_ink
    dot = np.full((280, 280, 4), 255, np.uint8)
    dot[138:142, 138:142, :3] = 0
    assert digit_model.analyse(dot).steps.has_ink and digit_model.analyse(dot).probs is None


def test_model_key_names_the_config(xo):
    other = cnn.ImageClassifier(cnn.default_config("xo", epochs=2), xo.network, xo.history, 0.5, xo.confusion)
    assert xo.key != other.key and xo.key.startswith("xo_cnn-v")


def test_overrides_and_progress_callback():
    calls = []
    model = cnn.train_classifier(
        "digits", channels=(4, 8), epochs=1, n_train=5, on_step=lambda s, t, loss: calls.append((s, t))
    )
    assert model.config.channels == (4, 8) and model.config.pools == (False, True)
    assert [s for s, _ in calls] == list(range(1, len(calls) + 1)) and calls[-1][0] == calls[-1][1]
    assert model.network.convs[1].out_channels == 8
    with pytest.raises(ValueError, match="unknown task"):
        cnn.train_classifier("letters")
    with pytest.raises(ValueError, match="unknown settings"):
        cnn.train_classifier("xo", colour="red")
    with pytest.raises(ValueError, match="epochs"):
        cnn.default_config("xo", epochs=0)


def test_default_classifier_is_trained_once_and_then_loaded(xo):
    again = cnn.default_classifier("xo")
    assert again.key == xo.key and again.test_accuracy == xo.test_accuracy
