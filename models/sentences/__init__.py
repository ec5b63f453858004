"""The team's own labelled English sentences for the text CNN: one sentence per line, the label in the file name.

Every ``HELDOUT_EVERY``-th line of every file is held out, so the test set spans every file and class.
"""

from __future__ import annotations

from pathlib import Path

SENTENCES_DIR = Path(__file__).resolve().parent
HELDOUT_EVERY = 5  # line 5, 10, 15, ... of each file is held out: 20 % of every class and every file
LABELS = ("negative", "neutral", "positive")  # file names start with one of these


def sentence_files() -> list[Path]:
    """The labelled files, sorted by name (negative_*, neutral_*, positive_*)."""
    return sorted(SENTENCES_DIR.glob("*.txt"))


def label_of(path: Path) -> str:
    """The class of every sentence in ``path``: the part of its name before the first underscore."""
    label = path.stem.split("_")[0]
    if label not in LABELS:
        raise ValueError(f"{path.name}: a labelled file must start with one of {', '.join(LABELS)}")
    return label


def load_split(every: int = HELDOUT_EVERY) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(training, held-out) lists of (sentence, label); every ``every``-th line of each file is held out."""
    train, held = [], []
    for path in sentence_files():
        label = label_of(path)
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for i, line in enumerate(lines):
            (held if i % every == every - 1 else train).append((line, label))
    return train, held
