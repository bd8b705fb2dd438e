"""Business time under a calendar: hand-computed hours across nights, weekends, holidays and DST.

Every instant is written in UTC, with the local wall-clock time in a comment, so that a
wrong time-zone offset (a DST change missed) shows as a wrong number of hours.
"""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime

import numpy as np
import pytest

from cojourney.analytics import business_time
from cojourney.analytics.business_time import (
    WorkingTime,
    business_deadline,
    business_seconds,
    working_intervals,
)
from cojourney.domain import BusinessCalendar, Holiday, WorkingHours
from cojourney.errors import InputError

H = 3600.0
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def utc(text: str) -> float:
    """Epoch seconds of a UTC wall-clock time ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def calendar(
    tz: str,
    hours: list[tuple[list[str], str, str]] | None = None,
    holidays: tuple[str, ...] = (),
    stop: bool = True,
) -> BusinessCalendar:
    return BusinessCalendar(
        id="cal",
        name="Cal",
        time_zone=tz,
        hours=[WorkingHours(days=d, start=s, end=e) for d, s, e in (hours or [])],
        holidays=[Holiday(day=date.fromisoformat(d)) for d in holidays],
        holidays_stop_clock=stop,
    )


#: Support hours 07:00-19:00 on working days in Amsterdam, Christmas 2025 off.
SUPPORT = calendar(
    "Europe/Amsterdam",
    [(WEEKDAYS, "07:00", "19:00")],
    holidays=("2025-12-25", "2025-12-26", "2026-01-01"),
)


def test_office_hours_in_one_vectorised_call():
    # In January Amsterdam is UTC+1: local 07:00-19:00 is 06:00-18:00 UTC.
    cases = [
        # (start UTC, end UTC, expected hours)
        ("2025-01-13 08:00", "2025-01-13 10:30", 2.5),  # Mon 09:00 -> 11:30, inside
        ("2025-01-13 17:00", "2025-01-14 07:00", 2.0),  # Mon 18:00 -> Tue 08:00: 1 + 1
        ("2025-01-10 15:00", "2025-01-13 09:00", 6.0),  # Fri 16:00 -> Mon 10:00: 3 + 3
        ("2025-01-11 09:00", "2025-01-13 06:30", 0.5),  # Sat 10:00 (closed) -> Mon 07:30
        ("2025-01-13 04:00", "2025-01-13 07:00", 1.0),  # Mon 05:00 (before opening) -> 08:00
        ("2025-01-11 09:00", "2025-01-12 15:00", 0.0),  # Sat -> Sun: nothing counts
        ("2025-01-12 23:00", "2025-01-19 23:00", 60.0),  # Mon 00:00 -> next Mon 00:00: 5 x 12
        ("2025-01-13 17:00", "2025-01-13 17:00", 0.0),  # no time at all
        ("2025-01-13 10:00", "2025-01-13 08:00", -2.0),  # end before start: negative
    ]
    starts = [utc(s) for s, _, _ in cases]
    ends = [utc(e) for _, e, _ in cases]
    got = business_seconds(SUPPORT, starts, ends) / H
    assert got.tolist() == [h for _, _, h in cases]


def test_holidays_stop_the_clock():
    # Wed 24 Dec 18:00 -> Mon 29 Dec 08:00 (UTC+1): 1 h on Wednesday, Christmas Thursday and
    # Friday off, the weekend closed, 1 h on Monday.
    got = business_seconds(SUPPORT, [utc("2025-12-24 17:00")], [utc("2025-12-29 07:00")])
    assert got[0] == 2 * H
    # The week of New Year: Mon 29 Dec 00:00 -> Mon 5 Jan 00:00 is 4 working days (1 Jan off).
    week = business_seconds(SUPPORT, [utc("2025-12-28 23:00")], [utc("2026-01-04 23:00")])
    assert week[0] == 48 * H
    kept = calendar(
        "Europe/Amsterdam", [(WEEKDAYS, "07:00", "19:00")], holidays=("2026-01-01",), stop=False
    )
    assert business_seconds(kept, [utc("2025-12-28 23:00")], [utc("2026-01-04 23:00")])[0] == 60 * H


def test_24x7_counts_every_second():
    start, end = utc("2025-03-29 12:00"), utc("2025-04-02 07:15")
    assert business_seconds(None, [start], [end])[0] == end - start
    around_the_clock = calendar("Europe/Amsterdam")
    assert business_seconds(around_the_clock, [start], [end])[0] == end - start
    # Holidays listed but not stopping the clock change nothing either.
    assert (
        business_seconds(
            calendar("Europe/Amsterdam", holidays=("2025-03-31",), stop=False), [start], [end]
        )[0]
        == end - start
    )


def test_amsterdam_spring_forward_with_working_hours_every_day():
    # Clocks go from 02:00 CET to 03:00 CEST on Sunday 30 March 2025.
    daily = calendar("Europe/Amsterdam", [([*WEEKDAYS, "sat", "sun"], "07:00", "19:00")])
    # Fri 28 Mar 18:00 CET (17:00 UTC) -> Mon 31 Mar 08:00 CEST (06:00 UTC):
    # Fri 1 h + Sat 12 h + Sun 12 h + Mon 1 h = 26 h, although 61 h pass on the wall.
    got = business_seconds(daily, [utc("2025-03-28 17:00")], [utc("2025-03-31 06:00")])
    assert got[0] == 26 * H
    # Sunday's opening hours are 07:00-19:00 CEST = 05:00-17:00 UTC.
    assert business_seconds(daily, [utc("2025-03-30 04:00")], [utc("2025-03-30 06:00")])[0] == H


def test_amsterdam_days_of_23_and_25_hours_on_a_24x7_calendar_with_holidays():
    # A holiday makes the 24x7 calendar count whole local days.
    cal = calendar("Europe/Amsterdam", holidays=("2025-03-29", "2025-10-24"))
    # Sat 29 Mar 00:00 CET (28th 23:00 UTC) -> Mon 31 Mar 00:00 CEST (30th 22:00 UTC):
    # the holiday Saturday is skipped, Sunday lasts 23 hours.
    assert business_seconds(cal, [utc("2025-03-28 23:00")], [utc("2025-03-30 22:00")])[0] == 23 * H
    # Sun 26 Oct 2025 (clocks back from 03:00 CEST to 02:00 CET) lasts 25 hours.
    assert business_seconds(cal, [utc("2025-10-25 22:00")], [utc("2025-10-26 23:00")])[0] == 25 * H
    # Fri 24 Oct (holiday) to Sat 25 Oct 06:00 CEST: only Saturday's 6 hours.
    assert business_seconds(cal, [utc("2025-10-23 22:00")], [utc("2025-10-25 04:00")])[0] == 6 * H


def test_sao_paulo_dst_start_at_midnight():
    # Brazil's DST began on Sun 4 Nov 2018: 00:00 (UTC-3) became 01:00 (UTC-2).
    office = calendar(
        "America/Sao_Paulo", [(WEEKDAYS, "08:00", "18:00"), (["sat"], "08:00", "12:00")]
    )
    # Sat 3 Nov 11:00 (UTC-3, 14:00 UTC) -> Mon 5 Nov 09:00 (UTC-2, 11:00 UTC): 1 h + 1 h.
    got = business_seconds(office, [utc("2018-11-03 14:00")], [utc("2018-11-05 11:00")])
    assert got[0] == 2 * H
    # A 24x7 calendar with a holiday (Finados, Fri 2 Nov): Sunday 4 Nov lasts 23 hours.
    cal = calendar("America/Sao_Paulo", holidays=("2018-11-02",))
    # Fri 2 Nov 00:00 (03:00 UTC) -> Mon 5 Nov 00:00 (UTC-2: 02:00 UTC): 24 + 23 hours.
    assert business_seconds(cal, [utc("2018-11-02 03:00")], [utc("2018-11-05 02:00")])[0] == 47 * H


def test_sao_paulo_dst_end_and_hours_until_midnight():
    # DST ended on Sun 17 Feb 2019: 00:00 (UTC-2) became 23:00 on the 16th (UTC-3).
    cal = calendar("America/Sao_Paulo", holidays=("2019-02-15",))
    # Sat 16 Feb 00:00 (UTC-2, 02:00 UTC) -> Sun 17 Feb 00:00 (UTC-3, 03:00 UTC): 25 hours.
    assert business_seconds(cal, [utc("2019-02-16 02:00")], [utc("2019-02-17 03:00")])[0] == 25 * H
    evenings = calendar("America/Sao_Paulo", [(["sat"], "20:00", "00:00")])
    # Sat 16 Feb 20:00 (UTC-2, 22:00 UTC) to midnight (UTC-3, 03:00 UTC): 5 real hours.
    intervals = working_intervals(evenings, date(2019, 2, 16), date(2019, 2, 16))
    assert intervals[0].tolist() == [utc("2019-02-16 22:00")]
    assert intervals[1].tolist() == [utc("2019-02-17 03:00")]
    got = business_seconds(evenings, [utc("2019-02-16 12:00")], [utc("2019-02-18 12:00")])
    assert got[0] == 5 * H


def test_overlapping_blocks_are_merged():
    split = calendar(
        "Europe/Amsterdam", [(WEEKDAYS, "07:00", "12:00"), (WEEKDAYS, "10:00", "19:00")]
    )
    starts, ends = working_intervals(split, date(2025, 1, 13), date(2025, 1, 13))
    assert starts.tolist() == [utc("2025-01-13 06:00")]
    assert ends.tolist() == [utc("2025-01-13 18:00")]
    got = business_seconds(split, [utc("2025-01-12 23:00")], [utc("2025-01-19 23:00")])
    assert got[0] == 60 * H


def test_deadlines_are_the_inverse():
    cases = [
        # (start UTC, allowed hours, deadline UTC)
        ("2025-12-24 16:00", 24, "2025-12-30 16:00"),  # Wed 17:00: 2 + Mon 12 + Tue 10 h
        ("2025-01-11 09:00", 4, "2025-01-13 10:00"),  # Sat 10:00: Mon 07:00 + 4 h = 11:00
        ("2025-01-13 06:00", 12, "2025-01-13 18:00"),  # Mon 07:00 + 12 h = Mon 19:00, not Tue
        ("2025-01-13 17:30", 1, "2025-01-14 06:30"),  # Mon 18:30: 0.5 h + Tue 0.5 h
        ("2025-01-11 09:00", 0, "2025-01-11 09:00"),  # nothing allowed: the start itself
    ]
    starts = np.array([utc(s) for s, _, _ in cases])
    allowed = np.array([a * H for _, a, _ in cases])
    got = business_deadline(SUPPORT, starts, allowed)
    assert got.tolist() == [utc(d) for _, _, d in cases]
    assert (business_seconds(SUPPORT, starts, got) == allowed).all()


def test_deadlines_far_ahead_extend_the_calendar():
    # 300 support hours = 25 working days from Thu 1 Jan 2026 (a holiday): Fri 2 Jan is day 1,
    # so day 25 is Thu 5 Feb; the deadline is its closing time, 19:00 CET = 18:00 UTC.
    got = business_deadline(SUPPORT, [utc("2025-12-31 23:00")], [300 * H])
    assert got.tolist() == [utc("2026-02-05 18:00")]
    got = business_deadline(None, [utc("2025-01-01 00:00")], [90.0])
    assert got.tolist() == [utc("2025-01-01 00:01") + 30]


def test_working_time_answers_many_questions_on_one_span():
    clock = WorkingTime(SUPPORT, utc("2025-01-13 00:00"))
    assert clock.elapsed([utc("2025-01-13 06:00")], [utc("2025-01-20 18:00")]).tolist() == [72 * H]
    assert clock.covered_until > utc("2025-01-20 18:00")
    with pytest.raises(ValueError, match="before the start"):
        clock.elapsed([utc("2025-01-01 00:00")], [utc("2025-01-13 00:00")])


def test_missing_instants_give_nan():
    got = business_seconds(
        SUPPORT, [utc("2025-01-13 08:00"), np.nan], [utc("2025-01-13 09:00"), 0.0]
    )
    assert got[0] == H and np.isnan(got[1])
    assert np.isnan(business_deadline(SUPPORT, [np.nan], [H])).all()
    assert business_seconds(SUPPORT, [], []).size == 0


def test_unknown_time_zone_is_an_input_error():
    with pytest.raises(InputError, match="unknown time zone"):
        business_seconds(calendar("Mars/Olympus_Mons"), [0.0], [1.0])


def test_docstring_examples():
    failures, tried = doctest.testmod(business_time, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
