"""Master-worker communication through lock-protected files on a shared file system.

Every process of the search constructs a :class:`FileCommunicator` with the
same folder; the first one to start becomes the master (rank 0). The master
puts one architecture at a time into the shared mailbox ``worker_queue``; any
idle worker takes it. Each worker answers in its own mailbox
``worker_results_<rank>``. All mailboxes are files handled by
:mod:`deep_architect.contrib.communicators.file_utils`.

The folder remembers how many processes joined, so a new search needs a new
or cleaned folder: call :meth:`FileCommunicator.reset` before launching the
processes (the original offered no way to do this).

Messages are JSON objects with a ``"type"`` key (the original pickled tuples,
which let anyone able to write the folder run code in the master)::

    {"type": "architecture", "hyperp_value_lst": [...], "evaluation_id": 3,
     "searcher_eval_token": {...}}
    {"type": "kill"}
    {"type": "results", "results": {...}, "evaluation_id": 3, "searcher_eval_token": {...}}
    {"type": "done"}

Every message read is checked against this schema; anything else raises
:class:`~deep_architect.errors.DeepArchitectError` naming the mailbox. Value
lists, tokens and results must therefore be JSON-serialisable (they are
logged as JSON anyway).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import Any

from deep_architect.contrib.communicators import file_utils
from deep_architect.contrib.communicators.communicator import (
    ArchitectureMessage,
    Communicator,
    ResultsMessage,
)
from deep_architect.errors import check

_INIT_FILENAME = "init"

# Required keys and their checks, per message type.
_SCHEMAS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "architecture": {
        "hyperp_value_lst": lambda x: isinstance(x, list),
        "evaluation_id": lambda x: isinstance(x, int) and not isinstance(x, bool) and x >= 0,
        "searcher_eval_token": lambda x: isinstance(x, dict),
    },
    "results": {
        "results": lambda x: isinstance(x, dict),
        "evaluation_id": lambda x: isinstance(x, int) and not isinstance(x, bool) and x >= 0,
        "searcher_eval_token": lambda x: isinstance(x, dict),
    },
    "kill": {},
    "done": {},
}


def _checked_message(message: Any, expected_types: tuple[str, ...], filepath: str) -> Any:
    """Returns ``message`` if it follows the schema of one of ``expected_types``."""
    if message is None:
        return None
    kind = message.get("type") if isinstance(message, dict) else None
    check(kind in expected_types,
          f"FileCommunicator: mailbox {filepath!r} holds {message!r}; expected a JSON object "
          f"whose 'type' is one of {list(expected_types)}")
    schema = _SCHEMAS[kind]
    check(set(message) == set(schema) | {"type"}
          and all(is_valid(message[key]) for key, is_valid in schema.items()),
          f"FileCommunicator: malformed {kind!r} message in mailbox {filepath!r}: {message!r}; "
          f"expected exactly the keys {sorted(schema)} (evaluation_id a non-negative int, "
          "hyperp_value_lst a list, results and searcher_eval_token objects)")
    return message


class FileCommunicator(Communicator):
    """Communicator for processes that share a folder.

    Args:
        num_procs: Total number of processes (the master and the workers).
        dirname: Folder of the mailboxes, created if missing.
        worker_queue_file: Name of the shared architecture mailbox.
        worker_results_prefix: Prefix of the per-worker results mailboxes.

    Raises:
        DeepArchitectError: If ``num_procs`` processes already joined the folder.
    """

    acknowledges_stop = True

    def __init__(self, num_procs: int, dirname: str = "file_comm",
                 worker_queue_file: str = "worker_queue",
                 worker_results_prefix: str = "worker_results_") -> None:
        check(isinstance(num_procs, int) and num_procs >= 2,
              f"FileCommunicator: num_procs must be an int >= 2, got {num_procs!r}")
        os.makedirs(dirname, exist_ok=True)
        rank = self._claim_rank(os.path.join(dirname, _INIT_FILENAME), num_procs)
        Communicator.__init__(self, num_procs - 1, rank)
        self.dirname = dirname
        self.worker_queue_file = os.path.join(dirname, worker_queue_file)
        self.worker_results_prefix = os.path.join(dirname, worker_results_prefix)
        self.done = False

    @staticmethod
    def _claim_rank(init_filepath: str, num_procs: int) -> int:
        # The counter in the init file is the number of processes that joined.
        with file_utils.locked_file(init_filepath) as fh:
            fh.seek(0)
            content = fh.read().strip()
            rank = int(content) if content else 0
            check(rank < num_procs,
                  f"FileCommunicator: {num_procs} processes already joined "
                  f"{os.path.dirname(init_filepath)!r}; call FileCommunicator.reset on it "
                  "before starting a new search")
            file_utils.clear_file(fh)
            fh.write(str(rank + 1).encode())
        return rank

    @staticmethod
    def reset(dirname: str = "file_comm") -> None:
        """Deletes the mailbox folder of a previous search (no error if missing).

        Args:
            dirname: Folder given to the communicators.
        """
        shutil.rmtree(dirname, ignore_errors=True)

    def _results_file(self, rank: int) -> str:
        return f"{self.worker_results_prefix}{rank}"

    def _publish_results_to_master(self, results: dict[str, Any], evaluation_id: int,
                                   searcher_eval_token: dict[str, Any]) -> None:
        file_utils.write_file(self._results_file(self.rank), {
            "type": "results", "results": results, "evaluation_id": evaluation_id,
            "searcher_eval_token": searcher_eval_token})

    def _receive_architecture_in_worker(self) -> ArchitectureMessage | None:
        while not self.done:
            message = _checked_message(file_utils.consume_file(self.worker_queue_file),
                                       ("architecture", "kill"), self.worker_queue_file)
            if message is None:
                time.sleep(file_utils.POLL_INTERVAL_IN_SECONDS)
                continue
            if message["type"] == "kill":
                file_utils.write_file(self._results_file(self.rank), {"type": "done"})
                self.done = True
                break
            return (message["hyperp_value_lst"], message["evaluation_id"],
                    message["searcher_eval_token"])
        return None

    def _is_ready_to_publish_architecture(self) -> bool:
        return file_utils.read_file(self.worker_queue_file) is None

    def _publish_architecture_to_worker(self, vs: list[Any], current_evaluation_id: int,
                                        searcher_eval_token: dict[str, Any]) -> None:
        file_utils.write_file(self.worker_queue_file, {
            "type": "architecture", "hyperp_value_lst": list(vs),
            "evaluation_id": current_evaluation_id, "searcher_eval_token": searcher_eval_token})

    def _receive_results_in_master(self, src: int) -> ResultsMessage | None:
        filepath = self._results_file(src + 1)
        message = _checked_message(file_utils.consume_file(filepath), ("results", "done"),
                                   filepath)
        if message is None:
            return None
        if message["type"] == "done":
            self.finished += 1
            return None
        return message["results"], message["evaluation_id"], message["searcher_eval_token"]

    def _kill_worker(self) -> None:
        file_utils.write_file(self.worker_queue_file, {"type": "kill"})
