"""Building blocks shared by every part of the domain model: ids, durations, scales."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

#: An identifier: letters, digits, ``_ . -``; unique within its collection.
Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=120),
    Field(json_schema_extra={"examples": ["book-car", "katrina"]}),
]

#: Emotion on the journey map's bipolar scale: -3 (very negative) to +3 (delighted).
Emotion = Annotated[float, Field(ge=-3, le=3)]

#: Influence or interest on the stakeholder map: 0 (none) to 10 (decisive).
Level = Annotated[float, Field(ge=0, le=10)]

#: A position on one of the eight culture-map scales: 0 (first pole) to 10 (second pole).
CultureScale = Annotated[float, Field(ge=0, le=10)]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: Any) -> Any:
    """Accept ``90`` or ``"90"`` (seconds), ``"90s"``, ``"5m"``, ``"1h30m"``, ``"2d"`` or ISO 8601 ``"PT5M"``.

    Anything else is passed on unchanged for pydantic to reject with its own message.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration(45)
    datetime.timedelta(seconds=45)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip()
        compact = text.replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", compact):
            return timedelta(seconds=float(compact))
        if compact and _DURATION_PART.sub("", compact) == "" and _DURATION_PART.search(compact):
            seconds = sum(
                float(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(compact)
            )
            return timedelta(seconds=seconds)
    return value


def format_duration(value: timedelta) -> str:
    """Write a duration the way people type it: ``"1h30m"``, ``"45s"``, ``"2d"``.

    >>> format_duration(timedelta(minutes=90))
    '1h30m'
    """
    total = value.total_seconds()
    if total == 0:
        return "0s"
    parts: list[str] = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        amount = total // size if unit != "s" else total
        if amount:
            parts.append(_seconds_text(amount) + "s" if unit == "s" else f"{int(amount)}{unit}")
            total -= amount * size if unit != "s" else total
    return "".join(parts)


def _seconds_text(amount: float) -> str:
    return f"{round(amount, 6):.6f}".rstrip("0").rstrip(".")


#: A length of time: seconds, ``"5m"``, ``"1h30m"``, ``"2d"`` or ISO 8601 (``"PT5M"``).
Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    Field(json_schema_extra={"examples": ["5m", "1h30m", "2d"]}),
]


class Model(BaseModel):
    """Base of every domain object: unknown fields are errors, values are checked on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        use_enum_values=False,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


class Named(Model):
    """An object with an id, a display name and an optional description."""

    id: Id
    name: str = Field(min_length=1)
    description: str | None = None
