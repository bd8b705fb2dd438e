"""eCampus Car Share: the trips of every member, and how late returns reach the next member.

Trips are planned as arrays (one row per trip): pickup and booked end in the persona's
rhythm (Katrina in the day, Marcos in the evening and back next morning, Diego in the
day with a moving weekend: many short low-charge trips, or one or two with a trailer
once the trailer add-on exists), lateness, state of charge, distance and energy.

A trip returned more than 15 minutes late is paired with the next booking of another
member that starts before the car is back (a sorted search over all pickups). Before
the alert trial the next member finds no car and gets another one after a wait (a few
get it before their booking starts because the late member phoned); from the trial on
the service desk dispatches an alert and the next member knows where the car is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cojourney.demo.simulator.clock import DAY, HOUR, MINUTE, LocalClock, lognormal
from cojourney.demo.simulator.ecampus_members import DIEGO, KATRINA, MARCOS, Members

MONTH = int(30.44 * DAY)
#: Monthly churn by segment (Diego moves away after his studies more often).
CHURN = np.array([0.12, 0.08, 0.22])
#: Trips per month by segment.
TRIP_RATE = np.array([5.0, 9.0, 4.0])
#: Share of trips returned more than 15 minutes late, by segment.
LATE_SHARE = np.array([0.07, 0.09, 0.08])
BATTERY_KWH = 42.0


@dataclass(frozen=True)
class EcampusDates:
    """The dates the simulation honours (UTC microseconds)."""

    observed_until: int  #: nothing after this instant (the export date)
    alert_trial: int  #: the late-return alert trial starts
    trailer_launch: int  #: the trailer add-on can be booked
    trailer_done: int  #: the trailer offering is fully rolled out


@dataclass
class Trips:
    """One row per trip, sorted by member and pickup time."""

    member: np.ndarray
    is_first: np.ndarray
    pick: np.ndarray
    booked_end: np.ndarray
    end: np.ndarray
    minutes_late: np.ndarray
    moving: np.ndarray
    trailer: np.ndarray
    soc_pick: np.ndarray  #: state of charge of the booked car
    switch_car: np.ndarray  #: too low: looks for another car
    soc_start: np.ndarray  #: state of charge of the car driven
    km: np.ndarray
    kwh: np.ndarray
    soc_return: np.ndarray
    plugged_in: np.ndarray
    charge_on_way: np.ndarray
    low_warning: np.ndarray
    no_free_bay: np.ndarray
    called: np.ndarray
    call_time: np.ndarray
    wait_seconds: np.ndarray

    @property
    def size(self) -> int:
        return int(self.member.size)

    def take(self, keep: np.ndarray) -> Trips:
        return Trips(**{name: getattr(self, name)[keep] for name in self.__dataclass_fields__})


@dataclass
class LateEffects:
    """Late returns that hit a next booking: one row per affected trip."""

    affected: np.ndarray  #: index of the next member's trip
    late: np.ndarray  #: index of the late trip
    trial: np.ndarray  #: the next booking starts on or after the alert trial
    reassigned: np.ndarray  #: the next member gets another car
    reassign_time: np.ndarray
    alert_time: np.ndarray  #: trial only: the alert reaches the next member
    dispatch_time: np.ndarray  #: trial only: the desk dispatches it (in the late member's journey)
    delay: np.ndarray  #: microseconds the next member's pickup is pushed back
    before_start: np.ndarray  #: alerted or given another car before the booking started


def plan_trips(
    members: Members, rng: np.random.Generator, clock: LocalClock, dates: EcampusDates
) -> tuple[Trips, np.ndarray]:
    """The trips of the onboarded members, and each member's end of membership.

    Returns the trips and, per member, when the membership ends (0: never onboarded);
    an end at or after ``dates.observed_until`` means the member is still a member.
    """
    n = members.size
    seg = members.segment
    on = members.onboarded & (members.first_pickup < dates.observed_until)
    months = rng.geometric(CHURN[seg])
    tenure_end = members.first_pickup + months * MONTH - rng.integers(0, 10 * DAY, n)
    tenure_end = np.where(on, np.maximum(tenure_end, members.first_pickup + 2 * DAY), 0)
    active_end = np.minimum(tenure_end, dates.observed_until)
    span = np.maximum(active_end - members.first_pickup - DAY - 4 * HOUR, 0)
    count = np.where(on, 1 + rng.poisson(TRIP_RATE[seg] * span / MONTH), 0)
    member = np.repeat(np.arange(n), count)
    first = np.zeros(member.size, dtype=bool)
    first[np.cumsum(count)[count > 0] - count[count > 0]] = True
    offset = (rng.random(member.size) * span[member]).astype(np.int64)
    day = members.first_pickup[member] + DAY + offset
    s = seg[member]
    weekday_evening = (s == MARCOS) & (clock.weekday(day) < 5)
    hour = np.select(
        [s == KATRINA, weekday_evening],
        [np.clip(rng.normal(12.5, 3.0, member.size), 7, 20.5), rng.normal(17.5, 0.3, member.size)],
        np.clip(rng.normal(11.0, 2.5, member.size), 7, 19),
    )
    pick = np.where(first, members.first_pickup[member], clock.at_hour(day, hour))
    duration = lognormal(rng, np.where(s == KATRINA, 2.5 * HOUR, 3.0 * HOUR), 0.5, member.size)
    booked_end = pick + np.clip(duration, 0.5 * HOUR, 10 * HOUR).astype(np.int64)
    overnight = weekday_evening & ~first
    booked_end = np.where(
        overnight, clock.at_hour(pick + DAY, rng.normal(7.5, 0.2, member.size)), booked_end
    )
    moving = np.zeros(member.size, dtype=bool)
    trailer = (s == KATRINA) & (rng.random(member.size) < 0.0015)  # a sofa, now and then
    extra = _moving_weekends(members, rng, clock, dates, active_end, on)
    member = np.concatenate([member, extra["member"]])
    first = np.concatenate([first, np.zeros(extra["member"].size, dtype=bool)])
    pick = np.concatenate([pick, extra["pick"]])
    booked_end = np.concatenate([booked_end, extra["booked_end"]])
    moving = np.concatenate([moving, extra["moving"]])
    trailer = np.concatenate([trailer, extra["trailer"]])
    order = np.lexsort((pick, member))
    member, first, pick, booked_end = member[order], first[order], pick[order], booked_end[order]
    moving, trailer = moving[order], trailer[order]
    minutes_late, end = _lateness(rng, seg[member], moving, pick, booked_end)
    keep = _without_overlaps(member, first, pick, end, moving)
    trips = _conditions(
        rng,
        clock,
        dates,
        member[keep],
        first[keep],
        pick[keep],
        booked_end[keep],
        end[keep],
        minutes_late[keep],
        moving[keep],
        trailer[keep],
        seg,
    )
    inside = trips.pick < dates.observed_until
    return trips.take(inside), tenure_end


def _moving_weekends(
    members: Members,
    rng: np.random.Generator,
    clock: LocalClock,
    dates: EcampusDates,
    active_end: np.ndarray,
    on: np.ndarray,
) -> dict[str, np.ndarray]:
    """Diego's moving day: 5-7 short trips, or two with a trailer once it can be booked."""
    span = active_end - members.first_pickup - 2 * DAY
    moves = rng.random(members.size) < 0.9
    movers = np.nonzero(on & (members.segment == DIEGO) & (span > 0) & moves)[0]
    offset = (rng.random(movers.size) * span[movers]).astype(np.int64)
    day = members.first_pickup[movers] + DAY + offset
    p_trailer = np.select([day < dates.trailer_launch, day < dates.trailer_done], [0.0, 0.5], 0.85)
    with_trailer = rng.random(movers.size) < p_trailer
    trips = np.where(with_trailer, 2, rng.integers(5, 8, movers.size))
    member = np.repeat(movers, trips)
    k = np.arange(member.size) - np.repeat(np.cumsum(trips) - trips, trips)
    towing = np.repeat(with_trailer, trips)
    hours = np.where(towing, 9.0 + 5.0 * k, 8.0 + 1.75 * k)
    pick = clock.at_hour(np.repeat(day, trips), hours)
    booked = np.where(towing, 3.5 * HOUR, 1.2 * HOUR).astype(np.int64)
    return {
        "member": member,
        "pick": pick,
        "booked_end": pick + booked,
        "moving": ~towing,
        "trailer": towing,
    }


def _lateness(
    rng: np.random.Generator,
    seg: np.ndarray,
    moving: np.ndarray,
    pick: np.ndarray,
    booked_end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes late (0 when on time) and the actual end of each trip."""
    t = pick.size
    u = rng.random(t)
    p_late = np.where(moving, 0.15, LATE_SHARE[seg])
    late = u < p_late
    slightly = ~late & (u < p_late + 0.15)
    minutes = np.select(
        [late, slightly],
        [np.minimum(16 + lognormal(rng, 18, 0.7, t), 240), rng.uniform(1, 15, t)],
        0,
    )
    minutes = np.round(minutes).astype(np.int64)
    early = np.where(minutes == 0, rng.uniform(0, 25, t), 0) * MINUTE
    end = np.maximum(booked_end + minutes * MINUTE - early.astype(np.int64), pick + 20 * MINUTE)
    return minutes, end


def _without_overlaps(
    member: np.ndarray, first: np.ndarray, pick: np.ndarray, end: np.ndarray, moving: np.ndarray
) -> np.ndarray:
    """Drop trips that start less than 90 minutes (20 on a moving day) after the previous one."""
    keep = np.ones(member.size, dtype=bool)
    buffer = np.where(moving, 20 * MINUTE, 90 * MINUTE)
    for _ in range(4):
        idx = np.nonzero(keep)[0]
        same = member[idx][1:] == member[idx][:-1]
        clash = same & (pick[idx][1:] < end[idx][:-1] + buffer[idx][1:]) & ~first[idx][1:]
        if not clash.any():
            break
        keep[idx[1:][clash]] = False
    return keep


def _conditions(
    rng: np.random.Generator,
    clock: LocalClock,
    dates: EcampusDates,
    member: np.ndarray,
    first: np.ndarray,
    pick: np.ndarray,
    booked_end: np.ndarray,
    end: np.ndarray,
    minutes_late: np.ndarray,
    moving: np.ndarray,
    trailer: np.ndarray,
    seg: np.ndarray,
) -> Trips:
    """Charge, distance, energy, charging on the way, free bays and late-return calls."""
    t = member.size
    s = seg[member]
    low_pick = rng.random(t) < 0.07
    soc_pick = np.round(np.where(low_pick, rng.uniform(25, 79, t), rng.uniform(80, 100, t)))
    switch = (soc_pick < 40) & (rng.random(t) < 0.6)
    soc_start = np.where(switch, np.round(rng.uniform(85, 100, t)), soc_pick)
    km = np.select(
        [moving, trailer, s == MARCOS],
        [lognormal(rng, 14, 0.4, t), lognormal(rng, 35, 0.4, t), lognormal(rng, 58, 0.25, t)],
        lognormal(rng, 28, 0.7, t),
    )
    kwh = km * 0.155 * np.where(trailer, 1.35, 1.0) * lognormal(rng, 1.0, 0.1, t)
    used = kwh / BATTERY_KWH * 100
    would_be_low = soc_start - used < 25
    charge = (would_be_low & (rng.random(t) < 0.55)) | (rng.random(t) < 0.03)
    # returned without a thought for the next member: less often as the norm takes hold
    learnt = pick >= dates.trailer_done
    forgot = rng.random(t) < np.where(learnt, 0.01, 0.035)
    soc_return = soc_start - used + np.where(charge, rng.uniform(30, 60, t), 0) - forgot * 40
    soc_return = np.where(moving, rng.uniform(8, 50, t), soc_return)
    soc_return = np.round(np.clip(soc_return, 3, 100))
    low_warning = (soc_return < 20) | (charge & would_be_low & (rng.random(t) < 0.7))
    plugged = (rng.random(t) >= np.where(learnt, 0.01, 0.025)).astype(np.int64)
    evening = np.abs(clock.local_hour(end) - 18.5) < 1.5
    no_free_bay = evening & (rng.random(t) < 0.18)
    called = (minutes_late > 15) & (rng.random(t) < 0.65)
    call_time = np.maximum(
        booked_end - rng.uniform(5, 25, t).astype(np.int64) * MINUTE, pick + 10 * MINUTE
    )
    rush = np.abs(clock.local_hour(call_time) - 18) < 1.5
    wait = np.round(lognormal(rng, 28, 0.6, t) * np.where(rush, 1.8, 1.0)).astype(np.int64)
    return Trips(
        member,
        first,
        pick,
        booked_end,
        end,
        minutes_late,
        moving,
        trailer,
        soc_pick,
        switch,
        soc_start,
        np.round(km, 1),
        np.round(kwh, 2),
        soc_return,
        plugged,
        charge,
        low_warning,
        no_free_bay,
        called,
        call_time,
        wait,
    )


def pair_late_returns(trips: Trips, rng: np.random.Generator, trial_start: int) -> LateEffects:
    """Match each late return with the next member's booking it spoils (at most one each)."""
    order = np.argsort(trips.pick, kind="stable")
    picks = trips.pick[order]
    late = np.nonzero(trips.minutes_late > 15)[0]
    start = np.searchsorted(picks, trips.booked_end[late] - 10 * MINUTE)
    chosen = np.full(late.size, -1, dtype=np.int64)
    for k in (2, 1, 0):  # the earliest suitable booking wins
        j = start + k
        valid = j < picks.size
        idx = order[np.minimum(j, picks.size - 1)]
        ok = (
            valid
            & (trips.pick[idx] < trips.end[late])
            & (trips.member[idx] != trips.member[late])
            & ~trips.moving[idx]
            & ~trips.is_first[idx]
        )
        chosen = np.where(ok, idx, chosen)
    found = chosen >= 0
    late, chosen = late[found], chosen[found]
    chosen, unique = np.unique(chosen, return_index=True)
    late = late[unique]
    m = chosen.size
    pick = trips.pick[chosen]
    trial = pick >= trial_start
    called = trips.called[late]
    call = trips.call_time[late]
    # before the trial: another car after a wait, or before the booking when the late member phoned
    early = ~trial & called & (rng.random(m) < 0.3)
    early_time = call + lognormal(rng, 15 * MINUTE, 0.5, m).astype(np.int64)
    early &= early_time < pick - 5 * MINUTE
    wait = np.minimum(lognormal(rng, 20 * MINUTE, 0.5, m), 50 * MINUTE).astype(np.int64)
    # the trial: the desk dispatches an alert (after the call, or on the telematics signal)
    ahead = lognormal(rng, 8 * MINUTE, 0.5, m).astype(np.int64)
    signal = np.maximum(trips.booked_end[late] - ahead, trips.pick[late] + 15 * MINUTE)
    dispatch = np.where(called, call + lognormal(rng, 6 * MINUTE, 0.5, m).astype(np.int64), signal)
    alert = dispatch + 20_000_000
    takes_other = trial & (rng.random(m) < 0.5)
    reassign = np.select(
        [early, trial],
        [early_time, alert + lognormal(rng, 3 * MINUTE, 0.5, m).astype(np.int64)],
        pick + wait,
    )
    reassigned = ~trial | takes_other
    delay = np.select(
        [early, takes_other, trial],
        [
            0,
            np.maximum(reassign + 8 * MINUTE - pick, 0),
            np.maximum(trips.end[late] + 5 * MINUTE - pick, alert + 8 * MINUTE - pick),
        ],
        reassign + 10 * MINUTE - pick,
    )
    delay = np.clip(delay, 0, 60 * MINUTE)
    before_start = np.where(trial, alert < pick, early)
    return LateEffects(
        chosen, late, trial, reassigned, reassign, alert, dispatch, delay, before_start
    )
