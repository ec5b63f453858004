"""Shared test setup: a private weights folder for the whole run, so tests never touch the user's cache."""

import os
import tempfile

# Set before any lab module is imported, so every model trained by the tests lands here.
os.environ.setdefault("LAB_CACHE_DIR", tempfile.mkdtemp(prefix="lab-test-cache-"))
