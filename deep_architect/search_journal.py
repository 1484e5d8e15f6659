"""The search loop's journal: what exactly-once recovery needs, at a flat cost per evaluation.

:func:`deep_architect.search_loop.run_search` keeps the journal in
``search_data/search_loop/``:

* ``checkpoint.json``, replaced atomically: the loop state (evaluations sampled,
  those whose results the searcher has not received yet) and the searcher's
  state dict (:meth:`~deep_architect.searchers.base.Searcher.get_state`), plus
  the name of the event log that continues it;
* ``events-<k>.jsonl``, append-only: one line per sample (its evaluation id,
  value list and token) and one per result given to the searcher (its
  evaluation id; the result itself is the evaluation's ``results.json``).

Appending a line costs the same at the first evaluation as at the ten
thousandth, whereas rewriting the searcher state (an MCTS tree, an SMBO
surrogate's observations) grows with the search. So a checkpoint is written
only once the time since the previous one is several times what that one took
(and after a minimum number of events): checkpoints then cost a bounded
fraction of the loop's time, and recovery replays a bounded number of events.

Recovery restores the checkpoint, then replays the events in order: a sample
event calls ``searcher.sample()`` again (a searcher with its own generator
draws the same architecture; in any case the logged value list and token stay
the evaluation's), a result event calls ``searcher.update`` with the logged
result. Searchers written for the original library that keep their state in
files (``save_state(folderpath)`` overridden) are saved into a folder named in
the checkpoint; searchers whose ``save_state`` raises ``NotImplementedError``
are rebuilt by giving them every logged result.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check
from deep_architect.searchers.base import Searcher

try:
    import fcntl
except ImportError:  # Windows: no protection against two concurrent runs
    fcntl = None

__all__ = ["Journal", "uses_state_dict"]

FOLDERNAME = "search_loop"
_CHECKPOINT_FILENAME = "checkpoint.json"
_LOCK_FILENAME = "lock"
_EVENTS_PREFIX = "events-"
_FOLDER_PREFIX = "searcher-"

#: A checkpoint waits until this many times its predecessor's duration has passed.
CHECKPOINT_TIME_RATIO = 20.0
#: ...and until at least this many events were appended since the previous one.
MIN_EVENTS_PER_CHECKPOINT = 32

# How the searcher's state is kept (the checkpoint's "searcher_mode").
DICT, FOLDER, REPLAY = "dict", "folder", "replay"


def uses_state_dict(searcher: Any) -> bool:
    """Whether the searcher's whole state goes through ``get_state``/``set_state``.

    True for :class:`~deep_architect.searchers.base.Searcher` subclasses that
    do not override ``save_state``/``load_state`` (those written for the
    original library keep their state in files of their own).
    """
    cls = type(searcher)
    return (isinstance(searcher, Searcher) and cls.save_state is Searcher.save_state
            and cls.load_state is Searcher.load_state)


def _event_line(event: dict[str, Any]) -> bytes:
    try:
        text = json.dumps(event, default=ut.to_json_compatible)  # the C encoder: no indent
    except (TypeError, ValueError) as e:
        raise DeepArchitectError(
            f"cannot write the search journal: the searcher's value lists and tokens must be "
            f"JSON serialisable ({e})") from e
    return (text + "\n").encode()


class Journal:
    """Checkpoint plus event log of one search folder (see the module documentation).

    Args:
        search_data_folderpath: The search's ``search_data`` folder.

    Raises:
        DeepArchitectError: If another live process holds the folder.
    """

    def __init__(self, search_data_folderpath: str) -> None:
        self.folderpath = os.path.join(search_data_folderpath, FOLDERNAME)
        self.checkpoint_filepath = os.path.join(self.folderpath, _CHECKPOINT_FILENAME)
        os.makedirs(self.folderpath, exist_ok=True)
        self._lock_file = open(os.path.join(self.folderpath, _LOCK_FILENAME), "a")
        if fcntl is not None:
            # The OS drops the lock when the process dies, even by SIGKILL, so a
            # rerun after a crash is never locked out; a second live run is.
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                self._lock_file.close()
                raise DeepArchitectError(
                    f"another process is running a search in {self.folderpath!r}") from e
        self._number = 0
        self._events_fd: int | None = None
        self._num_events = 0
        self._last_duration = 0.0
        self._last_end = time.monotonic()
        self.searcher_mode = DICT
        #: Fingerprint of the search space and searcher type, kept in every checkpoint.
        self.fingerprint: str | None = None

    def close(self) -> None:
        """Releases the folder for other runs."""
        if self._events_fd is not None:
            os.close(self._events_fd)
            self._events_fd = None
        self._lock_file.close()

    # ------------------------------------------------------------------ reading

    def load(self, searcher: Any, fingerprint: str
             ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """Restores the searcher from the checkpoint.

        Args:
            searcher: The searcher to restore.
            fingerprint: Of the search space and searcher type of this run.

        Returns:
            ``None`` for a new search, else the checkpoint's loop state and the
            events appended after it, in order.

        Raises:
            DeepArchitectError: If the checkpoint is malformed, or belongs to a
                different search space or searcher type.
        """
        self.fingerprint = fingerprint
        if not os.path.exists(self.checkpoint_filepath):
            return None
        checkpoint = ut.read_jsonfile(self.checkpoint_filepath)
        check(isinstance(checkpoint, dict) and isinstance(checkpoint.get("loop_state"), dict)
              and (checkpoint.get("current") in ("searcher-a", "searcher-b")
                   or checkpoint.get("searcher_mode") in (DICT, FOLDER, REPLAY)),
              f"run_search: the journal {self.checkpoint_filepath!r} is malformed; refusing to "
              "resume from it (use another search_name or delete the search folder)")
        stored = checkpoint.get("fingerprint")
        check(stored is None or stored == fingerprint,
              f"run_search: the search folder {os.path.dirname(os.path.dirname(self.folderpath))!r}"
              f" was made with a different search space or searcher type "
              f"({type(searcher).__name__} now); resuming would mix two searches. Choose: "
              "resume=False (keep the old folder aside and start anew), a fresh search_name, "
              "or overwrite=True (delete the old search)")
        if "current" in checkpoint:  # the journal of earlier versions: a folder per state
            loop_state = checkpoint["loop_state"]
            self.searcher_mode = FOLDER if loop_state.pop("searcher_state_saved") else REPLAY
            checkpoint = {"loop_state": loop_state, "searcher_mode": self.searcher_mode,
                          "searcher_folder": checkpoint["current"], "number": 0}
        self._number = checkpoint["number"]
        self.searcher_mode = checkpoint["searcher_mode"]
        if self.searcher_mode == DICT:
            searcher.set_state(checkpoint["searcher_state"])
        elif self.searcher_mode == FOLDER:
            searcher.load_state(os.path.join(self.folderpath, checkpoint["searcher_folder"]))
        events = self._read_events(checkpoint.get("events"))
        return checkpoint["loop_state"], events

    def _read_events(self, name: str | None) -> list[dict[str, Any]]:
        if name is None or not os.path.exists(os.path.join(self.folderpath, name)):
            return []
        with open(os.path.join(self.folderpath, name), "rb") as f:
            lines = f.read().split(b"\n")
        events = []
        for i, line in enumerate(lines):
            try:
                events.append(json.loads(line))
            except ValueError:
                # Only the last line can be cut short, by a kill in mid-append.
                if i < len(lines) - 1:
                    raise DeepArchitectError(
                        f"the search journal {name!r} in {self.folderpath!r} has a corrupt "
                        f"line {i + 1}; it was edited or damaged") from None
        return events

    # ------------------------------------------------------------------ writing

    def checkpoint(self, searcher: Any, loop_state: dict[str, Any]) -> None:
        """Writes a checkpoint of the searcher and the loop, with a new, empty event log."""
        start = time.monotonic()
        number = self._number + 1
        checkpoint: dict[str, Any] = {"number": number, "loop_state": loop_state,
                                      "events": f"{_EVENTS_PREFIX}{number}.jsonl",
                                      "fingerprint": self.fingerprint}
        self.searcher_mode = self._save_searcher(searcher, checkpoint, number)
        checkpoint["searcher_mode"] = self.searcher_mode
        events_fd = os.open(os.path.join(self.folderpath, checkpoint["events"]),
                            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o666)
        # One atomic replacement commits the loop state, the searcher state and
        # the new event log together; what the old ones held is in the new state.
        try:
            ut.write_jsonfile(checkpoint, self.checkpoint_filepath, indent=None)
        except BaseException:
            os.close(events_fd)
            raise
        if self._events_fd is not None:
            os.close(self._events_fd)
        self._events_fd, self._number, self._num_events = events_fd, number, 0
        self._remove_stale(checkpoint)
        self._last_end = time.monotonic()
        self._last_duration = self._last_end - start

    def _save_searcher(self, searcher: Any, checkpoint: dict[str, Any], number: int) -> str:
        if uses_state_dict(searcher):
            try:
                checkpoint["searcher_state"] = searcher.get_state()
                return DICT
            except NotImplementedError:
                return REPLAY
        folder = f"{_FOLDER_PREFIX}{number}"
        os.makedirs(os.path.join(self.folderpath, folder), exist_ok=True)
        try:
            searcher.save_state(os.path.join(self.folderpath, folder))
        except NotImplementedError:
            return REPLAY
        checkpoint["searcher_folder"] = folder
        return FOLDER

    def _remove_stale(self, checkpoint: dict[str, Any]) -> None:
        # Event logs and searcher folders of earlier checkpoints (also those
        # left by a kill between a commit and this clean-up).
        keep = {checkpoint["events"], checkpoint.get("searcher_folder"), _LOCK_FILENAME,
                _CHECKPOINT_FILENAME}
        for name in os.listdir(self.folderpath):
            if name in keep:
                continue
            path = os.path.join(self.folderpath, name)
            if name.startswith(_EVENTS_PREFIX):
                os.remove(path)
            elif name.startswith(_FOLDER_PREFIX) or name in ("searcher-a", "searcher-b"):
                ut.delete_folder(path, abort_if_nonempty=False, abort_if_notexists=False)

    def record(self, event: dict[str, Any]) -> None:
        """Appends one event (one ``write`` call, so a kill leaves at most a cut last line)."""
        os.write(self._events_fd, _event_line(event))
        self._num_events += 1

    def checkpoint_due(self) -> bool:
        """Whether enough events and time have passed for the next checkpoint to be cheap."""
        return (self._num_events >= MIN_EVENTS_PER_CHECKPOINT and
                time.monotonic() - self._last_end >= CHECKPOINT_TIME_RATIO * self._last_duration)
