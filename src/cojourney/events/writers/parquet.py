"""Write event logs (canonical or raw Arrow data) to Parquet, atomically."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["atomic_target", "write_parquet"]

log = logging.getLogger(__name__)


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block ends without error.

    On an error the temporary file is removed and ``path`` is left as it was.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _batches(
    data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch],
) -> Iterable[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        batches: list[pa.RecordBatch] = data.to_batches()
        return batches
    if isinstance(data, pa.RecordBatch):
        return [data]
    return data


def write_parquet(
    data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch],
    path: str | Path,
    *,
    schema: pa.Schema | None = None,
    compression: str = "zstd",
    row_group_rows: int = 1_000_000,
) -> int:
    """Write a table, or a stream of record batches, to one Parquet file.

    Batches are written as they come, so a reader's output can be converted with
    bounded memory. The file appears only when it is complete: it is written
    under a temporary name beside ``path`` and renamed at the end, so a failure
    (for instance an :class:`~cojourney.errors.ImportRejected` raised by the
    reader half-way) leaves no partial file and keeps any previous one.

    Parameters
    ----------
    data
        A :class:`pyarrow.Table`, a :class:`pyarrow.RecordBatch` or an iterable of
        record batches that share one schema.
    path
        The Parquet file to create or replace.
    schema
        The schema to write; by default the first batch's. Needed when ``data``
        may be empty.
    compression
        A Parquet codec: ``"zstd"`` (default), ``"snappy"``, ``"gzip"``, ``"none"``.
    row_group_rows
        The most rows per row group.

    Returns
    -------
    int
        The number of rows written.

    Raises
    ------
    ValueError
        When ``data`` is empty and no ``schema`` is given, or a batch's schema
        differs from the first one.
    """
    path = Path(path)
    rows = 0
    with atomic_target(path) as tmp:
        writer: pq.ParquetWriter | None = None
        try:
            for batch in _batches(data):
                if writer is None:
                    schema = schema or batch.schema
                    writer = pq.ParquetWriter(tmp, schema, compression=compression)
                if not batch.schema.equals(writer.schema):
                    if batch.schema.names != writer.schema.names:
                        raise ValueError(
                            f"batch columns {batch.schema.names} differ from {writer.schema.names}"
                        )
                    batch = batch.cast(writer.schema)
                writer.write_batch(batch, row_group_size=row_group_rows)
                rows += batch.num_rows
            if writer is None:
                if schema is None:
                    raise ValueError("nothing to write: no batches, and no schema given")
                writer = pq.ParquetWriter(tmp, schema, compression=compression)
        finally:
            if writer is not None:
                writer.close()
    log.info("%s: %d rows written", path, rows)
    return rows
