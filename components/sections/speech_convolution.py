"""Convolution over sound: a spectrogram is an image, so hand-made image kernels slide over it, and a small speech
CNN learns its own kernels from generated sounds (its feature maps, and the learned kernels beside the hand-made)."""

from __future__ import annotations

import streamlit as st

from components import lesson, text_speech_getters
from models import applications, speech_cnn


def handmade_sound() -> None:
    """Section 4: a spectrogram is an image, so the image kernels slide over it."""
    lesson.section(
        "4. CNN for speech recognition: hand-made kernels on a spectrogram",
        "A spectrogram shows how loud each pitch is over time, so it is an image: a diagonal kernel finds a rising or "
        "falling pitch, a vertical edge finds an onset.",
    )
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


@lesson.model_section
def learned_sound() -> None:
    """Section 5: a small CNN learns its own kernels from generated sounds; its maps for one sound."""
    lesson.section(
        "5. A speech CNN learns its own kernels",
        "Two conv layers on spectrograms of generated sounds, each with a random pitch, speed, onset and noise. "
        "Choose a sound and a variant.",
    )
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
