"""Run the lab's benchmark: train every default model from scratch, measure accuracy, page reruns and memory.

    python -m benchmarks --out results.json

Prints a table of figures against their goals and writes everything as JSON. Speed is judged here,
never in the tests, because test machines are noisy.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import tempfile
import time
from collections.abc import Callable

import numpy as np
import torch

import benchmarks
from benchmarks import harness
from benchmarks.reference import reference_seconds


def train_all() -> tuple[dict[str, float], dict[str, object]]:
    """Train every default model from scratch; return seconds per model and the trained models."""
    from models import autoencoder, cnn_training, language, long_dependency, speech_cnn, text_cnn
    from models.corpus import read_corpus

    corpus = read_corpus()
    trainers: dict[str, Callable[[], object]] = {
        "xo": lambda: cnn_training.train_classifier("xo"),
        "digits": lambda: cnn_training.train_classifier("digits"),
        "xo_mlp": lambda: cnn_training.train_classifier("xo", arch="mlp"),
        "digits_mlp": lambda: cnn_training.train_classifier("digits", arch="mlp"),
        "autoencoder": lambda: autoencoder.train_autoencoder(autoencoder.DEFAULT_CONFIG),
        "linear_autoencoder": lambda: autoencoder.train_autoencoder(autoencoder.LINEAR_CONFIG),
        **{kind: (lambda kind=kind: language.train_language_model(corpus, kind)) for kind in language.KINDS},
        "text_cnn": lambda: text_cnn.train_text_cnn(),
        "speech_cnn": lambda: speech_cnn.train_speech_cnn(),
        "longdep_rnn": lambda: long_dependency.train_recall_model("rnn"),
        "longdep_lstm": lambda: long_dependency.train_recall_model("lstm"),
    }
    seconds, models = {}, {}
    for name, fit in trainers.items():
        started = time.perf_counter()
        models[name] = fit()
        seconds[name] = round(time.perf_counter() - started, 2)
        print(f"  trained {name:<20} {seconds[name]:6.2f} s", flush=True)
    return seconds, models


def accuracy_figures(models: dict) -> dict:
    """Digits CNN vs SVC on the same split, X/O on a generated test set, perplexities, long-dependency recall."""
    from models import baselines, long_dependency

    # The SVC baseline trains on the CNN's own rows (real digits twice plus the synthetic strokes); the
    # real-digits-only SVC shows what the strokes buy; "moved 1 px" is where the CNN's weight sharing pays.
    comparison = baselines.compare_digits({"cnn": models["digits"], "mlp": models["digits_mlp"]})
    figures = {
        "digits_accuracy": {
            "cnn": round(models["digits"].test_accuracy, 4),
            "mlp": round(models["digits_mlp"].test_accuracy, 4),
            "svc": round(comparison.accuracy["test digits"]["SVC, same rows"], 4),
            "svc_real_only": round(comparison.accuracy["test digits"]["SVC, real digits only"], 4),
        },
        "digits_comparison": {
            test_set: {name: round(acc, 4) for name, acc in row.items()}
            for test_set, row in comparison.accuracy.items()
        },
        "xo_accuracy": round(models["xo"].test_accuracy, 4),
        "perplexity": {k: round(models[k].heldout_perplexity, 2) for k in ("window", "bow", "rnn", "lstm")},
        "autoencoder_test_mse": {
            "nonlinear": round(models["autoencoder"].test_mse, 5),
            "linear": round(models["linear_autoencoder"].test_mse, 5),
        },
    }
    distances = [4, 8, 12, 16, 24]
    figures["long_dependency_recall"] = {}
    for kind in ("rnn", "lstm"):
        recall = long_dependency.recall_accuracy(models[f"longdep_{kind}"], distances)
        figures["long_dependency_recall"][kind] = {str(d): round(a, 3) for d, a in recall.items()}
    return figures


def predict_ms(models: dict) -> dict[str, float]:
    """Canvas array -> probabilities + feature maps, median over repeated calls, for both CNNs."""
    from models import drawing

    out = {}
    for task, sample in (("xo", "X"), ("digits", "3")):
        image = drawing.example_drawing(task, sample)
        model = models[task]

        def predict(model=model, image=image):
            model.predict_proba(image)
            model.feature_maps(image)

        out[task] = round(harness.median_ms(predict), 2)
    return out


# A typical interaction per page, applied before each timed rerun (``i`` cycles the values).
INTERACTIONS: dict[str, Callable] = {
    "home": lambda at, i: None,  # a plain rerun: Home has no heavy widget
    "dimensionality": lambda at, i: at.slider(key="dimensionality_angle").set_value([10, 60, 120, 170][i % 4]),
    "kernels": lambda at, i: at.slider(key="kernels_stride").set_value(1 + i % 3),
    "draw": lambda at, i: at.selectbox(key="draw_example").set_value(
        at.selectbox(key="draw_example").options[1 + i % 2]
    ),
    "next_word": lambda at, i: at.text_input(key="next_word_prompt").input(
        ["this morning i took my dog", "the bus to school", "it was raining when"][i % 3]
    ),
}


def page_reruns() -> dict[str, float]:
    """Median script time of a rerun after a typical interaction, with the page's models warm."""
    out = {}
    for page, interact in INTERACTIONS.items():
        try:
            out[page] = round(harness.page_rerun_ms(page, interact), 1)
        except Exception as exc:  # a missing widget key should not hide the other figures
            out[page] = f"error: {exc}"
        print(f"  rerun {page:<16} {out[page]}", flush=True)
    return out


RSS_CHILD = """
import json, os
os.environ["LAB_CACHE_DIR"] = {cache!r}
from benchmarks.__main__ import INTERACTIONS
from benchmarks.harness import timed_page
for page, interact in INTERACTIONS.items():
    if page == "home":  # needs the router; it holds no models anyway
        continue
    at = timed_page(page).run()
    interact(at, 0)
    at.run()
print(json.dumps({{"rss_mb": peak_rss_mb()}}))
"""

CUSTOM_CORPORA_CHILD = """
import json, os
os.environ["LAB_CACHE_DIR"] = {cache!r}
from streamlit.testing.v1 import AppTest
from models.corpus import read_corpus
corpus = read_corpus()
peaks = []
for i in range(10):
    at = AppTest.from_file("pages/next_word.py", default_timeout=600).run()
    text = " ".join(corpus.split()[i * 1500 : (i + 1) * 1500])
    at.text_area(key="next_word_own_text").input(text).run()
    at.button(key="next_word_train_own").click().run()
    assert not at.exception, at.exception
    peaks.append(peak_rss_mb())
print(json.dumps({{"peak_rss_mb_after_each": peaks}}))
"""


def memory(cache: str) -> dict:
    """Peak RSS of one process that runs every page once (weights on disk, and from an empty cache),
    and its peak after each of ten custom corpora."""
    out: dict[str, object] = {}
    for key, folder in (("rss_mb", cache), ("rss_cold_cache_mb", tempfile.mkdtemp(prefix="lab-bench-cold-"))):
        try:
            out[key] = round(harness.run_child(RSS_CHILD.format(cache=folder))["rss_mb"], 1)
        except Exception as exc:
            out[key] = f"error: {exc}"
    try:
        peaks = harness.run_child(CUSTOM_CORPORA_CHILD.format(cache=cache), timeout=1800)["peak_rss_mb_after_each"]
        out["custom_corpora_rss_mb"] = [round(p, 1) for p in peaks]
    except Exception as exc:
        out["custom_corpora_rss_mb"] = f"error: {exc}"
    return out


def seed_claims(seeds: tuple[int, ...] = (0, 1, 2, 3, 4)) -> list[dict]:
    """Every seed-dependent claim the pages make, measured over five seeds (``benchmarks/claims_*.py``).

    Each module's ``run(seeds)`` returns rows ``{claim, values, mean, worst, goal, met}``; a claim the
    pages state as true must be met for every seed, or the page shows the spread instead.
    """
    rows: list[dict] = []
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if not info.name.startswith("claims_"):
            continue
        started = time.perf_counter()
        try:
            found = importlib.import_module(f"benchmarks.{info.name}").run(seeds)
        except Exception as exc:  # one broken check must not hide the others
            found = [{"claim": f"{info.name}: error {exc}", "values": [], "mean": None, "worst": None,
                      "goal": "runs", "met": False}]  # fmt: skip
        for row in found:
            rows.append({**row, "module": info.name})
        print(f"  {info.name:<24} {len(found)} claim(s) in {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def goals(results: dict) -> list[tuple[str, str, bool | None]]:
    """(goal, measured, met) rows for the summary table."""

    def num(x):
        return x if isinstance(x, int | float) else None

    rows = []
    ref = results["reference_seconds"]
    total = sum(v for k, v in results["train_seconds"].items() if not k.startswith("longdep"))
    rows.append(
        ("all default models train in ≤ 60× the reference", f"{total / ref:.0f}× ({total:.1f} s)", total <= 60 * ref)
    )
    xo = results["train_seconds"]["xo"]
    rows.append(("X/O CNN trains in ≤ 20× the reference", f"{xo / ref:.0f}× ({xo:.1f} s)", xo <= 20 * ref))
    lang = sum(results["train_seconds"][k] for k in ("window", "bow", "rnn", "lstm"))
    rows.append(("four language models train in ≤ 10 s", f"{lang:.1f} s", lang <= 10))
    draw = results["train_seconds"]["xo"] + results["train_seconds"]["digits"]
    rows.append(("both default CNNs train in ≤ 8 s", f"{draw:.1f} s", draw <= 8))
    longdep = results["train_seconds"]["longdep_rnn"] + results["train_seconds"]["longdep_lstm"]
    rows.append(("long-dependency pair trains in ≤ 15 s", f"{longdep:.1f} s", longdep <= 15))
    d = results["digits_accuracy"]
    gap = 100 * (d["cnn"] - d["svc"])
    same = f"{d['cnn']:.2%} vs {d['svc']:.2%} ({gap:+.2f})"
    rows.append(("digits CNN ≥ SVC on the same rows − 0.3 points", same, gap >= -0.3))
    moved = results["digits_comparison"]["test digits moved 1 px"]
    lead = 100 * (moved["cnn"] - moved["SVC, same rows"])
    rows.append(
        (
            "digits moved 1 px: CNN beats SVC (same rows) by ≥ 20 points",
            f"{moved['cnn']:.2%} vs {moved['SVC, same rows']:.2%} ({lead:+.1f})",
            lead >= 20,
        )
    )
    rows.append(("X/O accuracy ≥ 99.5%", f"{results['xo_accuracy']:.2%}", results["xo_accuracy"] >= 0.995))
    p = results["perplexity"]
    rows.append(
        (
            "LSTM perplexity below window and bow",
            ", ".join(f"{k} {v:.1f}" for k, v in p.items()),
            p["lstm"] < min(p["window"], p["bow"]),
        )
    )
    for page, ms in results["page_rerun_ms"].items():
        rows.append((f"{page} rerun ≤ 100 ms", f"{ms} ms" if num(ms) else str(ms)[:60], num(ms) and ms <= 100))
    worst = max(results["predict_ms"].values())
    rows.append(("canvas → prediction + maps ≤ 50 ms", f"{worst:.1f} ms", worst <= 50))
    rss, cold = results.get("rss_mb"), results.get("rss_cold_cache_mb")
    rows.append(("RSS ≤ 800 MB (every page, weights on disk)", f"{rss} MB", num(rss) and rss <= 800))
    rows.append(("RSS ≤ 800 MB (every page, empty cache)", f"{cold} MB", num(cold) and cold <= 800))
    for claim in results.get("seed_claims", []):
        values = ", ".join(f"{v:.3g}" if isinstance(v, int | float) else str(v) for v in claim["values"])
        rows.append((f"5 seeds: {claim['claim']} ({claim['goal']})", values[:44], bool(claim["met"])))
    peaks = results.get("custom_corpora_rss_mb")
    if isinstance(peaks, list) and peaks:
        growth = peaks[-1] - peaks[len(peaks) // 2]
        rows.append(("ten custom corpora: memory bounded", f"{peaks[0]:.0f} → {peaks[-1]:.0f} MB", growth < 100))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results.json", help="where to write the JSON figures")
    parser.add_argument("--skip-memory", action="store_true", help="skip the (slow) memory measurements")
    parser.add_argument("--skip-claims", action="store_true", help="skip the five-seed checks of the pages' claims")
    args = parser.parse_args()
    # Train into a throwaway folder: the benchmark measures training from scratch, not loading.
    os.environ["LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="lab-bench-cache-")
    os.environ["LAB_BLOCKING_TRAINING"] = "1"  # AppTest runs no fragments: pages train in the script thread
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    np.random.seed(0)

    results: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"torch {torch.__version__}",
    }
    print("Timing the reference workload…", flush=True)
    results["reference_seconds"] = round(reference_seconds(), 3)
    print(f"  reference: {results['reference_seconds']} s", flush=True)
    print("Training every default model from scratch…", flush=True)
    results["train_seconds"], models = train_all()
    results.update(accuracy_figures(models))
    results["predict_ms"] = predict_ms(models)
    print("Timing page reruns (models warm)…", flush=True)
    results["page_rerun_ms"] = page_reruns()
    if not args.skip_claims:
        print("Checking seed-dependent claims over five seeds…", flush=True)
        results["seed_claims"] = seed_claims()
    if not args.skip_memory:
        print("Measuring memory…", flush=True)
        results.update(memory(os.environ["LAB_CACHE_DIR"]))

    rows = goals(results)
    width = max(len(g) for g, _, _ in rows)
    print(f"\n{'goal':<{width}}  {'measured':<44}  met")
    print("-" * (width + 52))
    for goal, measured, met in rows:
        print(f"{goal:<{width}}  {measured:<44}  {'yes' if met else 'NO'}")
    results["goals"] = [{"goal": g, "measured": m, "met": bool(ok)} for g, m, ok in rows]
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nWrote {args.out}")


if __name__ == "__main__":
    main()
