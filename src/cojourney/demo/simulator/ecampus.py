"""The eCampus Car Share simulator: members, trips, months, answers, as canonical tables."""

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
from cojourney.demo.simulator.clock import LocalClock
from cojourney.demo.simulator.common import JourneyInfo, emotion_answers, require_touchpoints
from cojourney.demo.simulator.ecampus_comments import CommentWriter, phrase_bank
from cojourney.demo.simulator.ecampus_members import SEGMENTS, simulate_members
from cojourney.demo.simulator.ecampus_monthly import Moments, answer_journey_scores, emit_months
from cojourney.demo.simulator.ecampus_trip_events import emit_trips
from cojourney.demo.simulator.ecampus_trips import EcampusDates, pair_late_returns, plan_trips
from cojourney.demo.simulator.track import Track
from cojourney.domain import Workspace

EXAMPLE = "ecampus-car-share"
JOURNEY = "ecampus-member-journey"
#: Journeys start in this period unless told otherwise (docs/demo-data.md).
DEFAULT_PERIOD = (date(2025, 3, 1), date(2025, 11, 30))
#: Journeys per chunk: the output depends on it, so it is fixed.
CHUNK = 10_000
ALERT_TRIAL = date(2025, 9, 1)
TRAILER = (date(2025, 4, 1), date(2025, 8, 15))
#: Share of askable events that get an in-app emotion micro-survey.
EMOTION_SHARE = 0.07


def _improvement_dates(
    workspace: Workspace, improvement: str, default: tuple[date, date | None]
) -> tuple[date, date | None]:
    found = next((i for i in workspace.improvements if i.id == improvement), None)
    if found is None or found.started is None:
        return default
    return found.started, found.finished or default[1]


@dataclass
class EcampusSimulator:
    """Simulates chunks of eCampus member journeys between two local dates."""

    info: JourneyInfo
    clock: LocalClock
    dates: EcampusDates
    start_us: int
    end_us: int
    width: int

    @classmethod
    def prepare(
        cls, workspace: Workspace, start: date, end: date, journeys: int, folder: str | None = None
    ) -> EcampusSimulator:
        journey = workspace.journey(JOURNEY)
        info = JourneyInfo.of(journey)
        require_touchpoints(journey, info.touchpoints, EXAMPLE, folder)
        clock = LocalClock(
            workspace.workspace.time_zone, start - timedelta(days=7), end + timedelta(days=400)
        )
        trial, _ = _improvement_dates(workspace, "late-return-alert", (ALERT_TRIAL, None))
        launch, done = _improvement_dates(workspace, "trailer-add-on", TRAILER)
        until = clock.midnight(end + timedelta(days=1))
        dates = EcampusDates(
            until, clock.midnight(trial), clock.midnight(launch), clock.midnight(done or TRAILER[1])
        )
        return cls(info, clock, dates, clock.midnight(start), until, max(6, len(str(journeys))))

    def chunk(
        self, first: int, size: int, rng: np.random.Generator, counters: Counters
    ) -> ChunkTables:
        """Journeys ``first`` .. ``first + size - 1`` as canonical events and feedback."""
        info = self.info
        ids = IdFormat("m", self.width, offset=first)
        events = EventBuffer(info.touchpoints, ids)
        texts, bank = phrase_bank()
        answers = AnswerBuffer(info.touchpoints, info.steps, ids, comments=texts)
        writer = CommentWriter.for_chunk(rng, size, bank)
        track = Track(
            events,
            np.arange(size),
            rng.integers(self.start_us, self.end_us, size),
            awake=self.clock,
        )
        members = simulate_members(track, rng, self.clock)
        trips, tenure_end = plan_trips(members, rng, self.clock, self.dates)
        late = pair_late_returns(trips, rng, self.dates.alert_trial)
        times = emit_trips(
            events, answers, trips, late, members, rng, self.clock, counters.bookings, writer
        )
        survey = emit_months(
            track, answers, members, trips, times, tenure_end, rng, self.clock, self.dates
        )
        ordered = events.sorted()
        ordered = ordered.where(ordered.time < self.dates.observed_until)
        bias = 0.5 * members.mood + 0.8 * members.disconnect
        felt = emotion_answers(answers, ordered, info, bias, rng, EMOTION_SHARE)
        moments = Moments(felt.journey, felt.time, felt.score)
        answer_journey_scores(answers, members, survey, moments, rng)
        meta = EventMeta(
            info.touchpoints, info.channel, info.role, info.actor_prefix, SEGMENTS, members.segment
        )
        table = events_table(ordered, ids, meta, rng, counters.events)
        segment = decode(members.segment, SEGMENTS)
        respondent = format_ids("u", np.arange(first, first + size), self.width)
        feedback = answers.table(
            respondent, segment, counters.answers, until=self.dates.observed_until
        )
        return ChunkTables(table, feedback, size, bookings=trips.size)
