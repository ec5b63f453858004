"""A tiny persistable model for testing the cache layer without training anything real."""

import torch

TRAINED = {"count": 0}


class ConstantModel:
    """Holds one tensor; persistable like every lab model (to_payload / from_payload / num_parameters)."""

    def __init__(self, value: torch.Tensor):
        self.value = value
        self.num_parameters = value.numel()

    def to_payload(self) -> dict:
        return {"value": self.value}

    @classmethod
    def from_payload(cls, payload: dict) -> "ConstantModel":
        return cls(payload["value"])


def train_constant(on_step) -> ConstantModel:
    TRAINED["count"] += 1
    for step in range(1, 4):
        on_step(step, 3, 1.0 / step)
    return ConstantModel(torch.full((4,), 3.0))
