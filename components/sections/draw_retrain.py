"""The draw page's "retrain with…": a student's own CNN with other settings, watched as it learns in the background;
it lives in a per-user cache and never replaces the default."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import drawing_getters, lesson, resources
from models import cnn
from models.draw_lessons import top_class

FILTER_CHOICES = (4, 8, 12, 16)  # filters in conv 1 of a retrained CNN (conv 2 and 3 double them)
RATES = (0.001, 0.003, 0.01, 0.03)


@st.fragment
def retrain_section(task: str, model: cnn.ImageClassifier, image: np.ndarray) -> None:
    """A student's own CNN with other settings, watched as it learns; it lives in a per-user cache and never
    replaces the default."""
    runs = model.config.epochs + model.config.cooldown_epochs
    per_epoch = model.history.seconds / max(runs, 1)
    with st.form(f"draw_retrain_{task}"):
        st.markdown(
            f"**Retrain with…** your own settings. The default took {model.history.seconds:.0f} s to train "
            f"({per_epoch:.1f} s per epoch with {model.config.channels[0]} filters; more filters cost more); the "
            "shared model stays as it is. Yours trains in the background: watch its test accuracy, its kernels and "
            "its answer for your drawing after every epoch, and stop it whenever you like."
        )
        a, b, c = st.columns(3)
        filters = a.select_slider(
            "Filters in conv 1 (conv 2 and 3 double them)",
            FILTER_CHOICES,
            model.config.channels[0],
            key=f"draw_{task}_filters",
            persist_state="session",
            bind="query-params",
        )
        epochs = b.slider(
            "Epochs",
            1,
            15,
            model.config.epochs,
            key=f"draw_{task}_epochs",
            persist_state="session",
            bind="query-params",
        )
        rate = c.select_slider(
            "Learning rate",
            RATES,
            model.config.learning_rate,
            key=f"draw_{task}_rate",
            persist_state="session",
            bind="query-params",
        )
        submitted = st.form_submit_button("Retrain", icon=":material/model_training:")
    if submitted:
        wanted = ((filters, 2 * filters, 4 * filters), int(epochs), float(rate))
        try:
            drawing_getters.get_custom_classifier(task, *wanted, submitted=True)
        except resources.CustomBusy as busy:
            lesson.friendly_error(str(busy))
        else:
            st.session_state[f"draw_custom_{task}"] = wanted
    custom = st.session_state.get(f"draw_custom_{task}")
    if not custom:
        return
    channels, n_epochs, learning_rate = custom
    try:
        job = drawing_getters.get_custom_classifier(task, channels, n_epochs, learning_rate)
    except resources.CustomBusy as busy:
        lesson.friendly_error(str(busy))
        return
    if job.running:
        resources.watch_panel(job, lambda view: watching_view(view, model, image))
        return
    if job.state == "failed":
        lesson.friendly_error(f"Your model could not be trained ({job.error}). Change a setting and retrain.")
        return
    if not job.done:
        st.info("You stopped your model before its first step, so there is nothing to show. Press **Retrain**.")
        return
    mine = job.value["cnn"]
    a, b, c = st.columns(3)
    a.metric("Your test accuracy", f"{mine.test_accuracy:.2%}")
    gap = 100 * (mine.test_accuracy - model.test_accuracy)
    a.caption("the same as the default" if abs(gap) < 0.005 else f"{gap:+.2f} points against the default")
    b.metric("Your parameters", f"{mine.num_parameters:,}")
    mine_probs = mine.predict_proba(image)
    c.metric("Your model's prediction", top_class(mine_probs) if mine_probs else "–")
    planned = n_epochs + mine.config.cooldown_epochs
    done = len(mine.history.loss)
    stopped = ""
    if job.state == "stopped":
        why = "at the time limit" if job.reason == "time" else "when you pressed Stop"
        stopped = f" It was stopped {why}, after {done} of its {planned} epochs, and kept as it was then."
    st.caption(
        f"Your model: {channels[0]} filters in conv 1, {n_epochs} epochs (+{mine.config.cooldown_epochs} at a "
        f"tenth of the rate), learning rate {learning_rate:g}; it trained for {mine.history.seconds:.1f} s.{stopped}"
    )
    left, right = st.columns([2, 1])
    if mine.history.val_accuracy:
        lesson.show_chart(
            "curves_chart", {"your test accuracy": mine.history.val_accuracy}, y_title="accuracy", height=160,
            where=left,
        )  # fmt: skip
    right.image(
        drawing_getters.get_kernel_picture(mine),
        caption=f"Your {channels[0]} conv 1 kernels (red +, blue −); compare the default's above",
        output_format="PNG",
    )


def watching_view(view, default: cnn.ImageClassifier, image: np.ndarray) -> None:
    """Your CNN as it is after its latest epoch: test accuracy so far, its answer for the drawing, its kernels."""
    mine = view.models.get("cnn")
    if mine is None or not view.epochs:
        st.caption("Its first epoch is on the way: the test accuracy, kernels and prediction appear after it.")
        return
    latest = view.epochs[-1]
    planned = mine.config.epochs + mine.config.cooldown_epochs
    a, b, c = st.columns(3)
    a.metric(f"Test accuracy after epoch {latest.epoch}", f"{latest.metrics['test accuracy']:.2%}")
    a.caption(f"epoch {latest.epoch} of {planned}; the default's: {default.test_accuracy:.2%}")
    probs = mine.predict_proba(image)
    b.metric("Its prediction for your drawing", top_class(probs) if probs else "–")
    if probs:
        b.caption(f"{probs[top_class(probs)]:.0%} sure, after epoch {latest.epoch}")
    accuracy = [p.metrics["test accuracy"] for p in view.epochs]
    lesson.show_chart("curves_chart", {"test accuracy": accuracy}, y_title="accuracy", height=140, where=c)
    st.image(
        drawing_getters.get_kernel_picture(mine),
        caption=f"Its {mine.config.channels[0]} conv 1 kernels after epoch {latest.epoch} (red +, blue −)",
        output_format="PNG",
    )
