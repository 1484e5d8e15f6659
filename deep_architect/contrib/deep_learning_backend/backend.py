"""Selection of the deep-learning framework behind the framework-neutral ops.

The ops of :mod:`~deep_architect.contrib.deep_learning_backend.general_ops`
(and every search space built on them) are written once; the framework that
implements them is chosen by the user, once per process, with
:func:`set_backend`. The choice can also be made per op with the ``backend``
keyword of the general ops, or temporarily with :func:`use_backend`.

Backends (the TensorFlow 1 ones map onto the TensorFlow 2 eager implementation,
which wraps Keras 3 layers in ``TensorflowEagerModule``):

* ``TENSORFLOW``, ``TENSORFLOW_EAGER``, ``TENSORFLOW_KERAS``: TensorFlow 2,
  eager, NHWC, modules follow the ``is_training`` protocol.
* ``PYTORCH``: PyTorch, NCHW, modules are ``PyTorchModule`` objects.
* ``KERAS``: Keras 3 (any Keras backend), NHWC, modules are ``KerasModule`` objects.

The framework-specific paths of the original (``contrib.misc.search_spaces.
tensorflow.*`` and ``.tensorflow_eager.*``) bind their framework when imported,
through :func:`set_default_backend`: scripts written for the original use them
without choosing a backend. An explicit :func:`set_backend` still wins.
"""
from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

TENSORFLOW = 0
TENSORFLOW_EAGER = 1
TENSORFLOW_KERAS = 2
PYTORCH = 3
KERAS = 4

_BACKEND_TO_MODULE = {
    # The TensorFlow 1 backends of the original map onto the TensorFlow 2 implementation.
    TENSORFLOW: "tensorflow_eager_ops",
    TENSORFLOW_EAGER: "tensorflow_eager_ops",
    TENSORFLOW_KERAS: "tensorflow_eager_ops",
    PYTORCH: "pytorch_ops",
    KERAS: "keras_ops",
}
_NAMES = {TENSORFLOW: "TENSORFLOW", TENSORFLOW_EAGER: "TENSORFLOW_EAGER",
          TENSORFLOW_KERAS: "TENSORFLOW_KERAS", PYTORCH: "PYTORCH", KERAS: "KERAS"}

_backend: int | None = None
# Used while no backend is set: bound by importing a framework-specific path.
_default_backend: int | None = None


def _check_backend(backend: object) -> int:
    if isinstance(backend, bool) or not isinstance(backend, int) or backend not in _NAMES:
        raise ValueError(f"backend must be one of {sorted(_NAMES)} "
                         f"({', '.join(_NAMES.values())}), got {backend!r}")
    return backend


def set_backend(backend: int) -> None:
    """Chooses, once per process, the framework that implements the general ops.

    Calling it again with the same backend is a no-op.

    Args:
        backend: One of ``TENSORFLOW``, ``TENSORFLOW_EAGER``, ``TENSORFLOW_KERAS``,
            ``PYTORCH``, ``KERAS``.

    Raises:
        ValueError: If ``backend`` is not one of the constants above.
        RuntimeError: If a different backend was already set.
    """
    global _backend
    backend = _check_backend(backend)
    if _backend is not None and _backend != backend:
        raise RuntimeError(f"the deep_learning_backend backend is already set to "
                           f"{_NAMES[_backend]}; it can be set only once per process "
                           f"(asked for {_NAMES[backend]})")
    ops_module(backend)  # fail now, not at the first op, if the framework is missing
    _backend = backend


@contextlib.contextmanager
def use_backend(backend: int) -> Iterator[None]:
    """Temporarily makes ``backend`` the process backend, then restores the previous one.

    Ops resolve their framework when they are *created*, so build and specify the
    search space inside the ``with`` block; compiling and running it can happen
    later. Useful when one process works with several frameworks (e.g. tests).

    Args:
        backend: A backend constant.
    """
    global _backend
    backend = _check_backend(backend)
    ops_module(backend)
    previous, _backend = _backend, backend
    try:
        yield
    finally:
        _backend = previous


def set_default_backend(backend: int) -> None:
    """Chooses the backend used as long as :func:`set_backend` is not called.

    The framework-specific modules (e.g. ``search_spaces.tensorflow.dnn``) call
    it when imported, so that they build modules of their framework with no
    further set-up, as in the original library. Unlike :func:`set_backend` it
    never conflicts: the last call wins and an explicit backend overrides it.

    Args:
        backend: A backend constant.
    """
    global _default_backend
    _default_backend = _check_backend(backend)


def is_backend_set() -> bool:
    """Whether :func:`set_backend` was called in this process."""
    return _backend is not None


def get_backend() -> int:
    """The backend chosen with :func:`set_backend`.

    Returns:
        The backend set, else the default bound by a framework-specific import
        (:func:`set_default_backend`).

    Raises:
        RuntimeError: If no backend was set or bound.
    """
    if _backend is None:
        if _default_backend is not None:
            return _default_backend
        raise RuntimeError("no deep_learning_backend backend is set: call "
                           "deep_architect.contrib.deep_learning_backend.backend.set_backend("
                           "backend.PYTORCH) (or KERAS, TENSORFLOW_EAGER, ...) first")
    return _backend


def ops_module(backend: int | None = None) -> ModuleType:
    """The per-framework ops module of ``backend`` (default: the backend set).

    Args:
        backend: A backend constant, or ``None`` for :func:`get_backend`.

    Returns:
        The imported ``*_ops`` module, which exposes the framework layer API
        (``make_module``, layer and tensor functions) and ``func_dict``.
    """
    backend = get_backend() if backend is None else _check_backend(backend)
    return importlib.import_module(f"{__package__}.{_BACKEND_TO_MODULE[backend]}")


def get_func(fname: str) -> Callable:
    """The op constructor named ``fname`` of the backend set.

    Args:
        fname: Op name, e.g. ``'conv2d'`` (a key of the backend's ``func_dict``).

    Raises:
        RuntimeError: If no backend was set.
        NotImplementedError: If the backend has no op of that name.
    """
    func_dict = ops_module().func_dict
    if fname not in func_dict:
        raise NotImplementedError(f"backend {_NAMES[get_backend()]} has no op {fname!r}; "
                                  f"available: {sorted(func_dict)}")
    return func_dict[fname]
