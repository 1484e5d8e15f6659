"""The same value list compiled to PyTorch and to Keras 3 has the same fingerprint.

Every contrib search space written on the framework-neutral ops (the ones that
exist in both frameworks) is built under each backend in one subprocess, where
Keras runs on its torch backend (the backend is fixed per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)

CHECK = textwrap.dedent(
    """
    import json, sys, warnings
    sys.path[:0] = [%r, %r]
    warnings.simplefilter("ignore")
    import test_search_spaces as spaces
    import deep_architect.modules as mo
    from deep_architect.analysis import fingerprint
    from deep_architect.contrib.deep_learning_backend import backend as be
    from deep_architect.specify import specify

    report = {}
    for name, space_fn in sorted(spaces.SPACES.items()):
        pairs = []
        for seed in range(3):
            with be.use_backend(be.PYTORCH):
                inputs, outputs, value_list = spaces.sample(space_fn, seed)
                in_pytorch = fingerprint(inputs, outputs)
            with be.use_backend(be.KERAS):
                inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
                specify(outputs, value_list)
                pairs.append([in_pytorch, fingerprint(inputs, outputs)])
        report[name] = pairs
    print(json.dumps(report))
    """
) % (os.path.join(TESTS, "contrib"), TESTS)


def test_every_two_framework_contrib_space_hashes_alike_in_pytorch_and_keras():
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert sorted(report) == ["cnn2d", "dnn", "flat", "genetic", "hierarchical", "nasbench",
                              "nasnet"]
    for name, pairs in report.items():
        for in_pytorch, in_keras in pairs:
            assert in_pytorch == in_keras, name
