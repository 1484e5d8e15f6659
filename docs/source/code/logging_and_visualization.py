"""Logging and visualization: the code of the fifth tutorial.

Runs a short logged search over Keras networks on a synthetic data set, then
reads the logs back, plots the progress and writes an HTML report. Everything
is written under ``logs/`` in the current directory.
"""

import os

import keras
import numpy as np

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.report as report
import deep_architect.search_logging as sl
import deep_architect.searchers.common as seco
import deep_architect.visualization as vi
from deep_architect.searchers.mcts import MCTSSearcher

D = hp.Discrete


# [search space]
def layer(layer_fn, name_to_hyperp):
    return hke.siso_keras_module_from_keras_layer_fn(layer_fn, name_to_hyperp)


def cell(h_units, h_drop_rate, h_use_dropout, h_use_batch_norm, h_order):
    return mo.siso_sequential([
        layer(keras.layers.Dense, {"units": h_units, "activation": "relu"}),
        mo.siso_permutation([
            lambda: mo.siso_optional(
                lambda: layer(keras.layers.Dropout, {"rate": h_drop_rate}), h_use_dropout),
            lambda: mo.siso_optional(
                lambda: layer(keras.layers.BatchNormalization, {}), h_use_batch_norm),
        ], h_order),
    ])


def search_space(num_classes):
    # Shared by every cell: whether to use dropout and batch norm, and in which order.
    h_use_dropout, h_use_batch_norm, h_order = D([0, 1]), D([0, 1]), hp.OneOfKFactorial(2)
    return mo.siso_sequential([
        mo.siso_repeat(lambda: cell(D([16, 32, 64]), D([0.2, 0.5]), h_use_dropout,
                                    h_use_batch_norm, h_order), D([1, 2, 4])),
        layer(keras.layers.Dense, {"units": num_classes, "activation": "softmax"}),
    ])
# [search space]


def make_data(num_examples=600, num_features=16, num_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(num_classes, num_features))
    y = rng.integers(num_classes, size=num_examples)
    X = (centres[y] + rng.normal(size=(num_examples, num_features))).astype("float32")
    return X, y


# [evaluator]
class Evaluator:
    """Trains a sampled network; reports loss and accuracy on train, validation and test."""

    def __init__(self, X, y, num_epochs=2, batch_size=64):
        n = len(X)
        splits = [0, int(0.6 * n), int(0.8 * n), n]
        self.data = {name: (X[a:b], y[a:b])
                     for name, a, b in zip(["train", "validation", "test"], splits, splits[1:])}
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.last_model = None

    def eval(self, inputs, outputs):
        keras.backend.clear_session()
        x = keras.Input(self.data["train"][0].shape[1:])
        co.forward({inputs["in"]: x})
        model = keras.Model(x, outputs["out"].val)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(*self.data["train"], epochs=self.num_epochs, batch_size=self.batch_size,
                  verbose=0)
        results = {"num_parameters": int(model.count_params())}
        for name, (X, y) in self.data.items():
            loss, accuracy = model.evaluate(X, y, verbose=0)
            results[name + "_loss"] = float(loss)
            results[name + "_accuracy"] = float(accuracy)
        self.last_model = model
        return results
# [evaluator]


# [search]
def run_search(num_samples, folderpath="logs", search_name="logging_tutorial"):
    np.random.seed(0)
    evaluator = Evaluator(*make_data())
    searcher = MCTSSearcher(lambda: search_space(num_classes=4))
    search_logger = sl.SearchLogger(folderpath, search_name, delete_if_exists=True,
                                    abort_if_exists=False)
    best_accuracy = -1.0
    for evaluation_id in range(num_samples):
        inputs, outputs, hyperp_value_lst, token = searcher.sample()
        results = evaluator.eval(inputs, outputs)

        evaluation_logger = search_logger.get_evaluation_logger(evaluation_id)
        evaluation_logger.log_config(hyperp_value_lst, token)
        evaluation_logger.log_results(results)
        data_folderpath = evaluation_logger.get_evaluation_data_folderpath()
        vi.draw_graph(outputs, draw_module_hyperparameter_info=False, print_to_screen=False,
                      out_folderpath=data_folderpath, format="svg")
        if results["validation_accuracy"] > best_accuracy:  # keep the weights of improvements
            best_accuracy = results["validation_accuracy"]
            evaluator.last_model.save(os.path.join(data_folderpath, "model.keras"))

        searcher.update(results["validation_accuracy"], token)
    searcher.save_state(search_logger.get_search_data_folderpath())
    return search_logger.get_search_folderpath()
# [search]


# [analysis]
def analyse(search_folderpath):
    evaluations = sl.read_search_folder(search_folderpath)
    accuracies = [e["results"]["validation_accuracy"] for e in evaluations]
    best_id = int(np.argmax(accuracies))
    print("evaluations:", len(evaluations), "best:", best_id,
          evaluations[best_id]["config"]["hyperp_value_lst"], accuracies[best_id])

    plot = vi.LinePlot(title="Search progress", xlabel="evaluation", ylabel="accuracy")
    plot.add_line(np.arange(len(accuracies)), accuracies, label="validation")
    plot.add_line(np.arange(len(accuracies)), vi.running_max(accuracies), label="best so far")
    plot.plot(show=False, fpath=os.path.join(search_folderpath, "progress.png"))

    vi.plot_search_progress(search_folderpath, x_axis="time",
                            fpath=os.path.join(search_folderpath, "progress_time.png"))
    return best_id
# [analysis]


# [replay]
def rebuild(search_folderpath, evaluation_id):
    config = sl.read_evaluation_folder(
        os.path.join(search_folderpath, "evaluations", "x%d" % evaluation_id))["config"]
    inputs, outputs = mo.SearchSpaceFactory(lambda: search_space(num_classes=4)).get_search_space()
    seco.specify(outputs, config["hyperp_value_lst"])
    x = keras.Input((16,))
    co.forward({inputs["in"]: x})
    vi.visualize_model_as_text(inputs, outputs)
    return inputs, outputs
# [replay]


def main(num_samples=3):
    search_folderpath = run_search(num_samples)
    best_id = analyse(search_folderpath)
    rebuild(search_folderpath, best_id)
    # [report]
    index_filepath = report.generate_report(search_folderpath)
    # [report]
    print("report:", index_filepath)


if __name__ == "__main__":
    main()
