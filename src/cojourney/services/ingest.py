"""Capture: batches of events and survey answers sent by other systems, stored once each.

What ``POST /api/events`` and ``POST /api/feedback`` run. A batch is a list of JSON
objects with the store's own field names (:class:`EventIn`, :class:`AnswerIn`),
each with an ``id`` chosen by the sender. The batch is checked as a whole: any
problem refuses all of it, with every problem located as ``[index].field``
(:func:`validate_batch`). A valid batch is written by :class:`IngestWriter`, and
the answer says how many of its items were new and how many were known already.

Nothing counted twice. An id is stored once per kind (``events.event_id``,
``feedback.answer_id``): an item whose id the store holds, or that came earlier in
the same batch, is *known* and not stored again, whatever its content (the first
one is kept). So a sender retries a batch it got no answer for, and nothing is
duplicated.

Nothing lost. The writer commits a DuckDB transaction before it answers; a commit
is durable (DuckDB's write-ahead log is synced), so a 2xx survives a kill of the
server right after it.

One writer, and the store open only while batches flow. DuckDB lets one process
open the store at a time, and the CLI must be able to use it between two bursts.
The writer (a thread) opens the store when batches come and closes it once none has
come for :attr:`IngestWriter.linger` seconds (0.2). Batches that arrive while a
transaction runs wait for it, then go together into the next one (a group commit:
one transaction, one ``imports`` row for all of them); that, and not opening the
store for each batch, is what makes thousands of events per second possible (an
open and a close cost about 100 ms, a transaction about 20 ms). When another process
holds the store, the writer retries for :attr:`IngestWriter.busy_wait` seconds,
then raises :class:`~cojourney.events.store.StoreInUse` (the server answers 503
with ``Retry-After``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticError

from cojourney.errors import InputError, Location, Problem
from cojourney.events import feedback_schema as F
from cojourney.events import schema as S
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from cojourney.events.store import EventStore
    from cojourney.services.handle import WorkspaceHandle

__all__ = [
    "AnswerIn",
    "EventIn",
    "IngestCounts",
    "IngestKind",
    "IngestWriter",
    "validate_batch",
]

log = logging.getLogger(__name__)

IngestKind = Literal["events", "feedback"]
#: ``imports.source_name`` of the rows the API stored.
API_SOURCE: Final = "ingestion API"
_ID_MAX: Final = 200
_TEXT_MAX: Final = 10_000

_Id = Field(min_length=1, max_length=_ID_MAX, description="The sender's id; stored once.")


class EventIn(BaseModel):
    """One event, as the ingestion API takes it (the store's field names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = _Id
    journey_id: str = Field(min_length=1, max_length=_ID_MAX, description="The journey (case).")
    activity: str = Field(
        min_length=1, max_length=_ID_MAX, description="What happened: a touchpoint id."
    )
    timestamp: AwareDatetime = Field(description="When: ISO 8601 with an offset.")
    channel: str | None = Field(None, max_length=_ID_MAX, description="Contact channel.")
    actor: str | None = Field(None, max_length=_ID_MAX, description="Who performed it.")
    role: str | None = Field(None, max_length=_ID_MAX, description="The actor's role.")
    segment: str | None = Field(None, max_length=_ID_MAX, description="Segment or persona.")
    lifecycle: str | None = Field(None, max_length=_ID_MAX, description="XES lifecycle.")
    attributes: dict[str, Any] | None = Field(None, description="Any other fields, by name.")


class AnswerIn(BaseModel):
    """One survey answer, as the ingestion API takes it (the store's field names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = _Id
    journey_id: str = Field(min_length=1, max_length=_ID_MAX, description="The journey.")
    timestamp: AwareDatetime = Field(description="When it was given: ISO 8601 with an offset.")
    question: str = Field(
        min_length=1, max_length=_ID_MAX, description="csat, ces, nps, emotion or a custom id."
    )
    score: float | None = Field(description="The numeric answer, within the question's scale.")
    touchpoint: str | None = Field(None, max_length=_ID_MAX, description="What it is about.")
    step: str | None = Field(None, max_length=_ID_MAX, description="The step it is about.")
    respondent: str | None = Field(None, max_length=_ID_MAX, description="Who answered.")
    comment: str | None = Field(None, max_length=_TEXT_MAX, description="Free text.")


_ADAPTERS: Final[dict[str, TypeAdapter[Any]]] = {
    "events": TypeAdapter(list[EventIn]),
    "feedback": TypeAdapter(list[AnswerIn]),
}
_LOW, _HIGH = (datetime.fromisoformat(t) for t in S.TIMESTAMP_RANGE)


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What one batch did: how many items were stored, how many were known already."""

    received: int
    new: int
    known: int


def validate_batch(kind: IngestKind, items: object, *, max_items: int) -> list[Any]:
    """Check a whole batch; every problem is located as ``[index].field``.

    Parameters
    ----------
    kind
        ``"events"`` or ``"feedback"``.
    items
        The decoded JSON body: a list of objects.
    max_items
        The most items a batch may have (setting ``ingest_max_batch``).

    Returns
    -------
    list[EventIn] | list[AnswerIn]
        The items, checked.

    Raises
    ------
    cojourney.errors.InputError
        Anything wrong, every problem listed (nothing of the batch is stored).
    """
    if not isinstance(items, list):
        raise InputError(
            Problem(
                "the body must be a JSON array of objects",
                found=type(items).__name__,
                expected="[{...}, ...]",
            ),
            title="the batch is not valid",
        )
    if not items:
        raise InputError(Problem("the batch is empty", expected="at least one item"))
    if len(items) > max_items:
        raise InputError(
            Problem(
                "the batch is too large",
                found=f"{len(items)} items",
                expected=f"at most {max_items} (setting ingest_max_batch)",
                hint="send it in smaller batches",
            ),
            title="the batch is too large",
        )
    problems: list[Problem] = []
    try:
        checked: list[Any] = _ADAPTERS[kind].validate_python(items)
    except PydanticError as exc:
        for err in exc.errors(include_url=False):
            where = _where(err.get("loc", ()))
            found = err.get("input")
            problems.append(
                Problem(
                    str(err.get("msg")),
                    Location(field=where),
                    found=None if isinstance(found, (dict, list)) else repr(found)[:200],
                )
            )
        raise InputError(problems, title=_title(len(problems))) from None
    for index, item in enumerate(checked):
        problems.extend(_range_problems(index, item))
    if problems:
        raise InputError(problems, title=_title(len(problems)))
    return checked


def _title(count: int) -> str:
    return f"the batch is refused: {count} problem{'s' if count != 1 else ''}, nothing stored"


def _where(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "body"


def _range_problems(index: int, item: EventIn | AnswerIn) -> list[Problem]:
    out: list[Problem] = []
    if not _LOW <= item.timestamp < _HIGH:
        out.append(
            Problem(
                "the timestamp is out of range",
                Location(field=f"[{index}].timestamp"),
                found=item.timestamp.isoformat(),
                expected=f"from {S.TIMESTAMP_RANGE[0]} to before {S.TIMESTAMP_RANGE[1]}",
            )
        )
    if isinstance(item, AnswerIn) and item.score is not None:
        scale = F.QUESTION_SCALES.get(item.question)
        if scale is not None and not scale[0] <= item.score <= scale[1]:
            out.append(
                Problem(
                    f"the score is outside the {item.question} scale",
                    Location(field=f"[{index}].score"),
                    found=repr(item.score),
                    expected=f"{scale[0]:g} to {scale[1]:g}",
                )
            )
    return out


# --------------------------------------------------------------------------- conversion


def to_arrow(kind: IngestKind, items: Sequence[Any]) -> pa.Table:
    """The checked items as an Arrow table: the store's columns, ``*_seq`` excluded."""
    import pyarrow as pa

    ts = pa.array([i.timestamp.astimezone(UTC) for i in items], pa.timestamp("us", tz="UTC"))
    ids = pa.array([i.id for i in items], pa.string())
    if kind == "events":
        columns: dict[str, pa.Array] = {
            S.EVENT_ID: ids,
            S.JOURNEY_ID: pa.array([i.journey_id for i in items], pa.string()),
            S.ACTIVITY: pa.array([i.activity for i in items], pa.string()),
            S.TIMESTAMP: ts,
        }
        for name in S.OPTIONAL_COLUMNS:
            columns[name] = pa.array([getattr(i, name) for i in items], pa.string())
        columns[S.ATTRIBUTES] = pa.array(
            [
                None if i.attributes is None else json.dumps(i.attributes, sort_keys=True)
                for i in items
            ],
            pa.string(),
        )
        return pa.table(columns)
    columns = {
        F.ANSWER_ID: ids,
        F.JOURNEY_ID: pa.array([i.journey_id for i in items], pa.string()),
        F.TIMESTAMP: ts,
        F.QUESTION: pa.array([i.question for i in items], pa.string()),
        F.SCORE: pa.array([i.score for i in items], pa.float64()),
    }
    for name in (F.TOUCHPOINT, F.STEP, F.COMMENT, F.RESPONDENT):
        columns[name] = pa.array([getattr(i, name) for i in items], pa.string())
    return pa.table(columns)


# --------------------------------------------------------------------------- the writer


@dataclass(eq=False)
class _Job:
    kind: IngestKind
    table: pa.Table
    done: threading.Event = field(default_factory=threading.Event)
    counts: IngestCounts | None = None
    error: BaseException | None = None


class IngestWriter:
    """The one writer of a workspace's ingested batches (one per server process).

    A thread of its own writes the batches: it opens the store when a batch comes,
    writes every batch waiting as one transaction per kind, and closes the store
    once no batch has come for :attr:`linger` seconds (so the CLI can use it).

    Parameters
    ----------
    workspace
        The workspace (its event store is written).
    busy_wait
        Seconds to keep retrying while another process holds the store.
    linger
        Seconds the store stays open after the last batch, for the next one.

    Examples
    --------
    >>> writer = IngestWriter("my-workspace")                    # doctest: +SKIP
    >>> items = validate_batch("events", body, max_items=10_000)  # doctest: +SKIP
    >>> writer.write("events", items)                             # doctest: +SKIP
    IngestCounts(received=2, new=2, known=0)
    >>> writer.close()                                            # doctest: +SKIP
    """

    def __init__(
        self, workspace: WorkspaceRef, *, busy_wait: float = 2.0, linger: float = 0.2
    ) -> None:
        self.handle: WorkspaceHandle = as_handle(workspace)
        self.busy_wait = busy_wait
        self.linger = linger
        self._pending: list[_Job] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._store: EventStore | None = None
        self._gate = threading.Lock()  # held by the writer while the store is open
        self._pauses = 0

    def write(self, kind: IngestKind, items: Sequence[Any]) -> IngestCounts:
        """Store a checked batch (all of it, or nothing); return once it is durable.

        Raises
        ------
        cojourney.events.store.StoreInUse
            Another process held the store for longer than :attr:`busy_wait`.
        """
        job = _Job(kind, to_arrow(kind, items))
        with self._wake:
            self._pending.append(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="cojourney-ingest-writer", daemon=True
                )
                self._thread.start()
            self._wake.notify_all()
        job.done.wait()
        if job.error is not None:
            raise job.error
        assert job.counts is not None
        return job.counts

    def close(self, timeout: float = 30.0) -> None:
        """Wait for the batches sent so far, and for the store to be closed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                idle = not self._pending and self._store is None
            if idle:
                return
            time.sleep(0.01)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Keep the writer off the store for a block (e.g. to read it in this process).

        DuckDB refuses a read-only connection in a process that has the store open
        for writing, so code of the server process that reads the store does it in
        this block: the writer closes the store after its current transaction and
        waits (batches queue; none is refused) until the block ends.
        """
        with self._wake:
            self._pauses += 1
            self._wake.notify_all()
        try:
            with self._gate:
                yield
        finally:
            with self._wake:
                self._pauses -= 1
                self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._pending:
                    self._wake.wait(self.linger if self._store is not None else 5.0)
                if self._pauses and self._store is not None:
                    self._release()
                    continue
                group, self._pending = self._pending, []
                if not group:
                    if self._store is not None:
                        self._release()
                        continue
                    return  # idle: the thread ends; the next batch starts another
            self._write_group(group)

    def _release(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:
                log.warning("the event store did not close cleanly", exc_info=True)
            finally:
                self._gate.release()

    def _write_group(self, group: list[_Job]) -> None:
        try:
            if self._store is None:
                self._gate.acquire()
                try:
                    self._store = self._open()
                except BaseException:
                    self._gate.release()
                    raise
            for kind in ("events", "feedback"):
                jobs = [j for j in group if j.kind == kind]
                if jobs:
                    _store_jobs(self._store, kind, jobs)
        except Exception as exc:
            for job in group:
                job.error = exc
            with self._wake:
                self._release()
        finally:
            for job in group:
                if job.counts is None and job.error is None:
                    job.error = RuntimeError("the batch was not written")
                job.done.set()

    def _open(self) -> EventStore:
        from cojourney.events.store import StoreInUse

        deadline = time.monotonic() + self.busy_wait
        pause = 0.02
        while True:
            try:
                return self.handle.open_events(read_only=False)
            except StoreInUse:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.25)


def _store_jobs(store: EventStore, kind: IngestKind, jobs: list[_Job]) -> None:
    """One transaction for the batches of one kind; the counts go to each job."""
    import pyarrow as pa

    from cojourney.events.store_schema import IMPORT_ID, log_kind

    k = log_kind(kind)
    ext = k.external_id
    assert ext is not None
    tables = [
        j.table.append_column("__job", pa.array([n] * j.table.num_rows, pa.int32())).append_column(
            "__pos", pa.array(range(j.table.num_rows), pa.int32())
        )
        for n, j in enumerate(jobs)
    ]
    incoming = pa.concat_tables(tables)
    cols = [c for c in incoming.column_names if not c.startswith("__")]
    con = store.connection
    with store.import_transaction(
        source_name=API_SOURCE,
        source_sha256="",
        mapping_name=None,
        mapping_fingerprint="",
        kind=kind,
    ) as pending:
        con.register("__ingest_in", incoming)
        try:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE __ingest_new AS
SELECT * EXCLUDE (__occ), row_number() OVER (ORDER BY __job, __pos) - 1 AS __n FROM (
  SELECT *, row_number() OVER (PARTITION BY "{ext}" ORDER BY __job, __pos) AS __occ
  FROM __ingest_in) AS s
WHERE __occ = 1 AND NOT EXISTS (SELECT 1 FROM "{k.table}" AS t WHERE t."{ext}" = s."{ext}")"""
            )
        finally:
            con.unregister("__ingest_in")
        names = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f'INSERT INTO "{k.table}" ({names}, "{k.seq_column}", {IMPORT_ID}) '
            f"SELECT {names}, __n + {pending.seq_offset}, {pending.id} FROM __ingest_new"
        )
        per_job = dict(
            con.execute("SELECT __job, count(*) FROM __ingest_new GROUP BY __job").fetchall()
        )
        con.execute("DROP TABLE __ingest_new")
        new = sum(int(v) for v in per_job.values())
        pending.rows_imported = new
        pending.rows_duplicate = incoming.num_rows - new
        if new:
            pending.seq_first, pending.seq_last = pending.seq_offset, pending.seq_offset + new - 1
    for n, job in enumerate(jobs):
        stored = int(per_job.get(n, 0))
        job.counts = IngestCounts(job.table.num_rows, stored, job.table.num_rows - stored)
    log.info(
        "ingested %d %s batch(es): %d new, %d known", len(jobs), kind, new, incoming.num_rows - new
    )
