"""The framework-neutral part of the contrib classification evaluators.

:class:`ClassifierTrainingLoop` implements the behaviour every
``SimpleClassifierEvaluator`` shares — epochs of mini-batch training under a
wall-time budget, validation after each epoch, patience-based early stopping
and learning-rate decay, keeping the best model, optional test accuracy, GPU
monitoring, the results dict, and turning a NaN loss or an out-of-memory error
into a *failed evaluation* rather than an exception, so a search goes on: the
results then hold ``evaluation_failed: True`` (the key ``deep_architect.search_loop``
recognises), ``failure_reason`` and a ``validation_accuracy`` of 0.0. Framework
subclasses implement the few ``_hook`` methods.

One deliberate difference from the original: the best model (by validation
accuracy) is kept whenever it improves and restored at the end, instead of the
original's checkpoint written after ``save_patience`` non-improving epochs;
``save_patience`` is accepted for compatibility and has no effect.

Typical use of a framework's evaluator (``train``/``val`` are ``InMemoryDataset``
objects of images in the framework's layout)::

    evaluator = SimpleClassifierEvaluator(train, val, 10, None, max_eval_time_in_minutes=1.0)
    results = evaluator.eval(inputs, outputs)  # results["validation_accuracy"], ...
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import deep_architect.gpus as gu
import deep_architect.utils as ut
from deep_architect.errors import check

OPTIMIZER_TYPES = ("adam", "sgd", "sgd_mom")
SGD_MOMENTUM = 0.99
# Weight of the auxiliary head's loss ('out0') in two-output spaces such as NASNet.
AUX_LOSS_WEIGHT = 0.5
# torch.cuda.OutOfMemoryError and TensorFlow's tf.errors.ResourceExhaustedError, by name so
# that this module imports no framework.
OOM_ERROR_NAMES = ("OutOfMemoryError", "ResourceExhaustedError")


class EvaluationFailed(Exception):
    """Raised inside an evaluation to end it as failed; ``reason`` goes into the results."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def labels_as_indices(y: Any) -> np.ndarray:
    """Class indices from one-hot rows ``[N, C]`` or from indices ``[N]``."""
    y = np.asarray(y)
    return y.argmax(axis=1) if y.ndim == 2 else y.astype(np.int64)


def iterate_one_epoch(dataset: Any, batch_size: int):
    """Yields batches of ``dataset`` that together hold ``get_num_examples()`` examples."""
    remaining = dataset.get_num_examples()
    while remaining > 0:
        X, y = dataset.next_batch(min(batch_size, remaining))
        remaining -= len(X)
        yield X, y


def graph_input_dict(inputs, images: Any, total_training_steps: Any) -> dict[str, Any]:
    """Maps a graph's input names to values.

    That is ``{'in': images}`` for a SISO graph, or
    ``{'in0': images, 'in1': total_training_steps}`` for the NASNet-style two-input graph.

    Raises:
        DeepArchitectError: For any other set of input names.
    """
    names = sorted(inputs)
    if names == ["in"]:
        return {"in": images}
    check(names == ["in0", "in1"], "classification evaluator: the graph's inputs must be "
          "['in'] or ['in0' (images), 'in1' (total training steps)], got %s." % names)
    return {"in0": images, "in1": total_training_steps}


def total_loss(output_values: dict[str, Any], loss_fn, aux_weight: float) -> Any:
    """Loss of the logits of a single- or two-output graph.

    That is the loss of the ``'out'`` logits, or of ``'out1'`` plus ``aux_weight``
    times that of the auxiliary ``'out0'`` logits (NASNet-style two-output graph).

    Raises:
        DeepArchitectError: For any other set of output names.
    """
    if "out" in output_values:
        return loss_fn(output_values["out"])
    check(sorted(output_values) == ["out0", "out1"], "classification evaluator: the graph's "
          "outputs must be ['out'] or ['out0' (auxiliary logits), 'out1' (logits)], got %s."
          % sorted(output_values))
    return loss_fn(output_values["out1"]) + aux_weight * loss_fn(output_values["out0"])


class ClassifierTrainingLoop:
    """Trains and validates one architecture per :meth:`eval` call (see the module doc).

    Args:
        train_dataset: ``InMemoryDataset``-like (``next_batch``, ``get_num_examples``);
            labels one-hot or class indices.
        val_dataset: Validation data, same kind.
        num_classes: Number of classes (outputs of the network).
        model_path: Folder where the best model's weights are written at the end
            of each evaluation, or ``None`` to keep them in memory only.
        max_num_training_epochs: Upper bound on training epochs.
        max_eval_time_in_minutes: Wall-time budget of one evaluation (training
            stops, mid-epoch if needed, once it is exceeded).
        stop_patience: Epochs without improvement before stopping.
        save_patience: Accepted for compatibility; the best model is always kept.
        optimizer_type: ``'adam'``, ``'sgd'`` or ``'sgd_mom'`` (momentum 0.99).
        batch_size: Mini-batch size.
        learning_rate_patience: Epochs without improvement before decaying the rate.
        learning_rate_init: Initial learning rate.
        learning_rate_min: Floor of the learning rate.
        learning_rate_mult: Decay factor of the learning rate.
        display_step: Print a progress line every this many epochs.
        log_output_to_terminal: Whether to print progress lines.
        test_dataset: Optional test data; adds ``test_accuracy`` to the results.
    """

    def __init__(self, train_dataset, val_dataset, num_classes: int, model_path: str | None,
                 max_num_training_epochs: int = 200, max_eval_time_in_minutes: float = 180.0,
                 stop_patience: int = 20, save_patience: int = 2, optimizer_type: str = "adam",
                 batch_size: int = 256, learning_rate_patience: int = 7,
                 learning_rate_init: float = 1e-3, learning_rate_min: float = 1e-6,
                 learning_rate_mult: float = 0.1, display_step: int = 1,
                 log_output_to_terminal: bool = True, test_dataset=None):
        self._check_framework()
        name = type(self).__name__
        check(optimizer_type in OPTIMIZER_TYPES, "%s: optimizer_type must be one of %s, got %r."
              % (name, OPTIMIZER_TYPES, optimizer_type))
        for arg, value in [("train_dataset", train_dataset), ("val_dataset", val_dataset),
                           ("test_dataset", test_dataset)]:
            check(value is None and arg == "test_dataset"
                  or hasattr(value, "next_batch") and hasattr(value, "get_num_examples"),
                  "%s: %s must have next_batch and get_num_examples (e.g. an "
                  "InMemoryDataset), got %s." % (name, arg, type(value).__name__))
        check(max_num_training_epochs >= 1 and batch_size >= 1 and max_eval_time_in_minutes > 0,
              "%s: max_num_training_epochs and batch_size must be >= 1 and "
              "max_eval_time_in_minutes > 0." % name)
        self.train_dataset = train_dataset
        self.val_dataset = val_dataset
        self.test_dataset = test_dataset
        self.num_classes = num_classes
        self.model_path = model_path
        self.max_num_training_epochs = max_num_training_epochs
        self.max_eval_time_in_minutes = max_eval_time_in_minutes
        self.stop_patience = stop_patience
        self.save_patience = save_patience
        self.optimizer_type = optimizer_type
        self.batch_size = batch_size
        self.learning_rate_patience = learning_rate_patience
        self.learning_rate_init = learning_rate_init
        self.learning_rate_min = learning_rate_min
        self.learning_rate_mult = learning_rate_mult
        self.display_step = display_step
        self.log_output_to_terminal = log_output_to_terminal

    # ----- hooks implemented by each framework -----
    def _check_framework(self) -> None:
        """Fails at construction if the framework cannot run here (default: no check)."""

    def _build(self, inputs, outputs, X_example) -> None:
        """Compiles the architecture for inputs like ``X_example`` and creates the optimizer."""
        raise NotImplementedError

    def _train_step(self, X, y_idx: np.ndarray, learning_rate: float) -> float:
        """One optimisation step on a batch; returns the batch's mean loss."""
        raise NotImplementedError

    def _predict_classes(self, X) -> np.ndarray:
        """Arg-max class of each example, in evaluation mode."""
        raise NotImplementedError

    def _num_parameters(self) -> int:
        """Number of trainable scalars of the compiled model."""
        raise NotImplementedError

    def _get_weights(self) -> Any:
        """A copy of the model's current weights."""
        raise NotImplementedError

    def _set_weights(self, weights: Any) -> None:
        """Restores weights returned by :meth:`_get_weights`."""
        raise NotImplementedError

    def _write_weights(self, folderpath: str) -> None:
        """Writes the current weights into ``folderpath``."""
        raise NotImplementedError

    def _is_out_of_memory(self, error: BaseException) -> bool:
        """Whether ``error`` means the device ran out of memory (any framework)."""
        return (isinstance(error, MemoryError) or type(error).__name__ in OOM_ERROR_NAMES
                or "out of memory" in str(error).lower())

    def _release(self) -> None:
        """Frees the compiled model and optimizer after an evaluation."""

    # ----- shared by the framework hooks -----
    def _total_training_steps(self) -> int:
        """Mini-batch steps of a full training run (the drop-path schedule's length)."""
        return self.max_num_training_epochs * max(
            1, self.train_dataset.get_num_examples() // self.batch_size)

    def _make_optimizer(self, adam: Callable, sgd: Callable, **kwargs: Any) -> Any:
        """The optimizer ``optimizer_type`` names, from the framework's classes.

        Args:
            adam: The framework's Adam class, called as ``adam(**kwargs)``.
            sgd: Its SGD class, called as ``sgd(momentum=..., **kwargs)``.
            **kwargs: The framework's arguments (parameters, learning rate).
        """
        if self.optimizer_type == "adam":
            return adam(**kwargs)
        return sgd(momentum=SGD_MOMENTUM if self.optimizer_type == "sgd_mom" else 0.0, **kwargs)

    # ----- the shared loop -----
    def accuracy(self, dataset) -> float:
        """Fraction of the examples of one pass over ``dataset`` classified correctly."""
        correct = total = 0
        for X, y in iterate_one_epoch(dataset, self.batch_size):
            correct += int(np.sum(self._predict_classes(X) == labels_as_indices(y)))
            total += len(X)
        return correct / total

    def eval(self, inputs, outputs) -> dict[str, Any]:
        """Trains the specified architecture ``(inputs, outputs)`` and measures it.

        Returns:
            A JSON-serialisable dict: ``validation_accuracy``, ``num_parameters``,
            ``inference_time_per_example_in_miliseconds``, ``num_training_epochs``
            (the list of epoch numbers), ``sequences`` (per-epoch lists),
            ``training_time_in_hours``, ``test_accuracy`` when a test set was
            given, GPU averages when a GPU was monitored; for a failed evaluation
            ``evaluation_failed: True``, ``failure_reason`` and ``validation_accuracy`` 0.0.
        """
        start = time.time()
        state: dict[str, Any] = {"sequences": {}, "num_parameters": 0}
        try:
            results = self._run(inputs, outputs, start, state)
        except EvaluationFailed as e:
            results = self._failed_results(e.reason, state)
        except Exception as e:  # noqa: BLE001 - only out-of-memory errors are absorbed
            if not self._is_out_of_memory(e):
                raise
            results = self._failed_results("out of memory: %s: %s"
                                           % (type(e).__name__, str(e)[:300]), state)
        finally:
            self._release()
        results["training_time_in_hours"] = (time.time() - start) / 3600.0
        return results

    def _failed_results(self, reason: str, state: dict[str, Any]) -> dict[str, Any]:
        if self.log_output_to_terminal:
            print("evaluation failed: %s" % reason)
        seqs = state["sequences"]
        return {"validation_accuracy": 0.0, "evaluation_failed": True, "failure_reason": reason,
                "num_parameters": float(state["num_parameters"]),
                "num_training_epochs": list(seqs.get("epoch_number", [])),
                "sequences": seqs}

    def _append(self, seqs: dict[str, list[Any]], **values) -> None:
        for k, v in values.items():
            seqs.setdefault(k, []).append(v)

    def _run(self, inputs, outputs, start: float, state: dict[str, Any]) -> dict[str, Any]:
        deadline = start + 60.0 * self.max_eval_time_in_minutes
        X0, _ = self.train_dataset.next_batch(self.batch_size)
        self._build(inputs, outputs, X0)
        state["num_parameters"] = self._num_parameters()
        gpu_id = gu.get_monitored_gpu_id()
        gpu_ids = {g["gpu_id"] for g in gu.get_gpu_information()} if gpu_id is not None else ()
        gpu_id = gpu_id if gpu_id in gpu_ids else None
        seqs = state["sequences"]
        lr = self.learning_rate_init
        best_acc, best_weights = -1.0, None
        stop_counter, lr_counter = self.stop_patience, self.learning_rate_patience
        steps = max(1, self.train_dataset.get_num_examples() // self.batch_size)
        for epoch in range(1, self.max_num_training_epochs + 1):
            losses = []
            for step in range(steps):
                if time.time() > deadline and losses:
                    break
                X, y = self.train_dataset.next_batch(self.batch_size)
                loss = float(self._train_step(X, labels_as_indices(y), lr))
                if not math.isfinite(loss):
                    raise EvaluationFailed("nan loss: training loss became %r at epoch %d, "
                                           "step %d (learning rate %g)" % (loss, epoch, step, lr))
                losses.append(loss)
            val_acc = self.accuracy(self.val_dataset)
            self._append(seqs, validation_accuracy=val_acc, training_loss=float(np.mean(losses)),
                         epoch_number=epoch, learning_rate=lr,
                         time_in_minutes=(time.time() - start) / 60.0)
            if gpu_id is not None:
                gpu = gu.get_gpu_information()[gpu_id]
                self._append(seqs, gpu_utilization_in_percent=gpu["gpu_utilization_in_percent"],
                             gpu_memory_utilization_in_gigabytes=gpu[
                                 "gpu_memory_utilization_in_gigabytes"])
            if self.log_output_to_terminal and epoch % self.display_step == 0:
                print("epoch %d: loss %.4f, validation accuracy %.4f, lr %g, %.2f min"
                      % (epoch, seqs["training_loss"][-1], val_acc, lr,
                         seqs["time_in_minutes"][-1]))
            if val_acc > best_acc:
                best_acc, best_weights = val_acc, self._get_weights()
                stop_counter, lr_counter = self.stop_patience, self.learning_rate_patience
            else:
                stop_counter -= 1
                lr_counter -= 1
                if lr_counter <= 0:
                    lr = max(lr * self.learning_rate_mult, self.learning_rate_min)
                    lr_counter = self.learning_rate_patience
            if stop_counter <= 0 or time.time() > deadline:
                break
        if best_acc > seqs["validation_accuracy"][-1]:
            self._set_weights(best_weights)
        if self.model_path is not None:
            ut.create_folder(self.model_path, abort_if_exists=False, create_parent_folders=True)
            self._write_weights(self.model_path)
        val_acc, ms_per_example = self._timed_accuracy(self.val_dataset)
        results = {"validation_accuracy": val_acc, "num_parameters": float(state["num_parameters"]),
                   "inference_time_per_example_in_miliseconds": ms_per_example,
                   "num_training_epochs": list(seqs["epoch_number"]), "sequences": seqs}
        if gpu_id is not None:
            for key in ("gpu_utilization_in_percent", "gpu_memory_utilization_in_gigabytes"):
                results["average_" + key] = float(np.mean(seqs[key]))
        if self.test_dataset is not None:
            results["test_accuracy"] = self.accuracy(self.test_dataset)
        return results

    def _timed_accuracy(self, dataset) -> tuple[float, float]:
        t = time.time()
        acc = self.accuracy(dataset)
        ms = 1000.0 * (time.time() - t) / dataset.get_num_examples()
        return acc, ms

    def save_state(self, folderpath: str) -> None:
        """No state to save (evaluators are stateless between evaluations)."""

    def load_state(self, folderpath: str) -> None:
        """No state to load."""
