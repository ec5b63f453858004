"""The convolution operation by hand: the classic image kernels, sliding-window cross-correlation, pooling and
output shapes. Every hand-written step here is checked against torch in the tests.

Loading and showing pictures is ``models.pictures``; parameter counts per layer type are ``models.weight_sharing``;
Rohrer's X/O study is ``models.xo_case_study``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F

# --- Classic image kernels ("Producing Feature Maps" slide first) ---------------------------------------------------
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "edge detect": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "strong edge detect": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "Sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "Sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}


def kernel_preset(name: str, size: int = 3) -> np.ndarray:
    """A named kernel at 3×3 or 5×5: blurs get a true 5×5 version, the others are centred in zeros."""
    if name not in KERNEL_PRESETS:
        raise ValueError(f"Unknown kernel {name!r}; choose one of {', '.join(KERNEL_PRESETS)}.")
    if size not in (3, 5):
        raise ValueError(f"Kernel presets come in 3×3 and 5×5, not {size}×{size}.")
    if size == 3:
        return KERNEL_PRESETS[name].copy()
    if name == "box blur":
        return np.full((5, 5), 1 / 25)
    if name == "Gaussian blur":
        row = np.array([1, 4, 6, 4, 1], dtype=float)
        return np.outer(row, row) / 256
    return np.pad(KERNEL_PRESETS[name], 1)


def box_kernel(size: int) -> np.ndarray:
    """A size×size averaging kernel (every weight 1/size²)."""
    if int(size) != size or size < 1:
        raise ValueError(f"The kernel size must be a whole number of at least 1, got {size}.")
    return np.full((size, size), 1 / size**2)


# --- Checks ----------------------------------------------------------------------------------------------------------
def check_image(image: np.ndarray) -> np.ndarray:
    """A 2-D, non-empty, finite float array, or a ValueError saying what is wrong."""
    arr = np.asarray(image, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"The image must be a 2-D array (height × width), got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError("The image is empty (it has no pixels).")
    if not np.isfinite(arr).all():
        raise ValueError("The image contains NaN or infinite pixel values.")
    return arr


def check_kernel(kernel: np.ndarray) -> np.ndarray:
    """A 2-D, non-empty, finite float array, or a ValueError saying what is wrong."""
    arr = np.asarray(kernel, dtype=float)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"The kernel must be a non-empty 2-D array, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError("Every kernel value must be a finite number (found an empty cell, NaN or infinity).")
    return arr


def _check_geometry(stride: int, padding: int, dilation: int = 1) -> None:
    if int(stride) != stride or stride < 1:
        raise ValueError(f"The stride must be a whole number of at least 1, got {stride}.")
    if int(padding) != padding or padding < 0:
        raise ValueError(f"The padding must be a whole number of at least 0, got {padding}.")
    if int(dilation) != dilation or dilation < 1:
        raise ValueError(f"The dilation must be a whole number of at least 1, got {dilation}.")


def kernel_reach(kernel_size: int, dilation: int = 1) -> int:
    """How many pixels one (possibly dilated) k×k window spans along an axis: d(k − 1) + 1."""
    return dilation * (kernel_size - 1) + 1


def output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 (the slide's ⌊(n + 2p − k)/s⌋ + 1 when d = 1)."""
    _check_geometry(stride, padding, dilation)
    if n < 1 or kernel_size < 1:
        raise ValueError(f"The input size and kernel size must be at least 1, got n={n}, k={kernel_size}.")
    span = kernel_reach(kernel_size, dilation)
    if span > n + 2 * padding:
        raise ValueError(
            f"The kernel (reaching {span} pixels) is larger than the padded input ({n} + 2×{padding} = "
            f"{n + 2 * padding} pixels): there is nowhere to place it."
        )
    return (n + 2 * padding - span) // stride + 1


def output_shape(
    shape: tuple[int, int], kernel_shape: tuple[int, int], stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[int, int]:
    """(height, width) of a 2-D feature map."""
    return (
        output_size(shape[0], kernel_shape[0], stride, padding, dilation),
        output_size(shape[1], kernel_shape[1], stride, padding, dilation),
    )


def pad2d(image: np.ndarray, padding: int) -> np.ndarray:
    """Surround the image with ``padding`` rings of zeros."""
    _check_geometry(1, padding)
    return np.pad(np.asarray(image, dtype=float), padding, mode="constant", constant_values=0.0)


# --- Convolution -----------------------------------------------------------------------------------------------------
def window(
    padded: np.ndarray, row: int, col: int, kernel_shape: tuple[int, int], stride: int = 1, dilation: int = 1
) -> np.ndarray:
    """The patch of an already padded image that output cell (row, col) sees."""
    kh, kw = kernel_shape
    top, left = row * stride, col * stride
    return padded[top : top + dilation * (kh - 1) + 1 : dilation, left : left + dilation * (kw - 1) + 1 : dilation]


def convolve2d(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> np.ndarray:
    """Slide the kernel over the image; at each stop multiply element-wise and add up (cross-correlation)."""
    image, kernel = check_image(image), check_kernel(kernel)
    out_h, out_w = output_shape(image.shape, kernel.shape, stride, padding, dilation)
    padded = pad2d(image, padding)
    out = np.empty((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = window(padded, i, j, kernel.shape, stride, dilation)
            out[i, j] = np.sum(patch * kernel)
    return out


def convolve2d_fast(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> np.ndarray:
    """The same result as ``convolve2d``, computed by torch (for big images)."""
    image, kernel = check_image(image), check_kernel(kernel)
    output_shape(image.shape, kernel.shape, stride, padding, dilation)  # same checks and messages
    x = torch.from_numpy(image)[None, None]  # (1, 1, H, W)
    w = torch.from_numpy(kernel)[None, None]  # (1, 1, kh, kw)
    with torch.no_grad():
        y = F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)  # (1, 1, H', W')
    return y[0, 0].numpy()


def relu(x: np.ndarray) -> np.ndarray:
    """Negative values become 0."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _pool_size(n: int, size: int, stride: int, ceil_mode: bool) -> int:
    if ceil_mode:
        out = math.ceil((n - size) / stride) + 1
        return out - 1 if (out - 1) * stride >= n else out  # the last window must start inside the input
    return (n - size) // stride + 1


def pool2d(
    x: np.ndarray, size: int = 2, stride: int | None = None, mode: str = "max", ceil_mode: bool = False
) -> np.ndarray:
    """Summarise each size×size window by its max or average (``stride`` defaults to ``size``), like torch's pooling.

    ``ceil_mode=True`` keeps the partial windows at the right and bottom edges, as Rohrer's slides do.
    """
    x = check_image(x)
    stride = size if stride is None else stride
    _check_geometry(stride, 0)
    if mode not in ("max", "avg"):
        raise ValueError(f'The pooling mode must be "max" or "avg", got {mode!r}.')
    if int(size) != size or size < 1:
        raise ValueError(f"The pooling size must be a whole number of at least 1, got {size}.")
    if size > min(x.shape):
        raise ValueError(f"The pooling window ({size}×{size}) is larger than the input {x.shape[0]}×{x.shape[1]}.")
    out_h, out_w = _pool_size(x.shape[0], size, stride, ceil_mode), _pool_size(x.shape[1], size, stride, ceil_mode)
    out = np.empty((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[i * stride : i * stride + size, j * stride : j * stride + size]  # clipped at the edges
            out[i, j] = patch.max() if mode == "max" else patch.mean()
    return out


def pool2d_fast(
    x: np.ndarray, size: int = 2, stride: int | None = None, mode: str = "max", ceil_mode: bool = False
) -> np.ndarray:
    """The same result as ``pool2d``, computed by torch (for big images)."""
    x = check_image(x)
    stride = size if stride is None else stride
    _check_geometry(stride, 0)
    if mode not in ("max", "avg"):
        raise ValueError(f'The pooling mode must be "max" or "avg", got {mode!r}.')
    if int(size) != size or size < 1 or size > min(x.shape):
        raise ValueError(f"The pooling window ({size}×{size}) does not fit the input {x.shape[0]}×{x.shape[1]}.")
    t = torch.from_numpy(x)[None, None]  # (1, 1, H, W)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(t, size, stride, ceil_mode=ceil_mode)[0, 0].numpy()


def coverage(n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """How many output cells read each cell of the padded n×n input (0 = never read)."""
    out = output_size(n, kernel_size, stride, padding, dilation)
    counts = np.zeros((n + 2 * padding, n + 2 * padding), dtype=int)
    for i in range(out):
        for j in range(out):
            window(counts, i, j, (kernel_size, kernel_size), stride, dilation)[...] += 1  # a view: adds in place
    return counts


def receptive_cells(row: int, col: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> list[tuple[int, int]]:
    """The (row, col) cells of the padded input that output cell (row, col) reads."""
    offsets = [a * dilation for a in range(kernel_size)]
    return [(row * stride + a, col * stride + b) for a in offsets for b in offsets]


def filled_so_far(feature: np.ndarray, position: int) -> np.ndarray:
    """The feature map as a sliding window has filled it after visiting ``position`` (row by row); later cells NaN."""
    feature = np.asarray(feature, dtype=float)
    order = np.arange(feature.size).reshape(feature.shape)
    return np.where(order <= position, feature, np.nan)


def practice_question(number: int) -> tuple[int, int, int, int]:
    """The ``number``-th generated Practice 1 question (n, k, p, s): seeded, so every student gets the same ones."""
    rng = np.random.default_rng(number)
    while True:
        n, k = int(rng.integers(4, 33)), int(rng.choice([1, 3, 5, 7]))
        p, s = int(rng.integers(0, 3)), int(rng.integers(1, 4))
        if k <= n + 2 * p:
            return n, k, p, s
