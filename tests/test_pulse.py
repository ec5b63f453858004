"""Class pulse: anonymous answer counts in SQLite, once per session, shared by processes, off outside class mode."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models import pulse, store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def class_mode(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(pulse.CLASS_MODE_ENV, "1")
    return tmp_path


def test_counts_per_option(class_mode):
    for token, option in [("s1", "PC1"), ("s2", "PC1"), ("s3", "PC2")]:
        assert pulse.record_answer("dim_q1", option, token)
    assert pulse.distribution("dim_q1") == {"PC1": 2, "PC2": 1}
    assert pulse.distribution("other") == {}
    assert pulse.db_path().parent == class_mode


def test_only_a_sessions_first_answer_counts(class_mode):
    assert pulse.record_answer("q", "A", "session-1")
    assert not pulse.record_answer("q", "B", "session-1")  # a change of mind is not a second vote
    assert not pulse.record_answer("q", "A", "session-1")
    assert pulse.record_answer("other", "B", "session-1")  # another question is another vote
    assert pulse.distribution("q") == {"A": 1}


def test_no_session_token_is_stored(class_mode):
    pulse.record_answer("q", "A", "secret-session-token")
    raw = b"".join(path.read_bytes() for path in class_mode.glob(f"{pulse.DB_NAME}*"))
    assert b"secret-session-token" not in raw


def test_reset_one_question_or_all(class_mode):
    pulse.record_answer("q1", "A", "s")
    pulse.record_answer("q2", "A", "s")
    pulse.record_answer("q2", "B", "t")
    assert pulse.reset("q1") == 1
    assert pulse.distribution("q1") == {} and pulse.distribution("q2") == {"A": 1, "B": 1}
    assert pulse.reset() == 2
    assert pulse.distribution("q2") == {}
    assert pulse.record_answer("q2", "A", "s")  # after a reset, everyone may answer again


def test_off_outside_class_mode(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(pulse.CLASS_MODE_ENV, raising=False)
    assert not pulse.enabled()
    assert not pulse.record_answer("q", "A", "s")
    assert pulse.distribution("q") == {}
    assert pulse.reset() == 0
    assert not pulse.db_path().exists()  # a laptop run never creates the database


@pytest.mark.parametrize("bad", ["", "x" * 201, None, 3])
def test_bad_keys_are_refused(class_mode, bad):
    with pytest.raises(ValueError):
        pulse.record_answer(bad, "A", "s")
    with pytest.raises(ValueError):
        pulse.record_answer("q", bad, "s")


def test_wal_mode(class_mode):
    pulse.record_answer("q", "A", "s")
    with sqlite3.connect(pulse.db_path()) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITER = textwrap.dedent(
    """
    import sys
    from models import pulse
    name, count = sys.argv[1], int(sys.argv[2])
    counted = sum(pulse.record_answer("q", "AB"[i % 2], f"{name}-{i}") for i in range(count))
    counted += pulse.record_answer("q", "A", "shared-session")  # the same session through both processes
    print(counted)
    """
)


def test_two_processes_writing_at_once(class_mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, "300"], cwd=ROOT, env=env, **pipes)
        for name in ("p0", "p1")
    ]
    counted = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err  # no "database is locked"
        counted.append(int(out))
    assert sum(counted) == 601  # 2 × 300, plus the shared session once
    assert pulse.distribution("q") == {"A": 301, "B": 300}
