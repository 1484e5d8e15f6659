"""Stable hashes of specified architectures, for deduplication and table lookups.

Two value lists can give the same network: an optional module switched off
and an identity, say, or a repeat of one block built through a different
branch. :func:`fingerprint` hashes what was built, not how it was chosen: the
graph's structure, each module's kind (its name without the scope's numbering)
and its hyperparameter values. It is a Merkle hash computed from the inputs
towards the outputs, so it does not depend on the order modules were created
in, on scope names or on the process (no ``hash()`` of strings is involved).

Two conventions make more architectures equal, as they compute the same thing:

* :class:`~deep_architect.modules.Identity` modules are looked through.
* A module whose class sets ``commutative_inputs = True`` (a sum, say) hashes
  its inputs as a multiset, so wiring the same values into different input
  names gives the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError

__all__ = ["fingerprint", "fragment_hash", "module_kind"]

# Bumped whenever the hashed description changes, so stored tables keyed by
# fingerprints can tell they were made by another version.
_FORMAT = "deep_architect.fingerprint.v1"


def module_kind(module: co.Module) -> str:
    """Returns a module's kind: its registered name without the scope's prefix and number.

    Example:
        >>> import deep_architect.modules as mo
        >>> module_kind(mo.Identity(name="Skip"))
        'Skip'
    """
    name = module.get_name()
    start = 2 if name.startswith("M.") else 0
    dash = name.rfind("-")
    end = dash if dash > start and name[dash + 1 :].isdigit() else len(name)
    return name[start:end]


def _canonical(value: Any) -> Any:
    """A JSON-ready, process-independent form of a hyperparameter value."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        return [[str(k), _canonical(value[k])] for k in sorted(value, key=str)]
    if callable(value):
        return "callable:%s.%s" % (
            getattr(value, "__module__", "?"),
            getattr(value, "__qualname__", type(value).__name__),
        )
    item = getattr(value, "item", None)  # NumPy scalars
    if callable(item):
        return _canonical(item())
    return "%s:%r" % (type(value).__name__, value)


def _digest(description: Any) -> str:
    text = json.dumps(description, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprint(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]) -> str:
    """Returns a stable hash (32 hex digits) of a specified architecture.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> import deep_architect.modules as mo
        >>> from deep_architect.searchers.common import specify
        >>> space = lambda: mo.siso_optional(mo.identity, hp.Bool())
        >>> on, off = space(), space()
        >>> specify(on[1], [1]); specify(off[1], [0])
        >>> fingerprint(*on) == fingerprint(*off)  # an identity either way
        True

    Args:
        inputs: The unconnected inputs of the architecture, by name.
        outputs: Its unconnected outputs, by name.

    Returns:
        The same string for the same graph in any process, whatever the
        value list, scope names or module numbering that produced it.

    Raises:
        DeepArchitectError: If a module still has an unassigned hyperparameter.
    """
    return _graph_hash(inputs, outputs, _specified_label)


def fragment_hash(outputs: Mapping[str, co.Output], depth: int = 2) -> str:
    """Returns a hash of an unspecified fragment's structure and choices.

    Unassigned hyperparameters count by their type and values; a substitution
    module counts by what each of its values expands to, ``depth`` levels
    deep (deeper ones, or ones with several hyperparameters, count as unique,
    so two fragments are never called equal on a guess). Used to find choices
    whose branches build the same thing.

    Args:
        outputs: The fragment's outputs, by name.
        depth: How many levels of substitution modules to expand.
    """
    return _graph_hash({}, outputs, lambda m: _unspecified_label(m, depth))


def _specified_label(m: co.Module) -> list:
    hyperps = []
    for name in sorted(m.hyperps):
        h = m.hyperps[name]
        if not h.assign_done:
            raise DeepArchitectError(
                "fingerprint: %s of module %s has no value; fingerprints are for specified "
                "architectures (replay a value list with specify first)" % (h, m.get_name())
            )
        hyperps.append([name, _canonical(h.val)])
    return [module_kind(m), hyperps]


def _domain_token(h: co.Hyperparameter) -> Any:
    if h.assign_done:
        return _canonical(h.val)
    values = getattr(h, "vs", None)
    if values is not None:
        return [type(h).__name__, _canonical(values)]
    bounds = [getattr(h, k, None) for k in ("low", "high", "step", "log")]
    return [type(h).__name__, _canonical(bounds)]


def _unspecified_label(m: co.Module, depth: int) -> list:
    hyperps = [[name, _domain_token(m.hyperps[name])] for name in sorted(m.hyperps)]
    label = [module_kind(m), hyperps]
    if isinstance(m, mo.SubstitutionModule):
        label.append(_expansions_token(m, depth))
    return label


def _expansions_token(m: mo.SubstitutionModule, depth: int) -> Any:
    unique = ["unique", id(m)]
    if depth <= 0 or len(m.hyperps) != 1 or m._substitution_fn is None:
        return unique
    (name, h), = m.hyperps.items()
    values = getattr(h, "vs", None)
    if h.assign_done or values is None or len(values) > 64:
        return unique
    expansions = []
    for v in values:
        try:
            _, new_outputs = m._substitution_fn({name: v})
        except ValueError:
            expansions.append("rejected")
            continue
        expansions.append(fragment_hash(new_outputs, depth - 1))
    return expansions


def _graph_hash(
    inputs: Mapping[str, co.Input],
    outputs: Mapping[str, co.Output],
    label_fn: Callable[[co.Module], Any],
) -> str:
    """The Merkle hash behind :func:`fingerprint` and :func:`fragment_hash`."""
    input_names = {ix: name for name, ix in inputs.items()}
    tokens: dict = {}  # output port -> hash of the value it carries

    def source_token(ix: co.Input) -> Any:
        ox = ix.from_output
        if ox is None:
            name = input_names.get(ix)
            return ["input", name] if name is not None else ["unconnected"]
        return tokens[ox]

    for m in _post_order(outputs):
        if type(m) is mo.Identity:
            tokens[m.outputs["out"]] = source_token(m.inputs["in"])
            continue
        sources = [[name, source_token(m.inputs[name])] for name in sorted(m.inputs)]
        if getattr(m, "commutative_inputs", False):
            sources = sorted(json.dumps(token) for _, token in sources)
        node = _digest([label_fn(m), sources])
        for name, ox in m.outputs.items():
            tokens[ox] = [node, name]
    for ox in outputs.values():
        if ox not in tokens:  # an output of the space that is directly an input
            tokens[ox] = ["unconnected"]
    return _digest([_FORMAT, [[name, tokens[outputs[name]]] for name in sorted(outputs)]])


def _post_order(outputs: Mapping[str, co.Output]) -> list[co.Module]:
    """Modules reachable backwards from ``outputs``, each after every module feeding it.

    Iterative, so deep chains do not hit Python's recursion limit.

    Raises:
        DeepArchitectError: If the graph has a cycle.
    """
    order = []
    state: dict = {}  # module -> 1 while on the stack, 2 when done
    for name in sorted(outputs):
        root = outputs[name].module
        if root in state:
            continue
        stack = [(root, iter(root.inputs.values()))]
        state[root] = 1
        while stack:
            m, pending = stack[-1]
            for ix in pending:
                ox = ix.from_output
                if ox is None:
                    continue
                p = ox.module
                mark = state.get(p)
                if mark is None:
                    state[p] = 1
                    stack.append((p, iter(p.inputs.values())))
                    break
                if mark == 1:
                    raise DeepArchitectError(
                        "fingerprint: the graph has a cycle through %s" % p.get_name()
                    )
            else:
                stack.pop()
                state[m] = 2
                order.append(m)
    return order
