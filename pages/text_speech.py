"""CNNs for text and speech: the sliding window of the image pages, over words and over spectrograms.

Hand-made detectors first (every number readable), then a text CNN and a speech CNN that learn their own.
"""

import streamlit as st

from components import lesson, resources
from models import applications

DEFAULT_SENTENCE = "The movie was not bad at all and the actors were very good"


def handmade_text() -> None:
    """Section 2: six hand-made word detectors, max-pooled over time, and a readable voting layer."""
    sentence = st.text_input("Sentence", DEFAULT_SENTENCE, max_chars=resources.TEXT_SPEECH_MAX_CHARS,
                             key="text_speech_handmade_sentence")  # fmt: skip
    try:
        view = resources.get_handmade_text_view(sentence)
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


def handmade_sound() -> None:
    """Section 5: a spectrogram is an image, so the image kernels slide over it."""
    left, right = st.columns(2)
    sound = left.selectbox("Sound", applications.SOUNDS, key="text_speech_sound")
    kernel = right.selectbox("Kernel", list(applications.SPECTRO_KERNELS), index=1, key="text_speech_sound_kernel")
    view = resources.get_handmade_sound_view(sound, kernel)
    st.audio(view["wave"], sample_rate=applications.SAMPLE_RATE)
    left, right = st.columns(2)
    lesson.show_chart("heatmap_chart", view["image"], title="Spectrogram (high pitch at the top, time to the right)",
                      cell=8, legend=False, domain=(0, 1), where=left, width="content")  # fmt: skip
    lesson.show_chart("heatmap_chart", view["response"], title=f"Feature map: {kernel}", cell=8, legend=False,
                      where=right, width="content")  # fmt: skip
    st.caption(f"Strongest response {view['response'].max():.2f}.")


lesson.page_intro(
    "CNNs for text and speech",
    "A convolution slides a small window over a grid; nothing says the grid must be a photo. A sentence is a grid of "
    "word features × words, and a sound is a spectrogram, frequency × time. Read hand-made detectors first, then "
    "watch a text CNN and a speech CNN learn their own.",
    slides=["An Architecture for Many Applications", "CNN for Text Classification", "CNN for Speech Recognition"],
)
lesson.section(
    "1. Hand-made text detectors",
    "Each word becomes four numbers (positive, negative, negation, intensifier). A detector is a small kernel over "
    "one or two words; after ReLU it fires only where its whole pattern appears.",
)
handmade_text()
lesson.section(
    "2. Hand-made sound detectors",
    "A spectrogram shows how loud each pitch is over time. A diagonal kernel finds a rising or falling pitch.",
)
handmade_sound()
