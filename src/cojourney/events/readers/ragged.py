"""The rows of a tabular file read with its ragged CSV lines set aside, and their lines.

Importing a CSV file with ``prepared_read(..., rejects=...)`` lets DuckDB set aside
the lines with more or fewer fields than the header instead of failing at the first
one. The rows it keeps are numbered ``0, 1, 2, ...`` without those lines, so the line
of row ``i`` is ``i`` + the first row's line + the ragged lines before it.
:func:`rows_with_ragged_aside` gives the prepared read together with a
:class:`RaggedRows` that knows those lines; event imports
(:mod:`cojourney.events.store_ingest`) and survey-answer imports
(:mod:`cojourney.events.feedback_ingest`) both locate their rows, report ragged
lines as problems and quarantine them through it.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from cojourney.errors import Location, location_in
from cojourney.events.readers.base import ReadOptions, sql_string
from cojourney.events.readers.tabular import PreparedRead, RaggedLine, prepared_read
from cojourney.events.schema import ColumnMapping

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = ["RaggedRows", "ragged_reasons_sql", "rows_with_ragged_aside"]

log = logging.getLogger(__name__)

_REJECTS: Final = "__cojourney_rejects"
_SHIFT: Final = "__cojourney_shift"


class RaggedRows:
    """The ragged lines of a prepared read, and the lines of the rows it kept.

    Until :meth:`collect` was called (after the file was read), rows are located as if
    the file had no ragged line.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, prepared: PreparedRead) -> None:
        self._con = con
        self._prepared = prepared
        self.path: Path = prepared.path
        #: Line of the first row (``None``: the format has no lines, e.g. Parquet).
        self.first_line: int | None = prepared.locate(0, "").line
        self._keys: list[int] = []
        self._lines: list[RaggedLine] | None = None
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_SHIFT} (k BIGINT)")

    def collect(self) -> list[RaggedLine]:
        """The lines DuckDB set aside, once the file was read (the same list on every call).

        From then on :meth:`locate` and :meth:`where_sql` count them.
        """
        if self._lines is None:
            self._lines = self._prepared.ragged_lines(self._con)
            if self._lines and self.first_line is not None:
                # Key j of the j-th ragged line r_j is r_j - first_line - j: the first
                # kept row after it.
                first = self.first_line
                self._keys = [r.line - first - j for j, r in enumerate(self._lines)]
                self._con.execute(
                    f"INSERT INTO {_SHIFT} SELECT unnest(CAST(? AS BIGINT[]))", [self._keys]
                )
        return self._lines

    def line(self, index: int) -> int | None:
        """The line of kept row ``index`` (from 0), or ``None`` when the format has none."""
        if self.first_line is None:
            return None
        return index + self.first_line + bisect_right(self._keys, index)

    def locate(self, index: int, column: str) -> Location:
        """Where kept row ``index`` (from 0) is, at ``column`` (``""``: the whole row)."""
        return location_in(self.path, line=self.line(index), field=column or None)

    def where_sql(self, row: str) -> str:
        """SQL text ``line 12`` (or ``row 12`` without lines) of kept row ``row`` (SQL)."""
        if self.first_line is None:
            return f"'row ' || CAST({row} + 1 AS VARCHAR)"
        return (
            f"'line ' || CAST({row} + {self.first_line} + "
            f"(SELECT count(*) FROM {_SHIFT} WHERE k <= {row}) AS VARCHAR)"
        )


def ragged_reasons_sql(ragged: Sequence[RaggedLine]) -> str:
    """SQL of the quarantine rows ``(r, reason)`` of ``ragged``: numbered before the first
    kept row (so they come first and join no kept row), the line's text in ``reason``."""
    values = ", ".join(
        f"({-len(ragged) + i}, {sql_string(r.reason() + ': ' + (r.text or ''))})"
        for i, r in enumerate(ragged)
    )
    return f"SELECT * FROM (VALUES {values}) AS ragged(r, reason)"


@contextmanager
def rows_with_ragged_aside(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
) -> Iterator[tuple[PreparedRead, RaggedRows]]:
    """:func:`~cojourney.events.readers.tabular.prepared_read` of ``path`` on ``con`` with
    its ragged CSV lines set aside, and their :class:`RaggedRows`; the temporary tables
    go with the block."""
    import duckdb

    with prepared_read(con, path, mapping, options, rejects=_REJECTS) as prepared:
        try:
            yield prepared, RaggedRows(con, prepared)
        finally:
            for table in (_SHIFT, _REJECTS, _REJECTS + "_scans"):
                try:
                    con.execute(f"DROP TABLE IF EXISTS {table}")
                except duckdb.Error:  # an aborted transaction: its rollback drops them
                    log.debug("could not drop %s", table, exc_info=True)
