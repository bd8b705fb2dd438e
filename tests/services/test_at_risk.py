"""Journeys at risk: hand-made journeys for each reason, and ones that must not show."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cojourney.services.at_risk import at_risk
from cojourney.services.ingest import IngestWriter, validate_batch
from cojourney.services.workspaces import init_workspace

# Wednesday 2026-03-11 14:00 in São Paulo (the example's office hours: Mon-Fri 8-18).
AS_OF = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def _event(n: int, journey: str, activity: str, at: str) -> dict[str, Any]:
    return {"id": f"e{n}", "journey_id": journey, "activity": activity, "timestamp": at}


def _answer(n: int, journey: str, touchpoint: str, score: float, at: str) -> dict[str, Any]:
    return {
        "id": f"a{n}",
        "journey_id": journey,
        "timestamp": at,
        "question": "csat",
        "score": score,
        "touchpoint": touchpoint,
        "comment": "the car was not there",
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("risk") / "ws"
    init_workspace(ws, example="ecampus-car-share")
    events = [
        # licence clock (24 office hours, warning 75%)
        _event(1, "clock-risk", "licence-upload", "2026-03-09T17:00:00Z"),  # 20 h: 83%
        _event(2, "clock-breached", "licence-upload", "2026-03-06T11:00:00Z"),  # 30 h
        _event(3, "clock-fresh", "licence-upload", "2026-03-11T13:00:00Z"),  # 4 h
        _event(4, "clock-met", "licence-upload", "2026-03-09T17:00:00Z"),
        _event(5, "clock-met", "licence-approved", "2026-03-09T18:00:00Z"),
        # payment-setup: step "agree" expects 30 minutes; gate payment-before-booking
        _event(6, "stalled", "payment-setup", "2026-03-09T17:00:00Z"),
        _event(7, "moving", "payment-setup", "2026-03-11T16:50:00Z"),
        # first-booking is a moment of truth
        _event(8, "poor", "first-booking", "2026-03-11T10:00:00Z"),
        _event(9, "poor-old", "first-booking", "2026-03-11T10:00:00Z"),
        _event(10, "good", "first-booking", "2026-03-11T10:00:00Z"),
        _event(11, "not-a-moment", "book-car", "2026-03-11T10:00:00Z"),
    ]
    answers = [
        _answer(1, "poor", "first-booking", 1, "2026-03-11T12:00:00Z"),
        _answer(2, "poor-old", "first-booking", 1, "2026-03-08T12:00:00Z"),
        _answer(3, "good", "first-booking", 5, "2026-03-11T12:00:00Z"),
        _answer(4, "not-a-moment", "book-car", 1, "2026-03-11T12:00:00Z"),
    ]
    writer = IngestWriter(ws)
    writer.write("events", validate_batch("events", events, max_items=100))
    writer.write("feedback", validate_batch("feedback", answers, max_items=100))
    writer.close()
    return ws


def _by_reason(folder: Path) -> dict[str, dict[str, Any]]:
    report = at_risk(folder, as_of=AS_OF)
    out: dict[str, dict[str, Any]] = {"clock": {}, "stalled": {}, "poor_answer": {}}
    for item in report.items:
        out[item.reason][item.journey_id] = item
    return out


def test_clocks_near_or_past_their_target_while_running(folder: Path) -> None:
    clocks = _by_reason(folder)["clock"]
    assert set(clocks) == {"clock-risk", "clock-breached"}
    risk = clocks["clock-risk"]
    assert risk.why.startswith("near breach: Licence check clock at 8")
    assert risk.next_step.startswith("escalate:") and "member-sla" in risk.next_step
    assert risk.since == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    breached = clocks["clock-breached"]
    assert breached.why.startswith("breached, still running")
    assert breached.next_step.startswith("act now")
    assert risk.key != breached.key


def test_journeys_stalled_at_a_gate(folder: Path) -> None:
    stalled = _by_reason(folder)["stalled"]
    assert "moving" not in stalled and "clock-risk" not in stalled
    item = stalled["stalled"]
    assert "gate" in item.why and "payment" in item.why.lower()
    assert item.since == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert "first-booking" in item.next_step  # what waits for the gate


def test_moments_of_truth_answered_badly_in_the_last_day(folder: Path) -> None:
    poor = _by_reason(folder)["poor_answer"]
    assert set(poor) == {"poor"}
    assert "csat 1" in poor["poor"].why and "the car was not there" in poor["poor"].why


def test_later_as_of_drops_the_old_answer_and_keys_are_stable(folder: Path) -> None:
    first = at_risk(folder, as_of=AS_OF)
    again = at_risk(folder, as_of=AS_OF)
    assert [i.key for i in first.items] == [i.key for i in again.items]
    assert len({i.key for i in first.items}) == len(first.items)
    later = at_risk(folder, as_of=datetime(2026, 3, 12, 13, 0, tzinfo=UTC))
    assert "poor" not in {i.journey_id for i in later.items if i.reason == "poor_answer"}
    assert first.to_dict()["items"][0]["since"].endswith("+00:00")
