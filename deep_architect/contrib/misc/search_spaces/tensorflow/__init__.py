"""The original TensorFlow search-space module paths, kept importable and bound to TensorFlow.

Each module re-exports the framework-neutral space of the same name in
``contrib.misc.search_spaces`` and, when imported, makes TensorFlow 2 (Keras 3
layers on the TensorFlow backend, in ``TensorflowEagerModule`` objects) the
default deep-learning backend with
``deep_learning_backend.backend.set_default_backend``. Scripts written for the
original library therefore run unchanged, with no backend chosen and
``KERAS_BACKEND`` unset or ``tensorflow``. An explicit
``backend.set_backend`` call still takes precedence.
"""
