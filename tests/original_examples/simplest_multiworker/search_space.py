# The original's examples/simplest_multiworker/search_space.py.
from __future__ import annotations

import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn
import deep_architect.modules as mo

num_classes = 10


def get_dnn_search_space_fn(num_classes):
    return mo.SearchSpaceFactory(lambda: dnn.dnn_net(num_classes)).get_search_space


search_space_fn = mo.SearchSpaceFactory(
    get_dnn_search_space_fn(num_classes)).get_search_space
