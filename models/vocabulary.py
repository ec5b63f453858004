"""Text for the next-word models: tokens, sentence marks, the vocabulary, and checks on a student's own text."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from models.corpus import split_paragraphs

START = "<s>"  # starts every sentence; also pads the window model's first position
UNK = "<unk>"  # every word rarer than min_count, and every word the corpus never saw
SPECIALS = (START, UNK)
MAX_TEXT_CHARS = 2_000_000  # a text longer than this is refused rather than tokenised

TOKEN_PATTERN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|[^\sa-z0-9]")
SENTENCE_END = frozenset({".", "!", "?"})
CLOSERS = frozenset({'"', "'", ")"})  # may follow a full stop without ending the wait for the next sentence
NO_SPACE_BEFORE = frozenset({".", ",", "!", "?", ";", ":", ")", "'s"})


def tokenize(text: str) -> list[str]:
    """Lower-case words (with inner apostrophes) and single punctuation marks, in order."""
    return TOKEN_PATTERN.findall(text.lower().replace("\u2019", "'"))


def mark_sentences(tokens: Sequence[str], *, open_end: bool = False) -> list[str]:
    """Put ``<s>`` before the first word and before every word that follows a sentence end.

    With ``open_end`` a text ending in a full stop also gets a final ``<s>``: the next word starts a sentence.
    """
    out, pending = [START], False
    for tok in tokens:
        if tok[0].isalnum():
            if pending:
                out.append(START)
            pending = False
        elif tok in SENTENCE_END:
            pending = True
        elif tok not in CLOSERS:
            pending = False
        out.append(tok)
    if open_end and pending:
        out.append(START)
    return out


def text_tokens(text: str) -> list[str]:
    """A whole text as one token stream: paragraphs in order, each sentence opened by ``<s>``."""
    out: list[str] = []
    for paragraph in split_paragraphs(text):
        out.extend(mark_sentences(tokenize(paragraph)))
    return out


def shuffle_words(prompt: str, seed: int = 0) -> str:
    """The prompt's tokens in a random order (same multiset of words), joined by spaces."""
    tokens = tokenize(prompt)
    random.Random(seed).shuffle(tokens)
    return " ".join(tokens)


def decode_text(data: bytes, max_bytes: int) -> str:
    """Bytes of an uploaded file as text; ValueError if it is too big, binary, not UTF-8 or empty."""
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data) / 1000:.0f} kB; the limit is {max_bytes / 1000:.0f} kB")
    if b"\x00" in data:
        raise ValueError("this looks like a binary file, not plain text: upload a .txt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("the file is not UTF-8 text: save it as plain UTF-8 text and upload it again") from exc
    if not text.strip():
        raise ValueError("the file is empty")
    return text


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to readable text: no space before punctuation, sentences capitalised."""
    text, capital = "", True
    for tok in tokens:
        if tok == START:
            capital = True
            continue
        word = tok.capitalize() if capital and tok[0].isalpha() else ("I" if tok == "i" else tok)
        if tok[0].isalnum():
            capital = False
        elif tok in SENTENCE_END:
            capital = True
        text += word if (not text or tok in NO_SPACE_BEFORE) else " " + word
    return text


class Vocabulary:
    """Maps tokens to ids and back: specials first, then words by frequency; rare and unseen words become ``<unk>``."""

    def __init__(self, itos: Sequence[str]):
        if list(itos[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError(f"a vocabulary must start with {SPECIALS}")
        self.itos = list(itos)
        self.stoi = {tok: i for i, tok in enumerate(self.itos)}
        self.start_id = self.stoi[START]
        self.unk_id = self.stoi[UNK]

    @classmethod
    def build(cls, tokens: Sequence[str], *, min_count: int = 2, max_size: int = 2000) -> Vocabulary:
        """The words seen at least ``min_count`` times, most frequent first, at most ``max_size`` entries in all."""
        counts = Counter(t for t in tokens if t not in SPECIALS)
        ranked = sorted((c, w) for w, c in counts.items() if c >= min_count)
        ranked.sort(key=lambda cw: (-cw[0], cw[1]))  # frequency, then alphabet: deterministic
        return cls([*SPECIALS, *(w for _, w in ranked[: max(max_size - len(SPECIALS), 0)])])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids, ``<unk>`` for anything unknown."""
        return [self.stoi.get(t, self.unk_id) for t in tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Tokens for ids."""
        return [self.itos[i] for i in ids]

    def count_vector(self, tokens: Sequence[str]) -> np.ndarray:
        """How often each vocabulary entry occurs in ``tokens`` (``<s>`` is not a word and is not counted)."""
        counts = np.zeros(len(self), dtype=np.int64)
        for i in self.encode(tokens):
            if i != self.start_id:
                counts[i] += 1
        return counts


def count_words(text: str) -> int:
    """Words in a text (tokens that start with a letter or digit; punctuation is not counted)."""
    return sum(tok[0].isalnum() for tok in tokenize(text))


def check_own_text(pasted: str, upload: bytes | None, max_bytes: int) -> str:
    """The text a student wants to train on (an upload wins over pasted text); ValueError says what is wrong."""
    if upload is not None:
        text = decode_text(upload, max_bytes)
    elif not pasted.strip():
        raise ValueError("there is no text yet: paste some sentences or upload a .txt file")
    elif len(pasted.encode()) > max_bytes:
        raise ValueError(f"the text is {len(pasted.encode()) / 1000:.0f} kB; the limit is {max_bytes // 1000} kB")
    else:
        text = pasted
    if not count_words(text):
        raise ValueError("the text has no words the models can read")
    return text


def unknown_words(vocab: Vocabulary, text: str) -> tuple[list[str], int]:
    """The text's words that the vocabulary reads as ``<unk>`` (each once, in order), and how many words it has."""
    words = [tok for tok in tokenize(text) if tok[0].isalnum()]
    unknown = list(dict.fromkeys(w for w in words if w not in vocab))
    return unknown, len(words)


def unknown_share(vocab: Vocabulary, text: str) -> float:
    """Share of the text's tokens (punctuation included, ``<s>`` not) that the vocabulary reads as ``<unk>``."""
    tokens = tokenize(text)
    return sum(t not in vocab for t in tokens) / max(len(tokens), 1)
