"""Running a graph: the evaluation order, forward, and the graph's plain-data description."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from deep_architect.core._graph import Input, Module, Output, extract_unique_modules
from deep_architect.core._traversal import _backward_order
from deep_architect.errors import DeepArchitectError


def _eval_seq_and_skipped(
    input_ports: Iterable[Input], sources: Iterable[Module] = ()
) -> tuple[list, list]:
    """Returns the evaluation order and the discovered modules that never became ready.

    Discovery starts from the owners of ``input_ports`` (in order), then from
    ``sources``. A module is queued again each time one of its inputs is fed
    (as in the original) and runs at the first queue position where all its
    inputs are fed. A counter of unfed inputs per module keeps each check O(1),
    so the whole walk is linear in the number of connections.

    Raises:
        DeepArchitectError: If a module that already ran is fed again by a
            module it feeds (a cycle such as ``a -> b -> a``).
    """
    input_memo = set(input_ports)
    queue = extract_unique_modules(input_ports)
    queue.extend(m for m in sources if m not in queue)
    unfed = {}
    for m in queue:
        unfed[m] = sum(1 for ix in m.inputs.values() if ix not in input_memo)
    seq = []
    done = set()
    for m in queue:
        if m in done or unfed[m] != 0:
            continue
        seq.append(m)
        done.add(m)
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                c = ix.module
                if c in done and _reaches(c, m):
                    raise DeepArchitectError(
                        "the graph has a cycle: %s feeds %s, which feeds it back; a graph "
                        "must be acyclic to run" % (m, c))
                if c not in unfed:
                    unfed[c] = sum(1 for jx in c.inputs.values() if jx not in input_memo)
                if ix not in input_memo:
                    input_memo.add(ix)
                    unfed[c] -= 1
                queue.append(c)
    return seq, [m for m in unfed if m not in done]


def _reaches(source: Module, target: Module) -> bool:
    """Whether ``target`` is reachable forwards from ``source`` (checked on back edges only)."""
    seen, stack = {source}, [source]
    while stack:
        for ox in stack.pop().outputs.values():
            for ix in ox.to_inputs:
                if ix.module is target:
                    return True
                if ix.module not in seen:
                    seen.add(ix.module)
                    stack.append(ix.module)
    return False


class ExecutionPlan:
    """The order in which a graph runs, computed once and reused for every call.

    :func:`forward` and the model wrappers of the framework helpers (PyTorch,
    TensorFlow, Keras) all run the modules in this one order.

    Example:
        >>> import deep_architect.modules as mo
        >>> import deep_architect.hyperparameters as hp
        >>> inputs, outputs = mo.siso_sequential([mo.identity(), mo.identity()])
        >>> plan = ExecutionPlan(inputs, outputs)
        >>> plan.check_runnable("example")
        >>> [m.get_name() for m in plan.modules]
        ['M.Identity-0', 'M.Identity-1']

    Args:
        inputs: The graph's inputs; discovery starts from their modules, in dict order.
        outputs: The graph's outputs, if known: then :meth:`check_runnable` also
            checks that every module they depend on runs.

    Attributes:
        modules: The modules reachable forwards from ``inputs``, each after
            every module feeding it (what :func:`determine_module_eval_seq` returns).
        unready: Discovered modules that can never run, because one of their
            inputs is neither connected nor among ``inputs``.
        unreached: Modules the outputs depend on that are not in ``modules``.
    """

    __slots__ = ("modules", "unready", "unreached")

    def __init__(
        self, inputs: Mapping[str, Input], outputs: Mapping[str, Output] | None = None
    ) -> None:
        self.modules, self.unready = _eval_seq_and_skipped(inputs.values())
        self.unreached: list[Module] = []
        if outputs is not None:
            planned = set(self.modules)
            self.unreached = [m for m in _backward_order(outputs) if m not in planned]

    @classmethod
    def of_outputs(cls, outputs: Mapping[str, Output]) -> ExecutionPlan:
        """The plan of the modules the outputs depend on, when the inputs are not at hand.

        Every unconnected input of those modules counts as a graph input, and
        modules without inputs start the walk too; modules that do not lead to
        ``outputs`` are left out.
        """
        needed = _backward_order(outputs)
        plan = cls.__new__(cls)
        open_inputs = [ix for m in needed for ix in m.inputs.values() if ix.from_output is None]
        seq, _ = _eval_seq_and_skipped(open_inputs, [m for m in needed if not m.inputs])
        members = set(needed)
        plan.modules = [m for m in seq if m in members]
        plan.unready = []
        planned = set(plan.modules)
        plan.unreached = [m for m in needed if m not in planned]
        return plan

    def check_runnable(self, caller: str) -> None:
        """Raises unless every module of the graph runs in this plan.

        Args:
            caller: Named in the error message.

        Raises:
            DeepArchitectError: Naming the modules left out and their unconnected inputs.
        """
        left_out = self.unready + [m for m in self.unreached if m not in self.unready]
        if left_out:
            raise DeepArchitectError(
                "%s: these modules can never run because some of their inputs are "
                "neither connected nor given values: %s" % (caller, _describe_unready(left_out))
            )

    def cleanup_seqs(self) -> tuple[list, list]:
        """Says, per module of :attr:`modules`, which values can be freed after it runs.

        Returns:
            ``(input_cleanup_seq, output_cleanup_seq)``, aligned with
            :attr:`modules`: the inputs of module ``i``, and the outputs whose
            last consumer is module ``i``.
        """
        remaining = {}
        input_cleanup_seq = []
        output_cleanup_seq = []
        for m in self.modules:
            input_cleanup_seq.append(list(m.inputs.values()))
            freed = []
            for ix in m.inputs.values():
                ox = ix.from_output
                if ox is None:
                    continue
                left = remaining.get(ox, len(ox.to_inputs)) - 1
                remaining[ox] = left
                if left == 0:
                    freed.append(ox)
            output_cleanup_seq.append(freed)
        return input_cleanup_seq, output_cleanup_seq


def determine_module_eval_seq(inputs: Mapping[str, Input]) -> list[Module]:
    """Returns a topological order of the modules reachable forwards from ``inputs``.

    Discovery starts from the owners of ``inputs`` in dict iteration order.
    Modules that can never run (for example because one of their inputs is
    unconnected and not among ``inputs``) are left out; :func:`forward` reports
    them as an error. It is :attr:`ExecutionPlan.modules`.
    """
    return _eval_seq_and_skipped(inputs.values())[0]


def _describe_unready(modules: list[Module]) -> str:
    parts = []
    for m in modules:
        unfed = [ix.get_name() for ix in m.inputs.values() if ix.from_output is None]
        parts.append("%s (unconnected inputs: %s)" % (m, ", ".join(unfed) or "none"))
    return "; ".join(parts)


def forward(input_to_val: Mapping[Input, Any], _module_seq: list[Module] | None = None) -> None:
    """Runs the graph on the given input values; read results from the outputs' ``val``.

    Each module compiles on its first forward. Output values are copied into the
    connected inputs after each module runs. Pass ``_module_seq`` (the
    :attr:`ExecutionPlan.modules` of the graph) to avoid recomputing the order
    per call.

    Args:
        input_to_val: Input port to value.
        _module_seq: A precomputed evaluation order.

    Raises:
        DeepArchitectError: If a module would be left out because some of its
            inputs are unconnected, or a module to compile has unassigned
            hyperparameters.
    """
    if _module_seq is None:
        plan = ExecutionPlan({"in%d" % i: ix for i, ix in enumerate(input_to_val)})
        plan.check_runnable("forward")
        _module_seq = plan.modules
    for ix, val in input_to_val.items():
        ix.val = val
    for m in _module_seq:
        if not m._is_compiled:
            _check_compilable(m)
        m.forward()
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                ix.val = ox.val


def _check_compilable(m: Module) -> None:
    unassigned = [name for name, h in m.hyperps.items() if not h.assign_done]
    if unassigned:
        raise DeepArchitectError(
            "forward: module %s has unassigned hyperparameters %s; specify the search space "
            "(e.g. with deep_architect.specify.random_specify) before forward"
            % (m, ", ".join("%r (%s)" % (n, m.hyperps[n]) for n in unassigned))
        )


def determine_input_output_cleanup_seq(inputs: Mapping[str, Input]) -> tuple[list, list]:
    """Says, per module of the evaluation order, which values can be freed after it runs.

    Returns:
        ``(input_cleanup_seq, output_cleanup_seq)`` of the graph's
        :class:`ExecutionPlan` (see :meth:`ExecutionPlan.cleanup_seqs`).
    """
    return ExecutionPlan(inputs).cleanup_seqs()


def jsonify(inputs: Mapping[str, Input], outputs: Mapping[str, Output]) -> dict:
    """Returns a plain-data description of a fully specified graph.

    Every list in the result is in a deterministic (first-seen) order, so two
    replays of the same value list give identical results, also across processes.

    Raises:
        DeepArchitectError: If a module has an unassigned hyperparameter.
    """
    modules = {}
    for m in _backward_order(outputs):
        name = m.get_name()
        in_modules = {}
        for ix in m.inputs.values():
            if ix.from_output is not None:
                in_modules[ix.from_output.module.get_name()] = None
        out_modules = {}
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                out_modules[ix.module.get_name()] = None
        modules[name] = {
            "module_name": name,
            "module_type": name[name.index(".") + 1 : name.rindex("-")],
            "hyperp_name_to_val": m._get_hyperp_values(),
            "input_names": {k: ix.get_name() for k, ix in m.inputs.items()},
            "output_names": {k: ox.get_name() for k, ox in m.outputs.items()},
            "in_connections": {
                ix.get_name(): ix.from_output.get_name()
                for ix in m.inputs.values()
                if ix.from_output is not None
            },
            "out_connections": {
                ox.get_name(): [ix.get_name() for ix in ox.to_inputs]
                for ox in m.outputs.values()
                if ox.to_inputs
            },
            "in_modules": list(in_modules),
            "out_modules": list(out_modules),
        }
    plan = ExecutionPlan(inputs)
    input_cleanup_seq, output_cleanup_seq = plan.cleanup_seqs()
    return {
        "modules": modules,
        "unconnected_inputs": {k: ix.get_name() for k, ix in inputs.items()},
        "unconnected_outputs": {k: ox.get_name() for k, ox in outputs.items()},
        "module_eval_seq": [m.get_name() for m in plan.modules],
        "input_cleanup_seq": [[ix.get_name() for ix in lst] for lst in input_cleanup_seq],
        "output_cleanup_seq": [[ox.get_name() for ox in lst] for lst in output_cleanup_seq],
    }
