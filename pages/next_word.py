"""Placeholder until this page lands (see its issue)."""

import streamlit as st

st.title("next_word")
st.write("This page is being built.")
