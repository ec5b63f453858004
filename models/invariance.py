"""The invariance probe: move, turn or shrink a drawing's input and watch what each network answers.

``probe`` sweeps one transform over one drawing; ``keep_rates`` measures, over many fresh drawings of a
class, how often each network still names that class, which is what the page's claims are worded from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.nn import functional as F

from models import digits
from models.drawing import Preprocessed, drawn_examples, xo_input
from models.training import torch_threads

if TYPE_CHECKING:  # only for annotations: cnn imports nothing from here
    from models.cnn import ImageClassifier

TRANSFORMS = ("shift", "rotate", "scale")
ARGUMENT = {"shift": "shift", "rotate": "angle", "scale": "scale"}  # transform name -> keyword of transformed_input
KEEP_RATE_DRAWINGS = {"xo": 100, "digits": 30}  # fresh drawings per class when measuring keep rates


def transform_grid(images: torch.Tensor, shift: float = 0.0, angle: float = 0.0, scale: float = 1.0) -> torch.Tensor:
    """Shift (share of the side, to the right), rotate (degrees) and scale a batch of (N, H, W) images."""
    theta = np.deg2rad(angle)
    c, s = np.cos(theta) / scale, np.sin(theta) / scale
    # affine_grid maps output coordinates to input coordinates, hence the inverse transform.
    matrix = torch.tensor([[c, s, -2 * shift * c], [-s, c, 2 * shift * s]], dtype=torch.float32)
    grid = F.affine_grid(matrix.expand(len(images), 2, 3), [len(images), 1, *images.shape[1:]], align_corners=False)
    return F.grid_sample(images.unsqueeze(1), grid, align_corners=False, padding_mode="zeros").squeeze(1)


def turned_ink(crop: np.ndarray, angle: float) -> np.ndarray:
    """The cropped ink turned by ``angle`` degrees on a canvas large enough to hold every corner."""
    side = int(np.ceil(np.hypot(*crop.shape))) + 2
    canvas = np.zeros((side, side), dtype=np.float32)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    canvas[top : top + crop.shape[0], left : left + crop.shape[1]] = crop
    return transform_grid(torch.as_tensor(canvas)[None], angle=angle)[0].numpy()


def transformed_input(
    steps: Preprocessed, task: str, *, shift: float = 0.0, angle: float = 0.0, scale: float = 1.0
) -> np.ndarray:
    """The network input (H, W) if the drawing had been rotated, and its input grid then shifted and scaled.

    A rotation turns the drawing itself, which is then pre-processed again (cropped and fitted), as if it had
    been drawn turned: an X turned by 45° arrives as a "+" of the usual size. A shift or a scale moves the
    grid the network reads, because cropping would undo them on the drawing. For digits the 32×32 box is moved
    and counted again into 8×8, so the student sees what the network would get.
    """
    with torch_threads(1):
        if angle % 360 and steps.crop is not None:
            ink = turned_ink(steps.crop, angle)
            if task == "xo":
                base = xo_input(ink)
            else:
                base = digits.box_from_ink(ink)[1] if (ink > digits.INK_THRESHOLD).any() else steps.box
        else:
            base = steps.model_input if task == "xo" else steps.box
        moved = transform_grid(torch.as_tensor(base, dtype=torch.float32)[None], shift, 0.0, max(scale, 0.05))
        if task == "xo":
            return moved[0].clamp(0, 1).numpy()
        binary = (moved > 0.5).float()  # binarise again, then count 4×4 blocks like the data set
        return F.avg_pool2d(binary.unsqueeze(1), digits.BLOCK)[0, 0].numpy()


def transformed_inputs(steps: Preprocessed, task: str, kind: str, values) -> np.ndarray:
    """The network inputs (N, H, W) for each value of one transform ("shift", "rotate" or "scale")."""
    if kind not in TRANSFORMS:
        raise ValueError(f"unknown transform {kind!r}; use one of {TRANSFORMS}")
    return np.stack([transformed_input(steps, task, **{ARGUMENT[kind]: float(v)}) for v in np.asarray(values)])


def _one_task(models: dict[str, ImageClassifier]) -> str:
    tasks = {model.task for model in models.values()}
    if len(tasks) != 1:
        raise ValueError("the probe compares models of one task at a time")
    return tasks.pop()


def probe(
    models: dict[str, ImageClassifier], steps: Preprocessed, kind: str, values, label: str
) -> dict[str, np.ndarray]:
    """Probability of ``label`` under each transform value, for every model (all read the same inputs)."""
    inputs = transformed_inputs(steps, _one_task(models), kind, values)
    return {name: model.predict_grids(inputs)[:, model.labels.index(label)] for name, model in models.items()}


def keep_rates(
    models: dict[str, ImageClassifier], label: str, kind: str, values, *, n: int | None = None, seed: int = 1234
) -> dict[str, np.ndarray]:
    """Share of ``n`` fresh drawings of ``label`` that each model still calls ``label`` at each transform value."""
    task = _one_task(models)
    drawings = [steps for steps in drawn_examples(task, label, n or KEEP_RATE_DRAWINGS[task], seed=seed)]
    return _kept(models, drawings, label, kind, values)


def _kept(models, drawings: list[Preprocessed], label: str, kind: str, values) -> dict[str, np.ndarray]:
    task = _one_task(models)
    drawings = [steps for steps in drawings if not steps.blank]
    values = np.asarray(values, dtype=float)
    inputs = np.concatenate([transformed_inputs(steps, task, kind, values) for steps in drawings])  # (D·V, H, W)
    out = {}
    for name, model in models.items():
        said = model.predict_grids(inputs).argmax(axis=1).reshape(len(drawings), len(values))
        out[name] = (said == model.labels.index(label)).mean(axis=0)
    return out


CHECK_SHIFTS = (-0.2, 0.2)  # "moved a fifth of the width", either way
CHECK_ANGLES = ((-45, 45), (-90, 90))  # "turned 45°" and "turned 90°", either way


def keep_rate_summary(models: dict[str, ImageClassifier], *, seed: int = 1234) -> dict[str, dict[str, float]]:
    """The page's table of keep rates: row -> model -> share of fresh drawings still named correctly.

    Rows are "<class> moved a fifth of the width", "<class> turned 45°" and "<class> turned 90°", each the mean
    over both directions. X/O has a row per class; digits have one row, "a digit", the mean over the ten digits.
    """
    task = _one_task(models)
    labels = next(iter(models.values())).labels
    angles = [a for pair in CHECK_ANGLES for a in pair]
    per_label = {}
    for label in labels:
        drawings = drawn_examples(task, label, KEEP_RATE_DRAWINGS[task], seed=seed)
        per_label[label] = (
            _kept(models, drawings, label, "shift", CHECK_SHIFTS),
            _kept(models, drawings, label, "rotate", angles),
        )
    groups = {label: [label] for label in labels} if task == "xo" else {"a digit": list(labels)}
    rows: dict[str, dict[str, float]] = {}
    for row, members in groups.items():
        for name in models:
            shift = np.mean([per_label[m][0][name] for m in members])
            turns = np.mean([per_label[m][1][name] for m in members], axis=0)  # (angles,)
            rows.setdefault(f"{row} moved a fifth of the width", {})[name] = float(shift)
            rows.setdefault(f"{row} turned 45°", {})[name] = float(turns[:2].mean())
            rows.setdefault(f"{row} turned 90°", {})[name] = float(turns[2:].mean())
    return rows


def answers_under(model: ImageClassifier, steps: Preprocessed, kind: str, values) -> list[str]:
    """The class ``model`` names at each transform value of one drawing."""
    probs = model.predict_grids(transformed_inputs(steps, model.task, kind, values))
    return [model.labels[i] for i in probs.argmax(axis=1)]
