"""Files: JSON (one atomic writer, one NumPy-aware encoder), text and pickle.

Every JSON file the library writes goes through :func:`write_jsonfile`, so a
reader or a crash never sees a half-written file, and NumPy scalars and arrays
in the data are written as plain numbers and lists by :func:`to_json_compatible`.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
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


def _write_atomically(
    filepath: str, write_fn: Callable[[IO], None], binary: bool = False, exclusive: bool = False
) -> None:
    # Writing to a temporary file in the same folder and renaming it over the
    # destination means a reader (or a crash) never sees a half-written file.
    # The temporary name starts with a dot: folder listings skip it.
    folderpath = os.path.dirname(os.path.abspath(filepath))
    fd, tmp_filepath = tempfile.mkstemp(
        dir=folderpath, prefix="." + os.path.basename(filepath) + ".", suffix=".tmp"
    )
    try:
        # No fsync: files must survive the process dying (they do, once
        # renamed), not a power cut; fsync would slow every write on ordinary disks.
        with os.fdopen(fd, "wb" if binary else "w") as f:
            write_fn(f)
        if exclusive:
            _link_exclusively(tmp_filepath, filepath)
        else:
            os.replace(tmp_filepath, filepath)
    finally:
        if os.path.exists(tmp_filepath):
            os.remove(tmp_filepath)


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

    Raises:
        DeepArchitectError: If ``d`` is not JSON-serialisable (nothing is
            written), or ``exclusive`` and the file exists; the message names the file.
    """
    try:
        text = json.dumps(d, indent=indent, sort_keys=sort_keys, default=to_json_compatible)
    except (TypeError, ValueError) as e:
        raise DeepArchitectError(f"cannot write {filepath!r}: not JSON serialisable ({e})") from e
    if exclusive and os.path.exists(filepath):
        raise DeepArchitectError(f"{filepath!r} already exists; it is written only once")
    _write_atomically(filepath, lambda f: f.write(text), exclusive=exclusive)


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
        _write_atomically(filepath, write_lines)


def read_picklefile(filepath: str) -> Any:
    """Loads a pickled object from ``filepath``."""
    with open(filepath, "rb") as f:
        return pickle.load(f)


def write_picklefile(x: Any, filepath: str) -> None:
    """Pickles ``x`` to ``filepath`` (atomically, replacing any existing file)."""
    _write_atomically(filepath, lambda f: pickle.dump(x, f), binary=True)

