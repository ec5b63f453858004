"""A classroom's worth of bad input: every case gets a clear message (or a sensible answer), never a traceback.

The models API raises ``ValueError`` with a sentence a student can act on; the pages turn those into
warnings. Each parametrised case below is one bad input.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from models import cnn, convolution, language, pca, tabular
from models.corpus import read_corpus

# --- CSV uploads (dimensionality page) -------------------------------------------------------------------------------
BAD_CSVS = {
    "empty": (b"", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "not utf-8": ("a,b\n1,2\n\xe9,3\n".encode("latin-1"), "UTF-8"),
    "no numeric columns": (b"name,city\nann,leeds\nbo,york\n", "no numeric"),
    "one numeric column": (b"x,name\n1,a\n2,b\n", "only one numeric"),
    "one row": (b"a,b,c\n1,2,3\n", "at least 2 rows"),
    "all rows NaN or inf": (b"a,b\nnan,1\ninf,2\n", "usable row"),
    "10,000 columns": (
        (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n").encode(),
        "limit",
    ),
    "over the size limit": (b"a,b\n" + b"1,2\n" * (tabular.MAX_CSV_BYTES // 4 + 10), "limit"),
    "ragged lines": (b'a,b\n1,2\n"unterminated,3\n', "CSV"),
}


@pytest.mark.parametrize("case", list(BAD_CSVS))
def test_bad_csv_is_refused_with_a_reason(case):
    data, words = BAD_CSVS[case]
    with pytest.raises(ValueError, match=words):
        tabular.parse_csv(data)


def test_csv_with_some_nan_rows_is_kept_with_a_note():
    dataset = tabular.parse_csv(b"a,b\n1,2\nnan,3\n4,5\n6,inf\n7,8\n")
    assert dataset.X.shape == (3, 2)
    assert any("Dropped 2 row" in note for note in dataset.notes)


@pytest.mark.parametrize(
    ("X", "k", "words"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), None, "NaN|finite|infinite"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), None, "NaN|finite|infinite"),
        (np.array([[1.0, 2.0]]), None, "2 rows|two rows|at least 2"),
        (np.ones((5, 3)), 4, "components|k"),
    ],
)
def test_fit_pca_bad_input(X, k, words):
    with pytest.raises(ValueError, match=words):
        pca.fit_pca(X, n_components=k)


# --- images and kernels (kernel playground) --------------------------------------------------------------------------
def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _animated_gif() -> bytes:
    frames = [Image.new("P", (20, 20), color=i) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def test_corrupt_images_are_refused():
    png = _encode(Image.new("L", (40, 40), 128), "PNG")
    for data in (b"", b"this is not an image", png[: len(png) // 2], b"\x89PNG\r\n\x1a\n" + b"\x00" * 50):
        with pytest.raises(ValueError):
            convolution.load_image(data)


def test_huge_images_are_refused_before_decoding():
    # A 10,000 × 10,000 image compresses to almost nothing but would need 100 MB once decoded.
    data = _encode(Image.new("L", (10_000, 10_000), 0), "PNG")
    with pytest.raises(ValueError, match=r"pixels|large|megapixel"):
        convolution.load_image(data)


def test_uploads_over_the_byte_limit_are_refused():
    with pytest.raises(ValueError):
        convolution.load_image(b"\x00" * (convolution.MAX_UPLOAD_BYTES + 1))


@pytest.mark.parametrize(
    "data",
    [
        _encode(Image.new("L", (1, 1), 200), "PNG"),
        _encode(Image.new("CMYK", (30, 20), (10, 20, 30, 40)), "JPEG"),
        _encode(Image.new("P", (30, 20), 5), "PNG"),
        _encode(Image.new("RGBA", (30, 20), (255, 0, 0, 10)), "PNG"),
        _encode(Image.new("I;16", (30, 20), 5000), "PNG"),
        _animated_gif(),
        _encode(Image.new("RGB", (3000, 200), (0, 0, 0)), "PNG"),
    ],
    ids=["1x1", "cmyk", "paletted", "rgba", "16-bit", "animated gif", "very wide"],
)
def test_odd_images_become_grayscale_pixels(data):
    loaded = convolution.load_image(data)
    assert loaded.pixels.ndim == 2 and loaded.pixels.size >= 1
    assert max(loaded.pixels.shape) <= convolution.MAX_SIDE
    assert np.isfinite(loaded.pixels).all()


IMAGE = np.arange(36, dtype=float).reshape(6, 6)


@pytest.mark.parametrize(
    ("kernel", "kwargs"),
    [
        (np.array([[np.nan, 0, 0], [0, 1, 0], [0, 0, 0]]), {}),
        (np.array([[np.inf, 0, 0], [0, 1, 0], [0, 0, 0]]), {}),
        (np.array([[-np.inf, 0, 0], [0, 1, 0], [0, 0, 0]]), {}),
        (np.ones((3, 3)), {"stride": 0}),
        (np.ones((3, 3)), {"stride": -1}),
        (np.ones((3, 3)), {"padding": -1}),
        (np.ones((9, 9)), {}),
        (np.ones((9, 9)), {"padding": 1}),
        (np.ones((0, 0)), {}),
    ],
    ids=[
        "nan",
        "inf",
        "-inf",
        "stride 0",
        "stride -1",
        "padding -1",
        "kernel too big",
        "too big padded",
        "empty kernel",
    ],
)
@pytest.mark.parametrize("impl", [convolution.convolve2d, convolution.convolve2d_fast])
def test_bad_kernels_and_geometry_raise(kernel, kwargs, impl):
    with pytest.raises(ValueError):
        impl(IMAGE, kernel, **kwargs)


def test_empty_image_raises():
    with pytest.raises(ValueError):
        convolution.convolve2d(np.zeros((0, 0)), np.ones((3, 3)))


@pytest.mark.parametrize("kernel", [np.zeros((3, 3)), np.full((3, 3), 1e30), np.full((3, 3), -1e30)])
def test_extreme_but_valid_kernels_still_work(kernel):
    out = convolution.convolve2d_fast(IMAGE, kernel)
    assert out.shape == (4, 4) and np.isfinite(out).all()


@pytest.mark.parametrize(
    "kwargs",
    [{"stride": 0}, {"padding": -2}, {"kernel_size": 0}, {"kernel_size": 20}, {"dilation": 0}],
)
def test_output_size_refuses_impossible_geometry(kwargs):
    args = {"n": 8, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError):
        convolution.output_size(**args)


# --- prompts and corpora (next word) ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_lstm():
    text = " ".join(read_corpus().split()[:3000])
    return language.train_language_model(text, "lstm", epochs=1)


@pytest.mark.parametrize(
    "prompt",
    ["", "   \n\t ", "word " * 2000, "🐶🌧️ 🚌", "zyxqv blorf quuxle", "?!.,;:", "This morning I took my dog for a"],
    ids=["empty", "whitespace", "10,000 characters", "emoji", "unknown words", "punctuation only", "normal"],
)
def test_any_prompt_gives_a_distribution(tiny_lstm, prompt):
    top = tiny_lstm.predict_next(prompt, k=5)
    assert len(top) == 5 and all(0 <= p <= 1 for _, p in top)
    assert tiny_lstm.next_distribution(prompt).sum() == pytest.approx(1.0, abs=1e-4)
    assert isinstance(tiny_lstm.generate(prompt, n=3, temperature=0.8), list)


def test_negative_temperature_is_refused(tiny_lstm):
    with pytest.raises(ValueError, match="temperature"):
        tiny_lstm.generate("the dog", n=3, temperature=-1)


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("", "lstm", "empty"),
        ("   \n ", "rnn", "empty"),
        ("a " * (language.MAX_TEXT_CHARS // 2 + 10), "bow", "too long"),
        ("the dog ran", "transformer", "kind"),
    ],
    ids=["empty", "blank", "over the size limit", "unknown kind"],
)
def test_bad_corpora_are_refused(text, kind, words):
    with pytest.raises(ValueError, match=words):
        language.train_language_model(text, kind, epochs=1)


@pytest.mark.parametrize("text", ["hello", "!!! ??? ...", "the dog"], ids=["one word", "punctuation only", "two words"])
def test_a_tiny_corpus_still_trains_or_says_why(text):
    try:
        model = language.train_language_model(text, "window", epochs=1)
    except ValueError as exc:
        assert "short" in str(exc) or "word" in str(exc)
    else:
        assert model.next_distribution("hello").sum() == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"\xff\xfe\xfa", "UTF-8"), (b"a" * 300_001, "limit")],
    ids=["empty file", "binary", "not utf-8", "over the size limit"],
)
def test_bad_text_uploads(data, words):
    with pytest.raises(ValueError, match=words):
        language.decode_text(data, max_bytes=300_000)


# --- the canvas (draw and classify) ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick_xo():
    return cnn.train_classifier("xo", epochs=1, cooldown_epochs=0)


def _canvas() -> np.ndarray:
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = 255
    return rgba


def test_blank_and_missing_canvas_give_no_prediction(quick_xo):
    assert quick_xo.predict_proba(None) is None
    assert quick_xo.predict_proba(_canvas()) is None
    assert quick_xo.predict_proba(np.zeros((280, 280, 4), dtype=np.uint8)) is None  # fully transparent


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((1, 1), dtype=np.uint8),
        np.zeros((2000, 2000, 3), dtype=np.uint8),
        np.random.default_rng(0).random((50, 70)).astype(np.float32),
        np.full((40, 40), 0.5, dtype=np.float64),
    ],
    ids=["1x1", "2000x2000 rgb", "float noise", "flat float"],
)
def test_odd_arrays_give_a_prediction_none_or_a_reason(quick_xo, image):
    try:
        probs = quick_xo.predict_proba(image)
    except ValueError as exc:  # e.g. too small to hold a drawing: the message says what it needs
        assert "pixels" in str(exc) or "image" in str(exc)
    else:
        assert probs is None or sum(probs.values()) == pytest.approx(1.0, abs=1e-4)


def test_a_single_dot_and_ink_on_the_border(quick_xo):
    dot = _canvas()
    dot[140:143, 140:143, :3] = 0
    border = _canvas()
    border[:, :12, :3] = 0  # a thick line along the left edge
    for image in (dot, border):
        probs = quick_xo.predict_proba(image)
        assert probs is None or sum(probs.values()) == pytest.approx(1.0, abs=1e-4)


# --- pages: bad input through the UI ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("page", "widget", "key", "value"),
    [
        ("text_speech", "text_input", "text_speech_handmade_sentence", "🙂🙂🙂"),
        ("text_speech", "text_input", "text_speech_handmade_sentence", "x" * 5000),
        ("next_word", "text_input", "next_word_prompt", ""),
        ("next_word", "text_input", "next_word_prompt", "🐶" * 100),
        ("next_word", "text_input", "next_word_prompt", "word " * 2000),
        ("next_word", "text_input", "next_word_prompt", "... !!!"),
    ],
    ids=["emoji sentence", "5,000-char sentence", "empty prompt", "emoji prompt", "10,000-char prompt", "punctuation"],
)
def test_pages_survive_bad_text(page, widget, key, value):
    at = AppTest.from_file(f"../pages/{page}.py", default_timeout=300).run()
    assert not at.exception
    getattr(at, widget)(key=key).input(value).run()
    assert not at.exception, at.exception
