"""Page helpers that make every page read like a lesson: intro, sections, "what to notice", concept checks."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence

import streamlit as st

from components import charts, resources
from components.routing import route_through_navigation


def page_intro(title: str, text: str, *, slides: Sequence[str] = ()) -> None:
    """The page title, two sentences on what the student will see, and the slides it covers."""
    route_through_navigation()  # in case ``components`` was imported before this session's first run
    resources.warm_up()  # once per server: the background worker starts on every missing default model
    resources.start_page_run()
    st.title(title)
    st.markdown(text)
    if slides:
        st.caption("Slides: " + " · ".join(slides))


def sections(*parts: Callable[[], object]) -> None:
    """Run a page's sections in order, its table of contents.

    A section whose model is still training shows a live panel in its place (its getter raised
    ``ModelNotReady`` after drawing it); the sections after it run as usual.
    """
    for part in parts:
        try:
            part()
        except resources.ModelNotReady:
            continue


def model_section(fn: Callable) -> Callable:
    """Decorate a section that needs a trained model: while the model trains, the section is its live
    training panel (drawn by the getter) and returns None, and the page goes on with the next section."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except resources.ModelNotReady:
            return None

    return run


def section(title: str, text: str = "") -> None:
    """A section heading and one sentence of context."""
    st.header(title, divider="gray")
    if text:
        st.markdown(text)


def what_to_notice(points: Sequence[str]) -> None:
    """A short, highlighted list of the things a student should take away."""
    st.info("**What to notice**\n\n" + "\n".join(f"- {p}" for p in points), icon=":material/visibility:")


def show_code(obj: Callable | type, *, label: str = "Show the code") -> None:
    """An expander with the source of a function or class from ``models``."""
    with st.expander(label, icon=":material/code:"):
        st.code(inspect.getsource(obj), language="python")


def _commit_answer(key: str) -> None:
    """The Reveal button's callback: the choice at that moment is the one judged, once and for all."""
    choice = st.session_state.get(f"{key}_choice")
    if choice is not None:
        st.session_state[f"{key}_committed"] = choice


def concept_check(
    key: str,
    question: str,
    options: Sequence[str],
    answer: str,
    explanation: str,
) -> bool:
    """A predict-then-reveal question; returns True once the student has committed to an answer.

    The student picks an option and presses Reveal; only then are the verdict and the explanation shown.
    The first committed answer is the one judged: afterwards the options are locked on it, so clicking
    through them until one says "Right" is not possible, and leaving the page and coming back keeps
    both the answer and the verdict. Pages can hide a chart until this returns True.
    """
    committed = st.session_state.get(f"{key}_committed")
    if committed is not None and committed not in options:  # the question's options changed (new data)
        del st.session_state[f"{key}_committed"]
        committed = None
    with st.container(border=True):
        st.markdown(f"**Predict first:** {question}")
        if committed is None:
            choice = st.radio(
                "Your prediction",
                options,
                index=None,
                key=f"{key}_choice",
                label_visibility="collapsed",
                persist_state="session",
            )
            st.button("Reveal", key=f"{key}_reveal", disabled=choice is None, on_click=_commit_answer, args=(key,))
            return False
        st.radio(
            "Your prediction",
            options,
            index=list(options).index(committed),
            key=f"{key}_locked",
            label_visibility="collapsed",
            disabled=True,
        )
        if committed == answer:
            st.success(f"Right: **{answer}**. {explanation}")
        else:
            st.warning(f"Not quite: you said **{committed}**; the answer is **{answer}**. {explanation}")
        return True


def friendly_error(message: str) -> None:
    """A clear message for bad input, so the page keeps working instead of showing a traceback."""
    st.warning(message, icon=":material/error:")


def show_chart(chart: str | dict, *args, where=None, width: str = "stretch", **kwargs) -> None:
    """Draw a chart: ``chart`` names a builder in ``components.charts`` (its spec is built once per input and
    cached) or is a ready Vega-Lite dict. Either way it gets the lab's minimum type sizes.

    ``where`` is the container to draw in (a column, a placeholder); the page itself by default.
    """
    spec = (
        resources.get_chart_spec(chart, *args, **kwargs) if isinstance(chart, str) else charts.with_readable_text(chart)
    )
    (where or st).vega_lite_chart(spec, width=width)
