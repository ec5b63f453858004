"""Chart builders: readable numbers on cells, largest-first probability bars, no spec that Streamlit drops;
PNG pictures of the expected size and colours; DOT graphs with the expected nodes; builders found by name."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from components import charts, diagrams, heatmaps, images, pca_charts


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
    assert heatmaps.text_colours(np.array([0.0, 1.0]), "viridis", (0, 1)) == [heatmaps.LIGHT_TEXT, heatmaps.DARK_TEXT]
    assert heatmaps.text_colours(np.array([0.0, 1.0]), "blues", (0, 1)) == [heatmaps.DARK_TEXT, heatmaps.LIGHT_TEXT]
    # redblue reversed (positive is red): both ends dark, the middle pale
    ends = heatmaps.text_colours(np.array([-1.0, 0.0, 1.0]), "redblue", (-1, 1), reverse=True)
    assert ends == [heatmaps.LIGHT_TEXT, heatmaps.DARK_TEXT, heatmaps.LIGHT_TEXT]
    assert heatmaps.text_colours(np.array([np.nan]), "viridis", (0, 1)) == [None]


def test_annotated_heatmaps_give_each_cell_its_text_colour_and_are_drawable():
    values = np.array([[0.0, 1.0], [0.5, np.nan]])
    single_spec = heatmaps.heatmap_chart(values, annotate=True)
    grid_spec = heatmaps.heatmap_grid_chart([[{"values": values, "annotate": True}]])
    input_spec = heatmaps.input_grid_chart(np.eye(3) * 16, annotate=True)
    for spec in (single_spec, grid_spec, input_spec):
        _no_null_colour_scale(spec)
    inks = [
        row["ink"] for node in _walk(single_spec) if "values" in node.get("data", {}) for row in node["data"]["values"]
    ]
    assert inks[:2] == [heatmaps.LIGHT_TEXT, heatmaps.DARK_TEXT]  # 0 is dark purple, 1 is yellow in viridis


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


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_every_heatmap_is_one_view_with_its_labels_and_its_grey_scale():
    values = np.arange(6.0).reshape(2, 3)
    spec = heatmaps.heatmap_chart(values, col_labels=["a", "b", "c"], row_labels=["x", "y"], highlight=[(1, 2)])
    view = spec["hconcat"][0]
    assert (view["width"], view["height"]) == (3 * heatmaps.CELL, 2 * heatmaps.CELL)
    assert len(view["data"]["values"]) == 6
    x_axis = view["layer"][0]["encoding"]["x"]["axis"]
    assert json.loads(x_axis["labelExpr"].removesuffix("[datum.value]")) == ["a", "b", "c"]
    assert view["layer"][-1]["data"]["values"] == [{"r": 1, "c": 2}]  # the accent outline
    gray = heatmaps.heatmap_chart(values, gray=True, domain=(0, 255))["hconcat"][0]
    colour = gray["layer"][1]["encoding"]["color"]
    assert colour["scale"] == {"range": ["black", "white"], "domain": [0.0, 255.0]} and colour["legend"] is None
    with pytest.raises(ValueError):
        heatmaps.heatmap_chart(np.arange(3.0))


def test_units_by_tokens_puts_one_column_per_token_and_a_row_per_unit():
    states = np.zeros((4, 5))  # 4 tokens read, 5 units
    view = heatmaps.units_by_tokens_chart(states, ["a", "b", "a", "c"], col_width=30, row_height=7)["hconcat"][0]
    assert (view["width"], view["height"]) == (4 * 30, 5 * 7)
    axis = view["layer"][0]["encoding"]["x"]["axis"]
    assert json.loads(axis["labelExpr"].removesuffix("[datum.value]")) == ["a", "b", "a", "c"]  # repeats kept


def test_occlusion_evidence_is_a_grey_input_under_a_signed_layer():
    spec = heatmaps.occlusion_evidence_chart(np.eye(3), np.array([[1.0, 0, 0], [0, -2.0, 0], [0, 0, 0]]), label="X")
    _no_null_colour_scale(spec)
    assert spec["layer"][1]["encoding"]["color"]["title"] == "drop in log-odds of X"
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == [-2.0, 2.0]
    assert len(spec["data"]["values"]) == 9


def test_png_bytes_decode_to_the_boxed_size_and_keep_the_shape():
    wide = np.zeros((4, 8))
    assert _decoded(images.png_bytes(wide)).size == (8, 4)
    assert _decoded(images.png_bytes(wide, box=64)).size == (64, 32)  # enlarged, shape kept
    assert _decoded(images.png_bytes(np.zeros((100, 50)), box=20)).size == (10, 20)  # shrunk
    rgb = np.full((2, 2, 3), 200, dtype=np.uint8)
    assert _decoded(images.png_bytes(rgb)).mode == "RGB"


def test_image_tiles_are_tile_sized_white_at_zero_red_positive_blue_negative():
    grey, signed = (
        images.image_tiles([np.ones((8, 8))]),
        images.image_tiles([np.array([[1.0, 0.0, -1.0]])], signed=True),
    )
    assert _decoded(grey[0]).size == (images.TILE, images.TILE)
    assert _decoded(grey[0]).convert("L").getpixel((0, 0)) == 255
    tile = _decoded(signed[0]).convert("RGB")
    third = images.TILE // 3
    assert tile.getpixel((0, 0)) == tuple(images.POSITIVE_RGB.astype(int))
    assert tile.getpixel((third + 2, 0)) == (255, 255, 255)
    assert tile.getpixel((images.TILE - 1, 0)) == tuple(images.NEGATIVE_RGB.astype(int))


def test_feature_grid_tiles_channels_with_gaps_on_one_colour_scale():
    maps = np.stack([np.zeros((3, 3)), np.ones((3, 3)), np.full((3, 3), 0.5)])
    grid = images.feature_grid_image(maps, columns=2, scale=2)
    assert grid.shape == (2 * (2 * 3 + 1), 2 * (2 * 3 + 1), 3)  # 2×2 tiles of 3 px, 1-px gaps, all doubled
    assert tuple(grid[0, 0]) == tuple(images.VIRIDIS_RGB[0].astype(int))  # 0: dark
    assert tuple(grid[0, -1]) == tuple(images.VIRIDIS_RGB[-1].astype(int))  # the strongest: yellow
    assert tuple(grid[6, 0]) == (255, 255, 255)  # the gap between rows
    kernels = images.feature_grid_image(np.array([[[1.0, -1.0]]]), scale=1, signed=True)
    assert tuple(kernels[0, 0]) == tuple(images.POSITIVE_RGB.astype(int))
    with pytest.raises(ValueError):
        images.feature_grid_image(np.zeros((3, 3)))


def test_image_data_url_is_a_png_thumbnail():
    url = images.image_data_url(np.eye(8))
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    assert _decoded(base64.b64decode(url.removeprefix(prefix))).size == (images.THUMBNAIL, images.THUMBNAIL)


def test_unrolled_graph_has_an_input_state_and_guess_per_token_and_recurrent_edges_between_states():
    dot = diagrams.unrolled_graph_dot(["the", "cat", "sat"], [("cat", 0.4), ("sat", 0.3), ("down", 0.2)])
    assert dot.startswith("digraph G {") and dot.endswith("}")
    for t in (1, 2, 3):
        assert f"x{t} [" in dot and f"h{t} [" in dot and f"y{t} [" in dot and f"x{t} -> h{t}; h{t} -> y{t};" in dot
    assert dot.count('label="W_hh"') == 2 and "h1 -> h2" in dot and "h2 -> h3" in dot
    assert '"x2: cat"' in dot and '"ŷ3: down 20%"' in dot
    assert "{rank=same; h1; h2; h3;}" in dot


def test_builder_names_are_unique_across_the_vega_lite_modules_and_found_by_name():
    from components import resources

    names = [
        {n for n in dir(m) if n.endswith("_chart") and callable(getattr(m, n))} for m in (charts, heatmaps, pca_charts)
    ]
    assert not (names[0] & names[1]) and not (names[0] & names[2]) and not (names[1] & names[2])
    for builder, args in [
        ("probability_chart", ({"a": 1.0},)),
        ("heatmap_chart", (np.eye(2),)),
        ("error_bars_chart", ({"PCA": 0.1, "autoencoder": 0.2},)),
    ]:
        spec = resources.get_chart_spec(builder, *args)
        assert spec["config"]["axis"]["labelFontSize"] == charts.FONT_SIZE


def test_curves_keep_their_colour_in_the_order_given():
    """ "no clipping" named first is the first colour in both exploding-gradient charts (not sorted by name)."""
    loss = charts.curves_chart({"no clipping": [3, 2], "clipped at 0.25": [3, 1]}).to_dict()
    norm = charts.curves_chart({"no clipping": [9, 8], "clipped, before clipping": [1, 1], "clipped, as used": [1, 1]})
    for spec in (loss, norm.to_dict()):
        scale = spec["encoding"]["color"]["scale"]
        assert scale["domain"][0] == "no clipping" and scale["range"][0] == charts.SERIES[0]
