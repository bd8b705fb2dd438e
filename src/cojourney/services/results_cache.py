"""Results of analyses kept per data version, and computed off the request thread.

A result is kept under ``(analysis, parameters, data version)``. The *data version*
(:func:`data_version`) is cheap to read: the size and modification time of the event
store's files (``events.duckdb`` and its write-ahead log) and of the workspace's YAML
files. An import, a deleted import or an ingested batch writes the store, an edit
writes the YAML, and either changes the version, so the next request computes afresh;
results of older versions are dropped.

:class:`ResultsCache` also runs computations in a worker thread (:meth:`ResultsCache.start`)
so a web page can show a placeholder and poll instead of waiting on a long analysis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from cojourney.services.handle import WorkspaceRef, _fingerprint, as_handle

__all__ = ["DataVersion", "Job", "ResultsCache", "data_version"]

log = logging.getLogger(__name__)

DataVersion = tuple[Any, ...]
CacheKey = tuple[str, Hashable, DataVersion]


def data_version(workspace: WorkspaceRef) -> DataVersion:
    """A stamp that changes whenever the events or the model of ``workspace`` change.

    The size and modification time (ns) of the event store file, its write-ahead log,
    and every YAML file of the workspace; nothing is opened.
    """
    from cojourney.spec.loader import workspace_files

    handle = as_handle(workspace)
    store = handle.events_path
    wal = store.with_name(store.name + ".wal")
    return (_fingerprint([store, wal]), _fingerprint(workspace_files(handle.root)))


@dataclass
class Job:
    """One computation: running, then done (``result``) or failed (``error``)."""

    key: CacheKey
    started: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    @property
    def elapsed(self) -> float:
        """Seconds since the computation started."""
        return time.monotonic() - self.started


class ResultsCache:
    """Results per ``(analysis, parameters, data version)``, at most ``max_entries``.

    Parameters
    ----------
    max_entries
        Results kept; the least recently used goes first.

    Examples
    --------
    >>> cache = ResultsCache()
    >>> cache.get("demo", ("a",), ("v1",), lambda: 41 + 1)
    42
    >>> cache.hits, cache.misses
    (0, 1)
    >>> cache.get("demo", ("a",), ("v1",), lambda: 0)
    42
    """

    def __init__(self, max_entries: int = 128) -> None:
        self.max_entries = max_entries
        self._results: OrderedDict[CacheKey, Any] = OrderedDict()
        self._jobs: dict[CacheKey, Job] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._results)

    def cached(self, analysis: str, params: Hashable, version: DataVersion) -> tuple[bool, Any]:
        """``(True, result)`` when the result is kept, else ``(False, None)``."""
        key = (analysis, params, version)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                return True, self._results[key]
        return False, None

    def get(
        self, analysis: str, params: Hashable, version: DataVersion, compute: Callable[[], Any]
    ) -> Any:
        """The kept result, else ``compute()`` (kept when it returns; errors are not kept)."""
        found, value = self.cached(analysis, params, version)
        if found:
            return value
        job = self.start(analysis, params, version, compute, thread=False)
        if job.error is not None:
            raise job.error
        return job.result

    def start(
        self,
        analysis: str,
        params: Hashable,
        version: DataVersion,
        compute: Callable[[], Any],
        *,
        thread: bool = True,
    ) -> Job:
        """The job computing the result: done at once when kept, else started (once).

        With ``thread`` the computation runs in a daemon thread and the job is returned
        at once; a second call for the same key returns the same running job.
        """
        key: CacheKey = (analysis, params, version)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                job = Job(key, result=self._results[key])
                job.finished.set()
                return job
            running = self._jobs.get(key)
            if running is not None and not (running.done and running.error is not None):
                return running  # a failed job is tried again
            self.misses += 1
            job = Job(key)
            self._jobs[key] = job
        if thread:
            threading.Thread(
                target=self._run, args=(job, compute), name="cojourney-analysis", daemon=True
            ).start()
        else:
            self._run(job, compute)
        return job

    def job(self, analysis: str, params: Hashable, version: DataVersion) -> Job | None:
        """The running or finished job of a key, if one was started and not yet collected."""
        key = (analysis, params, version)
        with self._lock:
            if key in self._results:
                job = Job(key, result=self._results[key])
                job.finished.set()
                return job
            return self._jobs.get(key)

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._results.clear()

    def _run(self, job: Job, compute: Callable[[], Any]) -> None:
        try:
            job.result = compute()
        except BaseException as error:  # kept on the job, raised to whoever asks
            job.error = error
            if not isinstance(error, Exception):
                raise
        finally:
            with self._lock:
                if job.error is None:
                    version = job.key[2]
                    for old in [k for k in self._results if k[2] != version]:
                        del self._results[old]  # an older data version is never asked again
                    self._results[job.key] = job.result
                    while len(self._results) > self.max_entries:
                        self._results.popitem(last=False)
                    self._jobs.pop(job.key, None)
            job.finished.set()
            log.debug("computed %s in %.3f s", job.key[0], job.elapsed)
