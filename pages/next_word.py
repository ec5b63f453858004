"""Next word: four sequence models answer the same prompt, then we look inside the RNN and the LSTM."""

import hashlib
import math
import random

import numpy as np
import pandas as pd
import streamlit as st

from components import charts, lesson, resources
from models import language, long_dependency
from models.training import History

DEFAULT_PROMPT = "This morning I took my dog for a"
BPTT_SENTENCE = (
    "This morning I took my dog for a walk in the park, and when we came home my little brother "
    "was still asleep in his bed"
)
LABELS = resources.LANGUAGE_LABELS
GRAPH_STEPS = 10  # the unrolled graph shows the last steps only, so it stays readable
SHOWN_UNITS = 24  # hidden units per heatmap (of 96), the busiest ones
FEW_WORDS = 300  # below this, a student's own text gets a warning that the models will mostly memorise it
RECALL_DISTANCES = (4, 8, 12, 16, 20, 30, 40, 50, 60)
EXPLODING = language.ExplodingConfig()  # the settings of the exploding-gradient run, quoted on the page


def show_chart(builder: str, *args, display: str = "content", **kwargs) -> None:
    """Draw ``charts.<builder>(...)``, built once per input through the cache layer; ``display`` is its width."""
    st.vega_lite_chart(resources.get_chart_spec(builder, *args, **kwargs), width=display)


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
    "their order tells them apart. A standard feed-forward network takes a fixed-size input, so for text it must "
    "either look at a fixed window of recent words or squash the whole history into an order-blind count vector."
)

# --- which models: the bundled corpus, or the student's own text --------------------------------------------
corpus_text, _ = resources.get_corpus()
with st.expander("Train the four models on your own text", icon=":material/upload_file:"):
    st.markdown(
        f"Paste English text or upload a `.txt` file (at most {resources.CUSTOM_TEXT_MAX_BYTES // 1000} kB). "
        "All four models train on it with progress bars; the bundled models stay as they are."
    )
    pasted = st.text_area("Your text", key="next_word_own_text", height=120)
    upload = st.file_uploader("or upload a .txt file", type=["txt"], key="next_word_upload")
    if st.button("Train on this text", key="next_word_train_own", icon=":material/model_training:"):
        try:
            if upload is not None:
                own = language.decode_text(upload.getvalue(), resources.CUSTOM_TEXT_MAX_BYTES)
            elif not pasted.strip():
                raise ValueError("there is no text yet: paste some sentences or upload a .txt file")
            elif len(pasted.encode()) > resources.CUSTOM_TEXT_MAX_BYTES:
                raise ValueError(
                    f"the text is {len(pasted.encode()) / 1000:.0f} kB; "
                    f"the limit is {resources.CUSTOM_TEXT_MAX_BYTES // 1000} kB"
                )
            else:
                own = pasted
            if not any(tok[0].isalnum() for tok in language.tokenize(own)):
                raise ValueError("the text has no words the models can read")
            st.session_state["next_word_custom_text"] = own
            st.session_state["next_word_source"] = "Your text"
        except ValueError as exc:
            lesson.friendly_error(f"Cannot train on this text: {exc}.")
    custom_text = st.session_state.get("next_word_custom_text")
    if custom_text:
        words = len([t for t in language.tokenize(custom_text) if t[0].isalnum()])
        st.caption(f"Your text: {words:,} words.")
        if words < FEW_WORDS:
            st.warning(
                f"Only {words} words: the models will learn little more than to repeat them. "
                "A few thousand words of everyday prose work much better."
            )

custom_text = st.session_state.get("next_word_custom_text")
source = "Bundled corpus"
if custom_text:
    source = (
        st.segmented_control(
            "Models trained on", ["Bundled corpus", "Your text"], key="next_word_source", default="Bundled corpus"
        )
        or "Bundled corpus"
    )
if source == "Your text" and custom_text:
    try:
        models = resources.get_custom_language_models(custom_text)
    except ValueError as exc:
        lesson.friendly_error(f"Cannot train on your text: {exc}.")
        st.stop()
    source_key = "custom-" + hashlib.sha1(custom_text.encode()).hexdigest()[:16]
else:
    models = resources.get_language_models()
    source_key = "default"

prompt = st.text_input("Prompt", value=DEFAULT_PROMPT, key="next_word_prompt", max_chars=10_000)
if len(language.tokenize(prompt)) > language.MAX_PROMPT_TOKENS:
    st.caption(f"A long prompt: the models read only its last {language.MAX_PROMPT_TOKENS} tokens.")

tabs = st.tabs(
    [
        "Predict",
        "Bag of words",
        "Unrolled graph",
        "Through time",
        "Exploding gradients",
        "LSTM gates",
        "Long-term memory",
        "Compare",
        "Limitations",
    ],
    key="next_word_tab",
    on_change="rerun",
)

with tabs[0]:
    if tabs[0].open:
        lesson.section("Predict the next word", "The five most likely next words of each model, side by side.")
        predictions = resources.get_next_word_predictions(source_key, prompt, 5, models)
        for column, (kind, top) in zip(st.columns(4), predictions.items(), strict=True):
            with column:
                spec = charts.probability_chart(top, title=LABELS[kind], width=200, step=22)
                st.vega_lite_chart(spec, width="content")
        st.subheader("Continue the prompt")
        left, right = st.columns(2)
        n_words = left.slider("Words to add", 1, 30, 12, key="next_word_n")
        temperature = right.slider(
            "Temperature (0 = always the most likely word)", 0.0, 1.5, 0.0, 0.1, key="next_word_temperature"
        )
        rows = [
            {
                "model": LABELS[kind],
                "continuation": resources.get_continuation(source_key, kind, prompt, n_words, temperature, 0, models),
            }
            for kind in models
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        lesson.what_to_notice(
            [
                'The window model only knows the last two words: "for a" looks the same after *dog* as after *week*.',
                "The bag of words knows which words came before but not in what order, so it mostly guesses "
                "common words and punctuation.",
                "The RNN and LSTM read the words in order and carry a state from word to word.",
                "Temperature 0 repeats itself; a higher temperature samples rarer words and drifts more.",
            ]
        )

with tabs[1]:
    if tabs[1].open:
        lesson.section(
            "Bag of words: every previous word, no order",
            "The bow model sees the prompt as a count vector over the whole vocabulary, like the slide's "
            "`[0 1 0 0 1 …]`: one slot per vocabulary word, holding how often that word occurred.",
        )
        bow = models["bow"]
        counts = bow.count_vector(prompt)
        present = np.flatnonzero(counts)
        shown = sorted({*range(2, 12), *present.tolist()})[:40]  # some empty slots, then the prompt's words
        labels = [bow.vocab.itos[i] for i in shown]
        show_chart(
            "heatmap_chart",
            counts[shown][None, :],
            annotate=True,
            fmt="d",
            col_labels=labels,
            row_labels=["count"],
            legend=False,
            cell=46,
            title=f"Count vector (showing {len(shown)} of {len(counts):,} slots)",
        )
        preview = " ".join(str(int(counts[i])) for i in range(2, 20))
        st.markdown(f"As a vector: `[{preview} … ]`, {int(counts.sum())} words counted in all.")
        if "next_word_shuffle_seed" not in st.session_state:
            st.session_state["next_word_shuffle_seed"] = 0
        if st.button("Shuffle the prompt", key="next_word_shuffle", icon=":material/shuffle:"):
            st.session_state["next_word_shuffle_seed"] += 1
        shuffled = language.shuffle_words(prompt, seed=st.session_state["next_word_shuffle_seed"])
        st.markdown(f"Shuffled prompt: **{shuffled or '(empty)'}**")
        original = resources.get_next_word_predictions(source_key, prompt, 5, models)
        mixed = resources.get_next_word_predictions(source_key, shuffled, 5, models)
        cols = st.columns(4)
        for col, (kind, preds, title) in zip(
            cols,
            [
                ("bow", original, "bag of words, original"),
                ("bow", mixed, "bag of words, shuffled"),
                ("lstm", original, "LSTM, original"),
                ("lstm", mixed, "LSTM, shuffled"),
            ],
            strict=True,
        ):
            with col:
                spec = charts.probability_chart(preds[kind], title=title, width=170, step=22)
                st.vega_lite_chart(spec, width="content")
        same = [w for w, _ in original["bow"]] == [w for w, _ in mixed["bow"]] and np.allclose(
            [p for _, p in original["bow"]], [p for _, p in mixed["bow"]], rtol=0, atol=1e-9
        )
        st.caption(
            "The bag-of-words answer is identical for the shuffled prompt."
            if same
            else "The bag-of-words answer changed: the prompt is longer than the models read, so shuffling "
            "changed which words fall inside the window."
        )
        lesson.what_to_notice(
            [
                "Shuffling changes nothing in the count vector, so it cannot change the bow model's answer.",
                "The LSTM's answer changes: for it, order is information.",
            ]
        )

with tabs[2]:
    if tabs[2].open:
        lesson.section(
            "The RNN unrolled across time",
            "The same cell is applied at every step: it reads word x_t and the previous state h_{t-1}, "
            "writes a new state h_t, and outputs a guess ŷ_t for the next word. The red arrows are the same "
            "weights W_hh reused at every step.",
        )
        unrolled = resources.get_unrolled_rnn(source_key, prompt, models)
        tokens = unrolled["tokens"][-GRAPH_STEPS:]
        st.graphviz_chart(charts.unrolled_graph_dot(tokens, unrolled["predictions"][-GRAPH_STEPS:]))
        if len(unrolled["tokens"]) > GRAPH_STEPS:
            st.caption(f"Showing the last {GRAPH_STEPS} of {len(unrolled['tokens'])} steps.")
        states = unrolled["states"][-GRAPH_STEPS:, :SHOWN_UNITS]
        st.markdown(f"**Hidden state h_t after each word** ({SHOWN_UNITS} of {unrolled['states'].shape[1]} units)")
        show_chart(
            "units_by_tokens_chart",
            states,
            tokens,
            domain=(-1.0, 1.0),
            scheme=charts.DIVERGING,
            col_width=60,
        )
        lesson.what_to_notice(
            [
                "One set of weights, many steps: the graph is as long as the sentence, the model is not.",
                "h_t is the only thing passed forward: everything the RNN remembers must fit in these numbers.",
            ]
        )

with tabs[3]:
    if tabs[3].open:
        lesson.section(
            "Backpropagation through time",
            "The loss of the last word flows back through every earlier state. ‖∂L/∂h_t‖ shows how much each "
            "step still receives: in a vanilla RNN each step back multiplies by W_hh (and tanh'), so the "
            "gradient shrinks or grows geometrically.",
        )
        bptt_text = st.text_input("Sentence (the loss is the last word's)", BPTT_SENTENCE, key="next_word_bptt_text")
        radius = st.slider(
            "Spectral radius of the RNN's W_hh (largest |eigenvalue|)", 0.25, 3.0, 1.0, 0.25, key="next_word_radius"
        )
        try:
            grads = resources.get_gradient_norms(source_key, bptt_text, radius, models)
        except ValueError as exc:
            lesson.friendly_error(f"Cannot follow the gradient: {exc}.")
        else:
            series = {
                f"W_hh alone at radius {radius:g} (tanh' left out)": grads["rnn_linear"],
                f"RNN, W_hh scaled to radius {radius:g}": grads["rnn"],
                "RNN, as trained": grads["rnn_trained"],
                "LSTM, as trained": grads["lstm"],
            }
            show_chart(
                "curves_chart",
                {k: np.maximum(v, 1e-12) for k, v in series.items()},
                x_title="step t (the loss is at the last step)",
                y_title="‖∂L/∂h_t‖ (log scale)",
                log_y=True,
                display="stretch",
            )
            steps = len(grads["tokens"])
            st.caption(
                f"Over {steps} steps at radius {radius:g}, the first step receives "
                f"{grads['rnn_linear'][0] / grads['rnn_linear'][-1]:.2g} × the last step's gradient through W_hh "
                f"alone, and {grads['rnn'][0] / grads['rnn'][-1]:.2g} × in the real RNN (with tanh')."
            )
        lesson.what_to_notice(
            [
                "W_hh alone (the slide's picture): below radius 1 the gradient shrinks geometrically going back "
                "(vanishing), above 1 it grows (exploding).",
                "The real RNN also multiplies by tanh' ≤ 1 at every step. Its units saturate, so here its gradient "
                "vanishes even at a large radius: exploding gradients show up in training instead (next tab).",
                "The LSTM's line falls more slowly: its cell state is updated by addition, not squashed through "
                "W_hh and tanh at every step.",
            ]
        )

with tabs[4]:
    if tabs[4].open:
        free = History.from_dict(resources.get_exploding_run(None))
        lesson.section(
            "Exploding gradients and gradient clipping",
            f"A vanilla RNN starts with large recurrent weights (spectral radius {EXPLODING.weight_scale:g}) "
            f"and is trained for {len(free.step_loss)} steps with plain SGD and a large learning rate "
            f"({EXPLODING.learning_rate:g}), once without clipping and once with it. Clipping rescales any "
            "gradient whose norm exceeds the threshold down to the threshold.",
        )
        threshold = st.select_slider(
            "Clipping threshold", options=[0.25, 0.5, 1.0, 2.0, 5.0], value=1.0, key="next_word_clip"
        )
        clipped = History.from_dict(resources.get_exploding_run(float(threshold)))
        st.markdown("**Loss per step**")
        show_chart(
            "curves_chart",
            {"no clipping": free.step_loss, f"clipped at {threshold:g}": clipped.step_loss},
            x_title="step",
            y_title="training loss",
            display="stretch",
        )
        st.markdown("**Gradient norm per step** (log scale)")
        show_chart(
            "curves_chart",
            {
                "no clipping": free.grad_norm,
                "clipped run, before clipping": clipped.grad_norm,
                "clipped run, used (after clipping)": np.minimum(clipped.grad_norm, threshold),
            },
            x_title="step",
            y_title="gradient norm (log scale)",
            log_y=True,
            display="stretch",
        )
        st.caption(
            f"Without clipping: largest gradient norm {max(free.grad_norm):,.0f}, highest loss "
            f"{max(free.step_loss):.1f}, mean loss over the last 20 steps {np.mean(free.step_loss[-20:]):.2f}. "
            f"With clipping at {threshold:g}: highest loss {max(clipped.step_loss):.1f}, "
            f"last 20 steps {np.mean(clipped.step_loss[-20:]):.2f}."
        )
        lesson.what_to_notice(
            [
                "Without clipping one huge gradient throws the weights far away: the loss jumps and takes many "
                "steps to recover.",
                "With clipping the step actually taken never exceeds the threshold, so the loss keeps falling.",
                "Clipping fixes exploding gradients only; it cannot make a vanishing gradient bigger.",
            ]
        )

with tabs[5]:
    if tabs[5].open:
        lesson.section(
            "LSTM gates, word by word",
            "Each gate is a sigmoid layer (values between 0 and 1) that multiplies, point by point, what flows "
            f"through. Rows are the {SHOWN_UNITS} most active of the LSTM's units, columns are the words read.",
        )
        trace = resources.get_gate_trace(source_key, prompt, models)
        units = trace.busiest_units(SHOWN_UNITS)
        panels = [
            ("1. Forget irrelevant information: forget gate f_t", trace.forget, (0.0, 1.0), charts.SEQUENTIAL),
            ("2. Add new information: input gate i_t", trace.input, (0.0, 1.0), charts.SEQUENTIAL),
            ("2. Add new information: candidate g_t", trace.candidate, (-1.0, 1.0), charts.DIVERGING),
            ("3. Update cell state: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t", trace.cell, None, charts.DIVERGING),
            ("4. Output filtered version of cell state: output gate o_t", trace.output, (0.0, 1.0), charts.SEQUENTIAL),
        ]
        columns = st.columns(2)
        for i, (title, values, domain, scheme) in enumerate(panels):
            shown = values[:, units]
            if domain is None:
                bound = float(np.abs(shown).max()) or 1.0
                domain = (-bound, bound)
            with columns[i % 2]:
                st.markdown(f"**{title}**")
                show_chart("units_by_tokens_chart", shown, trace.tokens, domain=domain, scheme=scheme)
        lesson.what_to_notice(
            [
                "A forget value near 1 keeps that unit's cell state; near 0 wipes it.",
                "The cell state changes by addition (f ⊙ c + i ⊙ g), which is why information and gradients can "
                "travel far along it.",
                "h_t = o_t ⊙ tanh(c_t): the output gate decides how much of the memory the next layer sees.",
            ]
        )

with tabs[6]:
    if tabs[6].open:
        lesson.section(
            "The problem of long-term dependencies",
            'A synthetic task: *"i painted the fence red , …filler words… , still"* → **red**. Only a word '
            "many steps back decides the answer. An RNN and an LSTM of the same size train on the same "
            "sentences (short gaps first, then longer), then are tested at each distance.",
        )
        example, answer = long_dependency.recall_sentence(14, random.Random(3))
        st.markdown(f"Example (distance 14): `{' '.join(example[1:])}` → **{answer}**")
        recall_models = resources.get_recall_models()
        accuracy = resources.get_recall_accuracy(RECALL_DISTANCES, recall_models)
        show_chart(
            "recall_chart",
            {LABELS[k]: v for k, v in accuracy.items()},
            chance=long_dependency.chance_level(),
            title="Recall accuracy (dashed: guessing a colour at random)",
            display="stretch",
        )
        far = [d for d in RECALL_DISTANCES if d >= 12]
        rnn_far = float(np.mean([accuracy["rnn"][d] for d in far]))
        lstm_far = float(np.mean([accuracy["lstm"][d] for d in far]))
        if lstm_far - rnn_far >= 0.2:
            st.success(
                f"At distances of 12 or more, the LSTM recalls {lstm_far:.0%} of colours and the RNN "
                f"{rnn_far:.0%}: the LSTM clearly wins."
            )
        else:
            st.info(
                f"At distances of 12 or more: LSTM {lstm_far:.0%}, RNN {rnn_far:.0%}. In this run the LSTM "
                "does not clearly win."
            )
        lesson.what_to_notice(
            [
                "The RNN's gradient from the answer back to the colour vanishes over the gap, so it barely learns "
                "to keep the colour.",
                "The LSTM can hold a value in its cell state by keeping its forget gate near 1.",
            ]
        )

with tabs[7]:
    if tabs[7].open:
        lesson.section(
            "Compare the four models",
            "Perplexity is exp(average loss) on text the model never trained on (every 10th paragraph): "
            "roughly, how many words it is hesitating between. Lower is better.",
        )
        rows = [
            {
                "model": LABELS[kind],
                "held-out perplexity": None if math.isnan(m.heldout_perplexity) else round(m.heldout_perplexity, 1),
                "vocabulary": len(m.vocab),
                "parameters": m.num_parameters,
                "epochs": len(m.history.loss),
                "training time (s)": round(m.history.seconds, 1),
            }
            for kind, m in models.items()
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        curves = {LABELS[k]: np.exp(m.history.val_loss) for k, m in models.items() if m.history.val_loss}
        if curves:
            show_chart(
                "curves_chart",
                curves,
                y_title="held-out perplexity",
                title="Held-out perplexity per epoch",
                display="stretch",
            )
        else:
            st.info("Your text has fewer than 10 paragraphs, so no part of it was held out for perplexity.")
        show_chart(
            "curves_chart",
            {LABELS[k]: m.history.loss for k, m in models.items()},
            y_title="training loss",
            title="Training loss per epoch",
            display="stretch",
        )
        lesson.what_to_notice(
            [
                "Order-blind counts (bow) do worst: which words came before helps a little, their order helps a lot.",
                "Two words of context already go a long way on everyday prose; the LSTM uses more of the past.",
            ]
        )

with tabs[8]:
    if tabs[8].open:
        lesson.section("Where RNNs struggle", "RNNs power speech recognition, translation and text generation, but:")
        st.markdown(
            "- **A fixed-size state is a bottleneck.** Everything read so far must fit in one vector h_t, "
            "however long the text.\n"
            "- **No parallelism across time.** h_t needs h_{t-1}, so a sentence is processed one word after "
            "another, both in training and in use.\n"
            "- **Long memory is hard.** Gradients vanish (or explode) over many steps; LSTM gates help but do "
            "not remove the limit. Attention and transformers, which look at every word directly, are the "
            "usual answer."
        )
        lesson.concept_check(
            "next_word_check_bow",
            "Will the bag-of-words model change its answer if I reorder the words of the prompt?",
            ["Yes", "No", "Only for long prompts"],
            "No",
            "The count vector is the same for any order, and the model sees nothing else.",
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
            "An LSTM unit's forget gate stays at 1 and its input gate at 0 for ten words. What happens to its "
            "cell state?",
            ["It is kept unchanged", "It decays to 0", "It is overwritten"],
            "It is kept unchanged",
            "c_t = 1 ⊙ c_{t-1} + 0 ⊙ g_t = c_{t-1}: the memory passes through untouched, and so does its gradient.",
        )
