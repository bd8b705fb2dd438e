"""Survey answers and measurements through the browser import: preview, mapping, errors.

The same files through ``cojourney import --kind feedback|measurements`` are the
services' tests (tests/events/test_feedback_import.py, test_measurements_import.py);
here the page's form must reach the same service with the same mapping.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import Site

from cojourney.events.store import EventStore
from cojourney.services.imports import list_imports
from cojourney.services.workspaces import init_workspace

HTML = {"Accept": "text/html"}

LONG = (
    "member,at,q,s,tp,text\n"
    "M1,2024-03-01 10:00:00,csat,4,app-download,quick\n"
    "M1,2024-03-02 09:00:00,nps,9,,\n"
    "M2,2024-03-03 12:00:00,csat,9,app-download,too high\n"  # line 4: 9 is off the 1-5 scale
)
WIDE = (
    "member,at,tp,Q1,Q7\n"
    "M1,2024-03-01 10:00:00,app-download,5,10\n"
    "M2,2024-03-05 10:00:00,app-download,,3\n"
    "M3,2024-03-06 10:00:00,,2,\n"
)
MEASUREMENTS = (
    "kpi,day,pct,segment\n"
    "fleet-utilisation,2025-03-01T12:00:00Z,40.5,\n"
    "fleet-utilisation,2025-04-01T12:00:00Z,42,\n"
    "no-such-indicator,2025-04-01T12:00:00Z,1,\n"  # line 4
)


@pytest.fixture
def fresh(tmp_path: Path, make_site: Callable[..., Site]) -> tuple[Site, Path]:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    return make_site(folder), folder


def _upload(client: TestClient, csrf: str, body: str, kind: str, name: str) -> str:
    response = client.post(
        "/imports/upload",
        data={"csrf_token": csrf, "kind": kind},
        files={"file": (name, body.encode(), "text/csv")},
        headers=HTML,
    )
    assert response.status_code == 200, response.text
    return response.text


def _selected(html: str, field: str) -> str | None:
    select = re.search(rf'<select id="map-{field}" name="{field}">(.*?)</select>', html, re.S)
    assert select, field
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


def _run(client: TestClient, html: str, **form: str) -> dict[str, object]:
    action = re.search(r'action="(/imports/uploads/[0-9a-f]+/run)"', html)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    kind = re.search(r'name="kind" value="([a-z]+)"', html)
    assert action and csrf and kind, html
    data = {"csrf_token": csrf.group(1), "kind": kind.group(1), **form}
    response = client.post(action.group(1), data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    job = response.headers["location"]
    deadline = time.monotonic() + 60
    while not (status := client.get(f"{job}.json").json())["done"]:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)
    return {"job": job, **status}


def _answers(folder: Path) -> list[tuple[object, ...]]:
    with EventStore.open(folder, read_only=True) as store:
        return store.connection.execute(
            "SELECT journey_id, question, score, touchpoint FROM feedback ORDER BY answer_seq"
        ).fetchall()


def test_feedback_long_layout_row_error_has_its_line_then_skip_imports_the_rest(
    fresh: tuple[Site, Path],
) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    html = _upload(client, csrf, LONG, "feedback", "answers.csv")
    assert "survey answers" in html and 'name="kind" value="feedback"' in html
    # the feedback fields, suggested from the names where they look alike
    assert _selected(html, "touchpoint") is None or _selected(html, "touchpoint") == "tp"
    assert _selected(html, "comment") == "text"
    mapping = {"journey_id": "member", "timestamp": "at", "question": "q", "score": "s"}
    mapping |= {"touchpoint": "tp", "comment": "text", "mapping_name": "answers-long"}
    refused = _run(client, html, **mapping, on_error="fail")
    assert refused["ok"] is False and refused["errors"] == 1
    page = client.get(str(refused["job"]), headers=HTML).text
    line = re.search(r'<tr class="row-error"><td>(\d+)</td>', page)
    assert line and line.group(1) == "4", page
    assert _answers(folder) == []
    retry = re.search(r'href="(/imports/uploads/[0-9a-f]+\?kind=feedback)"', page)
    assert retry, page
    again = client.get(retry.group(1), headers=HTML).text
    done = _run(client, again, **mapping, on_error="skip")
    assert done["ok"] and done["rows_imported"] == 2 and done["rows_rejected"] == 1
    assert _answers(folder) == [("M1", "csat", 4.0, "app-download"), ("M1", "nps", 9.0, None)]
    assert [r.kind for r in list_imports(folder)] == ["feedback"]


def test_feedback_wide_layout_through_the_question_columns(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("owner")
    html = _upload(client, csrf, WIDE, "feedback", "survey.csv")
    assert 'name="score_columns"' in html
    done = _run(
        client,
        html,
        journey_id="member",
        timestamp="at",
        touchpoint="tp",
        score_columns="csat=Q1\nnps=Q7",
        journey_questions="nps",
    )
    assert done["ok"], done
    # every non-empty cell is one answer: M1 csat+nps, M2 nps, M3 csat
    assert sorted((j, q, s) for j, q, s, _ in _answers(folder)) == [
        ("M1", "csat", 5.0),
        ("M1", "nps", 10.0),
        ("M2", "nps", 3.0),
        ("M3", "csat", 2.0),
    ]
    # nps is about the whole journey: no touchpoint
    assert {q: tp for _, q, _, tp in _answers(folder) if q == "nps"} == {"nps": None}


def test_a_malformed_question_column_pair_is_refused_with_its_field(
    fresh: tuple[Site, Path],
) -> None:
    site, _ = fresh
    client, csrf = site.signed_in("editor")
    html = _upload(client, csrf, WIDE, "feedback", "survey.csv")
    action = re.search(r'action="(/imports/uploads/[0-9a-f]+/run)"', html)
    assert action
    response = client.post(
        action.group(1),
        data={"csrf_token": csrf, "kind": "feedback", "score_columns": "csat Q1"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "score_columns" and problem["found"] == "csat Q1"


def test_measurements_are_mapped_and_a_bad_indicator_has_its_line(
    fresh: tuple[Site, Path],
) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    html = _upload(client, csrf, MEASUREMENTS, "measurements", "uptime.csv")
    assert _selected(html, "indicator") == "kpi"  # "kpi" looks like an indicator
    assert _selected(html, "segment") == "segment"
    assert 'name="preset"' not in html  # presets are for event logs and surveys
    form = {"indicator": "kpi", "timestamp": "day", "value": "pct", "segment": "segment"}
    refused = _run(client, html, **form)
    assert refused["ok"] is False
    page = client.get(str(refused["job"]), headers=HTML).text
    line = re.search(r'<tr class="row-error"><td>(\d+)</td>', page)
    assert line and line.group(1) == "4", page
    again = client.get(re.sub(r"/run$", "", _action(html)) + "?kind=measurements", headers=HTML)
    done = _run(client, again.text, **form, on_error="skip")
    assert done["ok"] and done["rows_imported"] == 2 and done["kind"] == "measurements"
    with EventStore.open(folder, read_only=True) as store:
        values = store.connection.execute(
            "SELECT indicator, value FROM measurements ORDER BY measurement_seq"
        ).fetchall()
    assert values == [("fleet-utilisation", 40.5), ("fleet-utilisation", 42.0)]
    history = client.get("/imports", headers=HTML).text
    assert "measurements" in history


def _action(html: str) -> str:
    action = re.search(r'action="(/imports/uploads/[0-9a-f]+/run)"', html)
    assert action
    return action.group(1)


def test_an_unknown_kind_is_refused_and_nothing_kept(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    response = client.post(
        "/imports/upload",
        data={"csrf_token": csrf, "kind": "tickets"},
        files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "kind"
    uploads = folder / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
