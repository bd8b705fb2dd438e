"""Agreements, value, leakage and improvements pages filtered by segment and case attribute.

The workspace is the three hand-made incidents of ``tests/cli/test_filtered_analyses_cmd``
(I1 by phone, I2 and I3 in the app): in the app, first response is met once and
breached once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_analyses_pages import csv_rows, page_tables
from web_helpers import Site

from cojourney.analytics.filters import JourneyFilter
from cojourney.services.agreements import agreements_report, leakage
from cojourney.web import routes_analyses
from cojourney.web.analyses_views import result_tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from test_filtered_analyses_cmd import channel_workspace


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return channel_workspace(tmp_path_factory.mktemp("filtered-pages") / "ws")


@pytest.fixture(autouse=True)
def patient_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)


def service_table(result: dict, name: str) -> list[list[str]]:
    [table] = [t for t in result_tables(result) if t.name == name]
    return csv_rows(table.csv())


def test_agreements_page_filtered_by_a_case_attribute(
    incidents: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(incidents).signed_in("viewer")
    base = "/journeys/resolve-incident/analyses/agreements-status"
    everyone = page_tables(client.get(base).text)["table-clocks"]
    html = client.get(f"{base}?where=channel%3Dapp").text
    app = page_tables(html)["table-clocks"]
    expected = agreements_report(
        incidents, filters=JourneyFilter(attributes=(("channel", "app"),))
    ).to_dict()
    assert app == service_table(expected, "clocks")
    assert app != everyone  # a separate cache entry per filter

    def first_response(rows: list[list[str]]) -> dict[str, int]:
        header = rows[0]
        [row] = [r for r in rows[1:] if r[header.index("clock_id")] == "first-response"]
        return json.loads(row[header.index("status_counts")])

    assert (first_response(app)["met"], first_response(app)["breached"]) == (1, 1)
    assert (first_response(everyone)["met"], first_response(everyone)["breached"]) == (2, 1)
    assert 'value="channel=app"' in html  # the form keeps the filter


def test_leakage_page_filtered_by_segment_and_persona(
    incidents: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(incidents).signed_in("viewer")
    html = client.get("/journeys/resolve-incident/analyses/leakage?segment=pieter").text
    assert "<dt>journeys</dt><dd>1</dd>" in html  # I1 alone
    expected = leakage(incidents, filters=JourneyFilter(segments=("pieter",))).to_dict()
    assert page_tables(html)["table-leaks"] == service_table(expected, "leaks")
    by_persona = client.get("/journeys/resolve-incident/analyses/leakage?persona=pieter").text
    assert page_tables(by_persona)["table-leaks"] == page_tables(html)["table-leaks"]


@pytest.mark.parametrize("name", ["value", "improvements-effect"])
def test_value_and_improvements_pages_take_the_filters(
    name: str, incidents: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(incidents).signed_in("viewer")
    response = client.get(f"/journeys/resolve-incident/analyses/{name}?persona=anna")
    assert response.status_code == 200, response.text
    assert 'id="analysis-error"' not in response.text
    assert '<option value="anna" selected>' in response.text
