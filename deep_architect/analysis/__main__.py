"""Command line: ``python -m deep_architect.analysis MODULE:FUNCTION [options]``.

Prints the size of a search space and the findings of
:func:`~deep_architect.analysis.check_space`; exits with status 1 when a
finding is an error. ``--input NAME=D1,D2,...`` (repeatable) runs the sampled
architectures on zero-filled inputs of that shape, created with
``--framework`` (``numpy``, ``torch`` or ``keras``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from deep_architect.analysis.checks import check_space
from deep_architect.errors import DeepArchitectError


def _load_function(spec: str) -> Callable:
    module_name, sep, function_name = spec.partition(":")
    if not sep or not module_name or not function_name:
        raise DeepArchitectError(
            "expected MODULE:FUNCTION (e.g. deep_architect.contrib.benchmarks.nb201_space:"
            "nb201_net), got %r" % spec
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise DeepArchitectError("cannot import module %r: %s" % (module_name, e)) from None
    fn = getattr(module, function_name, None)
    if not callable(fn):
        raise DeepArchitectError("%s has no function %r" % (module_name, function_name))
    return fn


def _zeros(shape: tuple, framework: str):
    if framework == "torch":
        import torch

        return torch.zeros(shape)
    if framework == "keras":
        import keras

        return keras.ops.zeros(shape)
    import numpy as np

    return np.zeros(shape, dtype=np.float32)


def _parse_inputs(specs: list[str], framework: str) -> dict | None:
    if not specs:
        return None
    inputs = {}
    for spec in specs:
        name, sep, dims = spec.partition("=")
        try:
            shape = tuple(int(d) for d in dims.split(","))
        except ValueError:
            shape = ()
        if not sep or not name or not shape:
            raise DeepArchitectError("--input expects NAME=D1,D2,... (e.g. in=2,1,8,8), got %r"
                                     % spec)
        inputs[name] = _zeros(shape, framework)
    return inputs


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m deep_architect.analysis",
        description="Count a search space and check it for likely bugs, without training.",
    )
    parser.add_argument("space", help="MODULE:FUNCTION returning (inputs, outputs)")
    parser.add_argument("--samples", type=int, default=5, help="random architectures to check")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random architectures")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=D1,D2,...",
                        help="run the architectures on zeros of this shape")
    parser.add_argument("--framework", choices=["numpy", "torch", "keras"], default="numpy",
                        help="array type of the --input values")
    args = parser.parse_args(argv)
    try:
        fn = _load_function(args.space)
        report = check_space(fn, _parse_inputs(args.input, args.framework),
                             args.samples, args.seed)
    except DeepArchitectError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
