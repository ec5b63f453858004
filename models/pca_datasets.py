"""The datasets PCA and the autoencoder reduce: sklearn's bundled digits, iris and wine (offline), or a student's
CSV, validated so that bad uploads become clear ``ValueError`` messages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, load_iris, load_wine

BUILTIN = ("digits", "iris", "wine")
MAX_CSV_BYTES = 2 * 1024 * 1024  # an uploaded CSV larger than this is refused
MAX_CSV_CELLS = 200_000  # rows × numeric columns; keeps PCA and the charts instant
MAX_CSV_COLUMNS = 300  # numeric columns; the covariance matrix grows with their square
MAX_LABEL_CLASSES = 20  # a text column with at most this many values is used to colour points


@dataclass(frozen=True)
class Dataset:
    """A numeric table with optional class labels, ready for PCA."""

    name: str  # shown on the page
    X: np.ndarray  # (n, d) float features
    feature_names: tuple[str, ...]  # d column names
    labels: np.ndarray | None = None  # (n,) class names as strings, or None when there are none
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was dropped or changed while loading
    image_shape: tuple[int, int] | None = None  # (8, 8) for digits, so rows can be drawn as images


def load_builtin(name: str) -> Dataset:
    """One of sklearn's bundled datasets: ``digits`` (8×8 images), ``iris`` or ``wine``."""
    loaders = {"digits": load_digits, "iris": load_iris, "wine": load_wine}
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(BUILTIN)}")
    bunch = loaders[name]()
    names = np.asarray(bunch.target_names).astype(str)
    return Dataset(
        name=name,
        X=np.asarray(bunch.data, dtype=float),
        feature_names=tuple(str(f) for f in bunch.feature_names),
        labels=names[bunch.target],
        image_shape=(8, 8) if name == "digits" else None,
    )


def digits_pixels() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 sklearn digits as (n, 64) float32 pixels scaled to [0, 1], and their integer labels."""
    bunch = load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


def parse_csv(data: bytes, name: str = "upload.csv") -> Dataset:
    """Read an uploaded CSV of numeric columns, refusing what PCA cannot use with a clear message."""
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_CSV_BYTES / 2**20:.0f} MB.")
    if b"\x00" in data[:8192]:
        raise ValueError("This looks like a binary file, not a CSV text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again.") from None
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ValueError(f"Could not read this as a CSV: {str(exc).splitlines()[0]}") from None

    numeric = frame.select_dtypes(include="number").select_dtypes(exclude="bool")
    if numeric.shape[1] == 0:
        raise ValueError("The CSV has no numeric columns; PCA needs numbers.")
    if numeric.shape[1] < 2:
        raise ValueError(f"The CSV has only one numeric column ({numeric.columns[0]!r}); PCA needs at least 2.")
    if numeric.shape[1] > MAX_CSV_COLUMNS:
        raise ValueError(f"The CSV has {numeric.shape[1]} numeric columns; the limit is {MAX_CSV_COLUMNS}.")
    if numeric.size > MAX_CSV_CELLS:
        raise ValueError(
            f"The CSV has {numeric.shape[0]} rows × {numeric.shape[1]} numeric columns; "
            f"the limit is {MAX_CSV_CELLS:,} numbers."
        )

    values = numeric.to_numpy(dtype=float)
    good = np.isfinite(values).all(axis=1)
    notes = []
    if not good.all():
        notes.append(f"Dropped {int((~good).sum())} row(s) with missing or infinite values.")
    dropped_cols = [str(c) for c in frame.columns if c not in numeric.columns]
    labels = None
    for col in dropped_cols:
        column = frame[col][good].astype(str)
        if 2 <= column.nunique() <= MAX_LABEL_CLASSES:
            labels = column.to_numpy()
            notes.append(f"Colouring points by the text column {col!r}.")
            break
    if dropped_cols:
        notes.append(f"Ignored non-numeric column(s): {', '.join(dropped_cols)}.")
    if good.sum() < 2:
        raise ValueError(f"Only {int(good.sum())} usable row(s) left; PCA needs at least 2 rows to measure variance.")
    return Dataset(
        name=name,
        X=values[good],
        feature_names=tuple(str(c) for c in numeric.columns),
        labels=labels,
        notes=tuple(notes),
    )
