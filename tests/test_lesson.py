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


def _sections_app() -> None:
    from components import lesson

    lesson.page_intro("Slides", "Two sections.")
    lesson.section("1. First", "one")
    lesson.section("2. Second", "two")
    lesson.what_to_notice(["Slides are sections."])


def test_presenter_mode_steps_through_the_sections():
    at = AppTest.from_function(_sections_app, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception
    assert at.toggle(key="lab_present").value
    assert "Introduction, then 2 sections" in at.caption[0].value
    at.button(key="lab_present_next").click().run()
    assert "Section 1 of 2: First" in at.caption[0].value
    at.button(key="lab_present_next").click().run()
    assert "Section 2 of 2: Second" in at.caption[0].value
    assert at.button(key="lab_present_next").disabled
    at.button(key="lab_present_prev").click().run()
    assert "Section 1 of 2" in at.caption[0].value
    at.toggle(key="lab_present").set_value(False).run()
    assert not [b for b in at.button if b.key == "lab_present_next"]


def test_class_pulse_counts_the_committed_answer_and_shows_it_to_the_presenter(tmp_path, monkeypatch):
    from models import pulse, store

    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(pulse.CLASS_MODE_ENV, "1")
    at = AppTest.from_function(_quiz_app, default_timeout=60).run()
    at.radio(key="quiz_choice").set_value("3").run()
    at.button(key="quiz_reveal").click().run()
    assert pulse.distribution("quiz") == {"3": 1}
    at.run()  # rerunning does not count the session twice
    assert pulse.distribution("quiz") == {"3": 1}
    at.session_state["lab_present"] = True
    at.run()
    assert not at.exception
    assert any("The class so far: 1 answer" in c.proto.spec for c in at.get("vega_lite_chart"))


def _tabs_app(keyed: bool):
    import streamlit as st

    from components import lesson

    parts = {"First": lambda n: st.markdown(f"first section {n}"), "Second": lambda n: st.markdown(f"second {n}")}
    lesson.tabbed_sections(parts, 7, key="lesson_tabs" if keyed else None)


def test_tabbed_sections_with_a_key_run_only_the_open_tab():
    at = AppTest.from_function(_tabs_app, args=(True,), default_timeout=60).run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert "first section 7" in shown and "second 7" not in shown


def test_tabbed_sections_without_a_key_run_every_tab():
    at = AppTest.from_function(_tabs_app, args=(False,), default_timeout=60).run()
    assert not at.exception
    assert {"first section 7", "second 7"} <= {m.value for m in at.markdown}
