"""The graph model of deep_architect: scopes, hyperparameters, modules, traversals.

A search space is a graph of :class:`Module` objects connected through their
:class:`Input` and :class:`Output` ports, with :class:`Hyperparameter` objects
attached to modules. Searchers assign hyperparameter values in the order given
by :func:`unassigned_independent_hyperparameter_iterator`; that order is what
makes a logged value list replay to the same architecture, so every traversal
here follows a precisely defined order.

Example:
    >>> import deep_architect.core as co
    >>> import deep_architect.hyperparameters as hp
    >>> class AddConstant(co.Module):
    ...     def __init__(self, h_constant):
    ...         co.Module.__init__(self)
    ...         self._register(["in"], ["out"], {"constant": h_constant})
    ...     def _compile(self):
    ...         self.constant = self._get_hyperp_values()["constant"]
    ...     def _forward(self):
    ...         self._set_output_values({"out": self.inputs["in"].val + self.constant})
    >>> module = AddConstant(hp.Discrete([1, 2]))
    >>> module.hyperps["constant"].assign_value(2)
    >>> co.forward({module.inputs["in"]: 40})
    >>> module.outputs["out"].val
    42

The package is split by concern, behind this facade (import names from
``deep_architect.core``, not from the private submodules): naming and scopes,
the graph objects, traversals, and execution. It depends on nothing outside the
standard library.
"""

from __future__ import annotations

from deep_architect.core._execution import (
    ExecutionPlan,
    determine_input_output_cleanup_seq,
    determine_module_eval_seq,
    forward,
    jsonify,
)
from deep_architect.core._graph import (
    DependentHyperparameter,
    Hyperparameter,
    Input,
    Module,
    Output,
    extract_unique_modules,
    note_graph_edit,
    paused_gc,
)
from deep_architect.core._graph import (
    _graph_edit_counter as _graph_edit_counter,
)
from deep_architect.core._naming import (
    Addressable,
    OrderedSet,
    Scope,
    sorted_values_by_key,
    use_scope,
)
from deep_architect.core._traversal import (
    get_all_hyperparameters,
    get_modules_with_cond,
    get_unassigned_independent_hyperparameters,
    get_unconnected_inputs,
    get_unconnected_outputs,
    is_specified,
    traverse_backward,
    traverse_forward,
    unassigned_independent_hyperparameter_iterator,
)
from deep_architect.errors import DeepArchitectError

__all__ = [
    "DeepArchitectError",
    "sorted_values_by_key",
    "OrderedSet",
    "Scope",
    "use_scope",
    "paused_gc",
    "note_graph_edit",
    "Addressable",
    "Hyperparameter",
    "DependentHyperparameter",
    "Input",
    "Output",
    "Module",
    "extract_unique_modules",
    "determine_module_eval_seq",
    "traverse_backward",
    "traverse_forward",
    "get_modules_with_cond",
    "is_specified",
    "ExecutionPlan",
    "forward",
    "get_unconnected_inputs",
    "get_unconnected_outputs",
    "get_all_hyperparameters",
    "get_unassigned_independent_hyperparameters",
    "unassigned_independent_hyperparameter_iterator",
    "determine_input_output_cleanup_seq",
    "jsonify",
]

# The names of earlier versions, for code written against them.
_paused_gc = paused_gc
