"""Small CNNs (and MLPs to compare with) that classify drawings: X / O / other, and the digits 0–9.

An :class:`ImageClassifier` takes a raw drawing of any size (pre-processed by ``models.drawing``), and shows its
feature maps, layer table and occlusion map; ``models.cnn_training`` trains one (``train_classifier(task)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models import store
from models.drawing import TASKS, Preprocessed, input_size, labels_of, preprocess
from models.occlusion import OcclusionMap, occlusion_map
from models.training import History, count_parameters, torch_threads

# Bump when the classifiers' data, architecture or training changes (v6: X/O on a 16×16 grid, 2-epoch cooldowns).
MODEL_VERSION = 6


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
    cooldown_jitter: bool = False  # X/O: jitter the cooldown's inputs too? (without, they look like the test shapes)
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
        task="xo", channels=(8, 16, 32), pools=(True, True, True), epochs=4, cooldown_epochs=2, batch_size=128,
        learning_rate=1e-2, n_train=2500,
    ),
    # Digits: a second cooldown epoch lifted the worst of seeds 0-4 from 98.89% to 99.44% (2026-12-06, AMD EPYC).
    "digits": ClassifierConfig(
        task="digits", channels=(8, 16, 32), pools=(False, True, True), dropout=0.2, epochs=10, cooldown_epochs=2,
        batch_size=128, learning_rate=1e-2, n_train=150, label_smoothing=0.1,
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
        # The same scores as forward_with_maps, cheaper to train: a 2×2 max-pool commutes with ReLU (both keep the
        # order of values), so pooling first gives the same numbers and gradients, and ReLU (forward and
        # backward) then touches a quarter of the values (on 24×24 X/O maps, 2026-12-06: 0.91 → 0.83 s an epoch).
        x = x.unsqueeze(1)  # (B, 1, H, W)
        for conv, norm, pool in zip(self.convs, self.norms, self.pools, strict=True):
            x = norm(conv(x))
            x = F.relu(F.max_pool2d(x, 2) if pool else x)  # (B, C_i, H_i', W_i')
        return self.head(self.dropout(x.flatten(1)))  # (B, classes)

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
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(side * side, config.hidden), nn.ReLU(), nn.Linear(config.hidden, n_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)  # (B, H, W) -> (B, classes)


def build_network(config: ClassifierConfig) -> nn.Module:
    """An untrained network for ``config``: a CNN or an MLP."""
    n_classes = len(labels_of(config.task))
    return ConvNet(config, n_classes) if config.arch == "cnn" else MLP(config, n_classes)


# --- the classifier ---------------------------------------------------------------------------------------------


class ImageClassifier:
    """A trained network plus everything a page needs around it: labels, pre-processing, history, test results.

    Two ways in: ``predict_proba(image)`` and ``feature_maps(image)`` take a raw drawing; ``predict_grids`` and
    ``grid_feature_maps`` take grids that are already pre-processed (what the invariance probe moves).
    """

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
        self.key = store.model_key(f"{config.task}_{config.arch}", config, MODEL_VERSION)  # names it in caches
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

    def grid_scores(self, grids: np.ndarray | torch.Tensor) -> np.ndarray:
        """The last layer's class scores (logits, before softmax), (N, classes), for pre-processed grids (N, H, W)."""
        x = torch.as_tensor(np.asarray(grids, dtype=np.float32))
        side = input_size(self.task)
        if x.ndim == 2:
            x = x.unsqueeze(0)
        if x.shape[1:] != (side, side):
            raise ValueError(f"inputs must be (N, {side}, {side}), got {tuple(x.shape)}")
        with torch.no_grad(), torch_threads(1):
            return self.network(x).numpy()

    def predict_grids(self, grids: np.ndarray | torch.Tensor) -> np.ndarray:
        """Class probabilities (N, classes) for a batch of already pre-processed grids (N, H, W)."""
        return torch.softmax(torch.as_tensor(self.grid_scores(grids)), dim=-1).numpy()

    def predict_proba(self, image: np.ndarray | None) -> dict[str, float] | None:
        """Probability of every class for a raw drawing, or None when the drawing is blank (or missing)."""
        if image is None:
            return None
        steps = self.preprocess(image)
        if steps.blank:
            return None
        probs = self.predict_grids(steps.model_input)[0]
        return dict(zip(self.labels, map(float, probs), strict=True))

    def feature_maps(self, image: np.ndarray | None) -> list[tuple[str, np.ndarray]] | None:
        """Every conv layer's output after ReLU and after pooling, as (name, (C, H, W) array); None when blank."""
        if image is None or self.convnet is None:
            return None
        steps = self.preprocess(image)
        if steps.blank:
            return None
        return self.grid_feature_maps(steps.model_input)

    def grid_feature_maps(self, grid: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Feature maps for one pre-processed input grid."""
        if self.convnet is None:
            raise ValueError("only a CNN has feature maps")
        with torch.no_grad(), torch_threads(1):
            _, maps = self.convnet.forward_with_maps(torch.as_tensor(grid, dtype=torch.float32)[None])
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

    def parameter_counts(self) -> dict[str, dict[str, int]]:
        """Where the parameters of the first conv layer and of the output layer come from, counted with numel."""
        out = {}
        if self.convnet is not None:
            conv, norm = self.convnet.convs[0], self.convnet.norms[0]
            k = conv.kernel_size[0]
            out["conv 1"] = {
                "kernel": k,
                "in": conv.in_channels,
                "filters": conv.out_channels,
                "weights": conv.weight.numel(),
                "biases": conv.bias.numel(),
                "batch norm": sum(p.numel() for p in norm.parameters()),  # a scale and a shift per channel
            }
        last = [m for m in self.network.modules() if isinstance(m, nn.Linear)][-1]
        out["output"] = {
            "in": last.in_features,
            "out": last.out_features,
            "weights": last.weight.numel(),
            "biases": last.bias.numel(),
        }
        return out

    def occlusion_map(self, grid: np.ndarray, patch: int | None = None) -> OcclusionMap:
        """Where the evidence for the top class lies in a pre-processed grid (see ``models.occlusion``)."""
        return occlusion_map(self, grid, patch)

    def analyse(self, image: np.ndarray) -> DrawingAnalysis:
        """Everything the Draw page shows about one drawing (raises ValueError for unusable images)."""
        steps = self.preprocess(image)
        if steps.blank:
            return DrawingAnalysis(steps, None, None, None)
        probs = dict(zip(self.labels, map(float, self.predict_grids(steps.model_input)[0]), strict=True))
        maps = self.grid_feature_maps(steps.model_input) if self.convnet is not None else None
        return DrawingAnalysis(steps, probs, maps, self.occlusion_map(steps.model_input))

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


@dataclass(frozen=True)
class DrawingAnalysis:
    """One drawing read by one classifier: its pre-processing, probabilities, feature maps and occlusion map."""

    steps: Preprocessed
    probs: dict[str, float] | None  # None when the drawing is blank
    maps: list[tuple[str, np.ndarray]] | None  # None when blank or for an MLP
    occlusion: OcclusionMap | None

    @property
    def label(self) -> str | None:
        """The predicted class, or None when blank."""
        return None if self.probs is None else max(self.probs, key=self.probs.get)


def shape_text(shape: Sequence[int]) -> str:
    """A feature-map shape the way the layer table writes it: "16 × 8 × 8"."""
    return " × ".join(str(int(n)) for n in shape)


def layer_table(network: nn.Module, side: int) -> list[dict]:
    """Walk one input through ``network`` and list each layer's output shape and parameter count."""
    rows = [{"layer": "input", "output shape": shape_text((1, side, side)), "parameters": 0}]
    x = torch.zeros(1, side, side)
    shape = lambda t: shape_text(t.shape[1:])  # noqa: E731
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
            head = network.layers[1:]
        for layer in head if isinstance(head, nn.Sequential) else [head]:
            x = layer(x)
            if isinstance(layer, nn.Linear):
                name = f"linear: {layer.in_features} → {layer.out_features}"
                rows.append({"layer": name, "output shape": shape(x), "parameters": n_params(layer)})
            elif isinstance(layer, nn.ReLU):
                rows[-1]["layer"] += " + ReLU"
    rows.append({"layer": "softmax", "output shape": shape(x), "parameters": 0})
    return rows
