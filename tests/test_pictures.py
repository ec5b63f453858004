"""models/pictures.py: uploads in any format become grayscale pixels or a clear refusal; the fixed display scales."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from models import convolution as conv
from models import pictures

RNG = np.random.default_rng(0)


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _animated_gif() -> bytes:
    frames = [Image.new("P", (20, 20), color=i) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def test_load_image_modes():
    rgb = Image.fromarray((RNG.random((20, 30, 3)) * 255).astype(np.uint8))
    for img, fmt in [
        (rgb, "PNG"),
        (rgb.convert("CMYK"), "JPEG"),
        (rgb.convert("P"), "PNG"),
        (rgb.convert("LA"), "PNG"),
    ]:
        loaded = pictures.load_image(_encode(img, fmt))
        assert loaded.pixels.shape == (20, 30) and 0 <= loaded.pixels.min() <= loaded.pixels.max() <= 1
    one = pictures.load_image(_encode(Image.new("L", (1, 1), 128), "PNG"))
    assert one.pixels.shape == (1, 1) and one.note == ""
    sixteen = pictures.load_image(_encode(Image.fromarray(np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000), "PNG"))
    assert sixteen.pixels.max() == 1.0


def test_load_image_animated_gif_uses_first_frame():
    frames = [Image.new("L", (10, 10), v) for v in (0, 255)]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = pictures.load_image(data)
    assert loaded.pixels.max() == 0.0 and "first" in loaded.note


def test_load_image_downscales_big_images_with_a_note():
    loaded = pictures.load_image(_encode(Image.new("L", (2000, 1000), 255), "PNG"), max_side=256)
    assert loaded.pixels.shape == (128, 256) and "Downscaled" in loaded.note


def test_load_image_rejects_bad_files():
    with pytest.raises(ValueError, match="empty"):
        pictures.load_image(b"")
    with pytest.raises(ValueError, match="could not be read"):
        pictures.load_image(b"this is not an image at all")
    with pytest.raises(ValueError, match="limit"):
        pictures.load_image(b"0" * 100, max_bytes=10)
    truncated = _encode(Image.new("RGB", (64, 64), "red"), "PNG")[:60]
    with pytest.raises(ValueError, match="could not be"):
        pictures.load_image(truncated)
    # A decompression bomb: a tiny file whose header claims 100 000 × 100 000 pixels; refused before decoding.
    bomb = _encode(Image.new("1", (10, 10)), "PNG")
    ihdr = b"IHDR" + (100_000).to_bytes(4, "big") * 2 + bomb[24:29]
    bomb = bomb[:12] + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + bomb[33:]
    with pytest.raises(ValueError, match="too large"):
        pictures.load_image(bomb)


def test_corrupt_images_are_refused():
    png = _encode(Image.new("L", (40, 40), 128), "PNG")
    for data in (b"", b"this is not an image", png[: len(png) // 2], b"\x89PNG\r\n\x1a\n" + b"\x00" * 50):
        with pytest.raises(ValueError):
            pictures.load_image(data)


def test_huge_images_are_refused_before_decoding():
    # A 10,000 × 10,000 image compresses to almost nothing but would need 100 MB once decoded.
    data = _encode(Image.new("L", (10_000, 10_000), 0), "PNG")
    with pytest.raises(ValueError, match=r"pixels|large|megapixel"):
        pictures.load_image(data)


def test_uploads_over_the_byte_limit_are_refused():
    with pytest.raises(ValueError):
        pictures.load_image(b"\x00" * (pictures.MAX_UPLOAD_BYTES + 1))


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
    loaded = pictures.load_image(data)
    assert loaded.pixels.ndim == 2 and loaded.pixels.size >= 1
    assert max(loaded.pixels.shape) <= pictures.MAX_SIDE
    assert np.isfinite(loaded.pixels).all()


def test_resize_and_grayscale():
    assert pictures.resize(np.ones((40, 20)), 10).shape == (10, 5)
    assert pictures.resize(np.ones((4, 2)), 10).shape == (4, 2)
    gray = pictures.to_grayscale(np.full((2, 2, 3), 255, dtype=np.uint8))
    np.testing.assert_allclose(gray, 1.0)


def test_display_scales():
    shown = pictures.to_display(np.array([[-2.0, 0.0], [0.5, 2.0]]))  # clip: 0…1 is black…white, the rest clipped
    assert shown.dtype == np.uint8 and shown.tolist() == [[0, 0], [128, 255]]
    signed = pictures.to_display(np.array([[-2.0, 0.0], [0.5, 2.0]]), scale="signed")  # 0 is mid-grey
    assert signed.tolist() == [[0, 128], [191, 255]]
    big = pictures.to_display(np.eye(4), width=100)
    assert big.shape == (100, 100) and set(np.unique(big)) == {0, 255}  # enlarged with sharp pixels
    assert pictures.to_display(np.ones((3, 3)), width=6).min() == 255  # a uniform white image stays white
    assert pictures.display_scale(conv.KERNEL_PRESETS["edge detect"]) == "signed"
    assert pictures.display_scale(conv.KERNEL_PRESETS["sharpen"]) == "clip"
    assert pictures.clipped_share(np.array([[-0.5, 0.5], [1.5, 1.0]])) == 0.5
    with pytest.raises(ValueError, match="scale"):
        pictures.to_display(np.ones((2, 2)), scale="stretch")
