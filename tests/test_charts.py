"""Chart builders: readable numbers on cells, largest-first probability bars, no spec that Streamlit drops."""

import json

import numpy as np

from components import charts


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _no_null_colour_scale(spec: dict) -> None:
    for node in _walk(spec):
        colour = node.get("color") if isinstance(node.get("color"), dict) else None
        # Streamlit's renderer silently drops a chart whose colour channel has ``scale: null``.
        assert not (colour and "scale" in colour and colour["scale"] is None), json.dumps(colour)


def test_numbers_on_cells_are_dark_on_bright_cells_and_light_on_dark_ones():
    assert charts.text_colours(np.array([0.0, 1.0]), "viridis", (0, 1)) == [charts.LIGHT_TEXT, charts.DARK_TEXT]
    assert charts.text_colours(np.array([0.0, 1.0]), "blues", (0, 1)) == [charts.DARK_TEXT, charts.LIGHT_TEXT]
    # redblue reversed (positive is red): both ends dark, the middle pale
    ends = charts.text_colours(np.array([-1.0, 0.0, 1.0]), "redblue", (-1, 1), reverse=True)
    assert ends == [charts.LIGHT_TEXT, charts.DARK_TEXT, charts.LIGHT_TEXT]
    assert charts.text_colours(np.array([np.nan]), "viridis", (0, 1)) == [None]


def test_annotated_heatmaps_give_each_cell_its_text_colour_and_are_drawable():
    values = np.array([[0.0, 1.0], [0.5, np.nan]])
    altair_spec = charts.heatmap_chart(values, annotate=True).to_dict()
    grid_spec = charts.heatmap_grid_chart([[{"values": values, "annotate": True}]])
    input_spec = charts.input_grid_chart(np.eye(3) * 16, annotate=True)
    for spec in (altair_spec, grid_spec, input_spec):
        _no_null_colour_scale(spec)
    inks = [row["ink"] for rows in altair_spec["datasets"].values() for row in rows]
    assert inks[:2] == [charts.LIGHT_TEXT, charts.DARK_TEXT]  # 0 is dark purple, 1 is yellow in viridis


def test_probability_bars_are_largest_first_with_an_explicit_order_and_values():
    spec = charts.probability_chart({"a": 0.05, "b": 0.11, "c": 0.84})
    labels = [row["label"] for row in spec["data"]["values"]]
    assert labels == ["c", "b", "a"]
    assert spec["encoding"]["y"]["sort"] == labels == spec["encoding"]["y"]["scale"]["domain"]
    assert [row["text"] for row in spec["data"]["values"]] == ["84%", "11%", "5.0%"]
    small = charts.probability_chart([("x", 0.11), ("y", 0.08)])
    assert small["encoding"]["x"]["scale"]["domain"][1] <= 0.3  # an 11 % guess is a bar, not a stub


def test_every_spec_gets_the_minimum_type_size_and_presenter_scaling():
    spec = charts.with_readable_text({"mark": "bar"})
    assert spec["config"]["axis"]["labelFontSize"] == charts.FONT_SIZE >= 13
    big = charts.scaled_text(spec, 1.5)
    assert big["config"]["axis"]["labelFontSize"] == round(charts.FONT_SIZE * 1.5)
    assert big["config"]["legend"]["labelLimit"] == 0  # only sizes scale
