"""One ``streamlit run`` of the lab on a free local port, with its own weights folder and a log file: what the
end-to-end tests and the browser benchmark start, and what ``class_server`` starts several of."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy.class_server import ROOT, STARTUP_SECONDS, free_port, streamlit_command, wait_for_health


class LocalServer:
    """A lab server process training in the background, as a student's laptop or a class replica runs it.

    ``cache_dir`` is its weights folder (a fresh empty one if None). Its output goes to ``log_path``; the
    background worker writes "INFO lab: training <model>" there each time it starts training a default model.
    """

    def __init__(self, cache_dir: str | Path | None = None, *, prefix: str = "lab-server-"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._own_cache = cache_dir is None  # a folder made here is removed by stop()
        self.cache_dir = str(cache_dir) if cache_dir is not None else tempfile.mkdtemp(prefix=prefix)
        self.log_path = Path(tempfile.mkstemp(prefix=prefix, suffix=".log")[1])
        env = {**os.environ, "LAB_CACHE_DIR": self.cache_dir, "PYTHONUNBUFFERED": "1"}
        env.pop("LAB_BLOCKING_TRAINING", None)  # a real server trains in the background, with live panels
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            streamlit_command(self.port), cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_health(f"{self.url}/_stcore/health", self.proc, STARTUP_SECONDS)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}:\n{self.log()}") from exc

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def trained(self) -> list[str]:
        """The default models this server started training, in order (its log says so)."""
        return re.findall(r"INFO lab: training (?!custom )(\S+)", self.log())

    def peak_rss_mb(self) -> float:
        """The server process's high-water mark of resident memory (VmHWM), Linux only."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop in 10 s), close its log, and remove its weights folder
        if it made that folder itself."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        if self._own_cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # python -m deploy.local_server: serve until Ctrl-C, print the URL
    server = LocalServer(sys.argv[1] if len(sys.argv) > 1 else None)
    print(server.url, flush=True)
    try:
        server.proc.wait()
    except KeyboardInterrupt:
        server.stop()
