"""Writing new searchers: the code of the third tutorial.

Nothing here needs a deep-learning framework: the search space is made of
placeholder modules and the "evaluation" is a made-up score, so the searchers
can be compared in a fraction of a second.
"""

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.searchers.mcts import MCTSSearcher
from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable
from deep_architect.surrogates.common import SurrogateModel, extract_features
from deep_architect.testing import check_searcher

D = hp.Discrete


# [toy problem]
def layer(h_units, h_kind):
    # A placeholder module: it only carries hyperparameters.
    return mo.hyperparameter_aggregator({"units": h_units, "kind": h_kind}, name="Layer")


def toy_space():
    return mo.siso_repeat(lambda: layer(D([16, 32, 64, 128]), D(["conv", "pool"])),
                          D([1, 2, 3, 4, 5]))


def toy_score(outputs):
    """Best with three wide convolutions; every pooling layer costs a little."""
    layers = mo.get_hyperparameter_aggregators(outputs)
    score = -abs(len(layers) - 3)
    for m in layers:
        values = m._get_hyperp_values()
        score += np.log2(values["units"]) / 7 if values["kind"] == "conv" else -0.1
    return float(score)
# [toy problem]


# [random searcher]
class MyRandomSearcher(seco.Searcher):
    def propose(self):
        def attempt():
            inputs, outputs = self.search_space_fn()  # a fresh, unspecified space
            return inputs, outputs, seco.random_specify(outputs, self.rng)

        # Resample when a substitution function rejects the values (ValueError).
        inputs, outputs, hyperp_value_lst = seco.sample_until_valid(attempt)
        return inputs, outputs, hyperp_value_lst, {}

    def observe(self, val, token):
        pass  # random search learns nothing
# [random searcher]


# [local searcher]
class LocalSearcher(seco.Searcher):
    """Hill climbing: changes one decision of the best architecture seen so far."""

    def __init__(self, search_space_fn, exploration_prob=0.2, rng=None):
        seco.Searcher.__init__(self, search_space_fn, rng=rng)
        self.exploration_prob = exploration_prob
        self.best_vs = None
        self.best_val = -np.inf

    def propose(self):
        return seco.sample_until_valid(self._attempt)

    def _attempt(self):
        draw = np.random if self.rng is None else self.rng
        inputs, outputs = self.search_space_fn()
        explore = self.best_vs is None or draw.rand() < self.exploration_prob
        position = None if explore else draw.randint(len(self.best_vs))
        vs = []
        for i, h in enumerate(co.unassigned_independent_hyperparameter_iterator(outputs)):
            if explore or i >= len(self.best_vs) or self.best_vs[i] not in h.vs:
                choices = h.vs  # nothing to copy: choose freely
            elif i == position:
                choices = [v for v in h.vs if v != self.best_vs[i]] or h.vs
            else:
                choices = [self.best_vs[i]]
            h.assign_value(choices[draw.randint(len(choices))])
            vs.append(h.get_value())
        return inputs, outputs, vs, {"vs": vs}

    def observe(self, val, token):
        self.check_token_keys(token, ["vs"])
        if val > self.best_val:
            self.best_val, self.best_vs = val, token["vs"]

    def get_state(self):
        state = seco.Searcher.get_state(self)
        state.update(best_vs=self.best_vs, best_val=self.best_val)
        return state

    def set_state(self, state):
        seco.Searcher.set_state(self, state)
        self.best_vs, self.best_val = state["best_vs"], state["best_val"]
# [local searcher]


# [surrogate]
class FeatureMeanSurrogate(SurrogateModel):
    """Predicts the mean score of the architectures that shared each feature."""

    def __init__(self):
        self.sums = {}
        self.counts = {}

    def _keys(self, feats):
        return feats["module_hyperp_feats"] + feats["connection_feats"]

    def eval(self, feats):
        means = [self.sums[k] / self.counts[k] for k in self._keys(feats) if k in self.counts]
        return float(np.mean(means)) if means else 0.0

    def update(self, val, feats):
        for k in self._keys(feats):
            self.sums[k] = self.sums.get(k, 0.0) + val
            self.counts[k] = self.counts.get(k, 0) + 1

    def get_state(self):
        return {"sums": dict(self.sums), "counts": dict(self.counts)}

    def set_state(self, state):
        self.sums, self.counts = dict(state["sums"]), dict(state["counts"])
# [surrogate]


# [smbo searcher]
class MySMBOSearcher(seco.Searcher):
    def __init__(self, search_space_fn, surrogate, num_candidates, exploration_prob, rng=None):
        seco.Searcher.__init__(self, search_space_fn, rng=rng)
        self.surrogate = surrogate
        self.num_candidates = num_candidates
        self.exploration_prob = exploration_prob

    def _random_architecture(self):
        def attempt():
            inputs, outputs = self.search_space_fn()
            return inputs, outputs, seco.random_specify(outputs, self.rng)
        return seco.sample_until_valid(attempt)

    def propose(self):
        draw = np.random if self.rng is None else self.rng
        if draw.rand() < self.exploration_prob:
            inputs, outputs, vs = self._random_architecture()
        else:
            candidates = [self._random_architecture() for _ in range(self.num_candidates)]
            scores = self.surrogate.eval_batch([extract_features(i, o) for i, o, _ in candidates])
            inputs, outputs, vs = candidates[int(np.argmax(scores))]
        return inputs, outputs, vs, {"vs": vs}

    def observe(self, val, token):
        # Rebuild the architecture from its values to compute its features.
        self.check_token_keys(token, ["vs"])
        inputs, outputs = self.search_space_fn()
        seco.specify(outputs, token["vs"])
        self.surrogate.update(val, extract_features(inputs, outputs))

    def get_state(self):
        state = seco.Searcher.get_state(self)
        state["surrogate"] = self.surrogate.get_state()  # nested: one plain-JSON dict
        return state

    def set_state(self, state):
        seco.Searcher.set_state(self, state)
        self.surrogate.set_state(state["surrogate"])
# [smbo searcher]


# [search]
def run_search(searcher, num_samples, batch_size=4):
    """Samples batch_size architectures before reporting their scores, as parallel workers would."""
    best = -np.inf
    for _ in range(num_samples // batch_size):
        batch = [searcher.sample() for _ in range(batch_size)]
        for _, outputs, _, token in reversed(batch):  # results may come back in any order
            score = toy_score(outputs)
            searcher.update(score, token)
            best = max(best, score)
    return best
# [search]


def main(num_samples=64):
    results = {}
    searchers = {
        "MyRandomSearcher": lambda: MyRandomSearcher(toy_space),
        "LocalSearcher": lambda: LocalSearcher(toy_space),
        "MySMBOSearcher": lambda: MySMBOSearcher(toy_space, FeatureMeanSurrogate(), 16, 0.2),
        "MCTSSearcher": lambda: MCTSSearcher(toy_space),
        "EvolutionSearcher": lambda: EvolutionSearcher(toy_space, mutatable, 16, 4,
                                                       regularized=True),
    }
    for name, make_searcher in searchers.items():
        np.random.seed(0)
        results[name] = run_search(make_searcher(), num_samples)
        print("%-18s best score after %d samples: %.3f" % (name, num_samples, results[name]))
    # [state]
    searcher = LocalSearcher(toy_space, rng=0)
    run_search(searcher, 16)
    state = searcher.get_state()  # a plain-JSON dict
    restored = LocalSearcher(toy_space, rng=0)
    restored.set_state(state)
    assert restored.best_vs == searcher.best_vs
    assert restored.sample().hyperp_value_lst == searcher.sample().hyperp_value_lst
    # [state]
    # [check]
    check_searcher(MyRandomSearcher, toy_space)
    check_searcher(LocalSearcher, toy_space)
    check_searcher(lambda fn: MySMBOSearcher(fn, FeatureMeanSurrogate(), 8, 0.2), toy_space)
    # [check]
    return results


if __name__ == "__main__":
    main()
