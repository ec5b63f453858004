"""Cached getters of the kernel playground: the pictures a student can filter, and the filtered, pooled and
displayed results. Each result is a ``ChosenImage`` that names itself, so a cache hashes its key, not its pixels."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits as _load_digits
from sklearn.datasets import load_sample_images as _load_sample_images

from components import resources
from models import convolution as _convolution
from models import pictures as _pictures
from models.kernel_lessons import ChosenImage

KERNELS_SAMPLE_PHOTOS = ("china.jpg", "flower.jpg")  # sklearn's bundled photos
KERNELS_MAX_UPLOADS = 8  # decoded uploads kept in memory at once
KERNELS_MAX_RESULTS = 64  # filtered images kept in memory at once


@resources.cache_data(max_entries=8)
def get_sample_photo(name: str, max_side: int) -> ChosenImage:
    """One of sklearn's bundled photos as grayscale in [0, 1], its longer side shrunk to ``max_side``."""
    photos = _load_sample_images()
    index = [p.rsplit("/", 1)[-1] for p in photos.filenames].index(name)
    return ChosenImage(
        ("photo", name, max_side), _pictures.resize(_pictures.to_grayscale(photos.images[index]), max_side)
    )


@resources.cache_data()
def get_digit_image(digit: int) -> ChosenImage:
    """The first 8×8 sklearn digit of a class, in [0, 1]."""
    digits = _load_digits()
    return ChosenImage(("digit", digit), digits.images[list(digits.target).index(digit)] / 16.0)


@resources.cache_data(max_entries=KERNELS_MAX_UPLOADS, ttl=resources.CUSTOM_TTL_SECONDS)
def get_uploaded_image(file_id: str, _data: bytes, max_side: int) -> tuple[ChosenImage, str]:
    """A decoded, checked upload named by the uploader's file id, and a note on what was done to it (or "").

    Raises ValueError for broken or huge files.
    """
    loaded = _pictures.load_image(_data, max_side=max_side)
    return ChosenImage(("upload", file_id, max_side), loaded.pixels), loaded.note


@resources.cache_data(max_entries=KERNELS_MAX_RESULTS)
def get_filtered(
    image: ChosenImage, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> ChosenImage:
    """The feature map of ``image`` (torch fast path; it matches ``convolve2d``, see tests), as float32.

    float32 halves what the cache unpickles on every rerun; the picture and the shape are all the page needs.
    """
    kernel = np.array(kernel, dtype=float)  # a writable copy: torch reads it in place
    pixels = _convolution.convolve2d_fast(image.pixels, kernel, stride, padding, dilation).astype(np.float32)
    return ChosenImage((*image.key, "conv", kernel.tobytes(), kernel.shape, stride, padding, dilation), pixels)


@resources.cache_data(max_entries=KERNELS_MAX_RESULTS)
def get_pooled(image: ChosenImage, size: int, stride: int, mode: str) -> ChosenImage:
    """``image`` pooled (torch fast path; it matches ``pool2d``, see tests)."""
    pixels = _convolution.pool2d_fast(image.pixels, size, stride, mode)
    return ChosenImage((*image.key, "pool", mode, size, stride), pixels)


@resources.cache_data(max_entries=KERNELS_MAX_RESULTS)
def get_display_png(image: ChosenImage, width: int, scale: str = "clip") -> bytes:
    """``image`` on a fixed grey ``scale`` (see ``pictures.DISPLAY_SCALES``), ``width`` pixels wide, as PNG.

    Already at its display width, Streamlit sends it as it is instead of decoding and re-encoding it every rerun.
    """
    buffer = io.BytesIO()
    Image.fromarray(_pictures.to_display(image.pixels, width, scale)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
