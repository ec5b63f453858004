"""One architecture, many applications: the same sliding window over text and over sound.

Text becomes a (features × words) matrix and a 1-D convolution slides along the words;
sound becomes a spectrogram (frequency × time) image and a 2-D kernel slides over it.
The word features and detectors are hand-made so every number can be read; a real
text CNN learns them from data instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch
from scipy import signal
from torch.nn import functional as F

WORD_FEATURES = ("positive", "negative", "negation", "intensifier")
LEXICON: dict[str, tuple[float, float, float, float]] = {
    # positive, negative, negation, intensifier
    "good": (1, 0, 0, 0),
    "great": (1, 0, 0, 0),
    "happy": (1, 0, 0, 0),
    "nice": (1, 0, 0, 0),
    "fun": (1, 0, 0, 0),
    "love": (1, 0, 0, 0),
    "lovely": (1, 0, 0, 0),
    "warm": (1, 0, 0, 0),
    "sunny": (1, 0, 0, 0),
    "bad": (0, 1, 0, 0),
    "sad": (0, 1, 0, 0),
    "boring": (0, 1, 0, 0),
    "awful": (0, 1, 0, 0),
    "cold": (0, 1, 0, 0),
    "tired": (0, 1, 0, 0),
    "hate": (0, 1, 0, 0),
    "late": (0, 1, 0, 0),
    "not": (0, 0, 1, 0),
    "never": (0, 0, 1, 0),
    "no": (0, 0, 1, 0),
    "isn't": (0, 0, 1, 0),
    "wasn't": (0, 0, 1, 0),
    "don't": (0, 0, 1, 0),
    "very": (0, 0, 0, 1),
    "really": (0, 0, 0, 1),
    "so": (0, 0, 0, 1),
}
# Each detector is a (features × width) kernel and a bias: after ReLU it fires only when the whole
# pattern appears in a run of words (the bias of -1 silences a two-word detector that sees one word).
TEXT_DETECTORS: dict[str, tuple[np.ndarray, float]] = {
    "positive word": (np.array([[1.0], [-1.0], [0.0], [0.0]]), 0.0),
    "negative word": (np.array([[-1.0], [1.0], [0.0], [0.0]]), 0.0),
    "not + positive": (np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]), -1.0),
    "not + negative": (np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]), -1.0),
    "very + positive": (np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]), -1.0),
    "very + negative": (np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]), -1.0),
}
# The voting layer: one readable weight per pooled detector. A negation flips its word and outweighs it
# (the word's own detector still fires), an intensifier adds one more vote to its word's side.
VOTE_WEIGHTS: dict[str, float] = {
    "positive word": 1.0,
    "negative word": -1.0,
    "not + positive": -2.0,
    "not + negative": 2.0,
    "very + positive": 1.0,
    "very + negative": -1.0,
}
TEXT_LABELS = ("positive", "negative", "mixed", "neutral")
MAX_WORDS = 60  # a sentence longer than this is cut: the lesson needs a readable feature map


def tokenize_words(sentence: str) -> list[str]:
    """Lower-case words (keeping apostrophes), at most ``MAX_WORDS``."""
    return re.findall(r"[a-z']+", sentence.lower())[:MAX_WORDS]


def sentence_matrix(words: list[str]) -> np.ndarray:
    """The sentence as a (features × words) matrix; unknown words are all zeros."""
    if not words:
        raise ValueError("the sentence has no words to convolve over")
    return np.array([LEXICON.get(w, (0.0,) * len(WORD_FEATURES)) for w in words], dtype=float).T


def conv1d_text(matrix: np.ndarray, detector: np.ndarray) -> np.ndarray:
    """Slide ``detector`` (features × width) along the words: one score per window position."""
    if detector.shape[0] != matrix.shape[0]:
        raise ValueError("the detector must have one row per word feature")
    width = detector.shape[1]
    if matrix.shape[1] < width:
        return np.zeros(0)
    return np.array([(matrix[:, t : t + width] * detector).sum() for t in range(matrix.shape[1] - width + 1)])


@dataclass(frozen=True)
class TextVerdict:
    """What the hand-made text CNN saw: one feature map per detector, max-pooled over time, and a vote."""

    words: list[str]
    maps: dict[str, np.ndarray]  # detector name -> score per position (after ReLU)
    pooled: dict[str, float]  # detector name -> max over time
    score: float  # the vote: sum of VOTE_WEIGHTS × pooled
    label: str  # "positive", "negative", "mixed" (evidence both ways cancels) or "neutral" (no evidence)

    @property
    def firing(self) -> dict[str, int]:
        """Detector name -> how many positions fired (max-pooling keeps only one of them)."""
        return {name: int((m > 0).sum()) for name, m in self.maps.items()}


def classify_sentence(sentence: str) -> TextVerdict:
    """Run the hand-made text CNN: convolve, ReLU, max-pool over time, weigh the evidence."""
    words = tokenize_words(sentence)
    matrix = sentence_matrix(words)
    maps = {name: np.maximum(conv1d_text(matrix, k) + bias, 0.0) for name, (k, bias) in TEXT_DETECTORS.items()}
    pooled = {name: float(m.max()) if m.size else 0.0 for name, m in maps.items()}
    score = sum(VOTE_WEIGHTS[name] * value for name, value in pooled.items())
    if score > 0:
        label = "positive"
    elif score < 0:
        label = "negative"
    else:
        label = "mixed" if any(pooled.values()) else "neutral"
    return TextVerdict(words, maps, pooled, score, label)


SAMPLE_RATE = 8000  # Hz: enough for speech-like tones, small enough to be quick
SOUNDS = (
    "rising pitch",
    "falling pitch",
    "steady tone",
    "two syllables",
    "noise",
    "rise then fall",
    "vowel (harmonics)",
    "clicks",
)
SPECTRO_KERNELS: dict[str, np.ndarray] = {
    "onset (time edge)": np.array([[-1.0, 0.0, 1.0]] * 3) / 3,
    "rising line": np.array([[-1.0, -1.0, 2.0], [-1.0, 2.0, -1.0], [2.0, -1.0, -1.0]]) / 6,
    "falling line": np.array([[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 2.0]]) / 6,
    "steady line": np.array([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]]) / 6,
}
MAX_HZ = 2000  # the spectrogram keeps 0–2 kHz, where every sound lives even at the highest pitch


def _pattern(kind: str, t: np.ndarray, duration: float, pitch: float, rng: np.random.Generator) -> np.ndarray:
    """The clean sound of ``kind`` over times ``t`` (seconds) lasting ``duration``, frequencies times ``pitch``."""
    if kind == "rising pitch":
        return signal.chirp(t, f0=250 * pitch, t1=duration, f1=1750 * pitch)
    if kind == "falling pitch":
        return signal.chirp(t, f0=1750 * pitch, t1=duration, f1=250 * pitch)
    if kind == "steady tone":
        return np.sin(2 * np.pi * 700 * pitch * t)
    if kind == "two syllables":
        envelope = (np.sin(2 * np.pi * t / duration) ** 2) * ((t < 0.4 * duration) | (t > 0.6 * duration))
        return envelope * np.sin(2 * np.pi * (500 + 300 * (t > duration / 2)) * pitch * t)
    if kind == "noise":
        return rng.uniform(-1, 1, t.size)
    if kind == "rise then fall":
        # Frequency 400 → 1300 → 400 Hz: the phase is the running integral of the frequency.
        frequency = pitch * (400 + 900 * np.sin(np.pi * t / duration))
        return np.sin(2 * np.pi * np.cumsum(frequency) / SAMPLE_RATE)
    if kind == "vowel (harmonics)":
        # A voiced vowel: a 150 Hz fundamental and its harmonics, loudest near two formants (500 and 1200 Hz).
        f0 = 150 * pitch
        harmonics = np.arange(1, int(MAX_HZ / f0))
        gain = np.exp(-(((harmonics * f0 - 500) / 200) ** 2)) + 0.7 * np.exp(-(((harmonics * f0 - 1200) / 250) ** 2))
        return (gain[:, None] * np.sin(2 * np.pi * f0 * harmonics[:, None] * t)).sum(axis=0)
    # clicks: short broadband bursts, about 8 a second
    wave = np.zeros(t.size)
    gap = max(int(SAMPLE_RATE / (8 * pitch)), 1)
    for i in range(gap // 2, t.size - 40, gap):
        wave[i : i + 40] = rng.uniform(-1, 1, 40) * np.hanning(40)
    return wave


def make_sound(
    kind: str,
    seconds: float = 1.0,
    seed: int = 0,
    *,
    pitch: float = 1.0,
    span: float = 1.0,
    start: float = 0.0,
    noise: float = 0.0,
) -> np.ndarray:
    """A short synthetic sound, float32 in [-1, 1].

    ``pitch`` multiplies every frequency, the sound lasts ``span`` of the clip (faster speech is shorter) from
    ``start`` (a share of the clip), and ``noise`` adds that much white noise relative to the sound's peak.
    """
    if kind not in SOUNDS:
        raise ValueError(f"unknown sound {kind!r}; choose one of {', '.join(SOUNDS)}")
    rng = np.random.default_rng(seed)
    n = int(SAMPLE_RATE * seconds)
    length = max(int(n * min(span, 1.0)), 1)
    t = np.arange(length) / SAMPLE_RATE
    clean = _pattern(kind, t, length / SAMPLE_RATE, pitch, rng)
    clean = clean / max(np.abs(clean).max(), 1e-9)
    wave = np.zeros(n)
    first = min(int(start * n), n - length)
    wave[first : first + length] = clean
    if noise > 0:
        wave = wave + noise * rng.normal(0, 0.5, n)
    return (0.8 * wave / max(np.abs(wave).max(), 1e-9)).astype(np.float32)


def spectrogram(wave: np.ndarray, bins: int = 32) -> np.ndarray:
    """Log-magnitude spectrogram (frequency × time), low frequencies at the bottom row, scaled to [0, 1].

    A stack of waves (N, samples) gives a stack of spectrograms (N, bins, time), each scaled on its own, in one
    scipy call (a training set's 1,120 sounds: 0.43 s one by one).
    """
    frequencies, _, power = signal.spectrogram(wave, fs=SAMPLE_RATE, nperseg=256, noverlap=0)  # (..., F, T)
    power = power[..., frequencies < MAX_HZ, :]
    # Average neighbouring frequency rows down to ``bins`` rows so the image stays readable.
    rows = np.array_split(power, bins, axis=-2)
    image = np.log1p(np.stack([r.mean(axis=-2) for r in rows], axis=-2) * 1e3)[..., ::-1, :]
    low = image.min(axis=(-2, -1), keepdims=True)
    return (image - low) / np.maximum(image.max(axis=(-2, -1), keepdims=True) - low, 1e-9)


def convolve_spectrogram(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The same 2-D convolution as for photos (torch ``conv2d``, zero padding keeps the size), then ReLU."""
    x = torch.as_tensor(image, dtype=torch.float32)[None, None]
    k = torch.as_tensor(kernel, dtype=torch.float32)[None, None]
    return F.relu(F.conv2d(x, k, padding=kernel.shape[0] // 2))[0, 0].numpy()
