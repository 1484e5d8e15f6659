"""General-purpose helpers: command-line configuration, files, paths and timers.

Standard library only, so that every part of the package (logging, searchers,
examples, contrib code) can import it as ``import deep_architect.utils as ut``
without pulling in a deep-learning framework.

Misuse raises :class:`deep_architect.errors.DeepArchitectError` with a message
naming the offending path, unit or name.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Union

from deep_architect.errors import DeepArchitectError, check

__all__ = [
    "CommandLineArgs",
    "get_config",
    "json_object_to_json_string",
    "json_string_to_json_object",
    "read_jsonfile",
    "write_jsonfile",
    "read_textfile",
    "write_textfile",
    "read_picklefile",
    "write_picklefile",
    "path_prefix",
    "join_paths",
    "path_exists",
    "file_exists",
    "folder_exists",
    "delete_file",
    "create_folder",
    "delete_folder",
    "list_paths",
    "list_files",
    "list_folders",
    "sleep",
    "run_bash_command",
    "convert_between_time_units",
    "convert_between_byte_units",
    "extract_simple_name",
    "SequenceTracker",
    "TimerManager",
]

# ---------------------------------------------------------------------------
# Command-line configuration
# ---------------------------------------------------------------------------

_ARGTYPES = {"int": int, "str": str, "float": float}


class CommandLineArgs:
    """A thin wrapper around :class:`argparse.ArgumentParser`.

    Every argument is declared as ``--<argname_prefix><argname>``.

    Args:
        argname_prefix: Prefix prepended to every argument name.

    Attributes:
        parser: The underlying ``argparse.ArgumentParser``.
        argname_prefix: The prefix given at construction.

    Example:
        >>> cmd = CommandLineArgs()
        >>> cmd.add("worker_id", "int")
        >>> cmd.parser.parse_args(["--worker_id", "3"]).worker_id
        3
    """

    def __init__(self, argname_prefix: str = "") -> None:
        self.parser = argparse.ArgumentParser()
        self.argname_prefix = argname_prefix

    def add(
        self,
        argname: str,
        argtype: str,
        default_value: Any = None,
        optional: bool = False,
        help: Optional[str] = None,
        valid_value_lst: Optional[Sequence[Any]] = None,
        list_valued: bool = False,
    ) -> None:
        """Declares the argument ``--<prefix><argname>``.

        A non-optional argument is required even when a default is given.

        Args:
            argname: Name of the argument, without dashes or prefix.
            argtype: One of ``'int'``, ``'str'`` or ``'float'``.
            default_value: Value used when the argument is absent.
            optional: Whether the argument may be omitted.
            help: Help text shown by ``--help``.
            valid_value_lst: If given, the only accepted values.
            list_valued: Whether the argument takes any number of values.

        Raises:
            DeepArchitectError: If ``argtype`` is not a supported type name.
        """
        check(
            argtype in _ARGTYPES,
            f"CommandLineArgs.add: argtype of {argname!r} must be one of "
            f"{sorted(_ARGTYPES)}, got {argtype!r}",
        )
        self.parser.add_argument(
            "--" + self.argname_prefix + argname,
            required=not optional,
            default=default_value,
            nargs="*" if list_valued else None,
            type=_ARGTYPES[argtype],
            choices=valid_value_lst,
            help=help,
        )

    def parse(self) -> Dict[str, Any]:
        """Parses ``sys.argv``.

        Returns:
            A dict from argument name (with prefix, without dashes) to value.
        """
        return vars(self.parser.parse_args())

    def get_parser(self) -> argparse.ArgumentParser:
        """Returns the underlying ``argparse.ArgumentParser``."""
        return self.parser


def get_config() -> Any:
    """Reads the JSON file named by the required ``--config_filepath`` argument.

    Any other command-line argument makes argparse exit with an error.

    Returns:
        The parsed content of the JSON file (usually a dict).
    """
    cmd = CommandLineArgs()
    cmd.add("config_filepath", "str")
    return read_jsonfile(cmd.parse()["config_filepath"])


# ---------------------------------------------------------------------------
# JSON, pickle and text files
# ---------------------------------------------------------------------------


def json_object_to_json_string(d: Any) -> str:
    """Serialises ``d`` with sorted keys (default separators), e.g. for use as a key."""
    return json.dumps(d, sort_keys=True)


def json_string_to_json_object(s: str) -> Any:
    """Parses the JSON string ``s``."""
    return json.loads(s)


def read_jsonfile(filepath: str) -> Any:
    """Reads and parses a JSON file.

    Args:
        filepath: Path of the JSON file.

    Returns:
        The parsed content.

    Raises:
        FileNotFoundError: If the file does not exist (as with ``open``).
        DeepArchitectError: If the file is not valid JSON; the message names the file.
    """
    with open(filepath, "r") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise DeepArchitectError(f"read_jsonfile: {filepath!r} is not valid JSON ({e})") from e


def _write_atomically(filepath: str, write_fn: Any, binary: bool = False) -> None:
    # Writing to a temporary file in the same folder and renaming it over the
    # destination means a reader (or a crash) never sees a half-written file.
    folderpath = os.path.dirname(os.path.abspath(filepath))
    fd, tmp_filepath = tempfile.mkstemp(
        dir=folderpath, prefix="." + os.path.basename(filepath) + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb" if binary else "w") as f:
            write_fn(f)
        os.replace(tmp_filepath, filepath)
    except BaseException:
        if os.path.exists(tmp_filepath):
            os.remove(tmp_filepath)
        raise


def write_jsonfile(d: Any, filepath: str, sort_keys: bool = False) -> None:
    """Writes ``d`` as indented JSON, replacing any existing file atomically.

    Args:
        d: JSON-serialisable object.
        filepath: Destination path; its folder must exist.
        sort_keys: Whether to sort dictionary keys.
    """
    _write_atomically(filepath, lambda f: json.dump(d, f, indent=4, sort_keys=sort_keys))


def read_textfile(filepath: str, strip: bool = True) -> List[str]:
    """Reads a text file as a list of lines.

    Args:
        filepath: Path of the file.
        strip: Whether to strip surrounding whitespace (including the newline)
            from each line.

    Returns:
        The lines of the file.
    """
    with open(filepath, "r") as f:
        lines = f.readlines()
    return [line.strip() for line in lines] if strip else lines


def write_textfile(
    filepath: str, lines: Sequence[str], append: bool = False, with_newline: bool = True
) -> None:
    """Writes lines to a text file.

    Args:
        filepath: Destination path.
        lines: The lines to write.
        append: Whether to append to an existing file instead of replacing it.
        with_newline: Whether to end each line with a newline.
    """
    with open(filepath, "a" if append else "w") as f:
        for line in lines:
            f.write(line + "\n" if with_newline else line)


def read_picklefile(filepath: str) -> Any:
    """Loads a pickled object from ``filepath``."""
    with open(filepath, "rb") as f:
        return pickle.load(f)


def write_picklefile(x: Any, filepath: str) -> None:
    """Pickles ``x`` to ``filepath`` (atomically, replacing any existing file)."""
    _write_atomically(filepath, lambda f: pickle.dump(x, f), binary=True)


# ---------------------------------------------------------------------------
# Paths and folders
# ---------------------------------------------------------------------------


def path_prefix(path: str) -> str:
    """Returns the parent part of ``path`` (``''`` for a bare name)."""
    return os.path.split(path)[0]


def join_paths(paths: Sequence[str]) -> str:
    """Joins the path components of the single list or tuple ``paths``."""
    check(
        isinstance(paths, (list, tuple)),
        "join_paths takes one list or tuple of path components, got %r",
        paths,
    )
    return os.path.join(*paths)


def path_exists(path: str) -> bool:
    """Whether anything exists at ``path``."""
    return os.path.exists(path)


def file_exists(path: str) -> bool:
    """Whether a file exists at ``path``."""
    return os.path.isfile(path)


def folder_exists(path: str) -> bool:
    """Whether a folder exists at ``path``."""
    return os.path.isdir(path)


def delete_file(filepath: str, abort_if_notexists: bool = True) -> None:
    """Deletes a file.

    Args:
        filepath: Path of the file.
        abort_if_notexists: Whether a missing file is an error.
    """
    check(
        not abort_if_notexists or file_exists(filepath),
        f"delete_file: no file at {filepath!r}",
    )
    if file_exists(filepath):
        os.remove(filepath)


def create_folder(
    folderpath: str, abort_if_exists: bool = True, create_parent_folders: bool = False
) -> None:
    """Creates a folder.

    A bare relative name has the current directory as its parent.

    Args:
        folderpath: Path of the folder to create.
        abort_if_exists: Whether an existing folder is an error.
        create_parent_folders: Whether to create missing parent folders.

    Raises:
        DeepArchitectError: If a file is in the way, the parent folder is
            missing and not to be created, or the folder exists and
            ``abort_if_exists``.
    """
    check(not file_exists(folderpath), f"create_folder: {folderpath!r} is a file")
    parent = path_prefix(folderpath) or "."
    check(
        create_parent_folders or folder_exists(parent),
        f"create_folder: parent folder {parent!r} of {folderpath!r} does not exist "
        "(pass create_parent_folders=True to create it)",
    )
    check(
        not (abort_if_exists and folder_exists(folderpath)),
        f"create_folder: folder {folderpath!r} already exists",
    )
    os.makedirs(folderpath, exist_ok=True)


def delete_folder(
    folderpath: str, abort_if_nonempty: bool = True, abort_if_notexists: bool = True
) -> None:
    """Deletes a folder.

    Args:
        folderpath: Path of the folder.
        abort_if_nonempty: Whether a non-empty folder is an error (otherwise it
            is removed recursively).
        abort_if_notexists: Whether a missing folder is an error.
    """
    if not folder_exists(folderpath):
        check(not abort_if_notexists, f"delete_folder: no folder at {folderpath!r}")
        return
    check(
        not (abort_if_nonempty and os.listdir(folderpath)),
        f"delete_folder: folder {folderpath!r} is not empty",
    )
    shutil.rmtree(folderpath)


def list_paths(
    folderpath: str,
    ignore_files: bool = False,
    ignore_dirs: bool = False,
    ignore_hidden_folders: bool = True,
    ignore_hidden_files: bool = True,
    ignore_file_exts: Optional[Union[str, Sequence[str]]] = None,
    recursive: bool = False,
    use_relative_paths: bool = False,
) -> List[str]:
    """Lists the files and folders inside a folder, in sorted order.

    Within each visited folder, files come before folders. Hidden folders are
    neither listed nor descended into when ``ignore_hidden_folders``.

    Args:
        folderpath: The folder to list.
        ignore_files: Whether to leave files out.
        ignore_dirs: Whether to leave folders out.
        ignore_hidden_folders: Whether to skip folders whose name starts with ``.``.
        ignore_hidden_files: Whether to skip files whose name starts with ``.``.
        ignore_file_exts: Endings (e.g. ``'.tmp'``) of files to leave out.
        recursive: Whether to descend into subfolders.
        use_relative_paths: Whether to return paths relative to ``folderpath``
            (``'./a.txt'`` at the top level, ``'sub/b.txt'`` below it).

    Returns:
        The listed paths.

    Raises:
        DeepArchitectError: If ``folderpath`` is not an existing folder.
    """
    check(folder_exists(folderpath), f"list_paths: no folder at {folderpath!r}")
    if isinstance(ignore_file_exts, str):
        ignore_file_exts = [ignore_file_exts]
    exts = tuple(ignore_file_exts or ())
    out = []
    for root, dirnames, filenames in os.walk(folderpath):
        if ignore_hidden_folders:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        dirnames.sort()  # os.walk descends in this (now sorted) order
        prefix = os.path.relpath(root, folderpath) if use_relative_paths else root
        if not ignore_files:
            out.extend(
                os.path.join(prefix, name)
                for name in sorted(filenames)
                if not (ignore_hidden_files and name.startswith("."))
                and not (exts and name.endswith(exts))
            )
        if not ignore_dirs:
            out.extend(os.path.join(prefix, name) for name in dirnames)
        if not recursive:
            break
    return out


def list_files(
    folderpath: str,
    ignore_hidden_folders: bool = True,
    ignore_hidden_files: bool = True,
    ignore_file_exts: Optional[Union[str, Sequence[str]]] = None,
    recursive: bool = False,
    use_relative_paths: bool = False,
) -> List[str]:
    """Lists the files inside a folder; see :func:`list_paths`."""
    return list_paths(
        folderpath,
        ignore_dirs=True,
        ignore_hidden_folders=ignore_hidden_folders,
        ignore_hidden_files=ignore_hidden_files,
        ignore_file_exts=ignore_file_exts,
        recursive=recursive,
        use_relative_paths=use_relative_paths,
    )


def list_folders(
    folderpath: str,
    ignore_hidden_folders: bool = True,
    recursive: bool = False,
    use_relative_paths: bool = False,
) -> List[str]:
    """Lists the folders inside a folder; see :func:`list_paths`."""
    return list_paths(
        folderpath,
        ignore_files=True,
        ignore_hidden_folders=ignore_hidden_folders,
        recursive=recursive,
        use_relative_paths=use_relative_paths,
    )


# ---------------------------------------------------------------------------
# Processes, units and names
# ---------------------------------------------------------------------------


def sleep(time_in_seconds: float) -> None:
    """Sleeps for the given number of seconds."""
    time.sleep(time_in_seconds)


def run_bash_command(cmd: str, text: bool = False) -> Union[bytes, str]:
    """Runs a shell command and returns its standard output.

    Args:
        cmd: The command line, run through the shell.
        text: Whether to decode the output to ``str`` (the default returns bytes).

    Returns:
        The captured standard output.

    Raises:
        subprocess.CalledProcessError: If the command exits with a non-zero status.
    """
    return subprocess.check_output(cmd, shell=True, text=text)


# Seconds per unit. 'miliseconds' (sic) is the original spelling, kept because
# it appears as a results key; 'milliseconds' is accepted as an alias.
_SECONDS_PER_UNIT = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "days": 86400.0,
    "weeks": 604800.0,
    "miliseconds": 1e-3,
    "milliseconds": 1e-3,
    "microseconds": 1e-6,
    "nanoseconds": 1e-9,
}

_BYTES_PER_UNIT = {
    "bytes": 1,
    "kilobytes": 1024,
    "megabytes": 1024**2,
    "gigabytes": 1024**3,
    "terabytes": 1024**4,
}


def _convert(x: float, src_units: str, dst_units: str, factors: Dict[str, float]) -> float:
    for units in (src_units, dst_units):
        check(units in factors, "unknown unit %r; expected one of %s", units, list(factors))
    return x * factors[src_units] / factors[dst_units]


def convert_between_time_units(
    x: float, src_units: str = "seconds", dst_units: str = "hours"
) -> float:
    """Converts a duration from one unit to another.

    The units are ``'seconds'``, ``'minutes'``, ``'hours'``, ``'days'``,
    ``'weeks'``, ``'miliseconds'`` (or ``'milliseconds'``), ``'microseconds'`` and
    ``'nanoseconds'``.

    Example:
        >>> convert_between_time_units(90, "minutes", "hours")
        1.5
    """
    return _convert(x, src_units, dst_units, _SECONDS_PER_UNIT)


def convert_between_byte_units(
    x: float, src_units: str = "bytes", dst_units: str = "megabytes"
) -> float:
    """Converts a size from one unit to another.

    The units are ``'bytes'``, ``'kilobytes'``, ``'megabytes'``,
    ``'gigabytes'`` and ``'terabytes'`` (powers of 1024).

    Example:
        >>> convert_between_byte_units(2048, "kilobytes", "megabytes")
        2.0
    """
    return _convert(x, src_units, dst_units, _BYTES_PER_UNIT)


def extract_simple_name(s: str) -> str:
    """Returns the part of a full name between its first ``'.'`` and last ``'-'``.

    Example:
        >>> extract_simple_name("M.Conv2D-3")
        'Conv2D'
    """
    start = s.find(".")
    end = s.rfind("-")
    check(
        0 <= start < end,
        "extract_simple_name: expected a name like 'M.Conv2D-3', got %r",
        s,
    )
    return s[start + 1 : end]


# ---------------------------------------------------------------------------
# Trackers and timers
# ---------------------------------------------------------------------------


class SequenceTracker:
    """Accumulates named sequences of values (e.g. per-epoch metrics).

    Args:
        abort_if_different_lengths: Whether every ``append`` must leave all
            sequences with the same length.

    Attributes:
        d: Dict from sequence name to the list of its values.

    Example:
        >>> t = SequenceTracker()
        >>> t.append({"loss": 0.5}); t.append({"loss": 0.25})
        >>> t.get_dict()
        {'loss': [0.5, 0.25]}
    """

    def __init__(self, abort_if_different_lengths: bool = False) -> None:
        self.abort_if_different_lengths = abort_if_different_lengths
        self.d: Dict[str, List[Any]] = {}

    def append(self, d: Dict[str, Any]) -> None:
        """Appends each value of ``d`` to the sequence named by its key.

        Raises:
            DeepArchitectError: If a key is not a non-empty string, or lengths
                differ afterwards while ``abort_if_different_lengths``.
        """
        for k, v in d.items():
            check(
                isinstance(k, str) and len(k) > 0,
                f"SequenceTracker.append: keys must be non-empty strings, got {k!r}",
            )
            self.d.setdefault(k, []).append(v)
        if self.abort_if_different_lengths:
            lengths = {k: len(v) for k, v in self.d.items()}
            check(
                len(set(lengths.values())) <= 1,
                f"SequenceTracker.append: sequences have different lengths {lengths}",
            )

    def get_dict(self) -> Dict[str, List[Any]]:
        """Returns a shallow copy of the dict of sequences."""
        return dict(self.d)


_RESERVED_EVENTS = ("start", "tick")


class TimerManager:
    """Named timers, each a set of named timestamped events.

    Attributes:
        init_time: Creation time (``time.time()``).
        last_registered: Creation time as well (kept for compatibility).
        name_to_timer: Dict from timer name to a dict from event name to timestamp.

    Example:
        >>> tm = TimerManager()
        >>> tm.create_timer("train")
        >>> tm.create_timer_event("train", "epoch1")
        >>> tm.get_time_between_events("train", "start", "epoch1") >= 0
        True
    """

    def __init__(self) -> None:
        self.init_time = time.time()
        self.last_registered = self.init_time
        self.name_to_timer: Dict[str, Dict[str, float]] = {}

    def _timer(self, timer_name: str) -> Dict[str, float]:
        check(timer_name in self.name_to_timer, f"TimerManager: no timer named {timer_name!r}")
        return self.name_to_timer[timer_name]

    def _event_time(self, timer_name: str, event_name: str) -> float:
        timer = self._timer(timer_name)
        check(
            event_name in timer,
            f"TimerManager: timer {timer_name!r} has no event named {event_name!r}",
        )
        return timer[event_name]

    def create_timer(self, timer_name: str, abort_if_timer_exists: bool = True) -> None:
        """Creates (or restarts) a timer, setting its ``'start'`` and ``'tick'`` events to now."""
        check(
            not (abort_if_timer_exists and timer_name in self.name_to_timer),
            f"TimerManager.create_timer: timer {timer_name!r} already exists",
        )
        now = time.time()
        self.name_to_timer[timer_name] = {"start": now, "tick": now}

    def create_timer_event(
        self, timer_name: str, event_name: str, abort_if_event_exists: bool = True
    ) -> None:
        """Records the current time as event ``event_name`` of a timer.

        Raises:
            DeepArchitectError: If the timer is missing, the event name is
                reserved (``'start'``, ``'tick'``), or it exists and
                ``abort_if_event_exists``.
        """
        timer = self._timer(timer_name)
        check(
            event_name not in _RESERVED_EVENTS,
            f"TimerManager: event name {event_name!r} is reserved",
        )
        check(
            not (abort_if_event_exists and event_name in timer),
            f"TimerManager: timer {timer_name!r} already has an event {event_name!r}",
        )
        timer[event_name] = time.time()

    def tick_timer(self, timer_name: str) -> None:
        """Sets the ``'tick'`` event of a timer to now."""
        self._timer(timer_name)["tick"] = time.time()

    def get_time_since_event(
        self, timer_name: str, event_name: str, units: str = "seconds"
    ) -> float:
        """Time elapsed since an event of a timer, in ``units``."""
        delta = time.time() - self._event_time(timer_name, event_name)
        return convert_between_time_units(delta, "seconds", units)

    def get_time_between_events(
        self,
        timer_name: str,
        earlier_event_name: str,
        later_event_name: str,
        units: str = "seconds",
    ) -> float:
        """Time from ``earlier_event_name`` to ``later_event_name``, in ``units``.

        Raises:
            DeepArchitectError: If the "earlier" event happened after the later one.
        """
        delta = self._event_time(timer_name, later_event_name) - self._event_time(
            timer_name, earlier_event_name
        )
        check(
            delta >= 0,
            f"TimerManager: event {earlier_event_name!r} of timer {timer_name!r} happened "
            f"after {later_event_name!r}",
        )
        return convert_between_time_units(delta, "seconds", units)

    def get_time_since_last_tick(self, timer_name: str, units: str = "seconds") -> float:
        """Time elapsed since the last tick of a timer, in ``units``."""
        return self.get_time_since_event(timer_name, "tick", units)
