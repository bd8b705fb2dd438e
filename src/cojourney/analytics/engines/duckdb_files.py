"""Reading a CSV, Parquet or JSON Lines file straight into DuckDB, without Ibis.

:func:`load_tabular` is the work behind :meth:`DuckDBEngine.load_file
<cojourney.analytics.engines.duckdb.DuckDBEngine.load_file>`; it needs only a DuckDB
connection, so the array fast path of ``analyze FILE``
(:mod:`cojourney.analytics.discovery_arrays`) reads files with the same mapping,
checks and messages without paying for Ibis's start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cojourney.events import schema as S

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.query_progress import QueryProgress
    from cojourney.events.readers.base import ReadOptions
    from cojourney.events.schema import ColumnMapping

__all__ = ["Distinct", "load_tabular"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Distinct:
    """The distinct journey ids and activities of a file read in place, found by its check.

    Attributes
    ----------
    journeys
        How many journey ids.
    activities
        The activity names (mapped), in no particular order.
    """

    journeys: int
    activities: tuple[str, ...]


def load_tabular(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    name: str,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    *,
    on_stage: Callable[[str], None] | None = None,
    on_distinct: Callable[[Distinct], None] | None = None,
) -> str | Literal[False] | None:
    """Create the view ``name`` of the canonical events of a CSV, Parquet or JSON Lines file.

    Same mapping, checks and messages as :func:`cojourney.events.readers.read_events`;
    ``event_seq`` is the row's position in the file (DuckDB keeps insertion
    order). A Parquet file whose timestamp column has a timestamp type is checked
    by one query (journey ids and activities over their distinct values,
    :meth:`~cojourney.events.readers.tabular.PreparedRead.direct_problems_sql`) and,
    without problems, read in place: the view reads the file
    (:meth:`~cojourney.events.readers.tabular.PreparedRead.direct_sql`) without
    checking every value again at each query over it; ``on_distinct`` is then called
    with what that check found (:class:`Distinct`), so that no query counts it again.

    Returns
    -------
    str, None or False
        The staging table the view reads (drop it after the view), ``None`` when the
        view reads the file itself, ``False`` for a format DuckDB does not read here
        (nothing was created).

    Raises
    ------
    ImportRejected
        As the readers do: every problem, with line, column, value and fix.
    """
    from cojourney.events.readers.base import (
        MAX_LISTED_PROBLEMS,
        MappingQuery,
        ReadOptions,
        check_timezone,
        sql_string,
    )
    from cojourney.events.readers.tabular import is_tabular, prepared_read
    from cojourney.events.schema import ColumnMapping

    if not is_tabular(path):
        return False
    mapping, options = mapping or ColumnMapping(), options or ReadOptions()
    check_timezone(mapping, path)
    staging = f"{name}_rows"
    previous = con.execute("SELECT current_setting('TimeZone')").fetchone()
    assert previous is not None
    con.execute(f"SET TimeZone = {sql_string(mapping.timezone)}")
    incomplete = MappingQuery.incomplete_sql()
    try:
        with (
            prepared_read(con, path, mapping, options) as prepared,
            _reading_progress(con, on_stage),
        ):
            # A typed Parquet file is checked by one query over it; when it has no
            # problem, the events are a view over the file (nothing copied) that
            # computes the columns without checking them again.
            problems = prepared.direct_problems_sql(previous[0])
            if problems is not None:
                found = con.execute(problems).fetchone()
                if found is not None and found[0] == 0:
                    direct = prepared.direct_sql(previous[0], checked=False)
                    con.execute(f'CREATE VIEW "{name}" AS {direct}')
                    if on_distinct is not None:
                        on_distinct(Distinct(int(found[1]), tuple(found[2] or ())))
                    log.debug("reading %s in place as %s", path, name)
                    return None
            con.execute(f'CREATE TABLE "{staging}" AS {prepared.select_sql()}')
            checker = prepared.checker()
            counts = con.execute(
                f'SELECT count(*), count(*) FILTER (WHERE {incomplete}) FROM "{staging}"'
            ).fetchone()
            assert counts is not None
            checker.rows_read, bad = counts
            if bad and not options.skip_incomplete:
                checker.bad_rows = bad
                checker.describe(
                    con.execute(
                        f"SELECT rowid, NULL, {S.JOURNEY_ID} IS NULL OR {S.JOURNEY_ID} = '', "
                        f"{S.ACTIVITY} IS NULL OR {S.ACTIVITY} = '', \"{S.TIMESTAMP}\" IS NULL, "
                        f"_timestamp_text, _journey_text, _activity_text "
                        f'FROM "{staging}" WHERE {incomplete} ORDER BY rowid '
                        f"LIMIT {MAX_LISTED_PROBLEMS}"
                    ).fetchall()
                )
                raise checker.rejection()
            if bad:
                con.execute(f'DELETE FROM "{staging}" WHERE {incomplete}')
                log.warning(
                    "%s: skipped %d of %d events without a usable journey id, activity or "
                    "readable timestamp",
                    path,
                    bad,
                    checker.rows_read,
                )
    except BaseException:
        con.execute(f'DROP TABLE IF EXISTS "{staging}"')
        raise
    finally:
        con.execute(f"SET TimeZone = {sql_string(previous[0])}")
    for column in ("_timestamp_text", "_journey_text", "_activity_text"):
        con.execute(f'ALTER TABLE "{staging}" DROP COLUMN {column}')
    columns = ", ".join(
        f'"{c}"' if c != S.EVENT_SEQ else f"rowid AS {S.EVENT_SEQ}" for c in S.CANONICAL_COLUMNS
    )
    con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM "{staging}"')
    log.debug("loaded %s into DuckDB as %s", path, name)
    return staging


def _reading_progress(con: Any, on_stage: Callable[[str], None] | None) -> QueryProgress:
    """DuckDB's progress of the running statement, as ``reading (NN%)`` stages."""
    from cojourney.events.query_progress import QueryProgress

    if on_stage is None:
        return QueryProgress(con, None)
    return QueryProgress(con, lambda fraction: on_stage(f"reading ({fraction * 100:.0f}%)"))
