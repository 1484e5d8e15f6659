# The original's examples/benchmarks/search_spaces.py.
from __future__ import annotations

import deep_architect.contrib.misc.search_spaces.tensorflow.cnn2d as cnn2d
import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn
import deep_architect.modules as mo
from deep_architect.contrib.misc.search_spaces.tensorflow.common import D


def get_dnn_search_space_fn(num_classes):
    return mo.SearchSpaceFactory(lambda: dnn.dnn_net(num_classes)).get_search_space


def get_conv_search_space_fn(num_classes):

    def search_space_fn():
        h_num_spatial_reductions = D([2, 3, 4])
        h_pool_op = D(['max', 'avg'])
        return mo.siso_sequential([
            cnn2d.conv_net(h_num_spatial_reductions),
            cnn2d.spatial_squeeze(h_pool_op, D([num_classes]))
        ])

    return mo.SearchSpaceFactory(search_space_fn).get_search_space


name_to_search_space_fn = {
    'dnn': get_dnn_search_space_fn,
    'conv': get_conv_search_space_fn,
}
