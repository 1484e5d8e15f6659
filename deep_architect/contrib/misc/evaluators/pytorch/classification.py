"""``SimpleClassifierEvaluator`` for architectures built from PyTorch modules.

Uses :class:`deep_architect.helpers.pytorch_support.PyTorchModel`, runs on the
first CUDA device when one is visible (else the CPU), and trains with
cross-entropy on the ``'out'`` logits of the graph (for the two-output NASNet
space, ``'out1'`` logits plus 0.5 times the loss of the ``'out0'`` auxiliary
head). See :class:`ClassifierTrainingLoop` for arguments and results. Images are NCHW.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from deep_architect.contrib.misc.evaluators.classifier_training import (
    AUX_LOSS_WEIGHT,
    ClassifierTrainingLoop,
    graph_input_dict,
    total_loss,
)


class SimpleClassifierEvaluator(ClassifierTrainingLoop):
    """Trains and validates PyTorch architectures (arguments: :class:`ClassifierTrainingLoop`)."""

    def _build(self, inputs, outputs, X_example) -> None:
        import torch

        import deep_architect.helpers.pytorch_support as hpt

        self._torch = torch
        self._device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self._graph_inputs = inputs
        self._model = hpt.PyTorchModel(inputs, outputs, self._feed(X_example)).to(self._device)
        params = [p for p in self._model.parameters() if p.requires_grad]
        self._opt = self._make_optimizer(torch.optim.Adam, torch.optim.SGD, params=params,
                                         lr=self.learning_rate_init)

    def _feed(self, X) -> dict[str, Any]:
        torch = self._torch
        x = torch.as_tensor(np.asarray(X, dtype=np.float32), device=self._device)
        return graph_input_dict(self._graph_inputs, x,
                                torch.tensor(float(self._total_training_steps())))

    def _train_step(self, X, y_idx: np.ndarray, learning_rate: float) -> float:
        torch = self._torch
        self._model.train()
        for group in self._opt.param_groups:
            group["lr"] = learning_rate
        y = torch.as_tensor(y_idx, dtype=torch.long, device=self._device)
        out = self._model(self._feed(X))
        loss = total_loss(out, lambda logits: torch.nn.functional.cross_entropy(logits, y),
                          AUX_LOSS_WEIGHT)
        self._opt.zero_grad(set_to_none=True)
        loss.backward()
        self._opt.step()
        return float(loss.item())

    def _predict_classes(self, X) -> np.ndarray:
        self._model.eval()
        with self._torch.no_grad():
            out = self._model(self._feed(X))
        logits = out["out"] if "out" in out else out["out1"]
        return logits.argmax(dim=1).cpu().numpy()

    def _num_parameters(self) -> int:
        return sum(p.numel() for p in self._model.parameters() if p.requires_grad)

    def _get_weights(self) -> Any:
        return {k: v.detach().clone() for k, v in self._model.state_dict().items()}

    def _set_weights(self, weights: Any) -> None:
        self._model.load_state_dict(weights)

    def _write_weights(self, folderpath: str) -> None:
        self._torch.save(self._model.state_dict(), os.path.join(folderpath, "best_model.pt"))

    def _release(self) -> None:
        self._model = self._opt = None
        torch = getattr(self, "_torch", None)
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()
