"""The search space shared by the master and the workers: the contrib fully connected networks.

Master and workers must build exactly the same space, since the workers replay
the master's value lists with ``specify``; importing this one module from both
guarantees it. The PyTorch backend implements the framework-neutral ops.
"""
from __future__ import annotations

from deep_architect.contrib.deep_learning_backend import backend
from deep_architect.contrib.misc.search_spaces import dnn
from deep_architect.modules import SearchSpaceFactory

backend.set_backend(backend.PYTORCH)

num_classes = 10


def get_search_space():
    """Returns a fresh fully connected network space for ``num_classes`` classes."""
    return dnn.dnn_net(num_classes)


# A bound method of a module-level object: picklable, so process and Ray
# executors can send it to their workers.
search_space_fn = SearchSpaceFactory(get_search_space).get_search_space
