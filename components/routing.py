"""Deep links on a fresh server go through the router (``streamlit_app.py``), never the page file alone."""

from __future__ import annotations

import streamlit as st


def route_through_navigation() -> None:
    """Make a deep link on a fresh server run the router, not the page file alone.

    Streamlit treats an app whose entry file sits beside a ``pages/`` folder as an old-style multipage
    app until ``st.navigation`` has run once, so the very first visitor who opens ``/kernels`` directly
    would get the page without the router (no page config, no navigation). Clearing that flag and
    rerunning sends the visit through ``streamlit_app.py``. It runs when ``components`` is first imported,
    before any heavy import, so the old-style run lasts a fraction of a second; ``client.showSidebarNavigation
    = false`` keeps its page list from ever showing. This touches Streamlit's private ``PagesManager``:
    ``tests/e2e/test_navigation.py`` fails if an upgrade breaks it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:  # the router has run in this process: nothing to do
        return
    # Only on a session's first run: a later rerun carries widget events that a rerun would drop.
    if st.session_state.get("_lab_routed", False):
        return
    st.session_state["_lab_routed"] = True
    PagesManager.uses_pages_directory = False
    st.rerun()
