"""Code of the tutorial "Inline search spaces in PyTorch modules" (run by the test suite)."""
import tempfile

import numpy as np
import torch
from torch import nn

import deep_architect as da
import deep_architect.helpers.pytorch_model_space as pms
import deep_architect.search_logging as sl
from deep_architect.contrib.misc.datasets.loaders import load_digits
from deep_architect.contrib.searchers.genetic import GeneticSearcher

torch.set_num_threads(1)


# [space]
class DigitsMLP(pms.ModelSpace):
    """An MLP on flattened 8x8 digits whose depth, width and activation are searched."""

    def __init__(self, num_classes=10):
        super().__init__()
        width = pms.int_range("width", 16, 128, log=True)  # one decision, used by every layer
        self.stem = pms.MutableLinear(64, width)
        self.body = pms.Repeat(
            lambda i: nn.Sequential(
                pms.MutableLinear(width, width),
                pms.LayerChoice({"relu": nn.ReLU(), "tanh": nn.Tanh()}, label="act_%d" % i)),
            [1, 2, 3], label="depth")
        self.drop = pms.MutableDropout(pms.choice("dropout", [0.0, 0.2]))
        self.skip = pms.InputChoice(2, 1, label="skip")  # the stem's or the body's output
        self.head = nn.Linear(pms.current_value(width), num_classes)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        return self.head(self.drop(self.skip([h, self.body(h)])))
# [space]


# [sample]
def sample_and_replay():
    search_space_fn = DigitsMLP.search_space_fn()
    model = pms.instantiate(search_space_fn, [64, 2, "tanh", "relu", 0.2, 1])
    print(type(model).__name__, "with", len(model.body), "hidden blocks of width",
          model.stem.out_features)
    print(model.body[0])
# [sample]


# [evaluator]
class DigitsEvaluator:
    """Trains for a few hundred steps on digits and returns the validation accuracy."""

    def __init__(self):
        X_train, y_train, X_val, y_val, _, _ = load_digits(flatten=True, one_hot=False)
        self.data = [torch.as_tensor(a) for a in (X_train, y_train, X_val, y_val)]

    def eval(self, inputs, outputs):
        X_train, y_train, X_val, y_val = self.data
        torch.manual_seed(0)
        model = pms.get_model(outputs)  # the sampled DigitsMLP itself
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        for step in range(60):
            batch = slice(64 * step % 1024, 64 * step % 1024 + 64)
            loss = nn.functional.cross_entropy(model(X_train[batch]), y_train[batch].long())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            accuracy = (model.eval()(X_val).argmax(1) == y_val).float().mean()
        return {"validation_accuracy": float(accuracy)}
# [evaluator]


def search(folderpath):
    # [experiment]
    search_space_fn = DigitsMLP.search_space_fn()
    searcher = GeneticSearcher(search_space_fn, population_size=6, tournament_size=3,
                               mutation_rate=0.3, crossover_prob=0.5, rng=0)
    experiment = da.Experiment(search_space_fn, DigitsEvaluator(), searcher,
                               folderpath=folderpath, search_name="mlp")
    experiment.run(10, show_progress=False)
    for entry in experiment.best(3):
        print("evaluation %d: %.3f %s" % (entry.evaluation_id, entry.score,
                                          entry.labeled_values))
    exported = experiment.export_top_models(1)
    # [experiment]
    # [load]
    best_id = experiment.best(1)[0].evaluation_id
    loaded = sl.load_architecture(folderpath, "mlp", best_id, search_space_fn)
    model = loaded.model  # a DigitsMLP with the chosen layers, ready to train further
    print("loaded", type(model).__name__, "with validation accuracy",
          loaded.results["validation_accuracy"], "exported to", len(exported), "folder")
    # [load]


def main():
    np.random.seed(0)
    sample_and_replay()
    search(tempfile.mkdtemp())


if __name__ == "__main__":
    main()
