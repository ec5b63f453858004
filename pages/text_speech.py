"""CNNs for text and speech: the sliding window of the image pages, over words and over spectrograms.

Hand-made detectors first (every number readable), then a text CNN and a speech CNN that learn their own.
"""

import streamlit as st

from components import lesson, text_speech_getters
from models import applications, sentences, speech_cnn, text_cnn

DEFAULT_SENTENCE = "The movie was not bad at all and the actors were very good"
TRAIN_COUNT, TEST_COUNT = (len(rows) for rows in sentences.load_split())


def handmade_text() -> None:
    """Section 2: six hand-made word detectors, max-pooled over time, and a readable voting layer."""
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
    votes = [f"{name} {value:.0f} × {applications.VOTE_WEIGHTS[name]:+.0f}" for name, value in verdict.pooled.items()]
    st.markdown("Max-pooling over time keeps one number per detector; the vote weighs them: " + ", ".join(votes) +
                f" = **{verdict.score:+.0f}**.")  # fmt: skip
    st.metric("Hand-made verdict", verdict.label)
    repeated = [name for name, count in verdict.firing.items() if count > 1]
    if repeated:
        st.caption(f"“{repeated[0]}” fired at {verdict.firing[repeated[0]]} places, but max-pooling kept one "
                   "number: the vote cannot count how often a pattern occurs, only whether it does.")  # fmt: skip
    if verdict.label == "mixed":
        st.caption("Evidence for both sides cancelled exactly, so the hand-made vote calls it mixed.")
    elif verdict.label == "neutral":
        st.caption("No detector fired: none of the lexicon's 26 words is in the sentence.")


def learned_text() -> None:
    """Section 2: the text CNN on the student's sentence: probabilities, filters along the words, top n-grams."""
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
    rows = [
        {"filter": t.name, "wins here on": " ".join(reading.tokens[t.start : t.start + t.width]),
         "score": round(t.value, 2), "n-grams that excite it most in the training sentences":
         " · ".join(f"{g} ({v:.1f})" for g, v in top[t.name])}
        for t in reading.traces[: text_speech_getters.TEXT_FILTERS_SHOWN]
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch")


def word_order() -> None:
    """Section 3: the same split for a bag-of-words logistic regression, overall and where word order matters."""
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
    on_average = "helps on average" if sum(spread) > 0 else "does not help on average"
    every = "and for every seed" if min(spread) > 0 else "but not for every seed"
    st.caption(
        f"Trained with {len(spread)} different seeds, the CNN's lead on these sentences ranged from "
        f"{min(spread) * 100:+.1f} to {max(spread) * 100:+.1f} points (measured by the benchmark): on a set this "
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
            [{"sentence": s, "true": t, "text CNN": c, "bag of words": b} for s, t, c, b in result.cnn_wins],
            hide_index=True, width="stretch",
        )  # fmt: skip
    if result.bow_wins:
        with st.expander(f"The {len(result.bow_wins)} where only bag of words was right"):
            st.dataframe(
                [{"sentence": s, "true": t, "text CNN": c, "bag of words": b} for s, t, c, b in result.bow_wins],
                hide_index=True, width="stretch",
            )  # fmt: skip


def handmade_sound() -> None:
    """Section 5: a spectrogram is an image, so the image kernels slide over it."""
    left, right = st.columns(2)
    sound = left.selectbox(
        "Sound", applications.SOUNDS, key="text_speech_sound", persist_state="session", bind="query-params"
    )
    kernel = right.selectbox(
        "Kernel",
        list(applications.SPECTRO_KERNELS),
        index=1,
        key="text_speech_sound_kernel",
        persist_state="session",
        bind="query-params",
    )
    view = text_speech_getters.get_handmade_sound_view(sound, kernel)
    st.audio(view["wave"], sample_rate=applications.SAMPLE_RATE)
    left, right = st.columns(2)
    lesson.show_chart("heatmap_chart", view["image"], title="Spectrogram (high pitch at the top, time to the right)",
                      cell=8, legend=False, domain=(0, 1), where=left, width="content")  # fmt: skip
    lesson.show_chart("heatmap_chart", view["response"], title=f"Feature map: {kernel}", cell=8, legend=False,
                      where=right, width="content")  # fmt: skip
    st.caption(f"Strongest response {view['response'].max():.2f}.")


def learned_sound() -> None:
    """Section 5: a small CNN learns its own kernels from generated sounds; its maps for one sound."""
    model = text_speech_getters.get_speech_cnn()
    config = model.config
    tested = config.test_per_class * len(speech_cnn.CLASSES)
    st.caption(
        f"Trained on {config.train_per_class * len(speech_cnn.CLASSES):,} generated sounds (pitch ×{config.pitch[0]}–"
        f"{config.pitch[1]}, lasting {config.span[0]:.0%}–{config.span[1]:.0%} of the clip, noise up to "
        f"{config.noise[1]:.0%}); right on {model.test_accuracy:.1%} of {tested} "
        f"held-out sounds (chance {1 / len(speech_cnn.CLASSES):.1%}). {model.num_parameters:,} parameters."
    )
    left, right = st.columns(2)
    sound = left.selectbox(
        "Sound",
        speech_cnn.CLASSES,
        index=5,
        key="text_speech_learned_sound",
        persist_state="session",
        bind="query-params",
    )
    variant = right.number_input("Variant (0 = clean; others random pitch, length, noise)", 0, 999, 1,
                                 key="text_speech_variant", persist_state="session", bind="query-params")  # fmt: skip
    view = text_speech_getters.get_speech_view(sound, int(variant), model)
    st.audio(view["wave"], sample_rate=applications.SAMPLE_RATE)
    guess = next(iter(view["probs"]))
    a, b, c = st.columns([1.2, 1, 1], gap="medium")
    with a:
        st.metric("Speech CNN says", guess)
        lesson.show_chart(view["probs_spec"], where=a)
    lesson.show_chart("heatmap_chart", view["image"], title="Its spectrogram", cell=6, legend=False, domain=(0, 1),
                      where=b, width="content")  # fmt: skip
    with c:
        st.image(
            view["maps_png"],
            caption=f"Conv 1's {config.channels[0]} feature maps after ReLU (bright = strong)",
            output_format="PNG",
        )
    pictures = text_speech_getters.get_speech_kernel_pictures(model)
    a, b = st.columns(2)
    a.image(pictures["handmade"], caption="Hand-made: " + ", ".join(applications.SPECTRO_KERNELS), output_format="PNG")
    b.image(
        pictures["learned"],
        caption=f"Learned: conv 1's {config.channels[0]} kernels (red +, blue −)",
        output_format="PNG",
    )
    closest = ", ".join(f"{name} → #{i} ({cos:.2f})" for name, (i, cos) in pictures["closest"].items())
    st.caption(
        f"Closest learned kernel to each hand-made one (cosine similarity, 1 = same pattern): {closest}. "
        "Nobody told the network to look for lines or onsets; what it needs for the task is what it learns."
    )


def concept_checks() -> None:
    """Section 6: predict, then reveal; every answer is measured on this page's models."""
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


def what_to_notice() -> None:
    """The take-aways, worded from this page's own models."""
    model = text_speech_getters.get_text_cnn()
    result = text_speech_getters.get_text_comparison(model)
    speech = text_speech_getters.get_speech_cnn()
    order = "beats it" if result.cnn_order_accuracy > result.bow_order_accuracy else "does not beat it"
    lesson.what_to_notice(
        [
            "A convolution over words is the same multiply-and-add as over pixels: a width-2 detector sees “not” "
            "right before “bad”, which a single word cannot tell.",
            "Max over time keeps one number per filter, its best window wherever it was; how often a pattern occurs "
            "is lost.",
            f"Learned beats hand-made coverage: the text CNN is right on {result.cnn_accuracy:.0%} of held-out "
            f"sentences and bag of words on {result.bow_accuracy:.0%}; on the {result.order_count} with a negation "
            f"the CNN {order} ({result.cnn_order_accuracy:.0%} against {result.bow_order_accuracy:.0%}).",
            f"A spectrogram is an image, so the image CNN recipe works unchanged: {speech.test_accuracy:.0%} of "
            f"held-out sounds right, with pitch, speed and noise it never saw in exactly that form.",
        ]
    )


lesson.page_intro(
    "CNNs for text and speech",
    "A convolution slides a small window over a grid; nothing says the grid must be a photo. A sentence is a grid of "
    "word features × words, and a sound is a spectrogram, frequency × time. Read hand-made detectors first, then "
    "watch a text CNN and a speech CNN learn their own.",
    slides=["An Architecture for Many Applications", "CNN for Text Classification", "CNN for Speech Recognition"],
)
lesson.section(
    "1. From hand-made to learned: text detectors you can read",
    "Each word becomes four numbers (positive, negative, negation, intensifier). A detector is a small kernel over "
    "one or two words; after ReLU it fires only where its whole pattern appears, and a voting layer with readable "
    "weights turns the pooled detectors into a verdict.",
)
handmade_text()
lesson.section(
    "2. CNN for text classification: learned filters",
    "The same design, learned (Kim, 2014): each word is a learned vector, filters of widths 2, 3 and 4 slide along "
    "the words, ReLU, max over time, then a linear layer and softmax over negative, neutral and positive.",
)
learned_text()
lesson.section(
    "3. Does word order matter? Against a bag of words",
    "A logistic regression on word counts (scikit-learn), trained on the same sentences, sees which words occur "
    "but never their order. Sentences with a negation are where order should decide.",
)
word_order()
lesson.section(
    "4. CNN for speech recognition: hand-made kernels on a spectrogram",
    "A spectrogram shows how loud each pitch is over time, so it is an image: a diagonal kernel finds a rising or "
    "falling pitch, a vertical edge finds an onset.",
)
handmade_sound()
lesson.section(
    "5. A speech CNN learns its own kernels",
    "Two conv layers on spectrograms of generated sounds, each with a random pitch, speed, onset and noise. Choose a "
    "sound and a variant.",
)
learned_sound()
lesson.section("6. Concept check", "Commit to an answer first.")
concept_checks()
what_to_notice()
