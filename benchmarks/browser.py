"""What a student waits for, in Chromium, on a server that starts with an empty weights folder.

    python -m benchmarks.browser            # prints a table, writes benchmarks/browser.json

Per page (each on its own fresh server and empty cache): time from navigation to the page title and its first
section on screen, and to every model-backed section filled in (no live training panel left). Then eight
students opening the draw page at once, and the peak memory of one server that has trained every default model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

from deploy.local_server import LocalServer

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LAB_CHROMIUM", "/usr/bin/chromium")
PARTS = ("pages", "classroom", "memory")
PAGES = ("home", "dimensionality", "kernels", "draw", "text_speech", "next_word")
STUDENTS = 8
FIRST_SECTION_GOAL_S = 2.0  # issue 12: title and first section visible within 2 s
MEMORY_GOAL_MB = 700.0  # issue 12: one server that has trained every default model
QUIET_SECONDS = 20  # no new model for this long: the warm-up is done
TIMEOUT_MS = 300_000
# The title is the page's h1; the first section is the first heading below it.
FIRST_SECTION = '[data-testid="stMain"] h2, [data-testid="stMain"] h3'  # a section heading (draw's "1. Draw" is an h3)
FILLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[class*="st-key-lab_training_"]');
}"""


def _timed_visit(browser, url: str):
    """Open ``url`` in a new context; returns the page and the seconds to its title and first section."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("h1").first.wait_for(timeout=TIMEOUT_MS)
    title = time.perf_counter() - started
    page.locator(FIRST_SECTION).first.wait_for(timeout=TIMEOUT_MS)
    return page, started, {"title_s": round(title, 2), "first_section_s": round(time.perf_counter() - started, 2)}


def open_page(browser, url: str) -> dict[str, dict[str, float]]:
    """The first visitor of a fresh server process (who also pays for importing torch and friends), then a
    second student who arrives while the page's models are still training: seconds to the title, to the first
    section, and (first visitor) to every section filled in."""
    first, started, out = _timed_visit(browser, url)
    second, _, out_next = _timed_visit(browser, url)
    first.wait_for_function(FILLED, timeout=TIMEOUT_MS, polling=100)
    out["filled_s"] = round(time.perf_counter() - started, 2)
    out_next["still_training"] = second.locator('[class*="st-key-lab_training_"]').count() > 0
    first.context.close()
    second.context.close()
    return {"first_visitor": out, "next_visitor": out_next}


def per_page(browser, pages=PAGES) -> dict[str, dict[str, dict[str, float]]]:
    """Each page on its own fresh server and empty weights folder."""
    out = {}
    for name in pages:
        server = LocalServer(prefix="lab-bench-browser-")
        try:
            out[name] = open_page(browser, f"{server.url}/{'' if name == 'home' else name}")
        finally:
            server.stop()
        print(f"  {name:<16} {out[name]}", flush=True)
    return out


def classroom(browser) -> dict[str, float]:
    """Eight students open the draw page at once on a fresh server."""

    server = LocalServer(prefix="lab-bench-browser-")
    try:
        contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(STUDENTS)]
        pages = [c.new_page() for c in contexts]
        started = time.perf_counter()
        for p in pages:
            p.goto(f"{server.url}/draw", wait_until="commit")
        firsts, filled = [], []
        for p in pages:
            p.locator(FIRST_SECTION).first.wait_for(timeout=TIMEOUT_MS)
            firsts.append(time.perf_counter() - started)
        for p in pages:
            p.wait_for_function(FILLED, timeout=TIMEOUT_MS, polling=100)
            filled.append(time.perf_counter() - started)
        for c in contexts:
            c.close()
    finally:
        server.stop()
    return {
        "first_section_median_s": round(statistics.median(firsts), 2),
        "first_section_max_s": round(max(firsts), 2),
        "filled_max_s": round(max(filled), 2),
    }


def trained_server_memory(browser) -> dict[str, float]:
    """Open Home on a fresh server and wait until its warm-up has trained (and saved) every default model it
    started, with nothing new for a while; then read the server's peak RSS."""
    server = LocalServer(prefix="lab-bench-browser-")
    try:
        context = browser.new_context()
        page = context.new_page()
        started = time.perf_counter()
        page.goto(server.url)
        page.locator("h1").first.wait_for(timeout=TIMEOUT_MS)
        quiet_since, seen = time.perf_counter(), (-1, -1)
        while time.perf_counter() - started < 2 * TIMEOUT_MS / 1000:
            now = (len(server.trained()), len(list(Path(server.cache_dir).glob("*.pt"))))
            if now != seen:
                seen, quiet_since = now, time.perf_counter()
            elif now[0] and now[0] <= now[1] and time.perf_counter() - quiet_since > QUIET_SECONDS:
                break
            time.sleep(1)
        seconds = quiet_since - started
        context.close()
        child = [float(mb) for mb in re.findall(r"training process peak (\d+) MB", server.log())]
        return {
            "models_trained": seen[0],
            "all_trained_s": round(seconds, 1),
            "peak_rss_mb": round(server.peak_rss_mb(), 1),
            # The default models train in a child process (models.training_process), which ends once they are
            # done: its own peak, from the log line it leaves after each model, is reported beside the server's.
            "training_process_peak_mb": max(child, default=0.0),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "browser.json"))
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="pages to time one by one")
    parser.add_argument("--parts", nargs="*", default=list(PARTS), choices=PARTS, help="what to measure")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, object] = {"date": time.strftime("%Y-%m-%d")}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        if "pages" in args.parts:
            print("Each page on a fresh server with an empty cache…", flush=True)
            results["pages"] = per_page(browser, args.pages)
        if "classroom" in args.parts:
            print(f"{STUDENTS} students on the draw page at once…", flush=True)
            results["classroom"] = classroom(browser)
            print(results["classroom"], flush=True)
        if "memory" in args.parts:
            print("Memory of a server that has trained every default model…", flush=True)
            results["memory"] = trained_server_memory(browser)
            print(results["memory"], flush=True)
        browser.close()
    rows = []
    if "pages" in results:
        worst_cold = max(p["first_visitor"]["first_section_s"] for p in results["pages"].values())
        worst_first = max(p["next_visitor"]["first_section_s"] for p in results["pages"].values())
        rows += [
            ("first visitor of a new server process: first section (worst page)", f"{worst_cold} s", None),
            (f"title and first section ≤ {FIRST_SECTION_GOAL_S:g} s while models train (worst page)",
             f"{worst_first} s", worst_first <= FIRST_SECTION_GOAL_S),
        ]  # fmt: skip
    if "classroom" in results:
        worst = results["classroom"]["first_section_max_s"]
        rows.append((f"{STUDENTS} students: first section (max)", f"{worst} s", worst <= FIRST_SECTION_GOAL_S))
    if "memory" in results:
        memory = results["memory"]
        rows += [
            (f"server that trained every model ≤ {MEMORY_GOAL_MB:g} MB", f"{memory['peak_rss_mb']} MB",
             memory["peak_rss_mb"] <= MEMORY_GOAL_MB),
            ("… and its training process (a child that ended)", f"{memory['training_process_peak_mb']} MB",
             memory["training_process_peak_mb"] <= MEMORY_GOAL_MB),
        ]  # fmt: skip
    for goal, measured, met in rows:
        print(f"{goal:<72} {measured:<10} {'—' if met is None else 'yes' if met else 'NO'}")
    results["goals"] = [{"goal": g, "measured": m, "met": ok} for g, m, ok in rows]
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
