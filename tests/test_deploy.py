"""The class server's nginx configuration: it parses, and it pins a browser to one replica by cookie; and the
server command every replica (and ``make run``) starts, which imports the heavy libraries before it listens.

Two tiny HTTP servers stand in for the Streamlit replicas, so this runs in about a second without a browser.
"""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from deploy import class_server
from deploy.class_server import ROOT, find_nginx, free_port, render_nginx_config, streamlit_command, wait_for_health


def test_config_names_every_replica_once():
    text = render_nginx_config(Path("/tmp/x"), "8500", [("127.0.0.1:9001", 11), ("127.0.0.1:9002", 22)])
    assert not re.search(r"@@[A-Z_]+@@", text)  # every placeholder filled in
    assert text.count("upstream lab_r") == 2 and "upstream lab_any" in text
    assert '"0" lab_r0;' in text and '"1" lab_r1;' in text
    assert '"127.0.0.1:9002" "1";' in text and '"127.0.0.1:9002" "22";' in text
    assert "proxy_set_header Upgrade $http_upgrade" in text and "client_max_body_size" in text


class _Replica(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"replica on {self.server.server_address[1]}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    nginx = find_nginx()
    if nginx is None:
        if os.environ.get("LAB_CLASS_SERVER_REQUIRED") == "1":
            pytest.fail("LAB_CLASS_SERVER_REQUIRED=1 but no nginx found")
        pytest.skip("no nginx found (apt-get install -y nginx-light, or set LAB_NGINX)")
    replicas = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Replica) for _ in range(2)]
    for server in replicas:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    tmp_path.chmod(0o755)
    conf = tmp_path / "nginx.conf"
    addresses = [(f"127.0.0.1:{s.server_address[1]}", 100 + i) for i, s in enumerate(replicas)]
    conf.write_text(render_nginx_config(tmp_path, f"127.0.0.1:{port}", addresses))
    command = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    proc = subprocess.Popen(command)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/", proc, seconds=10, header="X-Lab-Process")
        yield f"http://127.0.0.1:{port}", [s.server_address[1] for s in replicas]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for server in replicas:
            server.shutdown()


def get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers, response.read().decode()


def test_new_browsers_spread_and_each_sticks_to_its_replica(proxy):
    url, ports = proxy
    firsts = [get(f"{url}/") for _ in range(2)]
    served = [headers["X-Lab-Process"] for headers, _ in firsts]
    assert sorted(served) == ["0", "1"]  # round robin for browsers without the cookie
    for (headers, body), replica in zip(firsts, served, strict=True):
        assert headers["Set-Cookie"].startswith(f"labsrv={replica};")
        assert body == f"replica on {ports[int(replica)]}"
        assert headers["X-Lab-Pid"] == str(100 + int(replica))
        for _ in range(4):  # with the cookie: always the same replica, and no new cookie
            again, body = get(f"{url}/media/x.png", cookie=f"labsrv={replica}")
            assert again["X-Lab-Process"] == replica and body == f"replica on {ports[int(replica)]}"
            assert again.get("Set-Cookie") is None


@pytest.mark.parametrize("cookie", ["labsrv=7", "labsrv=<script>", "labsrv="])
def test_an_unknown_cookie_gets_a_fresh_replica(proxy, cookie):
    url, _ = proxy
    headers, _ = get(f"{url}/", cookie=cookie)
    assert headers["X-Lab-Process"] in ("0", "1")
    assert headers["Set-Cookie"].startswith(f"labsrv={headers['X-Lab-Process']};")


def test_missing_nginx_without_root_is_reported_not_installed(monkeypatch):
    monkeypatch.setattr(class_server, "find_nginx", lambda: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert class_server.install_nginx() is None
    with pytest.raises(RuntimeError, match="nginx not found"):
        class_server.ClassServer(1, port=free_port()).start()


def test_every_server_is_started_through_the_preloading_entry_point():
    command = streamlit_command(8501)
    assert command[1:3] == ["-m", "deploy.serve"]
    assert command[command.index("--server.port") + 1] == "8501"


def test_preload_imports_torch_and_every_model_module_but_no_streamlit_cache():
    """What the first visitor no longer waits for; ``components`` (cache decorators) waits for the runtime."""
    code = (
        "import sys; from deploy import serve; names = serve.preload(); "
        "assert 'torch' in sys.modules and 'sklearn.linear_model' in sys.modules and 'altair' in sys.modules; "
        "assert 'torch._dynamo' in sys.modules; "  # the first Adam(...) would import it: 0.7 s of the first model
        "assert 'models.cnn_training' in names and 'models.language' in names, names; "
        "assert not any(m == 'components' or m.startswith('components.') for m in sys.modules); "
        "print(len(names))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 30


_HEAP_PROBE = """
import sys, numpy as np
from deploy import serve
if sys.argv[1] == "fixed":
    assert serve.limit_heap_growth()
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
before = rss()
for n in (2**22, 2**21, 2**21):  # large tensors made and freed, as training steps do: 32 MB, then 16 MB
    block = np.ones(n)
    del block
print(rss() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc to read the memory in use")
def test_the_server_gives_freed_large_blocks_back():
    """With glibc's moving threshold, freeing the 32 MB block lifts it: the 16 MB ones come from the heap and stay."""
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    grown = {}
    for mode in ("default", "fixed"):
        done = subprocess.run(
            [sys.executable, "-c", _HEAP_PROBE, mode], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        grown[mode] = int(done.stdout)
    assert grown["default"] >= 12 and grown["fixed"] < 4, grown  # MB still held after the blocks were freed


class _FakeProcess:
    def terminate(self) -> None:
        pass

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.mark.parametrize("given", [False, True])
def test_a_local_server_removes_only_a_weights_folder_it_made(monkeypatch, tmp_path, given):
    from deploy import local_server

    monkeypatch.setattr(local_server.subprocess, "Popen", lambda *a, **k: _FakeProcess())
    monkeypatch.setattr(local_server, "wait_for_health", lambda *a, **k: None)
    server = local_server.LocalServer(tmp_path / "weights" if given else None)
    Path(server.cache_dir).mkdir(exist_ok=True)
    (Path(server.cache_dir) / "xo.pt").write_bytes(b"weights")
    server.stop()
    assert Path(server.cache_dir).exists() == given  # a benchmark's throwaway folder goes, a caller's stays
    server.log_path.unlink()
