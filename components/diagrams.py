"""Graph diagrams as Graphviz DOT text for ``st.graphviz_chart``. Colours and fonts live at the top."""

from __future__ import annotations

from collections.abc import Sequence

from components.charts import ACCENT, PRIMARY

FONT = "Helvetica"
NODE_FONT_SIZE = 11
EDGE_FONT_SIZE = 9
EDGE_COLOUR = "#5f6b73"  # ordinary arrows: input -> state -> output
INPUT_FILL = "#eef4f8"  # the words read (pale blue)
OUTPUT_FILL = "#fdece7"  # the guesses (pale accent)
RECURRENT_WIDTH = 2  # the W_hh arrows across time stand out in the accent colour


def dot_label(text: str) -> str:
    """``text`` as a safe double-quoted Graphviz string (backslashes, quotes and line breaks escaped)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unrolled_graph_dot(tokens: Sequence[str], predictions: Sequence[tuple[str, float]]) -> str:
    """The RNN unrolled over the tokens as a DOT graph: x_t -> h_t -> y_t, and h_{t-1} -> h_t across time."""
    lines = [
        "digraph G {",
        "rankdir=BT; nodesep=0.25; ranksep=0.35;",
        f'node [fontname="{FONT}", fontsize={NODE_FONT_SIZE}];',
        f'edge [fontname="{FONT}", fontsize={EDGE_FONT_SIZE}, color="{EDGE_COLOUR}"];',
    ]
    for t, (tok, (word, prob)) in enumerate(zip(tokens, predictions, strict=True), start=1):
        lines.append(f'x{t} [shape=box, style=filled, fillcolor="{INPUT_FILL}", label={dot_label(f"x{t}: {tok}")}];')
        lines.append(f'h{t} [shape=circle, style=filled, fillcolor="{PRIMARY}", fontcolor=white, label="h{t}"];')
        guess = dot_label(f"ŷ{t}: {word} {prob:.0%}")
        lines.append(f'y{t} [shape=box, style="rounded,filled", fillcolor="{OUTPUT_FILL}", label={guess}];')
        lines.append(f"x{t} -> h{t}; h{t} -> y{t};")
        if t > 1:
            lines.append(f'h{t - 1} -> h{t} [color="{ACCENT}", penwidth={RECURRENT_WIDTH}, label="W_hh"];')
    lines.append("{rank=same; " + " ".join(f"h{t};" for t in range(1, len(tokens) + 1)) + "}")
    lines.append("}")
    return "\n".join(lines)
