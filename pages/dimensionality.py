"""Placeholder until this page lands (see its issue)."""

import streamlit as st

st.title("dimensionality")
st.write("This page is being built.")
