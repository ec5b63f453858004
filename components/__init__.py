"""Streamlit-side helpers shared by the pages: the cache layer, charts, the canvas and lesson widgets."""
