"""The lab's server: ``streamlit run streamlit_app.py``, with its heavy imports done before it listens.

    python -m deploy.serve [streamlit options]      # what `make run` and every class replica run

A plain ``streamlit run`` imports torch, scikit-learn, pandas and Altair inside its first visitor's script run:
about 6 s on a 2-core machine, during which that student looks at an empty page. Importing them (and every
``models`` module) here, before the server opens its port, moves that wait into the server's start-up, where
nobody is looking at a page. ``components`` is left to the first script run: its cache decorators must be
created inside Streamlit's runtime.

It also fixes glibc's mmap threshold (:func:`limit_heap_growth`), so that a server that trains every default model
in turn gives the memory of each one's large tensors back instead of keeping the high-water mark of all of them.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pkgutil
import sys
import time

from deploy.class_server import ROOT

# The libraries the pages' imports spend most on. torch._dynamo is what torch imports at the first optimizer a
# process makes: 0.69 s (and 67 MB, paid either way) that the warm-up's first model no longer waits for.
LIBRARIES = ("torch", "torch._dynamo", "sklearn", "pandas", "pyarrow", "altair")


# glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which torch's large
# tensors come from the heap, which fragments and does not shrink. A fixed threshold keeps blocks above it in
# mmap, returned to the system on free. Measured 2026-12-02 (a server whose warm-up trained all 14 default
# models, AMD EPYC): 748 MB peak with glibc's default, 665 MB at 8 MB, 625 MB at 256 KB (but 65% slower training).
MMAP_THRESHOLD = 8 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt parameter, from glibc's malloc.h


def limit_heap_growth(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes unless ``MALLOC_MMAP_THRESHOLD_`` already set one;
    True when it is now fixed (False without glibc, e.g. on macOS, where nothing changes)."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return True  # glibc read it at start-up
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False


def preload() -> list[str]:
    """Import the heavy libraries and every ``models`` module; returns the names imported."""
    import models

    names = list(LIBRARIES) + [f"models.{m.name}" for m in pkgutil.iter_modules(models.__path__) if not m.ispkg]
    for name in names:
        importlib.import_module(name)
    return names


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    limit_heap_growth()
    preload()
    print(f"lab: torch, scikit-learn and the models imported in {time.perf_counter() - started:.1f} s", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "streamlit_app.py"), *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
