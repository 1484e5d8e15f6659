# The original's examples/mnist/main.py (data loading aside: tiny_data).
from __future__ import annotations

from tiny_data import load_mnist

import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn
import deep_architect.searchers.random as se
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.evaluators.tensorflow.classification import (
    SimpleClassifierEvaluator,
)


def main():
    num_classes = 10
    num_samples = 8
    (Xtrain, ytrain, Xval, yval, Xtest, ytest) = load_mnist('data/mnist')
    train_dataset = InMemoryDataset(Xtrain, ytrain, True)
    val_dataset = InMemoryDataset(Xval, yval, False)
    test_dataset = InMemoryDataset(Xtest, ytest, False)  # noqa: F841 (unused, as shipped)
    evaluator = SimpleClassifierEvaluator(train_dataset,
                                          val_dataset,
                                          num_classes,
                                          './temp',
                                          max_eval_time_in_minutes=1.0,
                                          log_output_to_terminal=True)
    search_space_fn = lambda: dnn.dnn_net(num_classes)
    searcher = se.RandomSearcher(search_space_fn)
    for _ in range(num_samples):
        # The original unpacked (inputs, outputs, searcher_eval_token, _), passing
        # the value list as the token; the token now has to be the token.
        inputs, outputs, _, searcher_eval_token = searcher.sample()
        val_acc = evaluator.eval(inputs, outputs)['validation_accuracy']
        searcher.update(val_acc, searcher_eval_token)


if __name__ == '__main__':
    main()
