"""Seed robustness of the Draw page's claims: each one measured on models trained with five seeds.

    python -m benchmarks.claims_draw

``run()`` returns one row per claim: the per-seed values, their mean and worst, the goal and whether it is met.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def _row(claim: str, values: list[float], goal: str, ok, worst=min) -> dict:
    return {
        "claim": claim,
        "values": [round(float(v), 4) for v in values],
        "mean": round(float(np.mean(values)), 4),
        "worst": round(float(worst(values)), 4),
        "goal": goal,
        "met": bool(all(ok(v) for v in values)),
    }


def measure(seed: int) -> dict[str, float]:
    """Every seed-dependent figure the Draw page words a claim from, for models trained with ``seed``."""
    from models import baselines, cnn_training, drawing, invariance

    xo = {
        "CNN": cnn_training.train_classifier("xo", seed=seed),
        "MLP": cnn_training.train_classifier("xo", arch="mlp", seed=seed),
    }
    dg = {
        "CNN": cnn_training.train_classifier("digits", seed=seed),
        "MLP": cnn_training.train_classifier("digits", arch="mlp", seed=seed),
    }
    o_shift = invariance.keep_rates(xo, "O", "shift", [-0.2, 0.2])
    x_turn = invariance.keep_rates(xo, "X", "rotate", [-45, 45, -90, 90])
    o_turn = invariance.keep_rates(xo, "O", "rotate", [45, 90])
    digit_shift = [invariance.keep_rates(dg, str(d), "shift", [-0.2, 0.2]) for d in range(10)]
    steps = xo["CNN"].preprocess(drawing.example_drawing("xo", "X"))
    turned = np.stack([invariance.transformed_input(steps, "xo", angle=a) for a in (-45, 45)])
    plus = xo["CNN"].predict_proba(drawing.example_drawing("xo", "plus"))
    comparison = baselines.compare_digits(dg, seed=seed).accuracy
    return {
        "xo_accuracy": xo["CNN"].test_accuracy,
        "digits_accuracy": dg["CNN"].test_accuracy,
        "o_shift_lead": o_shift["CNN"].mean() - o_shift["MLP"].mean(),
        "digit_shift_lead": float(np.mean([r["CNN"].mean() - r["MLP"].mean() for r in digit_shift])),
        "x45_kept": x_turn["CNN"][:2].mean(),
        "x90_kept": x_turn["CNN"][2:].mean(),
        "o_turn_kept": o_turn["CNN"].min(),
        "example_x45_other": float((xo["CNN"].predict_grids(turned).argmax(axis=1) == 2).mean()),
        "plus_other": plus["other"],
        "svc_tie": 100 * (comparison["test digits"]["CNN"] - comparison["test digits"]["SVC, same rows"]),
        "moved_lead": 100
        * (comparison["test digits moved 1 px"]["CNN"] - comparison["test digits moved 1 px"]["SVC, same rows"]),
        "strokes_buy": 100
        * (
            comparison["fresh pen strokes"]["SVC, same rows"] - comparison["fresh pen strokes"]["SVC, real digits only"]
        ),
    }


def run(seeds=(0, 1, 2, 3, 4)) -> list[dict]:
    """The Draw page's seed-dependent claims over ``seeds``."""
    per_seed = []
    for seed in seeds:
        started = time.perf_counter()
        per_seed.append(measure(seed))
        print(f"  draw claims, seed {seed}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    v = {key: [m[key] for m in per_seed] for key in per_seed[0]}
    return [
        _row("X/O CNN test accuracy", v["xo_accuracy"], "≥ 0.995", lambda x: x >= 0.995),
        _row("digits CNN test accuracy", v["digits_accuracy"], "≥ 0.99", lambda x: x >= 0.99),
        _row(
            "shift check (O moved 1/5): CNN keep rate − MLP keep rate",
            v["o_shift_lead"],
            "> 0.05 (answer: the CNN)",
            lambda x: x > 0.05,
        ),
        _row(
            "shift check (digit moved 1/5): CNN keep rate − MLP keep rate",
            v["digit_shift_lead"],
            "> 0.05 (answer: the CNN)",
            lambda x: x > 0.05,
        ),
        _row("fresh X's turned ±45° still called X by the CNN", v["x45_kept"], "< 0.5", lambda x: x < 0.5, worst=max),
        _row("fresh X's turned ±90° still called X by the CNN", v["x90_kept"], "> 0.9", lambda x: x > 0.9),
        _row("fresh O's turned 45°/90° still called O by the CNN", v["o_turn_kept"], "> 0.9", lambda x: x > 0.9),
        _row("example X turned ±45° called 'other'", v["example_x45_other"], "= 1", lambda x: x == 1),
        _row("P(other) of the ready-made '+'", v["plus_other"], "> 0.5", lambda x: x > 0.5),
        _row(
            "digits: CNN − SVC on the same rows, test digits (points)",
            v["svc_tie"],
            "within ±1 (they tie)",
            lambda x: abs(x) <= 1,
            worst=lambda xs: max(xs, key=abs),
        ),
        _row(
            "digits: CNN − SVC on the same rows, moved 1 px (points)",
            v["moved_lead"],
            "> 20",
            lambda x: x > 20,
        ),
        _row(
            "digits: what synthetic strokes buy the SVC on fresh pen strokes (points)",
            v["strokes_buy"],
            "> 20",
            lambda x: x > 20,
        ),
    ]


if __name__ == "__main__":
    rows = run(tuple(int(s) for s in sys.argv[1:]) or (0, 1, 2, 3, 4))
    for row in rows:
        print(f"{'yes' if row['met'] else 'NO ':<4} {row['claim']:<70} mean {row['mean']:<8} worst {row['worst']}")
    print(json.dumps(rows, indent=1))
