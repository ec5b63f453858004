"""Shared Streamlit code: the cache layer, charts, the canvas and page helpers (nothing else imports streamlit)."""

from components.routing import route_through_navigation

route_through_navigation()  # the first import of a page's run: before torch and friends are loaded
