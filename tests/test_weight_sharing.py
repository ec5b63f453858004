"""models/weight_sharing.py: parameter counts of fully connected, locally connected and conv layers against torch."""

import pytest
import torch
from torch import nn

from models import weight_sharing


@pytest.mark.parametrize(
    ("n", "cin", "cout", "k", "s", "p"), [(8, 1, 4, 3, 1, 0), (6, 3, 2, 3, 2, 1), (5, 2, 3, 5, 1, 0)]
)
def test_layer_counts_match_torch_modules(n, cin, cout, k, s, p):
    counts = weight_sharing.layer_counts(n, cin, cout, k, s, p)
    out = counts.output_height

    def numel(m):
        return sum(q.numel() for q in m.parameters())

    assert counts.convolutional == numel(nn.Conv2d(cin, cout, k, stride=s, padding=p))
    assert counts.fully_connected == numel(nn.Linear(n * n * cin, out * out * cout))
    local = weight_sharing.LocallyConnected2d(cin, cout, n, k, s, p)
    assert counts.locally_connected == numel(local)
    assert counts.locally_connected == out * out * cout * (k * k * cin + 1)


def test_locally_connected_with_shared_weights_is_a_convolution():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    local = weight_sharing.LocallyConnected2d(2, 3, 7, 3, stride=2, padding=1)
    with torch.no_grad():
        local.weight.copy_(layer.weight.reshape(3, -1).expand_as(local.weight))
        local.bias.copy_(layer.bias.expand_as(local.bias))
    x = torch.randn(2, 2, 7, 7)
    torch.testing.assert_close(local(x), layer(x))


def test_example_kernels_one_per_place_and_one_shared():
    local, shared = weight_sharing.example_kernels(4)
    assert len(local) == 4 and shared.shape == (3, 3)
