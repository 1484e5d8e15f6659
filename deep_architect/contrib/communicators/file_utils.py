"""One-item mailboxes in files, shared by processes through exclusive file locks.

Each file holds at most one pickled object. A file is *empty* when it has no
bytes or holds a pickled ``None``. Every operation locks the file exclusively
(with ``portalocker``, imported when first needed), so readers never see a
half-written object and two writers never both fill the same mailbox.

Example:
    >>> import os, tempfile
    >>> mailbox = os.path.join(tempfile.mkdtemp(), "box")
    >>> write_file(mailbox, ("vs", 3))
    >>> read_file(mailbox)
    ('vs', 3)
    >>> consume_file(mailbox)
    ('vs', 3)
    >>> consume_file(mailbox) is None
    True
"""

from __future__ import annotations

import contextlib
import pickle
import time
from typing import IO, Any, Iterator

from deep_architect.errors import DeepArchitectError

#: Seconds between two attempts of :func:`write_file` to find its mailbox empty.
POLL_INTERVAL_IN_SECONDS = 0.002
_EMPTY = pickle.dumps(None)


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
        if not data or data == _EMPTY:
            return None
        _replace_content(fh, _EMPTY)
        return pickle.loads(data)


def read_file(filename: str) -> Any:
    """Returns the object in a mailbox without taking it out.

    Args:
        filename: Path of the mailbox file (created if missing).

    Returns:
        The stored object, or ``None`` if the mailbox is empty.
    """
    with locked_file(filename) as fh:
        data = _content(fh)
        return pickle.loads(data) if data else None


def write_file(filename: str, obj: Any) -> None:
    """Waits until a mailbox is empty, then stores ``obj`` in it.

    Args:
        filename: Path of the mailbox file (created if missing).
        obj: Picklable object other than ``None`` (which means "empty").
    """
    data = pickle.dumps(obj)
    while True:
        with locked_file(filename) as fh:
            current = _content(fh)
            if not current or current == _EMPTY:
                _replace_content(fh, data)
                return
        # Sleeping between attempts keeps waiting writers from spinning a core.
        time.sleep(POLL_INTERVAL_IN_SECONDS)
