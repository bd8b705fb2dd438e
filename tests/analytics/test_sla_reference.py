"""SLA clocks against a brute-force reference: hour by hour, one journey at a time.

A random log (events on whole UTC hours, so every support hour is either wholly in or
wholly out) is timed by :func:`evaluate_clocks` and by a plain Python loop that walks
each journey's hours and asks of each: is it a support hour, and is the clock paused?
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_sla import SUPPORT, store_with, workspace

from cojourney.analytics.sla import evaluate_clocks
from cojourney.domain import SlaClock
from cojourney.settings import Settings, use_settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)
ALLOWED_HOURS = 8
ACTIVITIES = ["reg", "told", "proposed", "x", "restored", "proposed", "resumed"]


def random_log(seed: int, journeys: int = 60) -> list[tuple[str, str, str, None]]:
    rng = random.Random(seed)
    rows = []
    for j in range(journeys):
        at = datetime(2025, 1, 1, tzinfo=UTC) + rng.randrange(24 * 50) * HOUR
        for k in range(rng.randrange(2, 9)):
            activity = "reg" if k == 0 and rng.random() < 0.8 else rng.choice(ACTIVITIES)
            rows.append((f"J{j:03d}", activity, at.strftime("%Y-%m-%d %H:%M"), None))
            at += rng.randrange(0, 30) * HOUR
    return rows


def support_hour(start: datetime) -> bool:
    local = start.astimezone(AMSTERDAM)
    holidays = {h.day for h in SUPPORT.holidays}
    return local.weekday() < 5 and 7 <= local.hour < 19 and local.date() not in holidays


def reference(rows: list[tuple[str, str, str, None]], resume: bool) -> dict[str, tuple]:
    """(elapsed h, paused h, deadline, status) per journey, hour by hour."""
    as_of = max(datetime.fromisoformat(t).replace(tzinfo=UTC) for _, _, t, _ in rows)
    result = {}
    for j in sorted({r[0] for r in rows}):
        events = [
            (datetime.fromisoformat(t).replace(tzinfo=UTC), a) for jj, a, t, _ in rows if jj == j
        ]  # input order breaks timestamp ties
        events.sort(key=lambda e: e[0])
        starts = [i for i, (_, a) in enumerate(events) if a == "reg"]
        if not starts:
            continue
        s = starts[0]
        stops = [i for i, (_, a) in enumerate(events) if a == "restored" and i > s]
        stop = stops[0] if stops else None
        end = events[stop][0] if stop is not None else as_of
        last = stop if stop is not None else len(events)
        pauses, paused_now = [], False
        for i in range(s + 1, last):
            t, a = events[i]
            if a == "proposed" and not (resume and paused_now):
                if resume:
                    resumes = [
                        events[k][0] for k in range(i + 1, last) if events[k][1] == "resumed"
                    ]
                    pauses.append((t, resumes[0] if resumes else end))
                    paused_now = True
                else:
                    pauses.append((t, events[i + 1][0] if i + 1 < len(events) else as_of))
            elif a == "resumed":
                paused_now = False
        running = paused = 0
        hour = events[s][0]
        while hour < end:
            if support_hour(hour):
                if any(p0 <= hour < p1 for p0, p1 in pauses):
                    paused += 1
                else:
                    running += 1
            hour += HOUR
        deadline = _deadline(events[s][0], pauses)
        if stop is not None:
            status = "met" if running <= ALLOWED_HOURS else "breached"
        else:
            status = (
                "breached"
                if running > ALLOWED_HOURS
                else "at_risk"
                if running > 0.75 * ALLOWED_HOURS
                else "running"
            )
        result[j] = (running, paused, deadline, status)
    return result


def _deadline(start: datetime, pauses: list[tuple[datetime, datetime]]) -> datetime:
    """The end of the support hour in which the clock has run the allowed hours."""
    count, hour = 0, start
    while True:
        if support_hour(hour) and not any(p0 <= hour < p1 for p0, p1 in pauses):
            count += 1
            if count == ALLOWED_HOURS:
                return hour + HOUR
        hour += HOUR


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("resume", [False, True])
def test_clocks_match_the_hour_by_hour_reference(tmp_path: Path, seed: int, resume: bool):
    rows = random_log(seed)
    clock = SlaClock(
        id="c",
        name="C",
        start=["reg"],
        stop=["restored"],
        pause=["proposed"],
        resume=["resumed"] if resume else [],
        calendar="support",
        targets=[{"within": f"{ALLOWED_HOURS}h"}],
    )
    # The reference times running clocks to the data's end: every journey stays in
    # progress (the abandoned rule has its own tests in tests/robustness).
    with use_settings(Settings(journey_in_progress_days=1e4)), store_with(tmp_path, rows) as store:
        result = evaluate_clocks(store, workspace(clock))[0]
    got = {}
    for row in result.journeys.rows():
        deadline = datetime.fromisoformat(row["deadline"]) if row["deadline"] else None
        got[row["journey_id"]] = (
            row["elapsed_seconds"] / 3600,
            row["paused_seconds"] / 3600,
            deadline,
            row["status"],
        )
    want = reference(rows, resume)
    assert len(want) > 40
    assert got == want
