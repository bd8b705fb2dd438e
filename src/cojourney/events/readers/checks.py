"""Row checks shared by every reader: an event needs a journey id, an activity and a
readable timestamp in range; ids and names must be short, one-line text.

:class:`BatchChecker` checks mapped batches as they stream and describes bad rows with
file, line or row, column, the value found and what to do; the store's imports describe
their staged bad rows with the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import ImportRejected, Location, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.schema import ColumnMapping
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["MAX_LISTED_PROBLEMS", "BadRow", "BatchChecker", "ProgressCallback", "checked_batches"]

log = logging.getLogger(__name__)

#: Problems listed one by one; the title of the error gives the total.
MAX_LISTED_PROBLEMS = 20

BadRow = tuple[Any, ...]
"""``(index, line or None, no journey id, no activity, no timestamp, timestamp text[,
journey id text, activity text])``: the flags are ``True``, or the text found (``"null"``);
the last two are the refused values of a journey id or activity (too long, a line break)."""

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of events read so far."""


def _refused_value(what: str, text: str) -> tuple[str, str, str, str]:
    """(message part, found, expected, hint) for an id or name that cannot be used."""
    limit = current_settings().max_value_chars
    if len(text) > limit:
        return (
            f"the {what} is {len(text):,} characters long",
            repr(text[:60]) + "...",
            f"at most {limit:,} characters (the setting max_value_chars)",
            f"check the column chosen for the {what} (and the separator and quoting)",
        )
    nul = "\x00" in text
    return (
        f"the {what} contains {'a NUL character' if nul else 'a line break'}",
        repr(text[:200]),
        "one line of printable text",
        "remove the NUL bytes from the file"
        if nul
        else "remove the line break from the value (a quoted value spanning lines?)",
    )


class BatchChecker:
    """Checks mapped batches, numbers their events and collects problems.

    Parameters
    ----------
    source
        The file, for messages.
    locate
        Turns a 0-based event index into a :class:`~cojourney.errors.Location`
        (CSV: line; JSON Lines: line; Parquet, XES: row in the message).
    mapping
        The resolved mapping, for column names and the timestamp format in messages.
    skip_incomplete
        Drop incomplete events (counted in :attr:`skipped_rows`) instead of
        collecting problems.
    """

    def __init__(
        self,
        source: str | Path,
        locate: Callable[[int, str], Location],
        mapping: ColumnMapping,
        *,
        skip_incomplete: bool = False,
        null_text: str | None = None,
    ):
        self.source = source
        self.locate = locate
        self.mapping = mapping
        self.skip_incomplete = skip_incomplete
        self.null_text = null_text
        self.rows_read = 0
        self.bad_rows = 0
        self.skipped_rows = 0
        self.problems: list[Problem] = []

    def check(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """The canonical batch, or ``None`` when a row of it has a problem."""
        import pyarrow as pa
        import pyarrow.compute as pc

        offset, n = self.rows_read, batch.num_rows
        self.rows_read += n
        jid, act = batch.column(S.JOURNEY_ID), batch.column(S.ACTIVITY)
        ts = batch.column(S.TIMESTAMP)
        empty_jid = pc.or_kleene(pc.is_null(jid), pc.equal(jid, ""))
        empty_act = pc.or_kleene(pc.is_null(act), pc.equal(act, ""))
        bad = pc.or_(pc.or_(empty_jid, empty_act), pc.is_null(ts))
        import numpy as np

        names = batch.schema.names
        seq = (
            batch.column("_event_seq").cast(pa.int64())
            if "_event_seq" in names
            else pa.array(np.arange(offset, offset + n, dtype=np.int64))
        )
        if pc.any(bad).as_py():
            if self.skip_incomplete:
                keep = pc.invert(bad)
                self.skipped_rows += n - pc.sum(keep.cast(pa.int64())).as_py()
                batch, seq, ts = batch.filter(keep), seq.filter(keep), ts.filter(keep)
            else:
                self._collect(
                    batch.filter(bad),
                    pa.array(range(offset, offset + n)).filter(bad),
                    empty_jid.filter(bad),
                    empty_act.filter(bad),
                )
        if self.bad_rows:
            return None
        columns = [
            batch.column(S.JOURNEY_ID),
            batch.column(S.ACTIVITY),
            ts.cast(pa.timestamp("us", tz="UTC")),
            seq,
            *(batch.column(name) for name in S.OPTIONAL_COLUMNS),
            batch.column(S.ATTRIBUTES),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=S.canonical_arrow_schema())

    def _collect(self, bad: pa.RecordBatch, indices: Any, empty_jid: Any, empty_act: Any) -> None:
        has_lines = "_source_line" in bad.schema.names
        lines = bad.column("_source_line").to_pylist() if has_lines else [None] * bad.num_rows
        self.bad_rows += bad.num_rows
        names = bad.schema.names

        def texts(name: str) -> list[Any]:
            return bad.column(name).to_pylist() if name in names else [None] * bad.num_rows

        def flags(empty: Any, column: str) -> list[Any]:
            values = bad.column(column).to_pylist()
            return [
                (self.null_text if v is None else True) if e and self.null_text else e
                for e, v in zip(empty.to_pylist(), values, strict=True)
            ]

        self.describe(
            zip(
                indices.to_pylist(),
                lines,
                flags(empty_jid, S.JOURNEY_ID),
                flags(empty_act, S.ACTIVITY),
                bad.column(S.TIMESTAMP).is_null().to_pylist(),
                bad.column("_timestamp_text").to_pylist(),
                texts("_journey_text"),
                texts("_activity_text"),
                strict=True,
            )
        )

    def describe(self, rows: Iterable[BadRow]) -> None:
        """Add problems for bad rows, up to :data:`MAX_LISTED_PROBLEMS` (counting is the caller's).

        Each row is ``(index, line or None, no journey id, no activity, no timestamp,
        timestamp text)``; ``index`` is the 0-based position in the input.
        """
        m = self.mapping
        for row in rows:
            index, line, no_jid, no_act, no_ts, raw = row[:6]
            jid_text, act_text = (*row[6:8], None, None)[:2]
            if len(self.problems) >= MAX_LISTED_PROBLEMS:
                return

            def where(column: str | None, index: int = index, line: int | None = line) -> Location:
                if line is not None:
                    return location_in(self.source, line=line, field=column)
                return self.locate(index, column or "")

            if jid_text is not None:
                self.problems.append(self._value_problem(index, "journey id", jid_text, where))
            elif no_jid:
                self.problems.append(
                    Problem(
                        f"event {index + 1} has no journey id",
                        where(m.journey_id),
                        found=no_jid if isinstance(no_jid, str) else "an empty value",
                        expected="the id of the journey (case) the event belongs to",
                        hint="fill the value, or remove the row",
                    )
                )
            if act_text is not None:
                self.problems.append(self._value_problem(index, "activity", act_text, where))
            elif no_act:
                self.problems.append(
                    Problem(
                        f"event {index + 1} has no activity",
                        where(m.activity),
                        found=no_act if isinstance(no_act, str) else "an empty value",
                        expected="the activity (touchpoint) name",
                        hint="fill the value, or remove the row",
                    )
                )
            if no_ts:
                self.problems.append(self._timestamp_problem(index, raw, where(m.timestamp)))

    def _value_problem(
        self, index: int, what: str, text: str, where: Callable[[str | None], Location]
    ) -> Problem:
        message, found, expected, hint = _refused_value(what, text)
        column = self.mapping.journey_id if what == "journey id" else self.mapping.activity
        return Problem(f"event {index + 1}: {message}", where(column), found, expected, hint)

    def _timestamp_problem(self, index: int, raw: str | None, where: Location) -> Problem:
        if raw is None:
            return Problem(
                f"event {index + 1} has no timestamp",
                where,
                found=self.null_text or "an empty value",
                expected="when the event happened",
                hint="fill the value, or remove the row",
            )
        fmt = self.mapping.timestamp_format
        low, high = S.TIMESTAMP_RANGE
        return Problem(
            f"event {index + 1}: the timestamp cannot be read",
            where,
            found=repr(raw),
            expected=(
                f"format {fmt}"
                if fmt
                else "ISO 8601, e.g. 2024-05-01 13:45:00 or 2024-05-01T13:45:00+02:00"
            )
            + f", from {low} to before {high} (UTC)",
            hint=(
                "fix the value, or correct mapping.timestamp.format"
                if fmt
                else "fix the value, or set mapping.timestamp.format, e.g. "
                "'%d/%m/%Y %H:%M' (strftime codes; %f = fraction)"
            ),
        )

    def rejection(self) -> ImportRejected:
        """The error to raise once every row has been checked."""
        listed = (
            ""
            if self.bad_rows <= len(self.problems)
            else f"; the first {len(self.problems)} are listed"
        )
        title = (
            f"{self.source}: {self.bad_rows} of {self.rows_read} events cannot be imported{listed}"
        )
        return ImportRejected(self.problems, title=title)


def checked_batches(
    batches: Iterable[pa.RecordBatch], checker: BatchChecker, on_progress: ProgressCallback | None
) -> Iterator[pa.RecordBatch]:
    """Yield checked canonical batches; after the first bad row keep checking, then raise."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        out = checker.check(batch)
        if on_progress is not None:
            on_progress(checker.rows_read)
        if out is not None:
            yield out
    if checker.bad_rows:
        raise checker.rejection()
    if checker.skipped_rows:
        log.warning(
            "%s: skipped %d of %d events without a usable journey id, activity or readable "
            "timestamp",
            checker.source,
            checker.skipped_rows,
            checker.rows_read,
        )
    log.debug("read %d events from %s", checker.rows_read, checker.source)
