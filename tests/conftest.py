"""Shared test setup: a private weights folder for the whole run, so tests never touch the user's cache."""

import os
import tempfile
import time

# Set before any lab module is imported, so every model trained by the tests lands here.
os.environ.setdefault("LAB_CACHE_DIR", tempfile.mkdtemp(prefix="lab-test-cache-"))
# Train in the calling thread, with a progress bar: AppTest runs no fragments, so the live training panels of
# a real server (tests/test_model_shelf.py and the e2e tests cover those) would never fill in.
os.environ.setdefault("LAB_BLOCKING_TRAINING", "1")


import pytest


@pytest.fixture(scope="session")
def small_text() -> str:
    """The first 80 paragraphs of the corpus: enough to learn something, quick to train on."""
    from models.corpus import read_corpus, split_paragraphs

    return "\n\n".join(split_paragraphs(read_corpus())[:80])


@pytest.fixture(scope="session")
def trained(small_text) -> dict:
    """The four next-word models trained for 2 epochs on ``small_text``, shared by the language test files."""
    from models import language

    return {kind: language.train_language_model(small_text, kind, epochs=2) for kind in language.KINDS}


@pytest.fixture(scope="session")
def xo_cnn():
    """The default X/O CNN (trained once into the test cache, then loaded), shared by the drawing test files."""
    from models import cnn_training

    return cnn_training.default_classifier("xo")


@pytest.fixture(scope="session")
def digits_cnn():
    """The default digits CNN, shared like ``xo_cnn``."""
    from models import cnn_training

    return cnn_training.default_classifier("digits")


def rerun_until(at, found, timeout: float = 120.0) -> None:
    """Rerun the AppTest ``at`` until ``found(at)``: a background job's state shows only in a later page run."""
    deadline = time.monotonic() + timeout
    while not found(at):
        assert time.monotonic() < deadline, "the page never showed it"
        time.sleep(0.5)
        at.run()
        assert not at.exception, at.exception
