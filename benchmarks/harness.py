"""Measuring tools for the benchmark: a page's script time under AppTest, and peak memory of a child process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMER_KEY = "_bench_script_ms"

# Runs a page inside AppTest and records the time of the page script alone (not AppTest's own overhead).
_TIMED_PAGE = """
import runpy, time
import streamlit as st
_started = time.perf_counter()
try:
    runpy.run_path({path!r}, run_name="__main__")
finally:
    st.session_state[{key!r}] = (time.perf_counter() - _started) * 1000
"""


def timed_page(page: str, timeout: float = 600):
    """An AppTest of ``pages/<page>.py`` whose script time lands in session state."""
    from streamlit.testing.v1 import AppTest

    script = _TIMED_PAGE.format(path=str(ROOT / "pages" / f"{page}.py"), key=TIMER_KEY)
    return AppTest.from_string(script, default_timeout=timeout)


def page_rerun_ms(page: str, interact: Callable, runs: int = 7) -> float:
    """Median script time (ms) of a rerun after ``interact(at, i)``, with the page's models already warm.

    Home links to the other pages, which needs the router, so it is timed through ``streamlit_app.py``
    by wall clock (AppTest's own overhead included, so its figure is pessimistic).
    """
    if page == "home":
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
        return median_ms(at.run, runs=runs, warmup=1)
    at = timed_page(page).run()
    if at.exception:
        raise RuntimeError(f"page {page} raised: {at.exception[0].value}")
    at.run()  # second run: everything cached is now warm
    times = []
    for i in range(runs):
        interact(at, i)
        at.run()
        if at.exception:
            raise RuntimeError(f"page {page} raised after interaction: {at.exception[0].value}")
        times.append(at.session_state[TIMER_KEY])
    return statistics.median(times)


def median_ms(fn: Callable[[], object], runs: int = 21, warmup: int = 3) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


PEAK_RSS_MB = """
def peak_rss_mb():
    # VmHWM belongs to this process's own address space; ru_maxrss would also count the parent
    # that forked us, because Linux keeps it across exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def run_child(code: str, timeout: float = 900) -> dict:
    """Run Python ``code`` in a fresh interpreter; it must print one JSON object on its last line."""
    command = [sys.executable, "-c", PEAK_RSS_MB + code]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
