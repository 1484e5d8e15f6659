"""The in-process loop builds each sampled architecture as few times as it can.

A searcher that reports its hyperparameters' names has its graph evaluated; otherwise the
graph the loop replays to name them is.
"""

from __future__ import annotations

from toy import D

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher
from deep_architect.specify import specify_and_name


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


class _UnnamedRandomSearcher(RandomSearcher):
    """Random search whose proposals do not report the hyperparameters' names."""

    def propose(self):
        return RandomSearcher.propose(self)[:4]


def _builds_and_graphs(folder, num_samples, make_searcher=RandomSearcher):
    space = _CountingSpace()
    recorder = _GraphRecorder()
    results = run_search(make_searcher(space, rng=0), lambda: recorder, num_samples,
                         str(folder), "s", show_progress=False)
    assert len(results) == num_samples
    return space, recorder.graphs


def _check_graphs_and_names(space, graphs, folder):
    configs = _configs(folder)
    assert len(configs) == len(graphs)
    for graph, config in zip(graphs, configs):
        fresh_inputs, fresh_outputs = mo.SearchSpaceFactory(space).get_search_space()
        names = specify_and_name(fresh_outputs, config["hyperp_value_lst"])
        assert config["hyperp_names"] == names
        assert co.is_specified(graph[1])
        assert _names_of(graph) == _names_of((fresh_inputs, fresh_outputs))


def test_a_searcher_reporting_names_builds_the_space_once_per_sample(tmp_path):
    space_3, _ = _builds_and_graphs(tmp_path / "a", 3)
    space_6, graphs = _builds_and_graphs(tmp_path / "b", 6)
    # The searcher's own build: its names are logged and its graph is evaluated.
    assert space_6.num_builds - space_3.num_builds == 3
    _check_graphs_and_names(space_6, graphs, tmp_path / "b")


def test_other_searchers_build_twice_per_sample_and_the_evaluation_reuses_the_replay(tmp_path):
    space_3, _ = _builds_and_graphs(tmp_path / "a", 3, _UnnamedRandomSearcher)
    space_6, graphs = _builds_and_graphs(tmp_path / "b", 6, _UnnamedRandomSearcher)
    # One build by the searcher and one replay per sample, not a third for the evaluation.
    assert space_6.num_builds - space_3.num_builds == 2 * 3
    _check_graphs_and_names(space_6, graphs, tmp_path / "b")


def test_names_are_not_taken_from_a_searcher_that_keeps_the_default_scope(tmp_path):
    def make_searcher(space, rng):
        return RandomSearcher(space, reset_default_scope_upon_sample=False, rng=rng)

    sample = make_searcher(_CountingSpace(), 0).sample()
    assert sample.hyperp_names is None
    space, graphs = _builds_and_graphs(tmp_path, 4, make_searcher)
    _check_graphs_and_names(space, graphs, tmp_path)


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
