"""Next word: four sequence models answer the same prompt, then we look inside the RNN and the LSTM.

The page never waits for a model: every section asks for the one it needs, and a model still training shows its
live panel in that place (see components/sections/language_models.py).
"""

import streamlit as st

from components import language_getters, lesson
from components.sections import language_compare, language_models, lstm, predictions, recurrent
from models import language, vocabulary


def intro() -> None:
    lesson.page_intro(
        "Next word: from a window to an LSTM",
        "Type a prompt and four models guess the next word: one sees only the previous two words, one sees every "
        "previous word but not their order, and two read the words in order, an RNN and an LSTM. "
        "Then open the RNN and the LSTM: their graph through time, their gradients, their gates and their memory.",
        slides=(
            "Sequence Matters",
            "Next Word Prediction",
            "RNN: Computational Graph across Time",
            "Backpropagation Through Time",
            "Exploding / Vanishing Gradients",
            "The Problem of Long-Term Dependencies",
            "LSTM",
            "RNN Applications & Limitations",
        ),
        needs=language_getters.DEFAULT_MODELS,
    )
    st.markdown(
        '**Why sequence matters.** *"The dog bit the man"* and *"the man bit the dog"* hold the same words; only '
        "their order tells them apart. A standard feed-forward network takes a fixed-size input, so for text it "
        "must either look at a fixed window of recent words or squash the whole history into an order-blind count "
        "vector."
    )


def prompt_input() -> str:
    """The prompt every section reads, and a note when it is longer than the recurrent models look back."""
    prompt = st.text_input(
        "Prompt",
        value=language_models.DEFAULT_PROMPT,
        key="next_word_prompt",
        max_chars=10_000,
        persist_state="session",
        bind="query-params",
    )
    n_tokens = len(vocabulary.tokenize(prompt))
    if n_tokens > language.MAX_PROMPT_TOKENS:
        st.caption(
            f"A long prompt ({n_tokens} tokens): the RNN and the LSTM read only its last "
            f"{language.MAX_PROMPT_TOKENS} tokens, the window model its last 2; the bag of words counts them all."
        )
    return prompt


SECTIONS = {  # tab name -> section
    "Predict": predictions.predict,
    "Bag of words": predictions.bag_of_words,
    "Unrolled graph": recurrent.unrolled_graph,
    "Through time": recurrent.through_time_section,
    "Exploding gradients": recurrent.exploding,
    "LSTM gates": lstm.lstm_gates,
    "Long-term memory": lstm.long_term_memory,
    "Compare": language_compare.compare,
    "Word embeddings": language_compare.word_embeddings,
    "Limitations": language_compare.limitations,
}


intro()
models, own_text = language_models.choose_models()  # the student's own four, or the bundled ones as each is ready
prompt = prompt_input()
lesson.tabbed_sections(SECTIONS, models, prompt, own_text, key="next_word_tab")  # only the open tab runs
