"""Kernel playground page under AppTest: every section reacts to its controls, and bad input gets a message."""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file("../pages/kernels.py", default_timeout=120).run()
    assert not app.exception
    return app


def texts(app: AppTest) -> str:
    return "\n".join(m.value for m in [*app.markdown, *app.caption, *app.success, *app.warning, *app.info])


def png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_page_renders_every_section(at):
    headers = [h.value for h in at.header]
    for title in ("Pixels are numbers", "X/O case study", "Slide the window", "Kernels", "Stride", "Layer types"):
        assert any(title in h for h in headers), title
    assert any("Practice 1" in h for h in headers)
    assert not at.warning  # nothing is wrong with the defaults
    assert "this looks like an **X**" in texts(at)


def test_image_sources_and_uploads(at):
    at.radio(key="kernels_source").set_value("A digit (8×8)").run()
    assert not at.exception and "Input **8 × 8**" in texts(at)
    at.radio(key="kernels_source").set_value("Upload your own").run()
    upload = at.get("file_uploader")[0]
    upload.set_value(("grey.png", png(np.full((40, 60), 128, dtype=np.uint8)), "image/png")).run()
    assert not at.exception and "Input **40 × 60**" in texts(at)
    big = png((np.indices((1200, 900)).sum(0) % 256).astype(np.uint8))
    at.get("file_uploader")[0].set_value(("big.png", big, "image/png")).run()
    assert not at.exception and "Downscaled from 900×1200" in texts(at)
    at.get("file_uploader")[0].set_value(("dot.png", png(np.full((1, 1), 200, dtype=np.uint8)), "image/png")).run()
    at.radio(key="kernels_window_target").set_value("the chosen image (shrunk)").run()
    assert not at.exception and "Input **1 × 1**" in texts(at)
    assert any("smaller than the kernel" in w.value for w in at.warning)
    at.get("file_uploader")[0].set_value(("empty.png", b"", "image/png")).run()
    assert not at.exception and any("empty" in w.value for w in at.warning)
    at.get("file_uploader")[0].set_value(("broken.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")).run()
    assert not at.exception
    assert any("could not be read" in w.value for w in at.warning)
    assert "this looks like an" in texts(at)  # the rest of the page still works


def test_xo_grid_clicks_and_presets(at):
    assert at.segmented_control(key="kernels_row_1").value == [1, 7]  # ink at the X's two top strokes
    at.segmented_control(key="kernels_row_4").set_value([]).run()  # rub out the centre of the X
    assert not at.exception
    assert {"X vote", "O vote"} <= {m.label for m in at.metric}
    at.radio(key="kernels_xo_start").set_value("O").run()
    assert at.segmented_control(key="kernels_row_1").value == [3, 4, 5]
    assert "this looks like an **O**" in texts(at)
    at.radio(key="kernels_xo_start").set_value("shifted X").run()
    assert "this looks like an **X**" in texts(at)
    for r in range(9):  # rub everything out: an empty grid is neither letter
        at.segmented_control(key=f"kernels_row_{r}").set_value([])
    at.run()
    assert "**neither** an X nor an O" in texts(at)
    at.button(key="kernels_xo_reset").click().run()
    assert at.segmented_control(key="kernels_row_1").value == [6]


def test_window_position_moves_the_output_cell(at):
    assert "Output cell (0, 0)" in texts(at)
    at.slider(key="kernels_position").set_value(8).run()  # 7 outputs per row: row 1, column 1
    assert "Output cell (1, 1)" in texts(at) and "÷ 9 = **1.00**" in texts(at)  # the diagonal filter's perfect match
    at.radio(key="kernels_window_target").set_value("the chosen image (shrunk)").run()
    at.selectbox(key="kernels_window_kernel").set_value("Sobel x").run()
    at.slider(key="kernels_position").set_value(12).run()
    assert not at.exception and "Output cell (1, 2)" in texts(at)  # the shrunk photo is 8×12: 10 outputs per row


def test_kernel_preset_and_bad_kernel(at):
    before = texts(at)
    at.selectbox(key="kernels_preset").set_value("box blur").run()
    after = texts(at)
    assert "Raw values run from" in after and after != before
    at.radio(key="kernels_kernel_size").set_value(5).run()
    assert not at.exception and "Raw values run from" in texts(at)
    at.session_state["kernels_editor_box blur_5"] = {
        "edited_rows": {0: {"0": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("finite number" in w.value for w in at.warning)


def test_stride_padding_and_pooling(at):
    at.slider(key="kernels_stride").set_value(2).run()
    shape = next(s.value for s in at.success if "real output" in s.value)
    at.slider(key="kernels_padding").set_value(3).run()
    assert not at.exception
    assert next(s.value for s in at.success if "real output" in s.value) != shape
    at.radio(key="kernels_pool_mode").set_value("avg").run()
    assert "avg pool 2×2, stride 2**: 45×66 → **22×33**" in texts(at)  # (85 + 6 − 3)/2 + 1 = 45
    at.slider(key="kernels_output_cell").set_value(3).run()
    assert not at.exception


def test_kernel_too_big_for_the_image_keeps_the_page_working(at):
    at.radio(key="kernels_source").set_value("A digit (8×8)").run()
    at.slider(key="kernels_k").set_value(7).run()
    at.slider(key="kernels_dilation").set_value(3).run()
    assert not at.exception
    assert any("larger than the padded input" in w.value for w in at.warning)
    assert any("Practice 1" in h.value for h in at.header)  # later sections still render


def test_layer_counts(at):
    at.number_input(key="kernels_layer_n").set_value(8).run()
    at.number_input(key="kernels_layer_cin").set_value(1).run()
    at.number_input(key="kernels_layer_cout").set_value(4).run()
    table = at.table[0].value
    assert table.loc["convolutional", "parameters"] == "40"  # 4 × (3·3·1 + 1)
    assert table.loc["locally connected", "parameters"] == f"{36 * 4 * 10:,}"  # 6·6·4 × 10
    assert table.loc["fully connected", "parameters"] == f"{64 * 144 + 144:,}"  # 64 → 6·6·4
    assert not [m for m in at.markdown if m.value.lstrip().startswith("|")]  # no Markdown tables


def test_practice_predict_then_reveal(at):
    assert "**5×5**" in texts(at)  # the first slide case
    at.number_input(key="kernels_answer_h").set_value(5).run()
    at.number_input(key="kernels_answer_w").set_value(5).run()
    at.button(key="kernels_check").click().run()
    assert any("Right" in s.value for s in at.success)
    at.button(key="kernels_q_slide2").click().run()
    assert at.number_input(key="kernels_answer_h").value is None  # a new question clears the answer
    at.number_input(key="kernels_answer_h").set_value(5).run()
    at.number_input(key="kernels_answer_w").set_value(5).run()
    at.button(key="kernels_check").click().run()
    assert any("Not quite" in w.value and "**3×3**" in w.value for w in at.warning)
    question = texts(at)
    at.button(key="kernels_q_new").click().run()
    assert not at.exception and texts(at) != question


def test_applications_moved_to_their_own_page(at):
    assert any("One architecture, many applications" in h.value for h in at.header)
    assert "CNNs for text and speech" in texts(at)
    assert not at.text_input  # the sentence and the sounds live on the text-and-speech page now
