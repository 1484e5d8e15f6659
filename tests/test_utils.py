"""Tests for deep_architect.utils."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError
from deep_architect.utils._units import _SECONDS_PER_UNIT

# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def test_command_line_args_types_prefix_and_lists(monkeypatch):
    cmd = ut.CommandLineArgs(argname_prefix="w_")
    cmd.add("worker_id", "int")
    cmd.add("lr", "float", default_value=0.1, optional=True)
    cmd.add("names", "str", optional=True, list_valued=True, valid_value_lst=["a", "b"])
    monkeypatch.setattr(sys, "argv", ["prog", "--w_worker_id", "4", "--w_names", "a", "b"])
    assert cmd.parse() == {"w_worker_id": 4, "w_lr": 0.1, "w_names": ["a", "b"]}
    assert cmd.get_parser() is cmd.parser


def test_command_line_args_required_even_with_default(monkeypatch):
    cmd = ut.CommandLineArgs()
    cmd.add("x", "int", default_value=3)
    monkeypatch.setattr(sys, "argv", ["prog"])
    with pytest.raises(SystemExit):
        cmd.parse()


def test_command_line_args_rejects_unknown_type():
    with pytest.raises(DeepArchitectError, match="argtype"):
        ut.CommandLineArgs().add("x", "bool")


def test_get_config_reads_json(tmp_path, monkeypatch):
    path = str(tmp_path / "c.json")
    ut.write_jsonfile({"a": [1, 2]}, path)
    monkeypatch.setattr(sys, "argv", ["prog", "--config_filepath", path])
    assert ut.get_config() == {"a": [1, 2]}
    monkeypatch.setattr(sys, "argv", ["prog", "--config_filepath", path, "--other", "1"])
    with pytest.raises(SystemExit):
        ut.get_config()


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def test_json_string_format_is_sorted_with_default_separators():
    s = ut.json_object_to_json_string({"out_node_id": 1, "in_node_id": 0})
    assert s == '{"in_node_id": 0, "out_node_id": 1}'
    assert ut.json_string_to_json_object(s) == {"in_node_id": 0, "out_node_id": 1}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(), c, max_size=3),
    max_leaves=10,
)


@given(json_values)
def test_json_and_pickle_roundtrip(tmp_path_factory, x):
    folder = tmp_path_factory.mktemp("rt")
    ut.write_jsonfile(x, str(folder / "x.json"))
    assert ut.read_jsonfile(str(folder / "x.json")) == x
    ut.write_picklefile(x, str(folder / "x.pkl"))
    assert ut.read_picklefile(str(folder / "x.pkl")) == x
    # The atomic writer leaves no temporary files behind.
    assert sorted(os.listdir(folder)) == ["x.json", "x.pkl"]


def test_write_jsonfile_indents_and_overwrites(tmp_path):
    path = str(tmp_path / "d.json")
    ut.write_jsonfile({"b": 1, "a": 2}, path, sort_keys=True)
    assert open(path).read() == '{\n    "a": 2,\n    "b": 1\n}'
    ut.write_jsonfile([1], path)
    assert ut.read_jsonfile(path) == [1]


def test_write_jsonfile_converts_numpy_and_writes_compactly(tmp_path):
    np = pytest.importorskip("numpy")
    path = str(tmp_path / "n.json")
    ut.write_jsonfile({"acc": np.float32(0.5), "ids": np.arange(3), "n": np.int64(7)}, path,
                      indent=None)
    assert open(path).read() == '{"acc": 0.5, "ids": [0, 1, 2], "n": 7}'
    with pytest.raises(TypeError, match="object is not JSON serialisable"):
        ut.to_json_compatible(object())


def test_write_jsonfile_refuses_unserialisable_data_and_keeps_the_old_file(tmp_path):
    path = str(tmp_path / "keep.json")
    ut.write_jsonfile({"a": 1}, path)
    with pytest.raises(DeepArchitectError, match="keep.json.*not JSON serialisable"):
        ut.write_jsonfile({"a": object()}, path)
    assert ut.read_jsonfile(path) == {"a": 1}
    assert os.listdir(tmp_path) == ["keep.json"]


def test_exclusive_write_happens_once(tmp_path):
    path = str(tmp_path / "once.json")
    ut.write_jsonfile({"first": True}, path, exclusive=True)
    with pytest.raises(DeepArchitectError, match="once.json.*written only once"):
        ut.write_jsonfile({"first": False}, path, exclusive=True)
    assert ut.read_jsonfile(path) == {"first": True}
    assert os.listdir(tmp_path) == ["once.json"]


def test_exclusive_writes_racing_for_one_name_let_exactly_one_win(tmp_path):
    # Processes, not threads: each one creates, links and cleans up its own temporary file.
    code = (
        "import sys, deep_architect.utils as ut\n"
        "try:\n"
        "    ut.write_jsonfile({'writer': int(sys.argv[2])}, sys.argv[1], exclusive=True)\n"
        "except AssertionError:\n"
        "    sys.exit(3)\n"
    )
    path = str(tmp_path / "race.json")
    procs = [subprocess.Popen([sys.executable, "-c", code, path, str(i)]) for i in range(4)]
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes == [0, 3, 3, 3]
    assert ut.read_jsonfile(path)["writer"] in range(4)
    assert os.listdir(tmp_path) == ["race.json"]


def test_read_jsonfile_errors_name_the_file(tmp_path):
    path = str(tmp_path / "bad.json")
    with pytest.raises(FileNotFoundError, match="bad.json"):
        ut.read_jsonfile(path)
    with open(path, "w") as f:
        f.write('{"a": ')
    with pytest.raises(DeepArchitectError, match="bad.json.*not valid JSON"):
        ut.read_jsonfile(path)


def test_textfile_roundtrip_append_and_strip(tmp_path):
    path = str(tmp_path / "t.txt")
    ut.write_textfile(path, ["a ", "b"])
    ut.write_textfile(path, ["c"], append=True)
    assert ut.read_textfile(path) == ["a", "b", "c"]
    assert ut.read_textfile(path, strip=False) == ["a \n", "b\n", "c\n"]
    ut.write_textfile(path, ["x", "y"], with_newline=False)
    assert ut.read_textfile(path) == ["xy"]


# ---------------------------------------------------------------------------
# Paths and folders
# ---------------------------------------------------------------------------


def test_path_helpers(tmp_path):
    assert ut.path_prefix("a/b/c.txt") == "a/b"
    assert ut.path_prefix("c.txt") == ""
    assert ut.join_paths(["a", "b", "c"]) == os.path.join("a", "b", "c")
    assert ut.join_paths(("a",)) == "a"
    with pytest.raises(DeepArchitectError):
        ut.join_paths("a")
    f = str(tmp_path / "f")
    open(f, "w").close()
    assert ut.path_exists(f) and ut.file_exists(f) and not ut.folder_exists(f)
    assert ut.folder_exists(str(tmp_path)) and not ut.file_exists(str(tmp_path))


def test_create_folder_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ut.create_folder("logs")  # a bare name has the current directory as parent
    assert os.path.isdir("logs")
    with pytest.raises(DeepArchitectError, match="already exists"):
        ut.create_folder("logs")
    ut.create_folder("logs", abort_if_exists=False)
    with pytest.raises(DeepArchitectError, match="parent folder"):
        ut.create_folder("p/q/r")
    ut.create_folder("p/q/r", create_parent_folders=True)
    assert os.path.isdir("p/q/r")
    open("afile", "w").close()
    with pytest.raises(DeepArchitectError, match="is a file"):
        ut.create_folder("afile", abort_if_exists=False)


def test_delete_file_and_folder(tmp_path):
    f = str(tmp_path / "f")
    with pytest.raises(DeepArchitectError, match="no file"):
        ut.delete_file(f)
    ut.delete_file(f, abort_if_notexists=False)
    open(f, "w").close()
    ut.delete_file(f)
    assert not os.path.exists(f)

    d = str(tmp_path / "d")
    with pytest.raises(DeepArchitectError, match="no folder"):
        ut.delete_folder(d)
    ut.delete_folder(d, abort_if_notexists=False)
    os.makedirs(os.path.join(d, "sub"))
    with pytest.raises(DeepArchitectError, match="not empty"):
        ut.delete_folder(d)
    ut.delete_folder(d, abort_if_nonempty=False)
    assert not os.path.exists(d)


@pytest.fixture
def tree(tmp_path):
    for rel in ["b.txt", "a.txt", ".hidden", "c.tmp", "zdir/x.txt", "adir/y.txt", ".hdir/z.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(exist_ok=True)
        p.write_text("")
    return str(tmp_path)


def test_list_paths_sorted_files_before_folders(tree):
    names = [os.path.relpath(p, tree) for p in ut.list_paths(tree)]
    assert names == ["a.txt", "b.txt", "c.tmp", "adir", "zdir"]
    assert ut.list_paths(tree)[0] == os.path.join(tree, "a.txt")


def test_list_paths_flags(tree):
    rel = ut.list_paths(tree, use_relative_paths=True, ignore_file_exts=[".tmp"])
    assert rel == ["./a.txt", "./b.txt", "./adir", "./zdir"]
    assert ut.list_files(tree, use_relative_paths=True, ignore_hidden_files=False) == [
        "./.hidden",
        "./a.txt",
        "./b.txt",
        "./c.tmp",
    ]
    assert ut.list_folders(tree, use_relative_paths=True) == ["./adir", "./zdir"]
    assert ut.list_folders(tree, use_relative_paths=True, ignore_hidden_folders=False) == [
        "./.hdir",
        "./adir",
        "./zdir",
    ]
    recursive = ut.list_files(tree, True, True, ".tmp", recursive=True, use_relative_paths=True)
    assert recursive == [
        "./a.txt",
        "./b.txt",
        "adir/y.txt",
        "zdir/x.txt",
    ]
    with pytest.raises(DeepArchitectError, match="no folder"):
        ut.list_paths(os.path.join(tree, "missing"))


# ---------------------------------------------------------------------------
# Processes, units, names
# ---------------------------------------------------------------------------


def test_run_bash_command():
    assert ut.run_bash_command("echo hi") == b"hi\n"
    assert ut.run_bash_command("echo hi", text=True) == "hi\n"
    with pytest.raises(subprocess.CalledProcessError):
        ut.run_bash_command("exit 3")


def test_unit_conversions():
    assert ut.convert_between_time_units(2, "hours", "minutes") == pytest.approx(120)
    assert ut.convert_between_time_units(3600) == pytest.approx(1)
    assert ut.convert_between_time_units(1, "seconds", "miliseconds") == pytest.approx(1000)
    assert ut.convert_between_time_units(1, "milliseconds", "microseconds") == pytest.approx(1000)
    assert ut.convert_between_time_units(1, "weeks", "days") == pytest.approx(7)
    assert ut.convert_between_byte_units(1024**2) == pytest.approx(1)
    assert ut.convert_between_byte_units(1, "terabytes", "gigabytes") == pytest.approx(1024)
    with pytest.raises(DeepArchitectError, match="unknown unit 'parsecs'"):
        ut.convert_between_byte_units(1, "parsecs")
    with pytest.raises(DeepArchitectError, match="unknown unit"):
        ut.convert_between_time_units(1, "seconds", "fortnights")


@given(st.floats(min_value=-1e9, max_value=1e9), st.sampled_from(sorted(_SECONDS_PER_UNIT)))
def test_time_conversion_roundtrip(x, unit):
    there = ut.convert_between_time_units(x, "seconds", unit)
    back = ut.convert_between_time_units(there, unit, "seconds")
    assert back == pytest.approx(x, rel=1e-9, abs=1e-9)


def test_extract_simple_name():
    assert ut.extract_simple_name("M.Conv2D-3") == "Conv2D"
    assert ut.extract_simple_name("H.Discrete-12") == "Discrete"
    assert ut.extract_simple_name("M.my-mod-1") == "my-mod"
    with pytest.raises(DeepArchitectError, match="nodots"):
        ut.extract_simple_name("nodots")


# ---------------------------------------------------------------------------
# Trackers and timers
# ---------------------------------------------------------------------------


def test_sequence_tracker():
    t = ut.SequenceTracker()
    t.append({"a": 1, "b": 2})
    t.append({"a": 3})
    d = t.get_dict()
    assert d == {"a": [1, 3], "b": [2]}
    d["c"] = []
    assert "c" not in t.d
    with pytest.raises(DeepArchitectError, match="non-empty strings"):
        t.append({"": 1})
    strict = ut.SequenceTracker(abort_if_different_lengths=True)
    strict.append({"a": 1, "b": 2})
    with pytest.raises(DeepArchitectError, match="different lengths"):
        strict.append({"a": 3})


def test_timer_manager():
    tm = ut.TimerManager()
    assert tm.init_time == tm.last_registered
    tm.create_timer("t")
    assert set(tm.name_to_timer["t"]) == {"start", "tick"}
    with pytest.raises(DeepArchitectError, match="already exists"):
        tm.create_timer("t")
    time.sleep(0.02)
    tm.create_timer_event("t", "e1")
    with pytest.raises(DeepArchitectError, match="reserved"):
        tm.create_timer_event("t", "tick")
    with pytest.raises(DeepArchitectError, match="already has"):
        tm.create_timer_event("t", "e1")
    # Fixed order: later minus earlier, positive.
    dt = tm.get_time_between_events("t", "start", "e1")
    assert dt >= 0.015
    assert tm.get_time_between_events("t", "start", "e1", units="miliseconds") == pytest.approx(
        dt * 1000
    )
    with pytest.raises(DeepArchitectError, match="happened after"):
        tm.get_time_between_events("t", "e1", "start")
    assert tm.get_time_since_event("t", "start") >= dt
    tm.tick_timer("t")
    assert tm.get_time_since_last_tick("t") < tm.get_time_since_event("t", "start")
    with pytest.raises(DeepArchitectError, match="no timer"):
        tm.tick_timer("missing")
    with pytest.raises(DeepArchitectError, match="no event"):
        tm.get_time_since_event("t", "missing")
