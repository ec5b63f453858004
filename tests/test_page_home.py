"""Home page: renders through the router, lists the lecture outline, and clears the cache."""

import torch
from streamlit.testing.v1 import AppTest

from models import store


def test_home_renders_outline_and_clear_button(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))  # clearing must not wipe other tests' models
    at = AppTest.from_file("../streamlit_app.py", default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Deep Learning Lab"
    assert any("Models" in h.value for h in at.header)
    store.save("dummy", None, 1, {"w": torch.zeros(1)})
    at.button(key="home_clear").click().run()
    assert not at.exception
    assert "Removed" in at.success[0].value
    assert store.list_cached() == []


def test_home_table_is_fresh_after_clearing(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    store.save("xo", None, 1, {"w": torch.zeros(1)})
    at = AppTest.from_file("../streamlit_app.py", default_timeout=30).run()
    table = at.table[0].value
    assert table.loc["xo", "status"] == "trained and cached"
    at.button(key="home_clear").click().run()
    table = at.table[0].value
    assert set(table["status"]) == {"trains on first use"}  # the table is drawn after the clear, not before
