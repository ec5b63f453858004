"""Three kinds of layer that map the same input to the same output volume: fully connected, locally connected
(a kernel per place) and convolutional (one kernel shared by every place), with their parameter counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models.convolution import output_size


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
