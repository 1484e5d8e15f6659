"""The executable pieces of a supernet: compiled layers, choices and fragment graphs.

Every piece is called with a list of input values (in the order of its module's
input names) and returns a list of output values. A :class:`Runtime` shared by
all pieces of one supernet says how choices combine their branches: the
softmax of each decision's logits (DARTS mixture) or one value index per
decision (a single path).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch
from torch import nn

import deep_architect.core as co
from deep_architect.errors import DeepArchitectError
from deep_architect.helpers._common import check_output_dict


class Runtime:
    """State read by every choice during one forward pass.

    Attributes:
        probs: One probability vector per decision (mixture mode).
        path: One value index per decision, or ``None`` for the mixture.
        compiling: True during the first forward, which creates the layers.
    """

    def __init__(self) -> None:
        self.probs: list[torch.Tensor] = []
        self.path: list[int | None] | None = None
        self.compiling = False


class Layer:
    """A basic PyTorch module compiled with fixed hyperparameter values.

    Args:
        module: The graph module (its ``compile_fn`` is called, not its ``forward``).
        hyperp_values: The values its compile function receives.
    """

    def __init__(self, module: co.Module, hyperp_values: dict) -> None:
        self.module = module
        self.hyperp_values = hyperp_values
        self.in_names = list(module.inputs)
        self.out_names = list(module.outputs)
        self.pyth_modules: list[nn.Module] = []
        self._fn: Callable | None = None

    def __call__(self, xs: list) -> list:
        if self._fn is None:
            self._compile(xs)
        return self._fn(xs)

    def _compile(self, xs: list) -> None:
        m = self.module
        di = dict(zip(self.in_names, xs, strict=True))
        fn = m._unpack_compile_result(m._compile_fn(di, dict(self.hyperp_values)))
        self.pyth_modules = m.pyth_modules
        check_output_dict(m, fn(di))
        if m._is_plain_layer:
            layer = self.pyth_modules[0]
            self._fn = lambda xs: [layer(xs[0])]
        else:
            in_names, out_names = self.in_names, self.out_names

            def run(xs):
                out = fn(dict(zip(in_names, xs)))
                return [out[k] for k in out_names]
            self._fn = run


class Forwarded:
    """A framework-free module (no weights, no open hyperparameters) run by its own forward."""

    def __init__(self, module: co.Module) -> None:
        self.module = module

    def __call__(self, xs: list) -> list:
        m = self.module
        for ix, x in zip(m.inputs.values(), xs, strict=True):
            ix.val = x
        m.forward()
        ys = [ox.val for ox in m.outputs.values()]
        for port in [*m.inputs.values(), *m.outputs.values()]:
            port.val = None  # the graph keeps no tensors alive
        return ys


class Graph:
    """A fragment compiled into slot-indexed steps.

    A fragment may read outputs of the graphs around it (a thunk that connects
    to a port it closed over); those are its *captures*: extra inputs, after
    the regular ones, that the enclosing choice passes down.

    Args:
        input_ports: The fragment's inputs, in call order (``None`` for a name the
            fragment lacks).
        output_ports: Its outputs, in return order (``None`` for a missing name).
        modules: Its modules, producers first.
        node_of: Makes the callable piece of a module (``None`` for an identity).
    """

    def __init__(self, input_ports: Sequence[co.Input | None],
                 output_ports: Sequence[co.Output | None], modules: list[co.Module],
                 node_of: Callable[[co.Module], Any]) -> None:
        self._slot_of: dict[int, int] = {}
        self.num_slots = 0
        self.in_slots = [None if ix is None else self._new_slot(ix) for ix in input_ports]
        self.captures: list[co.Output] = []
        steps, last_use = [], {}
        for m in modules:
            node = node_of(m)
            ins = [self._source_slot(ix) for ix in m.inputs.values()]
            ins += [self._slot(port) for port in getattr(node, "captures", ())]
            if node is None:
                self._slot_of[id(m.outputs["out"])] = ins[0]
                continue
            outs = [self._new_slot(ox) for ox in m.outputs.values()]
            for s in ins + outs:
                last_use[s] = len(steps)
            steps.append((node, tuple(ins), tuple(outs)))
        self.out_slots = [None if ox is None else self._slot_of[id(ox)] for ox in output_ports]
        for s in self.out_slots:
            last_use.pop(s, None)
        frees: list[list[int]] = [[] for _ in steps]
        for s, i in last_use.items():
            frees[i].append(s)
        self.steps = [(*step, tuple(f)) for step, f in zip(steps, frees, strict=True)]
        del self._slot_of

    def _new_slot(self, port: co.Input | co.Output) -> int:
        self._slot_of[id(port)] = self.num_slots
        self.num_slots += 1
        return self.num_slots - 1

    def _slot(self, port: co.Output) -> int:
        """The slot of an output, made a capture if this fragment does not compute it."""
        if id(port) not in self._slot_of:
            self.captures.append(port)
            self.in_slots.append(self._new_slot(port))
        return self._slot_of[id(port)]

    def _source_slot(self, ix: co.Input) -> int:
        if ix.is_connected():
            return self._slot(ix.get_connected_output())
        if id(ix) not in self._slot_of:
            raise DeepArchitectError(
                f"Supernet: input {ix.get_name()} is not connected to anything "
                f"(expected every module input to be fed)")
        return self._slot_of[id(ix)]

    def __call__(self, xs: list) -> list:
        vals: list[Any] = [None] * self.num_slots
        for s, x in zip(self.in_slots, xs):
            if s is not None:
                vals[s] = x
        for node, ins, outs, frees in self.steps:
            ys = node([vals[i] for i in ins])
            for o, y in zip(outs, ys):
                vals[o] = y
            for s in frees:
                vals[s] = None
        return [None if s is None else vals[s] for s in self.out_slots]


class Choice:
    """A structural or layer choice: a mixture (or one path) over its branches.

    Args:
        runtime: The supernet's shared :class:`Runtime`.
        module: The module whose hyperparameters are decided here.
        decisions: Decision indices (into the runtime's lists) decided here.
        decision_names: Their hyperparameter names, for error messages.
        decision_vs: Their value lists, for error messages.
        branches: ``(value_indices, piece)`` per combination of values.
        allow_shape_mismatch: Whether branches with different output shapes are
            accepted (they then only ever run one at a time).
    """

    def __init__(self, runtime: Runtime, module: co.Module, decisions: list[int],
                 decision_names: list[str], decision_vs: list[list],
                 branches: list[tuple[tuple, Any]],
                 allow_shape_mismatch: bool) -> None:
        self.runtime = runtime
        self.module = module
        self.decisions = decisions
        self.decision_names = decision_names
        self.decision_vs = decision_vs
        self.captures: list[co.Output] = []
        for _, piece in branches:
            for port in getattr(piece, "captures", ()):
                if all(port is not p for p in self.captures):
                    self.captures.append(port)
        if self.captures:
            # Each branch gets the regular inputs, then the captures it reads.
            num_inputs = len(module.inputs)
            branches = [(indices, _with_captures(piece, num_inputs, [
                num_inputs + next(k for k, p in enumerate(self.captures) if p is port)
                for port in piece.captures])) for indices, piece in branches]
        self.branches = branches
        self.by_indices = {indices: piece for indices, piece in branches}
        self.allow_shape_mismatch = allow_shape_mismatch
        self.single_path_only = False

    def __call__(self, xs: list) -> list:
        rt = self.runtime
        if rt.path is not None:
            return self.by_indices[tuple(rt.path[d] for d in self.decisions)](xs)
        if rt.compiling:
            return self._compile(xs)
        if self.single_path_only:
            return self.by_indices[self._argmax()](xs)
        return self._mix((indices, piece(xs)) for indices, piece in self.branches)

    def _mix(self, results: Iterable[tuple[tuple, list]]) -> list:
        probs = self.runtime.probs
        outs = None
        if len(self.decisions) == 1:
            weights = probs[self.decisions[0]]
            for (i,), ys in results:
                outs = _accumulate(outs, weights[i], ys)
            return outs
        for indices, ys in results:
            w = None
            for d, i in zip(self.decisions, indices, strict=True):
                w = probs[d][i] if w is None else w * probs[d][i]
            outs = _accumulate(outs, w, ys)
        return outs

    def _argmax(self) -> tuple:
        return tuple(int(self.runtime.probs[d].argmax()) for d in self.decisions)

    def _compile(self, xs: list) -> list:
        results = [(indices, piece(xs)) for indices, piece in self.branches]
        shapes = {indices: [None if y is None else tuple(y.shape) for y in ys]
                  for indices, ys in results}
        if len({tuple(s) for s in shapes.values()}) == 1:
            return self._mix(results)
        if not self.allow_shape_mismatch:
            described = "; ".join(
                "%s -> %s" % ([vs[i] for vs, i in zip(self.decision_vs, indices, strict=True)], s)
                for indices, s in shapes.items())
            raise DeepArchitectError(
                f"Supernet: the values of {self.decision_names} (module "
                f"{self.module.get_name()}) give outputs of different shapes ({described}), "
                f"so they cannot be mixed; make the candidates agree, or pass "
                f"allow_shape_mismatch=True to run such choices one path at a time")
        self.single_path_only = True
        return dict(results)[self._argmax()]


def _with_captures(piece: Any, num_inputs: int, capture_positions: list[int]) -> Callable:
    """Calls ``piece`` with the regular inputs and, of the choice's captures, its own."""
    def call(xs: list) -> list:
        return piece(xs[:num_inputs] + [xs[i] for i in capture_positions])
    return call


def _accumulate(outs: list | None, w: torch.Tensor, ys: list) -> list:
    if outs is None:
        return [None if y is None else w * y for y in ys]
    return [o if y is None else (w * y if o is None else o + w * y) for o, y in zip(outs, ys)]
