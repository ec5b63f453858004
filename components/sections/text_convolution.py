"""Convolution over words: hand-made detectors with a readable vote, a text CNN whose filters slide along the
student's sentence, the same split for a bag of words (where word order should decide), and two concept checks."""

from __future__ import annotations

import streamlit as st

from components import lesson, text_speech_getters
from models import applications, sentences, text_cnn
from models import text_speech_lessons as tsl

DEFAULT_SENTENCE = "The movie was not bad at all and the actors were very good"
TRAIN_COUNT, TEST_COUNT = (len(rows) for rows in sentences.load_split())


def handmade_text() -> None:
    """Section 1: six hand-made word detectors, max-pooled over time, and a readable voting layer."""
    lesson.section(
        "1. From hand-made to learned: text detectors you can read",
        "Each word becomes four numbers (positive, negative, negation, intensifier). A detector is a small kernel over "
        "one or two words; after ReLU it fires only where its whole pattern appears, and a voting layer with readable "
        "weights turns the pooled detectors into a verdict.",
    )
    sentence = st.text_input(
        "Sentence",
        DEFAULT_SENTENCE,
        max_chars=text_speech_getters.TEXT_SPEECH_MAX_CHARS,
        key="text_speech_handmade_sentence",
        persist_state="session",
        bind="query-params",
    )
    try:
        view = text_speech_getters.get_handmade_text_view(sentence)
    except ValueError:
        lesson.friendly_error("The sentence has no English words to convolve over. Type a few words, e.g. "
                              "“the soup was not bad”.")  # fmt: skip
        return
    verdict = view["verdict"]
    lesson.show_chart(view["input_spec"], width="content")
    lesson.show_chart(view["maps_spec"], width="content")
    votes = tsl.vote_terms(verdict.pooled, applications.VOTE_WEIGHTS)
    st.markdown("Max-pooling over time keeps one number per detector; the vote weighs them: " + ", ".join(votes) +
                f" = **{verdict.score:+.0f}**.")  # fmt: skip
    st.metric("Hand-made verdict", verdict.label)
    repeated = tsl.repeated(verdict.firing)
    if repeated:
        st.caption(f"“{repeated[0]}” fired at {verdict.firing[repeated[0]]} places, but max-pooling kept one "
                   "number: the vote cannot count how often a pattern occurs, only whether it does.")  # fmt: skip
    if verdict.label == "mixed":
        st.caption("Evidence for both sides cancelled exactly, so the hand-made vote calls it mixed.")
    elif verdict.label == "neutral":
        st.caption("No detector fired: none of the lexicon's 26 words is in the sentence.")


@lesson.model_section
def learned_text() -> None:
    """Section 2: the text CNN on the student's sentence: probabilities, filters along the words, top n-grams."""
    lesson.section(
        "2. CNN for text classification: learned filters",
        "The same design, learned (Kim, 2014): each word is a learned vector, filters of widths 2, 3 and 4 slide along "
        "the words, ReLU, max over time, then a linear layer and softmax over negative, neutral and positive.",
    )
    model = text_speech_getters.get_text_cnn()
    st.caption(
        f"Trained on {TRAIN_COUNT:,} of the team's labelled sentences; on the {TEST_COUNT} held-out ones it is right "
        f"{model.test_accuracy:.0%} of the time (chance: {1 / len(text_cnn.CLASSES):.0%}). {len(model.vocab):,} words, "
        f"{model.num_parameters:,} parameters, {model.config.filters} filters of each width {model.config.widths}."
    )
    sentence = st.text_input("Your sentence", DEFAULT_SENTENCE, max_chars=text_speech_getters.TEXT_SPEECH_MAX_CHARS,
                             key="text_speech_sentence", persist_state="session", bind="query-params")  # fmt: skip
    try:
        view = text_speech_getters.get_text_reading(sentence, model)
    except ValueError:
        lesson.friendly_error("There are no English words in that sentence. Type a sentence such as "
                              "“The soup was hardly warm”.")  # fmt: skip
        return
    reading, unknown = view["reading"], view["unknown"]
    if len(unknown) == len(reading.tokens):
        lesson.friendly_error(
            "None of these words is in the model's vocabulary (it knows the words of the team's "
            "sentences), so every word reads as the same unknown word and the answer means little."
        )
    if len(reading.tokens) == text_cnn.MAX_TOKENS:
        st.caption(f"Only the first {text_cnn.MAX_TOKENS} words are read: the model is for sentences, not pages.")
    if unknown and len(unknown) < len(reading.tokens):
        shown = ", ".join(f"“{w}”" for w in unknown[:8]) + ("…" if len(unknown) > 8 else "")
        st.caption(f"Not in the vocabulary, read as one shared unknown word: {shown}")
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.metric("Text CNN says", reading.label)
        lesson.show_chart(view["probs_spec"], where=left)
    with right:
        lesson.show_chart(view["traces_spec"], where=right, width="content")
        st.caption(
            f"The {min(text_speech_getters.TEXT_FILTERS_SHOWN, len(reading.traces))} filters that push hardest toward "
            f"“{reading.label}” (max-pooled score × weight). Each scores every run of its width "
            "of words; max over time keeps only the outlined one."
        )
    top = text_speech_getters.get_top_ngrams(model)
    rows = tsl.filter_rows(reading.tokens, reading.traces[: text_speech_getters.TEXT_FILTERS_SHOWN], top)
    st.dataframe(rows, hide_index=True, width="stretch")


@lesson.model_section
def word_order() -> None:
    """Section 3: the same split for a bag-of-words logistic regression, overall and where word order matters."""
    lesson.section(
        "3. Does word order matter? Against a bag of words",
        "A logistic regression on word counts (scikit-learn), trained on the same sentences, sees which words occur "
        "but never their order. Sentences with a negation are where order should decide.",
    )
    model = text_speech_getters.get_text_cnn()
    result = text_speech_getters.get_text_comparison(model)
    cols = st.columns(3)
    cols[0].metric("Text CNN, held out", f"{result.cnn_accuracy:.1%}")
    cols[1].metric("Bag of words, held out", f"{result.bow_accuracy:.1%}")
    cols[2].metric("Text CNN, words shuffled", f"{result.shuffled_accuracy:.1%}")
    cols = st.columns(3)
    cols[0].metric(f"Text CNN, {result.order_count} with a negation", f"{result.cnn_order_accuracy:.1%}")
    cols[1].metric(f"Bag of words, {result.order_count} with a negation", f"{result.bow_order_accuracy:.1%}")
    cols[2].metric(f"Both, the other {result.plain_count}",
                   f"{result.cnn_plain_accuracy:.0%} / {result.bow_plain_accuracy:.0%}")  # fmt: skip
    gap = result.cnn_order_accuracy - result.bow_order_accuracy
    if gap > 0:
        verdict = (f"On the {result.order_count} held-out sentences with a negation the CNN is right "
                   f"{gap:.0%} more often than bag of words")  # fmt: skip
    else:
        verdict = (
            f"On the {result.order_count} held-out sentences with a negation the CNN is no better than bag of "
            f"words here ({result.cnn_order_accuracy:.0%} against {result.bow_order_accuracy:.0%})"
        )
    spread = text_cnn.NEGATION_GAP_BY_SEED
    low, high, helps, always = tsl.seed_spread(spread)
    on_average = "helps on average" if helps else "does not help on average"
    every = "and for every seed" if always else "but not for every seed"
    st.caption(
        f"Trained with {len(spread)} different seeds, the CNN's lead on these sentences ranged from "
        f"{low * 100:+.1f} to {high * 100:+.1f} points (measured by the benchmark): on a set this "
        f"small, reading word order {on_average}, {every}."
    )
    shuffle = "it reads order" if result.shuffled_accuracy < result.cnn_accuracy else "here order did not help it"
    st.markdown(
        f"{verdict}: only the CNN was right on {len(result.cnn_wins)} of them, only bag of words on "
        f"{len(result.bow_wins)}. Shuffling the words of every held-out sentence changes nothing for bag of words "
        f"but moves the CNN from {result.cnn_accuracy:.0%} to {result.shuffled_accuracy:.0%}: {shuffle}."
    )
    if result.cnn_wins:
        st.dataframe(
            tsl.win_rows(result.cnn_wins),
            hide_index=True, width="stretch",
        )  # fmt: skip
    if result.bow_wins:
        with st.expander(f"The {len(result.bow_wins)} where only bag of words was right"):
            st.dataframe(
                tsl.win_rows(result.bow_wins),
                hide_index=True, width="stretch",
            )  # fmt: skip


@lesson.model_section
def concept_checks() -> None:
    """Section 6: predict, then reveal; every answer is measured on this page's models."""
    lesson.section("6. Concept check", "Commit to an answer first.")
    model = text_speech_getters.get_text_cnn()
    result = text_speech_getters.get_text_comparison(model)
    better = result.cnn_order_accuracy > result.bow_order_accuracy
    answer = "the text CNN" if better else "bag of words, or neither"
    lesson.concept_check(
        "text_speech_quiz_order",
        "On held-out sentences with a negation (“not bad at all”), which model is right more often?",
        ["the text CNN", "bag of words, or neither"],
        answer,
        f"Measured: text CNN {result.cnn_order_accuracy:.0%}, bag of words {result.bow_order_accuracy:.0%} on "
        f"{result.order_count} sentences. A count vector of “not bad” and of “bad, not good” holds the same kind of "
        "words; a width-2 filter sees “not” right before “bad”.",
    )
    drops = result.shuffled_accuracy < result.cnn_accuracy
    lesson.concept_check(
        "text_speech_quiz_shuffle",
        "Shuffle the words of every held-out sentence. Does the text CNN's accuracy change?",
        ["yes, it drops", "no, max over time ignores order"],
        "yes, it drops" if drops else "no, max over time ignores order",
        f"Measured: {result.cnn_accuracy:.0%} → {result.shuffled_accuracy:.0%}. Max over time forgets *where* an "
        "n-gram was, not the order of the words inside it.",
    )
