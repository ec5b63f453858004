"""The small computations behind the text-and-speech page: the hand-made vote as terms, the detectors that fired
more than once, the learned filters' table, the rows where one model alone was right, and the spread over seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def vote_terms(pooled: Mapping[str, float], weights: Mapping[str, float]) -> list[str]:
    """Each pooled detector times its voting weight, written out ("negated 1 × +1")."""
    return [f"{name} {value:.0f} × {weights[name]:+.0f}" for name, value in pooled.items()]


def repeated(firing: Mapping[str, int]) -> list[str]:
    """The detectors that fired at more than one place."""
    return [name for name, count in firing.items() if count > 1]


def filter_rows(tokens: Sequence[str], traces: Sequence, top: Mapping[str, Sequence[tuple[str, float]]]) -> list[dict]:
    """One row per filter trace: where it wins in the sentence, its score, and its top n-grams in training."""
    return [
        {
            "filter": t.name,
            "wins here on": " ".join(tokens[t.start : t.start + t.width]),
            "score": round(t.value, 2),
            "n-grams that excite it most in the training sentences": " · ".join(
                f"{g} ({v:.1f})" for g, v in top[t.name]
            ),
        }
        for t in traces
    ]


def win_rows(wins: Sequence[tuple[str, str, str, str]]) -> list[dict]:
    """Sentences where one model alone was right, as table rows (sentence, true label, both answers)."""
    return [{"sentence": s, "true": t, "text CNN": c, "bag of words": b} for s, t, c, b in wins]


def seed_spread(gaps: Sequence[float]) -> tuple[float, float, bool, bool]:
    """Over seeds: the smallest and largest gap, whether it is positive on average, and for every seed."""
    return min(gaps), max(gaps), sum(gaps) > 0, min(gaps) > 0
