"""The Experiment facade and load_architecture."""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest
import searcher_toys as st

import deep_architect as da
import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.in_process import InProcessExecutor
from deep_architect.search_loop import FAILED_KEY
from deep_architect.searchers.random import RandomSearcher


class ToyEvaluator:
    """Scores structured-space architectures without training; fails on one design."""

    def eval(self, inputs, outputs):
        return {"validation_accuracy": st.objective_count(st.describe(inputs))}


def test_run_best_and_load_agree_with_the_log_folder(tmp_path):
    np.random.seed(0)
    experiment = da.Experiment(st.structured_space, ToyEvaluator(), folderpath=str(tmp_path),
                               search_name="toy")
    results = experiment.run(15, show_progress=False)
    assert len(results) == 15
    scores = [r["validation_accuracy"] for r in results]
    best = experiment.best(4)
    assert [b.score for b in best] == sorted(scores, reverse=True)[:4]
    logs = sl.read_search_folder(experiment.search_folderpath)
    for b in best:
        assert b.hyperp_value_lst == logs[b.evaluation_id]["config"]["hyperp_value_lst"]
        assert b.results == logs[b.evaluation_id]["results"] and b.labeled_values is None
        loaded = experiment.load(b.evaluation_id)
        assert co.is_specified(loaded.outputs) and loaded.model is None
        assert st.objective_count(st.describe(loaded.inputs)) == b.score
    # Ties keep the earlier evaluation first.
    ids_by_score = sorted(range(15), key=lambda i: (-scores[i], i))
    assert [b.evaluation_id for b in best] == ids_by_score[:4]
    # Running again resumes: nothing is evaluated twice.
    assert experiment.run(15, show_progress=False) == results


def test_searcher_given_as_a_factory_and_failed_evaluations_are_not_ranked(tmp_path):
    class SometimesFails:
        def __init__(self):
            self.calls = 0

        def eval(self, inputs, outputs):
            self.calls += 1
            if self.calls % 2:
                raise RuntimeError("out of memory")
            return {"validation_accuracy": float(self.calls)}

    experiment = da.Experiment(st.structured_space, SometimesFails(),
                               searcher=lambda fn: RandomSearcher(fn), folderpath=str(tmp_path))
    results = experiment.run(6, show_progress=False)
    assert sum(bool(r.get(FAILED_KEY)) for r in results) == 3
    assert [b.score for b in experiment.best(10)] == [6.0, 4.0, 2.0]


def test_run_passes_the_executor_to_run_search(tmp_path):
    class CountingExecutor(InProcessExecutor):
        submitted = 0

        def submit(self, job, timeout):
            CountingExecutor.submitted += 1
            return InProcessExecutor.submit(self, job, timeout)

    experiment = da.Experiment(st.structured_space, ToyEvaluator, folderpath=str(tmp_path))
    results = experiment.run(4, executor=CountingExecutor(), show_progress=False)
    assert len(results) == 4 and CountingExecutor.submitted == 4


def test_load_architecture_rebuilds_any_logged_architecture(tmp_path):
    np.random.seed(1)
    searcher = RandomSearcher(st.rich_space)
    logger = sl.SearchLogger(str(tmp_path), "rich")
    descriptions = []
    for i in range(5):
        inputs, outputs, vs, token = searcher.sample()
        descriptions.append(co.jsonify(inputs, outputs))
        evaluation_logger = logger.get_evaluation_logger(i)
        evaluation_logger.log_config(vs, token)
        if i < 4:
            evaluation_logger.log_results({"validation_accuracy": 0.5})
    for i in range(5):
        loaded = sl.load_architecture(str(tmp_path), "rich", i, st.rich_space)
        assert co.jsonify(loaded.inputs, loaded.outputs) == descriptions[i]
        assert loaded.results == (None if i == 4 else {"validation_accuracy": 0.5})
    with pytest.raises(DeepArchitectError, match="no evaluation folder.*x7"):
        sl.load_architecture(str(tmp_path), "rich", 7, st.rich_space)
    with pytest.raises(DeepArchitectError, match="evaluation 0.*does not fit"):
        sl.load_architecture(str(tmp_path), "rich", 0, st.structured_space)


def test_experiment_rejects_bad_arguments():
    with pytest.raises(DeepArchitectError, match="search_space_fn must be callable"):
        da.Experiment(42, ToyEvaluator())
    with pytest.raises(DeepArchitectError, match="searcher must be"):
        da.Experiment(st.structured_space, ToyEvaluator(), searcher=42)
    with pytest.raises(DeepArchitectError, match="k must be a positive int"):
        da.Experiment(st.structured_space, ToyEvaluator()).best(0)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        da.Nothing  # noqa: B018


# ----------------------------------------------------------------- PyTorch spaces

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples", "inline_model_space"))


def test_inline_space_best_has_labels_and_export_writes_the_user_model(tmp_path):
    from searchable_net import SearchableNet

    class ByLabels:
        def eval(self, inputs, outputs):
            import deep_architect.helpers.pytorch_model_space as pms

            labeled = pms.get_labeled_values(outputs)
            return {"validation_accuracy": labeled["conv1_ks"] + labeled["mid_channels"] / 100}

    np.random.seed(0)
    experiment = da.Experiment(SearchableNet.search_space_fn(), ByLabels(),
                               folderpath=str(tmp_path))
    experiment.run(8, show_progress=False)
    best = experiment.best(2)
    assert set(best[0].labeled_values) == {"conv1_ks", "mid_channels", "pool"}
    assert best[0].score >= best[1].score
    folders = experiment.export_top_models(2)
    assert [os.path.basename(f) for f in folders] == [
        "rank%d_x%d" % (r, b.evaluation_id) for r, b in enumerate(best)]
    saved = json.loads(open(os.path.join(folders[0], "architecture.json")).read())
    assert saved["hyperp_value_lst"] == best[0].hyperp_value_lst
    assert saved["labeled_values"] == best[0].labeled_values
    model = torch.load(os.path.join(folders[0], "model.pt"), weights_only=False)
    assert type(model) is SearchableNet
    assert model.conv2.out_channels == best[0].labeled_values["mid_channels"]
    assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(DeepArchitectError, match="exists already"):
        experiment.export_top_models(1)


def test_load_architecture_compiles_pytorch_graphs_given_example_inputs(tmp_path):
    import deep_architect.helpers.pytorch_support as hpt

    def space():
        return mo.siso_sequential([
            hpt.siso_pytorch_module_from_pytorch_layer_fn(
                torch.nn.Linear, {"in_features": 4, "out_features": hp.Discrete([3, 5])}),
            hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {})])

    experiment = da.Experiment(space, lambda: ToyScore(), folderpath=str(tmp_path),
                               example_inputs={"in": torch.zeros(2, 4)})
    experiment.run(3, show_progress=False)
    loaded = experiment.load(0)
    assert isinstance(loaded.model, hpt.PyTorchModel)
    assert loaded.model({"in": torch.ones(1, 4)})["out"].shape[1] == loaded.hyperp_value_lst[1]
    # Without example inputs the graph cannot be compiled: no model.
    assert sl.load_architecture(str(tmp_path), "search", 0, space).model is None
    folders = experiment.export_top_models(1)
    weights = torch.load(os.path.join(folders[0], "model_state_dict.pt"))
    assert sorted(weights) == sorted(experiment.load(0).model.state_dict())


class ToyScore:
    def eval(self, inputs, outputs):
        return {"validation_accuracy": 1.0}


def test_docstring_examples_run():
    import doctest

    import deep_architect.experiment as experiment

    result = doctest.testmod(experiment)
    assert result.attempted > 0 and result.failed == 0
