"""Predicting the next word: the four models side by side on the student's prompt (each as soon as it is ready),
and the bag of words' blindness to order (shuffle the prompt, its answer cannot change)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import language_getters, lesson, resources
from components.sections.language_models import LABELS, SHORT, NextWordModels
from models import long_dependency, next_word_lessons, vocabulary
from models.language import KINDS


def predict(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Predict the next word",
        "The five most likely next words of each model, most likely first. `<unk>` (every rare word at once) and "
        "`<s>` (a sentence start) are not words, so they are never offered: their share is spread over the rest.",
    )
    columns = dict(zip(KINDS, st.columns(len(KINDS)), strict=True))
    ready = {}
    for kind, column in columns.items():
        with column:  # a model still training shows its live panel in its own column
            try:
                ready[kind] = models.get(kind)
            except resources.ModelNotReady:
                continue
    predictions = language_getters.get_next_word_predictions(ready, prompt, 5) if ready else {}
    for kind, top in predictions.items():
        lesson.show_chart("probability_chart", top, title=SHORT[kind], width=190, step=26, where=columns[kind])
    prompt_caption(ready, prompt)
    if own_text:
        recall = language_getters.get_pattern_recall(models.all(), own_text)
        if recall is not None:
            st.info(
                "Your text's long-range pattern, on its held-out sentences: the right colour after *was still* is "
                "the top guess of "
                + ", ".join(f"the {SHORT[k]} {v:.0%}" for k, v in recall.items())
                + f" of the time (guessing a colour: {long_dependency.chance_level():.0%})."
            )
    st.subheader("Continue the prompt")
    left, right = st.columns(2)
    n_words = left.slider("Words to add", 1, 30, 12, key="next_word_n", persist_state="session", bind="query-params")
    temperature = right.slider(
        "Temperature (0 = always the most likely word)",
        0.0,
        1.5,
        0.0,
        0.1,
        key="next_word_temperature",
        persist_state="session",
        bind="query-params",
    )
    rows = [
        {
            "model": LABELS[kind],
            "continuation": language_getters.get_continuation(model, prompt, n_words, temperature, 0),
        }
        for kind, model in ready.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    lesson.what_to_notice(
        [
            'The window model only knows the last two words: "for a" looks the same after *dog* as after *week*.',
            "The bag of words knows which words came before but not in what order.",
            "The RNN and LSTM read the words in order and carry a state from word to word.",
            "Temperature 0 always takes the most likely word, so a prompt always gets the same continuation; above 0 "
            "each word is drawn from softmax(logits / T), which a higher T makes flatter.",
        ]
    )


@lesson.model_section
def bag_of_words(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Bag of words: every previous word, no order",
        "The bow model sees the whole prompt as a count vector over the vocabulary, like the slide's "
        "`[0 1 0 0 1 …]`: one slot per vocabulary word, holding how often that word occurred.",
    )
    bow = models.get("bow")
    counts = bow.count_vector(prompt)
    shown = next_word_lessons.shown_slots(counts)  # some empty slots, then the prompt's words
    lesson.show_chart(
        "heatmap_chart",
        counts[shown][None, :],
        annotate=True,
        fmt="d",
        col_labels=[bow.vocab.itos[i] for i in shown],
        row_labels=["count"],
        legend=False,
        cell=46,
        title=f"Count vector (showing {len(shown)} of {len(counts):,} slots)",
        width="content",
    )
    preview = " ".join(str(int(counts[i])) for i in range(2, 20))
    st.markdown(f"As a vector: `[{preview} … ]`, {int(counts.sum())} words counted in all.")
    if st.button("Shuffle the prompt", key="next_word_shuffle", icon=":material/shuffle:"):
        st.session_state["next_word_shuffle_seed"] = st.session_state.get("next_word_shuffle_seed", 0) + 1
    mixed_prompt = vocabulary.shuffle_words(prompt, st.session_state.get("next_word_shuffle_seed", 0))
    st.markdown(f"**Shuffled prompt:** {mixed_prompt}")
    pair = {"bow": bow, "lstm": models.get("lstm")}
    original = language_getters.get_next_word_predictions(pair, prompt, 5)
    mixed = language_getters.get_next_word_predictions(pair, mixed_prompt, 5)
    panels = [
        (original, "bow", "bow: as typed"),
        (mixed, "bow", "bow: shuffled"),
        (original, "lstm", "LSTM: as typed"),
        (mixed, "lstm", "LSTM: shuffled"),
    ]
    for column, (preds, kind, title) in zip(st.columns(4), panels, strict=True):
        lesson.show_chart("probability_chart", preds[kind], title=title, width=170, step=26, where=column)
    same_bow = original["bow"] == mixed["bow"]
    lstm_changed = original["lstm"][0][0] != mixed["lstm"][0][0]
    st.caption(
        (
            "The bag-of-words answer is identical for the shuffled prompt. "
            if same_bow
            else "The bag-of-words answer changed for the shuffled prompt. "
        )
        + (
            f"The LSTM's top guess changed from *{original['lstm'][0][0]}* to *{mixed['lstm'][0][0]}*."
            if lstm_changed
            else f"The LSTM's top guess stayed *{original['lstm'][0][0]}*, with other probabilities."
        )
    )
    lesson.what_to_notice(
        [
            "Shuffling changes nothing in the count vector, so it cannot change the bag of words' answer, however "
            "long the prompt.",
            "The LSTM reads the words in order, so for it the order is information"
            + (": here its top guess changed." if lstm_changed else "; here only its probabilities moved."),
        ]
    )


def prompt_caption(ready: dict, prompt: str) -> None:
    """The vocabulary (of a ready model, or built from the corpus while none is) and the prompt's words outside it."""
    model = ready.get("lstm") or next(iter(ready.values()), None)
    vocab = model.vocab if model is not None else language_getters.get_corpus_vocabulary()
    unknown, n_words = vocabulary.unknown_words(vocab, prompt)
    st.caption(
        f"Vocabulary: {len(vocab):,} entries (the words seen at least twice in training, plus `<s>` and `<unk>`). "
        + (
            f"{len(unknown)} of the prompt's {n_words} words are outside it and are read as `<unk>`: "
            + ", ".join(f"*{w}*" for w in unknown[:8])
            + ("…" if len(unknown) > 8 else "")
            + "."
            if unknown
            else f"Every one of the prompt's {n_words} words is in it."
            if n_words
            else "The prompt has no words yet: the models guess as if a text were just starting. Type a few words."
        )
    )
