"""Shared test setup: a private weights folder for the whole run, so tests never touch the user's cache."""

import os
import tempfile

# Set before any lab module is imported, so every model trained by the tests lands here.
os.environ.setdefault("LAB_CACHE_DIR", tempfile.mkdtemp(prefix="lab-test-cache-"))
# Train in the calling thread, with a progress bar: AppTest runs no fragments, so the live training panels of
# a real server (tests/test_background.py and the e2e tests cover those) would never fill in.
os.environ.setdefault("LAB_BLOCKING_TRAINING", "1")
