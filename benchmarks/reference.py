"""A fixed reference workload, timed in the same run as everything else, so that training times can be
stated as a multiple of it and compared across machines that differ about 2x in speed."""

from __future__ import annotations

import statistics
import time

import torch
from sklearn.datasets import load_digits
from torch import nn

REFERENCE_EPOCHS = 3
REFERENCE_BATCH = 64
REFERENCE_THREADS = 2


def _reference_net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 8, 4, 4)
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 2, 2)
        nn.Flatten(), nn.Linear(64, 10),
    )  # fmt: skip


def reference_seconds(repeats: int = 3) -> float:
    """Median wall time of 3 epochs of a small fixed CNN on ``load_digits`` (batch 64, Adam, 2 threads)."""
    digits = load_digits()
    inputs = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)  # (1797, 1, 8, 8)
    targets = torch.tensor(digits.target)
    previous = torch.get_num_threads()
    torch.set_num_threads(REFERENCE_THREADS)
    times = []
    try:
        for _ in range(repeats):
            torch.manual_seed(0)
            net = _reference_net()
            optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
            started = time.perf_counter()
            for _ in range(REFERENCE_EPOCHS):
                for start in range(0, len(inputs), REFERENCE_BATCH):
                    batch = slice(start, start + REFERENCE_BATCH)
                    optimiser.zero_grad()
                    nn.functional.cross_entropy(net(inputs[batch]), targets[batch]).backward()
                    optimiser.step()
            times.append(time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times)
