"""What the analyses pages show: the services' results as tables, with their filters.

Every analysis page runs the same service as the CLI command (``analyze``,
``experience``, ``agreements``, ``value``, ``leakage``, ``improvements``) and shows
its result as tables: each list of records in the result (``to_dict()``) is one table,
its columns the records' fields, so the page and its CSV carry the CLI's numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cojourney.errors import InputError, Location, Problem
from cojourney.services.handle import WorkspaceHandle

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter


@dataclass(frozen=True)
class Filters:
    """The filters of the analyses pages (a GET form): dates, segment, persona, where, paths.

    ``start``/``end`` are dates, both included; ``segment`` is a segment of the events;
    ``personas`` are ``persona=ID`` (journeys of these personas, by the workspace's
    rules); ``where=KEY=VALUE`` pairs (repeatable, every pair holding; ``attr=`` is
    read too) are case attributes (``attributes``: journeys with an event whose
    ``KEY`` is ``VALUE``), ``persona=ID`` or ``cohort=YYYY-MM``
    (:func:`cojourney.analytics.filters.parse_where`); the journeys and experience
    pages apply them; ``paths`` is how many variants (paths) the journeys page lists.
    """

    start: date | None = None
    end: date | None = None
    segment: str | None = None
    paths: int = 10
    attributes: tuple[tuple[str, str], ...] = ()
    personas: tuple[str, ...] = ()
    cohorts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """The filters of a query string; a wrong value is an :class:`InputError`."""

        def day(name: str) -> date | None:
            raw = (query.get(name) or "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise InputError(
                    Problem(
                        f"the {name} date is not a date",
                        Location(field=name),
                        found=raw,
                        expected="YYYY-MM-DD",
                    )
                ) from None

        raw_paths = (query.get("paths") or "10").strip()
        if not raw_paths.isdigit() or not 1 <= int(raw_paths) <= 200:
            raise InputError(
                Problem(
                    "the number of paths must be a whole number from 1 to 200",
                    Location(field="paths"),
                    found=raw_paths,
                )
            )
        start, end = day("from"), day("to")
        if start and end and end < start:
            raise InputError(
                Problem(
                    "the time window is empty",
                    Location(field="to"),
                    found=f"{start} .. {end}",
                    hint="the 'to' date must not come before the 'from' date",
                )
            )
        segment = (query.get("segment") or "").strip() or None
        where = _where(query)
        personas = tuple(dict.fromkeys((*_values(query, "persona"), *where["personas"])))
        return cls(
            start, end, segment, int(raw_paths), where["attributes"], personas, where["cohorts"]
        )

    def key(self) -> tuple[Any, ...]:
        """Hashable, for the results cache."""
        return (
            self.start,
            self.end,
            self.segment,
            self.paths,
            self.attributes,
            self.personas,
            self.cohorts,
        )

    def journey_filter_arguments(self) -> dict[str, Any]:
        """The case attribute, persona and cohort arguments of a ``JourneyFilter``."""
        return {"attributes": self.attributes, "personas": self.personas, "cohorts": self.cohorts}

    def query(self) -> str:
        """The query string that gives these filters back (for links and CSV)."""
        from urllib.parse import urlencode

        values = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "segment": self.segment or "",
            "paths": str(self.paths),
        }
        pairs = [(k, v) for k, v in values.items() if v]
        pairs += [("persona", p) for p in self.personas]
        pairs += [("where", f"{key}={value}") for key, value in self.attributes]
        pairs += [("where", f"cohort={c}") for c in self.cohorts]
        return urlencode(pairs)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """``[start, end)`` in UTC datetimes (the end date is included)."""
        start = datetime.combine(self.start, time(), UTC) if self.start else None
        end = datetime.combine(self.end + timedelta(days=1), time(), UTC) if self.end else None
        return start, end


def _values(query: Mapping[str, str], name: str) -> list[str]:
    """Every non-blank value of ``name`` in a query string, in order."""
    getlist = getattr(query, "getlist", None)
    raw = list(getlist(name)) if callable(getlist) else [query.get(name) or ""]
    return [r.strip() for r in raw if r.strip()]


def _where(query: Mapping[str, str]) -> dict[str, Any]:
    """The ``where=KEY=VALUE`` (and older ``attr=KEY=VALUE``) pairs of a query string."""
    from cojourney.analytics.filters import JourneyFilter, parse_where

    parsed = parse_where([*_values(query, "where"), *_values(query, "attr")])
    JourneyFilter(cohorts=parsed["cohorts"])  # checks the cohorts' form
    return parsed


def persona_choices(workspace: Any) -> list[tuple[str, str]]:
    """``(id, name)`` of the workspace's personas, then the journeys matching none."""
    from cojourney.analytics.segments import NO_PERSONA

    return [(p.id, p.name) for p in workspace.personas] + [(NO_PERSONA, "No persona")]


@dataclass
class Table:
    """One table of a page: a name (for the CSV link), a title, columns and rows."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]

    def csv(self) -> str:
        """The table as CSV (header row first)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([[cell_text(v) for v in row] for row in self.rows])
        return out.getvalue()


@dataclass(frozen=True)
class Analysis:
    """An analysis page: its title, what it filters by, and how it is computed."""

    name: str
    title: str
    compute: Callable[[WorkspaceHandle, str, Filters], dict[str, Any]]
    filters_by: tuple[str, ...] = ("from", "to", "segment")
    notes: tuple[str, ...] = field(default=())


def cell_text(value: Any) -> str:
    """A cell as text: lists of names joined by arrows, records as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return " → ".join(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(_rounded(value), default=str)
    return str(value)


def _rounded(value: Any) -> Any:
    """``value`` with every float to 6 significant digits (as the cells show them)."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def result_tables(result: Mapping[str, Any], prefix: str = "") -> list[Table]:
    """Every list of records in ``result`` (nested at any depth) as a table."""
    tables: list[Table] = []
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns: list[str] = []
            for record in value:
                columns += [c for c in record if c not in columns]
            rows = [[record.get(c) for c in columns] for record in value]
            tables.append(Table(name, name.replace(".", " · ").replace("_", " "), columns, rows))
        elif isinstance(value, dict):
            tables += result_tables(value, prefix=f"{name}.")
    return tables


def summary(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The top-level single values of ``result`` (counts, ids), as label/value pairs.

    Durations (a key naming seconds or durations) read as ``71d 7h`` with the seconds
    beside them; the CSV downloads keep the plain numbers.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in result.items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            pairs.append((key.replace("_", " "), _summary_text(key, value)))
        elif isinstance(value, dict) and all(
            isinstance(v, str | int | float | type(None)) for v in value.values()
        ):
            pairs += [
                (f"{key} {k}".replace("_", " "), _summary_text(f"{key} {k}", v))
                for k, v in value.items()
            ]
    return pairs


def _summary_text(key: str, value: Any) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and ("duration" in key or "second" in key):
        from cojourney.report.html import duration

        return f"{duration(value)} ({value:,.0f} s)"
    return cell_text(value)


# --------------------------------------------------------------------------- the analyses


def _journeys(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.services.analysis import analyze_workspace

    start, end = f.window()
    segments = (f.segment,) if f.segment else ()
    result = analyze_workspace(
        handle,
        journey_id=journey_id,
        filters=JourneyFilter(
            start=start, end=end, segments=segments, **f.journey_filter_arguments()
        ),
        breakdown_by=("segment", "persona", "cohort", "channel", "month"),
        top_variants=f.paths,
    )
    return result.to_dict()


def _experience(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.services.experience import experience_report

    start, end = f.window()
    groups = f.journey_filter_arguments()
    return experience_report(
        handle,
        journey_id=journey_id,
        start=start,
        end=end,
        segment=f.segment,
        by=("persona",),
        journey_filter=JourneyFilter(**groups) if any(groups.values()) else None,
    ).to_dict()


def _kept(f: Filters, *, window: bool = False) -> JourneyFilter:
    """The journeys the page's segment, persona and where filters keep (and, with
    ``window``, its dates as the window of the journeys' start)."""
    from cojourney.analytics.filters import JourneyFilter

    start, end = f.window() if window else (None, None)
    segments = (f.segment,) if f.segment else ()
    return JourneyFilter(start=start, end=end, segments=segments, **f.journey_filter_arguments())


def journey_filter_of(f: Filters) -> JourneyFilter:
    """The journeys the page's filters keep, its dates the window of their start."""
    return _kept(f, window=True)


def _agreements(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.services.agreements import agreements_report

    return agreements_report(handle, start=f.start, end=f.end, filters=_kept(f)).to_dict()


def _value(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.services.value import value_report

    return value_report(
        handle, start=f.start, end=f.end, journey_id=journey_id, filters=_kept(f)
    ).to_dict()


def _leakage(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.services.agreements import leakage

    return leakage(handle, journey_id=journey_id, filters=_kept(f, window=True)).to_dict()


def _improvements(handle: WorkspaceHandle, journey_id: str, f: Filters) -> dict[str, Any]:
    from cojourney.services.value import improvement_report

    found = improvement_report(handle, journey_id=journey_id, filters=_kept(f, window=True))
    return {"improvements": [r.to_dict() for r in found]}


_LOCAL_DATES = "Dates are local dates of the workspace's time zone."
_FILTERS = ("from", "to", "segment", "persona", "where")
ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis(
            "journeys",
            "Actual journeys",
            _journeys,
            ("from", "to", "segment", "persona", "where", "paths"),
        ),
        Analysis(
            "experience", "Experience", _experience, ("from", "to", "segment", "persona", "where")
        ),
        Analysis(
            "agreements-status",
            "Agreements (SLA and XLA)",
            _agreements,
            _FILTERS,
            (_LOCAL_DATES + " The dates select clocks that started, and target periods.",),
        ),
        Analysis(
            "value",
            "Value indicators",
            _value,
            _FILTERS,
            (
                _LOCAL_DATES,
                "Indicators fed by measurements follow a segment filter only; with a "
                "persona or where filter they read as not measured.",
            ),
        ),
        Analysis(
            "leakage",
            "Value leakage",
            _leakage,
            _FILTERS,
            ("The leaks of the journeys that started in the window and match the filters.",),
        ),
        Analysis(
            "improvements-effect",
            "Improvements and their effect",
            _improvements,
            _FILTERS,
            (
                "Each effect is tested on its own before/after windows, among the journeys "
                "that started in the dates and match the filters.",
            ),
        ),
    )
}
