"""Which four next-word models the page shows: the bundled ones, each as soon as it is ready, or four that a student
trains on their own text (the form, the live table while they learn, and the source switch)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import language_getters, lesson, resources
from models import language, long_dependency, next_word_lessons, vocabulary
from models.language import KINDS

DEFAULT_PROMPT = "This morning I took my dog for a"
LABELS = language_getters.LANGUAGE_LABELS
SHORT = {"window": "window: last 2 words", "bow": "bag of words", "rnn": "RNN", "lstm": "LSTM"}  # chart titles
FEW_WORDS = 300  # below this, a student's own text gets a warning that the models will mostly memorise it
MEMORY = {  # how far back each model can look, as the page states it
    "window": "the previous 2 words",
    "bow": "every word of the prompt, but not their order",
    "rnn": f"the last {language.MAX_PROMPT_TOKENS} tokens, squeezed into one state h_t",
    "lstm": f"the last {language.MAX_PROMPT_TOKENS} tokens, in h_t and a cell state c_t",
}


@dataclass(frozen=True)
class NextWordModels:
    """The job of this class is to hand a section the model it asks for: the student's own (all four ready) or
    the bundled default, whose getter draws a live training panel and raises ``ModelNotReady`` while it trains."""

    own: dict[str, language.LanguageModel] | None = None

    def get(self, kind: str) -> language.LanguageModel:
        """One model; raises ``resources.ModelNotReady`` (after drawing its panel) while it trains."""
        return self.own[kind] if self.own else language_getters.get_language_model(kind)

    def config(self, kind: str) -> language.LanguageConfig:
        """A model's settings, known before the model is ready."""
        return self.own[kind].config if self.own else language.default_config(kind)

    def all(self) -> dict[str, language.LanguageModel]:
        """All four models, for the sections that compare them (the first missing one shows its panel)."""
        return {kind: self.get(kind) for kind in KINDS}


def own_text_form() -> None:
    """The expander where a student pastes or uploads a text; a valid one is kept in the session."""
    with st.expander("Train the four models on your own text", icon=":material/upload_file:"):
        st.markdown(
            "Paste English text or upload a `.txt` file "
            f"(at most {language_getters.CUSTOM_TEXT_MAX_BYTES // 1000} kB). "
            "All four train on it one after another in the background (the panel estimates the time left): after "
            "every epoch you see each one's held-out perplexity and its next word for your prompt, and **Stop** "
            "keeps them as they are. The bundled models stay as they are. How far back each model can look: "
            + "; ".join(f"**{SHORT[k]}**: {v}" for k, v in MEMORY.items())
            + "."
        )
        if st.button("Use an example with a long-range pattern", key="next_word_example"):
            st.session_state["next_word_own_text"] = long_dependency.pattern_text()
        shortest, longest = long_dependency.pattern_distances()
        st.caption(
            'The example: *"Anna got a red bike for a birthday, and after …, the bike was still red."* The colour '
            f"is needed {shortest} to {longest} tokens after it is named, and the words just before it are the same "
            "for every colour: the window model cannot know it, the LSTM can remember it."
        )
        pasted = st.text_area("Your text", key="next_word_own_text", height=120, persist_state="session")
        upload = st.file_uploader("or upload a .txt file", type=["txt"], key="next_word_upload")
        if st.button("Train on this text", key="next_word_train_own", icon=":material/model_training:"):
            try:
                own = vocabulary.check_own_text(
                    pasted, None if upload is None else upload.getvalue(), language_getters.CUSTOM_TEXT_MAX_BYTES
                )
            except ValueError as exc:
                lesson.friendly_error(f"Cannot train on this text: {exc}.")
            else:
                try:
                    language_getters.get_custom_language_models(own, submitted=True)
                except resources.CustomBusy as busy:  # still training on an earlier text: that one goes on
                    lesson.friendly_error(str(busy))
                else:
                    st.session_state["next_word_custom_text"] = own
                    st.session_state["next_word_source"] = "Your text"
        custom_text = st.session_state.get("next_word_custom_text")
        if custom_text:
            words = vocabulary.count_words(custom_text)
            st.caption(f"Your text: {words:,} words.")
            if words < FEW_WORDS:
                st.warning(
                    f"Only {words} words: the models will learn little more than to repeat them. "
                    "A few thousand words of everyday prose work much better."
                )


def choose_models() -> tuple[NextWordModels, str | None]:
    """The four models the page shows (bundled, or trained on the student's text) and that text, if chosen.

    Nothing here waits for a bundled model: each section asks for the one it needs.
    """
    own_text_form()
    custom_text = st.session_state.get("next_word_custom_text")
    if custom_text:
        source = st.segmented_control(
            "Models trained on",
            ["Bundled corpus", "Your text"],
            key="next_word_source",
            default="Bundled corpus",
            persist_state="session",
            bind="query-params",
        )
        if source == "Your text":
            try:
                job = language_getters.get_custom_language_models(custom_text)
            except resources.CustomBusy as busy:
                lesson.friendly_error(str(busy))
                return NextWordModels(), None
            if job.running:
                resources.watch_panel(job, own_text_progress)
                st.caption("Until your models are ready, the page below shows the bundled ones.")
                return NextWordModels(), None
            if job.state == "failed":
                lesson.friendly_error(f"Cannot train on your text: {job.error.split(': ', 1)[-1]}.")
                return NextWordModels(), None
            if not job.done:
                st.info("You stopped training before it began. Press **Train on this text** to start again.")
                return NextWordModels(), None
            if job.state == "stopped":
                st.caption(stopped_sentence(job))
            return NextWordModels(job.value), custom_text
    return NextWordModels(), None


def own_text_progress(job) -> None:
    """The four models on the student's text as they learn: held-out perplexity per epoch, next word for the prompt."""
    prompt = st.session_state.get("next_word_prompt", DEFAULT_PROMPT)
    current = job.parts.index(job.part) if job.part else 0
    rows, curves = [], {}
    for i, kind in enumerate(job.parts):
        curves[SHORT[kind]] = [p.metrics["held-out perplexity"] for p in job.epochs if p.part == kind]
        state = "trained" if i < current else "training" if i == current and job.state == "training" else "waiting"
        rows.append(next_word_lessons.progress_row(LABELS[kind], state, job.models.get(kind), prompt))
    st.caption(f"Each model after its latest epoch, and its next word for your prompt *{prompt[-80:]}*:")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if any(not math.isnan(v) for c in curves.values() for v in c):
        lesson.show_chart("curves_chart", curves, y_title="held-out perplexity", log_y=True, height=180)


def stopped_sentence(job) -> str:
    """Which of the student's models stopped where, read from their histories."""
    why = "at the time limit" if job.reason == "time" else "when you pressed Stop"
    done = [f"the {LABELS[k]} model after {len(m.history.loss)} epoch{'s' if len(m.history.loss) != 1 else ''}"
            for k, m in job.value.items()]  # fmt: skip
    return f"Training was stopped {why}; the models are kept as they were then: " + ", ".join(done) + "."
