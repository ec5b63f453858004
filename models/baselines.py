"""The digits CNN against the classic ``SVC(gamma=0.001)``, trained on the same rows, on the inputs where they differ.

Measured on the fixed test split of ``load_digits``, on the same test digits moved one pixel sideways, and on
fresh synthetic pen strokes (what a drawing on the canvas looks like after pre-processing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.svm import SVC

from models import digits
from models.drawing import make_dataset

SVC_GAMMA = 0.001  # the setting of sklearn's digits example
PEN_DIGITS = 100  # fresh pen-stroke digits per digit in the "drawn" test set
PEN_SEED = 99  # not the training seed: these strokes were never trained on


def fit_svc(grids: np.ndarray, labels: np.ndarray) -> SVC:
    """SVC(gamma=0.001) on 8×8 grids of counts 0–16 (the scale sklearn's example uses)."""
    return SVC(gamma=SVC_GAMMA).fit(np.asarray(grids).reshape(len(grids), -1), labels)


def shifted(grids: np.ndarray, pixels: int) -> np.ndarray:
    """8×8 grids moved ``pixels`` to the right (negative: left), filling with blank columns."""
    out = np.zeros_like(grids)
    if pixels > 0:
        out[..., pixels:] = grids[..., :-pixels]
    elif pixels < 0:
        out[..., :pixels] = grids[..., -pixels:]
    else:
        out[...] = grids
    return out


@dataclass(frozen=True)
class DigitsComparison:
    """Accuracy of each model (columns) on each test set (rows), plus the size of every training set."""

    accuracy: dict[str, dict[str, float]]  # test set -> model -> accuracy
    train_rows: dict[str, int]  # model -> training rows
    test_sets: dict[str, int]  # test set -> examples


def compare_digits(classifiers: dict, *, seed: int = 0) -> DigitsComparison:
    """Score the given digit classifiers (name -> ImageClassifier) and two SVCs on the same test sets.

    "SVC, same rows" trains on exactly the rows the default CNN trains on (the real digits twice and the
    synthetic strokes); "SVC, real digits only" on the 1,437 real training digits, as in sklearn's example.
    """
    config = next(iter(classifiers.values())).config
    data = make_dataset(config, seed)
    x_rows, y_rows = 16 * data.x_train.numpy(), data.y_train.numpy()
    x_real, _, y_real, _ = digits.load_digit_split(seed=0)
    svcs = {"SVC, same rows": fit_svc(x_rows, y_rows), "SVC, real digits only": fit_svc(x_real, y_real)}
    x_test, y_test = 16 * data.x_test.numpy(), data.y_test.numpy()
    pen_x, pen_y = digits.make_stroke_digits(PEN_DIGITS, seed=PEN_SEED)
    sets = {
        "test digits": (x_test, y_test),
        "test digits moved 1 px": (np.concatenate([shifted(x_test, 1), shifted(x_test, -1)]), np.tile(y_test, 2)),
        "fresh pen strokes": (pen_x, pen_y),
    }
    accuracy: dict[str, dict[str, float]] = {}
    for set_name, (x, y) in sets.items():
        row = {name: float((m.predict_grids(x / 16).argmax(axis=1) == y).mean()) for name, m in classifiers.items()}
        row |= {name: float(svc.score(x.reshape(len(x), -1), y)) for name, svc in svcs.items()}
        accuracy[set_name] = row
    rows = {name: len(y_rows) for name in classifiers} | {
        "SVC, same rows": len(y_rows),
        "SVC, real digits only": len(y_real),
    }
    return DigitsComparison(accuracy, rows, {name: len(y) for name, (_, y) in sets.items()})
