"""Deep Learning Lab: the router. Pages live in pages/; nothing else happens here."""

import streamlit as st

from components.images import app_icon

st.set_page_config(page_title="Deep Learning Lab", page_icon=app_icon(), layout="wide")

st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/dimensionality.py", title="Dimensionality reduction", icon=":material/scatter_plot:"),
        st.Page("pages/kernels.py", title="Kernel playground", icon=":material/grid_on:"),
        st.Page("pages/draw.py", title="Draw and classify", icon=":material/draw:"),
        st.Page("pages/text_speech.py", title="CNNs for text and speech", icon=":material/graphic_eq:"),
        st.Page("pages/next_word.py", title="Next word", icon=":material/text_fields:"),
    ],
    position="top",  # a page list across the top leaves the whole width to the lesson (and to a projector)
).run()
