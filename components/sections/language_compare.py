"""Comparing the four next-word models (held-out perplexity, curves), their word embeddings through PCA, and where
RNNs struggle, with the page's concept checks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import language_getters, lesson
from components.sections.language_models import LABELS, MEMORY, SHORT, NextWordModels
from models import next_word_lessons


@lesson.model_section
def compare(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Compare the four models",
        "Perplexity is exp(average loss) on text the model never trained on (every 10th paragraph): roughly, how "
        "many words it is hesitating between. Lower is better.",
    )
    models = models.all()
    rows = next_word_lessons.comparison_rows(models, LABELS, MEMORY)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    unk = language_getters.get_heldout_unknown_share(models["lstm"], own_text)
    seq_len = models["lstm"].config.seq_len
    st.caption(
        "Which tokens count: every token of the held-out text is scored (words, punctuation and `<unk>`) except "
        f"`<s>`, which a full stop already implies. {unk:.1%} of the held-out tokens are `<unk>` (words outside the "
        f"vocabulary): predicting `<unk>` there counts as right, which flatters every model a little. The text is "
        f"read in pieces of {seq_len} tokens, each starting from an empty memory."
    )
    curves = next_word_lessons.perplexity_curves(models, LABELS)
    left, right = st.columns(2)
    if curves:
        lesson.show_chart(
            "curves_chart", curves, y_title="held-out perplexity", title="Held-out perplexity per epoch", where=left
        )
    else:
        left.info("Your text has fewer than 10 paragraphs, so no part of it was held out for perplexity.")
    lesson.show_chart(
        "curves_chart",
        {LABELS[k]: m.history.loss for k, m in models.items()},
        y_title="training loss",
        title="Training loss per epoch",
        where=right,
    )
    ppl = next_word_lessons.known_perplexities(models)
    if len(ppl) == len(models):
        ranked = sorted(ppl, key=ppl.get)
        lesson.what_to_notice(
            [
                "Best to worst: " + ", ".join(f"{SHORT[k]} {ppl[k]:.1f}" for k in ranked) + ".",
                (
                    "Order-blind counts (bag of words) do worst: knowing which words came before, without their "
                    "order, is far behind even two words in order."
                    if ranked[-1] == "bow"
                    else f"The {SHORT[ranked[-1]]} does worst here."
                ),
                f"Two words of context already reach {ppl['window']:.1f}; the LSTM, reading up to {seq_len} tokens, "
                + (
                    f"gets {ppl['lstm']:.1f}."
                    if ppl["lstm"] < ppl["window"]
                    else f"does no better ({ppl['lstm']:.1f})."
                ),
            ]
        )


@lesson.model_section
def word_embeddings(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Word embeddings through PCA",
        "Every model but the bag of words starts by turning each word into a vector of "
        f"{models.config('lstm').embedding_dim} numbers, its embedding, learned while predicting the next word. "
        "PCA (the Dimensionality page's own `fit_pca`) projects these vectors to two dimensions so we can look.",
    )
    left, middle, right = st.columns(3)
    kind = left.radio(
        "Model",
        ["lstm", "window", "rnn"],
        format_func=SHORT.get,
        key="next_word_embed_model",
        horizontal=True,
        persist_state="session",
        bind="query-params",
    )
    view_name = middle.radio(
        "Vectors",
        ["what training added", "as trained"],
        key="next_word_embed_view",
        horizontal=True,
        persist_state="session",
        bind="query-params",
    )
    n_words = right.slider(
        "Most frequent words shown",
        50,
        600,
        250,
        50,
        key="next_word_embed_n",
        persist_state="session",
        bind="query-params",
    )
    model = models.get(kind)
    view = language_getters.get_embedding_view(model, view_name == "what training added")
    start = language_getters.get_start_similarity(model)
    word = (
        st.text_input(
            "Find a word",
            "monday",
            key="next_word_embed_word",
            max_chars=40,
            persist_state="session",
            bind="query-params",
        )
        .strip()
        .lower()
    )
    focus: list[str] = []
    neighbours: list[tuple[str, float]] = []
    if word:
        if word in view.words:
            neighbours = view.neighbours(word, 8)
            focus = [word, *(w for w, _ in neighbours)]
        else:
            lesson.friendly_error(f"*{word}* is not in this model's vocabulary of {len(view.words):,} words.")
    chart_col, table_col = st.columns([3, 2])
    lesson.show_chart("embedding_scatter_chart", view.points(n_words, focus=focus), where=chart_col, width="content")
    chart_col.caption(
        f"The two components keep {view.variance_kept:.0%} of the variance of the {len(view.words):,} vectors: "
        "words close on the map may still be far apart in the full space, so neighbours are measured there."
    )
    if neighbours:
        table_col.markdown(f"**Nearest neighbours of *{word}*** (cosine similarity, full space)")
        table_col.dataframe(
            pd.DataFrame(neighbours, columns=["word", "cosine"]).style.format({"cosine": "{:.2f}"}),
            hide_index=True,
            width="stretch",
        )
    groups = view.group_similarity()
    baseline = view.random_pair_similarity()
    table_col.markdown("**How close each named group sits** (average cosine between its words)")
    table_col.dataframe(
        pd.DataFrame([*groups.items(), ("two random words", baseline)], columns=["group", "cosine"]).style.format(
            {"cosine": "{:.2f}"}
        ),
        hide_index=True,
        width="stretch",
    )
    together, apart = next_word_lessons.close_groups(groups, baseline)
    lesson.what_to_notice(
        [
            f"Each word starts as a random vector, and training moves it only a little: for the {SHORT[kind]} the "
            f"trained vectors have cosine {start:.2f} with their start on average. That is why the *as trained* "
            "map looks like noise and *what training added* (trained minus start) is the view to read.",
            (
                f"Words used alike land together: in this view {', '.join(together)} sit closer to each other than two "
                f"random words ({baseline:.2f})."
                if together
                else f"In this view no named group sits clearly closer than two random words ({baseline:.2f})."
            )
            + (f" Not so for {', '.join(apart)}." if together and apart else ""),
        ]
    )


def limitations(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section("Where RNNs struggle", "RNNs power speech recognition, translation and text generation, but:")
    st.markdown(
        "- **A fixed-size state is a bottleneck.** Everything read so far must fit in one vector h_t, however long "
        "the text.\n"
        "- **No parallelism across time.** h_t needs h_{t−1}, so a sentence is processed one word after another, "
        "both in training and in use.\n"
        "- **Long memory is hard.** Gradients vanish (or explode) over many steps; LSTM gates help but do not remove "
        "the limit (and these models never look further back than the 64 tokens they trained on). Attention and "
        "transformers, which look at every word directly, are the usual answer."
    )
    lesson.concept_check(
        "next_word_check_bow",
        "Will the bag-of-words model change its answer if I reorder the words of the prompt?",
        ["Yes", "No", "Only for long prompts"],
        "No",
        "It counts every word of the prompt, however long, and the count vector is the same for any order.",
    )
    lesson.concept_check(
        "next_word_check_clip",
        "Gradient clipping is a fix for which problem?",
        ["Vanishing gradients", "Exploding gradients", "Both"],
        "Exploding gradients",
        "Clipping can only scale a large gradient down; a gradient that has vanished stays tiny.",
    )
    lesson.concept_check(
        "next_word_check_forget",
        "An LSTM unit's forget gate stays at 1 and its input gate at 0 for ten words. What happens to its cell state?",
        ["It is kept unchanged", "It decays to 0", "It is overwritten"],
        "It is kept unchanged",
        "c_t = 1 ⊙ c_{t−1} + 0 ⊙ g_t = c_{t−1}: the memory passes through untouched, and so does its gradient.",
    )
