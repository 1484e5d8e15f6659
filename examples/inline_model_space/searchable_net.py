"""The seed paper's searchable network, written inline in a PyTorch module, and a digits evaluator.

``SearchableNet`` marks its decisions where the layers are declared: the first
convolution's kernel size, a channel count shared by the second and third
convolutions (chosen once, so the two layers always fit), and the pooling
operation (a ``LayerChoice``). The head is an ordinary ``nn.Linear``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import deep_architect.helpers.pytorch_model_space as pms
import deep_architect.helpers.pytorch_support as hpt
from deep_architect.contrib.misc.datasets.loaders import load_digits


class SearchableNet(pms.ModelSpace):
    """Three convolutions, a chosen pooling and a linear head, for 8x8 one-channel images.

    Args:
        num_classes: Number of output classes.
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        kernel_size = pms.choice("conv1_ks", [3, 5, 7])
        self.conv1 = pms.MutableConv2d(1, 16, kernel_size=kernel_size, padding=kernel_size // 2)
        mid_channels = pms.choice("mid_channels", [8, 16, 32])
        self.conv2 = pms.MutableConv2d(16, mid_channels, 3, padding=1)
        self.conv3 = pms.MutableConv2d(mid_channels, 32, 3, padding=1)
        self.pool = pms.LayerChoice({"max": nn.MaxPool2d(2), "avg": nn.AvgPool2d(2)},
                                    label="pool")
        self.head = nn.Linear(32 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch of NCHW images."""
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.pool(F.relu(self.conv3(x)))
        return self.head(torch.flatten(x, 1))


class DigitsEvaluator:
    """Trains a sampled architecture on scikit-learn's digits for a few epochs.

    Args:
        num_epochs: Passes over the 1,079 training images.
        batch_size: Mini-batch size.
        seed: Seed of PyTorch's generator, so an architecture always gets the same score.
    """

    def __init__(self, num_epochs: int = 2, batch_size: int = 64, seed: int = 0) -> None:
        X_train, y_train, X_val, y_val, _, _ = load_digits(flatten=False, one_hot=False)
        # NHWC arrays to the NCHW tensors PyTorch convolutions take.
        self.X_train = torch.as_tensor(np.transpose(X_train, (0, 3, 1, 2)))
        self.y_train = torch.as_tensor(y_train, dtype=torch.long)
        self.X_val = torch.as_tensor(np.transpose(X_val, (0, 3, 1, 2)))
        self.y_val = torch.as_tensor(y_val, dtype=torch.long)
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.seed = seed
        # Networks this small train several times faster on one thread, above
        # all on a machine whose cores are shared.
        torch.set_num_threads(1)

    def eval(self, inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
        """Trains the architecture of ``(inputs, outputs)``; returns its validation accuracy."""
        torch.manual_seed(self.seed)
        model = hpt.PyTorchModel(inputs, outputs, {"in": self.X_train[:2]})
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        num_examples = len(self.X_train)
        model.train()
        for _ in range(self.num_epochs):
            order = torch.randperm(num_examples)
            for start in range(0, num_examples, self.batch_size):
                batch = order[start:start + self.batch_size]
                logits = model({"in": self.X_train[batch]})["out"]
                loss = F.cross_entropy(logits, self.y_train[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            predictions = model({"in": self.X_val})["out"].argmax(dim=1)
        accuracy = float((predictions == self.y_val).float().mean())
        return {"validation_accuracy": accuracy,
                "num_parameters": sum(p.numel() for p in model.parameters())}
