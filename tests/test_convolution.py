"""models/convolution.py against torch: convolution, pooling, output shapes, parameter counts; plus bad input."""

import io
import itertools
import zlib

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F

from models import convolution as conv
from models import xo_case_study as xo

RNG = np.random.default_rng(0)


def torch_conv(image, kernel, stride, padding, dilation=1):
    x = torch.from_numpy(np.asarray(image, dtype=float))[None, None]
    w = torch.from_numpy(np.asarray(kernel, dtype=float))[None, None]
    return F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


GRID = [
    (h, w, k, s, p, d)
    for (h, w), k, s, p, d in itertools.product([(5, 5), (7, 9), (12, 8)], [1, 2, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2])
    if d * (k - 1) + 1 <= min(h, w) + 2 * p
]


@pytest.mark.parametrize(("h", "w", "k", "s", "p", "d"), GRID)
def test_convolve2d_matches_torch_conv2d(h, w, k, s, p, d):
    image, kernel = RNG.normal(size=(h, w)), RNG.normal(size=(k, k))
    expected = torch_conv(image, kernel, s, p, d)
    np.testing.assert_allclose(conv.convolve2d(image, kernel, s, p, d), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv.convolve2d_fast(image, kernel, s, p, d), expected, rtol=1e-10, atol=1e-10)
    assert expected.shape == conv.output_shape((h, w), (k, k), s, p, d)


def test_non_square_kernel_and_fast_path_on_a_big_image():
    image, kernel = RNG.random((64, 80)), RNG.normal(size=(3, 5))
    np.testing.assert_allclose(conv.convolve2d(image, kernel, 2, 1), torch_conv(image, kernel, 2, 1), atol=1e-10)
    np.testing.assert_allclose(conv.convolve2d(image, kernel, 1, 2), conv.convolve2d_fast(image, kernel, 1, 2))


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "d"), list(itertools.product([1, 4, 7, 28], [1, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2]))
)
def test_output_size_matches_torch(n, k, s, p, d):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv.output_size(n, k, s, p, d)
        return
    layer = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    assert layer(torch.zeros(1, 1, n, n)).shape[-1] == conv.output_size(n, k, s, p, d)


def test_slide_practice_cases():
    assert conv.output_size(5, 3, stride=1, padding=1) == 5
    assert conv.output_size(5, 3, stride=2, padding=1) == 3
    assert conv.output_size(7, 3, stride=2, padding=1) == 4


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("h", "w", "size", "stride", "ceil"), [
    (4, 4, 2, None, False), (7, 7, 2, None, False), (7, 7, 2, None, True), (9, 6, 3, 2, False),
    (9, 6, 3, 2, True), (10, 10, 3, 1, False), (5, 8, 2, 3, True),
])  # fmt: skip
def test_pool2d_matches_torch(mode, h, w, size, stride, ceil):
    x = RNG.normal(size=(h, w))
    t = torch.from_numpy(x)[None, None]
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = pool(t, size, stride if stride is not None else size, ceil_mode=ceil)[0, 0].numpy()
    np.testing.assert_allclose(conv.pool2d(x, size, stride, mode, ceil), expected, atol=1e-12)
    np.testing.assert_allclose(conv.pool2d_fast(x, size, stride, mode, ceil), expected, atol=1e-12)


def test_rohrer_constants_are_the_slides():
    for img in xo.ROHRER_IMAGES.values():
        assert img.shape == (9, 9) and set(np.unique(img)) == {-1.0, 1.0}
    assert np.array_equal(xo.FILTER_DIAGONAL, np.where(np.eye(3) > 0, 1, -1))
    assert np.array_equal(xo.FILTER_ANTI_DIAGONAL, np.fliplr(xo.FILTER_DIAGONAL))
    assert xo.FILTER_X_CENTRE[1, 1] == 1 and xo.FILTER_X_CENTRE[0, 1] == -1
    # "element-wise multiply, add outputs" = 9: the diagonal filter on the X's top-left stroke
    assert np.sum(xo.ROHRER_X[1:4, 1:4] * xo.FILTER_DIAGONAL) == 9
    maps = xo.match_maps(xo.ROHRER_X)
    assert maps["X centre"][3, 3] == 1.0 and maps["diagonal \\"][1, 1] == 1.0 and maps["diagonal /"][1, 5] == 1.0


def test_xo_pooling_matches_torch():
    for image in xo.ROHRER_IMAGES.values():
        for name, m in xo.match_maps(image).items():
            t = torch.from_numpy(np.maximum(m, 0))[None, None]
            once = F.max_pool2d(t, 2, ceil_mode=True)
            np.testing.assert_allclose(xo.pooled_maps(image)[name], once[0, 0].numpy())
            np.testing.assert_allclose(xo.quarter_maps(image)[name], F.max_pool2d(once, 2, ceil_mode=True)[0, 0])


def test_voting_weights_are_read_off_the_references():
    wx, wo = xo.voting_weights("X"), xo.voting_weights("O")
    for name in xo.ROHRER_FILTERS:
        assert set(np.unique(wx[name])) <= {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(wx["diagonal \\"], [[1, -1], [-1, 1]])  # the X's "\" strokes sit on its diagonal
    np.testing.assert_array_equal(wo["diagonal \\"], [[-1, 1], [1, -1]])  # the O's sit in the other corners
    with pytest.raises(ValueError, match="letter"):
        xo.voting_weights("Y")


def test_shift_moves_pixels_and_fills_with_background():
    moved = xo.shift(xo.ROHRER_X, 1, -1)
    assert moved[2, 0] == 1 and moved[0].max() == -1 and moved[:, 8].max() == -1


def test_coverage_and_receptive_cells():
    counts = conv.coverage(5, 3, stride=2, padding=1)
    assert counts.shape == (7, 7) and counts.sum() == 9 * 9  # 3×3 outputs, 9 cells each
    assert counts[2, 2] == 4  # read by four overlapping windows
    assert conv.receptive_cells(1, 2, 3, stride=2) == [(2 + a, 4 + b) for a in range(3) for b in range(3)]
    assert conv.coverage(5, 3, 1, 0, dilation=2).sum() == 9


@pytest.mark.parametrize(
    ("n", "cin", "cout", "k", "s", "p"), [(8, 1, 4, 3, 1, 0), (6, 3, 2, 3, 2, 1), (5, 2, 3, 5, 1, 0)]
)
def test_layer_counts_match_torch_modules(n, cin, cout, k, s, p):
    counts = conv.layer_counts(n, cin, cout, k, s, p)
    out = counts.output_height

    def numel(m):
        return sum(q.numel() for q in m.parameters())

    assert counts.convolutional == numel(nn.Conv2d(cin, cout, k, stride=s, padding=p))
    assert counts.fully_connected == numel(nn.Linear(n * n * cin, out * out * cout))
    local = conv.LocallyConnected2d(cin, cout, n, k, s, p)
    assert counts.locally_connected == numel(local)
    assert counts.locally_connected == out * out * cout * (k * k * cin + 1)


def test_locally_connected_with_shared_weights_is_a_convolution():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    local = conv.LocallyConnected2d(2, 3, 7, 3, stride=2, padding=1)
    with torch.no_grad():
        local.weight.copy_(layer.weight.reshape(3, -1).expand_as(local.weight))
        local.bias.copy_(layer.bias.expand_as(local.bias))
    x = torch.randn(2, 2, 7, 7)
    torch.testing.assert_close(local(x), layer(x))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.convolve2d(np.ones((5, 5)), [[1, np.nan], [0, 1]]), "finite"),
        (lambda: conv.convolve2d(np.ones((5, 5)), [[1, np.inf], [0, 1]]), "finite"),
        (lambda: conv.convolve2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
        (lambda: conv.convolve2d(np.ones((5, 5)), np.ones((3, 3)), padding=-1), "padding"),
        (lambda: conv.convolve2d(np.ones((2, 2)), np.ones((5, 5)), padding=1), "larger than the padded"),
        (lambda: conv.convolve2d(np.ones((0, 4)), np.ones((1, 1))), "empty"),
        (lambda: conv.convolve2d_fast(np.ones((5, 5)), [[np.nan]]), "finite"),
        (lambda: conv.convolve2d_fast(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
        (lambda: conv.convolve2d(np.ones((5, 5)), np.ones((3, 3)), dilation=0), "dilation"),
        (lambda: conv.pool2d(np.ones((3, 3)), 4), "larger"),
        (lambda: conv.pool2d(np.ones((3, 3)), 2, mode="min"), "mode"),
    ],
)
def test_bad_input_raises_clear_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_load_image_modes():
    rgb = Image.fromarray((RNG.random((20, 30, 3)) * 255).astype(np.uint8))
    for img, fmt in [
        (rgb, "PNG"),
        (rgb.convert("CMYK"), "JPEG"),
        (rgb.convert("P"), "PNG"),
        (rgb.convert("LA"), "PNG"),
    ]:
        loaded = conv.load_image(_encode(img, fmt))
        assert loaded.pixels.shape == (20, 30) and 0 <= loaded.pixels.min() <= loaded.pixels.max() <= 1
    one = conv.load_image(_encode(Image.new("L", (1, 1), 128), "PNG"))
    assert one.pixels.shape == (1, 1) and one.note == ""
    sixteen = conv.load_image(_encode(Image.fromarray(np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000), "PNG"))
    assert sixteen.pixels.max() == 1.0


def test_load_image_animated_gif_uses_first_frame():
    frames = [Image.new("L", (10, 10), v) for v in (0, 255)]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = conv.load_image(data)
    assert loaded.pixels.max() == 0.0 and "first" in loaded.note


def test_load_image_downscales_big_images_with_a_note():
    loaded = conv.load_image(_encode(Image.new("L", (2000, 1000), 255), "PNG"), max_side=256)
    assert loaded.pixels.shape == (128, 256) and "Downscaled" in loaded.note


def test_load_image_rejects_bad_files():
    with pytest.raises(ValueError, match="empty"):
        conv.load_image(b"")
    with pytest.raises(ValueError, match="could not be read"):
        conv.load_image(b"this is not an image at all")
    with pytest.raises(ValueError, match="limit"):
        conv.load_image(b"0" * 100, max_bytes=10)
    truncated = _encode(Image.new("RGB", (64, 64), "red"), "PNG")[:60]
    with pytest.raises(ValueError, match="could not be"):
        conv.load_image(truncated)
    # A decompression bomb: a tiny file whose header claims 100 000 × 100 000 pixels; refused before decoding.
    bomb = _encode(Image.new("1", (10, 10)), "PNG")
    ihdr = b"IHDR" + (100_000).to_bytes(4, "big") * 2 + bomb[24:29]
    bomb = bomb[:12] + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + bomb[33:]
    with pytest.raises(ValueError, match="too large"):
        conv.load_image(bomb)


def test_resize_and_grayscale():
    assert conv.resize(np.ones((40, 20)), 10).shape == (10, 5)
    assert conv.resize(np.ones((4, 2)), 10).shape == (4, 2)
    gray = conv.to_grayscale(np.full((2, 2, 3), 255, dtype=np.uint8))
    np.testing.assert_allclose(gray, 1.0)


def test_kernel_presets_and_display():
    for name in conv.KERNEL_PRESETS:
        for size in (3, 5):
            kernel = conv.kernel_preset(name, size)
            assert kernel.shape == (size, size)
    np.testing.assert_allclose(conv.kernel_preset("Gaussian blur", 5).sum(), 1.0)
    np.testing.assert_allclose(conv.box_kernel(4).sum(), 1.0)
    with pytest.raises(ValueError, match="Unknown kernel"):
        conv.kernel_preset("nope")
    shown = conv.to_display(np.array([[-2.0, 0.0], [0.5, 2.0]]))  # clip: 0…1 is black…white, the rest clipped
    assert shown.dtype == np.uint8 and shown.tolist() == [[0, 0], [128, 255]]
    signed = conv.to_display(np.array([[-2.0, 0.0], [0.5, 2.0]]), scale="signed")  # 0 is mid-grey
    assert signed.tolist() == [[0, 128], [191, 255]]
    big = conv.to_display(np.eye(4), width=100)
    assert big.shape == (100, 100) and set(np.unique(big)) == {0, 255}  # enlarged with sharp pixels
    assert conv.to_display(np.ones((3, 3)), width=6).min() == 255  # a uniform white image stays white
    assert conv.display_scale(conv.KERNEL_PRESETS["edge detect"]) == "signed"
    assert conv.display_scale(conv.KERNEL_PRESETS["sharpen"]) == "clip"
    assert conv.clipped_share(np.array([[-0.5, 0.5], [1.5, 1.0]])) == 0.5
    with pytest.raises(ValueError, match="scale"):
        conv.to_display(np.ones((2, 2)), scale="stretch")


def test_kernel_reach_filled_map_and_practice_questions():
    assert conv.kernel_reach(3) == 3 and conv.kernel_reach(3, 2) == 5
    filled = conv.filled_so_far(np.arange(6.0).reshape(2, 3), 3)
    assert np.isnan(filled).sum() == 2 and filled[1, 0] == 3
    questions = [conv.practice_question(i) for i in range(1, 30)]
    assert questions == [conv.practice_question(i) for i in range(1, 30)]  # seeded: the same for everyone
    assert all(k <= n + 2 * p for n, k, p, s in questions)
    local, shared = conv.example_kernels(4)
    assert len(local) == 4 and shared.shape == (3, 3)
