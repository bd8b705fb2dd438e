"""The report's events read from a Parquet dataset once: the same report as the view."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
from journey_logs import MAIN_LOG, journey_table

from cojourney.events.store import EventSource, EventStore
from cojourney.services import report_events
from cojourney.services.report import build_report


def _comparable(html: str) -> str:
    html = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "DATE", html)  # the build's minute
    return re.sub(r"-?\d+\.\d{6,}", lambda m: f"{float(m.group()):.8g}", html)  # float noise


def test_held_events_are_the_views_rows_in_a_table(tmp_path: Path, measured: Path):
    path = tmp_path / "events.parquet"
    pq.write_table(journey_table(MAIN_LOG), path)
    source = EventSource.from_parquet(path)
    try:
        held = report_events.held_once(source)
        assert held.table_name("events") != source.table_name("events")
        kinds = source.connection.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = ?",
            [held.table_name("events")],
        ).fetchall()
        assert kinds == [("LOCAL TEMPORARY",)]
        view, table = source.table_name("events"), held.table_name("events")
        counts = source.connection.execute(
            f'SELECT (SELECT count(*) FROM "{view}"), (SELECT count(*) FROM "{table}"), '
            f'(SELECT count(*) FROM (FROM "{view}" EXCEPT ALL FROM "{table}")), '
            f'(SELECT count(*) FROM (FROM "{table}" EXCEPT ALL FROM "{view}"))'
        ).fetchone()
        events = journey_table(MAIN_LOG).num_rows
        assert counts == (events, events, 0, 0)
    finally:
        source.close()
    with EventStore.open(measured, read_only=True) as store:
        assert report_events.held_once(store) is store  # a store's table is read as it is


def test_the_report_of_held_events_is_the_report_of_the_view(
    tmp_path: Path, measured: Path, monkeypatch
):
    path = tmp_path / "events.parquet"
    pq.write_table(journey_table(MAIN_LOG), path)
    held = build_report(measured, tmp_path / "held.html", source=path)
    monkeypatch.setattr(report_events, "held_once", lambda source: source)
    view = build_report(measured, tmp_path / "view.html", source=path)
    assert held.sections == view.sections and "ok" in held.sections.values()
    assert _comparable((tmp_path / "held.html").read_text(encoding="utf-8")) == _comparable(
        (tmp_path / "view.html").read_text(encoding="utf-8")
    )
