"""Tests of the DARTS cell space (contrib/misc/search_spaces/darts_space.py)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("one_torch_thread")

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.contrib.misc.search_spaces import darts_space as ds  # noqa: E402
from deep_architect.oneshot import InputEdge, Supernet  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402


def tiny():
    return ds.darts_network(num_cells=2, channels=2)


def edge_values(values):
    """The op names of a value list (the only string values of the space)."""
    return [v for v in values if isinstance(v, str)]


def test_every_op_keeps_the_shape():
    x = torch.randn(2, 3, 8, 8)
    for op in ds.OPS:
        assert ds.make_op(op, 3)(x).shape == x.shape, op


def test_a_discrete_searcher_samples_compilable_architectures():
    for seed in range(3):
        inputs, outputs = mo.SearchSpaceFactory(tiny).get_search_space()
        values = random_specify(outputs, np.random.default_rng(seed))
        assert len(edge_values(values)) == 14  # edges are shared by the cells
        model = hpt.PyTorchModel(inputs, outputs, {"in": torch.zeros(2, 1, 8, 8)})
        assert model({"in": torch.randn(3, 1, 8, 8)})["out"].shape == (3, 10)


def test_the_supernet_has_one_alpha_vector_per_edge_shared_by_the_cells():
    net = Supernet(tiny, {"in": torch.zeros(2, 1, 8, 8)})
    assert len(net.arch_parameters()) == 14
    assert all(isinstance(h, InputEdge) and h.vs == ds.OPS for h in net.decisions)
    assert net({"in": torch.randn(3, 1, 8, 8)})["out"].shape == (3, 10)


def test_top_k_inputs_keeps_the_two_strongest_edges_of_each_node():
    net = Supernet(tiny, {"in": torch.zeros(2, 1, 8, 8)})
    strongest = {}  # node -> the two edges made strongest
    with torch.no_grad():
        for d, a in enumerate(net.arch_parameters()):
            a.zero_()
            a[ds.OPS.index("none")] = 5.0  # 'none' never counts as an edge's strength
            a[d % 6] = 1.0 + d % 3
        for h, a in zip(net.decisions, net.arch_parameters()):
            strongest.setdefault(h.node, []).append((float(a[:6].max()), h))
    values = net.derive(top_k_inputs=2).values
    _, outputs = mo.SearchSpaceFactory(tiny).get_search_space()
    specify(outputs, values)
    assert co.is_specified(outputs)
    net.set_path(values)
    chosen = {h.get_name(): h.vs[i] for h, i in zip(net.decisions, net.path)}
    for node, edges in strongest.items():
        kept = {h.get_name() for _, h in sorted(edges, key=lambda e: -e[0])[:2]}
        for _, h in edges:
            assert (chosen[h.get_name()] != "none") == (h.get_name() in kept), (node, h)
    assert edge_values(values).count("none") == 14 - 8
    assert edge_values(net.derive().values).count("none") == 14  # plain argmax: 'none'
