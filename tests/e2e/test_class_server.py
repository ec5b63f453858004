"""The class server in Chromium: two replicas behind nginx, sticky sessions, media and uploads, one training per model.

Skips with a reason where nginx is missing, unless ``LAB_CLASS_SERVER_REQUIRED=1`` (set by ``.ci/run``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import time
from collections import Counter

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from deploy.class_server import ClassServer, find_nginx, free_port
from tests.e2e.conftest import assert_no_exception, new_context, wait_for_app

pytestmark = pytest.mark.e2e
REPLICAS = 2


@pytest.fixture(scope="module")
def class_server(chromium_path):
    if find_nginx() is None:
        reason = "no nginx found (apt-get install -y nginx-light, or set LAB_NGINX)"
        if os.environ.get("LAB_CLASS_SERVER_REQUIRED") == "1":
            pytest.fail(f"LAB_CLASS_SERVER_REQUIRED=1 but {reason}")
        pytest.skip(reason)
    cache = tempfile.mkdtemp(prefix="lab-e2e-class-")  # fresh: the replicas must train, and only once
    server = ClassServer(REPLICAS, port=free_port(), host="127.0.0.1", cache_dir=cache).start()
    yield server
    server.stop()


class _Logs:
    """Adapts the class server to what ``assert_no_exception`` prints on failure."""

    def __init__(self, server: ClassServer):
        self.server = server

    def log(self) -> str:
        return self.server.logs()


MEDIA_COUNTS = """() => {
    const imgs = [...document.querySelectorAll('[data-testid="stMain"] img')].filter(i => i.src.includes('/media/'));
    return [imgs.length, imgs.filter(img => img.complete && img.naturalWidth > 0).length];
}"""


def media_images_loaded(page, timeout_ms: int = 30_000) -> tuple[int, int]:
    """How many ``st.image`` pictures (served from /media/) the page has, and how many of them loaded."""
    with contextlib.suppress(PlaywrightTimeout):  # a picture may still be on its way on a busy machine
        page.wait_for_function(f"() => {{ const [n, ok] = ({MEDIA_COUNTS})(); return n > 0 && n === ok; }}",
                               timeout=timeout_ms, polling=250)  # fmt: skip
    return tuple(page.evaluate(MEDIA_COUNTS))


def training_counts(server: ClassServer, model: str, timeout_s: float = 120) -> Counter:
    """'training <name>' log lines across every replica, once ``model`` has started training somewhere.

    Models train in the background, so the page can be done before its model has even started.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        trainings = Counter(re.findall(r"INFO lab: training (\S+)", server.logs()))
        if trainings.get(model):
            break
        time.sleep(1)
    time.sleep(3)  # a second (wrong) training in the other process would start right after the lock is released
    return Counter(re.findall(r"INFO lab: training (\S+)", server.logs()))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 30), 200).save(buffer, format="PNG")
    return buffer.getvalue()


def test_two_students_two_processes_one_training_each(browser, class_server):
    logs = _Logs(class_server)
    contexts = [new_context(browser, viewport={"width": 1200, "height": 900}) for _ in range(2)]
    try:
        pages = [c.new_page() for c in contexts]
        # Both students open a page at once on a cold cache: one process trains its models, the other waits and
        # loads them. (The dimensionality page: its autoencoders are the cheapest models to train.)
        responses = [p.goto(f"{class_server.url}/dimensionality", wait_until="commit") for p in pages]
        served_by = [r.headers.get("x-lab-process") for r in responses]
        pids = [int(r.headers.get("x-lab-pid")) for r in responses]
        assert sorted(served_by) == ["0", "1"], served_by  # round robin for new browsers
        assert sorted(pids) == sorted(class_server.pids())
        cookies = [{c["name"]: c["value"] for c in ctx.cookies()}.get("labsrv") for ctx in contexts]
        assert cookies == served_by  # the sticky cookie names the replica that answered

        for p in pages:
            # The title first: the script state reads "not running" also before the first run has started.
            expect(p.get_by_role("heading", name="Dimensionality reduction").first).to_be_visible(timeout=120_000)
            wait_for_app(p)
            assert_no_exception(p, logs)
            shown, loaded = media_images_loaded(p)
            assert shown >= 1 and loaded == shown, (shown, loaded)  # media come from the session's own process

        # Every later request of a browser stays on its replica.
        for p, replica in zip(pages, served_by, strict=True):
            again = p.goto(f"{class_server.url}/kernels")
            assert again.headers.get("x-lab-process") == replica
            assert "set-cookie" not in again.headers or "labsrv" not in again.headers["set-cookie"]
            expect(p.get_by_role("heading", name="Kernel playground").first).to_be_visible(timeout=120_000)
            wait_for_app(p)
            assert_no_exception(p, logs)

        # An upload is a separate HTTP request (with the session's XSRF cookie): it must reach the same process.
        student = pages[1]
        student.locator(".st-key-kernels_source").get_by_text("Upload your own").click()
        wait_for_app(student)
        student.locator(".st-key-kernels_upload input[type='file']").set_input_files(
            {"name": "tiny.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
        wait_for_app(student)
        assert_no_exception(student, logs)
        main = student.locator('[data-testid="stMain"]').inner_text()
        assert "tiny.png" in main and "Until you upload a file" not in main
        assert "Showing the China photo instead" not in main
        shown, loaded = media_images_loaded(student)
        assert shown >= 1 and loaded == shown
    finally:
        for c in contexts:
            c.close()

    trainings = training_counts(class_server, "autoencoder")
    assert trainings.get("autoencoder") == 1, trainings
    assert all(n == 1 for n in trainings.values()), trainings  # across both processes
