"""Service-level clocks and the business calendars they count in.

An SLA target such as "P3 incidents resolved within 24 support hours" needs more than
a number: when the clock starts and stops, when it pauses (waiting for the user), and
which hours count. A :class:`SlaClock` declares that on an agreement; a
:class:`BusinessCalendar` declares the working hours, time zone and holidays.

Every journey instance then gets a status per clock: ``met``, ``breached``, ``at_risk``
(still running, past the warning threshold), ``running`` or ``abandoned`` (the journey
ended or went silent before the stop event; ``abandoned_as`` may count it otherwise).
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import Field, model_validator

from cojourney.domain.common import Duration, Id, Model, Named


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as in :meth:`datetime.date.weekday`."""
        return list(Weekday).index(self)


class WorkingHours(Model):
    """Hours that count on the given days, e.g. ``{days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}``."""

    days: list[Weekday] = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start and self.end != time(0, 0):
            raise ValueError("working hours must end after they start (use 00:00 for midnight)")
        return self


class Holiday(Model):
    day: date
    name: str | None = None


class BusinessCalendar(Named):
    """When the clock runs: working hours in a time zone, minus holidays.

    A calendar with no ``hours`` runs around the clock (24x7) but still skips holidays
    only if ``holidays_stop_clock`` is true.
    """

    time_zone: str = Field("UTC", description="IANA time zone of the working hours.")
    hours: list[WorkingHours] = Field(default_factory=list, description="Empty: 24x7.")
    holidays: list[Holiday] = Field(default_factory=list)
    holidays_stop_clock: bool = True


class AbandonedAs(StrEnum):
    """How a clock whose journey ended (or went silent) before its stop event counts."""

    ABANDONED = "abandoned"  #: neither met nor breached: left out of compliance
    BREACHED = "breached"  #: counts as a breach
    MET = "met"  #: counts as met (e.g. a ticket closed when the user stops answering)


class ClockTarget(Model):
    """The allowed time of a clock, for one priority or segment (or for all)."""

    within: Duration
    priority: str | None = None
    segment: str | None = None
    calendar: Id | None = Field(None, description="Overrides the clock's calendar for this target.")
    attainment: float = Field(
        95.0, ge=0, le=100, description="Percentage of journeys that must meet it in a period."
    )


class SlaClock(Named):
    """A clock on each journey instance: start, stop and pause touchpoints, and targets."""

    journey: Id | None = None
    start: list[Id] = Field(
        min_length=1, description="Touchpoints that start the clock (the first one counts)."
    )
    stop: list[Id] = Field(
        min_length=1, description="Touchpoints that stop it (the first after the start)."
    )
    pause: list[Id] = Field(default_factory=list, description="Touchpoints that pause it.")
    resume: list[Id] = Field(
        default_factory=list,
        description="Touchpoints that resume it (default: any other touchpoint).",
    )
    calendar: Id | None = Field(None, description="Business calendar; none means 24x7 in UTC.")
    priority_attribute: str = Field(
        "priority", description="Event attribute (or 'segment') holding the priority."
    )
    warning: float = Field(
        0.75, gt=0, lt=1, description="Share of the allowed time after which it is at risk."
    )
    indicator: Id | None = Field(
        None, description="The indicator whose targets this clock measures."
    )
    abandoned_as: AbandonedAs = Field(
        AbandonedAs.ABANDONED,
        description=(
            "Status of a clock whose journey ended or was abandoned without a stop event: "
            "abandoned (left out of compliance), breached or met."
        ),
    )
    targets: list[ClockTarget] = Field(min_length=1)

    def target_for(self, priority: str | None, segment: str | None = None) -> ClockTarget | None:
        """The most specific target for a journey's priority and segment."""
        best: tuple[int, ClockTarget] | None = None
        for t in self.targets:
            if t.priority is not None and t.priority != priority:
                continue
            if t.segment is not None and t.segment != segment:
                continue
            score = (t.priority is not None) + (t.segment is not None)
            if best is None or score > best[0]:
                best = (score, t)
        return best[1] if best else None
