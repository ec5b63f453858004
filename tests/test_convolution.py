"""models/convolution.py against torch: convolution, pooling, output shapes, kernels; and bad kernels or geometry."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from models import convolution as conv

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


def test_coverage_and_receptive_cells():
    counts = conv.coverage(5, 3, stride=2, padding=1)
    assert counts.shape == (7, 7) and counts.sum() == 9 * 9  # 3×3 outputs, 9 cells each
    assert counts[2, 2] == 4  # read by four overlapping windows
    assert conv.receptive_cells(1, 2, 3, stride=2) == [(2 + a, 4 + b) for a in range(3) for b in range(3)]
    assert conv.coverage(5, 3, 1, 0, dilation=2).sum() == 9


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
@pytest.mark.parametrize("impl", [conv.convolve2d, conv.convolve2d_fast])
def test_bad_kernels_and_geometry_raise(kernel, kwargs, impl):
    with pytest.raises(ValueError):
        impl(IMAGE, kernel, **kwargs)


def test_empty_image_raises():
    with pytest.raises(ValueError):
        conv.convolve2d(np.zeros((0, 0)), np.ones((3, 3)))


@pytest.mark.parametrize("kernel", [np.zeros((3, 3)), np.full((3, 3), 1e30), np.full((3, 3), -1e30)])
def test_extreme_but_valid_kernels_still_work(kernel):
    out = conv.convolve2d_fast(IMAGE, kernel)
    assert out.shape == (4, 4) and np.isfinite(out).all()


@pytest.mark.parametrize(
    "kwargs",
    [{"stride": 0}, {"padding": -2}, {"kernel_size": 0}, {"kernel_size": 20}, {"dilation": 0}],
)
def test_output_size_refuses_impossible_geometry(kwargs):
    args = {"n": 8, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError):
        conv.output_size(**args)


def test_kernel_presets():
    for name in conv.KERNEL_PRESETS:
        for size in (3, 5):
            kernel = conv.kernel_preset(name, size)
            assert kernel.shape == (size, size)
    np.testing.assert_allclose(conv.kernel_preset("Gaussian blur", 5).sum(), 1.0)
    np.testing.assert_allclose(conv.box_kernel(4).sum(), 1.0)
    with pytest.raises(ValueError, match="Unknown kernel"):
        conv.kernel_preset("nope")


def test_kernel_reach_filled_map_and_practice_questions():
    assert conv.kernel_reach(3) == 3 and conv.kernel_reach(3, 2) == 5
    filled = conv.filled_so_far(np.arange(6.0).reshape(2, 3), 3)
    assert np.isnan(filled).sum() == 2 and filled[1, 0] == 3
    questions = [conv.practice_question(i) for i in range(1, 30)]
    assert questions == [conv.practice_question(i) for i in range(1, 30)]  # seeded: the same for everyone
    assert all(k <= n + 2 * p for n, k, p, s in questions)
