"""Home: what the lab is, the lecture's outline with a link to each page, and the state of the models."""

import pandas as pd
import streamlit as st

from components import lesson, resources

lesson.page_intro(
    "Deep Learning Lab",
    "An interactive companion to **Machine Learning for English Analysis, Week 9: Deep Learning (2)**. "
    "Every heading of the lecture is something you can move, draw or type into here; "
    "the models train on your laptop the first time a page needs them, then load instantly.",
)

lesson.section("The lecture, page by page")
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
        "pages/next_word.py",
        "Recurrent neural networks: sequence modelling",
        "Type a prompt and watch a window model, a bag of words, an RNN and an LSTM guess the next word, "
        "then look at their gradients through time.",
    ),
]
for path, topic, promise in OUTLINE:
    with st.container(border=True):
        st.page_link(path, label=topic)
        st.caption(promise)

lesson.section(
    "Models",
    "Default models are trained the first time a page needs them and saved to disk, so the next start loads them.",
)
cached = {m.name: m for m in resources.cached_models()}
rows = []
for name, (what, page) in resources.DEFAULT_MODELS.items():
    m = cached.get(name)
    rows.append(
        {
            "model": name,
            "what it is": what,
            "page": page,
            "status": "trained and cached" if m else "trains on first use",
            "parameters": m.parameters if m else None,
            "size (kB)": round(m.bytes / 1024, 1) if m else None,
            "training time (s)": m.seconds if m else None,
        }
    )
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption(f"Weights folder: `{resources.cache_folder()}` (set `LAB_CACHE_DIR` to move it).")
if st.button("Clear the cache and retrain", key="home_clear", icon=":material/restart_alt:"):
    removed = resources.clear_models()
    st.success(f"Removed {removed} weights file(s). Each model retrains the next time its page opens.")

lesson.what_to_notice(
    [
        "Pages share their models: open a page once and every other student on the same server gets the trained model.",
        "Each model is small enough to train in seconds on two CPU cores: the point is to look inside, "
        "not to win benchmarks.",
    ]
)
