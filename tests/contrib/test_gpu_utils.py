"""Tests for contrib/misc/gpu_utils with a fake ``nvidia-smi`` on PATH (and without one)."""
from __future__ import annotations

import os
import stat

import pytest

from deep_architect.contrib.misc import gpu_utils as gu
from deep_architect.errors import DeepArchitectError

FAKE_SMI = """#!/bin/sh
if [ "$1" = "-L" ]; then
  echo "GPU 0: Fake A (UUID: GPU-0)"
  echo "GPU 1: Fake B (UUID: GPU-1)"
else
  echo "87 %, 4096 MiB, 16384 MiB"
  echo "3 %, 51 MiB, 8192 MiB"
fi
"""


@pytest.fixture
def fake_gpus(tmp_path, monkeypatch):
    exe = tmp_path / "nvidia-smi"
    exe.write_text(FAKE_SMI)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


@pytest.fixture
def no_gpus(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no nvidia-smi
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_gpu_queries_parse_nvidia_smi(fake_gpus):
    info = gu.get_gpu_information()
    assert [g["gpu_id"] for g in info] == [0, 1]
    assert info[0]["gpu_utilization_in_percent"] == 87.0
    assert info[0]["gpu_memory_utilization_in_gigabytes"] == 4.0
    assert info[1]["gpu_total_memory_in_gigabytes"] == 8.0
    assert gu.get_total_num_gpus() == 2
    assert gu.get_available_gpu(0.1, 5.0) == 1
    assert gu.get_available_gpu(0.01, 5.0) is None
    assert gu.get_monitored_gpu_id() is None  # two GPUs, none singled out


def test_set_visible_gpus(fake_gpus):
    gu.set_visible_gpus([1])
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"
    assert gu.get_monitored_gpu_id() == 1
    gu.set_visible_gpus([0, 1])
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "0,1"
    with pytest.raises(DeepArchitectError, match=r"\[2\] do not exist; this machine has 2"):
        gu.set_visible_gpus([0, 2])


def test_use_available_gpu_pins_the_idle_one(fake_gpus):
    assert gu.use_available_gpu() == 1
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"


def test_no_gpu_machine_degrades_gracefully(no_gpus):
    assert gu.get_gpu_information() == []
    assert gu.get_total_num_gpus() == 0
    assert gu.get_available_gpu(0.1, 5.0) is None
    assert gu.use_available_gpu() is None and "CUDA_VISIBLE_DEVICES" not in os.environ
    assert gu.get_monitored_gpu_id() is None
    with pytest.raises(DeepArchitectError, match="has 0 GPU"):
        gu.set_visible_gpus([0])


def test_failing_nvidia_smi_means_no_gpu(tmp_path, monkeypatch):
    exe = tmp_path / "nvidia-smi"
    exe.write_text("#!/bin/sh\necho 'driver not loaded' >&2\nexit 9\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    assert gu.get_gpu_information() == [] and gu.get_total_num_gpus() == 0


def test_environment_variable_helpers(monkeypatch):
    monkeypatch.delenv("DA_TEST_VAR", raising=False)
    assert not gu.is_environment_variable_defined("DA_TEST_VAR")
    assert gu.get_environment_variable("DA_TEST_VAR", abort_if_notexists=False) is None
    with pytest.raises(DeepArchitectError, match="DA_TEST_VAR"):
        gu.get_environment_variable("DA_TEST_VAR")
    with pytest.raises(DeepArchitectError, match="DA_TEST_VAR"):
        gu.set_environment_variable("DA_TEST_VAR", 1)
    gu.set_environment_variable("DA_TEST_VAR", 3, abort_if_notexists=False)
    assert gu.get_environment_variable("DA_TEST_VAR") == "3"
