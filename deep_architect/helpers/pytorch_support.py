"""PyTorch helpers: modules whose compile function creates ``torch.nn.Module`` s.

A :class:`PyTorchModule`'s ``compile_fn(input_values, hyperp_values)`` returns a
pair ``(forward_fn, list_of_nn_modules)``; the list declares the layers (with
their parameters, buffers and train/eval behaviour) used by ``forward_fn``.
:class:`PyTorchModel` turns a specified graph into an ordinary ``nn.Module``.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.specify import random_specify
    >>> def space():
    ...     return mo.siso_sequential([
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...             torch.nn.Linear, {"in_features": 4, "out_features": hp.Discrete([8, 16])}),
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {})])
    >>> inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    >>> _ = random_specify(outputs)
    >>> model = hpt.PyTorchModel(inputs, outputs, {"in": torch.zeros(2, 4)})
    >>> list(model.state_dict())
    ['0.weight', '0.bias']
    >>> model({"in": torch.ones(3, 4)})["out"].shape[0]
    3
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from torch import nn

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError, check
from deep_architect.helpers._common import (
    CompileFnModule,
    forward_dict,
    layer_module_function,
    module_function,
    modules_in_forward_order,
    runnable_graph,
    siso_module_function,
)

__all__ = [
    "PyTorchModule", "pytorch_module", "siso_pytorch_module",
    "siso_pytorch_module_from_pytorch_layer_fn", "get_pytorch_modules", "train", "eval",
    "cuda", "cpu", "to", "parameters", "PyTorchModel",
]


class PyTorchModule(CompileFnModule):
    """A basic module computed with PyTorch.

    ``compile_fn(input_values, hyperp_values)`` must return
    ``(forward_fn, list_of_nn_modules)``; ``forward_fn(input_values)`` returns a
    dict keyed by output names. After compilation the layers are in
    ``self.pyth_modules`` (the attribute exists only once compiled).

    The constructor takes ``(name, compile_fn, name_to_hyperp, input_names,
    output_names, scope=None)``, like every helper's module class.
    """

    # Set for modules built around a single layer whose forward is ``layer(x)``,
    # so PyTorchModel can call the layer directly.
    _is_plain_layer = False

    def _unpack_compile_result(self, result: Any) -> Callable:
        check(isinstance(result, tuple | list) and len(result) == 2,
              f"{self.get_name()}: a PyTorch compile_fn must return a pair "
              f"(forward_fn, list_of_torch_modules), got {type(result).__name__}")
        forward_fn, pyth_modules = result
        check(callable(forward_fn),
              f"{self.get_name()}: the first element returned by compile_fn must be the "
              f"forward function, got {type(forward_fn).__name__}")
        check(isinstance(pyth_modules, tuple | list)
              and all(isinstance(m, nn.Module) for m in pyth_modules),
              f"{self.get_name()}: the second element returned by compile_fn must be a list "
              f"of torch.nn.Module, got {pyth_modules!r}")
        self.pyth_modules = list(pyth_modules)
        return forward_fn


class _LayerModule(PyTorchModule):
    """A :class:`PyTorchModule` around a single layer whose forward is ``layer(x)``."""

    _is_plain_layer = True


pytorch_module = module_function(PyTorchModule, "pytorch_module")
siso_pytorch_module = siso_module_function(PyTorchModule, "siso_pytorch_module")
siso_pytorch_module_from_pytorch_layer_fn = layer_module_function(
    _LayerModule, "siso_pytorch_module_from_pytorch_layer_fn",
    lambda module, layer: ((lambda di: {"out": layer(di["in"])}), [layer]),
    "A single-layer module: compile creates ``layer_fn(**hyperp_values)``.",
    "``nn.Module`` class or factory; its keyword names are the keys of "
    "``name_to_hyperp`` (unknown names fail here when checkable).")


class _IdentityList(list):
    """A list whose ``in`` compares by identity (tensors' ``==`` is elementwise)."""

    def __contains__(self, x: object) -> bool:
        return any(x is y for y in self)


def _unique(xs: Iterable) -> _IdentityList:
    """The elements of ``xs`` without repetitions (by identity), in first-seen order."""
    seen: set[int] = set()
    result = _IdentityList()
    for x in xs:
        if id(x) not in seen:
            seen.add(id(x))
            result.append(x)
    return result


def get_pytorch_modules(outputs: Mapping[str, co.Output]) -> list[nn.Module]:
    """The ``nn.Module`` s of the compiled PyTorch modules reachable from ``outputs``.

    Returns:
        A duplicate-free list in forward order of the graph modules, then the order
        of each module's ``pyth_modules`` (deterministic, unlike the original's set).
    """
    return _unique(pm for m in modules_in_forward_order(outputs)
                   for pm in getattr(m, "pyth_modules", ()))


def _call_fn_on_pytorch_module(outputs: Mapping[str, co.Output],
                               fn: Callable[[nn.Module], Any]) -> None:
    for pm in get_pytorch_modules(outputs):
        fn(pm)


def train(outputs: Mapping[str, co.Output]) -> None:
    """Puts every compiled layer reachable from ``outputs`` in training mode."""
    _call_fn_on_pytorch_module(outputs, lambda pm: pm.train())


def eval(outputs: Mapping[str, co.Output]) -> None:  # shadows the builtin: original API name
    """Puts every compiled layer reachable from ``outputs`` in evaluation mode."""
    _call_fn_on_pytorch_module(outputs, lambda pm: pm.eval())


def cuda(outputs: Mapping[str, co.Output], *args: Any, **kwargs: Any) -> None:
    """Calls ``.cuda(*args, **kwargs)`` on every compiled layer."""
    _call_fn_on_pytorch_module(outputs, lambda pm: pm.cuda(*args, **kwargs))


def cpu(outputs: Mapping[str, co.Output]) -> None:
    """Moves every compiled layer to the CPU."""
    _call_fn_on_pytorch_module(outputs, lambda pm: pm.cpu())


def to(outputs: Mapping[str, co.Output], *args: Any, **kwargs: Any) -> None:
    """Calls ``.to(*args, **kwargs)`` (device and/or dtype) on every compiled layer."""
    _call_fn_on_pytorch_module(outputs, lambda pm: pm.to(*args, **kwargs))


def parameters(outputs: Mapping[str, co.Output]) -> list[nn.Parameter]:
    """Every parameter of the compiled layers, once each, in a deterministic order.

    The result is a list, so it can be given to ``torch.optim`` optimisers.
    """
    return _unique(p for pm in get_pytorch_modules(outputs) for p in pm.parameters())


class PyTorchModel(nn.Module):
    """A specified graph of PyTorch modules as an ordinary ``nn.Module``.

    The constructor runs one forward pass on ``init_input_name_to_val`` (which
    compiles every module), then registers the layers as submodules ``"0"``,
    ``"1"``, ... in the deterministic order of :func:`get_pytorch_modules`, so
    ``parameters()``, ``state_dict()``, ``.to()``, ``train()`` and ``eval()``
    work. Later forward passes run a precomputed plan that keeps intermediate
    values in a local list and drops each one after its last consumer, so memory
    and speed match a hand-written model; they return the output values and do
    not store values in the graph's ``Input.val`` / ``Output.val`` attributes.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        init_input_name_to_val: One example value per input name, e.g.
            ``{"in": torch.zeros(batch_size, num_features)}``.
    """

    def __init__(self, inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output],
                 init_input_name_to_val: Mapping[str, Any]) -> None:
        super().__init__()
        self.inputs, self.outputs, self._module_seq = runnable_graph(inputs, outputs,
                                                                     "PyTorchModel")
        forward_dict(self.inputs, self.outputs, init_input_name_to_val, self._module_seq)
        for i, pm in enumerate(get_pytorch_modules(self.outputs)):
            self.add_module(str(i), pm)
        self._plan = _Plan(self.inputs, self.outputs, self._module_seq)
        # The compile pass left values on every Input/Output; drop them.
        _clear_values(self._module_seq)

    def forward(self, input_name_to_val: Mapping[str, Any]) -> dict[str, Any]:
        """Runs the graph.

        Args:
            input_name_to_val: One value per input name (all required).

        Returns:
            ``{output_name: value}``.
        """
        if not (isinstance(input_name_to_val, Mapping)
                and input_name_to_val.keys() == self.inputs.keys()):
            raise DeepArchitectError(
                f"PyTorchModel.forward: expected a dict with exactly the input names "
                f"{sorted(self.inputs)}, got {input_name_to_val!r:.200}")
        return self._plan.run(input_name_to_val)


def _clear_values(module_seq: list[co.Module]) -> None:
    for m in module_seq:
        for x in [*m.inputs.values(), *m.outputs.values()]:
            x.val = None


class _Plan:
    """Precomputed execution of a compiled graph with values held in a local list.

    Every produced value gets a slot; identity modules alias their input's slot;
    after each step the slots whose last consumer was that step are cleared.
    A step is ``(fn, in_slot, out_slot, frees)``: single-layer modules are called
    directly (``vals[out_slot] = fn(vals[in_slot])``, as ``nn.Sequential`` would);
    other modules have ``in_slot is None`` and ``fn(vals)`` reads and writes the slots.
    """

    def __init__(self, inputs: dict, outputs: dict, module_seq: list[co.Module]) -> None:
        slot_of: dict[int, int] = {id(ix): s for s, ix in enumerate(inputs.values())}
        self.input_slots = [(k, slot_of[id(ix)]) for k, ix in inputs.items()]
        num_slots = len(slot_of)
        steps: list[tuple] = []
        last_use: dict[int, int] = {}
        for m in module_seq:
            in_slots = {k: slot_of[id(ix)] if id(ix) in slot_of
                        else slot_of[id(ix.get_connected_output())]
                        for k, ix in m.inputs.items()}
            if type(m) is mo.Identity:
                slot_of[id(m.outputs["out"])] = in_slots["in"]
                continue
            out_slots = {}
            for k, ox in m.outputs.items():
                slot_of[id(ox)] = out_slots[k] = num_slots
                num_slots += 1
            for s in [*in_slots.values(), *out_slots.values()]:
                last_use[s] = len(steps)
            steps.append(_make_step(m, in_slots, out_slots))
        self.output_slots = [(k, slot_of[id(ox)]) for k, ox in outputs.items()]
        for _, s in self.output_slots:
            last_use.pop(s, None)
        frees: list[list[int]] = [[] for _ in steps]
        for s, i in last_use.items():
            frees[i].append(s)
        self.steps = _fuse_layer_chains(
            [(*step, tuple(f)) for step, f in zip(steps, frees, strict=True)], last_use)
        self.num_slots = num_slots

    def run(self, input_name_to_val: Mapping[str, Any]) -> dict[str, Any]:
        vals: list[Any] = [None] * self.num_slots
        for k, s in self.input_slots:
            vals[s] = input_name_to_val[k]
        for fn, i, o, frees in self.steps:
            if i is None:
                fn(vals)
            else:
                vals[o] = fn(vals[i])
            for s in frees:
                vals[s] = None
        return {k: vals[s] for k, s in self.output_slots}


def _fuse_layer_chains(steps: list[tuple], last_use: dict[int, int]) -> list[tuple]:
    """Merges runs of single-layer steps that feed only each other into one step.

    Inside such a run every intermediate value has exactly one consumer, the
    next layer, so the run can execute like ``nn.Sequential`` (``v = f(v)``)
    without storing intermediates in slots; only the run's first input and last
    output use slots.
    """
    runs: list[list] = []  # [fns, in_slot, out_slot, frees] or [fn, None, None, frees]
    for index, (fn, i, o, frees) in enumerate(steps):
        prev = runs[-1] if runs else None
        if (i is not None and prev is not None and prev[1] is not None
                and prev[2] == i and last_use.get(i) == index):
            prev[0].append(fn)
            prev[2] = o
            prev[3] = prev[3] + tuple(s for s in frees if s != i)
        else:
            runs.append([[fn] if i is not None else fn, i, o, frees])
    return [(_chain(fns) if i is not None else fns, i, o, frees) for fns, i, o, frees in runs]


def _chain(fns: list[Callable]) -> Callable:
    if len(fns) == 1:
        return fns[0]
    fns = tuple(fns)

    def run_chain(v: Any) -> Any:
        for fn in fns:
            v = fn(v)
        return v
    return run_chain


def _make_step(m: co.Module, in_slots: dict[str, int],
               out_slots: dict[str, int]) -> tuple[Callable, int | None, int | None]:
    """The ``(fn, in_slot, out_slot)`` part of a plan step for module ``m``."""
    if isinstance(m, PyTorchModule) and m._is_plain_layer:
        return m.pyth_modules[0], in_slots["in"], out_slots["out"]
    if isinstance(m, CompileFnModule):
        fn, ins, outs = m._call_forward_fn, list(in_slots.items()), list(out_slots.items())

        def compiled_step(vals):
            out = fn({k: vals[s] for k, s in ins})
            for k, s in outs:
                vals[s] = out[k]
        return compiled_step, None, None

    def generic_step(vals):
        # Any other co.Module: go through its own forward, then drop the references.
        for k, s in in_slots.items():
            m.inputs[k].val = vals[s]
        m.forward()
        for k, s in out_slots.items():
            vals[s] = m.outputs[k].val
        _clear_values([m])
    return generic_step, None, None
