"""The canonical event-log schema every reader produces and every analysis consumes.

One row is one event of one journey (a *case* in process-mining terms):

============== ============================ ==========================================
column         type                         meaning
============== ============================ ==========================================
journey_id     string, required             the journey (case) the event belongs to
activity       string, required             what happened: a touchpoint id
timestamp      timestamp[us, UTC], required when it happened, as a UTC instant
event_seq      int64, required              input order; breaks ties in ``timestamp``
channel        string                       contact channel (web, phone, desk, ...)
actor          string                       who performed it (XES ``org:resource``)
role           string                       the actor's role (XES ``org:role``)
segment        string                       customer segment or persona
lifecycle      string                       XES ``lifecycle:transition``
attributes     string (a JSON object)       every other source column, by name
============== ============================ ==========================================

The store keeps one more column beside these, ``event_id``: the id a sender gives an
event through the ingestion API (an event id is stored once); file imports leave it
null.

The events of a journey are ordered by ``(timestamp, event_seq)``: equal timestamps
keep the order of the input. Nothing here imports DuckDB, Ibis or Spark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

JOURNEY_ID: Final = "journey_id"
ACTIVITY: Final = "activity"
TIMESTAMP: Final = "timestamp"
EVENT_SEQ: Final = "event_seq"
CHANNEL: Final = "channel"
ACTOR: Final = "actor"
ROLE: Final = "role"
SEGMENT: Final = "segment"
LIFECYCLE: Final = "lifecycle"
ATTRIBUTES: Final = "attributes"
#: The sender's id of an event (ingestion API); a store column, not a canonical one.
EVENT_ID: Final = "event_id"

#: Every canonical column, in schema order.
CANONICAL_COLUMNS: Final[tuple[str, ...]] = (
    JOURNEY_ID,
    ACTIVITY,
    TIMESTAMP,
    EVENT_SEQ,
    CHANNEL,
    ACTOR,
    ROLE,
    SEGMENT,
    LIFECYCLE,
    ATTRIBUTES,
)
#: Columns a reader must fill on every row.
REQUIRED_COLUMNS: Final[tuple[str, ...]] = (JOURNEY_ID, ACTIVITY, TIMESTAMP)
#: Optional string columns a :class:`ColumnMapping` may fill from a source column.
OPTIONAL_COLUMNS: Final[tuple[str, ...]] = (CHANNEL, ACTOR, ROLE, SEGMENT, LIFECYCLE)

#: The instants an event may have, in UTC: from the first (included) to the second
#: (excluded). Every reader refuses (or, skipping, sets aside) a timestamp outside,
#: with its row; inside, every analysis computes in Python, DuckDB and Spark alike.
TIMESTAMP_RANGE: Final[tuple[str, str]] = ("1900-01-01 00:00:00+00:00", "2200-01-01 00:00:00+00:00")

#: XES standard attribute names (what PM4Py and the XES reader call the columns).
XES_CASE: Final = "case:concept:name"
XES_ACTIVITY: Final = "concept:name"
XES_TIMESTAMP: Final = "time:timestamp"
XES_OPTIONAL: Final[Mapping[str, str]] = {
    LIFECYCLE: "lifecycle:transition",
    ACTOR: "org:resource",
    ROLE: "org:role",
}

_ARROW_SCHEMA: pa.Schema | None = None


def canonical_arrow_schema() -> pa.Schema:
    """The canonical schema as a :class:`pyarrow.Schema` (built once, on first use).

    Returns
    -------
    pyarrow.Schema
        ``journey_id``, ``activity`` (string, not null), ``timestamp``
        (``timestamp[us, tz=UTC]``, not null), ``event_seq`` (int64, not null) and
        the nullable strings ``channel``, ``actor``, ``role``, ``segment``,
        ``lifecycle``, ``attributes``.
    """
    global _ARROW_SCHEMA
    if _ARROW_SCHEMA is None:
        import pyarrow as pa

        _ARROW_SCHEMA = pa.schema(
            [
                pa.field(JOURNEY_ID, pa.string(), nullable=False),
                pa.field(ACTIVITY, pa.string(), nullable=False),
                pa.field(TIMESTAMP, pa.timestamp("us", tz="UTC"), nullable=False),
                pa.field(EVENT_SEQ, pa.int64(), nullable=False),
                *(pa.field(name, pa.string()) for name in OPTIONAL_COLUMNS),
                pa.field(ATTRIBUTES, pa.string()),
            ]
        )
    return _ARROW_SCHEMA


def __getattr__(name: str) -> object:
    """``CANONICAL_SCHEMA``: the pyarrow schema, built lazily (importing pyarrow costs time)."""
    if name == "CANONICAL_SCHEMA":
        return canonical_arrow_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Where the canonical columns come from in a source file.

    Parameters
    ----------
    journey_id, activity, timestamp
        Source column names of the three required columns. ``None`` means "not
        chosen yet": :meth:`resolve` fills them from XES-style names when the file
        has them.
    channel, actor, role, segment, lifecycle
        Optional source columns; ``None`` leaves the canonical column empty.
    timestamp_format
        A ``strftime`` format (``%Y/%m/%d %H:%M:%S.%f``) for text timestamps;
        ``None`` accepts ISO 8601 (``2011-10-11 13:45:40.276+02:00``, ``2011-10-11T13:45:40Z``,
        ``2005-03-23``). ``%f`` takes 1 to 6 digits of fractional seconds.
    timezone
        IANA time zone of timestamps written *without* an offset (default ``UTC``).
        Timestamps with an offset are always converted with their own offset.
    activity_renames
        ``{source value: activity}`` applied after reading (e.g. to map raw event
        names onto touchpoint ids). Values not listed are kept as they are.
    attributes
        Source columns kept in the JSON ``attributes`` column. ``None`` keeps every
        column that is not mapped to a canonical column (nothing is lost on
        import); ``()`` keeps none (fastest, what ad-hoc analysis uses).
    """

    journey_id: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    channel: str | None = None
    actor: str | None = None
    role: str | None = None
    segment: str | None = None
    lifecycle: str | None = None
    timestamp_format: str | None = None
    timezone: str = "UTC"
    activity_renames: Mapping[str, str] = field(default_factory=dict, hash=False)
    attributes: tuple[str, ...] | None = None

    def sources(self) -> dict[str, str]:
        """``{canonical column: source column}`` for every column that is mapped."""
        names = (JOURNEY_ID, ACTIVITY, TIMESTAMP, *OPTIONAL_COLUMNS)
        return {name: src for name in names if (src := getattr(self, name)) is not None}

    def missing_required(self) -> list[str]:
        """Required canonical columns that have no source column yet."""
        return [name for name in REQUIRED_COLUMNS if getattr(self, name) is None]

    def resolve(
        self, available: list[str] | tuple[str, ...], *, xes_optional: bool = True
    ) -> ColumnMapping:
        """Fill unset columns from XES-style names present in ``available``.

        The required columns default to ``case:concept:name``, ``concept:name`` and
        ``time:timestamp`` when the file has them; with ``xes_optional`` the optional
        ones default to ``lifecycle:transition``, ``org:resource`` and ``org:role``.
        Columns set explicitly are never changed.

        Parameters
        ----------
        available
            The source file's column names.
        xes_optional
            Also fill the optional columns from XES names.

        Returns
        -------
        ColumnMapping
            A copy with the defaults applied; still possibly incomplete (see
            :meth:`missing_required`).
        """
        present = set(available)
        defaults = {JOURNEY_ID: XES_CASE, ACTIVITY: XES_ACTIVITY, TIMESTAMP: XES_TIMESTAMP}
        if xes_optional:
            defaults.update(XES_OPTIONAL)
        changes: dict[str, Any] = {
            name: src
            for name, src in defaults.items()
            if getattr(self, name) is None and src in present
        }
        return replace(self, **changes) if changes else self
