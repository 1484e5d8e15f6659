"""Tests of the file and MPI communicators, their mailboxes and the master/worker loops."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.contrib.communicators import file_utils
from deep_architect.contrib.communicators.communicator import get_communicator
from deep_architect.contrib.communicators.file_communicator import FileCommunicator
from deep_architect.errors import DeepArchitectError

pytest.importorskip("portalocker")

TESTS_FOLDERPATH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SCRIPT = "import sys, search_loop_toys as t; t.communicator_test_main(*sys.argv[1:])"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children,
                                                                      max_size=4),
    max_leaves=12)


@settings(max_examples=40, deadline=None)
@given(obj=json_values.filter(lambda x: x is not None))
def test_mailbox_holds_one_object_until_consumed(tmp_path_factory, obj):
    mailbox = str(tmp_path_factory.mktemp("box") / "mailbox")
    assert read_and_consume(mailbox) == (None, None)
    file_utils.write_file(mailbox, obj)
    assert file_utils.read_file(mailbox) == obj
    assert read_and_consume(mailbox) == (obj, obj)
    assert read_and_consume(mailbox) == (None, None)


def read_and_consume(mailbox):
    return file_utils.read_file(mailbox), file_utils.consume_file(mailbox)


def test_write_file_waits_for_the_mailbox_to_be_emptied(tmp_path):
    mailbox = str(tmp_path / "mailbox")
    file_utils.write_file(mailbox, "first")
    writer = threading.Thread(target=file_utils.write_file, args=(mailbox, "second"))
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive() and file_utils.read_file(mailbox) == "first"
    assert file_utils.consume_file(mailbox) == "first"
    writer.join(timeout=5)
    assert not writer.is_alive()
    assert file_utils.consume_file(mailbox) == "second"


def test_file_communicator_ranks_roles_and_messages(tmp_path):
    dirname = str(tmp_path / "comm")
    master, worker = FileCommunicator(2, dirname=dirname), FileCommunicator(2, dirname=dirname)
    assert (master.get_rank(), worker.get_rank()) == (0, 1)
    assert master.is_master() and worker.is_worker() and master.num_workers == 1
    with pytest.raises(DeepArchitectError, match="already joined"):
        FileCommunicator(2, dirname=dirname)
    with pytest.raises(DeepArchitectError, match="only be called by the master"):
        worker.kill_worker()
    with pytest.raises(DeepArchitectError, match="only be called by the worker"):
        master.receive_architecture_in_worker()
    assert master.is_ready_to_publish_architecture()
    master.publish_architecture_to_worker([1, 2], 0, {"t": 1})
    assert not master.is_ready_to_publish_architecture()
    assert worker.receive_architecture_in_worker() == ([1, 2], 0, {"t": 1})
    assert master.receive_results_in_master(0) is None
    worker.publish_results_to_master({"validation_accuracy": 0.5}, 0, {"t": 1})
    assert master.receive_results_in_master(0) == ({"validation_accuracy": 0.5}, 0, {"t": 1})
    master.kill_worker()
    assert worker.receive_architecture_in_worker() is None
    assert worker.receive_architecture_in_worker() is None
    assert master.receive_results_in_master(0) is None and master.finished == 1
    FileCommunicator.reset(dirname)
    assert FileCommunicator(2, dirname=dirname).is_master()


def test_mailboxes_never_unpickle(tmp_path):
    # A pickle planted in the shared folder must not run code in the reader.
    import pickle

    marker = tmp_path / "pwned"
    mailbox = str(tmp_path / "box")
    with open(mailbox, "wb") as f:
        f.write(pickle.dumps(_Planted(str(marker))))
    with pytest.raises(DeepArchitectError, match="does not hold a JSON message"):
        file_utils.consume_file(mailbox)
    assert not marker.exists()


class _Planted:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_mailboxes_write_numpy_values_as_json(tmp_path):
    np = pytest.importorskip("numpy")
    mailbox = str(tmp_path / "box")
    file_utils.write_file(mailbox, {"acc": np.float32(0.5), "v": np.arange(2)})
    assert file_utils.consume_file(mailbox) == {"acc": 0.5, "v": [0, 1]}
    with pytest.raises(DeepArchitectError, match="not JSON-serialisable"):
        file_utils.write_file(mailbox, {"f": object()})


@pytest.mark.parametrize("planted", [
    ["vs", 0, {}, False],
    {"type": "architecture", "hyperp_value_lst": [1], "evaluation_id": "0",
     "searcher_eval_token": {}},
    {"type": "architecture", "hyperp_value_lst": [1], "evaluation_id": 0},
    {"type": "results", "results": {}, "evaluation_id": 0, "searcher_eval_token": {}},
])
def test_file_communicator_checks_the_schema_of_messages(tmp_path, planted):
    dirname = str(tmp_path / "comm")
    FileCommunicator(2, dirname=dirname)
    worker = FileCommunicator(2, dirname=dirname)
    file_utils.write_file(worker.worker_queue_file, planted)
    with pytest.raises(DeepArchitectError, match="mailbox .*worker_queue"):
        worker.receive_architecture_in_worker()


def test_file_communicator_master_checks_results_messages(tmp_path):
    dirname = str(tmp_path / "comm")
    master = FileCommunicator(2, dirname=dirname)
    FileCommunicator(2, dirname=dirname)
    file_utils.write_file(master._results_file(1), {"type": "results", "results": [],
                                                    "evaluation_id": 0,
                                                    "searcher_eval_token": {}})
    with pytest.raises(DeepArchitectError, match="malformed 'results' message"):
        master.receive_results_in_master(0)


def test_get_communicator_rejects_unknown_names():
    with pytest.raises(DeepArchitectError, match="unknown communicator 'tcp'"):
        get_communicator("tcp")


def test_mongo_communicator_is_importable_and_explains_missing_pymongo(monkeypatch):
    from deep_architect.contrib.communicators import mongo_communicator as mc

    assert mc.STARTTIME_KEY == "startTime" and mc.DATA_KEY == "data"
    monkeypatch.setitem(sys.modules, "pymongo", None)
    with pytest.raises(DeepArchitectError, match="pip install pymongo"):
        mc.MongoCommunicator()


def _environment():
    environment = dict(os.environ)
    environment["PYTHONPATH"] = TESTS_FOLDERPATH
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment["PATH"]
    return environment


def _check_search(folderpath, num_samples, worker_pids=None):
    logs = sl.read_search_folder(sl.get_search_folderpath(folderpath, "comm"))
    assert len(logs) == num_samples
    assert [log["config"]["searcher_evaluation_token"]["sample_index"] for log in logs] \
        == list(range(num_samples))
    assert all(log["results"]["validation_accuracy"] == 0.5 for log in logs)
    master = ut.read_jsonfile(os.path.join(folderpath, "master.json"))
    assert sorted(u[0] for u in master["updates"]) == list(range(num_samples))
    # Which worker does how much depends on start-up times; only workers evaluate.
    pids = {log["results"]["pid"] for log in logs}
    assert master["pid"] not in pids
    if worker_pids is not None:
        assert pids <= set(worker_pids)


def test_file_communicator_search_with_two_worker_processes(tmp_path):
    dirname, folderpath = str(tmp_path / "comm"), str(tmp_path / "logs")
    args = ["file", "3", dirname, folderpath, "10"]
    # The master must claim rank 0, so it starts first.
    master = subprocess.Popen([sys.executable, "-c", _SCRIPT] + args, env=_environment())
    # Until the master has written its count, a worker could claim rank 0 too.
    init = os.path.join(dirname, "init")
    while not (os.path.exists(init) and os.path.getsize(init) > 0):
        time.sleep(0.01)
    workers = [subprocess.Popen([sys.executable, "-c", _SCRIPT] + args, env=_environment())
               for _ in range(2)]
    for process in [master] + workers:
        assert process.wait(timeout=120) == 0
    _check_search(folderpath, 10, [worker.pid for worker in workers])


@pytest.mark.skipif(shutil.which("mpiexec", path=_environment()["PATH"]) is None,
                    reason="mpiexec not found (pip install mpich, or apt-get install mpich)")
def test_mpi_communicator_search_with_three_ranks(tmp_path):
    pytest.importorskip("mpi4py")
    folderpath = str(tmp_path / "logs")
    mpiexec = shutil.which("mpiexec", path=_environment()["PATH"])
    command = [mpiexec, "-n", "3", sys.executable, "-c", _SCRIPT,
               "mpi", "3", "unused", folderpath, "10"]
    completed = subprocess.run(command, env=_environment(), capture_output=True, timeout=180)
    assert completed.returncode == 0, completed.stderr.decode()
    _check_search(folderpath, 10)


def test_locked_writes_are_visible_before_the_lock_is_released(tmp_path, monkeypatch):
    # A process taking the lock right after another released it must see what
    # was written under it, not a truncated file (ranks were claimed twice).
    import portalocker

    path = str(tmp_path / "init")
    seen = []
    real_unlock = portalocker.unlock

    def unlock(fh):
        with open(path, "rb") as other:  # what another process would read now
            seen.append(other.read())
        real_unlock(fh)

    monkeypatch.setattr(portalocker, "unlock", unlock)
    with file_utils.locked_file(path) as fh:
        file_utils.clear_file(fh)
        fh.write(b"1")
    assert seen == [b"1"]
