"""Typed values of event logs: ISO-8601 timestamps and XES-typed attribute values.

Shared by the XES and OCEL readers: :func:`to_utc_timestamps` parses dates (offsets
honoured, naive values read on a given clock), :func:`cast_strings` casts the
lexical values of an attribute to the Arrow type of its XES type.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TS_TYPE", "XES_TO_ARROW", "TimestampParseError", "cast_strings", "to_utc_timestamps"]

#: The type of every timestamp cojourney produces.
TS_TYPE = pa.timestamp("us", tz="UTC")
#: XES attribute types -> Arrow types (``id`` is a string).
XES_TO_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "id": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "date": TS_TYPE,
}


class TimestampParseError(ValueError):
    """A value that is not an ISO-8601 date; ``index`` is its position in the array."""

    def __init__(self, index: int, value: str) -> None:
        super().__init__(f"not an ISO-8601 date: {value!r}")
        self.index = index
        self.value = value


def to_utc_timestamps(
    values: pa.Array | pa.ChunkedArray, *, naive_timezone: str = "UTC"
) -> pa.Array | pa.ChunkedArray:
    """Parse ISO-8601 strings into ``timestamp[us, UTC]``.

    Offsets (``+02:00``, ``+0200``, ``Z``) are honoured; values without an offset
    are local times in ``naive_timezone``. A space may stand for ``T``; more than
    six fractional digits are truncated to microseconds; a date alone means
    midnight.

    Parameters
    ----------
    values
        A string array (nulls stay null), or timestamps (naive ones are local
        times in ``naive_timezone``).
    naive_timezone
        IANA name (``"Europe/Amsterdam"``) or offset (``"+01:00"``) of the clock
        that values without an offset were written in.

    Returns
    -------
    pyarrow.Array or pyarrow.ChunkedArray
        The instants, in UTC.

    Raises
    ------
    TimestampParseError
        For the first value that is not a date.

    Examples
    --------
    >>> import pyarrow as pa
    >>> values = pa.array(["2011-10-01T00:38:44.546+02:00", "2020-01-01 08:00"])
    >>> [t.isoformat() for t in to_utc_timestamps(values).to_pylist()]
    ['2011-09-30T22:38:44.546000+00:00', '2020-01-01T08:00:00+00:00']
    """
    naive_utc = naive_timezone in ("UTC", "Z", "+00:00", "Etc/UTC")
    if pa.types.is_timestamp(values.type):
        if values.type.tz:
            return pc.cast(values, TS_TYPE)
        return _assume(pc.cast(values, pa.timestamp("us")), naive_timezone)
    if naive_utc:
        try:
            return pc.cast(values, TS_TYPE)
        except pa.ArrowInvalid:
            pass
    norm = pc.utf8_trim_whitespace(values)
    norm = pc.replace_substring_regex(norm, r"^(\d{4}-\d{2}-\d{2})[ t]", r"\1T")
    norm = pc.replace_substring_regex(norm, r"^(\d{4}-\d{2}-\d{2})$", r"\1T00:00:00")
    norm = pc.replace_substring_regex(norm, r"(\.\d{6})\d+", r"\1")
    norm = pc.replace_substring_regex(norm, r"([+-]\d{2})(\d{2})$", r"\1:\2")
    norm = pc.replace_substring_regex(norm, r"(T[\d:.]+[+-]\d{2})$", r"\1:00")
    norm = pc.replace_substring_regex(norm, r"z$", "Z")
    has_zone = pc.match_substring_regex(norm, r"(Z|[+-]\d{2}:\d{2})$")
    try:
        if naive_utc:
            return pc.cast(
                pc.if_else(has_zone, norm, pc.binary_join_element_wise(norm, "Z", "")), TS_TYPE
            )
        zoned = pc.cast(pc.if_else(has_zone, norm, None), TS_TYPE)
        naive = pc.cast(pc.if_else(has_zone, None, norm), pa.timestamp("us"))
        return pc.coalesce(zoned, _assume(naive, naive_timezone))
    except pa.ArrowInvalid:
        pass
    flat = norm.combine_chunks() if isinstance(norm, pa.ChunkedArray) else norm
    raw = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    zone = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
    for i, value in enumerate(flat.to_pylist()):
        if value is None:
            continue
        try:
            pc.cast(pa.array([value if zone.search(value) else value + "Z"]), TS_TYPE)
        except pa.ArrowInvalid:
            raise TimestampParseError(i, str(raw[i].as_py())) from None
    raise AssertionError("unreachable: a value failed as a whole but not alone")


def _assume(naive: Any, timezone: str) -> Any:
    """Local times on the clock of ``timezone`` as UTC instants (ambiguous/missing: earliest)."""
    local = pc.assume_timezone(naive, timezone, ambiguous="earliest", nonexistent="earliest")
    return pc.cast(local, TS_TYPE)


def cast_strings(
    values: pa.Array, xes_type: str, *, naive_timezone: str = "UTC"
) -> pa.Array | None:
    """Cast lexical XES values to the Arrow type of ``xes_type``; ``None`` when they do not fit."""
    target = XES_TO_ARROW.get(xes_type, pa.string())
    if target == pa.string():
        return values
    try:
        if xes_type == "date":
            return to_utc_timestamps(values, naive_timezone=naive_timezone)
        if xes_type == "boolean":
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
            ok = pc.is_in(lowered, value_set=pa.array(["true", "false"]))
            if not pc.all(pc.or_kleene(ok, pc.is_null(values)), min_count=0).as_py():
                return None
            return pc.equal(lowered, "true")
        return pc.cast(pc.utf8_trim_whitespace(values), target)
    except (pa.ArrowInvalid, TimestampParseError):
        return None
