"""Load test: N simulated students against the real server, 1 process or 2 behind nginx, over Streamlit's protocol.

    python -m benchmarks.load            # N = 5, 10, 20, 40 against 1 and 2 processes; JSON in benchmarks/

Each student opens one of the four lesson pages and then moves its controls (sliders, option pickers, a
ready-made drawing, a typed prompt) with a think time between moves, through the websocket client in
``benchmarks/streamlit_client.py``. Reports p50 / p95 interaction → result latency, errors, and server RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.streamlit_client import ScriptError, StreamlitSession
from deploy.class_server import ClassServer, free_port

ROOT = Path(__file__).resolve().parent.parent
STUDENT_COUNTS = (5, 10, 20, 40)
PROCESS_COUNTS = (1, 2)
INTERACTIONS = 6  # moves per student per run
THINK_SECONDS = (2.0, 5.0)  # a student looks at the result before the next move
ARRIVAL_SECONDS = 10.0  # students open their page spread over this long
SETTLE_SECONDS = 3.0  # wait after the last page load before reading idle memory
RUN_TIMEOUT_SECONDS = 60.0  # one script run that takes longer than this is an error
GOALS = {"p95_s": 1.0, "errors": 0, "idle_session_mb": 5.0}  # for 40 students (issue 14)

# What each student does on its page: widget keys, taken in turn (a key not on the page right now is skipped).
SCRIPTS: dict[str, tuple[str, ...]] = {
    "kernels": ("kernels_stride", "kernels_position", "kernels_preset", "kernels_padding", "kernels_pool_size"),
    "dimensionality": ("dimensionality_angle", "dimensionality_recon_k", "dimensionality_k_digits"),
    "draw": ("draw_example", "draw_rotate", "draw_example", "draw_shift", "draw_model", "draw_example"),
    "next_word": ("next_word_prompt", "next_word_temperature", "next_word_prompt", "next_word_n"),
}  # fmt: skip
PROMPTS = (
    "the cat sat on the",
    "we trained a small network and",
    "in the morning the students",
    "a convolution slides a kernel over",
    "the model predicts the next",
    "after the lecture we went to the",
)


@dataclass
class RunStats:
    """What one (processes, students) run measured."""

    processes: int
    students: int
    interactions: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, move → script finished
    by_page: dict[str, list[float]] = field(default_factory=dict)  # the same, per page
    page_loads: list[float] = field(default_factory=list)  # seconds, first rerun of a page
    errors: list[str] = field(default_factory=list)
    rss_before_mb: float = 0.0  # server RSS before the students arrive
    rss_idle_mb: float = 0.0  # with every student's page loaded, nobody moving
    rss_peak_mb: float = 0.0  # highest sample while they interact
    client_cpu_s: float = 0.0  # CPU the load client itself used (it shares the machine)
    server_cpu_s: float = 0.0  # CPU the server processes used while the students interacted

    def summary(self) -> dict:
        """The figures for the table and the JSON (latencies in ms)."""

        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)

        idle_per_session = (self.rss_idle_mb - self.rss_before_mb) / max(self.students, 1)
        return {
            "processes": self.processes,
            "students": self.students,
            "interactions": len(self.latencies),
            "p50_ms": pct(self.latencies, 0.50),
            "p95_ms": pct(self.latencies, 0.95),
            "max_ms": pct(self.latencies, 1.0),
            "p50_ms_by_page": {page: pct(values, 0.5) for page, values in sorted(self.by_page.items())},
            "page_load_p50_ms": pct(self.page_loads, 0.50),
            "page_load_p95_ms": pct(self.page_loads, 0.95),
            "errors": len(self.errors),
            "error_samples": sorted(set(self.errors))[:5],
            "rss_total_idle_mb": round(self.rss_idle_mb, 1),
            "rss_total_peak_mb": round(self.rss_peak_mb, 1),
            "rss_per_idle_session_mb": round(idle_per_session, 2),
            "rss_per_session_at_peak_mb": round((self.rss_peak_mb - self.rss_before_mb) / max(self.students, 1), 2),
            "client_cpu_s": round(self.client_cpu_s, 2),
            # Machine-independent cost: server CPU per move (ms). Two cores sustain about 2000 / this many moves/s.
            "server_cpu_ms_per_move": round(1000 * self.server_cpu_s / max(len(self.latencies), 1), 1),
        }


def process_tree(pids: list[int]) -> list[int]:
    """These processes and all their descendants (nginx's workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes and all their children, in MB."""
    total_kb = 0
    for pid in process_tree(pids):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) these processes and their children have used so far."""
    ticks = 0
    for pid in process_tree(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def choose_value(session: StreamlitSession, key: str, rng: random.Random):
    """A plausible new value for widget ``key``: another option, a slider position, a prompt."""
    widget = session.widgets[key]
    element = widget.element
    if widget.kind == "text_input":
        return rng.choice(PROMPTS)
    if widget.kind in ("radio", "selectbox") or (widget.kind == "slider" and element.options):
        return rng.choice(list(element.options))
    if widget.kind == "slider":
        steps = max(1, round((element.max - element.min) / (element.step or 1)))
        return element.min + rng.randint(0, steps) * (element.step or 1)
    if widget.kind == "checkbox":
        return rng.random() < 0.5
    raise ScriptError(f"the load test has no move for a {widget.kind} ({key})")


async def student(
    index: int, url: str, stats: RunStats, loaded: asyncio.Queue, go: asyncio.Event, interactions: int,
    think: tuple[float, float], arrival: float, seed: int,
) -> None:  # fmt: skip
    """One student: open a page, report it loaded, wait for the start, then make ``interactions`` moves."""
    rng = random.Random(seed * 1000 + index)
    page = list(SCRIPTS)[index % len(SCRIPTS)]
    await asyncio.sleep(rng.uniform(0, arrival))
    signalled = False
    try:
        async with StreamlitSession(url, timeout=RUN_TIMEOUT_SECONDS) as session:
            result = await session.open_page(page)
            stats.page_loads.append(result.seconds)
            stats.errors.extend(f"{page} load: {e}" for e in result.exceptions)
            await loaded.put(index)
            signalled = True
            await go.wait()
            script = SCRIPTS[page]
            for move in range(interactions):
                await asyncio.sleep(rng.uniform(*think))
                keys = [k for k in script[move % len(script) :] + script if k in session.widgets]
                if not keys:
                    stats.errors.append(f"{page}: none of its widgets is on the page")
                    return
                key = keys[0]
                try:
                    result = await session.set(key, choose_value(session, key, rng))
                except ScriptError as exc:
                    stats.errors.append(f"{page} {key}: {exc}")
                    continue
                stats.latencies.append(result.seconds)
                stats.by_page.setdefault(page, []).append(result.seconds)
                stats.errors.extend(f"{page} {key}: {e}" for e in result.exceptions)
    except (TimeoutError, OSError, ScriptError) as exc:
        stats.errors.append(f"{page}: {type(exc).__name__}: {exc}")
    except Exception as exc:  # websockets' ConnectionClosed and friends: count, never crash the benchmark
        stats.errors.append(f"{page}: {type(exc).__name__}: {exc}")
    finally:
        if not signalled:
            await loaded.put(index)


async def run_students(
    url: str, server_pids: list[int], processes: int, students: int, interactions: int, think: tuple[float, float],
    arrival: float, seed: int,
) -> RunStats:  # fmt: skip
    """N students against ``url``: idle memory once all have loaded their page, then the interactions."""
    stats = RunStats(processes, students)
    stats.rss_before_mb = rss_mb(server_pids)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    loaded: asyncio.Queue = asyncio.Queue()
    go = asyncio.Event()
    tasks = [
        asyncio.create_task(student(i, url, stats, loaded, go, interactions, think, arrival, seed))
        for i in range(students)
    ]
    for _ in range(students):
        await loaded.get()
    await asyncio.sleep(SETTLE_SECONDS)
    stats.rss_idle_mb = stats.rss_peak_mb = rss_mb(server_pids)
    server_cpu_before = cpu_seconds(server_pids)
    go.set()
    while not all(t.done() for t in tasks):
        await asyncio.sleep(0.5)
        stats.rss_peak_mb = max(stats.rss_peak_mb, rss_mb(server_pids))
    await asyncio.gather(*tasks)
    stats.server_cpu_s = cpu_seconds(server_pids) - server_cpu_before
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    stats.client_cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return stats


async def warm_up(urls: list[str]) -> None:
    """Visit every page on every process once and make each scripted move, so models and caches are ready."""
    for url in urls:
        for page, script in SCRIPTS.items():
            async with StreamlitSession(url, timeout=1800) as session:  # a cold cache trains here
                await session.open_page(page)
                for key in script:
                    if key in session.widgets:
                        await session.set(key, choose_value(session, key, random.Random(0)))


def measure(args) -> list[dict]:
    """Every (processes, students) combination, one server start per process count."""
    rows = []
    for processes in args.processes:
        server = ClassServer(processes, port=free_port(), host="127.0.0.1", cache_dir=args.cache_dir)
        with server:
            direct = [f"http://127.0.0.1:{port}" for port in server.ports]
            url = direct[0] if processes == 1 else server.url  # one process: no proxy in the way
            started = time.perf_counter()
            asyncio.run(warm_up(direct))
            print(f"  {processes} process(es): warmed up in {time.perf_counter() - started:.1f} s", flush=True)
            pids = server.pids() + ([server.nginx.pid] if processes > 1 and server.nginx else [])
            for students in args.students:
                stats = asyncio.run(
                    run_students(url, pids, processes, students, args.interactions, tuple(args.think), args.arrival,
                                 args.seed)
                )  # fmt: skip
                row = stats.summary()
                rows.append(row)
                print(
                    f"  {processes} proc, {students:>2} students: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                    f"errors {row['errors']}, RSS {row['rss_total_peak_mb']} MB", flush=True,
                )  # fmt: skip
            trainings = server.logs().count("INFO lab: training ")
            for row in rows[-len(args.students) :]:
                row["trainings_during_run"] = trainings
    return rows


def print_table(rows: list[dict]) -> None:
    """The README's table: one line per (processes, students)."""
    print(
        "\n| Processes | Students | Moves | p50 | p95 | Errors | Server RSS (idle → peak) | Per idle session "
        "| Server CPU per move |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        via = " (nginx)" if r["processes"] > 1 else ""
        print(
            f"| {r['processes']}{via} | {r['students']} | {r['interactions']} | {r['p50_ms']} ms | {r['p95_ms']} ms "
            f"| {r['errors']} | {r['rss_total_idle_mb']:.0f} → {r['rss_total_peak_mb']:.0f} MB "
            f"| {r['rss_per_idle_session_mb']:.2f} MB | {r['server_cpu_ms_per_move']} ms |"
        )


def goals_met(rows: list[dict]) -> dict:
    """Issue 14's goals, judged on the 40-student runs."""
    out = {}
    for r in rows:
        if r["students"] == max(STUDENT_COUNTS):
            out[f"{r['processes']} process(es), 40 students"] = {
                "p95 ≤ 1 s": r["p95_ms"] is not None and r["p95_ms"] <= 1000 * GOALS["p95_s"],
                "0 errors": r["errors"] == GOALS["errors"],
                "idle session ≤ 5 MB": r["rss_per_idle_session_mb"] <= GOALS["idle_session_mb"],
            }
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run every combination, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=list(STUDENT_COUNTS))
    parser.add_argument("--processes", type=int, nargs="+", default=list(PROCESS_COUNTS))
    parser.add_argument("--interactions", type=int, default=INTERACTIONS, help="moves per student")
    parser.add_argument("--think", type=float, nargs=2, default=list(THINK_SECONDS), metavar=("MIN", "MAX"))
    parser.add_argument("--arrival", type=float, default=ARRIVAL_SECONDS, help="students arrive over this long")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", default=os.environ.get("LAB_CACHE_DIR") or str(ROOT / ".cache"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results-load.json"))  # git-ignored
    args = parser.parse_args(argv)
    if max(args.students) > 200 or args.interactions > 100:
        parser.error("at most 200 students and 100 moves each: this is a classroom, not a stress test")

    print(f"load test: students {args.students}, processes {args.processes}, {args.interactions} moves each, "
          f"think {args.think[0]:g}–{args.think[1]:g} s, weights in {args.cache_dir}", flush=True)  # fmt: skip
    started, load_before = time.perf_counter(), os.getloadavg()
    rows = measure(args)
    print_table(rows)
    machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}
    settings = {"interactions": args.interactions, "think_seconds": args.think, "arrival_seconds": args.arrival}
    result = {
        "machine": {**machine, "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "settings": {**settings, "seed": args.seed, "scripts": SCRIPTS},
        "runs": rows,
        "goals": goals_met(rows),
        "seconds": round(time.perf_counter() - started, 1),
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwrote {args.out} ({result['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
