"""The path, times and answers of each incident (see :mod:`.incidents`).

Reported through the portal, phone, e-mail or chat (or opened by monitoring), the
incident is registered, triaged and told its priority and expected resolution time
(``eta_hours``; the first-response clock stops there). Known errors get a workaround
and a solution at first contact; the rest is escalated to second line or swarmed,
diagnosed (with remote sessions, loan laptops, vendor cases, problem and change
records), fixed (sometimes twice), and proposed to the user, whose answer takes time
(the SLA clock pauses at ``solution-proposed``). Rejected solutions loop back to the
diagnosis; closed tickets are sometimes reopened. ``service-restored`` carries
``lost_work_hours`` and ``eta_met``; the closure survey a ``csat`` and a journey-level
``happiness`` answer driven by whether the estimate held, rejections, reopening
(the peaks) and lost work; some CSAT answers carry a comment (:mod:`.incident_comments`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cojourney.demo.simulator.buffers import AnswerBuffer, EventBuffer
from cojourney.demo.simulator.clock import (
    HOUR,
    MINUTE,
    SECOND,
    BusinessClock,
    LocalClock,
    lognormal,
)
from cojourney.demo.simulator.incident_comments import incident_comments, incident_phrase_bank
from cojourney.demo.simulator.track import Track

#: Median minutes to the first response (portal and e-mail queues), by priority.
FIRST_RESPONSE = np.array([6.0, 12.0, 90.0, 200.0]) * 60
#: Median time second line takes to pick an escalation up, before and during the swarming trial.
PICKUP = np.array([15.0, 30.0, 90.0, 240.0]) * 60
#: Median diagnosis-to-fix work, by priority (hours; support hours for P3/P4).
WORK = np.array([0.8, 2.2, 5.0, 14.0]) * 3600
#: Resolution targets of the SLA (hours; support hours for P3/P4).
TARGET_HOURS = np.array([4.0, 8.0, 24.0, 72.0])
#: Status updates while waiting: one per this many hours, by priority.
UPDATE_HOURS = np.array([1.0, 2.0, 6.0, 16.0])
IMPACT = np.array([0.9, 0.7, 0.35, 0.15])
VENDOR_SPEED = np.array([0.25, 0.5, 1.0, 1.0])
CHANNELS = ("portal-report", "phone-report", "email-report", "chat-report")
#: Share of proposed solutions the user never answers (closed without confirmation):
#: before the *confirm-before-close* rule (outside the watermelon months), and after it.
SILENT_BEFORE_RULE, SILENT = 0.15, 0.02
#: Share of answered solutions the user rejects (the clock pauses again after the refix).
REJECTED = 0.12
#: Chance a closed ticket is reopened: usually, before the confirm-before-close rule, in
#: the watermelon months; plus :data:`REOPEN_IF_SILENT` when the user never confirmed.
REOPEN, REOPEN_BEFORE_RULE, REOPEN_WATERMELON = 0.045, 0.09, 0.03
REOPEN_IF_SILENT = 0.15


@dataclass(frozen=True)
class IncidentDates:
    """Calendar effects (UTC microseconds)."""

    confirm_rule: int
    updates: int
    swarming: int
    watermelon: tuple[int, int]


@dataclass
class Incidents:
    """One row per incident."""

    priority: np.ndarray  #: 0..3 for P1..P4
    persona: np.ndarray  #: 0 anna, 1 pieter
    opened: np.ndarray  #: when the malfunction is noticed (or monitoring fires)
    watermelon: np.ndarray
    mood: np.ndarray  #: personal bias of emotion answers

    @property
    def size(self) -> int:
        return int(self.priority.size)


class _Clock:
    """Adds time per incident: support hours for P3/P4, wall-clock time for P1/P2."""

    def __init__(self, business: BusinessClock, counted: np.ndarray) -> None:
        self.business = business
        self.counted = counted

    def add(self, t: np.ndarray, seconds: np.ndarray | float) -> np.ndarray:
        seconds = np.broadcast_to(np.asarray(seconds, dtype=np.float64), t.shape)
        wall = t + (seconds * SECOND).astype(np.int64)
        if not self.counted.any():
            return wall
        business = wall.copy()
        business[self.counted] = self.business.add(t[self.counted], seconds[self.counted])
        return np.where(self.counted, business, wall)

    def elapsed_hours(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(self.counted, self.business.elapsed(a, b) / 3600, (b - a) / HOUR)


def _draws(
    rng: np.random.Generator, n: int
) -> tuple[Callable[[], np.ndarray], Callable[[float, float], np.ndarray]]:
    """A uniform draw and a log-normal draw (median, sigma) per incident."""

    def uniform() -> np.ndarray:
        return rng.random(n)

    def logn(median: float, sigma: float) -> np.ndarray:
        return lognormal(rng, median, sigma, n)

    return uniform, logn


def emit_incidents(
    events: EventBuffer,
    answers: AnswerBuffer,
    inc: Incidents,
    rng: np.random.Generator,
    business: BusinessClock,
    clock: LocalClock,
    dates: IncidentDates,
) -> None:
    """Emit every incident's events and closure answers."""
    n, p = inc.size, inc.priority
    u, logn = _draws(rng, n)
    hours = _Clock(business, p >= 2)
    track = Track(events, np.arange(n), inc.opened)
    urgent = p < 2
    trial = urgent & (inc.opened >= dates.swarming)
    melon = inc.watermelon
    # --- notice and report
    monitored = u() < np.array([0.5, 0.25, 0.05, 0.02])[p]
    user = ~monitored
    track.step("monitoring-alert", 0, monitored)
    track.step("erp-error-noticed", 0, user)
    track.step("status-page-check", logn(2 * 60, 0.5), user & (u() < 0.3))
    track.step("self-help-search", logn(3 * 60, 0.5), user & (u() < 0.35))
    track.step("colleague-asked", logn(4 * 60, 0.5), user & (u() < 0.2))
    shares = np.where(urgent[:, None], [0.1, 0.6, 0.1, 0.2], [0.45, 0.2, 0.2, 0.15])
    channel = (u()[:, None] > shares.cumsum(axis=1)).sum(axis=1)
    for k, name in enumerate(CHANNELS):
        track.step(name, logn(5 * 60, 0.6), user & (channel == k))
    swarm_first = monitored & (p == 0) & (u() < 0.3)  # engineers swarm before anyone registers it
    track.at("swarming", inc.opened + 3 * MINUTE, swarm_first)
    queue = np.select(
        [monitored, channel == 0, channel == 2],
        [logn(25 * 60, 0.5) * swarm_first + logn(90, 0.5), np.full(n, 10.0), logn(20 * 60, 0.6)],
        logn(90, 0.4),
    )
    registered = np.where(
        channel == 2, hours.add(track.time, queue), track.time + (queue * SECOND).astype(np.int64)
    )
    track.at("ticket-registered", registered, advance=True)
    live = user & ((channel == 1) | (channel == 3))
    # the watermelon months: everything tuned to the clock (fast, optimistic estimates)
    queued = hours.add(registered, logn(1, 0.6) * FIRST_RESPONSE[p] * np.where(melon, 0.55, 1.0))
    triage = np.where(live, registered + MINUTE, queued)
    track.at("triage", triage, advance=True)
    told = triage + lognormal(rng, 3 * MINUTE, 0.3, n).astype(np.int64)
    eta = TARGET_HOURS[p] * np.select([trial, melon], [0.8, 0.3], 0.5)
    track.at("priority-and-eta-told", told, attrs={"eta_hours": np.round(eta, 1)}, advance=True)
    track.step("incident-classified", logn(3 * 60, 0.4))
    track.step("known-error-lookup", logn(5 * 60, 0.4))
    # --- known error, or escalation / swarm, diagnosis and fix
    known = u() < np.array([0.1, 0.15, 0.35, 0.4])[p]
    workaround = known & (u() < 0.6)
    track.step("workaround-offered", logn(5 * 60, 0.4), workaround)
    work = ~known
    swarmed = work & ((trial & (u() < 0.85)) | swarm_first)
    escalated = work & ~swarmed
    track.step("escalation-to-second-line", logn(5 * 60, 0.4), escalated)
    track.step("swarming", logn(10 * 60, 0.4), swarmed & ~swarm_first)
    also_swarm = escalated & (p == 0) & (u() < 0.3)
    pickup = np.where(
        swarmed,
        logn(10 * 60, 0.4),
        logn(1, 0.5) * PICKUP[p] * np.select([trial, melon], [0.4, 0.6], 1.0),
    )
    track.step("swarming", pickup * 0.5, also_swarm)
    start = hours.add(track.time, pickup)
    vendor = work & (u() < 0.08)  # the vendor answers P1/P2 cases faster
    effort = logn(1, 0.7) * WORK[p] + vendor * logn(6 * 3600, 0.6) * VENDOR_SPEED[p]
    effort = effort * np.select([trial, melon], [0.7, 0.6], 1.0)
    track.at("diagnosis", start, work, advance=True)
    problem = work & (u() < 0.12)
    for name, chosen, at in (
        ("remote-session", work & (u() < 0.3), 0.3),
        ("loan-device", work & (u() < 0.04), 0.2),
        ("vendor-escalation", vendor, 0.4),
        ("problem-record-raised", problem, 0.5),
        ("change-raised", work & (u() < 0.07), 0.8),
    ):
        track.at(name, hours.add(start, effort * at), chosen)
    fixed = hours.add(start, effort)
    fails = work & (u() < 0.08)
    track.at("fix-applied", fixed, fails)
    track.at("diagnosis", hours.add(fixed, 20 * 60), fails)
    fixed = np.where(fails, hours.add(fixed, 20 * 60 + 0.4 * effort), fixed)
    track.at("fix-applied", fixed, work, advance=True)
    _status_updates(events, rng, inc, hours, told, fixed, work, dates)
    _confirmation(
        track,
        answers,
        inc,
        rng,
        hours,
        clock,
        dates,
        registered,
        eta,
        effort,
        workaround,
        known,
        problem,
    )


def _status_updates(
    events: EventBuffer,
    rng: np.random.Generator,
    inc: Incidents,
    hours: _Clock,
    start: np.ndarray,
    end: np.ndarray,
    waiting: np.ndarray,
    dates: IncidentDates,
) -> None:
    """Updates while the user waits: fewer before the promise, and in the watermelon months."""
    span = np.maximum(hours.elapsed_hours(start, end), 0)
    rate = np.where(inc.opened < dates.updates, 0.5, 1.0) * np.where(inc.watermelon, 0.4, 1.0)
    expected = span / UPDATE_HOURS[inc.priority] * rate
    count = np.where(waiting, np.minimum(rng.poisson(expected), 6), 0)
    row = np.repeat(np.arange(inc.size), count)
    share = rng.random(row.size)
    offset = np.repeat(span, count) * share * 3600
    counted = np.repeat(hours.counted, count)
    base = start[row]
    wall = base + (offset * SECOND).astype(np.int64)
    when = np.where(counted, hours.business.add(base, offset), wall)
    events.emit("status-update", row, when)


def _confirmation(
    track: Track,
    answers: AnswerBuffer,
    inc: Incidents,
    rng: np.random.Generator,
    hours: _Clock,
    clock: LocalClock,
    dates: IncidentDates,
    registered: np.ndarray,
    eta: np.ndarray,
    effort: np.ndarray,
    workaround: np.ndarray,
    known: np.ndarray,
    problem: np.ndarray,
) -> None:
    """Solution proposed, the user's answer, restoration, closure, survey and reopening."""
    n, p = inc.size, inc.priority
    u, logn = _draws(rng, n)
    urgent = p < 2
    early = inc.opened < dates.confirm_rule
    proposed = hours.add(track.time, logn(10 * 60, 0.5))
    track.at("solution-proposed", proposed, advance=True)

    def reply(t: np.ndarray) -> np.ndarray:
        """When the user answers a proposed solution (the clock is paused meanwhile)."""
        return hours.add(t, np.where(urgent, logn(25 * 60, 0.6), logn(2 * 3600, 0.7)))

    # never answers; closed without confirmation
    silent = u() < np.where(early & ~inc.watermelon, SILENT_BEFORE_RULE, SILENT)
    rejected = ~silent & (u() < REJECTED)
    answered = reply(proposed)
    track.at("solution-rejected", answered, rejected)
    again = hours.add(answered, 30 * 60)
    track.at("diagnosis", again, rejected)
    refix = hours.add(again, 0.5 * effort)
    track.at("fix-applied", refix, rejected)
    reproposed = hours.add(refix, 10 * 60)
    track.at("solution-proposed", reproposed, rejected)
    confirmed = np.where(rejected, reply(reproposed), answered)
    track.at("solution-confirmed", confirmed, ~silent)
    restored = np.where(silent, proposed + MINUTE, confirmed + 2 * MINUTE)
    elapsed = hours.elapsed_hours(registered, restored)
    eta_met = (elapsed <= eta).astype(np.int64)
    relief = np.where(workaround, 0.5, elapsed)  # a workaround gets the user working again
    trial = urgent & (inc.opened >= dates.swarming)
    lost = (
        IMPACT[p]
        * np.minimum(relief + 0.5, 12)
        * 1.4
        * logn(1, 0.3)
        * np.select([inc.watermelon, trial], [1.8, 0.6], 1.0)
    )
    lost = np.round(lost, 1)
    closed = hours.add(restored, logn(14 * 3600, 0.6))
    reopen = np.select([inc.watermelon, early], [REOPEN_WATERMELON, REOPEN_BEFORE_RULE], REOPEN)
    reopened = u() < reopen + REOPEN_IF_SILENT * silent
    happy = (
        np.select([inc.watermelon, inc.opened < dates.updates, trial], [4.5, 6.4, 8.0], 7.6)
        + 2.2 * eta_met
        - 1.0 * rejected
        - 2.0 * reopened
        - 0.25 * lost
        - 0.5 * (p == 0)
        + 0.6 * known
        + rng.normal(0, 1.0, n)
    )
    track.at(
        "service-restored",
        restored,
        attrs={"lost_work_hours": lost, "eta_met": eta_met},
        feel=np.where(eta_met == 1, 0.0, -1.5),
        advance=True,
    )
    track.at("catch-up-work", restored + 10 * MINUTE, u() < 0.4)
    surveyed = u() < 0.5
    survey = clock.awake(restored + logn(4 * 3600, 1.0).astype(np.int64))
    track.at("closure-survey", survey, surveyed, feel=np.clip((happy - 7) / 2, -2, 2))
    csat = np.clip(np.round(3.5 + 0.45 * (happy - 6) + rng.normal(0, 0.6, n)), 1, 5)
    who = np.nonzero(surveyed)[0]
    comments = incident_comments(
        rng,
        csat[surveyed],
        rejected=rejected[surveyed],
        silent=silent[surveyed],
        eta_met=eta_met[surveyed],
        lost_hours=lost[surveyed],
        workaround=workaround[surveyed],
        bank=incident_phrase_bank()[1],
    )
    answers.add(
        "csat",
        who,
        survey[surveyed] + MINUTE,
        csat[surveyed],
        touchpoint="closure-survey",
        channel="email",
        comment=comments,
    )
    answers.add(
        "happiness",
        who,
        survey[surveyed] + 90 * SECOND,
        np.clip(np.round(happy[surveyed]), 0, 10) + 0.0,
        touchpoint=None,
        channel="email",
    )
    closing = hours.elapsed_hours(restored, closed) * 3600  # closure work happens before it
    track.at("cost-calculation", hours.add(restored, 0.4 * closing), u() < 0.9)
    track.at("problem-investigation", hours.add(restored, 0.7 * closing), problem)
    track.at(
        "incident-review",
        hours.add(restored, 0.85 * closing),
        u() < np.array([0.8, 0.4, 0.05, 0.0])[p],
    )
    track.at("ticket-closed", closed, feel=np.where(silent, -1.0, 0.0))
    back = hours.add(closed, logn(1.5 * 12 * 3600, 0.6))
    track.at("ticket-reopened", back, reopened)
    track.at("diagnosis", hours.add(back, 3600), reopened)
    fix3 = hours.add(back, 3600 + 0.5 * effort)
    track.at("fix-applied", fix3, reopened)
    track.at("solution-proposed", hours.add(fix3, 600), reopened)
    reconfirmed = reply(hours.add(fix3, 600))
    track.at("solution-confirmed", reconfirmed, reopened)
    track.at("ticket-closed", hours.add(reconfirmed, 3600), reopened)
