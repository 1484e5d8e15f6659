"""Pareto utilities, the NSGA-II searcher, multi-metric run_search and reading the front."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.pareto import (
    crowding_distance,
    dominates,
    hypervolume_2d,
    non_dominated_sort,
    objective_vector,
    pareto_front,
)
from deep_architect.search_loop import run_search
from deep_architect.searchers.nsga2 import NSGA2Searcher
from deep_architect.searchers.random import RandomSearcher
from deep_architect.searchers.regularized_evolution import mutatable

OBJECTIVES = {"accuracy": "max", "latency": "min"}
NUM_VARS = 8
WEIGHTS = [1.0, 3.0, 0.5, 2.0, 1.5, 4.0, 0.7, 2.5]


def toy_space():
    return mo.siso_sequential([
        mo.siso_optional(mo.identity, hp.Discrete([0, 1, 2, 3, 4], name="Mutatable"))
        for _ in range(NUM_VARS)])


def toy_results(vs):
    """Accuracy grows with diminishing returns, latency linearly: the objectives conflict."""
    accuracy = sum(math.sqrt(v) for v in vs) / (NUM_VARS * 2)
    latency = sum(w * v for w, v in zip(WEIGHTS, vs))
    return {"accuracy": accuracy, "latency": latency}


def run_toy(searcher, num_evaluations):
    points = []
    for _ in range(num_evaluations):
        _, _, vs, token = searcher.sample()
        results = toy_results(vs)
        searcher.update(results if isinstance(searcher, NSGA2Searcher) else results["accuracy"],
                        token)
        points.append(objective_vector(results, OBJECTIVES))
    return points


def front_hypervolume(points):
    return hypervolume_2d([points[i] for i in pareto_front(points)], reference=(0.0, -80.0))


def test_nsga2_front_beats_random_search_front_in_hypervolume_over_seeds():
    wins, ratios = 0, []
    for seed in range(5):
        random.seed(seed)
        np.random.seed(seed)
        nsga = front_hypervolume(run_toy(NSGA2Searcher(toy_space, OBJECTIVES, mutatable, 20),
                                         200))
        random.seed(seed)
        np.random.seed(seed)
        rand = front_hypervolume(run_toy(RandomSearcher(toy_space), 200))
        wins += nsga > rand
        ratios.append(nsga / rand)
    assert wins == 5, ratios
    assert np.median(ratios) > 1.02, ratios


def test_nsga2_population_front_is_non_dominated_and_bounded():
    random.seed(0)
    np.random.seed(0)
    searcher = NSGA2Searcher(toy_space, OBJECTIVES, mutatable, 10)
    points = run_toy(searcher, 60)
    assert len(searcher.population) == 10
    front = searcher.get_pareto_front()
    vectors = [objective_vector(r, OBJECTIVES) for _, r in front]
    assert front and all(not dominates(a, b) for a in vectors for b in vectors)
    # Nothing evaluated dominates the final front by more than the population could keep.
    for vs, results in front:
        assert toy_results(vs) == pytest.approx(results)
    assert max(p[0] for p in points) >= max(v[0] for v in vectors)


def test_nsga2_state_round_trip_continues_identically(tmp_path):
    # The searcher owns its generator: its state alone continues the samples.
    def make():
        return NSGA2Searcher(toy_space, OBJECTIVES, mutatable, 6, rng=3)
    a = make()
    run_toy(a, 10)
    a.save_state(str(tmp_path))
    expected = [vs for vs, _ in [(s[2], a.update(toy_results(s[2]), s[3]))
                                 for s in [a.sample() for _ in range(1)]]]
    expected += [a.sample()[2] for _ in range(3)]
    b = make()
    b.load_state(str(tmp_path))
    got = [vs for vs, _ in [(s[2], b.update(toy_results(s[2]), s[3]))
                            for s in [b.sample() for _ in range(1)]]]
    got += [b.sample()[2] for _ in range(3)]
    assert got == expected


def test_nsga2_bad_input_is_messaged():
    with pytest.raises(DeepArchitectError, match="objectives must be a non-empty dict"):
        NSGA2Searcher(toy_space, ["accuracy"], mutatable, 4)
    with pytest.raises(DeepArchitectError, match="'max' or 'min'.*latency"):
        NSGA2Searcher(toy_space, {"accuracy": "max", "latency": "fast"}, mutatable, 4)
    searcher = NSGA2Searcher(toy_space, OBJECTIVES, mutatable, 4)
    token = searcher.sample()[3]
    with pytest.raises(DeepArchitectError, match="'latency' is missing"):
        searcher.update({"accuracy": 0.5}, token)
    with pytest.raises(DeepArchitectError, match="'latency' must be a finite number"):
        searcher.update({"accuracy": 0.5, "latency": float("nan")}, token)
    with pytest.raises(DeepArchitectError, match="as a dict"):
        searcher.update(0.5, token)
    searcher.update([0.5, 3.0], token)
    with pytest.raises(DeepArchitectError, match="already used"):
        searcher.update([0.5, 3.0], token)


def test_run_search_with_several_metrics_feeds_nsga2_and_the_front_is_readable(tmp_path):
    logged = {}

    class ValueListEvaluator:
        def eval(self, inputs, outputs):
            from deep_architect.core import get_modules_with_cond
            ids = len(logged)
            num_identities = len(get_modules_with_cond(outputs, lambda m: True))
            results = {"accuracy": math.sqrt(num_identities), "latency": float(num_identities),
                       "other": ids}
            logged[ids] = results
            return results

    random.seed(0)
    np.random.seed(0)
    searcher = NSGA2Searcher(toy_space, OBJECTIVES, mutatable, 4)
    results = run_search(searcher, ValueListEvaluator, 12, str(tmp_path), "mo",
                         metric=["accuracy", "latency"], show_progress=False)
    assert len(results) == 12 and len(searcher.population) == 4
    front = sl.read_pareto_front(str(tmp_path / "mo"), OBJECTIVES)
    points = [objective_vector(r, OBJECTIVES) for r in results]
    assert [f["evaluation_id"] for f in front] == pareto_front(points)
    assert all(f["results"] == results[f["evaluation_id"]] for f in front)
    with pytest.raises(DeepArchitectError, match="metric must be"):
        run_search(searcher, ValueListEvaluator, 1, str(tmp_path), "bad", metric=[],
                   show_progress=False)


points_st = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=25)


@settings(max_examples=100, deadline=None)
@given(points_st)
def test_non_dominated_sort_partitions_points_into_consistent_fronts(points):
    fronts = non_dominated_sort(points)
    assert sorted(i for f in fronts for i in f) == list(range(len(points)))
    rank = {i: r for r, f in enumerate(fronts) for i in f}
    for i in range(len(points)):
        for j in range(len(points)):
            if dominates(points[i], points[j]):
                assert rank[i] < rank[j]
        if rank[i] > 0:  # dominated by someone in the previous front
            assert any(dominates(points[k], points[i]) for k in fronts[rank[i] - 1])
    distance = crowding_distance(points, fronts[0])
    assert set(distance) == set(fronts[0]) and all(d >= 0 for d in distance.values())


@settings(max_examples=100, deadline=None)
@given(points_st, st.tuples(st.integers(0, 6), st.integers(0, 6)))
def test_hypervolume_grows_with_points_and_ignores_dominated_ones(points, extra):
    reference = (-1, -1)
    base = hypervolume_2d(points, reference)
    assert hypervolume_2d(points + [extra], reference) >= base
    front = [points[i] for i in pareto_front(points)]
    assert hypervolume_2d(front, reference) == base
    # A single point's hypervolume is its box.
    assert hypervolume_2d([extra], reference) == (extra[0] + 1) * (extra[1] + 1)


@pytest.mark.parametrize("name", ["deep_architect.pareto", "deep_architect.searchers.nsga2"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    random.seed(0)
    np.random.seed(0)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def logged_toy_search(folderpath, num_samples=10):
    count = []

    class Evaluator:
        def eval(self, inputs, outputs):
            count.append(None)
            num = len(co.get_modules_with_cond(outputs, lambda m: True))
            if len(count) % 4 == 0:
                return {"accuracy": float("nan"), "latency": 1.0, "note": "diverged"}
            return {"accuracy": 1 - 1 / num, "latency": 2.0 * num, "params": 10 * num}

    random.seed(1)
    np.random.seed(1)
    run_search(RandomSearcher(toy_space), Evaluator, num_samples, str(folderpath), "s",
               metric="latency", show_progress=False)
    return str(folderpath / "s")


def test_report_has_a_pareto_plot_a_front_column_and_every_metric(tmp_path):
    pytest.importorskip("matplotlib")
    from deep_architect.report import generate_report, main

    search = logged_toy_search(tmp_path)
    results = [log["results"] for log in sl.read_search_folder(search)]
    front = [f["evaluation_id"] for f in sl.read_pareto_front(search, OBJECTIVES)]
    index = generate_report(search, objectives=OBJECTIVES, metric="accuracy")
    page = open(index).read()
    assert (tmp_path / "s" / "report" / "images" / "pareto.png").stat().st_size > 0
    assert 'id="plot-pareto"' in page and ">Pareto front</th>" in page
    for name in ["latency", "params", "note"]:
        assert ">%s</th>" % name in page
    members = page[page.index('id="pareto-members"'):].split("</p>")[0]
    assert members.count("<a ") == len(front) and front
    assert all('href="#evaluations-row-x%d"' % i in members for i in front)
    # The diverged evaluations (NaN accuracy) are on no front.
    assert all(math.isfinite(results[i]["accuracy"]) for i in front)
    assert main([search, "--objectives", "accuracy:max,latency:min", "--out",
                 str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "images" / "pareto.png").exists()
    assert main([search, "--objectives", "accuracy:best"]) == 2
    with pytest.raises(DeepArchitectError, match="two objectives"):
        generate_report(search, objectives={"accuracy": "max"})


def test_plot_pareto_front_highlights_the_front(tmp_path):
    pytest.importorskip("matplotlib")
    from deep_architect.visualization import plot_pareto_front

    results = [{"accuracy": 0.9, "latency": 5.0}, {"accuracy": 0.8, "latency": 2.0},
               {"accuracy": 0.7, "latency": 6.0}, {"latency": 1.0}]
    fig = plot_pareto_front(results, OBJECTIVES, str(tmp_path / "p.png"))
    ax = fig.axes[0]
    drawn = {line.get_label(): line for line in ax.get_lines()}
    front = drawn["Pareto front (2)"]
    assert sorted(zip(front.get_xdata(), front.get_ydata())) == [(2.0, 0.8), (5.0, 0.9)]
    assert len(drawn["evaluations (3)"].get_xdata()) == 3
    assert ax.get_xlabel().startswith("latency (lower") and ax.get_ylabel().startswith("accuracy")
    assert (tmp_path / "p.png").stat().st_size > 0
    with pytest.raises(DeepArchitectError, match="two objectives"):
        plot_pareto_front(results, {"accuracy": "max"})


def test_hard_budget_in_front_of_nsga2_under_run_search(tmp_path):
    from deep_architect.searchers.constrained import ConstrainedSearcher

    def num_modules(inputs, outputs):
        return len(co.get_modules_with_cond(outputs, lambda m: True))

    class Evaluator:
        def eval(self, inputs, outputs):
            n = num_modules(inputs, outputs)
            return {"accuracy": 1 - 1 / n, "latency": float(n)}

    def space():
        return mo.siso_sequential([
            mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3], name="Mutatable"))
            for _ in range(3)])

    inner = NSGA2Searcher(space, OBJECTIVES, mutatable, 4, rng=0)
    searcher = ConstrainedSearcher(inner, num_modules, 6,
                                   rejected_value={"accuracy": 0.0, "latency": 100.0})
    results = run_search(searcher, Evaluator, 12, str(tmp_path), "c",
                         metric=["accuracy", "latency"], show_progress=False)
    assert len(results) == 12 and all(r["latency"] <= 6 for r in results)
    assert searcher.num_rejected > 0 and len(inner.population) == 4
    # Rejected candidates reached the inner searcher as dominated points, then left it.
    assert all(results_of[1]["latency"] <= 6 for results_of in inner.get_pareto_front())
    with pytest.raises(DeepArchitectError, match="rejected_value must be a finite number"):
        ConstrainedSearcher(inner, num_modules, 6, rejected_value={"accuracy": float("nan")})
