"""Inside the LSTM: its gates word by word, and a long-term memory task where its cell state wins over the RNN."""

from __future__ import annotations

import random

import pandas as pd
import streamlit as st

from components import language_getters, lesson
from components.charts import DIVERGING, SEQUENTIAL
from components.sections.language_models import LABELS, NextWordModels
from components.sections.recurrent import RECALL_DISTANCES, SHOWN_UNITS, TABLE_UNITS
from models import kernel_lessons, long_dependency, next_word_lessons

FAR = 12  # "long" distances on the recall task start here


@lesson.model_section
def lstm_gates(models: NextWordModels, prompt: str, own_text: str | None) -> None:
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
    trace = language_getters.get_gate_trace(models.get("lstm"), prompt)
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
            domain = kernel_lessons.symmetric_domain(shown)
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


@lesson.model_section
def long_term_memory(models: NextWordModels, prompt: str, own_text: str | None) -> None:
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
    chance = long_dependency.chance_level()
    lesson.show_chart(
        "recall_chart",
        {LABELS[k]: v for k, v in accuracy.items()},
        chance=chance,
        title="Recall accuracy (dashed: guessing a colour at random)",
    )
    far = next_word_lessons.far_accuracy(accuracy, FAR)
    rnn_far, lstm_far = far["rnn"], far["lstm"]
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
            f"is {grads['rnn'].ratio():.2g} of what the last step receives, so a long gap sends the RNN almost no "
            f"signal to keep the colour. It still recalls {rnn_far:.0%} at distances of {FAR} or more (guessing: "
            f"{chance:.0%}), against the LSTM's {lstm_far:.0%}.",
            "The LSTM holds the colour in its cell state by keeping forget gates near 1: on its best unit the "
            f"{longest} forget gates multiply to {grads['lstm'].kept_by_forget_gates():.2f}.",
        ]
    )
