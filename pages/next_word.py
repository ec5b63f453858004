"""Next word: four sequence models answer the same prompt, then we look inside the RNN and the LSTM."""

import math
import random

import numpy as np
import pandas as pd
import streamlit as st

from components import language_getters, lesson, resources
from components.charts import DIVERGING, SEQUENTIAL
from components.diagrams import unrolled_graph_dot
from models import language, long_dependency, through_time, vocabulary
from models.training import History

DEFAULT_PROMPT = "This morning I took my dog for a"
BPTT_SENTENCE = (
    "This morning I took my dog for a walk in the park, and when we came home my little brother "
    "was still asleep in his bed"
)
LABELS = language_getters.LANGUAGE_LABELS
SHORT = {"window": "window: last 2 words", "bow": "bag of words", "rnn": "RNN", "lstm": "LSTM"}  # chart titles
GRAPH_STEPS = 6  # the unrolled graph shows the last steps only, so its words stay readable
SHOWN_UNITS = 24  # hidden units per heatmap (of 96), the busiest ones
TABLE_UNITS = 6  # units in the tables of numbers beside the equations
FEW_WORDS = 300  # below this, a student's own text gets a warning that the models will mostly memorise it
RECALL_DISTANCES = (4, 8, 12, 16, 20, 30, 40, 50, 60)
FAR = 12  # "long" distances on the recall task start here
EXPLODED_NORM = 100.0  # an unclipped run "explodes" on the page when its largest gradient norm reaches this ...
EXPLODED_RISE = 3.0  # ... and its loss climbs this far above its start
EXPLODING = through_time.ExplodingConfig()  # the settings of the exploding-gradient run, quoted on the page
MEMORY = {  # how far back each model can look, as the page states it
    "window": "the previous 2 words",
    "bow": "every word of the prompt, but not their order",
    "rnn": f"the last {language.MAX_PROMPT_TOKENS} tokens, squeezed into one state h_t",
    "lstm": f"the last {language.MAX_PROMPT_TOKENS} tokens, in h_t and a cell state c_t",
}


def intro() -> None:
    lesson.page_intro(
        "Next word: from a window to an LSTM",
        "Type a prompt and four models guess the next word: one sees only the previous two words, one sees every "
        "previous word but not their order, and two read the words in order, an RNN and an LSTM. "
        "Then open the RNN and the LSTM: their graph through time, their gradients, their gates and their memory.",
        slides=(
            "Sequence Matters",
            "Next Word Prediction",
            "RNN: Computational Graph across Time",
            "Backpropagation Through Time",
            "Exploding / Vanishing Gradients",
            "The Problem of Long-Term Dependencies",
            "LSTM",
            "RNN Applications & Limitations",
        ),
    )
    st.markdown(
        '**Why sequence matters.** *"The dog bit the man"* and *"the man bit the dog"* hold the same words; only '
        "their order tells them apart. A standard feed-forward network takes a fixed-size input, so for text it "
        "must either look at a fixed window of recent words or squash the whole history into an order-blind count "
        "vector."
    )


# --- which models: the bundled corpus, or the student's own text ----------------------------------------------
def own_text_form() -> None:
    """The expander where a student pastes or uploads a text; a valid one is kept in the session."""
    with st.expander("Train the four models on your own text", icon=":material/upload_file:"):
        st.markdown(
            "Paste English text or upload a `.txt` file "
            f"(at most {language_getters.CUSTOM_TEXT_MAX_BYTES // 1000} kB). "
            "All four models train on it one after another in the background (about half a minute in all): after "
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


def choose_models() -> tuple[dict[str, language.LanguageModel], str | None]:
    """The four models the page shows (bundled, or trained on the student's text) and that text, if chosen."""
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
                return language_getters.get_language_models(), None
            if job.running:
                resources.watch_panel(job, own_text_progress)
                st.caption("Until your models are ready, the page below shows the bundled ones.")
                return language_getters.get_language_models(), None
            if job.state == "failed":
                lesson.friendly_error(f"Cannot train on your text: {job.error.split(': ', 1)[-1]}.")
                return language_getters.get_language_models(), None
            if not job.done:
                st.info("You stopped training before it began. Press **Train on this text** to start again.")
                return language_getters.get_language_models(), None
            if job.state == "stopped":
                st.caption(stopped_sentence(job))
            return job.value, custom_text
    return language_getters.get_language_models(), None


def own_text_progress(job) -> None:
    """The four models on the student's text as they learn: held-out perplexity per epoch, next word for the prompt."""
    prompt = st.session_state.get("next_word_prompt", DEFAULT_PROMPT)
    current = job.parts.index(job.part) if job.part else 0
    rows, curves = [], {}
    for i, kind in enumerate(job.parts):
        points = [p for p in job.epochs if p.part == kind]
        curves[SHORT[kind]] = [p.metrics["held-out perplexity"] for p in points]
        state = "trained" if i < current else "training" if i == current and job.state == "training" else "waiting"
        model = job.models.get(kind)
        top = model.predict_next(prompt, 1) if model is not None else []
        ppl = model.heldout_perplexity if model is not None else math.nan
        rows.append(
            {
                "model": LABELS[kind],
                "state": state,
                "epochs done": len(model.history.loss) if model is not None else 0,
                "held-out perplexity": None if math.isnan(ppl) else round(ppl, 1),
                "next word": f"{top[0][0]} ({top[0][1]:.0%})" if top else "–",
            }
        )
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


def prompt_input(models: dict) -> str:
    prompt = st.text_input(
        "Prompt",
        value=DEFAULT_PROMPT,
        key="next_word_prompt",
        max_chars=10_000,
        persist_state="session",
        bind="query-params",
    )
    n_tokens = len(vocabulary.tokenize(prompt))
    if n_tokens > language.MAX_PROMPT_TOKENS:
        st.caption(
            f"A long prompt ({n_tokens} tokens): the RNN and the LSTM read only its last "
            f"{language.MAX_PROMPT_TOKENS} tokens, the window model its last 2; the bag of words counts them all."
        )
    return prompt


# --- sections (one per tab) ------------------------------------------------------------------------------------
def predict(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Predict the next word",
        "The five most likely next words of each model, most likely first. `<unk>` (every rare word at once) and "
        "`<s>` (a sentence start) are not words, so they are never offered: their share is spread over the rest.",
    )
    predictions = language_getters.get_next_word_predictions(models, prompt, 5)
    for column, (kind, top) in zip(st.columns(4), predictions.items(), strict=True):
        lesson.show_chart("probability_chart", top, title=SHORT[kind], width=190, step=26, where=column)
    vocab = models["lstm"].vocab
    unknown, n_words = vocabulary.unknown_words(vocab, prompt)
    st.caption(
        f"Vocabulary: {len(vocab):,} entries (the words seen at least twice in training, plus `<s>` and `<unk>`). "
        + (
            f"{len(unknown)} of the prompt's {n_words} words are outside it and are read as `<unk>`: "
            + ", ".join(f"*{w}*" for w in unknown[:8])
            + ("…" if len(unknown) > 8 else "")
            + "."
            if unknown
            else f"Every one of the prompt's {n_words} words is in it."
        )
    )
    if own_text:
        recall = language_getters.get_pattern_recall(models, own_text)
        if recall is not None:
            st.info(
                "Your text's long-range pattern, on its held-out sentences: the right colour after *was still* is "
                "the top guess of "
                + ", ".join(f"the {SHORT[k]} {v:.0%}" for k, v in recall.items())
                + f" of the time (guessing a colour: {long_dependency.chance_level():.0%})."
            )
    st.subheader("Continue the prompt")
    left, right = st.columns(2)
    n_words = left.slider("Words to add", 1, 30, 12, key="next_word_n", persist_state="session", bind="query-params")
    temperature = right.slider(
        "Temperature (0 = always the most likely word)",
        0.0,
        1.5,
        0.0,
        0.1,
        key="next_word_temperature",
        persist_state="session",
        bind="query-params",
    )
    rows = [
        {
            "model": LABELS[kind],
            "continuation": language_getters.get_continuation(model, prompt, n_words, temperature, 0),
        }
        for kind, model in models.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    lesson.what_to_notice(
        [
            'The window model only knows the last two words: "for a" looks the same after *dog* as after *week*.',
            "The bag of words knows which words came before but not in what order.",
            "The RNN and LSTM read the words in order and carry a state from word to word.",
            "Temperature 0 always takes the most likely word, so a prompt always gets the same continuation; above 0 "
            "each word is drawn from softmax(logits / T), which a higher T makes flatter.",
        ]
    )


def bag_of_words(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Bag of words: every previous word, no order",
        "The bow model sees the whole prompt as a count vector over the vocabulary, like the slide's "
        "`[0 1 0 0 1 …]`: one slot per vocabulary word, holding how often that word occurred.",
    )
    bow = models["bow"]
    counts = bow.count_vector(prompt)
    present = np.flatnonzero(counts)
    shown = sorted({*range(2, 12), *present.tolist()})[:40]  # some empty slots, then the prompt's words
    lesson.show_chart(
        "heatmap_chart",
        counts[shown][None, :],
        annotate=True,
        fmt="d",
        col_labels=[bow.vocab.itos[i] for i in shown],
        row_labels=["count"],
        legend=False,
        cell=46,
        title=f"Count vector (showing {len(shown)} of {len(counts):,} slots)",
        width="content",
    )
    preview = " ".join(str(int(counts[i])) for i in range(2, 20))
    st.markdown(f"As a vector: `[{preview} … ]`, {int(counts.sum())} words counted in all.")
    if st.button("Shuffle the prompt", key="next_word_shuffle", icon=":material/shuffle:"):
        st.session_state["next_word_shuffle_seed"] = st.session_state.get("next_word_shuffle_seed", 0) + 1
    mixed_prompt = vocabulary.shuffle_words(prompt, st.session_state.get("next_word_shuffle_seed", 0))
    st.markdown(f"**Shuffled prompt:** {mixed_prompt}")
    original = language_getters.get_next_word_predictions(models, prompt, 5)
    mixed = language_getters.get_next_word_predictions(models, mixed_prompt, 5)
    panels = [
        (original, "bow", "bow: as typed"),
        (mixed, "bow", "bow: shuffled"),
        (original, "lstm", "LSTM: as typed"),
        (mixed, "lstm", "LSTM: shuffled"),
    ]
    for column, (preds, kind, title) in zip(st.columns(4), panels, strict=True):
        lesson.show_chart("probability_chart", preds[kind], title=title, width=170, step=26, where=column)
    same_bow = original["bow"] == mixed["bow"]
    lstm_changed = original["lstm"][0][0] != mixed["lstm"][0][0]
    st.caption(
        (
            "The bag-of-words answer is identical for the shuffled prompt. "
            if same_bow
            else "The bag-of-words answer changed for the shuffled prompt. "
        )
        + (
            f"The LSTM's top guess changed from *{original['lstm'][0][0]}* to *{mixed['lstm'][0][0]}*."
            if lstm_changed
            else f"The LSTM's top guess stayed *{original['lstm'][0][0]}*, with other probabilities."
        )
    )
    lesson.what_to_notice(
        [
            "Shuffling changes nothing in the count vector, so it cannot change the bag of words' answer, however "
            "long the prompt.",
            "The LSTM reads the words in order, so for it the order is information"
            + (": here its top guess changed." if lstm_changed else "; here only its probabilities moved."),
        ]
    )


def unrolled_graph(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "The RNN unrolled across time",
        "The same cell is applied at every step: it reads word x_t and the previous state h_{t−1}, writes a new "
        "state h_t, and outputs a guess ŷ_t for the next word. The red arrows are the same weights W_hh reused at "
        "every step.",
    )
    rnn = models["rnn"]
    unrolled = language_getters.get_unrolled_rnn(rnn, prompt)
    tokens = unrolled["tokens"][-GRAPH_STEPS:]
    st.graphviz_chart(unrolled_graph_dot(tokens, unrolled["predictions"][-GRAPH_STEPS:]), width="content")
    if len(unrolled["tokens"]) > GRAPH_STEPS:
        st.caption(f"Showing the last {GRAPH_STEPS} of {len(unrolled['tokens'])} steps.")
    st.markdown("**The two equations, with this prompt's numbers at the last step**")
    st.latex(r"h_t = \tanh(W_{hh}\,h_{t-1} + W_{xh}\,x_t + b) \qquad \hat y_t = \mathrm{softmax}(W_{hy}\,h_t + b_y)")
    step = language_getters.get_rnn_step(rnn, prompt)
    h, e = rnn.config.hidden_size, rnn.config.embedding_dim
    table = pd.DataFrame(
        {"h_{t−1}": step.previous, "W_hh h_{t−1}": step.recurrent, "W_xh x_t + b": step.input, "h_t": step.hidden}
    ).head(TABLE_UNITS)
    table.index.name = "unit"
    st.dataframe(table.style.format("{:.2f}"), width="content")
    st.caption(
        f"x_t is the embedding of *{step.token}* ({e} numbers); W_hh is {h}×{h}, W_xh {h}×{e}, W_hy "
        f"{len(rnn.vocab):,}×{h}. The first {TABLE_UNITS} of {h} units: h_t = tanh of the sum of the two middle "
        "columns. ŷ_t's top words: " + ", ".join(f"*{w}* {p:.0%}" for w, p in step.top) + "."
    )
    st.markdown(f"**Hidden state h_t after each word** ({SHOWN_UNITS} of {unrolled['states'].shape[1]} units)")
    lesson.show_chart(
        "units_by_tokens_chart",
        unrolled["states"][-GRAPH_STEPS:, :SHOWN_UNITS],
        tokens,
        domain=(-1.0, 1.0),
        scheme=DIVERGING,
        col_width=60,
        width="content",
    )
    lesson.what_to_notice(
        [
            "One set of weights, many steps: the graph is as long as the sentence, the model is not.",
            "h_t is the only thing passed forward: everything the RNN remembers must fit in these numbers.",
        ]
    )


def through_time_section(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Backpropagation through time",
        "The loss of the last word flows back through every earlier state. ‖∂L/∂h_t‖ shows how much each step "
        "still receives: in a vanilla RNN each step back multiplies by W_hh (and tanh'), so the gradient shrinks "
        "or grows geometrically.",
    )
    bptt_text = st.text_input(
        "Sentence (the loss is the last word's)",
        BPTT_SENTENCE,
        key="next_word_bptt_text",
        persist_state="session",
        bind="query-params",
    )
    radius = st.slider(
        "Spectral radius of the RNN's W_hh (largest |eigenvalue|)",
        0.25,
        3.0,
        1.0,
        0.25,
        key="next_word_radius",
        persist_state="session",
        bind="query-params",
    )
    try:
        grads = language_getters.get_gradient_norms(models, bptt_text, radius)
    except ValueError as exc:
        lesson.friendly_error(f"Cannot follow the gradient: {exc}.")
        return
    series = {
        f"W_hh alone, radius {radius:g}": grads["rnn_linear"],
        f"RNN, radius {radius:g}": grads["rnn"],
        "RNN as trained": grads["rnn_trained"],
        "LSTM as trained": grads["lstm"],
    }
    left, right = st.columns(2)
    left.markdown("**Next-word models, on this sentence**")
    lesson.show_chart(
        "curves_chart",
        {k: np.maximum(v, 1e-30) for k, v in series.items()},
        x_title="step t (the loss is at the last step)",
        y_title="‖∂L/∂h_t‖ (log scale)",
        log_y=True,
        where=left,
    )
    ratio = {name: through_time.first_to_last(v) for name, v in series.items()}
    steps = len(grads["tokens"])
    rnn_r, lstm_r = ratio["RNN as trained"], ratio["LSTM as trained"]
    left.caption(
        f"Over {steps} steps, ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ is {ratio[f'W_hh alone, radius {radius:g}']:.2g} through W_hh "
        f"alone at radius {radius:g}, {ratio[f'RNN, radius {radius:g}']:.2g} in the real RNN at that radius, "
        f"{rnn_r:.2g} in the RNN as trained and {lstm_r:.2g} in the LSTM."
    )
    recall_models = language_getters.get_recall_models()
    far = max(RECALL_DISTANCES)
    recall = language_getters.get_recall_gradients(recall_models, far)
    right.markdown(f"**Recall task: the colour {far} tokens back**")
    lesson.show_chart(
        "curves_chart",
        {
            "RNN: ‖∂L/∂h_t‖": np.maximum(recall["rnn"].hidden, 1e-30),
            "LSTM: ‖∂L/∂c_t‖": np.maximum(recall["lstm"].cell, 1e-30),
            "LSTM: ‖∂L/∂h_t‖": np.maximum(recall["lstm"].hidden, 1e-30),
        },
        x_title="step after the colour (the loss is at the last)",
        y_title="gradient norm (log scale)",
        log_y=True,
        x_start=0,
        where=right,
    )
    rnn_recall, lstm_cell = recall["rnn"].ratio(), recall["lstm"].ratio(along="cell")
    kept = recall["lstm"].kept_by_forget_gates()
    right.caption(
        f"From the answer back to the colour, {far} steps: the RNN's ‖∂L/∂h_colour‖ / ‖∂L/∂h_T‖ is "
        f"{rnn_recall:.2g}; the LSTM's ‖∂L/∂c_colour‖ / ‖∂L/∂c_T‖ is {lstm_cell:.2g}. On the LSTM unit that keeps "
        f"its memory best, the {far} forget gates multiply to {kept:.2f}: along the cell state that is all the "
        "gradient is multiplied by."
    )
    rnn_vanishes = ratio[f"RNN, radius {radius:g}"] < 1
    lesson.what_to_notice(
        [
            "W_hh alone (the slide's picture): below radius 1 the gradient shrinks geometrically going back "
            "(vanishing), above 1 it grows (exploding).",
            f"The real RNN also multiplies by tanh' ≤ 1 at every step; at radius {radius:g} its gradient "
            + (
                "still vanishes going back (its units saturate): exploding gradients show up in training instead "
                "(next tab)."
                if rnn_vanishes
                else "grows going back."
            ),
            f"On next-word prediction both lines fall (RNN {rnn_r:.2g}, LSTM {lstm_r:.2g}): the next word depends "
            "mostly on the last few words, so both networks learn to let old information fade. On the recall task, "
            f"where the answer is {far} tokens back, the LSTM keeps its forget gates open and its cell-state "
            f"gradient ({lstm_cell:.2g}) stays "
            + (
                f"{lstm_cell / max(rnn_recall, 1e-300):.0e} times the RNN's ({rnn_recall:.2g})."
                if lstm_cell > rnn_recall
                else f"no larger than the RNN's ({rnn_recall:.2g})."
            ),
        ]
    )


def exploding(models: dict, prompt: str, own_text: str | None) -> None:
    lr = EXPLODING.learning_rate
    free_history = History.from_dict(language_getters.get_exploding_run(None))
    free = through_time.summarise_run(free_history, lr, None)
    lesson.section(
        "Exploding gradients and gradient clipping",
        f"A vanilla RNN starts with large recurrent weights (spectral radius {EXPLODING.weight_scale:g}) and is "
        f"trained for {len(free_history.step_loss)} steps with plain SGD at learning rate {lr:g}, once without "
        "clipping and once with it. Clipping rescales any gradient whose norm exceeds the threshold down to the "
        "threshold; SGD then steps by learning rate × the clipped gradient, so no step is longer than "
        "learning rate × threshold.",
    )
    threshold = st.select_slider(
        "Clipping threshold",
        options=list(through_time.CLIP_THRESHOLDS),
        value=0.25,
        key="next_word_clip",
        persist_state="session",
        bind="query-params",
    )
    clipped_history = History.from_dict(language_getters.get_exploding_run(float(threshold)))
    clipped = through_time.summarise_run(clipped_history, lr, float(threshold))
    left, right = st.columns(2)
    left.markdown("**Loss per step**")
    lesson.show_chart(
        "curves_chart",
        {"no clipping": free_history.step_loss, f"clipped at {threshold:g}": clipped_history.step_loss},
        x_title="step",
        y_title="training loss",
        where=left,
    )
    right.markdown("**Gradient norm per step**")
    lesson.show_chart(
        "curves_chart",
        {
            "no clipping": free_history.grad_norm,
            "clipped, before clipping": clipped_history.grad_norm,
            "clipped, as used": np.minimum(clipped_history.grad_norm, threshold),
        },
        x_title="step",
        y_title="gradient norm (log scale)",
        log_y=True,
        where=right,
    )
    st.caption(
        f"Without clipping: largest gradient norm {free.largest_norm:,.1f}, largest step {free.largest_step:,.1f}, "
        f"loss from {free.start_loss:.2f} up to {free.highest_loss:.1f}, {free.final_loss:.2f} over the last 20 "
        f"steps. Clipped at {threshold:g}: largest step {clipped.largest_step:.2g} (= {lr:g} × {threshold:g}), "
        f"highest loss {clipped.highest_loss:.2f}, last 20 steps {clipped.final_loss:.2f}."
    )
    spread = language_getters.get_exploding_spread()
    norms = [run.largest_norm for run in spread]
    rises = [run.highest_loss - run.start_loss for run in spread]
    st.caption(
        f"How far it explodes depends on the random start: over seeds 0–{len(norms) - 1} the unclipped run's "
        f"largest gradient norm was {min(norms):,.1f} to {max(norms):,.0f} and its loss rose by {min(rises):.1f} to "
        f"{max(rises):.1f} (measured just now, on this machine). The charts show seed 0."
    )
    stays_below = clipped.steps_above_start == 0
    exploded = free.largest_norm >= EXPLODED_NORM and free.highest_loss - free.start_loss >= EXPLODED_RISE
    lesson.what_to_notice(
        [
            (
                f"Without clipping a huge gradient (norm {free.largest_norm:,.0f}) throws the weights far: the loss "
                f"jumps from {free.start_loss:.1f} to {free.highest_loss:.1f}"
                if exploded
                else f"Without clipping this run's largest gradient norm is {free.largest_norm:,.1f} and its loss "
                f"goes from {free.start_loss:.1f} up to {free.highest_loss:.1f} at most"
            )
            + (f" and is still {free.final_loss:.2f} at the end." if free.final_loss > clipped.final_loss else "."),
            f"Clipped at {threshold:g}, every step is at most {lr:g} × {threshold:g} = {lr * threshold:.2g} long. "
            + (
                f"Here the loss never climbs above where it started ({clipped.start_loss:.2f}) and ends at "
                f"{clipped.final_loss:.2f}."
                if stays_below
                else f"Even so the loss climbs above its start in {clipped.steps_above_start} steps: clipping "
                "bounds the step, it does not promise a falling loss."
            ),
            "Clipping fixes exploding gradients only; it can scale a gradient down, never up, so a vanished "
            "gradient stays tiny.",
        ]
    )


def lstm_gates(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "LSTM gates, word by word",
        "Each gate is a sigmoid layer (values between 0 and 1) that multiplies, point by point, what flows "
        f"through. Rows are the {SHOWN_UNITS} most active of the LSTM's units, columns are the words read.",
    )
    st.latex(
        r"\begin{aligned}"
        r"f_t &= \sigma(W_f\,[h_{t-1}, x_t] + b_f) & i_t &= \sigma(W_i\,[h_{t-1}, x_t] + b_i) \\"
        r"g_t &= \tanh(W_g\,[h_{t-1}, x_t] + b_g) & o_t &= \sigma(W_o\,[h_{t-1}, x_t] + b_o) \\"
        r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t & h_t &= o_t \odot \tanh(c_t)"
        r"\end{aligned}"
    )
    trace = language_getters.get_gate_trace(models["lstm"], prompt)
    units = trace.busiest_units(SHOWN_UNITS)
    panels = [
        ("1. Forget irrelevant information: forget gate f_t", trace.forget, (0.0, 1.0), SEQUENTIAL),
        ("2. Add new information: input gate i_t", trace.input, (0.0, 1.0), SEQUENTIAL),
        ("2. Add new information: candidate g_t", trace.candidate, (-1.0, 1.0), DIVERGING),
        ("3. Update cell state: c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t", trace.cell, None, DIVERGING),
        ("4. Output filtered version of cell state: output gate o_t", trace.output, (0.0, 1.0), SEQUENTIAL),
    ]
    columns = st.columns(2)
    for i, (title, values, domain, scheme) in enumerate(panels):
        shown = values[:, units]
        if domain is None:
            bound = float(np.abs(shown).max()) or 1.0
            domain = (-bound, bound)
        columns[i % 2].markdown(f"**{title}**")
        lesson.show_chart(
            "units_by_tokens_chart",
            shown,
            trace.tokens,
            domain=domain,
            scheme=scheme,
            where=columns[i % 2],
            width="content",
        )
    with columns[1]:
        st.markdown(f"**The equations' numbers at the last word, *{trace.tokens[-1]}*** (first {TABLE_UNITS} units)")
        table = pd.DataFrame(trace.step_table(units[:TABLE_UNITS])).set_index("unit")
        st.dataframe(table.style.format("{:.2f}"), width="stretch")
    lesson.what_to_notice(
        [
            "A forget value near 1 keeps that unit's cell state; near 0 wipes it.",
            "The cell state changes by addition (f ⊙ c + i ⊙ g): along it, a gradient is multiplied only by the "
            "forget gates (the Through time tab measures how much survives).",
            "h_t = o_t ⊙ tanh(c_t): the output gate decides how much of the memory the next layer sees.",
        ]
    )


def long_term_memory(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "The problem of long-term dependencies",
        'A synthetic task: *"i painted the fence red , …filler words… , still"* → **red**. Only a word many steps '
        "back decides the answer. An RNN and an LSTM of the same size train on the same sentences (short gaps "
        "first, then longer), then are tested on fresh sentences at each distance.",
    )
    example, answer = long_dependency.recall_sentence(14, random.Random(3))
    st.markdown(f"Example (distance 14): `{' '.join(example[1:])}` → **{answer}**")
    recall_models = language_getters.get_recall_models()
    accuracy = language_getters.get_recall_accuracy(recall_models, RECALL_DISTANCES)
    lesson.show_chart(
        "recall_chart",
        {LABELS[k]: v for k, v in accuracy.items()},
        chance=long_dependency.chance_level(),
        title="Recall accuracy (dashed: guessing a colour at random)",
    )
    far = [d for d in RECALL_DISTANCES if d >= FAR]
    rnn_far = float(np.mean([accuracy["rnn"][d] for d in far]))
    lstm_far = float(np.mean([accuracy["lstm"][d] for d in far]))
    longest = max(RECALL_DISTANCES)
    if lstm_far - rnn_far >= 0.2:
        st.success(
            f"At distances of {FAR} or more, the LSTM recalls {lstm_far:.0%} of colours and the RNN {rnn_far:.0%}: "
            f"the LSTM clearly wins ({accuracy['lstm'][longest]:.0%} against {accuracy['rnn'][longest]:.0%} at "
            f"distance {longest})."
        )
    else:
        st.info(
            f"At distances of {FAR} or more: LSTM {lstm_far:.0%}, RNN {rnn_far:.0%}. In this run the LSTM does not "
            "clearly win."
        )
    grads = language_getters.get_recall_gradients(recall_models, longest)
    lesson.what_to_notice(
        [
            f"The RNN's gradient from the answer back to the colour vanishes over the gap: after {longest} steps it "
            f"is {grads['rnn'].ratio():.2g} of what the last step receives, so the RNN barely learns to keep the "
            "colour.",
            "The LSTM holds the colour in its cell state by keeping forget gates near 1: on its best unit the "
            f"{longest} forget gates multiply to {grads['lstm'].kept_by_forget_gates():.2f}.",
        ]
    )


def compare(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Compare the four models",
        "Perplexity is exp(average loss) on text the model never trained on (every 10th paragraph): roughly, how "
        "many words it is hesitating between. Lower is better.",
    )
    rows = [
        {
            "model": LABELS[kind],
            "held-out perplexity": None if math.isnan(m.heldout_perplexity) else round(m.heldout_perplexity, 1),
            "reads": MEMORY[kind],
            "vocabulary": len(m.vocab),
            "parameters": m.num_parameters,
            "epochs": len(m.history.loss),
            "training time (s)": round(m.history.seconds, 1),
        }
        for kind, m in models.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    unk = language_getters.get_heldout_unknown_share(models["lstm"], own_text)
    seq_len = models["lstm"].config.seq_len
    st.caption(
        "Which tokens count: every token of the held-out text is scored (words, punctuation and `<unk>`) except "
        f"`<s>`, which a full stop already implies. {unk:.1%} of the held-out tokens are `<unk>` (words outside the "
        f"vocabulary): predicting `<unk>` there counts as right, which flatters every model a little. The text is "
        f"read in pieces of {seq_len} tokens, each starting from an empty memory."
    )
    curves = {LABELS[k]: np.exp(m.history.val_loss) for k, m in models.items() if m.history.val_loss}
    left, right = st.columns(2)
    if curves:
        lesson.show_chart(
            "curves_chart", curves, y_title="held-out perplexity", title="Held-out perplexity per epoch", where=left
        )
    else:
        left.info("Your text has fewer than 10 paragraphs, so no part of it was held out for perplexity.")
    lesson.show_chart(
        "curves_chart",
        {LABELS[k]: m.history.loss for k, m in models.items()},
        y_title="training loss",
        title="Training loss per epoch",
        where=right,
    )
    ppl = {k: m.heldout_perplexity for k, m in models.items() if not math.isnan(m.heldout_perplexity)}
    if len(ppl) == len(models):
        ranked = sorted(ppl, key=ppl.get)
        lesson.what_to_notice(
            [
                "Best to worst: " + ", ".join(f"{SHORT[k]} {ppl[k]:.1f}" for k in ranked) + ".",
                (
                    "Order-blind counts (bag of words) do worst: knowing which words came before, without their "
                    "order, is far behind even two words in order."
                    if ranked[-1] == "bow"
                    else f"The {SHORT[ranked[-1]]} does worst here."
                ),
                f"Two words of context already reach {ppl['window']:.1f}; the LSTM, reading up to {seq_len} tokens, "
                + (
                    f"gets {ppl['lstm']:.1f}."
                    if ppl["lstm"] < ppl["window"]
                    else f"does no better ({ppl['lstm']:.1f})."
                ),
            ]
        )


def word_embeddings(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "Word embeddings through PCA",
        "Every model but the bag of words starts by turning each word into a vector of "
        f"{models['lstm'].config.embedding_dim} numbers, its embedding, learned while predicting the next word. "
        "PCA (the Dimensionality page's own `fit_pca`) projects these vectors to two dimensions so we can look.",
    )
    left, middle, right = st.columns(3)
    kind = left.radio(
        "Model",
        ["lstm", "window", "rnn"],
        format_func=SHORT.get,
        key="next_word_embed_model",
        horizontal=True,
        persist_state="session",
        bind="query-params",
    )
    view_name = middle.radio(
        "Vectors",
        ["what training added", "as trained"],
        key="next_word_embed_view",
        horizontal=True,
        persist_state="session",
        bind="query-params",
    )
    n_words = right.slider(
        "Most frequent words shown",
        50,
        600,
        250,
        50,
        key="next_word_embed_n",
        persist_state="session",
        bind="query-params",
    )
    model = models[kind]
    view = language_getters.get_embedding_view(model, view_name == "what training added")
    start = language_getters.get_start_similarity(model)
    word = (
        st.text_input(
            "Find a word",
            "monday",
            key="next_word_embed_word",
            max_chars=40,
            persist_state="session",
            bind="query-params",
        )
        .strip()
        .lower()
    )
    focus: list[str] = []
    neighbours: list[tuple[str, float]] = []
    if word:
        if word in view.words:
            neighbours = view.neighbours(word, 8)
            focus = [word, *(w for w, _ in neighbours)]
        else:
            lesson.friendly_error(f"*{word}* is not in this model's vocabulary of {len(view.words):,} words.")
    chart_col, table_col = st.columns([3, 2])
    lesson.show_chart("embedding_scatter_chart", view.points(n_words, focus=focus), where=chart_col, width="content")
    chart_col.caption(
        f"The two components keep {view.variance_kept:.0%} of the variance of the {len(view.words):,} vectors: "
        "words close on the map may still be far apart in the full space, so neighbours are measured there."
    )
    if neighbours:
        table_col.markdown(f"**Nearest neighbours of *{word}*** (cosine similarity, full space)")
        table_col.dataframe(
            pd.DataFrame(neighbours, columns=["word", "cosine"]).style.format({"cosine": "{:.2f}"}),
            hide_index=True,
            width="stretch",
        )
    groups = view.group_similarity()
    baseline = view.random_pair_similarity()
    table_col.markdown("**How close each named group sits** (average cosine between its words)")
    table_col.dataframe(
        pd.DataFrame([*groups.items(), ("two random words", baseline)], columns=["group", "cosine"]).style.format(
            {"cosine": "{:.2f}"}
        ),
        hide_index=True,
        width="stretch",
    )
    together = [name for name, sim in groups.items() if sim >= baseline + 0.1]
    apart = [name for name in groups if name not in together]
    lesson.what_to_notice(
        [
            f"Each word starts as a random vector, and training moves it only a little: for the {SHORT[kind]} the "
            f"trained vectors have cosine {start:.2f} with their start on average. That is why the *as trained* "
            "map looks like noise and *what training added* (trained minus start) is the view to read.",
            (
                f"Words used alike land together: in this view {', '.join(together)} sit closer to each other than two "
                f"random words ({baseline:.2f})."
                if together
                else f"In this view no named group sits clearly closer than two random words ({baseline:.2f})."
            )
            + (f" Not so for {', '.join(apart)}." if together and apart else ""),
        ]
    )


def limitations(models: dict, prompt: str, own_text: str | None) -> None:
    lesson.section("Where RNNs struggle", "RNNs power speech recognition, translation and text generation, but:")
    st.markdown(
        "- **A fixed-size state is a bottleneck.** Everything read so far must fit in one vector h_t, however long "
        "the text.\n"
        "- **No parallelism across time.** h_t needs h_{t−1}, so a sentence is processed one word after another, "
        "both in training and in use.\n"
        "- **Long memory is hard.** Gradients vanish (or explode) over many steps; LSTM gates help but do not remove "
        "the limit (and these models never look further back than the 64 tokens they trained on). Attention and "
        "transformers, which look at every word directly, are the usual answer."
    )
    lesson.concept_check(
        "next_word_check_bow",
        "Will the bag-of-words model change its answer if I reorder the words of the prompt?",
        ["Yes", "No", "Only for long prompts"],
        "No",
        "It counts every word of the prompt, however long, and the count vector is the same for any order.",
    )
    lesson.concept_check(
        "next_word_check_clip",
        "Gradient clipping is a fix for which problem?",
        ["Vanishing gradients", "Exploding gradients", "Both"],
        "Exploding gradients",
        "Clipping can only scale a large gradient down; a gradient that has vanished stays tiny.",
    )
    lesson.concept_check(
        "next_word_check_forget",
        "An LSTM unit's forget gate stays at 1 and its input gate at 0 for ten words. What happens to its cell state?",
        ["It is kept unchanged", "It decays to 0", "It is overwritten"],
        "It is kept unchanged",
        "c_t = 1 ⊙ c_{t−1} + 0 ⊙ g_t = c_{t−1}: the memory passes through untouched, and so does its gradient.",
    )


SECTIONS = {  # tab name -> section
    "Predict": predict,
    "Bag of words": bag_of_words,
    "Unrolled graph": unrolled_graph,
    "Through time": through_time_section,
    "Exploding gradients": exploding,
    "LSTM gates": lstm_gates,
    "Long-term memory": long_term_memory,
    "Compare": compare,
    "Word embeddings": word_embeddings,
    "Limitations": limitations,
}


intro()
models, own_text = choose_models()
prompt = prompt_input(models)
lesson.tabbed_sections(SECTIONS, models, prompt, own_text, key="next_word_tab")  # only the open tab runs
