"""Framework-free modules and search spaces: the base of the tests' toy modules.

Values flowing through these graphs are plain Python lists of strings: each
module appends a description of itself, so a forward pass records the order in
which modules ran and the hyperparameter values they saw.

The other toy modules build on this one: ``searcher_toys`` (spaces and
objectives for the searchers), ``search_loop_toys`` (evaluators and a searcher
for the loop, importable by worker processes) and ``pruning_toys`` (learning
curves).
"""

from __future__ import annotations

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo

D = hp.Discrete


class Op(co.Module):
    """A SISO module that appends ``name(hyperparameter values)`` to the list flowing through."""

    def __init__(self, kind: str, name_to_hyperp: dict | None = None) -> None:
        co.Module.__init__(self, name=kind)
        self._register(["in"], ["out"], name_to_hyperp or {})
        self.num_compiles = 0

    @property
    def kind(self) -> str:
        """The name given at construction (``Conv`` for ``M.Conv-3``)."""
        return self.get_name()[2 : self.get_name().rindex("-")]

    def _compile(self) -> None:
        self.num_compiles += 1
        self.label = "%s%s" % (
            self.get_name(),
            sorted(self._get_hyperp_values().items()),
        )

    def _forward(self) -> None:
        self.outputs["out"].val = self.inputs["in"].val + [self.label]


class Combine(co.Module):
    """Concatenates the lists arriving at inputs ``in0`` ... ``in{n-1}``."""

    def __init__(self, num_inputs: int, name: str = "Combine") -> None:
        co.Module.__init__(self, name=name)
        self._register(["in%d" % i for i in range(num_inputs)], ["out"], {})

    def _compile(self) -> None:
        pass

    def _forward(self) -> None:
        merged = []
        for name in sorted(self.inputs, key=lambda n: int(n[2:])):
            merged = merged + self.inputs[name].val
        self.outputs["out"].val = merged + [self.get_name()]


def op(kind: str, /, **name_to_hyperp) -> mo.Fragment:
    """Returns the ports of a new :class:`Op`.

    ``kind`` is positional-only, so a hyperparameter may be called ``kind``.
    """
    return Op(kind, name_to_hyperp).get_io()


def combine(num_inputs: int, name: str = "Combine") -> mo.Fragment:
    """Returns the ports of a new :class:`Combine`."""
    return Combine(num_inputs, name).get_io()


def paper_space() -> mo.Fragment:
    """The NeurIPS 2019 paper's example: 25,008 architectures.

    An input conv with 64 or 128 filters, an optional dropout (rate 0.25 or
    0.5), then two parallel chains sharing one repeat count r in {1, 2, 4}: the
    first has r convs, the second 2r (a dependent hyperparameter), each conv
    with its own filter choice, concatenated.
    """
    h_reps = D([1, 2, 4])
    h_double = co.DependentHyperparameter(lambda d: 2 * d["r"], {"r": h_reps})

    def conv():
        return op("Conv", filters=D([64, 128]))

    i_in, i_out = mo.siso_sequential(
        [
            op("Conv", filters=D([64, 128])),
            mo.siso_optional(lambda: op("Dropout", rate=D([0.25, 0.5])), D([0, 1])),
        ]
    )
    a_in, a_out = mo.siso_repeat(conv, h_reps)
    b_in, b_out = mo.siso_repeat(conv, h_double)
    c_in, c_out = combine(2)
    i_out["out"].connect(a_in["in"])
    i_out["out"].connect(b_in["in"])
    a_out["out"].connect(c_in["in0"])
    b_out["out"].connect(c_in["in1"])
    return i_in, c_out


def cell_chain_space(num_cells: int) -> mo.Fragment:
    """A chain of cells, each: a choice among 3 ops, an optional op, and a residual.

    Used by the scaling benchmark.
    """

    def cell():
        return mo.siso_residual(
            lambda: mo.siso_sequential(
                [
                    mo.siso_or(
                        [
                            lambda: op("Conv3", filters=D([32, 64])),
                            lambda: op("Conv5", filters=D([32, 64])),
                            lambda: op("MaxPool"),
                        ],
                        D([0, 1, 2]),
                    ),
                    mo.siso_optional(lambda: op("BatchNorm"), D([0, 1])),
                ]
            ),
            mo.identity,
            lambda: combine(2),
        )

    return mo.siso_sequential([cell() for _ in range(num_cells)])
