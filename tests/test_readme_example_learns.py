"""The README's minimal example shows learning whatever it samples.

Its code runs with ``random_specify`` swapped for a specifier that picks the
hardest architecture of its space (the last value of every choice: four cells,
each with dropout at the highest rate), in a fresh process (Keras fixes its
backend per process).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")

_DRIVER = """
import sys
import deep_architect.core as co
import deep_architect.specify as sp

def hardest(outputs, rng=None):
    values = []
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        h.assign_value(h.vs[-1])
        values.append(h.vs[-1])
    return values

sp.random_specify = hardest
exec(compile(open(sys.argv[1]).read(), "README example", "exec"))
"""


def test_readme_example_learns_on_its_hardest_architecture(tmp_path):
    pytest.importorskip("keras")
    pytest.importorskip("sklearn")
    with open(README, encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    code = next(b for b in blocks if "model.fit" in b)
    (tmp_path / "example.py").write_text(code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("KERAS_BACKEND", None)
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(tmp_path / "example.py")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "value list:" in done.stdout
    accuracy = float(re.search(r"validation accuracy: ([0-9.]+)", done.stdout).group(1))
    assert accuracy > 0.5, done.stdout
