"""``services.report.build_report`` on MAIN_LOG and the hand-made answers, numbers by hand."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pyarrow.parquet as pq
import pytest
from checks import external_references, parse
from journey_logs import MAIN_LOG, T0, journey_table

from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.errors import InputError, NotFound
from cojourney.report.overlay import touchpoint_times
from cojourney.services.report import build_report, report_stages


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return match.group(0)


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_every_section_is_measured(built):
    result, _ = built
    assert result.journey_id == "main-journey"
    assert result.sections == {
        s: "ok"
        for s in (
            "summary",
            "journey-map",
            "journey-graph",
            "variants",
            "funnel",
            "experience",
            "agreements",
            "relationships",
            "value",
            "leakage",
            "improvements",
            "stakeholders",
        )
    }
    assert result.reasons == {}
    assert result.size == result.output.stat().st_size > 1_000_000  # ECharts is inside


def test_headline_numbers(built):
    _, html = built
    summary = _text(_section(html, "summary"))
    assert "Journeys 8 34 events" in summary
    # onboarding: A, B, E, G reach it; E stays there
    assert "Got on board 75% of 4 who reached onboarding" in summary
    # co-create and realize hold the exit points (first-use, survey): leaving there is no
    # drop-off; onboarding loses 1 of 4 (E), more than agree (1 of 7)
    assert "Biggest drop-off: 1 journey (25%) of those that reached Onboard" in summary
    # CSAT: 5, 4, 2, 5 -> 3 of 4; NPS: 10, 9, 3, 7 -> (2 - 1) / 4
    assert "CSAT 75%" in summary and "NPS +25" in summary


def test_journey_sections(built):
    _, html = built
    funnel = _text(_section(html, "funnel"))
    # reached, moved on, went back, ended, in progress, dropped off (E, silent), %, time
    assert "Onboard 4 3 0 0 0 1 25% 35s" in funnel
    assert "Identity verified before first use" in funnel
    variants = _section(html, "variants")
    # D and H follow the same variant: 2 of 8 journeys
    assert re.search(r'#1</span>\s*<span class="cj-variant-share"[^>]*>25\.0%</span>', variants)
    experience = _text(_section(html, "experience"))
    assert "Emotion 0.6" in experience  # (-1 - 2 + 3 + 2 + 1) / 5


def test_time_at_touchpoints_by_hand(measured):
    from cojourney.events.store import EventStore

    with EventStore.open(measured, read_only=True) as store:
        engine = DuckDBEngine(connection=store.connection)
        table = engine.table(store.table_name("events"))
        times = touchpoint_times(table, engine)
        # search -> next event: A 100, D 60, E 10, H 20
        assert times["search"] == 40.0
        # sign-up: A 100, B 50, C 10, D 60, E 10, G 10 and 10, H 20
        assert times["sign-up"] == 15.0
        # first-use: A 600, B 100 (its last one has no next event), C 10 and 10, D 60, G 10, H 20
        assert times["first-use"] == 20.0
        # journeys that started from 25,000 s on: D, E, H have a search
        later = touchpoint_times(table, engine, start=T0 + dt.timedelta(seconds=25_000))
        assert later["search"] == 20.0


def test_a_workspace_without_data_says_so_everywhere(bare, tmp_path):
    out = tmp_path / "empty.html"
    result = build_report(bare, out)
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert external_references(page) == []
    for section in (
        "journey-graph",
        "variants",
        "funnel",
        "experience",
        "value",
        "agreements",
        "leakage",
        "improvements",
        "journey-map",
    ):
        assert result.sections[section] == "no-data", section
    assert result.sections["stakeholders"] == "ok"
    assert result.reasons["funnel"].startswith("No events imported yet")
    assert "No events imported yet" in _section(html, "summary")
    assert not re.search(r"\d+ journeys", _text(_section(html, "funnel")))


def test_a_period_without_journeys(measured, tmp_path):
    result = build_report(measured, tmp_path / "r.html", start=dt.date(2030, 1, 1))
    assert result.sections["journey-graph"] == "no-data"
    assert result.reasons["journey-graph"].startswith("No journey started in the chosen period")


def test_a_parquet_dataset_instead_of_the_store(measured, tmp_path):
    path = tmp_path / "events.parquet"
    pq.write_table(journey_table(MAIN_LOG[:2]), path)  # A and B only
    stages: list[tuple[str, int, int]] = []
    out = tmp_path / "deep" / "r.html"
    result = build_report(measured, out, source=path, on_progress=lambda *args: stages.append(args))
    html = out.read_text(encoding="utf-8")
    assert "Journeys 2 11 events" in _text(_section(html, "summary"))
    assert result.sections["experience"] == "no-data"  # a Parquet dataset holds no answers
    total = len(report_stages())
    assert [s[0] for s in stages] == [*report_stages(), "done"]
    assert [s[1] for s in stages] == list(range(total + 1)) and {s[2] for s in stages} == {total}


def test_bad_requests(measured, tmp_path):
    with pytest.raises(InputError, match="the time range is empty"):
        build_report(
            measured, tmp_path / "r.html", start=dt.date(2024, 2, 1), end=dt.date(2024, 1, 1)
        )
    with pytest.raises(NotFound, match="no journey 'nope'"):
        build_report(measured, tmp_path / "r.html", journey_id="nope")
    with pytest.raises(InputError, match="unknown engine"):
        build_report(measured, tmp_path / "r.html", engine="pandas")
    assert not (tmp_path / "r.html").exists()


def test_the_report_replaces_a_file_whole(measured, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    build_report(measured, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_the_journey_analyses_on_spark(measured, tmp_path):
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and no `java` is on the PATH")
    out = tmp_path / "spark.html"
    result = build_report(measured, out, engine="spark")
    html = out.read_text(encoding="utf-8")
    assert result.sections["funnel"] == "ok"
    assert "Journeys 8 34 events" in _text(_section(html, "summary"))
    assert "Onboard 4 3 0 0 0 1 25% 35s" in _text(_section(html, "funnel"))
    assert "journey analyses on spark" in html


def test_the_watermelon_warning(built):
    """January: the SLA is green (clock: A, B, G, H met; C and E, silent for over 30 days
    at the data's end, abandoned and left out: 4 of 4 >= 50%; median sign-up to first use well under 24 h) while the XLA on the same
    service is red (CSAT 5, 2, 5: 2 of 3 < 85%). February (D alone) is green on both."""
    _, html = built
    agreements = _text(_section(html, "agreements"))
    assert agreements.count("service-agreement is green") == 1
    assert (
        "2024-01: service-agreement is green (clock sign-up-to-use: 100.0% met, 50% required"
        in agreements
    )
    assert "experience-agreement is red (csat 66.67 (target >= 85))" in agreements
    summary = _text(_section(html, "summary"))
    assert "Watermelon warning: green outside, red inside" in summary
