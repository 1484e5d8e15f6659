"""Benchmark of Optuna's samplers on deep_architect spaces.

Prints:

* quality: best score after 50 evaluations (median over seeds, with the
  interquartile range) of TPE through ``OptunaSearcher``, our SMBO searcher
  and random search, on the toy problems of ``tests/searcher_toys.py``
  (three objectives on the structured space, one on the space with ranges)
  and on digits (a structural random-features classifier with ranges, fitted
  in closed form so that an evaluation takes milliseconds);
* overhead: time per step (sample + update) of ``OptunaSearcher`` against
  Optuna used directly (ask, the same suggestions, tell) on an equivalent flat
  space of 10 floats, both with a random sampler (so the sampler's own cost
  does not hide the overhead) and with TPE; rounds alternate, medians shown.

Usage: python tests/perf/bench_optuna.py [--seeds K] [--num_evaluations N] [--part quality|overhead]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import numpy as np  # noqa: E402
import optuna  # noqa: E402
import searcher_toys as st  # noqa: E402

import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.contrib.searchers.optuna_searcher import OptunaSearcher  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402
from deep_architect.searchers.smbo_random import SMBOSearcher  # noqa: E402
from deep_architect.surrogates.hashing import HashingSurrogate  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


# ----------------------------------------------------------------- digits problem


def digits_space() -> tuple:
    """1-2 random-feature layers (width, scale, activation) and a ridge penalty."""
    def feature_layer() -> tuple:
        return mo.hyperparameter_aggregator({
            "width": hp.Int(16, 512, log=True), "scale": hp.Float(1e-2, 3.0, log=True),
            "activation": hp.Discrete(["relu", "tanh", "cos"])}, name="Features")

    return mo.siso_sequential([
        mo.siso_repeat(feature_layer, hp.Int(1, 2)),
        mo.hyperparameter_aggregator({"alpha": hp.Float(1e-4, 10.0, log=True)}, name="Ridge"),
    ])


_DIGITS: dict = {}


def digits_score(outputs: dict) -> float:
    """Validation accuracy of a ridge classifier on stacked random features."""
    if not _DIGITS:
        from deep_architect.contrib.misc.datasets.loaders import load_digits

        X_train, y_train, X_val, y_val, _, _ = load_digits(flatten=True, one_hot=False)
        _DIGITS.update(X_train=X_train, Y_train=np.eye(10)[y_train], X_val=X_val, y_val=y_val)
    rng = np.random.RandomState(0)  # the features are part of the architecture, not noise
    activations = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "cos": np.cos}
    X_train, X_val = _DIGITS["X_train"], _DIGITS["X_val"]
    alpha = 1.0
    for m in mo.get_hyperparameter_aggregators(outputs)[::-1]:
        v = {k: h.get_value() for k, h in m.get_hyperps().items()}
        if "alpha" in v:
            alpha = v["alpha"]
            continue
        W = rng.normal(0, v["scale"] / math.sqrt(X_train.shape[1]), (X_train.shape[1], v["width"]))
        X_train, X_val = activations[v["activation"]](X_train @ W), activations[v["activation"]](
            X_val @ W)
    A = X_train.T @ X_train + alpha * np.eye(X_train.shape[1])
    coef = np.linalg.solve(A, X_train.T @ _DIGITS["Y_train"])
    return float(np.mean((X_val @ coef).argmax(axis=1) == _DIGITS["y_val"]))


# ----------------------------------------------------------------- quality


PROBLEMS = {
    "toy count": (st.structured_space, lambda i, o: st.objective_count(st.describe(i))),
    "toy target": (st.structured_space, lambda i, o: st.objective_target(st.describe(i))),
    "toy tradeoff": (st.structured_space, lambda i, o: st.objective_tradeoff(st.describe(i))),
    "toy ranged": (st.ranged_space, lambda i, o: st.objective_ranged(st.describe(i))),
    "digits": (digits_space, lambda i, o: digits_score(o)),
}


def make(name: str, space_fn, seed: int):
    if name == "tpe":
        return OptunaSearcher(space_fn, sampler=optuna.samplers.TPESampler(seed=seed))
    if name == "smbo":
        return SMBOSearcher(space_fn, HashingSurrogate(1024, 1), 16, 0.1, rng=seed)
    return RandomSearcher(space_fn, rng=seed)


def best_after(name: str, problem: str, seed: int, num_evaluations: int) -> float:
    space_fn, score_fn = PROBLEMS[problem]
    searcher = make(name, space_fn, seed)
    best = -math.inf
    for _ in range(num_evaluations):
        inputs, outputs, _, token = searcher.sample()
        score = score_fn(inputs, outputs)
        best = max(best, score)
        searcher.update(score, token)
    return best


def quality(seeds: int, num_evaluations: int) -> None:
    print(f"best score after {num_evaluations} evaluations, median [q25, q75] over {seeds} seeds")
    print(f"{'problem':14s}" + "".join(f"{n:>26s}" for n in ("tpe", "smbo", "random")))
    for problem in PROBLEMS:
        cells = []
        for name in ("tpe", "smbo", "random"):
            bests = [best_after(name, problem, seed, num_evaluations) for seed in range(seeds)]
            q25, q50, q75 = np.percentile(bests, [25, 50, 75])
            cells.append(f"{q50:9.4f} [{q25:.4f}, {q75:.4f}]")
        print(f"{problem:14s}" + "".join(f"{c:>26s}" for c in cells), flush=True)


# ----------------------------------------------------------------- overhead

NUM_PARAMS = 10


def flat_space() -> tuple:
    return mo.hyperparameter_aggregator(
        {f"x{i}": hp.Float(0.0, 1.0, name=f"x{i}") for i in range(NUM_PARAMS)})


def ours(sampler) -> callable:
    searcher = OptunaSearcher(flat_space, sampler=sampler)

    def step() -> None:
        _, _, values, token = searcher.sample()
        searcher.update(sum(values), token)
    return step


def raw(sampler) -> callable:
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def step() -> None:
        trial = study.ask()
        total = sum(trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(NUM_PARAMS))
        study.tell(trial, total)
    return step


def overhead(steps_per_round: int = 50, rounds: int = 8) -> None:
    for sampler_name, make_sampler in (
            ("random", lambda: optuna.samplers.RandomSampler(seed=0)),
            ("tpe", lambda: optuna.samplers.TPESampler(seed=0))):
        steppers = {"OptunaSearcher": ours(make_sampler()), "raw Optuna": raw(make_sampler())}
        times: dict = {k: [] for k in steppers}
        for _ in range(rounds):  # alternate, so load changes hit both alike
            for k, step in steppers.items():
                for _ in range(steps_per_round):
                    t = time.perf_counter()
                    step()
                    times[k].append(time.perf_counter() - t)
        a, b = (statistics.median(times[k]) * 1e3 for k in steppers)
        print(f"{sampler_name:6s} sampler, {NUM_PARAMS} floats, {steps_per_round * rounds} steps: "
              f"OptunaSearcher {a:.3f} ms/step, raw Optuna {b:.3f} ms/step, "
              f"overhead {a - b:+.3f} ms ({a / b:.2f}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--num_evaluations", type=int, default=50)
    parser.add_argument("--part", choices=["quality", "overhead", "all"], default="all")
    args = parser.parse_args()
    if args.part in ("overhead", "all"):
        overhead()
    if args.part in ("quality", "all"):
        quality(args.seeds, args.num_evaluations)


if __name__ == "__main__":
    main()
