"""The team's own English corpus: every ``*.txt`` file in this folder, read in sorted order.

Paragraphs are separated by blank lines; every ``HELDOUT_EVERY``-th paragraph is held out for perplexity.
"""

from __future__ import annotations

import re
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
HELDOUT_EVERY = 10  # paragraph 10, 20, 30, ... is held out: spread over every file and theme


def corpus_files() -> list[Path]:
    """The corpus files, sorted by name (home_*, school_*, travel_*)."""
    return sorted(CORPUS_DIR.glob("*.txt"))


def read_corpus() -> str:
    """The whole corpus as one text, files joined by a blank line."""
    return "\n\n".join(path.read_text(encoding="utf-8").strip() for path in corpus_files())


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs (blocks separated by blank lines), each on one line."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


def split_heldout(paragraphs: list[str], every: int = HELDOUT_EVERY) -> tuple[list[str], list[str]]:
    """(training, held-out) paragraphs: every ``every``-th paragraph is held out; none if there are fewer."""
    if every < 2 or len(paragraphs) < every:
        return list(paragraphs), []
    held = [p for i, p in enumerate(paragraphs) if i % every == every - 1]
    kept = [p for i, p in enumerate(paragraphs) if i % every != every - 1]
    return kept, held
