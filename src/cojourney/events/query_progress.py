"""How far a long DuckDB statement is, reported while it runs (one poller for every caller).

DuckDB tracks a statement's progress only while its progress bar is enabled;
:class:`QueryProgress` enables it (without printing), and a thread polls
``query_progress()`` and hands each fraction (0..1) to a callback. The event store's
imports and the DuckDB analytics engine both use it, with their own callbacks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = ["QueryProgress"]

log = logging.getLogger(__name__)

#: The session settings that make DuckDB track progress silently, and reset afterwards.
PROGRESS_SETTINGS: Final = (
    "enable_progress_bar = true",
    "enable_progress_bar_print = false",
    "progress_bar_time = 0",
)


class QueryProgress:
    """While the block runs, call ``report`` with the running statement's progress (0..1).

    Parameters
    ----------
    con
        The connection whose statements are watched.
    report
        Called from a polling thread with a fraction in 0..1; ``None`` does nothing
        (no thread, no setting changed).
    interval
        Seconds between two polls.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        report: Callable[[float], None] | None,
        interval: float = 0.1,
    ) -> None:
        self.con, self.report, self.interval = con, report, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> QueryProgress:
        if self.report is not None:
            for setting in PROGRESS_SETTINGS:
                self.con.execute(f"SET {setting}")
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import duckdb

        self._stop.set()
        if self._thread is None:
            return
        self._thread.join()
        for setting in PROGRESS_SETTINGS:
            try:  # inside a transaction aborted by the statement, the rollback resets them
                self.con.execute(f"RESET {setting.split(' = ')[0]}")
            except duckdb.Error:
                log.debug("progress setting not reset: %s", setting, exc_info=True)

    def _poll(self) -> None:
        assert self.report is not None
        while not self._stop.wait(self.interval):
            try:
                percent = self.con.query_progress()
            except Exception:
                return
            if percent is not None and percent >= 0:
                self.report(min(percent, 100.0) / 100)
