"""Class pulse: anonymous counts of the answers a class gives to each concept check.

One embedded SQLite database in the weights folder, shared by every server process of a class server
(WAL mode, so readers never wait for the writer). Off unless the server runs in class mode (LAB_CLASS_MODE=1).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from models import store

CLASS_MODE_ENV = "LAB_CLASS_MODE"
DB_NAME = "class-pulse.sqlite3"
BUSY_TIMEOUT_MS = 5_000  # a writer waits this long for another process's write before giving up
MAX_KEY_CHARS = 200  # question keys and options longer than this are refused (they come from code, not users)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    question TEXT NOT NULL,
    voter TEXT NOT NULL,        -- a hash of (question, session token): counts each session once, names no one
    option TEXT NOT NULL,
    PRIMARY KEY (question, voter)
) WITHOUT ROWID;
"""


def enabled() -> bool:
    """Whether the server runs in class mode (``LAB_CLASS_MODE=1``, set by ``make serve-class``)."""
    return os.environ.get(CLASS_MODE_ENV) == "1"


def db_path() -> Path:
    """Where the class's counts live: beside the shared weights."""
    return store.cache_dir() / DB_NAME


@contextlib.contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db_path(), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _set_up(connection)
        yield connection
    finally:
        connection.close()


def _set_up(connection: sqlite3.Connection) -> None:
    """WAL mode and the table, once per database file.

    Switching to WAL takes an exclusive lock for which SQLite does not wait (it answers "database is locked"
    at once), so two processes opening a new database together retry that step for a moment.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL")  # persistent; cheap once set
            connection.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; a power cut may lose a vote
            connection.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _checked(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_KEY_CHARS:
        raise ValueError(f"{what} must be a non-empty string of at most {MAX_KEY_CHARS} characters")
    return value


def _voter(question: str, session_token: str) -> str:
    return hashlib.sha256(f"{question}\0{session_token}".encode()).hexdigest()[:32]


def record_answer(question: str, option: str, session_token: str) -> bool:
    """Count a session's answer to a question; True if counted, False if it had answered already or class mode is off.

    Only a session's first committed answer counts, so changing one's mind (or pressing twice) cannot stuff the vote.
    """
    _checked(question, "question"), _checked(option, "option"), _checked(session_token, "session token")
    if not enabled():
        return False
    with _connect() as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO answers (question, voter, option) VALUES (?, ?, ?)",
            (question, _voter(question, session_token), option),
        )
        return cursor.rowcount == 1


def distribution(question: str) -> dict[str, int]:
    """How many sessions chose each option of a question (only options someone chose; empty when class mode is off)."""
    _checked(question, "question")
    if not enabled():
        return {}
    with _connect() as db:
        rows = db.execute(
            "SELECT option, COUNT(*) FROM answers WHERE question = ? GROUP BY option ORDER BY option", (question,)
        ).fetchall()
    return {option: count for option, count in rows}


def reset(question: str | None = None) -> int:
    """Forget the counts of one question, or of all of them; return how many answers were removed."""
    if not db_path().exists():
        return 0
    with _connect() as db:
        if question is None:
            return db.execute("DELETE FROM answers").rowcount
        return db.execute("DELETE FROM answers WHERE question = ?", (_checked(question, "question"),)).rowcount
