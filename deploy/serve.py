"""The lab's server: ``streamlit run streamlit_app.py``, with its heavy imports done before it listens.

    python -m deploy.serve [streamlit options]      # what `make run` and every class replica run

A plain ``streamlit run`` imports torch, scikit-learn, pandas and Altair inside its first visitor's script run:
about 6 s on a 2-core machine, during which that student looks at an empty page. Importing them (and every
``models`` module) here, before the server opens its port, moves that wait into the server's start-up, where
nobody is looking at a page. ``components`` is left to the first script run: its cache decorators must be
created inside Streamlit's runtime.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

from deploy.class_server import ROOT

LIBRARIES = ("torch", "sklearn", "pandas", "pyarrow", "altair")  # the libraries the pages' imports spend most on


def preload() -> list[str]:
    """Import the heavy libraries and every ``models`` module; returns the names imported."""
    import models

    names = list(LIBRARIES) + [f"models.{m.name}" for m in pkgutil.iter_modules(models.__path__) if not m.ispkg]
    for name in names:
        importlib.import_module(name)
    return names


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    preload()
    print(f"lab: torch, scikit-learn and the models imported in {time.perf_counter() - started:.1f} s", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "streamlit_app.py"), *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
