"""Trained weights on disk, so that a restart loads instead of retraining.

Files live in ``.cache/`` beside the project, or in ``$LAB_CACHE_DIR``. Each is
keyed by model name, config and model version. Saving is atomic; loading uses
``torch.load(weights_only=True)``, so a file can never run code, and a
truncated, corrupt or old-version file is treated as missing. Several processes may share
one folder: ``training_lock`` makes each model train once while the others wait, then load it.

A persistable model is any object with ``to_payload() -> dict`` and a
``from_payload(dict)`` constructor, where the payload holds only tensors,
numbers, strings, lists and dicts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

try:  # Linux and macOS; elsewhere the lock is a no-op and each process may train its own copy
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

CACHE_ENV = "LAB_CACHE_DIR"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1  # bump if the file layout itself changes
LOCK_POLL_SECONDS = 0.1  # how often a waiting process retries the lock
LOCK_TIMEOUT_SECONDS = 15 * 60  # after this a waiting process trains anyway rather than hang the page

logger = logging.getLogger("lab.store")


def cache_dir() -> Path:
    """The folder that holds trained weights (created on demand)."""
    path = Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / ".cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dict(config: Any) -> dict:
    """A config dataclass (or dict, or None) as a plain JSON-able dict."""
    if config is None:
        return {}
    if dataclasses.is_dataclass(config):
        return dataclasses.asdict(config)
    return dict(config)


def model_key(name: str, config: Any, version: int) -> str:
    """A file-name-safe key: name, version and a hash of the config."""
    blob = json.dumps(config_dict(config), sort_keys=True, default=str)
    digest = hashlib.sha1(blob.encode()).hexdigest()[:10]
    return f"{name}-v{version}-{digest}"


def weights_path(name: str, config: Any, version: int) -> Path:
    """Where the weights of this (name, config, version) live."""
    return cache_dir() / f"{model_key(name, config, version)}.pt"


def save(name: str, config: Any, version: int, payload: dict, *, seconds: float = 0.0, parameters: int = 0) -> Path:
    """Write ``payload`` atomically (temp file, then rename) with a JSON sidecar of metadata."""
    path = weights_path(name, config, version)
    meta = {
        "name": name,
        "version": version,
        "format": FORMAT,
        "config": config_dict(config),
        "seconds": round(seconds, 3),
        "parameters": parameters,
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    blob = {"meta": json.dumps(meta, default=str), "payload": payload}
    _atomic_write(path, lambda f: torch.save(blob, f))
    size = path.stat().st_size
    _atomic_write(path.with_suffix(".json"), lambda f: f.write(json.dumps({**meta, "bytes": size}).encode()))
    return path


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(name: str, config: Any, version: int) -> dict | None:
    """The saved payload, or None when missing, corrupt or of another version."""
    path = weights_path(name, config, version)
    if not path.exists():
        _drop_other_versions(name, version)
        return None
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        meta = json.loads(blob["meta"])
        if meta.get("format") != FORMAT or meta.get("version") != version or meta.get("name") != name:
            raise ValueError(f"stale file (format {meta.get('format')}, version {meta.get('version')})")
        return blob["payload"]
    except Exception as exc:  # any unreadable file means: retrain
        logger.warning("Ignoring unreadable weights %s (%s); the model will be retrained.", path.name, exc)
        return None


def _drop_other_versions(name: str, version: int) -> None:
    """Remove weights that an older (or newer) model version of ``name`` left behind, with a warning."""
    for old in cache_dir().glob(f"{name}-v*.pt"):
        stem_version = old.stem[len(name) + 2 :].split("-")[0]
        if stem_version.isdigit() and int(stem_version) != version:
            logger.warning("Weights %s are from model version %s, not %s; the model will be retrained.",
                           old.name, stem_version, version)  # fmt: skip
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def lock_path(name: str, config: Any, version: int) -> Path:
    """The lock file beside the weights of this (name, config, version)."""
    return weights_path(name, config, version).with_suffix(".lock")


@contextlib.contextmanager
def training_lock(
    name: str, config: Any, version: int, *, on_wait: Callable[[], None] | None = None,
    timeout: float = LOCK_TIMEOUT_SECONDS,
) -> Iterator[bool]:  # fmt: skip
    """Hold the cross-process lock of one model while loading or training it; yields False if it timed out.

    Use it as ``with training_lock(...): payload = load(...) or <train and save>``: the first process trains,
    the others wait (``on_wait`` is called once when they start waiting), then find the file and load it.
    The lock is an ``fcntl.flock`` on a file, so the kernel releases it when its holder dies.
    """
    if fcntl is None:
        yield True
        return
    path = lock_path(name, config, version)
    with path.open("a") as handle:
        acquired = _acquire(handle, on_wait, timeout, path.name)
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle, on_wait: Callable[[], None] | None, timeout: float, label: str) -> bool:
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if not waiting:
                waiting = True
                logger.info("waiting for another process to finish %s", label)
                if on_wait is not None:
                    on_wait()
            if time.monotonic() > deadline:
                logger.warning("Gave up waiting for %s after %.0f s; training without the lock.", label, timeout)
                return False
            time.sleep(LOCK_POLL_SECONDS)


@dataclass(frozen=True)
class CachedModel:
    """One weights file in the cache folder, as the Home page lists it."""

    name: str  # model name, e.g. "xo"
    key: str  # file stem: name, version and config hash
    version: int  # model version the file was written with
    bytes: int  # size on disk
    seconds: float  # how long training took
    parameters: int  # trainable parameter count
    saved_at: str  # local time of saving


def list_cached() -> list[CachedModel]:
    """Every weights file in the cache folder with its metadata, sorted by name."""
    found = []
    for path in sorted(cache_dir().glob("*.pt")):
        try:
            meta = json.loads(path.with_suffix(".json").read_text())
        except (OSError, ValueError):
            meta = {"name": path.stem.split("-v")[0]}
        found.append(
            CachedModel(
                name=str(meta.get("name", path.stem)),
                key=path.stem,
                version=int(meta.get("version", 0)),
                bytes=path.stat().st_size,
                seconds=float(meta.get("seconds", 0.0)),
                parameters=int(meta.get("parameters", 0)),
                saved_at=str(meta.get("saved_at", "")),
            )
        )
    return sorted(found, key=lambda m: m.name)


def clear() -> int:
    """Delete every cached weights file; return how many were removed."""
    removed = 0
    for path in cache_dir().iterdir():
        if path.suffix in {".pt", ".json", ".tmp"} and path.is_file():
            path.unlink(missing_ok=True)
            removed += path.suffix == ".pt"
    return removed
