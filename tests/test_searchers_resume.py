"""save_state + load_state in a fresh process resumes every searcher exactly.

The searchers own their generators: the global ones are reseeded
differently in the two processes, so only the saved state can make the
continuations agree, and loading must leave the global generators alone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import searcher_toys as st

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
NUM_UPDATES_BEFORE_SAVE = 30

# Run in a fresh interpreter: in "save" mode a searcher is seeded, makes
# NUM_UPDATES_BEFORE_SAVE sample/update rounds, samples once more (token left
# pending) and saves; in "load" mode a newly built searcher loads that state.
# Both then update the pending token and print the next three samples.
_SCRIPT = """
import json, os, random, sys
import numpy as np
import searcher_toys as st
import sklearn.linear_model  # its first import draws from the global generator


mode, folder, num_updates = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {}
for name in sys.argv[4:]:
    subfolder = os.path.join(folder, name)
    np.random.seed(7 if mode == "save" else 8)
    random.seed(7 if mode == "save" else 8)
    searcher = st.make_searcher(name, st.structured_space, rng=7)
    score = lambda inputs: st.objective_count(st.describe(inputs))
    pending_path = os.path.join(subfolder, "pending.json")
    if mode == "save":
        os.makedirs(subfolder)
        for _ in range(num_updates):
            inputs, _, _, token = searcher.sample()
            searcher.update(score(inputs), token)
        inputs, _, _, token = searcher.sample()
        searcher.save_state(subfolder)
        with open(pending_path, "w") as f:
            json.dump({"token": token, "val": score(inputs)}, f)
    else:
        before = (np.random.get_state()[1].tolist(), random.getstate())
        searcher.load_state(subfolder)
        assert (np.random.get_state()[1].tolist(), random.getstate()) == before, name
    with open(pending_path) as f:
        pending = json.load(f)
    searcher.update(pending["val"], pending["token"])
    samples = []
    for _ in range(3):
        inputs, _, vs, token = searcher.sample()
        samples.append(vs)
        searcher.update(score(inputs), token)
    out[name] = samples
print(json.dumps(out))
"""


def _run(mode, folder):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(TESTS_DIR), TESTS_DIR, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, folder, str(NUM_UPDATES_BEFORE_SAVE)]
        + st.SEARCHER_NAMES, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_searcher_resumes_in_a_fresh_process(tmp_path):
    uninterrupted = _run("save", str(tmp_path))
    resumed = _run("load", str(tmp_path))
    assert set(resumed) == set(st.SEARCHER_NAMES)
    for name in st.SEARCHER_NAMES:
        assert resumed[name] == uninterrupted[name], name
    # The comparison is only meaningful if the continuations differ between searchers.
    assert len({json.dumps(v) for v in uninterrupted.values()}) > 1
