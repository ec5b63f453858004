"""The lesson helpers: predict-then-reveal checks judge the first committed answer only."""

from streamlit.testing.v1 import AppTest


def _quiz_app() -> None:
    from components import lesson

    lesson.concept_check("quiz", "Two plus two?", ["3", "4", "5"], "4", "Count them.")


def test_concept_check_shows_no_verdict_before_reveal():
    at = AppTest.from_function(_quiz_app, default_timeout=60).run()
    at.radio(key="quiz_choice").set_value("4").run()
    assert not at.success and not at.warning
    assert not at.button(key="quiz_reveal").disabled


def test_concept_check_judges_the_first_committed_answer_and_locks_it():
    at = AppTest.from_function(_quiz_app, default_timeout=60).run()
    at.radio(key="quiz_choice").set_value("3").run()
    at.button(key="quiz_reveal").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Not quite: you said **3**; the answer is **4**. Count them."]
    locked = at.radio(key="quiz_locked")
    assert locked.disabled and locked.value == "3"
    # No way to click through the options for a new verdict: the choice widget is gone, the verdict stays.
    assert not [r for r in at.radio if r.key == "quiz_choice"]
    at.run()
    assert not at.success and len(at.warning) == 1


def test_concept_check_right_answer():
    at = AppTest.from_function(_quiz_app, default_timeout=60).run()
    at.radio(key="quiz_choice").set_value("4").run()
    at.button(key="quiz_reveal").click().run()
    assert [s.value for s in at.success] == ["Right: **4**. Count them."]


def test_show_chart_adds_the_minimum_type_size():
    from components import charts

    spec = charts.with_readable_text({"mark": "bar", "config": {"axis": {"labelFontSize": 20}}})
    assert spec["config"]["axis"]["labelFontSize"] == 20  # the spec's own choice wins
    assert spec["config"]["legend"]["labelFontSize"] >= 13
    assert spec["config"]["title"]["limit"] == 0  # titles are never cut
