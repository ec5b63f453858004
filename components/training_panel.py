"""Live panels for models that are still training: a progress bar, the loss so far and the time left.

A panel redraws itself twice a second (an ``st.fragment`` with ``run_every``) and, once its model is
ready, reruns the page, which then draws the section in the panel's place with every widget value kept.
A student's own model gets a watching panel instead: progress, a Stop button, and what the page draws of
the model after every epoch.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from components import charts
from components.model_shelf import ModelShelf, Progress
from components.watch_jobs import JobView, WatchJobs

REFRESH_SECONDS = 0.5
STATE_WORDS = {"waiting": "waiting its turn", "training": "training", "ready": "ready", "failed": "failed"}


def describe(progress: Progress) -> str:
    """One line for a person: where the model stands and, while training, how long it has left."""
    if progress.elsewhere:
        return "another server process is training it; it loads as soon as that one has saved it"
    if progress.state == "training" and not progress.total:  # no step reported yet: the data is being made
        return "preparing the training data"
    if progress.state == "training":
        left = progress.seconds_left
        eta = f", about {left:.0f} s left" if left is not None else ""
        return f"step {progress.step:,} of {progress.total:,}{eta}"
    if progress.state == "failed":
        return f"training failed ({progress.error}); reload the page to try again"
    return STATE_WORDS[progress.state]


def _loss_spec(losses: list[float]) -> dict:
    spec = {
        "data": {"values": [{"step": i + 1, "loss": loss} for i, loss in enumerate(losses)]},
        "mark": {"type": "line", "color": charts.PRIMARY},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": "progress report", "axis": {"tickMinStep": 1}},
            "y": {"field": "loss", "type": "quantitative", "title": "training loss", "scale": {"zero": False}},
        },
        "height": 120,
    }
    return charts.with_readable_text(spec)


@st.fragment(run_every=REFRESH_SECONDS)
def training_panel(shelf: ModelShelf, key: str, label: str) -> None:
    """The live panel of one model; reruns the whole page once the model is ready."""
    progress = shelf.progress(key)
    if progress.state == "ready":
        st.rerun()  # the page draws the section now: a full rerun keeps every widget's value
    with st.container(border=True, key="lab_training_" + re.sub(r"\W", "_", key)):
        st.markdown(
            f"**{label[:1].upper() + label[1:]} is being trained for this server.** "
            "This section fills in by itself when it is ready; the rest of the page works meanwhile."
        )
        st.progress(progress.fraction, text=describe(progress))
        if len(progress.losses) > 1:
            st.vega_lite_chart(_loss_spec(progress.losses), width="stretch")


@st.fragment(run_every=1.0)
def queue_table(shelf: ModelShelf) -> None:
    """Every default model of this server and where it stands, live (for Home)."""
    rows = [
        {"model": job.name, "what": job.label, "state": STATE_WORDS[p.state], "progress": p.fraction}
        | {"detail": "" if p.state == "ready" else describe(p)}
        for job, p in shelf.jobs()
    ]
    if not rows:
        st.caption("No model has been asked for yet in this server process.")
        return
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"progress": st.column_config.ProgressColumn("progress", min_value=0.0, max_value=1.0)},
    )


STOP_WAIT_SECONDS = 3.0  # after Stop, wait this long for the job to end before redrawing the page


def describe_job(view: JobView) -> str:
    """One line for a person: where a student's own model stands."""
    if view.state == "waiting":
        return "waiting its turn: other students' models are training; yours starts when one is done"
    if view.state != "training":
        return STATE_WORDS.get(view.state, view.state)
    left = view.seconds_left
    eta = f", about {left:.0f} s left" if left is not None else ""
    which = ""
    if len(view.parts) > 1 and view.part:
        i = view.parts.index(view.part)
        name = view.part_labels[i] if i < len(view.part_labels) else view.part
        which = f"model {i + 1} of {len(view.parts)}, {name}: "
    step = f"step {view.step:,} of {view.total:,}" if view.total else "preparing the data"
    return f"{which}{step}{eta}"


@st.fragment(run_every=REFRESH_SECONDS)
def watch_panel(jobs: WatchJobs, key: str, show: Callable[[JobView], None]) -> None:
    """The live panel of a student's own model: progress, a Stop button and ``show(view)`` (what the page draws of
    the latest snapshot); reruns the whole page once the job has finished, stopped or failed."""
    view = jobs.get(key)
    if view is None or not view.running:
        st.rerun()  # the page draws the finished (or stopped) model now, with every widget's value kept
    slug = re.sub(r"\W", "_", key)
    with st.container(border=True, key="lab_watching_" + slug):
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.markdown(
            f"**Training {view.label} in the background.** Below: the model as it is after its latest epoch. "
            "**Stop** keeps it as it is at that moment; the rest of the page works meanwhile."
        )
        if button.button("Stop", key="lab_stop_" + slug, icon=":material/stop_circle:", type="primary"):
            jobs.stop(key, wait=STOP_WAIT_SECONDS)
            st.rerun()
        st.progress(view.fraction, text=describe_job(view))
        show(view)
