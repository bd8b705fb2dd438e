"""The report's events, read from a Parquet dataset once instead of once per analysis.

A report runs some sixty queries over the events. On a Parquet dataset, each of them
would read and decode the files again (and cast every column to the canonical
schema, as the dataset's view does). :func:`held_once` copies the canonical events
into a temporary table of the source's own DuckDB connection, sorted by journey, time
and input order (what most analyses window by), and gives a source that reads it. The
copy lives as long as the connection (DuckDB spills it to disk beyond its memory
limit); the answers are those of the view, since the table holds its rows.
"""

from __future__ import annotations

import logging
from itertools import count
from typing import TYPE_CHECKING

from cojourney.errors import NotFound

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store import EventSource

__all__ = ["held_once"]

log = logging.getLogger(__name__)

_names = count(1)


def held_once(source: EventSource) -> EventSource:
    """``source`` with its events in a temporary table, when it reads a Parquet dataset
    through DuckDB; ``source`` itself otherwise (an event store's table is read as it is).

    The new source shares ``source``'s connection: close ``source``, not it.
    """
    from cojourney.events.store import EventSource

    if source.parquet_location is None:
        return source
    tables: dict[str, str] = {}
    for kind in ("events", "feedback", "measurements"):
        try:
            tables[kind] = source.table_name(kind)
        except NotFound:
            continue
    view = tables["events"]
    table = f"cojourney_report_events_{next(_names)}"
    source.connection.execute(
        f'CREATE TEMP TABLE "{table}" AS SELECT * FROM "{view}" '
        'ORDER BY journey_id, "timestamp", event_seq'
    )
    tables["events"] = table
    log.debug("report: the events of %s held in %s", source.label, table)
    return EventSource(source.connection, tables, label=source.label)
