"""The in-process loop evaluates the graph it replayed to name the hyperparameters."""

from __future__ import annotations

from toy import D

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher
from deep_architect.specify import specify


class _CountingSpace:
    """Three optional identities; counts how often the space is built."""

    def __init__(self):
        self.num_builds = 0

    def __call__(self):
        self.num_builds += 1
        return mo.siso_sequential([mo.siso_optional(mo.identity, D([0, 1])) for _ in range(3)])


class _GraphRecorder:
    """Records the graphs it is given; fails the first attempt of evaluation 0 after editing it."""

    def __init__(self, fail_first_attempt=False):
        self.graphs = []
        self.fail_first_attempt = fail_first_attempt

    def eval(self, inputs, outputs):
        self.graphs.append((inputs, outputs))
        if self.fail_first_attempt and len(self.graphs) == 1:
            # An evaluator that changes the graph and then fails: a retry must not see it.
            outputs["out"].disconnect_all()
            inputs["in"].module.inputs.clear()
            raise RuntimeError("first attempt fails")
        return {"validation_accuracy": 0.5}


def _names_of(graph):
    inputs, outputs = graph
    return sorted(m.get_name() for m in co.extract_unique_modules(list(outputs.values())))


def _builds_and_graphs(folder, num_samples):
    space = _CountingSpace()
    recorder = _GraphRecorder()
    results = run_search(RandomSearcher(space, rng=0), lambda: recorder, num_samples,
                         str(folder), "s", show_progress=False)
    assert len(results) == num_samples
    return space, recorder.graphs


def test_each_sample_builds_the_space_twice_not_three_times(tmp_path):
    space_3, _ = _builds_and_graphs(tmp_path / "a", 3)
    space_6, graphs = _builds_and_graphs(tmp_path / "b", 6)
    # One build by the searcher and one replay per sample; the evaluation reuses the replay.
    assert space_6.num_builds - space_3.num_builds == 2 * 3
    for graph, config in zip(graphs, _configs(tmp_path / "b")):
        fresh_inputs, fresh_outputs = mo.SearchSpaceFactory(space_6).get_search_space()
        specify(fresh_outputs, config["hyperp_value_lst"])
        assert co.is_specified(graph[1])
        assert _names_of(graph) == _names_of((fresh_inputs, fresh_outputs))


def test_a_retry_gets_a_fresh_graph(tmp_path):
    space = _CountingSpace()
    recorder = _GraphRecorder(fail_first_attempt=True)
    results = run_search(RandomSearcher(space, rng=0), lambda: recorder, 1, str(tmp_path), "s",
                         show_progress=False, max_retries=1)
    assert results[0]["validation_accuracy"] == 0.5
    first, retry = recorder.graphs
    assert first[1] is not retry[1]
    assert retry[1]["out"].module.inputs  # not the graph the failed attempt edited
    assert co.is_specified(retry[1])


def _configs(tmp_path):
    import deep_architect.search_logging as sl

    logs = sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "s"))
    return [log["config"] for log in logs]
