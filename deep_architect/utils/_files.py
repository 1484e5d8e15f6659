"""Files: JSON (one atomic writer, one NumPy-aware encoder), text and pickle.

Every JSON file the library writes goes through :func:`write_jsonfile`, so a
reader or a crash never sees a half-written file, and NumPy scalars and arrays
in the data are written as plain numbers and lists by :func:`to_json_compatible`.
The JSON is strict: NaN and infinities, which JSON lacks (browsers'
``JSON.parse`` rejects Python's ``NaN``), are written as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``.

Temporary files are created anew with ``O_EXCL`` and ``O_NOFOLLOW`` (never a
pre-planted file or symbolic link), with mode ``0o666`` filtered by the umask
like any file the user creates, and named ``.tmp-<host>-<pid>-<random>.<name>``
so that :func:`remove_stale_temp_files` can delete those of dead writers.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import secrets
import socket
from collections.abc import Callable, Sequence
from typing import IO, Any

from deep_architect.errors import DeepArchitectError


def to_json_compatible(x: Any) -> Any:
    """Converts a NumPy scalar or array into plain Python numbers and lists.

    It is the ``default`` hook of :func:`json.dumps` for the whole library; it
    does not import NumPy (it relies on ``.tolist()``, which NumPy scalars and
    arrays have), so modules using it stay free of the dependency.

    Example:
        >>> import json
        >>> import numpy as np
        >>> json.dumps({"acc": np.float32(0.5), "shape": np.array([2, 3])},
        ...            default=to_json_compatible)
        '{"acc": 0.5, "shape": [2, 3]}'

    Raises:
        TypeError: For anything else (what ``json.dumps`` expects of the hook).
    """
    if hasattr(x, "tolist"):
        return x.tolist()
    raise TypeError(f"{type(x).__name__} object is not JSON serialisable")


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


_TEMP_FILENAME_RE = re.compile(r"^\.tmp-(?P<host>.+)-(?P<pid>[0-9]+)-[0-9a-f]{16}\.")


def _create_temp_file(filepath: str) -> tuple[int, str]:
    # A fixed or guessable name could be a planted symlink; O_EXCL | O_NOFOLLOW
    # never opens an existing name, and mode 0o666 lets the umask decide.
    folderpath = os.path.dirname(os.path.abspath(filepath))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    prefix = f".tmp-{socket.gethostname()}-{os.getpid()}-"
    while True:
        tmp_filepath = os.path.join(
            folderpath, prefix + secrets.token_hex(8) + "." + os.path.basename(filepath))
        try:
            return os.open(tmp_filepath, flags, 0o666), tmp_filepath
        except FileExistsError:  # 64 random bits: practically never taken
            continue


def write_atomically(
    filepath: str, write_fn: Callable[[IO], None], binary: bool = False, exclusive: bool = False,
    durable: bool = False,
) -> None:
    """Writes a file through ``write_fn(f)``; readers see the old file or the new one.

    The content goes to a new temporary file in the same folder (its name
    starts with a dot, so folder listings skip it), which is then renamed over
    ``filepath``; a crash leaves the old file. :func:`write_jsonfile` and the
    other writers of this module are built on it.

    Args:
        filepath: Destination path; its folder must exist.
        write_fn: Writes the content into the open file ``f``.
        binary: Whether ``f`` is opened in binary mode.
        exclusive: Whether an existing file is an error (see :func:`write_jsonfile`).
        durable: Whether to ``fsync`` the content before it gets its name.

    Raises:
        DeepArchitectError: If ``exclusive`` and the file exists.
    """
    fd, tmp_filepath = _create_temp_file(filepath)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as f:
            write_fn(f)
            if durable:  # on disk before it gets its name: survives a power cut too
                f.flush()
                os.fsync(f.fileno())
        if exclusive:
            _link_exclusively(tmp_filepath, filepath)
        else:
            os.replace(tmp_filepath, filepath)
    finally:
        if os.path.lexists(tmp_filepath):
            os.remove(tmp_filepath)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_stale_temp_files(folderpath: str) -> list[str]:
    """Deletes the temporary files in ``folderpath`` left by dead writers on this host.

    A writer killed between creating its temporary file and renaming it leaves
    the file behind (possibly large). Files of a live process, or of another
    host sharing the file system, are kept.

    Args:
        folderpath: Folder to clean (not recursive).

    Returns:
        The paths of the deleted files.
    """
    host = socket.gethostname()
    removed = []
    for name in os.listdir(folderpath):
        match = _TEMP_FILENAME_RE.match(name)
        if match is None or match.group("host") != host or _is_alive(int(match.group("pid"))):
            continue
        try:
            os.remove(os.path.join(folderpath, name))  # a symlink itself, never its target
        except FileNotFoundError:  # another process cleaned it first
            continue
        removed.append(os.path.join(folderpath, name))
    return removed


def _link_exclusively(tmp_filepath: str, filepath: str) -> None:
    # Linking fails if the name exists, so of two racing writers only one succeeds.
    if os.path.exists(filepath):
        raise DeepArchitectError(f"{filepath!r} already exists; it is written only once")
    try:
        os.link(tmp_filepath, filepath)
    except FileExistsError as e:
        raise DeepArchitectError(f"{filepath!r} already exists; it is written only once") from e
    except OSError:
        # File systems without hard links: the check above already ran, and
        # the rename is still atomic for readers.
        os.replace(tmp_filepath, filepath)


def write_jsonfile(
    d: Any,
    filepath: str,
    sort_keys: bool = False,
    indent: int | None = 4,
    exclusive: bool = False,
    durable: bool = False,
) -> None:
    """Writes ``d`` as JSON, atomically: readers see the old file or the new one.

    NumPy scalars and arrays are converted (see :func:`to_json_compatible`).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "d.json")
        >>> write_jsonfile({"b": 1, "a": [1, 2]}, path, sort_keys=True, indent=None)
        >>> open(path).read()
        '{"a": [1, 2], "b": 1}'

    Args:
        d: JSON-serialisable object.
        filepath: Destination path; its folder must exist.
        sort_keys: Whether to sort dictionary keys.
        indent: Indentation, or ``None`` for one compact line (faster: Python's
            C encoder only runs without indentation).
        exclusive: Whether the file is written once only: then an existing
            file is an error, also when another process wins a race to it.
        durable: Whether to flush the file to disk (``fsync``) before it gets
            its name, so that it survives a power cut, not only a crash.

    Raises:
        DeepArchitectError: If ``d`` is not JSON-serialisable (nothing is
            written), or ``exclusive`` and the file exists; the message names the file.
    """
    try:
        try:
            text = json.dumps(d, indent=indent, sort_keys=sort_keys, default=to_json_compatible,
                              allow_nan=False)
        except ValueError:  # a non-finite float somewhere: the rare, slower path
            text = json.dumps(_finite_or_named(d), indent=indent, sort_keys=sort_keys,
                              default=to_json_compatible, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise DeepArchitectError(f"cannot write {filepath!r}: not JSON serialisable ({e})") from e
    if exclusive and os.path.exists(filepath):
        raise DeepArchitectError(f"{filepath!r} already exists; it is written only once")
    write_atomically(filepath, lambda f: f.write(text), exclusive=exclusive, durable=durable)


_NON_FINITE_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}


def _finite_or_named(x: Any) -> Any:
    """Returns ``x`` with every non-finite float replaced by its name as a string."""
    if isinstance(x, float):
        return x if math.isfinite(x) else _NON_FINITE_NAMES.get(x, "NaN")
    if isinstance(x, dict):
        return {k: _finite_or_named(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite_or_named(v) for v in x]
    if hasattr(x, "tolist"):  # NumPy scalars and arrays
        return _finite_or_named(x.tolist())
    return x


def read_textfile(filepath: str, strip: bool = True) -> list[str]:
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
    """Writes lines to a text file; a replaced file is replaced atomically.

    Args:
        filepath: Destination path.
        lines: The lines to write.
        append: Whether to append to an existing file instead of replacing it.
        with_newline: Whether to end each line with a newline.
    """

    def write_lines(f: IO) -> None:
        for line in lines:
            f.write(line + "\n" if with_newline else line)

    if append:
        with open(filepath, "a") as f:
            write_lines(f)
    else:
        write_atomically(filepath, write_lines)


def read_picklefile(filepath: str) -> Any:
    """Loads a pickled object from ``filepath``."""
    with open(filepath, "rb") as f:
        return pickle.load(f)


def write_picklefile(x: Any, filepath: str) -> None:
    """Pickles ``x`` to ``filepath`` (atomically, replacing any existing file)."""
    write_atomically(filepath, lambda f: pickle.dump(x, f), binary=True)

