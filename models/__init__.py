"""The lab's models: pure numpy, torch and scikit-learn, usable from a notebook (no Streamlit here)."""
