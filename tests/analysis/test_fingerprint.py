"""fingerprint hashes what was built, not how it was chosen or named."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.analysis import fingerprint
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import enumerate_value_lists, specify

sys.path.insert(0, os.path.dirname(__file__))
import space_strategies  # noqa: E402
import toy  # noqa: E402


class Traced(co.Module):
    """A SISO op whose forward appends its kind and values (no scope numbering)."""

    def __init__(self, kind, **name_to_hyperp):
        co.Module.__init__(self, name=kind)
        self.kind = kind
        self._register(["in"], ["out"], name_to_hyperp)

    def _compile(self):
        pass

    def _forward(self):
        values = sorted(self._get_hyperp_values().items())
        self.outputs["out"].val = self.inputs["in"].val + [(self.kind, values)]


def traced(kind, **name_to_hyperp):
    return Traced(kind, **name_to_hyperp).get_io()


def _built(search_space_fn, value_list):
    inputs, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    specify(outputs, value_list)
    return inputs, outputs


def _trace(inputs, outputs):
    co.forward({inputs["in"]: []})
    return outputs["out"].val


def chain_space():
    return mo.siso_sequential(
        [
            traced("Conv", filters=hp.Discrete([16, 32])),
            mo.siso_optional(lambda: traced("Dropout", rate=hp.Discrete([0.25, 0.5])), hp.Bool()),
            mo.siso_or(
                [mo.identity, lambda: mo.siso_optional(lambda: traced("Pool"), hp.Bool())],
                hp.Bool(),
            ),
            mo.siso_repeat(
                lambda: traced("Dense", units=hp.Discrete([8, 9])), hp.Discrete([0, 1, 2])
            ),
        ]
    )


def test_equal_fingerprints_exactly_when_the_built_chains_are_equal():
    value_lists = list(enumerate_value_lists(chain_space))
    by_fingerprint, by_trace = {}, {}
    for vs in value_lists:
        built = _built(chain_space, vs)
        by_fingerprint.setdefault(fingerprint(*built), []).append(vs)
        by_trace.setdefault(repr(_trace(*built)), []).append(vs)
    assert sorted(by_fingerprint.values()) == sorted(by_trace.values())
    # Some value lists build the same chain: an identity, or an optional switched off.
    assert len(by_fingerprint) < len(value_lists)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space_strategies.space_descriptions)
def test_fingerprint_ignores_scope_numbering_and_names(description):
    search_space_fn = space_strategies.build_space(description)
    for vs in _first(enumerate_value_lists(search_space_fn), 20):
        a = _built(search_space_fn, vs)
        with co.use_scope():
            for _ in range(3):  # shift every number of the second build
                toy.op("Unrelated", x=hp.Discrete([1]))
            b_in, b_out = mo.buffer_io(*search_space_fn())
            specify(b_out, vs)
        assert fingerprint(*a) == fingerprint(b_in, b_out)


def _first(iterator, n):
    for i, x in enumerate(iterator):
        if i >= n:
            return
        yield x


def test_values_and_structure_change_the_fingerprint():
    def dense():
        return traced("Dense", units=hp.Discrete([8, 16]))

    def conv():
        return traced("Conv", units=hp.Discrete([8, 16]))

    def two_dense():
        return mo.siso_sequential([dense(), dense()])

    fingerprints = [
        fingerprint(*_built(dense, [8])),
        fingerprint(*_built(dense, [16])),
        fingerprint(*_built(conv, [8])),
        fingerprint(*_built(two_dense, [8, 8])),
        fingerprint(*_built(two_dense, [8, 16])),
        fingerprint(*_built(two_dense, [16, 8])),
    ]
    assert len(set(fingerprints)) == len(fingerprints)


def test_commutative_inputs_hash_as_a_multiset():
    class Sum(co.Module):
        commutative_inputs = True

        def __init__(self):
            co.Module.__init__(self, name="Sum")
            self._register(["in0", "in1"], ["out"], {})

    def build(swap):
        a_in, a_out = traced("A")
        b_in, b_out = traced("B")
        s = Sum()
        first, second = (b_out, a_out) if swap else (a_out, b_out)
        first["out"].connect(s.inputs["in0"])
        second["out"].connect(s.inputs["in1"])
        return {"a": a_in["in"], "b": b_in["in"]}, s.get_io()[1]

    assert fingerprint(*build(False)) == fingerprint(*build(True))


def test_same_fingerprint_in_other_processes_and_hash_seeds():
    vs = list(enumerate_value_lists(chain_space))[-1]
    here = fingerprint(*_built(chain_space, vs))
    code = (
        "import sys; sys.path[:0] = [%r, %r]\n"
        "import test_fingerprint as t\n"
        "print(t.fingerprint(*t._built(t.chain_space, %r)))\n"
        % (os.path.dirname(__file__), os.path.dirname(os.path.dirname(__file__)), vs)
    )
    for seed in ["0", "12345"]:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        assert out == here


def test_unspecified_and_cyclic_graphs_are_refused_with_a_message():
    inputs, outputs = mo.SearchSpaceFactory(chain_space).get_search_space()
    with pytest.raises(DeepArchitectError, match="has no value"):
        fingerprint(inputs, outputs)
    a_in, a_out = traced("A")
    b_in, b_out = traced("B")
    a_out["out"].connect(b_in["in"])
    b_out["out"].connect(a_in["in"])
    with pytest.raises(DeepArchitectError, match="cycle"):
        fingerprint({}, {"out": b_out["out"]})
