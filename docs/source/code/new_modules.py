"""Writing new modules: the code of the second tutorial.

Running the script samples from every search space defined here and builds
the corresponding Keras models on small image inputs.
"""

import json

import keras
import numpy as np

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.searchers.random import RandomSearcher

D = hp.Discrete


# [conv2d]
def conv2d(h_filters, h_kernel_size, h_strides):
    def compile_fn(di, dh):
        # Runs once, when every hyperparameter has a value and the first input
        # arrives: di maps input names to values, dh hyperparameter names to values.
        layer = keras.layers.Conv2D(dh["filters"], dh["kernel_size"],
                                    strides=dh["strides"], padding="same")

        def forward_fn(di):
            # Runs on every call: input values in, output values out.
            return {"out": layer(di["in"])}

        return forward_fn

    return hke.siso_keras_module(
        "Conv2D", compile_fn,
        {"filters": h_filters, "kernel_size": h_kernel_size, "strides": h_strides})
# [conv2d]


# [module object]
def conv2d_module_object(h_filters):
    module = hke.KerasModule(
        "Conv2D",
        lambda di, dh: conv2d_forward_fn(keras.layers.Conv2D(dh["filters"], 3, padding="same")),
        {"filters": h_filters}, ["in"], ["out"])
    return module.get_io()


def conv2d_forward_fn(layer):
    return lambda di: {"out": layer(di["in"])}
# [module object]


# [multiple ports]
def combine(h_mode, num_inputs=2):
    input_names = ["in%d" % i for i in range(num_inputs)]

    def compile_fn(di, dh):
        if dh["mode"] == "add":
            channels = {di[name].shape[-1] for name in input_names}
            if len(channels) > 1:  # project every input to the widest one first
                width = max(channels)
                projections = [keras.layers.Conv2D(width, 1) for _ in input_names]
            else:
                projections = [lambda x: x for _ in input_names]
            layer = keras.layers.Add()
        else:
            projections = [lambda x: x for _ in input_names]
            layer = keras.layers.Concatenate()

        def forward_fn(di):
            return {"out": layer([p(di[name]) for p, name in zip(projections, input_names)])}

        return forward_fn

    return hke.keras_module("Combine", compile_fn, {"mode": h_mode}, input_names, ["out"])


def split_channels():
    def compile_fn(di, dh):
        half = di["in"].shape[-1] // 2
        return lambda di: {"out0": di["in"][..., :half], "out1": di["in"][..., half:]}

    return hke.keras_module("SplitChannels", compile_fn, {}, ["in"], ["out0", "out1"])
# [multiple ports]


# [from layer fn]
def conv_relu(h_filters, h_kernel_size):
    return hke.siso_keras_module_from_keras_layer_fn(
        lambda filters, kernel_size: keras.layers.Conv2D(
            filters, kernel_size, padding="same", activation="relu"),
        {"filters": h_filters, "kernel_size": h_kernel_size}, name="ConvReLU")


def max_pool():
    return hke.siso_keras_module_from_keras_layer_fn(
        lambda: keras.layers.MaxPooling2D(2, padding="same"), {}, name="MaxPool")


def global_pool_and_classify(num_classes):
    return mo.siso_sequential([
        hke.siso_keras_module_from_keras_layer_fn(keras.layers.GlobalAveragePooling2D, {}),
        hke.siso_keras_module_from_keras_layer_fn(
            keras.layers.Dense, {"units": num_classes, "activation": "softmax"}),
    ])
# [from layer fn]


# [two branches]
def two_branch_space():
    split_in, split_out = split_channels()
    a_in, a_out = conv2d(D([8, 16]), D([1, 3]), 1)
    b_in, b_out = conv2d(D([8, 16]), D([3, 5]), 1)
    c_in, c_out = combine(D(["add", "concat"]))
    split_out["out0"].connect(a_in["in"])
    split_out["out1"].connect(b_in["in"])
    a_out["out"].connect(c_in["in0"])
    b_out["out"].connect(c_in["in1"])
    return mo.siso_sequential([(split_in, c_out), global_pool_and_classify(10)])
# [two branches]


# [substitution modules]
def my_siso_optional(fn, h_opt):
    def substitution_fn(dh):
        return fn() if dh["opt"] else mo.identity()

    return mo.substitution_module("MyOptional", substitution_fn, {"opt": h_opt},
                                  ["in"], ["out"])


def my_mimo_or(fn_lst, h_idx, input_names, output_names):
    def substitution_fn(dh):
        return fn_lst[dh["idx"]]()

    module = mo.SubstitutionModule("MyOr", substitution_fn, {"idx": h_idx},
                                   input_names, output_names)
    return module.get_io()
# [substitution modules]


# [substitution space]
def substitution_space():
    def cell():
        return mo.siso_sequential([
            my_mimo_or([lambda: conv_relu(D([16, 32]), D([3])), max_pool],
                       D([0, 1]), ["in"], ["out"]),
            my_siso_optional(lambda: conv_relu(D([16]), D([1])), D([0, 1])),
        ])
    return mo.siso_sequential([mo.siso_repeat(cell, D([1, 2])), global_pool_and_classify(10)])
# [substitution space]


# [rejecting]
def pool_stack(h_num_pools, image_size):
    def substitution_fn(dh):
        if image_size // 2 ** dh["num_pools"] < 2:
            raise ValueError("%d poolings shrink a %dx%d image to nothing"
                             % (dh["num_pools"], image_size, image_size))
        return mo.siso_sequential(
            [conv_relu(D([8]), D([3]))] + [max_pool() for _ in range(dh["num_pools"])])

    return mo.substitution_module("PoolStack", substitution_fn, {"num_pools": h_num_pools},
                                  ["in"], ["out"])
# [rejecting]


# [motif]
def edge_key(node_id, in_node_id):
    return json.dumps({"in_node_id": in_node_id, "node_id": node_id}, sort_keys=True)


def motif(op_fn, num_nodes):
    """Graph of num_nodes nodes; node j always reads node j-1, and optionally earlier ones.

    Each edge applies a fragment made by op_fn; a node with several incoming
    edges concatenates them. Node 0 is the input and the last node the output.
    """
    skip_edges = [(j, i) for j in range(2, num_nodes) for i in range(j - 1)]
    name_to_hyperp = {edge_key(j, i): D([0, 1]) for (j, i) in skip_edges}

    def substitution_fn(dh):
        node_inputs, node_outputs = mo.identity()
        nodes = [node_outputs]
        for j in range(1, num_nodes):
            sources = [i for i in range(j - 1) if dh[edge_key(j, i)]] + [j - 1]
            edge_outputs = []
            for i in sources:
                op_inputs, op_outputs = op_fn()
                nodes[i]["out"].connect(op_inputs["in"])
                edge_outputs.append(op_outputs)
            if len(edge_outputs) == 1:
                nodes.append(edge_outputs[0])
            else:
                concat_inputs, concat_outputs = combine("concat", len(edge_outputs))
                for k, outputs in enumerate(edge_outputs):
                    outputs["out"].connect(concat_inputs["in%d" % k])
                nodes.append(concat_outputs)
        return node_inputs, nodes[-1]

    return mo.substitution_module("Motif", substitution_fn, name_to_hyperp, ["in"], ["out"])


def hierarchical_space():
    def primitive():
        return mo.siso_or([lambda: conv_relu(D([8]), D([1])),
                           lambda: conv_relu(D([8]), D([3])),
                           lambda: hke.siso_keras_module_from_keras_layer_fn(
                               lambda: keras.layers.MaxPooling2D(3, 1, padding="same"),
                               {}, name="MaxPool3x3")],
                          D([0, 1, 2]))

    def level2():
        return motif(primitive, 3)

    return mo.siso_sequential([motif(level2, 4), global_pool_and_classify(10)])
# [motif]


SPACES = {
    "two branches": two_branch_space,
    "substitution": substitution_space,
    "hierarchical": hierarchical_space,
}


def build_model(inputs, outputs, image_size=8):
    x = keras.Input((image_size, image_size, 4))
    co.forward({inputs["in"]: x})
    return keras.Model(x, outputs["out"].val)


def main():
    np.random.seed(0)
    for name, space_fn in SPACES.items():
        inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        vs = seco.random_specify(outputs)
        print(name, vs, "parameters:", build_model(inputs, outputs).count_params())
    # A module object can also be made directly:
    inputs, outputs = mo.SearchSpaceFactory(lambda: conv2d_module_object(D([4]))).get_search_space()
    seco.random_specify(outputs)
    print("Conv2D module object:", build_model(inputs, outputs).output.shape)
    # [reject demo]
    searcher = RandomSearcher(lambda: mo.siso_sequential([
        pool_stack(D([1, 2, 3, 4]), image_size=8), global_pool_and_classify(10)]))
    for _ in range(5):
        inputs, outputs, vs, _ = searcher.sample()
        pools = co.get_modules_with_cond(outputs, lambda m: m.get_name().startswith("M.MaxPool"))
        assert len(pools) <= 2  # 3 or 4 poolings were rejected and sampled again
    # [reject demo]
    print("pool stacks: only valid ones sampled")


if __name__ == "__main__":
    main()
