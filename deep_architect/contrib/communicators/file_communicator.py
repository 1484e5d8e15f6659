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
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any, Dict, List, Optional

from deep_architect.contrib.communicators import file_utils
from deep_architect.contrib.communicators.communicator import (
    ArchitectureMessage,
    Communicator,
    ResultsMessage,
)
from deep_architect.errors import check

_INIT_FILENAME = "init"
_DONE = "done"


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

    def _publish_results_to_master(self, results: Dict[str, Any], evaluation_id: int,
                                   searcher_eval_token: Dict[str, Any]) -> None:
        file_utils.write_file(self._results_file(self.rank),
                              (results, evaluation_id, searcher_eval_token))

    def _receive_architecture_in_worker(self) -> Optional[ArchitectureMessage]:
        while not self.done:
            message = file_utils.consume_file(self.worker_queue_file)
            if message is None:
                time.sleep(file_utils.POLL_INTERVAL_IN_SECONDS)
                continue
            vs, evaluation_id, searcher_eval_token, kill = message
            if kill:
                file_utils.write_file(self._results_file(self.rank), _DONE)
                self.done = True
                break
            return vs, evaluation_id, searcher_eval_token
        return None

    def _is_ready_to_publish_architecture(self) -> bool:
        return file_utils.read_file(self.worker_queue_file) is None

    def _publish_architecture_to_worker(self, vs: List[Any], current_evaluation_id: int,
                                        searcher_eval_token: Dict[str, Any]) -> None:
        file_utils.write_file(self.worker_queue_file,
                              (vs, current_evaluation_id, searcher_eval_token, False))

    def _receive_results_in_master(self, src: int) -> Optional[ResultsMessage]:
        message = file_utils.consume_file(self._results_file(src + 1))
        if message == _DONE:
            self.finished += 1
            return None
        return message

    def _kill_worker(self) -> None:
        file_utils.write_file(self.worker_queue_file, (0, 0, 0, True))
