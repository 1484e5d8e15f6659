"""One-item mailboxes in files, shared by processes through exclusive file locks.

Each file holds at most one JSON document. A file is *empty* when it has no
bytes or holds ``null``. Every operation locks the file exclusively
(with ``portalocker``, imported when first needed), so readers never see a
half-written object and two writers never both fill the same mailbox.

The mailboxes hold JSON, never pickles: anyone who can write the shared
folder could otherwise run code in every process that reads it. Tuples come
back as lists, and NumPy scalars and arrays are written as numbers and lists.
A file that is not valid JSON raises
:class:`~deep_architect.errors.DeepArchitectError` naming it.

Example:
    >>> import os, tempfile
    >>> mailbox = os.path.join(tempfile.mkdtemp(), "box")
    >>> write_file(mailbox, ("vs", 3))
    >>> read_file(mailbox)
    ['vs', 3]
    >>> consume_file(mailbox)
    ['vs', 3]
    >>> consume_file(mailbox) is None
    True
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import IO, Any

import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError

#: Seconds between two attempts of :func:`write_file` to find its mailbox empty.
POLL_INTERVAL_IN_SECONDS = 0.002
_EMPTY = b"null"


def _portalocker() -> Any:
    try:
        import portalocker
    except ImportError as e:
        raise DeepArchitectError(
            "the file communicator needs the 'portalocker' package: "
            "pip install 'deep_architect[filecomm]'"
        ) from e
    return portalocker


@contextlib.contextmanager
def locked_file(filename: str) -> Iterator[IO[bytes]]:
    """Opens ``filename`` (created if missing) and holds an exclusive lock on it.

    Args:
        filename: Path of the file.

    Yields:
        The file object, opened in append+read binary mode.
    """
    portalocker = _portalocker()
    # Append+read mode creates a missing file and never truncates an existing one.
    with open(filename, "a+b") as fh:
        portalocker.lock(fh, portalocker.LOCK_EX)
        try:
            yield fh
        finally:
            # Written bytes reach the file before another process may read it:
            # otherwise it could see a truncated, empty file (two processes
            # then claimed rank 0 of a file communicator).
            fh.flush()
            portalocker.unlock(fh)


def _content(fh: IO[bytes]) -> bytes:
    fh.seek(0)
    return fh.read()


def clear_file(fh: IO[bytes]) -> None:
    """Empties an open (and locked) mailbox file.

    Args:
        fh: File object opened in a binary read-write mode.
    """
    fh.seek(0)
    fh.truncate()


def _replace_content(fh: IO[bytes], data: bytes) -> None:
    clear_file(fh)
    fh.write(data)
    fh.flush()


def _is_empty(data: bytes) -> bool:
    return not data or data == _EMPTY


def _decode(data: bytes, filename: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise DeepArchitectError(
            f"mailbox {filename!r} does not hold a JSON message ({e}); "
            "was it written by another program or an older, pickling version?") from e


def consume_file(filename: str) -> Any:
    """Takes the object out of a mailbox.

    Args:
        filename: Path of the mailbox file (created if missing).

    Returns:
        The stored object, or ``None`` if the mailbox was empty; the mailbox is
        empty afterwards.
    """
    with locked_file(filename) as fh:
        data = _content(fh)
        if _is_empty(data):
            return None
        _replace_content(fh, _EMPTY)
        return _decode(data, filename)


def read_file(filename: str) -> Any:
    """Returns the object in a mailbox without taking it out.

    Args:
        filename: Path of the mailbox file (created if missing).

    Returns:
        The stored object, or ``None`` if the mailbox is empty.
    """
    with locked_file(filename) as fh:
        data = _content(fh)
        return None if _is_empty(data) else _decode(data, filename)


def write_file(filename: str, obj: Any) -> None:
    """Waits until a mailbox is empty, then stores ``obj`` in it.

    Args:
        filename: Path of the mailbox file (created if missing).
        obj: JSON-serialisable object other than ``None`` (which means "empty").

    Raises:
        DeepArchitectError: If ``obj`` cannot be written as JSON.
    """
    try:
        data = json.dumps(obj, default=ut.to_json_compatible).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise DeepArchitectError(
            f"write_file: the message for mailbox {filename!r} is not JSON-serialisable ({e})"
        ) from e
    while True:
        with locked_file(filename) as fh:
            if _is_empty(_content(fh)):
                _replace_content(fh, data)
                return
        # Sleeping between attempts keeps waiting writers from spinning a core.
        time.sleep(POLL_INTERVAL_IN_SECONDS)
