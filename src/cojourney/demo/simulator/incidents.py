"""The incident-resolution simulator: one journey per incident (``INC0001234``).

Incidents have a priority (P1..P4, with month-end close raising ERP incidents to P2),
a persona (``anna``, the clerk; ``pieter``, her manager) and a reporting user. P1 and P2
are worked around the clock; P3 and P4 only in support hours (07:00-19:00 on working
days in the workspace's time zone, or the workspace's first business calendar with
hours). The paths, waits and answers are in :mod:`.incident_events`.

Calendar effects, read from the improvement register where present:

- before *confirm-before-close* was finished (2025-03-31) some tickets are closed
  without the user's confirmation, and more are reopened;
- before *proactive-status-updates* (2025-03-01) users get fewer status updates;
- from the *swarming-p1-p2* trial (2025-10-01) P1/P2 incidents are swarmed, are fixed
  faster and get more accurate estimates;
- February and March 2025 are a *watermelon* period ("months of green SLAs and unhappy
  users", before the happiness XLA): every SLA clock and target met, but optimistic
  estimates, lost work, rejected fixes and few updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cojourney.demo.simulator.buffers import (
    AnswerBuffer,
    EventBuffer,
    EventMeta,
    IdFormat,
    decode,
    events_table,
    format_ids,
)
from cojourney.demo.simulator.chunks import ChunkTables, Counters
from cojourney.demo.simulator.clock import DAY, WORKING_HOURS, BusinessClock, LocalClock, OpenHours
from cojourney.demo.simulator.common import JourneyInfo, emotion_answers, require_touchpoints
from cojourney.demo.simulator.incident_comments import incident_phrase_bank
from cojourney.demo.simulator.incident_events import IncidentDates, Incidents, emit_incidents
from cojourney.domain import BusinessCalendar, Workspace

EXAMPLE = "incident-resolution"
JOURNEY = "resolve-incident"
DEFAULT_PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
CHUNK = 100_000
PERSONAS = ("anna", "pieter")
PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_SHARES = np.array([0.03, 0.15, 0.50, 0.32])
#: Green SLAs, unhappy users: the months before the XLA and the proactive updates.
WATERMELON = (date(2025, 2, 1), date(2025, 4, 1))
EMOTION_SHARE = 0.08


def _improvement(workspace: Workspace, improvement: str, finished: bool, default: date) -> date:
    found = next((i for i in workspace.improvements if i.id == improvement), None)
    value = None if found is None else (found.finished if finished else found.started)
    return value or default


def _open_hours(calendars: list[BusinessCalendar]) -> tuple[tuple[OpenHours, ...], list[date]]:
    """The first calendar with working hours, as open hours and holidays (else 07-19 Mon-Fri)."""
    for calendar in calendars:
        if calendar.hours:
            hours = tuple(
                OpenHours(
                    frozenset(d.number for d in h.days),
                    h.start.hour * 60 + h.start.minute,
                    (h.end.hour * 60 + h.end.minute) or 1440,
                )
                for h in calendar.hours
            )
            return hours, [h.day for h in calendar.holidays] if calendar.holidays_stop_clock else []
    return WORKING_HOURS, []


@dataclass
class IncidentSimulator:
    """Simulates chunks of incidents opened between two local dates."""

    info: JourneyInfo
    clock: LocalClock
    business: BusinessClock
    dates: IncidentDates
    start_us: int
    end_us: int
    width: int
    users: int

    @classmethod
    def prepare(
        cls, workspace: Workspace, start: date, end: date, journeys: int, folder: str | None = None
    ) -> IncidentSimulator:
        journey = workspace.journey(JOURNEY)
        info = JourneyInfo.of(journey)
        require_touchpoints(journey, info.touchpoints, EXAMPLE, folder)
        clock = LocalClock(
            workspace.workspace.time_zone, start - timedelta(days=7), end + timedelta(days=120)
        )
        hours, holidays = _open_hours(workspace.calendars)
        business = BusinessClock(clock, hours, holidays)
        dates = IncidentDates(
            confirm_rule=clock.midnight(
                _improvement(workspace, "confirm-before-close", True, date(2025, 3, 31))
            ),
            updates=clock.midnight(
                _improvement(workspace, "proactive-status-updates", False, date(2025, 3, 1))
            ),
            swarming=clock.midnight(
                _improvement(workspace, "swarming-p1-p2", False, date(2025, 10, 1))
            ),
            watermelon=(clock.midnight(WATERMELON[0]), clock.midnight(WATERMELON[1])),
        )
        return cls(
            info,
            clock,
            business,
            dates,
            clock.midnight(start),
            clock.midnight(end + timedelta(days=1)),
            max(7, len(str(journeys))),
            max(10, journeys // 6),
        )

    def chunk(
        self, first: int, size: int, rng: np.random.Generator, counters: Counters
    ) -> ChunkTables:
        """Incidents ``first`` .. ``first + size - 1`` as canonical events and feedback."""
        info = self.info
        ids = IdFormat("INC", self.width, offset=first)
        events = EventBuffer(info.touchpoints, ids)
        answers = AnswerBuffer(
            info.touchpoints, info.steps, ids, comments=incident_phrase_bank()[0]
        )
        incidents = self._incidents(size, rng)
        emit_incidents(events, answers, incidents, rng, self.business, self.clock, self.dates)
        ordered = events.sorted()
        ordered = ordered.where(ordered.time < self.end_us)  # the export: still-open incidents run
        emotion_answers(answers, ordered, info, incidents.mood, rng, EMOTION_SHARE)
        priority = decode(incidents.priority, PRIORITIES)
        meta = EventMeta(
            info.touchpoints,
            info.channel,
            info.role,
            info.actor_prefix,
            PERSONAS,
            incidents.persona,
            journey_attrs={"priority": priority},
        )
        table = events_table(ordered, ids, meta, rng, counters.events)
        segment = decode(incidents.persona, PERSONAS)
        respondent = format_ids("u", rng.integers(0, self.users, size), 5)
        feedback = answers.table(respondent, segment, counters.answers, until=self.end_us)
        return ChunkTables(table, feedback, size)

    def _incidents(self, n: int, rng: np.random.Generator) -> Incidents:
        """Who reports what, when, and how urgent it is."""
        clock, business = self.clock, self.business
        opened = business.random_instants(rng, n, self.start_us, self.end_us)
        anytime = rng.integers(self.start_us, self.end_us, n)
        priority = rng.choice(4, n, p=PRIORITY_SHARES).astype(np.int8)
        urgent = priority < 2
        opened = np.where(urgent & (rng.random(n) < 0.25), anytime, opened)
        local_day = (clock.to_local(opened) // DAY).astype("datetime64[D]")
        month_end = (local_day.astype("datetime64[M]") + 1).astype("datetime64[D]") - local_day <= 3
        raised = month_end & ~urgent & (rng.random(n) < 0.5)  # month-end close: at least P2
        priority = np.where(raised, 1, priority).astype(np.int8)
        persona = (rng.random(n) < 0.2).astype(np.int8)
        lo, hi = self.dates.watermelon
        watermelon = (opened >= lo) & (opened < hi)
        mood = rng.normal(0, 0.3, n) - 0.8 * watermelon
        return Incidents(priority, persona, opened, watermelon, mood)
