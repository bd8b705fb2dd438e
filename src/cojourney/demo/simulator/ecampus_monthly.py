"""eCampus Car Share: the monthly rhythm of a membership, the NPS and effort answers, leaving.

Each month of membership has its renewal, invoice and emissions report, and some
members answer the monthly NPS and effort survey: journey-level answers driven by the
month's worst trip (the peak) and its last trip (the end), so a peak-end analysis finds
signal. A few members score every touchpoint well yet the journey poorly. Members who
leave settle a last invoice, cancel and send back their swipe card. Members also join
the co-design workshops (July 2025, where the late-return alert was born, and November).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cojourney.demo.simulator.buffers import AnswerBuffer
from cojourney.demo.simulator.clock import DAY, HOUR, MINUTE, SECOND, LocalClock, lognormal
from cojourney.demo.simulator.ecampus_members import Members
from cojourney.demo.simulator.ecampus_trip_events import TripTimes
from cojourney.demo.simulator.ecampus_trips import MONTH, EcampusDates, Trips
from cojourney.demo.simulator.track import Track

#: Co-design workshops: (local day, share of active members who join).
WORKSHOPS = ((date(2025, 7, 15), 0.12), (date(2025, 11, 12), 0.05))
_BASE_SECONDS = 1_500_000_000


def _keys(member: np.ndarray, time: np.ndarray) -> np.ndarray:
    """One sortable int64 per (member, instant): member-major, then time in seconds."""
    return np.asarray(
        member.astype(np.int64) * (1 << 42) + (np.asarray(time) // SECOND - _BASE_SECONDS)
    )


class Moments:
    """Values at instants per member (trip experiences, emotion answers), searchable by window."""

    def __init__(self, member: np.ndarray, time: np.ndarray, value: np.ndarray) -> None:
        keys = _keys(member, time)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.value = np.asarray(value, dtype=np.float64)[order]

    def peak_and_end(
        self, member: np.ndarray, time: np.ndarray, window: int, *, extreme: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The peak and the last value in ``(time - window, time]``, and whether there was one.

        The peak is the lowest value, or with ``extreme`` the most intense one (largest
        magnitude, the negative one on a tie; for whole-number scores).
        """
        lo = np.searchsorted(self.keys, _keys(member, time - window), side="right")
        hi = np.searchsorted(self.keys, _keys(member, time), side="right")
        has = hi > lo
        peak = np.zeros(member.size)
        end = np.zeros(member.size)
        if has.any():
            pairs = np.column_stack([lo[has], hi[has]]).ravel()
            if extreme:
                code = np.abs(self.value) * 2 + (self.value < 0)
                top = np.maximum.reduceat(np.append(code, 0), pairs)[::2]
                peak[has] = np.where(top % 2 == 1, -(top // 2), top // 2)
            else:
                peak[has] = np.minimum.reduceat(np.append(self.value, np.inf), pairs)[::2]
            end[has] = self.value[hi[has] - 1]
        return peak, end, has


class TripIndex:
    """Finds the trip a member is on at an instant (sorted searches, no loops)."""

    def __init__(self, trips: Trips, times: TripTimes) -> None:
        self.member = trips.member
        self.times = times
        booked = _keys(trips.member, times.booked)
        self.by_booking = np.argsort(booked, kind="stable")
        self.booked_keys = booked[self.by_booking]
        self.experience = Moments(trips.member, times.finished, times.experience)

    def outside(self, member: np.ndarray, time: np.ndarray) -> np.ndarray:
        """``time`` moved to just after the trip it falls in (an invoice never lands mid-trip)."""
        if self.booked_keys.size == 0:
            return time
        j = np.searchsorted(self.booked_keys, _keys(member, time), side="right") - 1
        trip = self.by_booking[np.maximum(j, 0)]
        inside = (j >= 0) & (self.member[trip] == member) & (time < self.times.finished[trip])
        return np.where(inside, self.times.finished[trip] + 5 * MINUTE, time)


@dataclass
class SurveyAnswers:
    """Who answers the monthly survey, when, and how the month's trips felt (peak and end)."""

    member: np.ndarray
    when: np.ndarray
    trips_felt: np.ndarray


def emit_months(
    track: Track,
    answers: AnswerBuffer,
    members: Members,
    trips: Trips,
    times: TripTimes,
    tenure_end: np.ndarray,
    rng: np.random.Generator,
    clock: LocalClock,
    dates: EcampusDates,
) -> SurveyAnswers:
    """Monthly events, workshops and cancellations; returns who answers the monthly survey."""
    index = TripIndex(trips, times)
    on = members.onboarded & (tenure_end > 0)
    until = np.minimum(tenure_end, dates.observed_until)
    months = np.where(on, np.maximum((until - members.first_pickup - 1) // MONTH, 0), 0)
    member = np.repeat(np.arange(members.size), months)
    k = 1 + np.arange(member.size) - np.repeat(np.cumsum(months) - months, months)
    base = clock.at_hour(members.first_pickup[member] + k * MONTH, 9 + 3 * rng.random(member.size))
    invoice = index.outside(member, base)
    monthly = Track(track.events, member, invoice)
    monthly.at("monthly-invoice", invoice)
    jitter = (rng.random(member.size) * 2 * HOUR).astype(np.int64)
    report = index.outside(member, invoice + DAY + jitter)
    monthly.at("emissions-report", report)
    survey = index.outside(
        member, invoice + 2 * DAY + lognormal(rng, 3 * HOUR, 0.8, member.size).astype(np.int64)
    )
    responds = rng.random(member.size) < 0.45
    monthly.at("monthly-nps-survey", survey, responds)
    renewal = index.outside(member, np.maximum(invoice + 3 * DAY, survey + HOUR))
    monthly.at("membership-renewal", renewal)
    who, when = member[responds], survey[responds] + MINUTE
    peak, end, has = index.experience.peak_and_end(who, when, MONTH)
    felt = np.where(has, 0.55 * peak + 0.45 * end, 0.2)
    _workshops(track, members, until, rng, clock)
    who_answers = who
    leaves = on & (tenure_end < dates.observed_until)
    who = np.nonzero(leaves)[0]
    last = index.outside(who, tenure_end[who])
    leaving = Track(track.events, who, last)
    leaving.at("monthly-invoice", last)
    leaving.at("membership-cancellation", index.outside(who, last + HOUR))
    back = rng.random(who.size) < 0.8
    posted = last + lognormal(rng, 3 * DAY, 0.5, who.size).astype(np.int64)
    leaving.at("swipe-card-return", posted, back)
    return SurveyAnswers(who_answers, when, felt)


def answer_journey_scores(
    answers: AnswerBuffer,
    members: Members,
    survey: SurveyAnswers,
    emotions: Moments,
    rng: np.random.Generator,
) -> None:
    """NPS (0-10) and CES (1-7) about the whole journey, driven by peaks and ends.

    The member remembers the most intense moment and the last one they reported (the
    in-app emotion answers so far) and the month's worst and last trips; a few members
    (``disconnect``) score the journey poorly however well the moments went.
    """
    member, when = survey.member, survey.when
    s = member.size
    peak, end, has = emotions.peak_and_end(member, when, 10 * 365 * DAY, extreme=True)
    moments = np.where(has, 0.5 * peak + 0.5 * end, survey.trips_felt)
    journey = (
        0.6 * moments
        + 0.4 * survey.trips_felt
        + 0.4 * members.mood[member]
        + rng.normal(0, 0.35, s)
        - 3.5 * members.disconnect[member]
    )
    nps = np.clip(np.round(7.4 + 1.2 * journey + rng.normal(0, 0.8, s)), 0, 10)
    ces = np.clip(np.round(4.8 + 0.7 * journey + rng.normal(0, 0.6, s)), 1, 7)
    answers.add("nps", member, when, nps, touchpoint=None, channel="email")
    both = rng.random(s) < 0.9
    answers.add(
        "ces", member[both], when[both] + 30 * SECOND, ces[both], touchpoint=None, channel="email"
    )


def _workshops(
    track: Track, members: Members, until: np.ndarray, rng: np.random.Generator, clock: LocalClock
) -> None:
    for day, share in WORKSHOPS:
        when = clock.midnight(day) + 14 * HOUR
        active = members.onboarded & (members.first_pickup < when) & (until > when)
        joins = np.nonzero(active & (rng.random(members.size) < share))[0]
        track.events.emit("co-design-workshop", joins, np.full(joins.size, when, dtype=np.int64))
