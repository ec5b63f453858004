"""Page helpers that make every page read like a lesson: intro, sections, "what to notice", concept checks."""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components import charts, resources, warm_up
from components.routing import route_through_navigation
from models import pulse

logger = logging.getLogger("lab")

PRESENT_KEY = "lab_present"  # the presenter-mode toggle (also ``?present=1`` in the URL)
_SLIDES = "_lab_slides"  # session-state key: {page title: [section titles]} from the page's last run
_SLIDE = "_lab_slide"  # session-state key: {page title: index shown in presenter mode (0 = the intro)}
_RUN = "_lab_run"  # session-state key: this run's page title and the section titles seen so far
PRESENT_SCALE = 1.35  # type and chart text grow by this much on a projector


def presenting() -> bool:
    """Whether the page is in presenter mode (large type, one section at a time)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def _sync_present_param() -> None:
    if st.session_state.get(PRESENT_KEY):
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def _step_slide(title: str, delta: int) -> None:
    slides = st.session_state.setdefault(_SLIDE, {})
    count = len(st.session_state.get(_SLIDES, {}).get(title, []))
    slides[title] = min(max(slides.get(title, 0) + delta, 0), count)


def _presenter_bar(title: str) -> None:
    """The presenter toggle; in presenter mode also Previous / Next and the section being shown."""
    if PRESENT_KEY not in st.session_state:  # ``?present=1`` opens the page in presenter mode
        st.session_state[PRESENT_KEY] = st.query_params.get("present") in ("1", "true")
    with st.container(key="lab_presenter", horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        if presenting():
            titles = st.session_state.get(_SLIDES, {}).get(title, [])
            st.session_state["_lab_shown_count"] = len(titles)
            index = min(st.session_state.get(_SLIDE, {}).get(title, 0), len(titles))
            st.button("Previous", key="lab_present_prev", icon=":material/chevron_left:", disabled=index == 0,
                      on_click=_step_slide, args=(title, -1))  # fmt: skip
            name = re.sub(r"^\d+\.\s*", "", titles[index - 1]) if index else ""
            st.caption(
                f"Section {index} of {len(titles)}: {name}" if index else f"Introduction, then {len(titles)} sections"
            )
            last = bool(titles) and index >= len(titles)
            st.button("Next", key="lab_present_next", icon=":material/chevron_right:", disabled=last,
                      on_click=_step_slide, args=(title, 1))  # fmt: skip
        st.toggle("Presenter mode", key=PRESENT_KEY, on_change=_sync_present_param)
    if presenting():
        _presenter_css(
            min(st.session_state.get(_SLIDE, {}).get(title, 0), len(st.session_state.get(_SLIDES, {}).get(title, [])))
        )


def _presenter_css(index: int) -> None:
    """Large type, and only section ``index`` of the page (0: the intro) with the presenter bar shown."""
    top = '[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > '
    keep = ":not(:has(> .st-key-lab_presenter))"
    rules = [
        f"html {{ font-size: {PRESENT_SCALE * 100:.0f}%; }}",
        '[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 4.5rem 2rem 2rem; }',
    ]
    if index > 0:  # everything before this section's heading
        rules.append(f"{top}*{keep}:has(~ * > .st-key-lab_section_{index}) {{ display: none !important; }}")
    nxt = f":has(> .st-key-lab_section_{index + 1})"
    rules.append(f"{top}{nxt}, {top}{nxt} ~ *{keep} {{ display: none !important; }}")
    st.html("<style>" + "\n".join(rules) + "</style>")


def page_intro(
    title: str, text: str, *, slides: Sequence[str] = (), needs: Sequence[Callable[[], object]] = ()
) -> None:
    """The page title, two sentences on what the student will see, and the slides it covers.

    ``needs`` are the getters of the default models the page's sections use: they go to the front of the
    worker's queue now, before the sections run (a section far down the page would ask only seconds later).
    """
    route_through_navigation()  # in case ``components`` was imported before this session's first run
    resources.ask_for(*needs)  # first: on a fresh server the worker starts on this page's models, not the warm-up's
    warm_up.warm_up()  # once per server: the background worker starts on every missing default model
    resources.start_page_run()
    remember_incoming_query()
    if st.session_state.get("_lab_page") != title:  # a new visit to this page (the canvas restores its drawing)
        st.session_state["_lab_page"] = title
        st.session_state["_lab_visit"] = st.session_state.get("_lab_visit", 0) + 1
    st.session_state[_RUN] = {"page": title, "sections": []}
    _presenter_bar(title)
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


def tabbed_sections(parts: Mapping[str, Callable[..., object]], *args, key: str | None = None) -> None:
    """One tab per section, from ``{tab name: section function}``; each section is called with ``args``.

    With a ``key`` only the open tab's section runs (opening another tab reruns the page, which remembers it);
    without one every tab's section runs, so all of them are in the page at once (cheap sections, tests).
    """
    tabs = st.tabs(list(parts), key=key, on_change="rerun") if key else st.tabs(list(parts))
    for tab, part in zip(tabs, parts.values(), strict=True):
        if key is None or tab.open:
            with tab:
                part(*args)


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
    """A section heading and one sentence of context (in presenter mode, one slide of the page)."""
    run = st.session_state.setdefault(_RUN, {"page": "", "sections": []})
    run["sections"].append(title)
    st.session_state.setdefault(_SLIDES, {})[run["page"]] = list(run["sections"])
    with st.container(key=f"lab_section_{len(run['sections'])}"):
        st.header(title, divider="gray")
    if text:
        st.markdown(text)


def what_to_notice(points: Sequence[str]) -> None:
    """A short, highlighted list of the things a student should take away, then the page's shareable link."""
    st.info("**What to notice**\n\n" + "\n".join(f"- {p}" for p in points), icon=":material/visibility:")
    link_to_view()
    run = st.session_state.get(_RUN, {})
    if presenting() and st.session_state.get("_lab_shown_count") != len(run.get("sections", [])):
        st.rerun()  # the presenter bar was drawn before this page's sections were counted (first visit)


_INCOMING = "_lab_incoming_query"  # session-state key: the query parameters the page was opened with
MAX_SHOWN_NAME = 40  # characters of a rejected parameter's name shown in the notice


def remember_incoming_query() -> None:
    """On a session's first run, note the query parameters the page was opened with (see ``link_to_view``)."""
    if not st.session_state.get("_lab_query_checked"):
        st.session_state["_lab_query_checked"] = True
        st.session_state[_INCOMING] = {key: st.query_params.get_all(key) for key in st.query_params}


def link_to_view() -> None:
    """A "Link to this view" control: the page's URL with every bound setting, to copy or share.

    Widgets bound with ``bind="query-params"`` write their values into the URL; Streamlit drops values
    that do not fit a widget (out of range, wrong type, unknown option). Those are named here once, quietly.
    """
    incoming = st.session_state.pop(_INCOMING, None) or {}
    dropped = [k for k, v in incoming.items() if st.query_params.get_all(k) != v and k != "present"]
    if dropped:
        names = ", ".join(sorted({k[:MAX_SHOWN_NAME].replace("`", "") for k in dropped}))
        st.caption(f"Some settings in the link did not fit and were reset to their defaults: `{names}`.")
    params = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    url = (st.context.url or "") + ("?" + urlencode(params) if params else "")
    with st.popover("Link to this view", icon=":material/link:"):
        st.caption("Open this link in any browser to see this page with the same settings.")
        st.code(url, language=None, wrap_lines=True)


def show_code(obj: Callable | type, *, label: str = "Show the code") -> None:
    """An expander with the source of a function or class from ``models``."""
    with st.expander(label, icon=":material/code:"):
        st.code(resources.get_source(obj.__module__, obj.__qualname__), language="python")


def _commit_answer(key: str) -> None:
    """The Reveal button's callback: the choice at that moment is the one judged, once and for all.

    On a class server it is also counted, anonymously, in the class pulse.
    """
    choice = st.session_state.get(f"{key}_choice")
    if choice is None:
        return
    st.session_state[f"{key}_committed"] = choice
    if pulse.enabled():
        ctx = get_script_run_ctx()
        try:
            pulse.record_answer(key, str(choice), ctx.session_id if ctx else "no-session")
        except (
            sqlite3.Error,
            ValueError,
        ) as exc:  # the pulse is a bonus: a busy or odd database must not cost the lesson
            logger.warning("class pulse: could not count an answer to %s (%s)", key, exc)


@st.fragment(run_every=2.0)
def _class_answers(key: str, options: Sequence[str]) -> None:
    """The class's answers to one question so far, live (presenter mode on a class server)."""
    counts = pulse.distribution(key)
    total = sum(counts.values())
    if not total:
        st.caption("No answers from the class yet.")
        return
    shares = [(option, counts.get(str(option), 0) / total) for option in options]
    word = "answer" if total == 1 else "answers"
    show_chart(charts.probability_chart(shares, title=f"The class so far: {total} {word}"), where=st)


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
        if pulse.enabled() and presenting():
            _class_answers(key, list(options))
        return True


def friendly_error(message: str) -> None:
    """A clear message for bad input, so the page keeps working instead of showing a traceback."""
    st.warning(message, icon=":material/error:")


def show_chart(chart: str | dict, *args, where=None, width: str = "stretch", **kwargs) -> None:
    """Draw a chart: ``chart`` names a builder in ``charts``, ``heatmaps`` or ``pca_charts`` (its spec is built
    once per input and cached) or is a ready Vega-Lite dict. Either way it gets the lab's minimum type sizes.

    ``where`` is the container to draw in (a column, a placeholder); the page itself by default.
    """
    spec = (
        resources.get_chart_spec(chart, *args, **kwargs) if isinstance(chart, str) else charts.with_readable_text(chart)
    )
    if presenting():
        spec = charts.scaled_text(spec, PRESENT_SCALE)
    (where or st).vega_lite_chart(spec, width=width)
