"""Readers of event logs, chosen by file suffix.

``read_events(path, mapping, options=...)`` reads any registered format (CSV, TSV,
Parquet, JSON Lines; XES and OCEL when their readers are installed) as batches of
the canonical schema. Readers are registered by import path and imported only when
a file of their format is read.
"""

from cojourney.events.readers.base import (
    DEFAULT_CHUNK_ROWS,
    PANDAS_NULL_VALUES,
    ReaderSpec,
    ReadOptions,
    map_raw_batches,
    read_events,
    reader_for,
    register_reader,
    supported_suffixes,
)

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "PANDAS_NULL_VALUES",
    "ReadOptions",
    "ReaderSpec",
    "map_raw_batches",
    "read_events",
    "reader_for",
    "register_reader",
    "supported_suffixes",
]
