"""Home: what the lab is, the lecture's outline with a link to each page, and the state of the models."""

import pandas as pd
import streamlit as st

from components import lesson, resources
from models import pulse
from models.catalog import DEFAULT_MODELS

OUTLINE = [
    (
        "pages/dimensionality.py",
        "Unsupervised learning: dimensionality reduction",
        "Rotate a direction until the variance peaks, watch PCA rebuild a digit from k components, "
        "and compare it with an autoencoder.",
    ),
    (
        "pages/kernels.py",
        "Convolutional neural networks: the convolution operation",
        "Slide a 3×3 window over the X/O example, edit kernels, and work out feature-map shapes "
        "from stride, padding and pooling.",
    ),
    (
        "pages/draw.py",
        "Convolutional neural networks: classification",
        "Draw an X, an O or a digit and see the class probabilities, feature maps and learned kernels of a CNN.",
    ),
    (
        "pages/text_speech.py",
        "One architecture, many applications: CNNs for text and speech",
        "Type a sentence and see which word n-grams a learned text CNN's filters pick out; "
        "then classify sounds from their spectrograms.",
    ),
    (
        "pages/next_word.py",
        "Recurrent neural networks: sequence modelling",
        "Type a prompt and watch a window model, a bag of words, an RNN and an LSTM guess the next word, "
        "then look at their gradients through time.",
    ),
]


def outline() -> None:
    lesson.section("The lecture, page by page")
    for path, topic, promise in OUTLINE:
        with st.container(border=True):
            st.page_link(path, label=topic)
            st.caption(promise)


def _clear_models() -> None:
    """The clear button's callback: runs before the page, so the table below is already fresh."""
    st.session_state["home_cleared"] = resources.clear_models()


def model_table() -> None:
    lesson.section(
        "Models",
        "Default models are trained in the background when the server first starts (a page that needs one moves it "
        "to the front of the queue) and saved to disk, so the next start loads them.",
    )
    st.button("Clear the cache and retrain", key="home_clear", icon=":material/restart_alt:", on_click=_clear_models)
    if (removed := st.session_state.pop("home_cleared", None)) is not None:
        st.success(f"Removed {removed} weights file(s). Each model retrains the next time its page opens.")
    st.markdown("**This server, live:** every default model and where it stands (the worker trains one at a time).")
    resources.model_queue()
    st.markdown("**On disk:** what a restart loads instead of retraining.")
    cached = {m.name: m for m in resources.cached_models()}
    rows = []
    for model in DEFAULT_MODELS.values():
        m = cached.get(model.name)
        rows.append(
            {
                "model": model.name,
                "what it is": model.what,
                "page": model.page,
                "status": "trained and cached" if m else "trains on first use",
                "parameters": f"{m.parameters:,}" if m else "",
                "size (kB)": f"{m.bytes / 1024:.1f}" if m else "",
                "training (s)": f"{m.seconds:.1f}" if m else "",
            }
        )
    # A static table wraps long descriptions, so every column fits a laptop screen without scrolling sideways.
    st.table(pd.DataFrame(rows).set_index("model"))
    st.caption(f"Weights folder: `{resources.cache_folder()}` (set `LAB_CACHE_DIR` to move it).")
    if pulse.enabled():
        st.button("Reset the class's answers", key="home_pulse_reset", icon=":material/how_to_vote:",
                  on_click=lambda: st.session_state.update(home_pulse_removed=pulse.reset()))  # fmt: skip
        if (removed := st.session_state.pop("home_pulse_removed", None)) is not None:
            st.success(f"Forgot {removed} answer(s) to the concept checks.")


lesson.page_intro(
    "Deep Learning Lab",
    "An interactive companion to **Machine Learning for English Analysis, Week 9: Deep Learning (2)**. "
    "Every heading of the lecture is something you can move, draw or type into here; "
    "the models train in the background on your laptop the first time the lab starts (a page whose model is "
    "not ready yet shows it learning), then load instantly.",
)
outline()
model_table()
lesson.what_to_notice(
    [
        "Pages share their models: open a page once and every other student on the same server gets the trained model.",
        "Each model is small enough to train in seconds on two CPU cores: the point is to look inside, "
        "not to win benchmarks.",
    ]
)
