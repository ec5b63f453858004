"""Inside the recurrent models: the RNN unrolled over the prompt, and gradients through time (vanishing, exploding,
clipping). The LSTM's own tabs (gates, long-term memory) are in ``components.sections.lstm``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import language_getters, lesson
from components.charts import DIVERGING
from components.diagrams import unrolled_graph_dot
from components.sections.language_models import NextWordModels
from models import next_word_lessons, through_time
from models.training import History

BPTT_SENTENCE = (
    "This morning I took my dog for a walk in the park, and when we came home my little brother "
    "was still asleep in his bed"
)
GRAPH_STEPS = 6  # the unrolled graph shows the last steps only, so its words stay readable
SHOWN_UNITS = 24  # hidden units per heatmap (of 96), the busiest ones
TABLE_UNITS = 6  # units in the tables of numbers beside the equations
RECALL_DISTANCES = (4, 8, 12, 16, 20, 30, 40, 50, 60)
EXPLODED_NORM = 100.0  # an unclipped run "explodes" on the page when its largest gradient norm reaches this ...
EXPLODED_RISE = 3.0  # ... and its loss climbs this far above its start
EXPLODING = through_time.ExplodingConfig()  # the settings of the exploding-gradient run, quoted on the page


@lesson.model_section
def unrolled_graph(models: NextWordModels, prompt: str, own_text: str | None) -> None:
    lesson.section(
        "The RNN unrolled across time",
        "The same cell is applied at every step: it reads word x_t and the previous state h_{t−1}, writes a new "
        "state h_t, and outputs a guess ŷ_t for the next word. The red arrows are the same weights W_hh reused at "
        "every step.",
    )
    rnn = models.get("rnn")
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
        f"x_t is the embedding of *{step.token}* ({e} numbers); W_hh is {h}×{h}, W_xh {h}×{e}. The first "
        f"{TABLE_UNITS} of {h} units: h_t = tanh of the sum of the two middle columns. ŷ_t's top words: "
        + ", ".join(f"*{w}* {p:.0%}" for w, p in step.top)
        + ". "
        + next_word_lessons.readout_sentence(rnn)
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


@lesson.model_section
def through_time_section(models: NextWordModels, prompt: str, own_text: str | None) -> None:
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
        grads = language_getters.get_gradient_norms(
            {"rnn": models.get("rnn"), "lstm": models.get("lstm")}, bptt_text, radius
        )
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
        {k: next_word_lessons.log_safe(v) for k, v in series.items()},
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
            "RNN: ‖∂L/∂h_t‖": next_word_lessons.log_safe(recall["rnn"].hidden),
            "LSTM: ‖∂L/∂c_t‖": next_word_lessons.log_safe(recall["lstm"].cell),
            "LSTM: ‖∂L/∂h_t‖": next_word_lessons.log_safe(recall["lstm"].hidden),
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


def exploding(models: NextWordModels, prompt: str, own_text: str | None) -> None:
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
            "clipped, as used": next_word_lessons.clipped_norms(clipped_history.grad_norm, threshold),
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
    (low_norm, high_norm), (low_rise, high_rise) = next_word_lessons.spread_ranges(spread)
    st.caption(
        f"How far it explodes depends on the random start: over seeds 0–{len(spread) - 1} the unclipped run's "
        f"largest gradient norm was {low_norm:,.1f} to {high_norm:,.0f} and its loss rose by {low_rise:.1f} to "
        f"{high_rise:.1f} (measured just now, on this machine). The charts show seed 0."
    )
    stays_below = clipped.steps_above_start == 0
    exploded = next_word_lessons.exploded(free, norm=EXPLODED_NORM, rise=EXPLODED_RISE)
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
