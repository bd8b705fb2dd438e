"""eCampus Car Share: the events and answers of each trip.

Every event of a trip carries its ``booking_id``; the pickup and return touchpoints
carry the telematics readings of ``docs/demo-data.md`` (``soc_pct``, ``plugged_in``,
``minutes_late``, ``km``, ``kwh``), the late-return call its ``wait_seconds``, and the
late-return handling the journeys it links (``affected_by``, ``next_journey``).

Each trip also gets a latent *experience* (how it felt as a whole, about -3..3): the
post-trip CSAT follows it, and the monthly NPS and effort answers follow the worst
trip (the peak) and the last trip (the end) of the month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cojourney.demo.simulator.buffers import (
    AnswerBuffer,
    AttrValues,
    EventBuffer,
    JourneyRef,
    format_ids,
)
from cojourney.demo.simulator.clock import MINUTE, SECOND, LocalClock, lognormal
from cojourney.demo.simulator.ecampus_comments import CommentWriter
from cojourney.demo.simulator.ecampus_members import Members
from cojourney.demo.simulator.ecampus_trips import LateEffects, Trips
from cojourney.demo.simulator.track import Track

BOOKING_WIDTH = 7


class _Toned(Track):
    """A track whose events carry the trip's tone: how the whole trip feels colours each moment."""

    def __init__(
        self, events: EventBuffer, journey: np.ndarray, start: np.ndarray, tone: np.ndarray
    ) -> None:
        super().__init__(events, journey, start)
        self.tone = tone

    def at(
        self,
        touchpoint: str,
        when: np.ndarray,
        mask: np.ndarray | None = None,
        *,
        attrs: Mapping[str, AttrValues] | None = None,
        feel: np.ndarray | float | None = None,
        advance: bool = False,
    ) -> np.ndarray:
        feel = self.tone + (0.0 if feel is None else feel)
        return super().at(touchpoint, when, mask, attrs=attrs, feel=feel, advance=advance)


@dataclass
class TripTimes:
    """When each trip starts (its booking) and is over (receipt), and how it felt."""

    booked: np.ndarray
    finished: np.ndarray
    experience: np.ndarray


def emit_trips(
    events: EventBuffer,
    answers: AnswerBuffer,
    trips: Trips,
    late: LateEffects,
    members: Members,
    rng: np.random.Generator,
    clock: LocalClock,
    booking_offset: int,
    writer: CommentWriter | None = None,
) -> TripTimes:
    """Emit every trip's events, its CSAT and late-car answers (with comments when a
    ``writer`` is given); return the trip times."""
    t = trips.size
    experience = _experience(rng, trips, late, members)
    track = _Toned(events, trips.member, trips.pick, 0.7 * (experience - 0.6))
    booking = {"booking_id": format_ids("b", booking_offset + np.arange(t), BOOKING_WIDTH)}
    delay = np.zeros(t, dtype=np.int64)
    delay[late.affected] = late.delay
    pick = trips.pick + delay
    sw = trips.switch_car
    going = pick + np.where(sw, 11 * MINUTE, 0)
    drive = going + 5 * MINUTE + np.where(trips.trailer, 20 * MINUTE, 0)
    end = np.maximum(trips.end + delay, drive + 15 * MINUTE)
    survey = end + lognormal(rng, 15 * MINUTE, 1.0, t).astype(np.int64)
    rated = rng.random(t) < 0.35
    done = np.where(rated, survey, end + MINUTE)  # the trip is over for the member
    booked = np.where(
        trips.is_first, members.first_booking[trips.member], _booking_times(rng, clock, trips, done)
    )
    track.at("first-booking", booked, trips.is_first, attrs=booking)
    track.at("book-car", booked, ~trips.is_first, attrs=booking)
    track.at("booking-confirmation", booked + 20 * SECOND, attrs=booking)
    monitor = np.maximum(trips.pick - 30 * MINUTE, booked + MINUTE)
    track.at("charge-state-monitoring", monitor, attrs=booking)
    track.at(
        "fleet-redistribution",
        monitor + 5 * MINUTE,
        rng.random(t) < 0.06 + 0.4 * (trips.soc_pick < 50),
        attrs=booking,
    )
    _late_handling(track, trips, late, booking)
    walks = rng.random(t) < 0.8  # the rest find the car parked right outside
    track.at("locate-car-in-app", pick - 8 * MINUTE, attrs=booking)
    track.at("walk-to-car", pick - 6 * MINUTE, walks, attrs=booking)
    track.at("swipe-card-unlock", pick, attrs=booking, feel=np.where(trips.is_first, 0.5, 0.0))
    low_pick = np.where(trips.soc_pick < 50, -2.5, 0.0)
    track.at(
        "charge-level-at-pickup",
        pick + 40 * SECOND,
        attrs={**booking, "soc_pct": trips.soc_pick},
        feel=low_pick,
    )
    track.at("locate-car-in-app", pick + 3 * MINUTE, sw, attrs=booking)
    track.at("walk-to-car", pick + 5 * MINUTE, sw & walks, attrs=booking)
    track.at("swipe-card-unlock", pick + 10 * MINUTE, sw, attrs=booking)
    track.at(
        "charge-level-at-pickup",
        pick + 10 * MINUTE + 40 * SECOND,
        sw,
        attrs={**booking, "soc_pct": trips.soc_start},
    )
    track.at("start-car", going + 2 * MINUTE, attrs=booking)
    track.at("trailer-pickup", going + 15 * MINUTE, trips.trailer, attrs=booking)
    track.at("driving", drive, attrs=booking)
    warning = drive + ((end - drive) * 0.6).astype(np.int64)
    track.at("low-charge-warning", warning, trips.low_warning, attrs=booking)
    charging = np.where(trips.low_warning, warning + 8 * MINUTE, drive + (end - drive) // 2)
    track.at("charge-on-the-way", charging, trips.charge_on_way, attrs=booking)
    slow = trips.called & (trips.wait_seconds > 90)
    call = np.minimum(trips.call_time + delay, end - 12 * MINUTE)
    track.at(
        "late-return-call",
        call,
        trips.called,
        attrs={**booking, "wait_seconds": trips.wait_seconds},
        feel=np.where(slow, -1.0, 0.0),
    )
    dispatched = late.trial
    rows = late.late[dispatched]
    events.emit(
        "late-alert-dispatch",
        trips.member[rows],
        late.dispatch_time[dispatched],
        attrs={
            "booking_id": booking["booking_id"].take(rows),
            "next_journey": JourneyRef(trips.member[late.affected[dispatched]]),
        },
    )
    track.at("trailer-return", end - 25 * MINUTE, trips.trailer, attrs=booking)
    track.at(
        "return-to-charging-station", end - 20 * MINUTE, trips.no_free_bay, attrs=booking, feel=-1.5
    )
    track.at("return-to-charging-station", end - 8 * MINUTE, attrs=booking)
    low_return = (trips.soc_return < 30) | (trips.plugged_in == 0)
    track.at(
        "plug-in-end-trip",
        end,
        attrs={
            **booking,
            "soc_pct": trips.soc_return,
            "plugged_in": trips.plugged_in,
            "minutes_late": trips.minutes_late,
            "km": trips.km,
            "kwh": trips.kwh,
        },
        feel=np.where(low_return, -1.0, 0.0),
    )
    track.at("trip-receipt", end + MINUTE, attrs=booking)
    track.at("post-trip-csat", survey, rated, attrs=booking)
    disconnect = members.disconnect[trips.member]
    csat = np.clip(
        np.round(3.9 + 0.7 * experience + 0.5 * disconnect + rng.normal(0, 0.6, t)), 1, 5
    )
    answers.add(
        "csat",
        trips.member[rated],
        survey[rated] + 30 * SECOND,
        csat[rated],
        touchpoint="post-trip-csat",
        channel="app",
        attrs={"booking_id": booking["booking_id"].filter(rated)},
        comment=None
        if writer is None
        else writer.codes(
            trips.member[rated], _trip_situations(trips, late, csat)[rated], csat[rated]
        ),
    )
    _late_car_answers(answers, trips, late, rng, survey, booking["booking_id"], writer)
    return TripTimes(booked, done + MINUTE, experience)


def _booking_times(
    rng: np.random.Generator, clock: LocalClock, trips: Trips, done: np.ndarray
) -> np.ndarray:
    """A day or so ahead (not at night), but never before the member's previous trip is over."""
    t = trips.size
    lead = np.maximum(lognormal(rng, 20 * 3600 * SECOND, 0.8, t), 10 * MINUTE).astype(np.int64)
    previous_end = np.roll(done, 1)
    after_previous = np.where(trips.is_first, 0, previous_end + 2 * MINUTE)
    booked = clock.awake(np.maximum(trips.pick - lead, after_previous))
    return np.asarray(np.minimum(booked, trips.pick - 5 * MINUTE))


def _late_handling(
    track: Track, trips: Trips, late: LateEffects, booking: dict[str, AttrValues]
) -> None:
    """What the next member sees of a late return: before the trial and during it."""
    rows = np.zeros(trips.size, dtype=bool)
    by = np.full(trips.size, -1, dtype=np.int64)
    by[late.affected] = trips.member[late.late]
    attrs = {**booking, "affected_by": JourneyRef(by)}

    def on(selected: np.ndarray) -> np.ndarray:
        mask = rows.copy()
        mask[late.affected[selected]] = True
        return mask

    def full(values: np.ndarray, selected: np.ndarray) -> np.ndarray:
        out = np.zeros(trips.size, dtype=np.int64)
        out[late.affected[selected]] = values[selected]
        return out

    trial = late.trial
    track.at("late-return-alert", full(late.alert_time, trial), on(trial), attrs=attrs, feel=1.0)
    waited = ~trial & ~late.before_start  # finds no car at the bay first
    track.at("locate-car-in-app", trips.pick - 6 * MINUTE, on(waited), attrs=booking)
    track.at("walk-to-car", trips.pick - 4 * MINUTE, on(waited), attrs=booking)
    reassigned = late.reassigned
    track.at(
        "car-reassigned",
        full(late.reassign_time, reassigned),
        on(reassigned),
        attrs=attrs,
        feel=np.where(on(~trial & reassigned), -2.0, 0.0),
    )


def _experience(
    rng: np.random.Generator, trips: Trips, late: LateEffects, members: Members
) -> np.ndarray:
    """The latent experience of each trip (about -3..3)."""
    t = trips.size
    hit = np.zeros(t)
    hit[late.affected] = np.select(
        [late.trial & late.reassigned, late.trial, late.before_start], [-0.3, -0.8, -1.2], -2.6
    )
    return np.asarray(
        0.6
        + rng.normal(0, 0.5, t)
        + 0.5 * trips.is_first
        + hit
        - 1.5 * (trips.soc_pick < 50)
        - 1.0 * trips.low_warning
        - 0.5 * trips.charge_on_way
        - 0.6 * (trips.minutes_late > 15)
        - 0.5 * (trips.called & (trips.wait_seconds > 90))
        - 0.8 * trips.no_free_bay
        + 0.3 * members.mood[trips.member]
    )


def _late_car_answers(
    answers: AnswerBuffer,
    trips: Trips,
    late: LateEffects,
    rng: np.random.Generator,
    survey: np.ndarray,
    booking_ids: Any,
    writer: CommentWriter | None = None,
) -> None:
    """``late-car`` (1-5): how well the late car was handled, asked after the trip."""
    m = late.affected.size
    base = np.select(
        [late.trial & late.reassigned, late.trial, late.before_start], [4.3, 3.9, 3.0], 1.9
    )
    score = np.clip(np.round(base + rng.normal(0, 0.75, m)), 1, 5)
    answered = rng.random(m) < 0.75
    rows = late.affected[answered]
    on_alert = late.trial & ~late.reassigned
    tp = np.where(on_alert, answers.codes["late-return-alert"], answers.codes["car-reassigned"])
    answers.add(
        "late-car",
        trips.member[rows],
        survey[rows] + 45 * SECOND,
        score[answered],
        touchpoint=tp[answered],
        channel="app",
        attrs={"booking_id": booking_ids.take(rows)},
        comment=None
        if writer is None
        else writer.codes(
            trips.member[rows],
            np.where(late.trial & (score >= 4), "alert_helped", "late_car")[answered],
            score[answered],
        ),
    )


def _trip_situations(trips: Trips, late: LateEffects, csat: np.ndarray) -> np.ndarray:
    """What a member would write about each trip (see :mod:`.ecampus_comments`): the
    first that applies of a late car (or the alert that helped), a low charge at
    pick-up, no free bay, a slow phone line, then by the score: the app (1-2), an easy
    booking or friendly help (4-5); nothing else."""
    hit = np.zeros(trips.size, dtype=bool)
    hit[late.affected] = True
    alerted = np.zeros(trips.size, dtype=bool)
    alerted[late.affected[late.trial]] = True
    good = csat >= 4
    return np.select(
        [
            hit & alerted & good,
            hit,
            trips.soc_pick < 50,
            trips.no_free_bay,
            trips.called & (trips.wait_seconds > 90),
            csat <= 2,
            good & (trips.is_first | (trips.km % 2 < 1)),
            good,
        ],
        [
            "alert_helped",
            "late_car",
            "low_charge",
            "no_bay",
            "slow_call",
            "app_crash",
            "easy_booking",
            "friendly",
        ],
        "",
    )
