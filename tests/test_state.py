"""State survives leaving a page and coming back: every page's widgets keep their values for the session."""

import pytest
from streamlit.testing.v1 import AppTest


def _router() -> AppTest:
    return AppTest.from_file("../streamlit_app.py", default_timeout=240).run()


@pytest.mark.parametrize(
    ("page", "kind", "key", "value"),
    [
        ("pages/kernels.py", "slider", "kernels_stride", 2),
        ("pages/dimensionality.py", "slider", "dimensionality_angle", 120),
        ("pages/next_word.py", "text_input", "next_word_prompt", "the bus to school"),
        ("pages/text_speech.py", "text_input", "text_speech_handmade_sentence", "not bad at all"),
    ],
)
def test_widget_values_survive_a_page_switch(page, kind, key, value):
    at = _router()
    at.switch_page(page).run()
    widget = getattr(at, kind)(key=key)
    (widget.input(value) if kind == "text_input" else widget.set_value(value)).run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    assert getattr(at, kind)(key=key).value == value


def test_a_revealed_concept_check_stays_judged_after_a_page_switch():
    at = _router()
    at.switch_page("pages/dimensionality.py").run()
    choice = at.radio(key="dimensionality_quiz_k95_choice")
    choice.set_value(choice.options[0]).run()
    at.button(key="dimensionality_quiz_k95_reveal").click().run()
    verdicts = [m.value for m in [*at.success, *at.warning] if "wine needs" in m.value]
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/dimensionality.py").run()
    assert [m.value for m in [*at.success, *at.warning] if "wine needs" in m.value] == verdicts
    assert at.radio(key="dimensionality_quiz_k95_locked").disabled
