"""The event store as a partitioned Parquet dataset that a cluster can read.

``LOCATION/import_id=N/month=YYYY-MM/part-0.parquet``: one folder per import, one
per month (UTC) of the events' timestamps inside, the canonical columns in each file
(hive partitioning: Spark, DuckDB, pyarrow and pandas read the partition columns
back). ``LOCATION/_cojourney_dataset.json`` lists the imports written and their row
counts; it is written last, so an export that stops half-way is repaired by the
next one.

Exports are incremental: an import whose folder holds the rows the store holds is
left alone, a new import (or one that grew, as ingestion API imports do) is
(re)written, and the folder of an import deleted from the store is removed.

``LOCATION`` is a folder, a ``file://`` URL or any URL pyarrow's filesystems write
(``s3://bucket/prefix``, ``gs://...``, ``hdfs://...``; credentials come from the
usual environment of each, e.g. ``AWS_ACCESS_KEY_ID`` or ``~/.aws``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import InputError, Problem, location_in

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store import EventSource

__all__ = ["MANIFEST", "DatasetExport", "open_location", "write_event_dataset"]

log = logging.getLogger(__name__)

#: The file listing the imports written (read by the next export).
MANIFEST = "_cojourney_dataset.json"
_PREFIX = "import_id="


@dataclass(frozen=True)
class DatasetExport:
    """What :func:`write_event_dataset` did."""

    location: str
    written: dict[int, int] = field(default_factory=dict)  # import id -> rows written
    kept: list[int] = field(default_factory=list)  # imports already there
    removed: list[int] = field(default_factory=list)  # imports no longer in the store

    @property
    def rows(self) -> int:
        """Rows written by this export."""
        return sum(self.written.values())


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a URL of a non-local filesystem (``s3://``, ``hdfs://``...)."""
    text = str(location)
    return "://" in text and not text.startswith("file://")


def open_location(location: str | Path) -> tuple[Any, str]:
    """The pyarrow filesystem and the path on it of a folder or URL.

    Raises
    ------
    cojourney.errors.InputError
        pyarrow knows no filesystem for the URL's scheme (or cannot reach it).
    """
    from pyarrow import fs

    text = str(location)
    if not is_url(text):
        local = Path(text.removeprefix("file://")).expanduser().resolve()
        return fs.LocalFileSystem(), local.as_posix()
    try:
        filesystem, path = fs.FileSystem.from_uri(text)
    except (ValueError, OSError) as exc:
        raise InputError(
            Problem(
                f"no filesystem for this URL ({exc})",
                location_in(text),
                expected="a folder, file://, s3://, gs:// or hdfs:// URL",
            )
        ) from None
    return filesystem, str(path).rstrip("/")


def write_event_dataset(source: EventSource, location: str | Path) -> DatasetExport:
    """Write the events of ``source`` (an event store) as a partitioned Parquet dataset.

    Only imports not yet at ``location`` (or whose row count changed) are written;
    the folders of imports no longer in the store are removed.
    """
    filesystem, root = open_location(location)
    filesystem.create_dir(root, recursive=True)
    manifest = _read_manifest(filesystem, root)
    counts = _import_counts(source)
    present = _import_folders(filesystem, root)
    result = DatasetExport(str(location))
    for import_id, rows in sorted(counts.items()):
        if manifest.get(import_id) == rows and import_id in present:
            result.kept.append(import_id)
            continue
        _write_import(source, filesystem, root, import_id)
        result.written[import_id] = rows
    for import_id in sorted(present - set(counts)):
        filesystem.delete_dir(f"{root}/{_PREFIX}{import_id}")
        result.removed.append(import_id)
    _write_manifest(filesystem, root, counts)
    log.info(
        "dataset %s: %d imports written (%d rows), %d kept, %d removed",
        location,
        len(result.written),
        result.rows,
        len(result.kept),
        len(result.removed),
    )
    return result


def _import_counts(source: EventSource) -> dict[int, int]:
    from cojourney.events.store_schema import IMPORT_ID

    rows = source.connection.execute(
        f'SELECT "{IMPORT_ID}", count(*) FROM "{source.table_name("events")}" GROUP BY 1'
    ).fetchall()
    return {int(i): int(n) for i, n in rows}


def _import_folders(filesystem: Any, root: str) -> set[int]:
    from pyarrow import fs

    found = set()
    for info in filesystem.get_file_info(fs.FileSelector(root, allow_not_found=True)):
        name = info.base_name
        if info.type == fs.FileType.Directory and name.startswith(_PREFIX):
            number = name.removeprefix(_PREFIX)
            if number.isdigit():
                found.add(int(number))
    return found


def _write_import(source: EventSource, filesystem: Any, root: str, import_id: int) -> None:
    """Replace the folder of one import with its events, one sub-folder per month."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    from cojourney.events import schema as S
    from cojourney.events.store_schema import IMPORT_ID

    folder = f"{root}/{_PREFIX}{import_id}"
    filesystem.delete_dir_contents(folder, missing_dir_ok=True)
    schema = S.canonical_arrow_schema()
    names = ", ".join(f'"{n}"' for n in schema.names)
    reader = source.connection.execute(
        f'SELECT {names} FROM "{source.table_name("events")}" '
        f'WHERE "{IMPORT_ID}" = ? ORDER BY "{S.EVENT_SEQ}"',
        [import_id],
    ).fetch_record_batch(100_000)
    with_month = schema.append(pa.field("month", pa.string()))

    def batches() -> Any:
        for batch in reader:
            batch = batch.cast(schema)
            month = pc.strftime(batch.column(S.TIMESTAMP), format="%Y-%m")
            yield pa.RecordBatch.from_arrays([*batch.columns, month], schema=with_month)

    ds.write_dataset(
        ds.Scanner.from_batches(batches(), schema=with_month),
        folder,
        filesystem=filesystem,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("month", pa.string())]), flavor="hive"),
        basename_template="part-{i}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
    )


def _read_manifest(filesystem: Any, root: str) -> dict[int, int]:
    try:
        with filesystem.open_input_stream(f"{root}/{MANIFEST}") as stream:
            data = json.loads(stream.read().decode("utf-8"))
        return {int(k): int(v) for k, v in data.get("imports", {}).items()}
    except (FileNotFoundError, OSError, ValueError, AttributeError):
        return {}  # none yet, or unreadable: every import is written again


def _write_manifest(filesystem: Any, root: str, counts: dict[int, int]) -> None:
    text = json.dumps({"format": 1, "imports": {str(k): v for k, v in sorted(counts.items())}})
    with filesystem.open_output_stream(f"{root}/{MANIFEST}") as stream:
        stream.write(text.encode("utf-8"))
