"""Kernel playground: pixels as numbers, Rohrer's X/O filters and their vote, sliding windows, kernels, stride,
padding, pooling, layer sizes and Practice 1. The sections live in components/sections/; the bottom of the file
lists them.
"""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components import lesson
from components.sections import kernel_images, output_shapes, xo_convolution
from models import weight_sharing


def intro() -> None:
    """The page title, what the student will see, and the slides it covers."""
    lesson.page_intro(
        "Kernel playground",
        "A computer sees an image as a grid of numbers, and a convolution slides a small grid of weights (a kernel) "
        "over it: multiply element-wise, add up, move on. Take the operation apart below, from Rohrer's X and O "
        "to real photos, then work out feature-map shapes yourself.",
        slides=[
            "What computers “see”",
            "Fully connected / locally connected / convolutional layer",
            "The convolution operation",
            "Feature extraction with convolution: a case study",
            "Producing feature maps",
            "Spatial arrangement of output volume",
            "Pooling layer",
            "Practice 1: feature map shape",
        ],
    )


def text_and_speech() -> None:
    """Section 8: a pointer to the page that runs the same window over words and spectrograms."""
    lesson.section(
        "8. One architecture, many applications",
        "The same sliding window works on anything laid out as a grid, such as a sentence or a spectrogram.",
    )
    try:
        st.page_link("pages/text_speech.py", label="CNNs for text and speech", icon=":material/graphic_eq:")
    except StreamlitPageNotFoundError:  # the page run on its own, without the router (as in AppTest)
        st.markdown("Open **CNNs for text and speech** in the navigation at the top.")


def what_to_notice(layers: weight_sharing.LayerCounts | None) -> None:
    """The page's take-aways, the measured ones worded from the numbers."""
    lesson.what_to_notice(
        [
            "A convolution is only multiply-and-add in a sliding window; the kernel's numbers decide what it finds.",
            xo_convolution.shift_sentence(),
            "Stride and padding decide the output size: ⌊(n + 2p − k)/s⌋ + 1. Padding (k − 1)/2 with stride 1 keeps "
            "it.",
            output_shapes.sharing_sentence(layers),
        ]
    )


intro()
image = kernel_images.pixels_are_numbers()
grid = xo_convolution.xo_case_study()
xo_convolution.slide_the_window(grid, image)
kernel_images.kernel_gallery(image)
output_shapes.stride_padding_pooling(image)
layers = output_shapes.layer_types()
output_shapes.practice()
text_and_speech()
what_to_notice(layers)
