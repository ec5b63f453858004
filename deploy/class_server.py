"""Serve the lab to a class: several Streamlit processes sharing one weights folder, nginx in front.

    python -m deploy.class_server --replicas 3 --port 8500      # what `make serve-class` runs

Sessions stick to their process by cookie (see deploy/nginx.conf.template). Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx", "/opt/homebrew/bin/nginx")
NGINX_PACKAGES = ("nginx-light", "nginx")  # Debian's smallest build first; both have map, upstream and websockets
CLASS_MODE_ENV = "LAB_CLASS_MODE"
STARTUP_SECONDS = 90
STOP_SECONDS = 10


def find_nginx() -> str | None:
    """Debian's nginx, or whatever ``LAB_NGINX`` points to."""
    for candidate in (os.environ.get("LAB_NGINX"), *NGINX_CANDIDATES, shutil.which("nginx")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def install_nginx() -> str | None:
    """Install Debian's nginx with apt-get when running as root; the nginx binary, or None if that is impossible."""
    found = find_nginx()
    if found or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("nginx is missing; installing Debian's package with apt-get…", flush=True)
    for package in NGINX_PACKAGES:
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        if found := find_nginx():
            return found
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The lab's server (``deploy.serve``: ``streamlit run`` after the heavy imports) on ``address:port``, headless,
    without file watching or usage statistics.

    (.streamlit/config.toml also turns off Streamlit's full garbage collection after every script run: ~180 ms
    of CPU with torch, sklearn and pandas loaded, more than the page itself. Python's own GC still runs.)
    """
    return [
        sys.executable, "-m", "deploy.serve",
        "--server.port", str(port), "--server.address", address,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--runner.postScriptGC", "false",
    ]  # fmt: skip


def wait_for_health(
    url: str, proc: subprocess.Popen | None, seconds: float = STARTUP_SECONDS, header: str | None = None
) -> None:
    """Block until ``url`` answers 200 (with ``header``, if given), or raise if ``proc`` died or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200 and (header is None or response.headers.get(header)):
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def render_nginx_config(prefix: Path, listen: str, replicas: list[tuple[str, int]], access_log: bool = False) -> str:
    """The nginx configuration for replicas given as (address, pid), e.g. ("127.0.0.1:8601", 4242)."""
    upstreams = "\n".join(
        f"    upstream lab_r{i} {{\n        server {addr};\n        keepalive 8;\n    }}"
        for i, (addr, _) in enumerate(replicas)
    )
    parts = {
        "@@PREFIX@@": str(prefix),
        "@@LISTEN@@": listen,
        "@@ACCESS_LOG@@": f"{prefix}/access.log" if access_log else "off",
        "@@UPSTREAMS@@": upstreams,
        "@@ALL_SERVERS@@": "\n".join(f"        server {addr};" for addr, _ in replicas),
        "@@POOL_MAP@@": "\n".join(f'        "{i}" lab_r{i};' for i in range(len(replicas))),
        "@@REPLICA_MAP@@": "\n".join(f'        "{addr}" "{i}";' for i, (addr, _) in enumerate(replicas)),
        "@@PID_MAP@@": "\n".join(f'        "{addr}" "{pid}";' for addr, pid in replicas),
    }
    text = TEMPLATE.read_text()
    for placeholder, value in parts.items():
        text = text.replace(placeholder, value)
    return text


class ClassServer:
    """N ``streamlit run`` processes on 127.0.0.1 and one nginx in front of them, started and stopped together."""

    def __init__(
        self,
        replicas: int = 3,
        port: int = 8500,
        host: str = "0.0.0.0",
        cache_dir: str | None = None,
        run_dir: str | None = None,
        echo: bool = False,
        access_log: bool = False,
        extra_env: dict[str, str] | None = None,
    ):
        self.replicas, self.port, self.host = replicas, port, host
        self.cache_dir = cache_dir or os.environ.get("LAB_CACHE_DIR") or str(ROOT / ".cache")
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="lab-class-"))
        self.echo, self.access_log, self.extra_env = echo, access_log, extra_env or {}
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.nginx: subprocess.Popen | None = None
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """The address students open (through nginx)."""
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{shown}:{self.port}"

    def log_path(self, index: int) -> Path:
        """Replica ``index``'s log file."""
        return self.run_dir / f"replica-{index}.log"

    def logs(self) -> str:
        """Every replica's log, one after the other."""
        return "\n".join(self.log_path(i).read_text(errors="replace") for i in range(len(self.procs)))

    def start(self) -> ClassServer:
        """Start the replicas, wait until each is healthy, then start nginx in front of them."""
        nginx = install_nginx()
        if nginx is None:
            raise RuntimeError("nginx not found and it cannot be installed here (apt-get install -y nginx-light)")
        with socket.socket() as probe:  # fail clearly, before another server on this port answers our checks
            try:
                probe.bind((self.host or "0.0.0.0", self.port))
            except OSError as exc:
                raise RuntimeError(f"port {self.port} is already in use ({exc.strerror}); choose another") from exc
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # nginx's workers run as another user when the master is root
        Path(self.cache_dir).mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "LAB_CACHE_DIR": self.cache_dir,
            CLASS_MODE_ENV: "1",
            "PYTHONUNBUFFERED": "1",
            # One secret for all replicas, so a cookie signed by one (XSRF token for uploads) is valid on all.
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16),
            # One process per core: torch's default thread pool would make the replicas' inference threads spin
            # against each other. (Training uses one thread too: models.cnn_training.CNN_TRAIN_THREADS.)
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            **self.extra_env,
        }
        try:
            for index in range(self.replicas):
                port = free_port()
                proc = subprocess.Popen(
                    streamlit_command(port),
                    cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                    start_new_session=True,  # Ctrl-C reaches us once; we stop the replicas in order
                )  # fmt: skip
                self.procs.append(proc)
                self.ports.append(port)
                self._copy_output(index, proc)
            for port, proc in zip(self.ports, self.procs, strict=True):
                wait_for_health(f"http://127.0.0.1:{port}/_stcore/health", proc)
            listen = f"{self.host}:{self.port}" if self.host not in ("0.0.0.0", "") else str(self.port)
            addresses = [(f"127.0.0.1:{port}", proc.pid) for port, proc in zip(self.ports, self.procs, strict=True)]
            conf = self.run_dir / "nginx.conf"
            conf.write_text(render_nginx_config(self.run_dir, listen, addresses, self.access_log))
            check = subprocess.run(
                [nginx, "-t", "-q", "-p", str(self.run_dir), "-e", str(self.run_dir / "error.log"), "-c", str(conf)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if check.returncode != 0:
                raise RuntimeError(f"nginx rejected {conf}:\n{check.stderr}")
            self.nginx = subprocess.Popen(
                [nginx, "-p", str(self.run_dir), "-e", str(self.run_dir / "error.log"), "-c", str(conf),
                 "-g", "daemon off;"],
                start_new_session=True,
            )  # fmt: skip
            wait_for_health(
                f"http://127.0.0.1:{self.port}/_stcore/health", self.nginx, seconds=15, header="X-Lab-Process"
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _copy_output(self, index: int, proc: subprocess.Popen) -> None:
        """Write a replica's output to its log file (and, when serving interactively, to the terminal)."""

        def copy() -> None:
            with self.log_path(index).open("w") as log:
                for line in proc.stdout:
                    log.write(line)
                    log.flush()
                    if self.echo:
                        print(f"[replica {index}] {line}", end="", flush=True)

        thread = threading.Thread(target=copy, name=f"replica-{index}-log", daemon=True)
        thread.start()
        self._threads.append(thread)

    def pids(self) -> list[int]:
        """The replicas' process ids, in index order."""
        return [proc.pid for proc in self.procs]

    def stop(self) -> None:
        """Stop nginx, then every replica (SIGTERM, then SIGKILL after a grace period)."""
        everything = ([self.nginx] if self.nginx else []) + self.procs
        for proc in everything:
            if proc.poll() is None:
                proc.terminate()  # nginx: fast shutdown (a graceful one would wait for every open websocket)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in everything:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> ClassServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Start a class server and keep it running until Ctrl-C (or SIGTERM)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3, help="Streamlit processes (about one per core)")
    parser.add_argument("--port", type=int, default=8500, help="the one port students open")
    parser.add_argument("--host", default="0.0.0.0", help="interface nginx listens on (0.0.0.0: the whole room)")
    parser.add_argument("--cache-dir", default=None, help="shared weights folder (default $LAB_CACHE_DIR or .cache)")
    parser.add_argument("--access-log", action="store_true", help="write nginx's access log to the run folder")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")

    server = ClassServer(args.replicas, args.port, args.host, args.cache_dir, echo=True, access_log=args.access_log)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        server.start()
        print(
            f"\nDeep Learning Lab for a class: {server.url}  ({args.replicas} processes {server.pids()}, "
            f"weights in {server.cache_dir}, logs in {server.run_dir}). Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stopping.wait(1.0):
            if server.nginx.poll() is not None or any(p.poll() is not None for p in server.procs):
                print("a process of the class server exited; stopping the rest", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(f"class server: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping the class server…", flush=True)
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
