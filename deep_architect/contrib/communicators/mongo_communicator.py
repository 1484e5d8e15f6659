"""A topic-based work queue on MongoDB, for searches whose workers come and go.

Not a :class:`~deep_architect.contrib.communicators.communicator.Communicator`:
producers :meth:`~MongoCommunicator.publish` documents on a topic (a
collection of the ``deep-architect`` database) and consumers
:meth:`~MongoCommunicator.subscribe` a callback that receives one claimed
document at a time and must call :meth:`~MongoCommunicator.finish_processing`.
A claimed job whose consumer stops refreshing it is returned to the queue by
the optional data refresher. ``pymongo`` is imported when a communicator is
created; everything else in the library works without it.

Differences from the original: the refresh loops run in daemon threads rather
than processes (MongoDB clients must not be shared across a fork), and the
subscription loop is stopped cleanly by :meth:`~MongoCommunicator.unsubscribe`.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

from deep_architect.errors import DeepArchitectError, check

#: Document field: when a consumer claimed the job (``None`` while queued).
STARTTIME_KEY = "startTime"
#: Document field: when the job finished successfully.
ENDTIME_KEY = "endTime"
#: Document field: last time the consumer said it was still working.
REFRESH_KEY = "last_refreshed"
#: Document field: seconds worked on the job, summed over claims.
TIME_WORKED_KEY = "totalTime"
#: Document field: the payload.
DATA_KEY = "data"
#: Seconds a subscription sleeps when there is no job or it is busy.
IDLE_SLEEP_IN_SECONDS = 10
_DATABASE_NAME = "deep-architect"


def _import_pymongo() -> Any:
    try:
        import pymongo
    except ImportError as e:
        raise DeepArchitectError(
            "MongoCommunicator needs the 'pymongo' package: pip install pymongo"
        ) from e
    return pymongo


def _check_key(key: Any) -> None:
    check(isinstance(key, str), f"MongoCommunicator: key must be a str, got {key!r}")


class MongoCommunicator:
    """Publishes and consumes jobs stored in MongoDB collections.

    Args:
        host: MongoDB host.
        port: MongoDB port.
        refresh_period: Seconds between two refreshes of a claimed job.
        data_refresher: Whether this communicator also requeues stale jobs
            (claimed, unfinished, not refreshed for ``refresh_period + 10`` s).
        poll_interval: Seconds a subscription waits when there is no job.
        client: A ready ``pymongo.MongoClient`` (or an object with its
            interface) to use instead of connecting to ``host:port``.

    Raises:
        DeepArchitectError: If ``pymongo`` is not installed.
    """

    def __init__(self, host: str = "localhost", port: int = 27017, refresh_period: float = 30,
                 data_refresher: bool = False, poll_interval: float = IDLE_SLEEP_IN_SECONDS,
                 client: Any = None) -> None:
        if client is None:
            client = _import_pymongo().MongoClient(host, port)
        self.client = client
        self.db = self.client[_DATABASE_NAME]
        self.refresh_period = refresh_period
        self.poll_interval = poll_interval
        self._subscriptions: dict[str, threading.Event] = {}
        self._job_finished: dict[str, threading.Event] = {}
        self._stop = threading.Event()
        if data_refresher:
            threading.Thread(target=self._requeue_stale_jobs, daemon=True).start()

    def _now(self) -> datetime.datetime:
        # The server's clock, so that machines with skewed clocks agree.
        return self.db.command("isMaster")["localTime"]

    def publish(self, topic: str, data: Any) -> None:
        """Queues ``data`` on ``topic``.

        Args:
            topic: Collection name.
            data: BSON-serialisable payload.
        """
        self.db[topic].insert_one({DATA_KEY: data, STARTTIME_KEY: None, ENDTIME_KEY: None})

    def subscribe(self, subscription: str, callback: Callable[[dict[str, Any]], None]) -> None:
        """Processes the jobs of ``subscription`` one at a time in a background thread.

        Args:
            subscription: Collection name.
            callback: Called with each claimed document; the job counts as in
                progress until :meth:`finish_processing` is called for it.

        Raises:
            RuntimeError: If this communicator already subscribed to it.
        """
        if subscription in self._subscriptions:
            raise RuntimeError(f"already subscribed to {subscription!r}")
        stop = threading.Event()
        finished = threading.Event()
        finished.set()
        self._subscriptions[subscription] = stop
        self._job_finished[subscription] = finished
        threading.Thread(target=self._consume, args=(subscription, callback, stop, finished),
                         daemon=True).start()

    def _consume(self, subscription: str, callback: Callable[[dict[str, Any]], None],
                 stop: threading.Event, finished: threading.Event) -> None:
        collection = self.db[subscription]
        while not stop.is_set():
            if not finished.is_set():
                stop.wait(self.poll_interval)
                continue
            document = self.claim(subscription)
            if document is None:
                stop.wait(self.poll_interval)
                continue
            finished.clear()
            threading.Thread(target=self._refresh_job,
                             args=(collection, document["_id"], finished), daemon=True).start()
            callback(document)

    def claim(self, topic: str) -> dict[str, Any] | None:
        """Atomically takes the oldest queued document of ``topic``, without waiting.

        The document counts as in progress until :meth:`finish_processing`;
        no other consumer can claim it meanwhile.

        Args:
            topic: Collection name.

        Returns:
            The claimed document (its payload under :data:`DATA_KEY`), or
            ``None`` if nothing is queued.
        """
        now = self._now()
        # return_document=True is pymongo's ReturnDocument.AFTER.
        return self.db[topic].find_one_and_update(
            {STARTTIME_KEY: None}, {"$set": {STARTTIME_KEY: now, REFRESH_KEY: now}},
            sort=[("_id", 1)], return_document=True)

    def _refresh_job(self, collection: Any, document_id: Any,
                     finished: threading.Event) -> None:
        while not finished.wait(self.refresh_period):
            collection.update_one({"_id": document_id, ENDTIME_KEY: None},
                                  {"$set": {REFRESH_KEY: self._now()}})

    def _requeue_stale_jobs(self) -> None:
        while not self._stop.wait(self.refresh_period):
            stale_before = self._now() - datetime.timedelta(seconds=self.refresh_period + 10)
            for name in self.db.list_collection_names():
                collection = self.db[name]
                query = {STARTTIME_KEY: {"$ne": None}, ENDTIME_KEY: None,
                         REFRESH_KEY: {"$lt": stale_before}}
                for document in collection.find(query):
                    self._return_to_queue(collection, document)

    def _return_to_queue(self, collection: Any, document: dict[str, Any]) -> None:
        worked = (document[REFRESH_KEY] - document[STARTTIME_KEY]).total_seconds()
        collection.update_one(
            {"_id": document["_id"]},
            {"$set": {STARTTIME_KEY: None, ENDTIME_KEY: None, REFRESH_KEY: None},
             "$inc": {TIME_WORKED_KEY: worked}})

    def finish_processing(self, subscription: str, data: dict[str, Any],
                          success: bool = True) -> None:
        """Marks the job in progress as done (or returns it to the queue on failure).

        Args:
            subscription: Collection name.
            data: The document given to the callback.
            success: Whether the job succeeded; failed jobs are queued again.
        """
        collection = self.db[subscription]
        if success:
            document = collection.find_one_and_update(
                {"_id": data["_id"]}, {"$set": {ENDTIME_KEY: self._now()}},
                return_document=True)
            if document is not None and document.get(REFRESH_KEY) is not None:
                worked = (document[REFRESH_KEY] - document[STARTTIME_KEY]).total_seconds()
                collection.update_one({"_id": data["_id"]}, {"$inc": {TIME_WORKED_KEY: worked}})
        else:
            collection.update_one(
                {"_id": data["_id"]},
                {"$set": {STARTTIME_KEY: None, ENDTIME_KEY: None, REFRESH_KEY: None}})
        if subscription in self._job_finished:
            self._job_finished[subscription].set()

    def unsubscribe(self, subscription: str) -> None:
        """Stops processing ``subscription`` after the current job.

        Args:
            subscription: Collection name.
        """
        stop = self._subscriptions.pop(subscription, None)
        if stop is not None:
            stop.set()
        self._job_finished.pop(subscription, None)

    def check_data_exists(self, subscription: str, key: str, value: Any) -> bool:
        """Whether a document of ``subscription`` has ``data[key] == value``."""
        _check_key(key)
        return self.db[subscription].find_one({f"{DATA_KEY}.{key}": value}) is not None

    def update(self, subscription: str, data: dict[str, Any], key: str, value: Any) -> None:
        """Sets ``data[key] = value`` on the document whose ``_id`` is ``data['_id']``."""
        _check_key(key)
        self.db[subscription].update_one({"_id": data["_id"]},
                                         {"$set": {f"{DATA_KEY}.{key}": value}})

    def get_value(self, subscription: str, key: str, value: Any) -> dict[str, Any] | None:
        """Returns a document of ``subscription`` with ``data[key] == value``, or ``None``."""
        _check_key(key)
        return self.db[subscription].find_one({f"{DATA_KEY}.{key}": value})

    def close(self) -> None:
        """Stops every subscription and the data refresher, and closes the client."""
        for subscription in list(self._subscriptions):
            self.unsubscribe(subscription)
        self._stop.set()
        self.client.close()
