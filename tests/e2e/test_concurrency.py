"""A classroom on a cold cache: eight students open the draw page at once, and each model trains exactly once."""

import re
import tempfile
from collections import Counter

import pytest

from tests.e2e.conftest import AppServer, assert_no_exception, wait_for_app

pytestmark = pytest.mark.e2e
STUDENTS = 8


@pytest.fixture
def cold_server(chromium_path):
    server = AppServer(tempfile.mkdtemp(prefix="lab-e2e-cold-"))
    yield server
    server.stop()


def test_eight_students_on_a_cold_cache_train_each_model_once(browser, cold_server):
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(STUDENTS)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:  # start every session before waiting on any of them
            p.goto(f"{cold_server.url}/draw", wait_until="commit")
        for p in pages:
            wait_for_app(p)
            assert_no_exception(p, cold_server)
    finally:
        for c in contexts:
            c.close()
    trainings = Counter(re.findall(r"INFO lab: training (\S+)", cold_server.log()))
    assert trainings, f"no model was trained:\n{cold_server.log()[-3000:]}"
    assert all(n == 1 for n in trainings.values()), trainings
