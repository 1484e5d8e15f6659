"""A PyTorch supernet compiled from an unspecified search space.

Every substitution module (``siso_or``, ``siso_repeat``, ``siso_optional``,
user ones, ...) is expanded once per combination of the values of its free
hyperparameters, recursively, and every basic PyTorch module with free
hyperparameters is compiled once per combination; the copies become the
branches of a *choice*. Each free independent ``Discrete`` hyperparameter is
one *decision* with one logit vector (``alphas``), wherever it appears; a
``DependentHyperparameter`` follows the decisions it depends on. Inside a
branch the decisions that selected it are fixed, so a hyperparameter shared by
an outer and an inner choice stays consistent.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.oneshot import Supernet
    >>> def space():
    ...     return mo.siso_or([
    ...         lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.Tanh, {}),
    ...         lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {})],
    ...         hp.Discrete([0, 1]))
    >>> net = Supernet(space, {"in": torch.zeros(2, 3)})
    >>> [a.shape[0] for a in net.arch_parameters()]
    [2]
    >>> len(net.derive().values)
    1
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError, check
from deep_architect.helpers._common import CompileFnModule, modules_in_forward_order
from deep_architect.helpers.pytorch_support import PyTorchModel, PyTorchModule
from deep_architect.oneshot._graph import Choice, Forwarded, Graph, Layer, Runtime
from deep_architect.oneshot._recording import (
    RecordingScope,
    build_space,
    replay,
    values_id,
)
from deep_architect.oneshot.input_edge import InputEdge
from deep_architect.searchers.common import sample_until_valid

__all__ = ["Supernet", "DerivedArchitecture"]


class DerivedArchitecture(NamedTuple):
    """What :meth:`Supernet.derive` returns.

    ``values`` is the value list (replay it with
    :func:`~deep_architect.searchers.common.specify`); ``alphas`` has one
    JSON-serialisable dict per decision (see :meth:`Supernet.alphas_json`).
    """

    values: list
    alphas: list[dict]


class _Builder:
    """Expands a recorded space into pieces, collecting decisions and layers."""

    def __init__(self, scope: RecordingScope, runtime: Runtime,
                 allow_shape_mismatch: bool, max_pieces: int) -> None:
        self.scope = scope
        self.max_pieces = max_pieces
        self.num_pieces = 0
        self.enclosing: set[int] = set()
        self.runtime = runtime
        self.allow_shape_mismatch = allow_shape_mismatch
        self.decisions: list[hp.Discrete] = []
        self.decision_index: dict[co.Hyperparameter, int] = {}
        self.layers: list[Layer] = []
        self.layer_by_key: dict[tuple, Layer] = {}

    def graph(self, inputs: Mapping, outputs: Mapping, ctx: dict, in_names: Sequence[str],
              out_names: Sequence[str]) -> Graph:
        # A fragment reading a port of an enclosing graph must not take in the
        # modules of that graph: they run there, and the value is passed down.
        modules = [m for m in modules_in_forward_order(outputs) if id(m) not in self.enclosing]
        self.enclosing.update(id(m) for m in modules)
        try:
            return Graph([inputs.get(k) for k in in_names], [outputs.get(k) for k in out_names],
                         modules, lambda m: self.node(m, ctx))
        finally:
            self.enclosing.difference_update(id(m) for m in modules)

    def root(self, inputs: Mapping, outputs: Mapping) -> Graph:
        # In forward order from the inputs: a module that only fragments read
        # (the NASNet space's step counter) is computed before the choices run.
        modules = co.determine_module_eval_seq(inputs)
        scheduled = set(modules)
        missing = [m.get_name() for m in modules_in_forward_order(outputs)
                   if m not in scheduled]
        check(not missing, f"Supernet: modules {missing} cannot be reached from the inputs "
                           f"{sorted(inputs)} (unconnected inputs?)")
        self.enclosing.update(id(m) for m in modules)
        return Graph(list(inputs.values()), list(outputs.values()), modules,
                     lambda m: self.node(m, {}))

    def node(self, m: co.Module, ctx: dict) -> Any:
        if isinstance(m, mo.Identity | mo.HyperparameterAggregator):
            return None
        if isinstance(m, mo.SubstitutionModule):
            return self.choice(m, ctx, lambda sub: self.substitute(m, sub))
        if isinstance(m, PyTorchModule):
            return self.choice(m, ctx, lambda sub: self.layer(m, sub))
        if isinstance(m, CompileFnModule) or not all(h.assign_done for h in m.hyperps.values()):
            raise DeepArchitectError(
                f"Supernet: module {m.get_name()} is a {type(m).__name__}; a supernet is built "
                f"from PyTorch modules (deep_architect.helpers.pytorch_support), substitution "
                f"modules and framework-free modules without open hyperparameters")
        return Forwarded(m)

    def choice(self, m: co.Module, ctx: dict, make_piece: Callable[[dict], Any]) -> Any:
        free: list[hp.Discrete] = []
        for h in m.hyperps.values():
            self.collect_free(m, h, ctx, free)
        if not free:
            return make_piece(ctx)
        branches = []
        rejection = None
        for indices in itertools.product(*(range(len(h.vs)) for h in free)):
            sub = dict(ctx)
            sub.update((h, h.vs[i]) for h, i in zip(free, indices, strict=True))
            try:
                branches.append((indices, make_piece(sub)))
            except ValueError as e:  # the substitution rejects these values: no branch
                rejection = e
        if not branches:
            raise ValueError(f"{m.get_name()}: every combination of the values of "
                             f"{[h.get_name() for h in free]} was rejected") from rejection
        return Choice(self.runtime, m, [self.decision(h) for h in free],
                      [h.get_name() for h in free], [h.vs for h in free], branches,
                      self.allow_shape_mismatch)

    def collect_free(self, m: co.Module, h: co.Hyperparameter, ctx: dict, free: list) -> None:
        if h.assign_done or h in ctx:
            return
        if isinstance(h, co.DependentHyperparameter):
            for parent in h._hyperps.values():
                self.collect_free(m, parent, ctx, free)
        elif not isinstance(h, hp.Discrete):
            raise DeepArchitectError(
                f"Supernet: hyperparameter {h.get_name()} of module {m.get_name()} is a "
                f"{type(h).__name__}; a supernet can only mix Discrete hyperparameters")
        elif len(h.vs) > 1 and h not in free:
            check(len({repr(v) for v in h.vs}) == len(h.vs),
                  f"Supernet: hyperparameter {h.get_name()} of module {m.get_name()} has "
                  f"repeated values {h.vs!r}; a value list could not tell them apart")
            free.append(h)

    def value(self, h: co.Hyperparameter, ctx: dict) -> Any:
        if h.assign_done:
            return h.val
        if h in ctx:
            return ctx[h]
        if isinstance(h, co.DependentHyperparameter):
            return h._fn({k: self.value(p, ctx) for k, p in h._hyperps.items()})
        return h.vs[0]  # the only value: free ones are all in ctx

    def decision(self, h: hp.Discrete) -> int:
        if h not in self.decision_index:
            self.decision_index[h] = len(self.decisions)
            self.decisions.append(h)
        return self.decision_index[h]

    def count_piece(self, m: co.Module) -> None:
        self.num_pieces += 1
        check(self.num_pieces <= self.max_pieces,
              f"Supernet: expanding {m.get_name()} goes beyond {self.max_pieces} layers and "
              f"substitutions (max_pieces): every value of every choice gets its own copy, so "
              f"nested choices multiply; shrink the space or raise max_pieces")

    def substitute(self, m: mo.SubstitutionModule, ctx: dict) -> Graph:
        self.count_piece(m)
        values = {name: self.value(h, ctx) for name, h in m.hyperps.items()}
        with self.scope.frame(m, values):
            result = m._substitution_fn(values)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise DeepArchitectError(
                f"substitution function of {m.get_name()} must return a pair (inputs, "
                f"outputs), got {result!r:.200}")
        new_inputs, new_outputs = result
        m._check_ports("inputs", new_inputs, m.inputs, m.allow_input_subset)
        m._check_ports("outputs", new_outputs, m.outputs, m.allow_output_subset)
        return self.graph(new_inputs, new_outputs, ctx, list(m.inputs), list(m.outputs))

    def layer(self, m: PyTorchModule, ctx: dict) -> Layer:
        self.count_piece(m)
        hyperp_values = {name: self.value(h, ctx) for name, h in m.hyperps.items()}
        layer = Layer(m, hyperp_values)
        self.layers.append(layer)
        self.layer_by_key[(self.scope.key(m), values_id(hyperp_values))] = layer
        return layer


class Supernet(nn.Module):
    """One ``nn.Module`` containing every architecture of a search space.

    The constructor builds the space once, expands every choice, and runs one
    forward pass on ``example_inputs`` that creates all layers (every branch).
    By default the forward is the DARTS mixture (each choice sums its branches
    weighted by the softmax of its decisions' logits); after :meth:`set_path` or
    :meth:`sample_path` it runs that single architecture only, until
    :meth:`clear_path`.

    Args:
        search_space_fn: Returns a new unspecified ``(inputs, outputs)`` pair of
            PyTorch modules (the function given to searchers). Its substitution
            and thunk functions must create new modules on each call.
        example_inputs: One example value per input name, e.g.
            ``{"in": torch.zeros(2, 1, 8, 8)}``.
        allow_shape_mismatch: Accept choices whose candidates give outputs of
            different shapes; such choices are never mixed: the mixture forward
            runs the branch of their strongest value (no gradient reaches their
            logits) and single paths run the chosen one.
        max_pieces: Limit on the layers and substitutions created by the
            expansion (nested choices multiply), checked as it goes.

    Combinations of values that a substitution rejects (``ValueError``, the
    library's "invalid architecture") are left out of their choice.

    Raises:
        DeepArchitectError: If the space has no choice, holds a module that is
            neither a PyTorch, identity nor substitution module, expands beyond
            ``max_pieces``, or has a
            choice with shape-changing candidates (unless allowed; the message
            names the hyperparameters and the shapes).
    """

    def __init__(self, search_space_fn: Callable[[], Any],
                 example_inputs: Mapping[str, torch.Tensor],
                 allow_shape_mismatch: bool = False, max_pieces: int = 20000) -> None:
        super().__init__()
        check(callable(search_space_fn),
              f"Supernet: search_space_fn must be callable, got {search_space_fn!r}")
        self._search_space_fn = search_space_fn
        self._runtime = Runtime()
        with co.use_scope(RecordingScope()) as scope:
            inputs, outputs = build_space(search_space_fn)
            builder = _Builder(scope, self._runtime, allow_shape_mismatch, max_pieces)
            self._input_names = list(inputs)
            self._output_names = list(outputs)
            self._root = builder.root(inputs, outputs)
        check(not self._root.captures,
              f"Supernet: the space reads outputs {self._root.captures} that are not part of "
              f"it")
        check(builder.decisions,
              f"Supernet: the search space of "
              f"{getattr(search_space_fn, '__name__', search_space_fn)} has no choice at all "
              f"(no Discrete hyperparameter with several values); there is nothing to search")
        self._decisions = builder.decisions
        self._decision_of_key = {scope.key(h): i for i, h in enumerate(self._decisions)}
        self._layer_by_key = builder.layer_by_key
        self._example_inputs = dict(example_inputs)
        self.alphas = nn.ParameterList(
            [nn.Parameter(1e-3 * torch.randn(len(h.vs))) for h in self._decisions])
        self._runtime.compiling = True
        try:
            with torch.no_grad():
                self.forward(self._example_inputs)
        finally:
            self._runtime.compiling = False
        seen: set[int] = set()
        layers = []
        for layer in builder.layers:
            for pm in layer.pyth_modules:
                if id(pm) not in seen:
                    seen.add(id(pm))
                    layers.append(pm)
        self.layers = nn.ModuleList(layers)

    # ------------------------------------------------------------------ forward

    def forward(self, input_name_to_val: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Runs the mixture, or the path set by :meth:`set_path`.

        Args:
            input_name_to_val: One value per input name of the space.

        Returns:
            ``{output_name: value}``.
        """
        if not (isinstance(input_name_to_val, Mapping)
                and input_name_to_val.keys() == set(self._input_names)):
            raise DeepArchitectError(
                f"Supernet.forward: expected a dict with exactly the input names "
                f"{sorted(self._input_names)}, got {input_name_to_val!r:.200}")
        rt = self._runtime
        if rt.path is None:
            rt.probs = [torch.softmax(a, 0) for a in self.alphas]
        outs = self._root([input_name_to_val[k] for k in self._input_names])
        return dict(zip(self._output_names, outs, strict=True))

    def predict(self, x: torch.Tensor | Mapping[str, torch.Tensor]) -> Any:
        """The forward for training loops: tensors in and out where the space allows.

        Args:
            x: A tensor for a single-input space, else a dict by input name.

        Returns:
            The output tensor of a single-output space, else the dict of outputs.
        """
        if not isinstance(x, Mapping):
            check(len(self._input_names) == 1,
                  f"Supernet.predict: the space has inputs {self._input_names}; give a dict "
                  f"keyed by them")
            x = {self._input_names[0]: x}
        out = self(x)
        return out[self._output_names[0]] if len(out) == 1 else out

    def arch_parameters(self) -> list[nn.Parameter]:
        """The logits of the decisions, one vector each (their optimiser's parameters)."""
        return list(self.alphas)

    def weight_parameters(self) -> list[nn.Parameter]:
        """Every parameter that is not a logit (the layers' weights)."""
        return list(self.layers.parameters())

    @property
    def input_names(self) -> list[str]:
        """The input names of the space, in order."""
        return list(self._input_names)

    @property
    def output_names(self) -> list[str]:
        """The output names of the space, in order."""
        return list(self._output_names)

    @property
    def path(self) -> list[int | None] | None:
        """The value index of each decision on the current path (``None``: mixture)."""
        return self._runtime.path

    @property
    def decisions(self) -> list[hp.Discrete]:
        """The searched hyperparameters, in the order of :meth:`arch_parameters`."""
        return list(self._decisions)

    # ------------------------------------------------------------------ paths

    def set_path(self, hyperp_value_lst: Sequence) -> None:
        """Restricts the forward to the architecture of a value list.

        Raises:
            DeepArchitectError: If the list does not belong to this search space.
        """
        self._runtime.path = self._replay_values(hyperp_value_lst)[0]

    def sample_path(self, rng: np.random.Generator | None = None) -> list:
        """Sets a uniformly random path (one value per decision) and returns its value list.

        Architectures a substitution rejects (``ValueError``) are drawn again.

        Args:
            rng: NumPy generator; the global NumPy generator if ``None``.
        """
        def choose(h: co.Hyperparameter, i: int, d: int | None) -> Any:
            vs = _discrete(h).vs
            return vs[int(rng.integers(len(vs)) if rng is not None
                          else np.random.randint(len(vs)))]

        values, path, _ = sample_until_valid(lambda: self._replay(choose),
                                             description="Supernet.sample_path")
        self._runtime.path = path
        return values

    def value_list_of(self, outputs: Mapping[str, co.Output]) -> list:
        """The value list of an architecture a searcher specified from this space.

        Evaluators receive ``(inputs, outputs)``, not the value list; the list
        is recovered by replaying the space and reading each hyperparameter's
        value off the object of the same name in ``outputs``' scope. That scope
        must be the one the space was built in after a reset of the default
        scope, as searchers (``SearchSpaceFactory``) and ``run_search`` workers do.

        Raises:
            DeepArchitectError: If ``outputs`` does not come from this space.
        """
        check(isinstance(outputs, Mapping) and outputs,
              f"Supernet.value_list_of: expected the outputs dict of a specified space, got "
              f"{outputs!r:.200}")
        given_scope = next(iter(outputs.values())).get_module().scope

        def choose(h: co.Hyperparameter, i: int, d: int | None) -> Any:
            given = given_scope.name_to_elem.get(h.get_name())
            if not (type(given) is type(h) and given.assign_done):
                raise DeepArchitectError(
                    f"Supernet.value_list_of: the architecture has no assigned "
                    f"{type(h).__name__} named {h.get_name()}; it was not specified from "
                    f"this search space in a freshly reset default scope")
            return given.val

        return self._replay(choose)[0]

    def clear_path(self) -> None:
        """Goes back to the mixture forward."""
        self._runtime.path = None

    def _replay_values(self, hyperp_value_lst: Sequence) -> tuple[list, tuple]:
        """Replays a value list on a fresh space; returns the path and ``(world, scope)``."""
        values = list(hyperp_value_lst)

        def choose(h: co.Hyperparameter, i: int, d: int | None) -> Any:
            if i >= len(values):
                raise DeepArchitectError(
                    f"Supernet: the value list has {len(values)} values but the search space "
                    f"needs more (next: {h.get_name()}); it does not belong to this search "
                    f"space")
            if isinstance(h, hp.Discrete):
                try:
                    return h.validate(values[i])
                except DeepArchitectError as e:
                    raise DeepArchitectError(
                        f"Supernet: value #{i} of the list does not fit ({e}); the value list "
                        f"does not belong to this search space") from None
            return values[i]

        used, path, world = self._replay(choose)
        check(len(used) == len(values),
              f"Supernet: the value list has {len(values)} values but the search space was "
              f"fully specified after {len(used)}; it does not belong to this search space")
        return path, world

    def _replay(self, choose: Callable[[co.Hyperparameter, int, int | None], Any]
                ) -> tuple[list, list, tuple]:
        """Builds a fresh space and assigns ``choose(h, position, decision or None)``.

        Returns:
            ``(values, path, (world, scope))``.
        """
        path: list[int | None] = [None] * len(self._decisions)
        num_chosen = [0]

        def assign(h: co.Hyperparameter, scope: RecordingScope) -> Any:
            d = self._decision_of_key.get(scope.key(h))
            val = choose(h, num_chosen[0], d)
            num_chosen[0] += 1
            if d is not None:
                path[d] = h.vs.index(val)
            return val

        values, world, scope = replay(self._search_space_fn, assign)
        return values, path, (world, scope)

    # ------------------------------------------------------------------ reading off

    def derive(self, top_k_inputs: int | None = None) -> DerivedArchitecture:
        """The strongest architecture: each decision at its largest logit.

        Args:
            top_k_inputs: If given, for the :class:`~deep_architect.oneshot.InputEdge`
                decisions of each node keep only the ``k`` edges whose strongest
                non-``none`` operation weighs most (with that operation); the
                others get the ``none`` value.

        Returns:
            A :class:`DerivedArchitecture` (value list and alphas as JSON).
        """
        with torch.no_grad():
            probs = [torch.softmax(a, 0) for a in self.alphas]
        chosen = [int(p.argmax()) for p in probs]
        if top_k_inputs is not None:
            self._keep_top_k_inputs(top_k_inputs, probs, chosen)

        def choose(h: co.Hyperparameter, i: int, d: int | None) -> Any:
            return h.vs[chosen[d]] if d is not None else _discrete(h).vs[0]

        values, _, _ = self._replay(choose)
        return DerivedArchitecture(values, self.alphas_json())

    def _keep_top_k_inputs(self, k: int, probs: list[torch.Tensor], chosen: list[int]) -> None:
        check(isinstance(k, int) and k > 0,
              f"Supernet.derive: top_k_inputs must be a positive int, got {k!r}")
        groups: dict[Any, list[int]] = {}
        for d, h in enumerate(self._decisions):
            if isinstance(h, InputEdge):
                groups.setdefault(h.node, []).append(d)
        check(groups, "Supernet.derive: top_k_inputs needs InputEdge hyperparameters in the "
                      "search space; it has none")
        for ds in groups.values():
            strength = {}
            for d in ds:
                h = self._decisions[d]
                ops = [i for i, v in enumerate(h.vs) if v != h.none_value]
                chosen[d] = max(ops, key=lambda i, p=probs[d]: float(p[i]))
                strength[d] = float(probs[d][chosen[d]])
            for d in sorted(ds, key=lambda d: -strength[d])[k:]:
                h = self._decisions[d]
                chosen[d] = h.vs.index(h.none_value)

    def alphas_json(self) -> list[dict]:
        """Per decision: hyperparameter name, values, logits and probabilities (plain JSON)."""
        result = []
        for h, a in zip(self._decisions, self.alphas, strict=True):
            logits = a.detach().cpu()
            result.append({"hyperparameter": h.get_name(), "values": [_jsonable(v) for v in h.vs],
                           "logits": logits.tolist(),
                           "probabilities": torch.softmax(logits, 0).tolist()})
        return result

    def child(self, hyperp_value_lst: Sequence) -> PyTorchModel:
        """The architecture of a value list as a :class:`PyTorchModel` with inherited weights.

        The model is compiled from a fresh space specified with the list, exactly
        as a searcher's evaluator would, and each layer gets a copy of the
        weights of the supernet layer it corresponds to.
        """
        _, ((inputs, outputs), scope) = self._replay_values(hyperp_value_lst)
        model = PyTorchModel(inputs, outputs, self._example_inputs)
        for m in modules_in_forward_order(outputs):
            if not isinstance(m, PyTorchModule):
                continue
            layer = self._layer_by_key[(scope.key(m), values_id(m._get_hyperp_values()))]
            for dst, src in zip(m.pyth_modules, layer.pyth_modules, strict=True):
                dst.load_state_dict(src.state_dict())
        return model


def _discrete(h: co.Hyperparameter) -> hp.Discrete:
    check(isinstance(h, hp.Discrete),
          f"Supernet: hyperparameter {h.get_name()} is a {type(h).__name__}; only Discrete "
          f"hyperparameters can be chosen")
    return h


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v)
    except TypeError:
        return repr(v)
    return v
