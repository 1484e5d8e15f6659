"""First-run friction: small debug configs, complete extras."""
from __future__ import annotations

import ast
import glob
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _extras():
    tree = ast.parse(open(os.path.join(ROOT, "setup.py"), encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "EXTRAS":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py defines no EXTRAS")


def test_keras_extra_brings_a_backend_and_scikit_learn():
    # Keras 3 alone cannot run a model, and the README example loads sklearn's digits.
    requirements = [r.split(";")[0].strip() for r in _extras()["keras"]]
    names = {r.split(">")[0].split("=")[0].split("<")[0] for r in requirements}
    assert "keras" in names and "scikit-learn" in names
    assert names & {"tensorflow", "tensorflow-cpu", "torch", "jax"}


def test_debug_configs_are_small():
    # A debug run is a first try: a handful of evaluations, about a minute.
    for path in glob.glob(os.path.join(ROOT, "examples", "*", "configs", "debug.json")):
        with open(path) as f:
            config = json.load(f)
        if "num_samples" in config:  # one-shot examples train a supernet instead
            assert config["num_samples"] * config.get("num_repetitions", 1) <= 8, path
