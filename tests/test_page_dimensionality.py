"""AppTest: the Dimensionality page runs, each section reacts to its controls, and bad uploads get clear messages."""

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "../pages/dimensionality.py"


def _metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


@pytest.fixture(scope="module")
def at() -> AppTest:
    """One app run shared by the tests that only move controls (the first run trains both autoencoders)."""
    app = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not app.exception
    return app


def test_page_renders_every_section(at):
    headers = [h.value for h in at.header]
    assert len(headers) == 8
    assert headers[0].startswith("1. Why reduce") and headers[-1] == "8. Concept check"
    assert any("equal `sklearn.decomposition.PCA`" in s.value for s in at.success)
    assert len(at.get("image")) >= 6  # eigen-digits, one reconstruction pair, four autoencoder rows


def test_pca_steps_are_one_tab_each_and_every_tab_is_filled(at):
    assert [t.label for t in at.tabs] == [
        "1 · Centre (and scale)",
        "2 · Covariance",
        "3 · Eigen-decomposition",
        "4 · Sort",
        "5 · Project",
    ]
    assert all(tab.markdown for tab in at.tabs)  # each step's sentence, so every step ran
    assert any("*ascending* order" in m.value for m in at.tabs[2].markdown)


def test_rotating_the_direction_changes_the_variance_and_new_sample_changes_pc1(at):
    before = _metric(at, "Variance along")
    at.slider(key="dimensionality_angle").set_value(90).run()
    assert not at.exception
    assert _metric(at, "Variance along") != before
    pc1 = next(m.label for m in at.metric if m.label.startswith("Maximum: PC1"))
    at.button(key="dimensionality_new_sample").click().run()
    assert next(m.label for m in at.metric if m.label.startswith("Maximum: PC1")) != pc1


def test_standardising_stops_the_unit_change_from_moving_pc1(at):
    at.toggle(key="dimensionality_standardize").set_value(False).run()
    assert _metric(at, "Largest weight") == "alcohol"  # alcohol ×1000 dominates
    raw_share = _metric(at, "PC1 explains")
    at.toggle(key="dimensionality_standardize").set_value(True).run()
    assert not at.exception
    assert _metric(at, "PC1 explains") != raw_share
    assert next(m.delta for m in at.metric if m.label.startswith("PC1 explains")).startswith("+0.0%")
    at.radio(key="dimensionality_steps_data").set_value("wine").run()
    assert not at.exception
    assert "wine" in at.success[0].value


def test_changing_k_and_dataset_changes_the_scree_numbers(at):
    at.slider(key="dimensionality_k_digits").set_value(30).run()
    assert not at.exception
    assert _metric(at, "k = 30 keeps") != _metric(at, "k for 90%")
    assert _metric(at, "k for 95%").endswith("of 64")
    at.segmented_control(key="dimensionality_dataset").set_value("iris").run()
    assert not at.exception
    assert _metric(at, "k for 95%").endswith("of 4")
    assert at.slider(key="dimensionality_k_iris").max == 4
    at.selectbox(key="dimensionality_pcx_iris").set_value(3).run()
    assert not at.exception


def test_reconstruction_error_falls_with_k(at):
    at.slider(key="dimensionality_recon_k").set_value(1).run()
    coarse = float(_metric(at, "Reconstruction error (MSE"))
    at.slider(key="dimensionality_recon_k").set_value(40).run()
    fine = float(_metric(at, "Reconstruction error (MSE"))
    assert fine < coarse
    at.number_input(key="dimensionality_sample").set_value(5).run()
    assert not at.exception


def test_concept_check_hides_the_chart_until_revealed(at):
    shown = _charts(at)
    choice = at.radio(key="dimensionality_quiz_k95_choice")
    choice.set_value(choice.options[0]).run()
    assert _charts(at) == shown
    at.button(key="dimensionality_quiz_k95_reveal").click().run()
    assert not at.exception
    assert _charts(at) == shown + 1
    assert any("wine needs" in w.value for w in [*at.success, *at.warning])


@pytest.fixture(scope="module")
def upload_at() -> AppTest:
    """One app switched to "Upload a CSV", reused for every upload case."""
    app = AppTest.from_file(PAGE, default_timeout=180).run()
    app.segmented_control(key="dimensionality_dataset").set_value("csv").run()
    assert any("Upload a CSV" in i.value for i in app.info)
    return app


def _upload(app: AppTest, data: bytes, name: str = "data.csv") -> AppTest:
    app.file_uploader(key="dimensionality_upload").set_value((name, data, "text/csv")).run()
    assert not app.exception
    return app


def test_a_good_csv_gets_a_scree_plot_and_notes_about_dropped_rows(upload_at):
    rows = "\n".join(f"{i},{i * 2 % 7},{(i * i) % 11},{'ab'[i % 2]}" for i in range(30))
    at = _upload(upload_at, f"x,y,z,kind\n{rows}\n1,,3,a\n".encode())
    assert _metric(at, "k for 95%").endswith("of 3")
    captions = " ".join(c.value for c in at.caption)
    assert "Dropped 1 row" in captions and "'kind'" in captions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
        (b"a,b\n\xff\xfe,1\n", "UTF-8"),
        (b"name,town\nann,york\nbob,leeds\n", "no numeric columns"),
        (b"a,b\n1,2\n", "at least 2 rows"),
        (b"a,b\n" + b"1,2\n" * 550_000, "limit"),
    ],
)
def test_bad_csv_gets_a_clear_message_and_the_page_keeps_working(upload_at, data, message):
    at = _upload(upload_at, data)
    assert any(message in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(at.header) == 8  # later sections still render
