"""Small CNNs (and MLPs to compare with) that classify drawings: X / O / other, and the digits 0–9.

``train_classifier(task)`` builds the training data, trains through ``models.training.train`` and returns an
:class:`ImageClassifier`, which takes a raw drawing of any size and can show its pre-processing, feature maps,
occlusion map and behaviour under shifts, rotations and scalings.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, replace
from functools import partial

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F

from models import digits, shapes
from models.training import TRAIN_THREADS, History, OnStep, count_parameters, evaluate, torch_threads, train

TASKS = ("xo", "digits")
XO_INPUT = 24  # side of the X/O model's input grid
XO_MARGIN = 2  # empty border around the fitted drawing, so shifted copies stay inside
TRANSFORMS = ("shift", "rotate", "scale")


@dataclass(frozen=True)
class ClassifierConfig:
    """Everything that decides a trained classifier: data, architecture and training settings."""

    task: str = "xo"  # "xo" (X, O, other) or "digits" (0–9)
    arch: str = "cnn"  # "cnn", or "mlp" for the fully connected comparison
    channels: tuple[int, ...] = (8, 16, 32)  # output channels of each conv layer
    pools: tuple[bool, ...] = (True, True, True)  # 2×2 max-pool after each conv layer?
    kernel_size: int = 3  # side of every conv kernel
    batch_norm: bool = True  # normalise each conv layer's output per channel (trains much faster)
    hidden: int = 0  # hidden units of the dense layer before the output (0: none); the MLP's width
    dropout: float = 0.0  # dropout before the output layer
    epochs: int = 4  # passes over the training data
    cooldown_epochs: int = 1  # extra passes at a tenth of the learning rate, to settle into a minimum
    batch_size: int = 128  # examples per optimiser step
    learning_rate: float = 1e-2  # Adam step size
    weight_decay: float = 0.0  # L2 penalty
    real_copies: int = 2  # digits: times the load_digits training images appear, so they outweigh synthetic strokes
    label_smoothing: float = 0.0  # share of each target spread over the other classes (discourages overconfidence)
    n_train: int = 3000  # X/O: generated training shapes per class; digits: synthetic stroke digits per digit
    n_test: int = 500  # X/O: generated test shapes per class (digits use the fixed 20% split)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; use one of {TASKS}")
        if self.arch not in ("cnn", "mlp"):
            raise ValueError(f"unknown arch {self.arch!r}; use 'cnn' or 'mlp'")
        if self.arch == "cnn" and (not self.channels or len(self.channels) != len(self.pools)):
            raise ValueError("channels and pools need one entry per conv layer")
        if any(c < 1 or c > 128 for c in self.channels):
            raise ValueError("each conv layer needs between 1 and 128 channels")
        if not 1 <= self.real_copies <= 5:
            raise ValueError("real_copies must be between 1 and 5")
        if not 1 <= self.epochs <= 200:
            raise ValueError("epochs must be between 1 and 200")
        if not 0 < self.learning_rate <= 1:
            raise ValueError("learning_rate must be in (0, 1]")
        if self.kernel_size % 2 == 0 or self.kernel_size < 1:
            raise ValueError("kernel_size must be odd, so that padding keeps the size")


DEFAULT_CONFIGS: dict[str, ClassifierConfig] = {
    "xo": ClassifierConfig(
        task="xo", channels=(8, 16, 32), pools=(True, True, True), epochs=4, batch_size=128, learning_rate=1e-2,
        n_train=3000,
    ),
    "digits": ClassifierConfig(
        task="digits", channels=(8, 16, 32), pools=(False, True, True), dropout=0.2, epochs=10, batch_size=128,
        learning_rate=1e-2, n_train=150, label_smoothing=0.1,
    ),
}  # fmt: skip


def default_config(task: str, arch: str = "cnn", **overrides) -> ClassifierConfig:
    """The default settings of ``task``'s CNN (or its MLP twin), with ``overrides`` applied."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; use one of {TASKS}")
    config = DEFAULT_CONFIGS[task]
    if arch == "mlp":
        config = replace(config, arch="mlp", hidden=128, dropout=0.0)
    unknown = set(overrides) - set(ClassifierConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    if "channels" in overrides:
        overrides["channels"] = tuple(int(c) for c in overrides["channels"])
        overrides.setdefault("pools", tuple(config.pools[: len(overrides["channels"])]))
    return replace(config, **overrides)


def labels_of(task: str) -> tuple[str, ...]:
    """Class names of a task, in output order."""
    return shapes.SHAPE_LABELS if task == "xo" else tuple(str(d) for d in range(10))


def input_size(task: str) -> int:
    """Side of the square grid the task's networks read."""
    return XO_INPUT if task == "xo" else digits.GRID


class ConvNet(nn.Module):
    """A plain CNN: conv → ReLU (→ 2×2 max-pool) blocks learn features, then one linear layer gives class scores."""

    def __init__(self, config: ClassifierConfig, n_classes: int):
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        self.pools = list(config.pools)
        size, in_channels = input_size(config.task), 1
        for out_channels, pool in zip(config.channels, config.pools, strict=True):
            self.convs.append(nn.Conv2d(in_channels, out_channels, config.kernel_size, padding=config.kernel_size // 2))
            self.norms.append(nn.BatchNorm2d(out_channels) if config.batch_norm else nn.Identity())
            in_channels, size = out_channels, size // 2 if pool else size
        flat = in_channels * size * size
        self.dropout = nn.Dropout(config.dropout)
        if config.hidden:
            self.head = nn.Sequential(nn.Linear(flat, config.hidden), nn.ReLU(), nn.Linear(config.hidden, n_classes))
        else:
            self.head = nn.Linear(flat, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_maps(x)[0]

    def forward_with_maps(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """Class scores, plus every intermediate feature map named like "conv 1 + ReLU" and "pool 1"."""
        x = x.unsqueeze(1)  # (B, 1, H, W)
        maps = []
        for i, (conv, norm, pool) in enumerate(zip(self.convs, self.norms, self.pools, strict=True), start=1):
            x = F.relu(norm(conv(x)))  # (B, C_i, H_i, W_i)
            maps.append((f"conv {i} + ReLU", x))
            if pool:
                x = F.max_pool2d(x, 2)  # (B, C_i, H_i / 2, W_i / 2)
                maps.append((f"pool {i}", x))
        x = self.dropout(x.flatten(1))  # (B, C · H · W)
        return self.head(x), maps  # (B, classes)


class MLP(nn.Module):
    """A fully connected network over the same input grid: every pixel has its own weights, so nothing is shared."""

    def __init__(self, config: ClassifierConfig, n_classes: int):
        super().__init__()
        side = input_size(config.task)
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(side * side, config.hidden), nn.ReLU(), nn.Linear(config.hidden, n_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, H, W) -> (B, classes)


def build_network(config: ClassifierConfig) -> nn.Module:
    """An untrained network for ``config``: a CNN or an MLP."""
    n_classes = len(labels_of(config.task))
    return ConvNet(config, n_classes) if config.arch == "cnn" else MLP(config, n_classes)


# --- pre-processing ---------------------------------------------------------------------------------------------


def xo_input(ink: np.ndarray) -> np.ndarray:
    """Crop the drawing to its ink, fit it (keeping its shape) into a 22×22 box centred in 28×28, darkest ink = 1.

    Cropping takes care of where and how big the shape was drawn; the network still has to cope with
    rotation, slant, wobble and pen width, and (through training-time jitter) with small shifts.
    """
    mask = ink > digits.INK_THRESHOLD
    if not mask.any():
        return np.zeros((XO_INPUT, XO_INPUT), dtype=np.float32)
    crop = digits.crop_to_ink(ink)
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side, side), dtype=np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = crop
    inner = XO_INPUT - 2 * XO_MARGIN
    small = np.asarray(Image.fromarray(square, mode="F").resize((inner, inner), Image.BOX), dtype=np.float32)
    out = np.zeros((XO_INPUT, XO_INPUT), dtype=np.float32)
    out[XO_MARGIN:-XO_MARGIN, XO_MARGIN:-XO_MARGIN] = small
    peak = float(out.max())
    return out / peak if peak > 0 else out


@dataclass(frozen=True)
class Preprocessed:
    """The stages from drawing to network input, for showing what the network sees."""

    ink: np.ndarray  # (H, W) ink in [0, 1]
    crop: np.ndarray | None  # the ink cropped to its bounding box (None when blank)
    box: np.ndarray | None  # digits: the 32×32 binarised box (X/O: None)
    grid: np.ndarray  # the network's input grid; digits: counts 0–16, X/O: ink 0–1
    model_input: np.ndarray  # what goes into the network: digits grid / 16, or the X/O grid
    blank: bool  # too little ink to classify


def preprocess(task: str, image: np.ndarray) -> Preprocessed:
    """Turn a raw drawing into the network input of ``task``, keeping every intermediate step."""
    ink = digits.to_ink(image)
    side = input_size(task)
    if digits.is_blank(ink):
        empty = np.zeros((side, side), dtype=np.float32)
        return Preprocessed(ink, None, None, empty, empty, True)
    if task == "xo":
        grid = xo_input(ink)
        return Preprocessed(ink, digits.crop_to_ink(ink), None, grid, grid, False)
    steps = digits.preprocess_digit(ink)
    return Preprocessed(ink, steps.crop, steps.box, steps.grid, steps.grid / 16.0, False)


# --- example drawings -------------------------------------------------------------------------------------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "xo": ("X", "O", "triangle", "square", "scribble"),
    "digits": tuple(str(d) for d in range(10)),
}


def ink_to_rgba(ink: np.ndarray) -> np.ndarray:
    """Float ink (H, W) as the canvas would send it: black ink on white, RGBA uint8."""
    gray = (255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def example_drawing(task: str, name: str, *, size: int = 280, seed: int = 3) -> np.ndarray:
    """A ready-made drawing (RGBA uint8, like the canvas) for students without a mouse, and for tests."""
    if name not in EXAMPLES.get(task, ()):
        raise ValueError(f"no example {name!r} for task {task!r}; choose from {EXAMPLES.get(task, ())}")
    rng = np.random.default_rng(seed)
    if task == "digits":
        return ink_to_rgba(digits.stroke_digit(int(name), rng, size=size))
    config = shapes.ShapeConfig(size=size, max_rotation=8.0, max_slant=0.1, wobble=0.01)
    strokes = shapes.shape_strokes(name, rng) if name in ("X", "O") else shapes.other_strokes(name, rng)
    placed = shapes.place_strokes(strokes, rng, config, extent=0.6, max_rotation=8.0)
    return ink_to_rgba(shapes.render_strokes(placed, 0.05, size))


# --- data -------------------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Model inputs and labels for training and testing one task."""

    x_train: torch.Tensor  # (N, H, W) float inputs
    y_train: torch.Tensor  # (N,) class indices
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=1)
def _xo_data(n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """Generated X/O/other inputs; kept for the next call, because the CNN and its MLP twin train on the same set."""
    train_ink, y_train = shapes.make_shapes(n_train, seed=seed)
    x_train = np.stack([xo_input(i) for i in train_ink])
    del train_ink  # the full-size drawings are large: let them go before drawing the test set
    test_ink, y_test = shapes.make_shapes(n_test, seed=seed + 10_000)
    x_test = np.stack([xo_input(i) for i in test_ink])
    return x_train, y_train, x_test, y_test  # shared between calls: training only reads it


def make_dataset(config: ClassifierConfig, seed: int = 0) -> Dataset:
    """Training and test inputs for ``config.task``: generated shapes, or load_digits plus synthetic strokes."""
    if config.task == "xo":
        x_train, y_train, x_test, y_test = _xo_data(config.n_train, config.n_test, seed)
    else:
        x_train, x_test, y_train, y_test = digits.load_digit_split(seed=0)  # the split is fixed, whatever the seed
        synth_x, synth_y = digits.make_stroke_digits(config.n_train, seed=seed)
        x_train = np.concatenate([*[x_train] * config.real_copies, synth_x]) / 16.0
        y_train = np.concatenate([*[y_train] * config.real_copies, synth_y])
        x_test = x_test / 16.0
    as_x = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32))  # noqa: E731
    as_y = lambda a: torch.as_tensor(np.asarray(a, dtype=np.int64))  # noqa: E731
    return Dataset(as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test))


# --- the classifier ---------------------------------------------------------------------------------------------


class ImageClassifier:
    """A trained network plus everything a page needs around it: labels, pre-processing, history, test results."""

    def __init__(
        self,
        config: ClassifierConfig,
        network: nn.Module,
        history: History,
        test_accuracy: float,
        confusion: np.ndarray,
    ):
        self.config = config
        self.task = config.task
        self.network = network.eval()
        self.labels = labels_of(config.task)
        self.history = history
        self.test_accuracy = float(test_accuracy)
        self.confusion = np.asarray(confusion, dtype=np.int64)  # rows: true class, columns: predicted class
        self._layers: list[dict] | None = None

    @property
    def convnet(self) -> ConvNet | None:
        """The CNN to look inside, or None for an MLP."""
        return self.network if isinstance(self.network, ConvNet) else None

    @property
    def num_parameters(self) -> int:
        """Trainable parameters of the network (shown on Home)."""
        return count_parameters(self.network)

    def preprocess(self, image: np.ndarray) -> Preprocessed:
        """The steps from raw drawing to network input (raises ValueError for unusable images)."""
        return preprocess(self.task, image)

    def predict_inputs(self, inputs: np.ndarray | torch.Tensor) -> np.ndarray:
        """Class probabilities (N, classes) for a batch of already pre-processed inputs (N, H, W)."""
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
        side = input_size(self.task)
        if x.ndim == 2:
            x = x.unsqueeze(0)
        if x.shape[1:] != (side, side):
            raise ValueError(f"inputs must be (N, {side}, {side}), got {tuple(x.shape)}")
        with torch.no_grad(), torch_threads(1):
            return torch.softmax(self.network(x), dim=-1).numpy()

    def predict_proba(self, image: np.ndarray | None) -> dict[str, float] | None:
        """Probability of every class for a raw drawing, or None when the drawing is blank (or missing)."""
        if image is None:
            return None
        steps = self.preprocess(image)
        if steps.blank:
            return None
        probs = self.predict_inputs(steps.model_input)[0]
        return dict(zip(self.labels, map(float, probs), strict=True))

    def feature_maps(self, image: np.ndarray | None) -> list[tuple[str, np.ndarray]] | None:
        """Every conv layer's output after ReLU and after pooling, as (name, (C, H, W) array); None when blank."""
        if image is None or self.convnet is None:
            return None
        steps = self.preprocess(image)
        if steps.blank:
            return None
        return self.maps_of_input(steps.model_input)

    def maps_of_input(self, model_input: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Feature maps for one pre-processed input grid."""
        if self.convnet is None:
            raise ValueError("only a CNN has feature maps")
        with torch.no_grad(), torch_threads(1):
            _, maps = self.convnet.forward_with_maps(torch.as_tensor(model_input, dtype=torch.float32)[None])
        return [(name, m[0].numpy()) for name, m in maps]

    def kernels(self) -> np.ndarray:
        """The learned kernels of the first conv layer, (C, k, k)."""
        if self.convnet is None:
            raise ValueError("only a CNN has kernels")
        return self.convnet.convs[0].weight.detach()[:, 0].numpy().copy()

    def layer_table(self) -> list[dict]:
        """One row per layer: its name, the output shape for one input, and its number of parameters."""
        if self._layers is None:  # the shapes never change, so walk the network once
            with torch_threads(1):
                self._layers = layer_table(self.convnet or self.network, input_size(self.task))
        return [dict(row) for row in self._layers]

    def occlusion_map(self, model_input: np.ndarray, patch: int | None = None) -> tuple[str, np.ndarray]:
        """Slide a blank patch over the input: the top class and, per pixel, the mean drop of its log-probability."""
        side = input_size(self.task)
        patch = patch or (6 if self.task == "xo" else 2)
        stride = 2 if self.task == "xo" else 1
        base = self.predict_inputs(model_input)[0]
        top = int(base.argmax())
        corners = [(r, c) for r in range(0, side - patch + 1, stride) for c in range(0, side - patch + 1, stride)]
        batch = np.repeat(np.asarray(model_input, dtype=np.float32)[None], len(corners), axis=0)
        for i, (r, c) in enumerate(corners):
            batch[i, r : r + patch, c : c + patch] = 0.0
        # Log-probabilities, so that a confident answer (P = 0.9999) still shows where its evidence is.
        drops = np.log(base[top] + 1e-12) - np.log(self.predict_inputs(batch)[:, top] + 1e-12)
        total, count = np.zeros((side, side)), np.zeros((side, side))
        for drop, (r, c) in zip(drops, corners, strict=True):
            total[r : r + patch, c : c + patch] += drop
            count[r : r + patch, c : c + patch] += 1
        return self.labels[top], total / np.maximum(count, 1)

    def to_payload(self) -> dict:
        """Weights, config, history and test results as plain tensors, numbers, lists and dicts."""
        config = asdict(self.config)
        config["channels"], config["pools"] = list(self.config.channels), list(self.config.pools)
        return {
            "config": config,
            "state": {k: v.clone() for k, v in self.network.state_dict().items()},
            "history": self.history.to_dict(),
            "test_accuracy": self.test_accuracy,
            "confusion": self.confusion.tolist(),
        }

    @classmethod
    def from_payload(cls, payload: dict) -> ImageClassifier:
        """Rebuild a classifier saved with :meth:`to_payload`."""
        raw = dict(payload["config"])
        raw["channels"], raw["pools"] = tuple(raw["channels"]), tuple(raw["pools"])
        config = ClassifierConfig(**raw)
        network = build_network(config)
        network.load_state_dict(payload["state"])
        return cls(
            config,
            network,
            History.from_dict(payload["history"]),
            payload["test_accuracy"],
            np.asarray(payload["confusion"]),
        )


def layer_table(network: nn.Module, side: int) -> list[dict]:
    """Walk one input through ``network`` and list each layer's output shape and parameter count."""
    rows = [{"layer": "input", "output shape": f"1 × {side} × {side}", "parameters": 0}]
    x = torch.zeros(1, side, side)
    shape = lambda t: " × ".join(str(d) for d in t.shape[1:])  # noqa: E731
    n_params = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    with torch.no_grad():
        if isinstance(network, ConvNet):
            x = x.unsqueeze(1)
            layers = zip(network.convs, network.norms, network.pools, strict=True)
            for i, (conv, norm, pool) in enumerate(layers, start=1):
                x = F.relu(norm(conv(x)))
                k = conv.kernel_size[0]
                normed = " + batch norm" if isinstance(norm, nn.BatchNorm2d) else ""
                rows.append(
                    {
                        "layer": f"conv {i}: {conv.out_channels} kernels {k}×{k}×{conv.in_channels}{normed} + ReLU",
                        "output shape": shape(x),
                        "parameters": n_params(conv) + n_params(norm),
                    }
                )
                if pool:
                    x = F.max_pool2d(x, 2)
                    rows.append({"layer": f"max-pool {i}: 2×2", "output shape": shape(x), "parameters": 0})
            x = x.flatten(1)
            rows.append({"layer": "flatten", "output shape": shape(x), "parameters": 0})
            head = network.head
        else:
            x = x.flatten(1)
            rows.append({"layer": "flatten", "output shape": shape(x), "parameters": 0})
            head = network.net[1:]
        for layer in head if isinstance(head, nn.Sequential) else [head]:
            x = layer(x)
            if isinstance(layer, nn.Linear):
                name = f"linear: {layer.in_features} → {layer.out_features}"
                rows.append({"layer": name, "output shape": shape(x), "parameters": n_params(layer)})
            elif isinstance(layer, nn.ReLU):
                rows[-1]["layer"] += " + ReLU"
    rows.append({"layer": "softmax", "output shape": shape(x), "parameters": 0})
    return rows


# --- training ---------------------------------------------------------------------------------------------------


def confusion_matrix(predicted: np.ndarray, target: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (target, predicted), 1)
    return matrix


def train_classifier(
    task: str, *, seed: int = 0, on_step: OnStep | None = None, arch: str = "cnn", **overrides
) -> ImageClassifier:
    """Generate the data for ``task`` ("xo" or "digits"), train a CNN (or an MLP) and measure it on the test set.

    ``overrides`` change :class:`ClassifierConfig` fields, such as ``epochs``, ``learning_rate`` or ``channels``.
    """
    config = default_config(task, arch, **overrides)
    data = make_dataset(config, seed)
    return fit_classifier(config, data, seed=seed, on_step=on_step)


def fit_classifier(
    config: ClassifierConfig, data: Dataset, *, seed: int = 0, on_step: OnStep | None = None
) -> ImageClassifier:
    """Train a fresh network for ``config`` on ``data`` through the lab's one training loop."""
    torch.manual_seed(seed)
    network = build_network(config)
    total = (config.epochs + config.cooldown_epochs) * math.ceil(len(data.y_train) / config.batch_size)
    augment = jitter_batch if config.task == "xo" else None  # the MLP gets the same data as the CNN
    history = History()
    phases = [(config.epochs, config.learning_rate), (config.cooldown_epochs, config.learning_rate / 10)]
    with torch_threads(TRAIN_THREADS):  # batched convolutions gain from a second core
        for phase, (epochs, learning_rate) in enumerate(phases):
            if epochs < 1:
                continue
            part = train(
                network,
                data.x_train,
                data.y_train,
                epochs=epochs,
                batch_size=config.batch_size,
                learning_rate=learning_rate,
                weight_decay=config.weight_decay,
                loss_fn=partial(F.cross_entropy, label_smoothing=config.label_smoothing),
                val=(data.x_test, data.y_test),
                augment=augment,
                seed=seed + phase,
                on_step=_offset_steps(on_step, len(history.step_loss), total),
                device=torch.device("cpu"),  # the nets are tiny: a GPU round trip would cost more than it saves
            )
            history = _concat(history, part)
    network.eval()
    with torch.no_grad():
        predicted = network(data.x_test).argmax(dim=-1).numpy()
    _, accuracy = evaluate(network, data.x_test, data.y_test)
    confusion = confusion_matrix(predicted, data.y_test.numpy(), len(labels_of(config.task)))
    return ImageClassifier(config, network, history, accuracy, confusion)


def _offset_steps(on_step: OnStep | None, offset: int, total: int) -> OnStep | None:
    """Report a later training phase's steps as a continuation of the earlier ones."""
    if on_step is None:
        return None
    return lambda step, _total, loss: on_step(offset + step, total, loss)


def _concat(first: History, second: History) -> History:
    """One history for two consecutive training runs."""
    merged = History(**{k: list(v) for k, v in first.to_dict().items() if isinstance(v, list)})
    for name, values in second.to_dict().items():
        if isinstance(values, list):
            getattr(merged, name).extend(values)
    merged.seconds = first.seconds + second.seconds
    return merged


def jitter_batch(batch: tuple[torch.Tensor, ...], generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Data augmentation: move each image a few pixels, turn it up to 10° and rescale it by up to 10%."""
    (x,) = batch
    n = len(x)
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=generator)  # noqa: E731
    angle, scale = torch.deg2rad(u(-10, 10)), u(0.9, 1.1)
    shift = torch.stack([u(-0.15, 0.15), u(-0.15, 0.15)], dim=1)  # share of the half-side, about ±2 px
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, sin, shift[:, 0]], 1), torch.stack([-sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, *x.shape[1:]], align_corners=False)  # (N, H, W, 2)
    return (F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1),)


# --- transforms for the invariance probe ------------------------------------------------------------------------


def transform_grid(images: torch.Tensor, shift: float = 0.0, angle: float = 0.0, scale: float = 1.0) -> torch.Tensor:
    """Shift (share of the side, to the right), rotate (degrees) and scale a batch of (N, H, W) images."""
    theta = np.deg2rad(angle)
    c, s = np.cos(theta) / scale, np.sin(theta) / scale
    # affine_grid maps output coordinates to input coordinates, hence the inverse transform.
    matrix = torch.tensor([[c, s, -2 * shift * c], [-s, c, 2 * shift * s]], dtype=torch.float32)
    grid = F.affine_grid(matrix.expand(len(images), 2, 3), [len(images), 1, *images.shape[1:]], align_corners=False)
    return F.grid_sample(images.unsqueeze(1), grid, align_corners=False, padding_mode="zeros").squeeze(1)


def transformed_input(
    steps: Preprocessed, task: str, *, shift: float = 0.0, angle: float = 0.0, scale: float = 1.0
) -> np.ndarray:
    """The network input (H, W) if the drawing had been shifted, rotated and scaled, all at once.

    For X/O the 24×24 grid is moved; for digits the 32×32 box is moved and then counted again into 8×8,
    so the student sees what the network would get if the digit had been drawn that way.
    """
    base = steps.model_input if task == "xo" else steps.box
    with torch_threads(1):
        return _transformed(base, task, shift, angle, scale)


def _transformed(base: np.ndarray, task: str, shift: float, angle: float, scale: float) -> np.ndarray:
    moved = transform_grid(torch.as_tensor(base, dtype=torch.float32)[None], shift, angle, max(scale, 0.05))
    if task == "xo":
        return moved[0].clamp(0, 1).numpy()
    binary = (moved > 0.5).float()  # binarise again, then count 4×4 blocks like the data set
    return F.avg_pool2d(binary.unsqueeze(1), digits.BLOCK)[0, 0].numpy()


def transformed_inputs(steps: Preprocessed, task: str, kind: str, values: np.ndarray) -> np.ndarray:
    """The network inputs (N, H, W) for each value of one transform ("shift", "rotate" or "scale")."""
    if kind not in TRANSFORMS:
        raise ValueError(f"unknown transform {kind!r}; use one of {TRANSFORMS}")
    argument = {"shift": "shift", "rotate": "angle", "scale": "scale"}[kind]
    return np.stack([transformed_input(steps, task, **{argument: float(v)}) for v in np.asarray(values)])


def probe(
    models: dict[str, ImageClassifier], steps: Preprocessed, kind: str, values: np.ndarray, label: str
) -> dict[str, np.ndarray]:
    """Probability of ``label`` under each transform value, for every model (all read the same inputs)."""
    tasks = {model.task for model in models.values()}
    if len(tasks) != 1:
        raise ValueError("probe compares models of one task at a time")
    inputs = transformed_inputs(steps, tasks.pop(), kind, values)
    return {name: model.predict_inputs(inputs)[:, model.labels.index(label)] for name, model in models.items()}
