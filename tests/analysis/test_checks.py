"""check_space finds what its docstring promises, and the command line prints it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.analysis import check_space

sys.path.insert(0, os.path.dirname(__file__))
import toy  # noqa: E402

D = hp.Discrete


def _kinds(report):
    return [p.kind for p in report.problems]


def test_clean_space_has_no_findings():
    report = check_space(toy.paper_space)
    assert report.problems == [] and report.ok
    assert report.size == 25008 and report.num_architectures_checked == 5
    assert "25,008" in str(report) and "no problems found" in str(report)


def test_each_kind_of_finding_names_its_culprit():
    def space():
        D([1, 2], name="Forgotten")
        a_in, a_out = toy.op("Used", w=D([3]))
        dead_in, _ = toy.op("DeadEnd")
        a_out["out"].connect(dead_in["in"])
        unfed_in, unfed_out = toy.combine(2)
        a_out["out"].connect(unfed_in["in0"])
        same = mo.siso_or([lambda: toy.op("P"), lambda: toy.op("P")], D([0, 1]), )
        unfed_out["out"].connect(same[0]["in"])
        return a_in, same[1]

    report = check_space(space)
    by_kind = {p.kind: p.message for p in report.problems}
    assert "M.DeadEnd-0" in by_kind["unreachable_module"]
    assert "M.Combine-0" in by_kind["unfed_module"] and "in1" in by_kind["unfed_module"]
    assert "H.Forgotten-0" in by_kind["unused_hyperparameter"]
    assert "w of M.Used-0" in by_kind["single_value_hyperparameter"]
    assert "values [0, 1]" in by_kind["identical_branches"]
    assert not report.ok  # an unfed module is an error
    assert _kinds(report)[0] == "unfed_module"  # errors come first


def test_branches_that_differ_below_the_surface_are_not_called_identical():
    def space():
        return mo.siso_or(
            [
                lambda: mo.siso_or([lambda: toy.op("A"), lambda: toy.op("B")], D([0, 1])),
                lambda: mo.siso_or([lambda: toy.op("A"), lambda: toy.op("C")], D([0, 1])),
            ],
            D([0, 1]),
        )

    assert "identical_branches" not in _kinds(check_space(space))


def test_rejected_architectures_are_reported():
    def space():
        def fn(dh):
            raise ValueError("never valid")

        return mo.substitution_module("Never", fn, {"k": D([0, 1])}, ["in"], ["out"])

    report = check_space(space, num_samples=3)
    assert _kinds(report) == ["invalid_architectures"] and not report.ok


def _linear_space():
    import torch

    import deep_architect.helpers.pytorch_support as hpt

    def linear(in_features, out_features):
        return hpt.siso_pytorch_module_from_pytorch_layer_fn(
            torch.nn.Linear, {"in_features": in_features, "out_features": out_features}
        )

    # The second layer expects 8 features: choosing 16 in the first clashes.
    return mo.siso_sequential([linear(4, D([8, 16])), linear(8, 2)])


def test_pytorch_shape_clash_names_the_first_module_that_fails():
    torch = pytest.importorskip("torch")
    report = check_space(_linear_space, {"in": torch.zeros(3, 4)}, num_samples=8)
    errors = [p for p in report.problems if p.kind == "shape_error"]
    assert len(errors) == 1
    assert errors[0].message.startswith("M.Linear-1:")
    assert "shape (3, 16)" in errors[0].message and "mat1 and mat2" in errors[0].message


def test_keras_shape_clash_is_found_too(tmp_path):
    pytest.importorskip("keras")
    code = textwrap.dedent(
        """
        import keras
        import deep_architect.helpers.keras_support as hke
        import deep_architect.hyperparameters as hp
        import deep_architect.modules as mo
        from deep_architect.analysis import check_space

        def conv(kernel):
            return hke.siso_keras_module_from_keras_layer_fn(
                keras.layers.Conv2D, {"filters": 2, "kernel_size": kernel})

        def space():  # a 5x5 kernel twice does not fit into 6x6 images
            return mo.siso_sequential([conv(hp.Discrete([1, 5])), conv(hp.Discrete([5]))])

        report = check_space(space, {"in": keras.ops.zeros((1, 6, 6, 1))}, num_samples=6)
        print([p.message.split(":")[0] for p in report.problems if p.kind == "shape_error"])
        """
    )
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "['M.Conv2D-1']"


def test_command_line_prints_the_report_and_sets_the_exit_status(tmp_path):
    (tmp_path / "my_spaces.py").write_text(textwrap.dedent(
        """
        import deep_architect.hyperparameters as hp
        import deep_architect.modules as mo

        def fine():
            return mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))

        def broken():
            def fn(dh):
                raise ValueError("never valid")
            return mo.substitution_module("Never", fn, {"k": hp.Discrete([0, 1])},
                                          ["in"], ["out"])
        """
    ))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])

    def run(*args):
        return subprocess.run([sys.executable, "-m", "deep_architect.analysis", *args],
                              env=env, capture_output=True, text=True, timeout=120)

    fine = run("my_spaces:fine", "--samples", "2")
    assert fine.returncode == 0 and "search space size: 3 architectures" in fine.stdout
    broken = run("my_spaces:broken")
    assert broken.returncode == 1 and "ERROR [invalid_architectures]" in broken.stdout
    typo = run("my_spaces:missing")
    assert typo.returncode == 2 and "has no function 'missing'" in typo.stderr
    shapes = run("my_spaces:fine", "--input", "in=2,3", "--samples", "2")
    assert shapes.returncode == 0
