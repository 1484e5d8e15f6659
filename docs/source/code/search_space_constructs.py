"""Search space constructs: the code of the first tutorial.

Running the script builds every example search space, samples an architecture
from each, turns it into a Keras model, and writes drawings of the space
before and after sampling (Graphviz DOT files, the sources of the pictures in
the tutorial) into the folder given on the command line (default
``drawings``).
"""

import os
import sys

import keras
import numpy as np

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
import deep_architect.visualization as vi

D = hp.Discrete


# [fixed model]
def fixed_model():
    x = keras.Input((32,))
    h = keras.layers.Dense(64, activation="relu")(x)
    h = keras.layers.Dense(64, activation="relu")(h)
    y = keras.layers.Dense(10, activation="softmax")(h)
    return keras.Model(x, y)
# [fixed model]


# [basic modules]
def dense(h_units, h_activation="linear"):
    return hke.siso_keras_module_from_keras_layer_fn(
        keras.layers.Dense, {"units": h_units, "activation": h_activation})


def dropout(h_rate):
    return hke.siso_keras_module_from_keras_layer_fn(keras.layers.Dropout, {"rate": h_rate})


def batch_norm():
    return hke.siso_keras_module_from_keras_layer_fn(keras.layers.BatchNormalization, {})


def merge(layer_fn, num_inputs):
    """A module combining ``num_inputs`` tensors, e.g. with ``keras.layers.Add``."""
    def compile_fn(di, dh):
        layer = layer_fn()
        return lambda di: {"out": layer([di["in%d" % i] for i in range(num_inputs)])}

    return hke.keras_module(layer_fn.__name__, compile_fn, {},
                            ["in%d" % i for i in range(num_inputs)], ["out"])
# [basic modules]


# [first space]
def mlp_space():
    return mo.siso_sequential([
        dense(D([32, 64]), D(["relu", "tanh"])),
        dense(D([32, 64]), D(["relu", "tanh"])),
        dense(D([10]), D(["softmax"])),
    ])
# [first space]


# [build model]
def build_model(inputs, outputs):
    x = keras.Input((32,))
    co.forward({inputs["in"]: x})
    return keras.Model(x, outputs["out"].val)
# [build model]


# [shared]
def shared_activation_space():
    h_activation = D(["relu", "tanh"])
    return mo.siso_sequential([
        dense(D([32, 64]), h_activation),
        dense(D([32, 64]), h_activation),
        dense(D([10]), D(["softmax"])),
    ])
# [shared]


# [dependent]
def dependent_space():
    h_units = D([16, 32])
    h_double = co.DependentHyperparameter(lambda d: 2 * d["units"], {"units": h_units})
    h_quadruple = co.DependentHyperparameter(lambda d: 2 * d["units"], {"units": h_double})
    return mo.siso_sequential([
        dense(h_units, "relu"),
        dense(h_double, "relu"),
        dense(h_quadruple, "relu"),
        dense(D([10]), D(["softmax"])),
    ])
# [dependent]


# [optional and repeat]
def optional_space():
    return mo.siso_sequential([
        dense(D([32, 64]), "relu"),
        mo.siso_optional(lambda: dropout(D([0.25, 0.5])), D([0, 1])),
        dense(D([10]), "softmax"),
    ])


def repeat_space():
    h_units = D([32, 64])  # created outside the thunk: shared by every repetition
    return mo.siso_sequential([
        mo.siso_repeat(lambda: dense(h_units, "relu"), D([1, 2, 3])),
        dense(D([10]), "softmax"),
    ])


def nested_space():
    def cell():
        return mo.siso_sequential([
            dense(D([32, 64]), "relu"),
            mo.siso_optional(lambda: dropout(D([0.25, 0.5])), D([0, 1])),
        ])
    return mo.siso_sequential([mo.siso_repeat(cell, D([1, 2])), dense(D([10]), "softmax")])
# [optional and repeat]


# [or and permutation]
def or_space():
    return mo.siso_or({
        "wide": lambda: dense(D([128, 256]), "relu"),
        "deep": lambda: mo.siso_sequential([dense(D([32]), "relu"), dense(D([32]), "relu")]),
    }, D(["wide", "deep"]))


def permutation_space():
    return mo.siso_permutation([
        lambda: dropout(D([0.5])),
        lambda: batch_norm(),
        lambda: dense(D([32]), "relu"),
    ], hp.OneOfKFactorial(3))
# [or and permutation]


# [branches]
def residual_space():
    return mo.siso_sequential([
        dense(D([32]), "relu"),
        mo.siso_residual(lambda: dense(D([32]), D(["relu", "tanh"])), mo.identity,
                         lambda: merge(keras.layers.Add, 2)),
    ])


def split_combine_space():
    return mo.siso_split_combine(lambda: dense(D([8, 16]), "relu"),
                                 lambda n: merge(keras.layers.Concatenate, n), D([2, 3]))


def dense_block_space():
    return mo.dense_block(D([2, 3]), D([0, 1]), lambda: dense(D([16]), "relu"),
                          lambda n: merge(keras.layers.Concatenate, n))
# [branches]


# [nested repeat]
def nested_repeat_space():
    def first():
        return dense(D([64, 128]), "relu")

    def grow(inputs, outputs):
        # Receives the fragment built so far and returns a longer one.
        return mo.siso_sequential([(inputs, outputs), dropout(D([0.5])),
                                   dense(D([32, 64]), "relu")])

    return mo.siso_nested_repeat(first, grow, D([1, 2, 3]))
# [nested repeat]


# [aggregator]
def space_with_training_hyperparameters():
    net_inputs, net_outputs = nested_space()
    agg_inputs, agg_outputs = mo.hyperparameter_aggregator(
        {"learning_rate": D([1e-2, 1e-3]), "batch_size": D([32, 128])})
    net_outputs["out"].connect(agg_inputs["in"])
    return net_inputs, agg_outputs


def training_hyperparameters(outputs):
    (aggregator,) = mo.get_hyperparameter_aggregators(outputs)
    return {name: h.get_value() for name, h in aggregator.hyperps.items()}
# [aggregator]


# [sharer]
def sharer_space():
    sharer = hp.HyperparameterSharer()  # created inside: fresh objects on every call
    sharer.register("drop_rate", lambda: D([0.25, 0.5]))

    def cell():
        return mo.siso_sequential([dense(D([32, 64]), "relu"),
                                   dropout(sharer.get("drop_rate"))])
    return mo.siso_repeat(cell, D([1, 2, 3]))
# [sharer]


SPACES = {
    "mlp": mlp_space,
    "shared": shared_activation_space,
    "dependent": dependent_space,
    "optional": optional_space,
    "repeat": repeat_space,
    "nested": nested_space,
    "or": or_space,
    "permutation": permutation_space,
    "residual": residual_space,
    "split_combine": split_combine_space,
    "dense_block": dense_block_space,
    "nested_repeat": nested_repeat_space,
    "aggregator": space_with_training_hyperparameters,
    "sharer": sharer_space,
}


# [draw]
def draw(outputs, graph_name, out_folderpath):
    # Writes <graph_name>.dot and, with Graphviz installed, <graph_name>.pdf.
    vi.draw_graph(outputs, draw_module_hyperparameter_info=False, out_folderpath=out_folderpath,
                  graph_name=graph_name, print_to_screen=False)
# [draw]


def main(out_folderpath="drawings"):
    os.makedirs(out_folderpath, exist_ok=True)
    print("fixed model parameters:", fixed_model().count_params())
    # [sample]
    for name, space_fn in SPACES.items():
        np.random.seed(4)  # the searchers draw from NumPy's global generator
        inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        draw(outputs, name, out_folderpath)
        hyperp_value_lst = seco.random_specify(outputs)
        draw(outputs, name + "_sampled", out_folderpath)
        model = build_model(inputs, outputs)
        print(name, hyperp_value_lst, "parameters:", model.count_params())
    # [sample]
    # [replay]
    np.random.seed(1)
    inputs, outputs = mo.SearchSpaceFactory(nested_space).get_search_space()
    hyperp_value_lst = seco.random_specify(outputs)
    inputs, outputs = mo.SearchSpaceFactory(nested_space).get_search_space()
    vi.draw_graph_evolution(outputs, hyperp_value_lst, out_folderpath,
                            graph_name="nested_evolution",
                            draw_module_hyperparameter_info=False)
    # [replay]
    # [aggregator use]
    inputs, outputs = mo.SearchSpaceFactory(space_with_training_hyperparameters).get_search_space()
    seco.random_specify(outputs)
    print("training hyperparameters:", training_hyperparameters(outputs))
    # [aggregator use]


if __name__ == "__main__":
    main(*sys.argv[1:])
