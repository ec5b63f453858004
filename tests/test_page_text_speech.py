"""AppTest for the CNNs for text and speech page: defaults, typing sentences, bad input, choosing sounds."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "text_speech.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    """The page with its two models trained once (through the cache layer and the weights store)."""
    app = AppTest.from_file(PAGE, default_timeout=600).run()
    assert not app.exception, app.exception
    app.default_timeout = 60
    return app


def metric(at: AppTest, label: str):
    return next((m.value for m in at.metric if m.label == label), None)


def test_defaults_render_every_section(at):
    headers = [h.value for h in at.header]
    assert len(headers) == 6 and headers[1].startswith("2. CNN for text classification")
    assert metric(at, "Hand-made verdict") == "positive"
    assert metric(at, "Text CNN says") in ("negative", "neutral", "positive")
    assert metric(at, "Speech CNN says") is not None
    assert any("Slides:" in c.value and "CNN for Speech Recognition" in c.value for c in at.caption)


def test_typing_a_sentence_updates_the_text_cnn(at):
    at.text_input(key="text_speech_sentence").input("The bus leaves from platform four at nine").run()
    assert not at.exception
    assert metric(at, "Text CNN says") == "neutral"
    at.text_input(key="text_speech_sentence").input("The staff were rude and the food was awful").run()
    assert metric(at, "Text CNN says") == "negative"


def test_hand_made_mixed_sentence_says_why(at):
    at.text_input(key="text_speech_handmade_sentence").input("The walk was not good but the dog was very happy").run()
    assert metric(at, "Hand-made verdict") == "mixed"
    assert any("cancelled exactly" in c.value for c in at.caption)
    assert any("fired at 2 places" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no English words"),
        ("😀😀 !!! 123", "no English words"),
        ("Привет, как дела", "no English words"),
        ("zyxw qqqq blorf", "None of these words"),
    ],
)
def test_bad_sentences_get_a_clear_message(at, text, message):
    at.text_input(key="text_speech_sentence").input(text).run()
    assert not at.exception
    assert any(message in w.value for w in at.warning)


@pytest.mark.parametrize("text", ["🙂🙂🙂", "x" * 5000], ids=["emoji", "5,000 characters"])
def test_hand_made_detectors_survive_bad_sentences(at, text):
    at.text_input(key="text_speech_handmade_sentence").input(text).run()
    assert not at.exception, at.exception


def test_html_is_shown_as_text_and_huge_input_is_cut(at):
    at.text_input(key="text_speech_sentence").input("<script>alert(1)</script> <b>not bad</b>").run()
    assert not at.exception
    assert not any("<script>" in m.value for m in at.markdown)
    at.text_input(key="text_speech_sentence").input("good " * 300).run()
    assert not at.exception and any("Only the first 60 words" in c.value for c in at.caption)


def test_choosing_sounds_and_variants(at):
    at.selectbox(key="text_speech_learned_sound").set_value("clicks").run()
    at.number_input(key="text_speech_variant").set_value(0).run()
    assert not at.exception and metric(at, "Speech CNN says") == "clicks"
    at.selectbox(key="text_speech_sound").set_value("falling pitch").run()
    at.selectbox(key="text_speech_sound_kernel").set_value("falling line").run()
    assert not at.exception and any("Strongest response" in c.value for c in at.caption)


def test_concept_check_reveals_a_measured_answer(at):
    at.radio(key="text_speech_quiz_shuffle_choice").set_value("yes, it drops").run()
    at.button(key="text_speech_quiz_shuffle_reveal").click().run()
    assert any("Measured:" in m.value for m in [*at.success, *at.warning])
