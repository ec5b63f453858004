"""The kernel playground's images: pick a photo, a digit or an upload, see it as numbers, and run the slide's
kernels (and an editable one) over it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import kernel_getters, lesson
from components.sections.kernel_display import KEEP, MEDIUM, SMALL, show_picture
from models import convolution as conv
from models import kernel_lessons as kl
from models import pictures
from models.kernel_lessons import ChosenImage

SOURCES = ["China (photo)", "Flower (photo)", "A digit (8×8)", "Upload your own"]
PHOTOS = {"China (photo)": "china.jpg", "Flower (photo)": "flower.jpg"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
GALLERY = ["identity", "sharpen", "edge detect", "strong edge detect"]  # the slide's feature maps


def choose_image() -> ChosenImage:
    """The image picker: a bundled photo, a digit or an upload (bad uploads fall back to a photo, with a message)."""
    left, right = st.columns([3, 2])
    source = left.radio("Image", SOURCES, horizontal=True, key="kernels_source", **KEEP)
    if source == "A digit (8×8)":
        digit = right.slider("Digit", 0, 9, 3, key="kernels_digit", **KEEP)
        return kernel_getters.get_digit_image(digit)
    side = right.select_slider("Longer side (pixels)", [32, 64, 128, 256, 512], 128, key="kernels_side", **KEEP)
    if source == "Upload your own":
        label = f"An image (at most {pictures.MAX_UPLOAD_BYTES // 2**20} MB; it is made grayscale)"
        upload = st.file_uploader(label, type=UPLOAD_TYPES, key="kernels_upload")
        if upload is None:
            st.caption("Until you upload a file, the China photo stands in.")
        else:
            try:
                uploaded, note = kernel_getters.get_uploaded_image(upload.file_id, upload.getvalue(), side)
            except ValueError as exc:
                lesson.friendly_error(f"{exc} Showing the China photo instead.")
            else:
                if note:
                    st.info(note, icon=":material/info:")
                return uploaded
    photo = PHOTOS.get(source, "china.jpg")
    return kernel_getters.get_sample_photo(photo, side)


def pixels_are_numbers() -> ChosenImage:
    """Section 1: the chosen image, and the same image as a small matrix of 0…255 values."""
    lesson.section(
        "1. Pixels are numbers",
        "A grayscale image is a matrix: 0 is black, 255 is white. Pick an image; the grid shows it shrunk "
        "so that every number fits.",
    )
    image = choose_image()
    values = kl.pixel_values(image.pixels, 16)
    col_img, col_grid = st.columns([1, 2])
    show_picture(col_img, image, caption=f"{image.pixels.shape[0]}×{image.pixels.shape[1]} pixels")
    lesson.show_chart("heatmap_chart", values, annotate=True, fmt=".0f", gray=True, domain=(0, 255), cell=30,
                      width="content", where=col_grid)  # fmt: skip
    col_grid.caption(f"The same image as a {values.shape[0]}×{values.shape[1]} matrix of pixel values (0 to 255).")
    return image


def kernel_gallery(image: ChosenImage) -> None:
    """Section 4: the slide's feature maps, then an editable kernel, every picture on a fixed, stated scale."""
    lesson.section(
        "4. Kernels",
        "The same operation with different weights finds different things. These are the slide's feature maps "
        "of the chosen image:",
    )
    for column, name in zip(st.columns(len(GALLERY)), GALLERY, strict=True):
        scale = pictures.display_scale(conv.KERNEL_PRESETS[name])
        out = kernel_getters.get_filtered(image, conv.KERNEL_PRESETS[name], 1, 1)
        caption = "original" if name == "identity" else f"{name} ({scale})"
        show_picture(column, out, width=SMALL, scale=scale, caption=caption)
    st.caption(
        "Each picture is drawn on a fixed scale, never stretched: **clip** means "
        f"{pictures.DISPLAY_SCALES['clip']}; **signed** (for kernels whose weights add up to 0, which answer 0 on a "
        f"flat area) means {pictures.DISPLAY_SCALES['signed']}."
    )
    st.markdown("Now pick a preset and edit its weights (click a cell to type; zero padding keeps the size).")
    c1, c2 = st.columns([3, 1])
    preset = c1.selectbox("Preset", list(conv.KERNEL_PRESETS), index=1, key="kernels_preset", **KEEP)
    size = c2.radio("Size", [3, 5], format_func=lambda k: f"{k}×{k}", horizontal=True, key="kernels_kernel_size",
                    **KEEP)  # fmt: skip
    col_edit, col_orig, col_out = st.columns([2, 2, 2])
    table = pd.DataFrame(conv.kernel_preset(preset, size), columns=[str(j) for j in range(size)])
    number_columns = {c: st.column_config.NumberColumn(c, format="%.3g", width="small") for c in table.columns}
    edited = col_edit.data_editor(table, key=f"kernels_editor_{preset}_{size}",  # a new preset: a fresh editor
                                  hide_index=True, column_config=number_columns)  # fmt: skip
    col_edit.caption(f"Sum of weights: {kl.weight_sum(edited.to_numpy(dtype=float)):.3g} (1 keeps the brightness).")
    try:
        kernel = conv.check_kernel(edited.to_numpy(dtype=float))
        result = kernel_getters.get_filtered(image, kernel, 1, size // 2)
    except ValueError as exc:
        lesson.friendly_error(f"{exc} Fix the cell to see the result.")
        return
    scale = pictures.display_scale(kernel)
    show_picture(col_orig, image, width=MEDIUM, caption="original (clip)")
    show_picture(col_out, result, width=MEDIUM, scale=scale,
                 caption=f"{preset} (edited), {scale}")  # fmt: skip
    col_out.caption(
        f"Raw values run from **{255 * result.pixels.min():.0f}** to **{255 * result.pixels.max():.0f}** (pixel "
        f"units, 255 = white); on the {scale} scale {pictures.clipped_share(result.pixels, scale):.0%} of the "
        "pixels fall outside it and are drawn pure black or white."
    )
