"""Read object-centric event logs (OCEL 2.0 JSON, XML and SQLite, OCEL 1.0 JSON), flattened.

An object-centric log relates each event to any number of objects. Flattening on
one object type makes one case per object of that type: an event related to k
objects of the type appears in k cases, and an event related to none is left out.

Raw columns, named as the XES reader names them:

``case:concept:name`` (string)
    The object id.
``concept:name`` (string)
    The event type (OCEL 2.0) or activity (OCEL 1.0).
``time:timestamp`` (timestamp[us, UTC])
``event_seq`` (int64)
    The event's rank when all events are ordered by time, ties in file order;
    the copies of one event in several cases share it.
``ocel:eid`` (string)
    The event id.
``ocel:qualifier`` (string)
    The qualifier(s) of the event-to-object relation (OCEL 2.0; distinct values
    sorted and joined by ``"; "``), null when none.
every event attribute
    Typed as declared (``string``, ``integer`` -> int64, ``float`` -> float64,
    ``boolean`` -> bool, ``time`` -> timestamp[us, UTC]); as strings when the
    same name is declared with several types or its values do not parse.
``case:<name>`` for every attribute of the chosen object type
    Its earliest value (OCEL 2.0 object attributes change over time; the value
    that held when the object appeared is the one kept).

Rows are grouped by object (in file order of the objects), and ordered by time
then ``event_seq`` inside a case.

OCEL files are read whole (JSON cannot be streamed and the relations of an event
are needed at once): memory grows with the size of the log.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cojourney.errors import ImportRejected, NotFound, Problem, location_in
from cojourney.events.readers._input import GZIP_MAGIC, check_size
from cojourney.events.readers._values import TimestampParseError, cast_strings, to_utc_timestamps
from cojourney.events.readers.xes import ACTIVITY, CASE_ID, CASE_PREFIX, EVENT_SEQ, TIMESTAMP

__all__ = ["EVENT_ID", "QUALIFIER", "object_types", "read_ocel"]

log = logging.getLogger(__name__)

EVENT_ID = "ocel:eid"
QUALIFIER = "ocel:qualifier"
_OID = "ocel:oid"

# OCEL 2.0 attribute types -> the XES type names understood by cast_strings.
_OCEL_TYPES = {
    "string": "string",
    "integer": "int",
    "int": "int",
    "float": "float",
    "double": "float",
    "boolean": "boolean",
    "bool": "boolean",
    "time": "date",
    "date": "date",
    "timestamp": "date",
}
# SQLite declared column types -> XES type names.
_SQLITE_TYPES = {
    "TEXT": "string",
    "VARCHAR": "string",
    "INTEGER": "int",
    "INT": "int",
    "REAL": "float",
    "FLOAT": "float",
    "DOUBLE": "float",
    "NUMERIC": "float",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "date",
    "DATETIME": "date",
    "DATE": "date",
}


@dataclass
class _Log:
    """An object-centric log as plain Python columns, whatever the file format."""

    format: str
    event_ids: list[str] = field(default_factory=list)
    event_types: list[str | None] = field(default_factory=list)
    event_times: list[str | None] = field(default_factory=list)
    event_attrs: list[dict[str, Any]] = field(default_factory=list)
    attr_types: dict[str, set[str]] = field(default_factory=dict)
    rel_events: list[str] = field(default_factory=list)
    rel_objects: list[str] = field(default_factory=list)
    rel_qualifiers: list[str | None] = field(default_factory=list)
    object_type: dict[str, str] = field(default_factory=dict)
    declared_object_types: list[str] = field(default_factory=list)
    # type -> (object ids, attribute name -> values aligned with the ids, name -> type)
    object_attrs: dict[str, tuple[list[str], dict[str, list[Any]], dict[str, str]]] = field(
        default_factory=dict
    )

    def declare(self, name: str, xes_type: str) -> None:
        self.attr_types.setdefault(name, set()).add(xes_type)


# --------------------------------------------------------------------------- loaders


def _reject(path: Path, message: str, **kw: Any) -> ImportRejected:
    return ImportRejected(
        Problem(message, location_in(path), **kw), title=f"the OCEL file {path.name} was refused"
    )


def _infer_type(values: Sequence[Any]) -> str:
    """XES type name for undeclared JSON values (OCEL 1.0)."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "int"
    if kinds and kinds <= {int, float}:
        return "float"
    return "string"


def _earliest(changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Attribute values as they were first set: ``{name: value}`` from time-stamped changes."""
    first: dict[str, tuple[str, Any]] = {}
    for change in changes:
        name, when = change.get("name"), str(change.get("time") or "")
        if name is not None and (name not in first or when < first[name][0]):
            first[name] = (when, change.get("value"))
    return {name: value for name, (_, value) in first.items()}


def _load_json2(doc: Mapping[str, Any], path: Path) -> _Log:
    out = _Log("OCEL 2.0 JSON")
    for etype in doc.get("eventTypes") or []:
        for attr in etype.get("attributes") or []:
            out.declare(attr["name"], _OCEL_TYPES.get(str(attr.get("type")).lower(), "string"))
    declared_object_attrs = {
        otype["name"]: {
            a["name"]: _OCEL_TYPES.get(str(a.get("type")).lower(), "string")
            for a in otype.get("attributes") or []
        }
        for otype in doc.get("objectTypes") or []
    }
    out.declared_object_types = list(declared_object_attrs)
    for event in doc.get("events") or []:
        eid = str(event.get("id"))
        out.event_ids.append(eid)
        out.event_types.append(event.get("type"))
        out.event_times.append(event.get("time"))
        out.event_attrs.append({a["name"]: a.get("value") for a in event.get("attributes") or []})
        for rel in event.get("relationships") or []:
            out.rel_events.append(eid)
            out.rel_objects.append(str(rel.get("objectId")))
            out.rel_qualifiers.append(rel.get("qualifier"))
    for obj in doc.get("objects") or []:
        oid, otype = str(obj.get("id")), str(obj.get("type"))
        out.object_type[oid] = otype
        ids, values, types = out.object_attrs.setdefault(
            otype, ([], {}, dict(declared_object_attrs.get(otype, {})))
        )
        initial = _earliest(obj.get("attributes") or [])
        for name in initial:
            if name not in values:
                values[name] = [None] * len(ids)
                types.setdefault(name, "string")
        ids.append(oid)
        for name, column in values.items():
            column.append(initial.get(name))
    return out


def _load_json1(doc: Mapping[str, Any], path: Path) -> _Log:
    out = _Log("OCEL 1.0 JSON")
    out.declared_object_types = [
        str(t) for t in (doc.get("ocel:global-log") or {}).get("ocel:object-types") or []
    ]
    events = doc.get("ocel:events") or {}
    values_by_name: dict[str, list[Any]] = {}
    for eid, event in events.items():
        out.event_ids.append(str(eid))
        out.event_types.append(event.get("ocel:activity"))
        out.event_times.append(event.get("ocel:timestamp"))
        vmap = event.get("ocel:vmap") or {}
        out.event_attrs.append(vmap)
        for name, value in vmap.items():
            values_by_name.setdefault(name, []).append(value)
        for oid in event.get("ocel:omap") or []:
            out.rel_events.append(str(eid))
            out.rel_objects.append(str(oid))
            out.rel_qualifiers.append(None)
    for name, seen in values_by_name.items():
        out.declare(name, _infer_type(seen))
    for oid, obj in (doc.get("ocel:objects") or {}).items():
        otype = str(obj.get("ocel:type"))
        out.object_type[str(oid)] = otype
        ids, columns, _ = out.object_attrs.setdefault(otype, ([], {}, {}))
        ovmap = obj.get("ocel:ovmap") or {}
        for name in ovmap:
            if name not in columns:
                columns[name] = [None] * len(ids)
        ids.append(str(oid))
        for name, column in columns.items():
            column.append(ovmap.get(name))
    for _, columns, types in out.object_attrs.values():
        for name, column in columns.items():
            types[name] = _infer_type(column)
    return out


def _load_json(path: Path) -> _Log:
    try:
        with path.open("rb") as stream:
            doc = json.load(stream)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            Problem(
                f"the JSON is malformed: {exc.msg}",
                location_in(path, exc.lineno, exc.colno),
                hint="fix the JSON at this place, or export the log again",
            ),
            title=f"the OCEL file {path.name} was refused",
        ) from None
    except UnicodeDecodeError as exc:
        raise _reject(path, f"the file is not UTF-8 JSON: {exc.reason}") from None
    except RecursionError:
        raise _reject(
            path,
            "the JSON nests objects or arrays too deep to be read",
            hint="flatten the deeply nested values in the export",
        ) from None
    if isinstance(doc, dict) and "events" in doc and ("objectTypes" in doc or "objects" in doc):
        return _load_json2(doc, path)
    if isinstance(doc, dict) and "ocel:events" in doc:
        return _load_json1(doc, path)
    raise _reject(
        path,
        "this JSON is not an OCEL log (JSON Lines files take the suffix .jsonl)",
        expected="OCEL 2.0 (objectTypes, eventTypes, objects, events) or "
        "OCEL 1.0 (ocel:events, ocel:objects)",
        hint="export the log as OCEL 2.0 JSON or SQLite",
    )


def _sqlite_columns(con: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    return [(str(r[1]), str(r[2] or "").upper().split("(")[0].strip()) for r in rows]


def _load_sqlite(path: Path) -> _Log:
    out = _Log("OCEL 2.0 SQLite")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _reject(path, f"the SQLite file cannot be opened: {exc}") from None
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = {"event", "object", "event_object", "event_map_type", "object_map_type"} - tables
        if missing:
            raise _reject(
                path,
                "this SQLite database is not an OCEL 2.0 log",
                found=f"no table {', '.join(sorted(missing))}",
                expected="the OCEL 2.0 relational schema",
                hint="export the log as OCEL 2.0 SQLite or JSON",
            )
        _sqlite_events(con, out, tables)
        _sqlite_objects(con, out, tables)
    except sqlite3.Error as exc:
        raise _reject(path, f"the SQLite file cannot be read: {exc}") from None
    finally:
        con.close()
    return out


def _sqlite_events(con: sqlite3.Connection, out: _Log, tables: set[str]) -> None:
    index: dict[str, int] = {}
    for eid, etype in con.execute("SELECT ocel_id, ocel_type FROM event ORDER BY rowid"):
        index[str(eid)] = len(out.event_ids)
        out.event_ids.append(str(eid))
        out.event_types.append(etype)
        out.event_times.append(None)
        out.event_attrs.append({})
    for etype, suffix in con.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"):
        table = f"event_{suffix}"
        if table not in tables:
            log.warning("OCEL SQLite: no table %s for event type %r", table, etype)
            continue
        columns = _sqlite_columns(con, table)
        names = [n for n, _ in columns if n not in ("ocel_id", "ocel_time")]
        for name, decl in columns:
            if name in names:
                out.declare(name, _SQLITE_TYPES.get(decl, "string"))
        select = ", ".join(f'"{n}"' for n in ["ocel_id", "ocel_time", *names])
        for row in con.execute(f'SELECT {select} FROM "{table}"'):
            i = index.get(str(row[0]))
            if i is not None:
                out.event_times[i] = row[1]
                out.event_attrs[i] = {
                    n: v for n, v in zip(names, row[2:], strict=False) if v is not None
                }
    relations = "SELECT ocel_event_id, ocel_object_id, ocel_qualifier FROM event_object"
    for eid, oid, qualifier in con.execute(relations + " ORDER BY rowid"):
        out.rel_events.append(str(eid))
        out.rel_objects.append(str(oid))
        out.rel_qualifiers.append(qualifier)


def _sqlite_objects(con: sqlite3.Connection, out: _Log, tables: set[str]) -> None:
    for oid, otype in con.execute("SELECT ocel_id, ocel_type FROM object ORDER BY rowid"):
        out.object_type[str(oid)] = str(otype)
        out.object_attrs.setdefault(str(otype), ([], {}, {}))[0].append(str(oid))
    for otype, suffix in con.execute("SELECT ocel_type, ocel_type_map FROM object_map_type"):
        out.declared_object_types.append(str(otype))
        table = f"object_{suffix}"
        if table not in tables or otype not in out.object_attrs:
            continue
        ids, values, types = out.object_attrs[otype]
        columns = _sqlite_columns(con, table)
        names = [n for n, _ in columns if n not in ("ocel_id", "ocel_time", "ocel_changed_field")]
        types.update({n: _SQLITE_TYPES.get(d, "string") for n, d in columns if n in names})
        first: dict[str, dict[str, Any]] = {}
        order = ', "ocel_time"' if "ocel_time" in {n for n, _ in columns} else ""
        select = ", ".join(f'"{n}"' for n in ["ocel_id", *names])
        for row in con.execute(f'SELECT {select} FROM "{table}" ORDER BY 1{order}, rowid'):
            seen = first.setdefault(str(row[0]), {})
            for name, value in zip(names, row[1:], strict=False):
                if value is not None and name not in seen:
                    seen[name] = value
        for name in names:
            values[name] = [first.get(oid, {}).get(name) for oid in ids]


def _load(path: Path) -> _Log:
    check_size(path)
    with path.open("rb") as probe:
        head = probe.read(16)
    if head.startswith(b"SQLite format 3"):
        return _load_sqlite(path)
    if head.startswith(GZIP_MAGIC) or head.lstrip().startswith(b"<"):
        from cojourney.events.readers._ocel_xml import load_xml

        return load_xml(path)
    if head.lstrip()[:1] in (b"{", b"["):
        return _load_json(path)
    raise _reject(
        path,
        "this file is neither OCEL JSON, OCEL XML nor OCEL SQLite",
        hint="give an OCEL 2.0 .jsonocel/.json, .xmlocel or .sqlite file "
        "(JSON Lines files take the suffix .jsonl)",
    )


# --------------------------------------------------------------------------- flattening


def _typed_column(values: Sequence[Any], xes_type: str, name: str, tz: str) -> pa.Array:
    """Values as the Arrow type of ``xes_type``; strings when they do not parse."""

    def text(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        return v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v)

    strings = pa.array([text(v) for v in values], pa.string())
    cast = cast_strings(strings, xes_type, naive_timezone=tz)
    if cast is None:
        log.warning("OCEL attribute %r is not always a valid %s; kept as text", name, xes_type)
        return strings
    return cast


def _events_table(src: _Log, path: Path, tz: str) -> pa.Table:
    n = len(src.event_ids)
    missing = [eid for eid, t in zip(src.event_ids, src.event_times, strict=False) if t is None]
    if missing:
        raise _reject(
            path,
            f"{len(missing)} event(s) have no time",
            found=", ".join(missing[:5]),
            hint="give every event a timestamp",
        )
    try:
        times = to_utc_timestamps(
            pa.array([str(t) for t in src.event_times], pa.string()), naive_timezone=tz
        )
    except TimestampParseError as exc:
        raise _reject(
            path,
            f"event {src.event_ids[exc.index]!r} has a time that is not a date",
            found=exc.value,
            expected="ISO 8601, e.g. 2022-01-09T14:00:00+00:00",
            hint="correct the event's time",
        ) from None
    order = pc.sort_indices(
        pa.table({"t": times, "i": pa.array(range(n), pa.int64())}),
        sort_keys=[("t", "ascending"), ("i", "ascending")],
    )
    seq = pc.inverse_permutation(pc.cast(order, pa.int64()))
    cols: dict[str, pa.Array] = {
        EVENT_ID: pa.array(src.event_ids, pa.string()),
        ACTIVITY: pa.array(src.event_types, pa.string()),
        TIMESTAMP: times,
        EVENT_SEQ: seq,
    }
    for name, types in src.attr_types.items():
        if name in cols or name in (CASE_ID, QUALIFIER):
            log.warning(
                "%s: event attribute %r clashes with a reserved column; dropped", path, name
            )
            continue
        xes_type = (
            next(iter(types))
            if len(types) == 1
            else ("float" if types <= {"int", "float"} else "string")
        )
        cols[name] = _typed_column([a.get(name) for a in src.event_attrs], xes_type, name, tz)
    return pa.table(cols)


def _relations(src: _Log, object_type: str) -> pa.Table:
    """(event, object, qualifiers) for the objects of ``object_type``, one row per pair."""
    keep = [src.object_type.get(o) == object_type for o in src.rel_objects]
    rel = (
        pa.table(
            {
                EVENT_ID: pa.array(src.rel_events, pa.string()),
                CASE_ID: pa.array(src.rel_objects, pa.string()),
                QUALIFIER: pa.array(src.rel_qualifiers, pa.string()),
            }
        )
        .filter(pa.array(keep, pa.bool_()))
        .sort_by(QUALIFIER)
    )
    # Single-threaded grouping keeps the (sorted) order in which qualifiers were met.
    grouped = rel.group_by([EVENT_ID, CASE_ID], use_threads=False).aggregate(
        [(QUALIFIER, "distinct")]
    )
    joined = pc.binary_join(grouped.column(f"{QUALIFIER}_distinct"), "; ")
    joined = pc.if_else(pc.equal(joined, ""), None, joined)
    return pa.table(
        {EVENT_ID: grouped.column(EVENT_ID), CASE_ID: grouped.column(CASE_ID), QUALIFIER: joined}
    )


def _object_table(src: _Log, object_type: str, tz: str) -> pa.Table:
    ids, values, types = src.object_attrs.get(object_type, ([], {}, {}))
    cols: dict[str, pa.Array] = {
        CASE_ID: pa.array(ids, pa.string()),
        "__object_order": pa.array(range(len(ids)), pa.int64()),
    }
    for name, column in values.items():
        cols[CASE_PREFIX + name] = _typed_column(column, types.get(name, "string"), name, tz)
    return pa.table(cols)


def object_types(path: str | Path) -> dict[str, int]:
    """The object types of an OCEL log and how many objects each has.

    Parameters
    ----------
    path
        An OCEL 2.0 JSON or SQLite file, or an OCEL 1.0 JSON file.

    Returns
    -------
    dict
        ``{object type: number of objects}``, in file order.
    """
    path = _existing(path)
    src = _load(path)
    counts: dict[str, int] = {}
    for otype in src.object_type.values():
        counts[otype] = counts.get(otype, 0) + 1
    for otype in src.declared_object_types:
        counts.setdefault(otype, 0)
    return counts


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"{path}: no such OCEL file")
    return path


def read_ocel(
    path: str | Path,
    *,
    object_type: str | None = None,
    chunk_rows: int = 200_000,
    naive_timezone: str = "UTC",
) -> Iterator[pa.RecordBatch]:
    """Read an OCEL log flattened on one object type, as Arrow record batches.

    Parameters
    ----------
    path
        OCEL 2.0 JSON (``.jsonocel``/``.json``), OCEL 2.0 XML (``.xmlocel``), OCEL 2.0
        SQLite (``.sqlite``) or OCEL 1.0 JSON; the format is recognised by content.
    object_type
        The object type whose objects become the cases. Required: without it the
        import is refused with the list of the log's object types.
    chunk_rows
        The most rows one batch holds.
    naive_timezone
        The clock of times written without an offset. OCEL 2.0 SQLite files keep
        times without an offset; some exporters write local time there (the OCEL
        2.0 example's SQLite is on Central European Time while its JSON is in
        UTC), so give the exporter's timezone, e.g. ``"Europe/Amsterdam"``.

    Yields
    ------
    pyarrow.RecordBatch
        Batches with one schema (see the module documentation for the columns).

    Raises
    ------
    cojourney.errors.ImportRejected
        Malformed JSON (with line and column), a file that is not OCEL, an
        ``object_type`` that the log does not have (the message lists those it
        has), an event without a readable time.
    cojourney.errors.NotFound
        The file does not exist.
    """
    path = _existing(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    src = _load(path)
    available = sorted(set(src.object_type.values()) | set(src.declared_object_types))
    if object_type not in available:
        message = (
            "an object-centric log needs an object type to flatten on"
            if object_type is None
            else f"the log has no object type {object_type!r}"
        )
        raise ImportRejected(
            Problem(
                message,
                location_in(path, field="object_type"),
                found=object_type,
                expected="one of: " + ", ".join(repr(t) for t in available),
                hint="choose the object type whose objects are the journeys (one case per object)",
            ),
            title=f"the OCEL file {path.name} was refused",
        )
    events = _events_table(src, path, naive_timezone)
    flat = _relations(src, object_type).join(events, EVENT_ID, join_type="inner", use_threads=False)
    flat = flat.join(
        _object_table(src, object_type, naive_timezone),
        CASE_ID,
        join_type="left outer",
        use_threads=False,
    )
    flat = flat.sort_by(
        [("__object_order", "ascending"), (TIMESTAMP, "ascending"), (EVENT_SEQ, "ascending")]
    ).drop_columns(["__object_order"])
    first = [CASE_ID, ACTIVITY, TIMESTAMP, EVENT_SEQ, EVENT_ID, QUALIFIER]
    flat = flat.select(first + [c for c in flat.column_names if c not in first])
    log.info(
        "%s (%s): %d events flattened on %r into %d rows",
        path,
        src.format,
        len(src.event_ids),
        object_type,
        flat.num_rows,
    )
    batches = flat.combine_chunks().to_batches(max_chunksize=chunk_rows)
    yield from batches or [pa.RecordBatch.from_pylist([], schema=flat.schema)]
