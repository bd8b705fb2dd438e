"""Values of a value indicator entered by hand: the form, who and when, and the value page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site

from cojourney.services.imports import list_imports
from cojourney.services.measurement_imports import indicator_measurements
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses

HTML = {"Accept": "text/html"}
INDICATOR = "commute-time-saved"  # no measure: measured from its measurements


@pytest.fixture(autouse=True)
def patient_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)


@pytest.fixture
def measured(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 40, seed=3)  # its measurements end in November 2025
    return folder


def _indicator_row(html: str) -> dict[str, Any]:
    """INDICATOR's record on the value page (its stakeholder's ``indicators`` cell)."""
    table = re.search(r'<table id="table-stakeholders">(.*?)</table>', html, re.S)
    assert table, re.findall(r'<table id="[^"]*"|id="pending"|no-events', html)
    for cell in re.findall(r"<td>(\[.*?\])</td>", table.group(1), re.S):
        for record in json.loads(unescape(cell)):
            if isinstance(record, dict) and record.get("indicator") == INDICATOR:
                return record
    raise AssertionError(f"no record of {INDICATOR}")


def test_a_value_entered_by_hand_is_stored_with_who_and_counts_on_the_value_page(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    site = make_site(measured)
    client, csrf = site.signed_in("editor")
    before = _indicator_row(client.get("/journeys/ecampus-member-journey/analyses/value").text)
    assert before["current"]["period_start"] == "2025-11-01"
    page = client.get(f"/indicators/{INDICATOR}/measurements", headers=HTML)
    assert page.status_code == 200 and 'id="measurement-form"' in page.text
    response = client.post(
        f"/indicators/{INDICATOR}/measurements",
        data={"csrf_token": csrf, "timestamp": "2025-12-15T10:00", "value": "12.5"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    shown = client.get(response.headers["location"], headers=HTML).text
    assert 'id="measurement-saved"' in shown
    assert "editor@example.org" in shown and "12.5" in shown
    latest = indicator_measurements(measured, INDICATOR)[0]
    assert (latest.value, latest.entered_by) == (12.5, "editor@example.org")
    # local time of the workspace's zone, kept as the moment it names
    assert latest.timestamp.isoformat() == "2025-12-15T13:00:00+00:00"
    assert list_imports(measured)[-1].source_name == "entered by editor@example.org.csv"
    # the value page: December's mean is the entered value, below the warning line
    after = _indicator_row(client.get("/journeys/ecampus-member-journey/analyses/value").text)
    assert after["current"] == {"period_start": "2025-12-01", "value": 12.5, "n": 1}
    assert after["status"] == "off_track"


def test_a_wrong_value_is_refused_with_its_field_and_nothing_stored(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    site = make_site(measured)
    client, csrf = site.signed_in("owner")
    count = len(indicator_measurements(measured, INDICATOR, limit=1000))
    response = client.post(
        f"/indicators/{INDICATOR}/measurements",
        data={"csrf_token": csrf, "timestamp": "yesterday", "value": "lots"},
        headers=HTML,
    )
    assert response.status_code == 422
    assert "measurement.value" in response.text and "measurement.timestamp" in response.text
    assert 'value="lots"' in response.text  # what was typed stays in the form
    assert len(indicator_measurements(measured, INDICATOR, limit=1000)) == count


def test_a_second_value_for_the_same_time_is_a_conflict_not_a_silent_change(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    site = make_site(measured)
    client, csrf = site.signed_in("editor")
    form = {"csrf_token": csrf, "timestamp": "2025-12-01T09:00", "value": "50"}
    first = client.post(f"/indicators/{INDICATOR}/measurements", data=form, headers=HTML)
    assert first.status_code == 200
    second = client.post(
        f"/indicators/{INDICATOR}/measurements", data={**form, "value": "51"}, headers=HTML
    )
    assert second.status_code == 409 and "Not stored" in second.text
    assert indicator_measurements(measured, INDICATOR)[0].value == 50.0


def test_viewers_and_unknown_indicators_are_refused(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    site = make_site(measured)
    viewer, csrf = site.signed_in("viewer")
    refused = viewer.post(
        f"/indicators/{INDICATOR}/measurements",
        data={"csrf_token": csrf, "timestamp": "2025-12-01T09:00", "value": "1"},
    )
    assert refused.status_code == 403
    editor, _ = site.signed_in("editor")
    assert editor.get("/indicators/no-such/measurements").status_code == 404
    no_csrf = editor.post(
        f"/indicators/{INDICATOR}/measurements",
        data={"timestamp": "2025-12-01T09:00", "value": "1"},
    )
    assert no_csrf.status_code == 403
    listing = editor.get("/indicators", headers=HTML).text
    assert f'href="/indicators/{INDICATOR}/measurements"' in listing
