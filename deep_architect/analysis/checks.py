"""Static checks of a search space: problems found by walking it, before any training.

:func:`check_space` builds the space, expands its choices on the side and
specifies a few random architectures, and reports what usually means a bug
in the space function: hyperparameters no module uses, choices that cannot
change anything, branches that build the same thing, modules cut off from the
outputs or the inputs, and, given example inputs, the first module whose
input shapes do not fit.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.analysis.fingerprint import fragment_hash
from deep_architect.analysis.size import space_size
from deep_architect.errors import DeepArchitectError

__all__ = ["Problem", "SpaceReport", "check_space"]

# How many expansions the identical-branches check may build in all.
_MAX_EXPANSIONS = 400


@dataclasses.dataclass
class Problem:
    """One finding of :func:`check_space`.

    Attributes:
        kind: ``"unused_hyperparameter"``, ``"single_value_hyperparameter"``,
            ``"identical_branches"``, ``"unreachable_module"``,
            ``"unfed_module"``, ``"invalid_architectures"`` or ``"shape_error"``.
        message: What was found, naming the modules and hyperparameters.
        severity: ``"error"`` (the search will fail or waste work) or
            ``"warning"`` (legal, but probably not what was meant).
    """

    kind: str
    message: str
    severity: str = "warning"


@dataclasses.dataclass
class SpaceReport:
    """The result of :func:`check_space`.

    Attributes:
        size: :func:`~deep_architect.analysis.space_size` (``math.inf`` for
            infinite spaces, ``None`` if it could not be counted).
        problems: The findings, errors first.
        num_architectures_checked: How many random architectures were specified
            (and run, when example inputs were given).
    """

    size: int | float | None
    problems: list[Problem]
    num_architectures_checked: int

    @property
    def ok(self) -> bool:
        """Whether no finding is an error."""
        return all(p.severity != "error" for p in self.problems)

    def __str__(self) -> str:
        if self.size is None:
            size = "unknown"
        elif self.size == math.inf:
            size = "infinite"
        else:
            size = "{:,}".format(self.size)
        lines = [
            "search space size: %s architectures" % size,
            "random architectures checked: %d" % self.num_architectures_checked,
        ]
        if not self.problems:
            lines.append("no problems found")
        for p in self.problems:
            lines.append("%s [%s] %s" % (p.severity.upper(), p.kind, p.message))
        return "\n".join(lines)


def check_space(
    search_space_fn: Callable[[], mo.Fragment],
    example_inputs: Mapping[str, Any] | None = None,
    num_samples: int = 5,
    seed: int = 0,
) -> SpaceReport:
    """Walks a search space and reports likely bugs, without training anything.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> import deep_architect.modules as mo
        >>> space = lambda: mo.siso_or([mo.identity, mo.identity], hp.Discrete([0, 1]))
        >>> report = check_space(space)
        >>> [p.kind for p in report.problems]
        ['identical_branches']

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.
        example_inputs: One value per input name of the space (a tensor or an
            array of the framework the space is written in). When given, each
            sampled architecture is run on them module by module, and the
            first module that fails is reported with the shapes it received.
        num_samples: How many random architectures to specify (and run).
        seed: Seed of the random architectures, so reports are reproducible.

    Returns:
        A :class:`SpaceReport`; ``print`` it for a readable summary.
    """
    if not callable(search_space_fn):
        raise DeepArchitectError(
            "check_space: search_space_fn must be callable, got %r" % (search_space_fn,)
        )
    problems: list[Problem] = []
    try:
        size: int | float | None = space_size(search_space_fn)
    except DeepArchitectError as e:
        size = None
        problems.append(Problem("uncountable_space", str(e)))

    with co.use_scope() as scope:
        inputs, outputs = mo.buffer_io(*search_space_fn())
        problems.extend(_reachability_problems(inputs, outputs, scope))
        problems.extend(_identical_branches(outputs))

    rng = np.random.RandomState(seed)
    unused: dict = {}
    single: dict = {}
    shape_errors: dict = {}
    num_invalid = 0
    num_checked = 0
    for _ in range(num_samples):
        with co.use_scope() as scope:
            inputs, outputs = mo.buffer_io(*search_space_fn())
            try:
                for h in co.unassigned_independent_hyperparameter_iterator(outputs):
                    if isinstance(h, hp.Discrete) and len(h.vs) == 1:
                        single.setdefault(_owner_label(h), h)
                    _assign_random(h, rng)
            except ValueError:
                num_invalid += 1
                continue
            num_checked += 1
            for name, elem in scope.name_to_elem.items():
                if _is_unused(elem):
                    unused.setdefault(name, elem)
            if example_inputs is not None:
                error = _first_failing_module(inputs, example_inputs)
                if error is not None:
                    shape_errors.setdefault(error.split(":")[0], error)

    for name in unused:
        problems.append(Problem(
            "unused_hyperparameter",
            "%s is created but no module uses it (its value never matters)" % name,
        ))
    if single:
        labels = sorted(single)
        problems.append(Problem(
            "single_value_hyperparameter",
            "%d hyperparameter(s) have one value but take a slot in every value list: %s%s"
            % (len(labels), ", ".join(labels[:10]), " ..." if len(labels) > 10 else ""),
        ))
    if num_invalid:
        problems.append(Problem(
            "invalid_architectures",
            "%d of %d random architectures were rejected by a substitution's ValueError"
            % (num_invalid, num_samples),
            "error" if num_checked == 0 else "warning",
        ))
    for message in shape_errors.values():
        problems.append(Problem("shape_error", message, "error"))
    problems.sort(key=lambda p: p.severity != "error")
    return SpaceReport(size, problems, num_checked)


def _owner_label(h: co.Hyperparameter) -> str:
    owners = [m for m in h.modules if not isinstance(m, mo.SubstitutionModule)]
    owner = owners[0].get_name() if owners else "no module"
    local = next((k for m in owners[:1] for k, v in m.hyperps.items() if v is h), "?")
    return "%s=%r (%s of %s)" % (h.get_name(), h.vs[0], local, owner)


def _assign_random(h: co.Hyperparameter, rng: np.random.RandomState) -> None:
    from deep_architect.searchers.common import random_specify_hyperparameter

    random_specify_hyperparameter(h, rng)


def _is_unused(elem: Any) -> bool:
    if not isinstance(elem, co.Hyperparameter) or elem.modules:
        return False
    return not elem._dependent_hyperps


def _reachability_problems(inputs: dict, outputs: dict, scope: co.Scope) -> list[Problem]:
    backward = set(co.get_modules_with_cond(outputs, lambda m: True))
    space_inputs = set(inputs.values())
    problems = []
    for name, elem in scope.name_to_elem.items():
        if not isinstance(elem, co.Module) or isinstance(elem, mo.SubstitutionModule):
            continue
        if elem not in backward:
            problems.append(Problem(
                "unreachable_module",
                "%s does not lead to any output of the space (its work is discarded)" % name,
            ))
            continue
        unfed = sorted(k for k, ix in elem.inputs.items()
                       if not ix.is_connected() and ix not in space_inputs)
        if unfed:
            problems.append(Problem(
                "unfed_module",
                "%s has inputs %s connected to nothing and not among the space's inputs, "
                "so a forward pass cannot run it" % (name, unfed),
                "error",
            ))
    return problems


def _identical_branches(outputs: dict) -> list[Problem]:
    """Finds choices whose values expand to the same fragment (compared by structure)."""
    problems = []
    budget = itertools.count()
    work = [m for m in co.get_modules_with_cond(outputs, lambda m: True)
            if isinstance(m, mo.SubstitutionModule)]
    for m in work:
        choices = [h for h in m.hyperps.values()
                   if isinstance(h, hp.Discrete) and not h.assign_done]
        if len(choices) != 1 or len(m.hyperps) != 1 or len(choices[0].vs) < 2:
            continue
        (name, h), = m.hyperps.items()
        seen: dict = {}
        for v in h.vs:
            if next(budget) >= _MAX_EXPANSIONS:
                return problems
            try:
                _, new_outputs = m._substitution_fn({name: v})
            except ValueError:
                continue
            seen.setdefault(fragment_hash(new_outputs), []).append(v)
        for values in seen.values():
            if len(values) > 1:
                problems.append(Problem(
                    "identical_branches",
                    "values %s of %s (%s of %s) build identical fragments: the choice "
                    "between them changes nothing" % (values, h.get_name(), name, m.get_name()),
                ))
    return problems


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None:
        return "shape %s" % (tuple(int(d) if d is not None else None for d in shape),)
    return type(value).__name__


def _first_failing_module(inputs: dict, example_inputs: Mapping[str, Any]) -> str | None:
    """Runs a specified graph module by module; describes the first module that fails."""
    if set(example_inputs) != set(inputs):
        raise DeepArchitectError(
            "check_space: example_inputs has names %s; the space's inputs are %s"
            % (sorted(example_inputs), sorted(inputs))
        )
    for name, ix in inputs.items():
        ix.val = example_inputs[name]
    for m in co.determine_module_eval_seq(inputs):
        try:
            m.forward()
            for ox in m.outputs.values():
                for ix in ox.to_inputs:
                    ix.val = ox.val
        except Exception as e:  # any framework's shape error, reported with its module
            received = ", ".join(
                "%s: %s" % (k, _describe(ix.val)) for k, ix in sorted(m.inputs.items())
            )
            return "%s: first module whose inputs do not fit (received %s): %s: %s" % (
                m.get_name(), received, type(e).__name__, str(e).splitlines()[0][:300]
            )
    return None
