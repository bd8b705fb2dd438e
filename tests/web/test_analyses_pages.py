"""The analyses pages: the services' numbers, in tables and CSV, filtered and cached."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from web_helpers import Site

from cojourney.analytics.filters import JourneyFilter
from cojourney.errors import NotFound
from cojourney.services.analysis import analyze_workspace
from cojourney.services.experience import experience_report
from cojourney.services.results_cache import ResultsCache, data_version
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses
from cojourney.web.analyses_views import ANALYSES, result_tables
from cojourney.web.routes_analyses import results_cache

DEMOS = ("ecampus-car-share", "incident-resolution")


@pytest.fixture(scope="module", params=DEMOS)
def measured(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flagship example with 300 simulated journeys imported."""
    folder = tmp_path_factory.mktemp(request.param)
    init_workspace(folder, example=request.param)
    simulate(folder, 300, seed=1)
    return folder


@pytest.fixture(autouse=True)
def patient_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages wait for the result (the placeholder is tested on its own)."""
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)


class Tables(HTMLParser):
    """The rows of every ``<table id=...>`` of a page, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def journey_of(folder: Path) -> str:
    from cojourney.services.handle import WorkspaceHandle

    return WorkspaceHandle(folder).model().journeys[0].id


def summary_value(html: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html)
    assert match, f"no {label!r} in the summary"
    return match.group(1)


def test_journeys_page_has_the_service_numbers_and_csv_is_the_table(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    expected = analyze_workspace(measured, journey_id=journey, top_variants=10)
    response = client.get(f"/journeys/{journey}/analyses")
    assert response.status_code == 200, response.text
    assert summary_value(response.text, "counts journeys") == str(expected.counts.journeys)
    tables = page_tables(response.text)
    service = {t.name: t for t in result_tables(expected.to_dict())}
    assert {"graph.nodes", "graph.edges", "variants.top", "funnel.steps"} <= set(service)
    for name in ("variants.top", "funnel.steps", "graph.edges"):
        shown = tables[f"table-{name}"]
        downloaded = client.get(f"/journeys/{journey}/analyses/journeys.csv?table={name}")
        assert downloaded.status_code == 200
        assert downloaded.headers["content-type"].startswith("text/csv")
        assert csv_rows(downloaded.text) == shown  # the CSV is exactly the table
        assert csv_rows(downloaded.text) == csv_rows(service[name].csv())  # = the service


def test_a_segment_filter_changes_the_counts_as_the_service_does(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    everyone = analyze_workspace(measured, journey_id=journey)
    segment = sorted(everyone.to_dict()["breakdowns"][0]["rows"], key=lambda r: r["journeys"])[0][
        "value"
    ]
    only = analyze_workspace(
        measured, journey_id=journey, filters=JourneyFilter(segments=(segment,))
    )
    assert 0 < only.counts.journeys < everyone.counts.journeys
    html = client.get(f"/journeys/{journey}/analyses?segment={segment}").text
    assert summary_value(html, "counts journeys") == str(only.counts.journeys)
    assert f'value="{segment}"' in html  # the form keeps the filter
    csv_link = re.search(r'href="([^"]*journeys\.csv\?table=funnel\.steps[^"]*)"', html)
    assert csv_link and f"segment={segment}" in csv_link.group(1).replace("&amp;", "&")


def test_a_time_window_keeps_the_journeys_that_started_in_it(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    window = JourneyFilter(
        start=datetime(2000, 1, 1, tzinfo=UTC), end=datetime(2000, 1, 2, tzinfo=UTC)
    )
    none = analyze_workspace(measured, journey_id=journey, filters=window)
    html = client.get(f"/journeys/{journey}/analyses?from=2000-01-01&to=2000-01-01").text
    assert summary_value(html, "counts journeys") == str(none.counts.journeys) == "0"


def test_experience_by_persona_equals_the_service(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    from cojourney.services.handle import WorkspaceHandle

    persona = sorted(p.id for p in WorkspaceHandle(measured).model().personas)[0]
    expected = {
        t.name: t
        for t in result_tables(
            experience_report(
                measured, journey_id=journey, segment=persona, by=("persona",)
            ).to_dict()
        )
    }
    html = client.get(f"/journeys/{journey}/analyses/experience?segment={persona}").text
    tables = page_tables(html)
    for name, table in expected.items():
        assert tables[f"table-{name}"] == csv_rows(table.csv())
    # The page scores by persona too (the journeys' personas by the workspace's rules).
    assert any(row[0] == "persona" for row in tables["table-breakdowns"])


def test_experience_filtered_by_persona_and_where_equals_the_service(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    from cojourney.services.handle import WorkspaceHandle

    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    persona = sorted(p.id for p in WorkspaceHandle(measured).model().personas)[-1]
    expected = experience_report(
        measured,
        journey_id=journey,
        by=("persona",),
        journey_filter=JourneyFilter(personas=(persona,)),
    )
    everyone = experience_report(measured, journey_id=journey)
    assert 0 < expected.answers < everyone.answers
    html = client.get(f"/journeys/{journey}/analyses/experience?persona={persona}").text
    assert summary_value(html, "answers") == str(expected.answers)
    assert f'<option value="{persona}" selected>' in html
    wrong = client.get(f"/journeys/{journey}/analyses/experience?where=cohort=March")
    assert wrong.status_code in (400, 422)
    assert "YYYY-MM" in wrong.text


@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_analysis_page_answers_with_tables_or_an_honest_message(
    name: str, measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    response = client.get(f"/journeys/{journey}/analyses/{name}")
    assert response.status_code == 200, response.text
    assert (
        'id="table-' in response.text
        or 'id="analysis-error"' in response.text
        or ('id="no-tables"' in response.text)
    )
    assert "Traceback" not in response.text


def test_results_are_cached_and_an_ingested_batch_invalidates_them(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    site = make_site(measured)
    client, _ = site.signed_in("viewer")
    journey = journey_of(measured)
    cache = results_cache(site.app)
    url = f"/journeys/{journey}/analyses?paths=3"
    before = client.get(url).text
    misses = cache.misses
    assert client.get(url).text.count("<tr>") == before.count("<tr>")
    assert cache.misses == misses and cache.hits >= 1  # the second load is a hit
    version = data_version(measured)
    sent = client.post(
        "/api/events",
        json=[
            {
                "id": "h16-new-1",
                "journey_id": "h16-new-journey",
                "activity": "brand-new-activity",
                "timestamp": "2026-03-01T09:12:00+00:00",
            }
        ],
        headers=site.bearer("ingest"),
    )
    assert sent.status_code == 200, sent.text
    assert data_version(measured) != version
    after = client.get(url).text
    assert cache.misses == misses + 1  # computed again on the new data
    assert summary_value(after, "counts journeys") != summary_value(before, "counts journeys")


def test_a_long_analysis_shows_a_placeholder_and_a_status(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(measured)
    client, _ = site.signed_in("viewer")
    journey = journey_of(measured)
    release = threading.Event()
    slow = ANALYSES["value"]
    original = slow.compute

    def waiting(*args: object) -> dict[str, object]:
        release.wait(30)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 0.05)
    monkeypatch.setitem(ANALYSES, "value", type(slow)(slow.name, slow.title, waiting))
    page = client.get(f"/journeys/{journey}/analyses/value")
    assert 'id="pending"' in page.text and 'http-equiv="refresh"' in page.text
    status = client.get(f"/journeys/{journey}/analyses/value/status").json()
    assert status["done"] is False
    release.set()
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 60.0)
    done = client.get(f"/journeys/{journey}/analyses/value")
    assert 'id="pending"' not in done.text
    assert client.get(f"/journeys/{journey}/analyses/value/status").json()["done"] is True


def test_wrong_filters_and_unknown_names_are_clear_errors(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = journey_of(measured)
    bad = client.get(f"/journeys/{journey}/analyses?from=yesterday")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    assert client.get(f"/journeys/{journey}/analyses/nope").status_code == 404
    assert client.get("/journeys/nope/analyses").status_code == 404
    missing = client.get(f"/journeys/{journey}/analyses/value.csv?table=nope")
    assert missing.status_code == 422
    assert client.get("/analyses", follow_redirects=False).status_code == 303


def test_the_pages_need_a_viewer(measured: Path, make_site: Callable[..., Site]) -> None:
    site = make_site(measured)
    anonymous = site.client().get(
        f"/journeys/{journey_of(measured)}/analyses", follow_redirects=False
    )
    assert anonymous.status_code in (303, 401)


def test_without_events_the_page_says_so(make_site: Callable[..., Site]) -> None:
    client, _ = make_site().signed_in("viewer")
    html = client.get("/analyses").text
    assert 'id="no-events"' in html


def test_the_cache_keeps_results_per_version_and_drops_old_ones() -> None:
    cache = ResultsCache(max_entries=2)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("a", 1, ("v1",), compute) == 1
    assert cache.get("a", 1, ("v1",), compute) == 1
    assert cache.get("a", 1, ("v2",), compute) == 2  # a new data version computes again
    assert len(cache) == 1  # the old version is gone
    cache.get("b", 1, ("v2",), compute)
    cache.get("c", 1, ("v2",), compute)
    assert len(cache) == 2

    def failing() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        cache.get("d", 1, ("v2",), failing)
    assert cache.get("d", 1, ("v2",), compute) == 5  # a failure is not kept


def test_map_measured_draws_the_journeys_per_touchpoint(measured: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cojourney.cli.main import cli

    journey = journey_of(measured)
    analysis = analyze_workspace(measured, journey_id=journey)
    designed_only = tmp_path / "designed.svg"
    with_overlay = tmp_path / "measured.svg"
    runner = CliRunner()
    assert runner.invoke(cli, ["map", str(measured), "-o", str(designed_only)]).exit_code == 0
    result = runner.invoke(cli, ["map", str(measured), "-o", str(with_overlay), "--measured"])
    assert result.exit_code == 0, result.output
    drawn = with_overlay.read_text(encoding="utf-8")
    touchpoints = [n for n in analysis.graph.nodes if n.designed]
    assert touchpoints
    for node in touchpoints[:5]:
        assert f"{node.journeys} journeys" in drawn
    assert drawn != designed_only.read_text(encoding="utf-8")


def test_map_measured_without_events_says_what_to_do(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cojourney.cli.main import cli

    init_workspace(tmp_path / "ws", example="ecampus-car-share")
    result = CliRunner().invoke(
        cli, ["map", str(tmp_path / "ws"), "-o", str(tmp_path / "m.svg"), "--measured"]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, NotFound)  # shown by the CLI as a message
    assert "no events imported yet" in str(result.exception)
    assert not (tmp_path / "m.svg").exists()


def test_summary_durations_read_as_durations_and_keep_their_seconds() -> None:
    from cojourney.web.analyses_views import summary

    pairs = dict(summary({"counts": {"journeys": 3}, "durations": {"mean": 90_061.0, "min": 0}}))
    assert pairs["counts journeys"] == "3"
    assert pairs["durations mean"] == "1d 1h (90,061 s)"
    assert pairs["durations min"] == "0s (0 s)"
