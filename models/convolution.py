"""The convolution operation by hand: sliding-window cross-correlation, pooling, output shapes and layer sizes.

Also the classic image kernels, a safe image loader (PIL + numpy) for uploads and pictures on a fixed scale.
Every hand-written step here is checked against torch in the tests (Rohrer's X/O study: ``xo_case_study``).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps
from torch import nn
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


# --- Image loading limits -------------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # bigger files are refused before decoding
MAX_DECODE_PIXELS = 40_000_000  # header says more than this: refuse (a decompression bomb or a poster scan)
MAX_SIDE = 512  # longer sides are downscaled to this, with a note


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


# --- Layer types: how many parameters? -----------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerCounts:
    """Parameter counts (weights + biases) of three layers mapping the same input to the same output volume."""

    output_height: int  # H' = W' of the output feature maps
    fully_connected: int  # every output unit sees every input value
    locally_connected: int  # each output unit sees a k×k×C patch, with its own weights
    convolutional: int  # every output position shares one k×k×C kernel per output channel


def fully_connected_parameters(n_inputs: int, n_outputs: int) -> int:
    """Weights n_in × n_out plus one bias per output (``nn.Linear``)."""
    return n_inputs * n_outputs + n_outputs


def conv_parameters(in_channels: int, out_channels: int, kernel_size: int) -> int:
    """One k×k×C_in kernel and one bias per output channel (``nn.Conv2d``); independent of the image size."""
    return out_channels * (kernel_size * kernel_size * in_channels + 1)


def locally_connected_parameters(
    out_height: int, out_width: int, in_channels: int, out_channels: int, kernel_size: int
) -> int:
    """A separate k×k×C_in kernel and bias at every output position (no weight sharing)."""
    return out_height * out_width * conv_parameters(in_channels, out_channels, kernel_size)


def layer_counts(
    n: int, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0
) -> LayerCounts:
    """Parameter counts of FC, locally connected and conv layers for an n×n×C_in input and the conv's output shape."""
    out = output_size(n, kernel_size, stride, padding)
    return LayerCounts(
        output_height=out,
        fully_connected=fully_connected_parameters(n * n * in_channels, out * out * out_channels),
        locally_connected=locally_connected_parameters(out, out, in_channels, out_channels, kernel_size),
        convolutional=conv_parameters(in_channels, out_channels, kernel_size),
    )


def example_kernels(places: int = 4, seed: int = 9) -> tuple[list[np.ndarray], np.ndarray]:
    """Random 3×3 kernels for the weight-sharing picture: one per place (locally connected), and one shared."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=(3, 3))
    return [rng.normal(size=(3, 3)) for _ in range(places)], shared


class LocallyConnected2d(nn.Module):
    """A convolution without weight sharing: every output position has its own kernel and bias.

    Left out on purpose: dilation and groups; this layer exists to count (and check) parameters.
    """

    def __init__(
        self, in_channels: int, out_channels: int, n: int, kernel_size: int, stride: int = 1, padding: int = 0
    ):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.out_size = output_size(n, kernel_size, stride, padding)
        positions = self.out_size * self.out_size
        self.weight = nn.Parameter(torch.randn(positions, out_channels, in_channels * kernel_size**2) * 0.1)
        self.bias = nn.Parameter(torch.zeros(positions, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        patches = F.unfold(x, self.kernel_size, stride=self.stride, padding=self.padding)  # (B, C·k·k, L)
        y = torch.einsum("bkl,lok->blo", patches, self.weight) + self.bias  # (B, L, C_out)
        return y.permute(0, 2, 1).reshape(x.shape[0], -1, self.out_size, self.out_size)  # (B, C_out, H', W')


# --- Images ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedImage:
    """A grayscale image in [0, 1] ready for the playground, and a note on what was done to it (or "")."""

    pixels: np.ndarray  # (H, W) float in [0, 1], 0 = black
    note: str  # e.g. "Downscaled from 4000×3000 to 512×384." or ""


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """An (H, W, 3) uint8 photo as (H, W) luminance in [0, 1] (ITU-R 601 weights, as PIL's "L" mode)."""
    rgb = np.asarray(rgb, dtype=float)
    if rgb.ndim == 2:
        return rgb / 255.0
    return (rgb[..., :3] @ np.array([0.299, 0.587, 0.114])) / 255.0


def resize(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink a [0, 1] image so its longer side is at most ``max_side`` (area averaging); small images are kept."""
    image = check_image(image)
    h, w = image.shape
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    pil = Image.fromarray(np.asarray(image, dtype=np.float32), mode="F")
    return np.asarray(pil.resize(size, Image.Resampling.BOX), dtype=float)


def load_image(data: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_UPLOAD_BYTES) -> LoadedImage:
    """Decode an uploaded file into a grayscale [0, 1] array, safely; ValueError with a clear message if it can't."""
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("The image is too large to open safely (a decompression bomb?).") from None
    except Exception:  # PIL raises many kinds of errors on damaged or crafted files
        raise ValueError("This file could not be read as an image (it may be damaged or not an image).") from None
    w, h = im.size
    if w * h > MAX_DECODE_PIXELS:
        raise ValueError(
            f"The image claims to be {w}×{h} pixels, too large to open safely "
            f"(limit {MAX_DECODE_PIXELS / 1e6:.0f} megapixels)."
        )
    try:
        with warnings.catch_warnings(), im:
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            frames = getattr(im, "n_frames", 1)
            im.seek(0)  # animated GIF/WebP: the first frame
            im.draft("L", (max_side, max_side))  # JPEG: decode at a reduced size, much faster
            gray = _as_gray(ImageOps.exif_transpose(im))
    except Exception:
        raise ValueError("This file could not be decoded as an image (it may be damaged or truncated).") from None
    notes = []
    if frames > 1:
        notes.append(f"Animated image: using the first of its {frames} frames.")
    if max(gray.shape) > max_side:
        small = resize(gray, max_side)
        notes.append(f"Downscaled from {w}×{h} to {small.shape[1]}×{small.shape[0]} pixels.")
        gray = small
    return LoadedImage(np.clip(gray, 0.0, 1.0), " ".join(notes))


DISPLAY_SCALES = {  # how a picture's values become grey levels (values are in pixel units: 1.0 = 255)
    "clip": "0 is black and 255 white; values outside 0…255 are clipped",
    "signed": "0 is mid-grey, +255 white and −255 black; values beyond ±255 are clipped",
}


def display_scale(kernel: np.ndarray) -> str:
    """ "signed" for a kernel whose weights add up to 0 (an edge or gradient detector), "clip" for any other."""
    return "signed" if abs(float(np.sum(check_kernel(kernel)))) < 1e-9 else "clip"


def to_display(image: np.ndarray, width: int | None = None, scale: str = "clip") -> np.ndarray:
    """Values in pixel units (1.0 = 255) as 0…255 grey levels on a fixed ``scale`` (see DISPLAY_SCALES), optionally
    resized to ``width`` (sharp pixels when enlarged)."""
    image = check_image(image)
    if scale not in DISPLAY_SCALES:
        raise ValueError(f"The display scale must be one of {', '.join(DISPLAY_SCALES)}, got {scale!r}.")
    levels = (image + 1.0) / 2.0 if scale == "signed" else image
    out = np.round(np.clip(levels, 0.0, 1.0) * 255).astype(np.uint8)
    if width is None or width == out.shape[1]:
        return out
    height = max(1, round(out.shape[0] * width / out.shape[1]))
    method = Image.Resampling.NEAREST if width > out.shape[1] else Image.Resampling.BOX
    return np.asarray(Image.fromarray(out).resize((width, height), method))


def clipped_share(image: np.ndarray, scale: str = "clip") -> float:
    """The share of pixels whose value lies outside the display scale (drawn as pure black or white)."""
    image = check_image(image)
    lo, hi = (-1.0, 1.0) if scale == "signed" else (0.0, 1.0)
    return float(np.mean((image < lo - 1e-9) | (image > hi + 1e-9)))


def _as_gray(im: Image.Image) -> np.ndarray:
    """Any PIL mode (RGB, RGBA, CMYK, P, LA, I;16, F, 1) as a [0, 1] float array; transparency becomes white."""
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(im, dtype=float)
        lo, hi = float(arr.min()), float(arr.max())
        return (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    return np.asarray(im.convert("L"), dtype=float) / 255.0
