"""Imports in the browser: upload, preview, import, row errors, history and undo."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import Site

from cojourney.services.imports import list_imports
from cojourney.services.workspaces import init_workspace, open_workspace

HTML = {"Accept": "text/html"}


@pytest.fixture
def fresh(tmp_path: Path, make_site: Callable[..., Site]) -> tuple[Site, Path]:
    """A site on a workspace of its own (imports write to it)."""
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    return make_site(folder), folder


def _log(folder: Path, bad_line: int | None = None, rows: int = 6) -> bytes:
    """A small CSV log of the workspace's touchpoints; ``bad_line`` has no timestamp."""
    touchpoints = [t.id for j in open_workspace(folder).journeys for t in j.touchpoints][:3]
    lines = ["case_ref,step_name,occurred_at"]
    for n in range(rows):
        line_number = n + 2
        stamp = "" if line_number == bad_line else f"2026-03-0{1 + n % 5}T09:{10 + n}:00Z"
        lines.append(f"c-{n // 3},{touchpoints[n % len(touchpoints)]},{stamp}")
    return ("\n".join(lines) + "\n").encode()


def _upload(client: TestClient, csrf: str, body: bytes, name: str = "log.csv") -> object:
    return client.post(
        "/imports/upload",
        data={"csrf_token": csrf},
        files={"file": (name, body, "text/csv")},
        headers=HTML,
    )


def _selected(html: str, field: str) -> str | None:
    select = re.search(rf'<select id="map-{field}" name="{field}">(.*?)</select>', html, re.S)
    assert select, field
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


def _run(client: TestClient, html: str, on_error: str = "fail") -> str:
    action = re.search(r'action="(/imports/uploads/[0-9a-f]+/run)"', html)
    assert action, html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert csrf
    form = {
        "csrf_token": csrf.group(1),
        "journey_id": _selected(html, "journey_id") or "",
        "activity": _selected(html, "activity") or "",
        "timestamp": _selected(html, "timestamp") or "",
        "on_error": on_error,
        "mapping_name": "browser-log",
    }
    response = client.post(action.group(1), data=form, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    job = response.headers["location"]
    deadline = time.monotonic() + 60
    while not client.get(f"{job}.json").json()["done"]:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)
    return job


def test_upload_preview_import_and_saved_mapping(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    preview = _upload(client, csrf, _log(folder))
    assert preview.status_code == 200, preview.text
    html = preview.text
    assert "case_ref" in html and "occurred_at" in html  # the first rows are shown
    # the suggestion: columns whose names look like the fields
    assert _selected(html, "journey_id") == "case_ref"
    assert _selected(html, "activity") == "step_name"
    assert _selected(html, "timestamp") == "occurred_at"
    job = _run(client, html)
    status = client.get(f"{job}.json").json()
    assert status["ok"] and status["rows_imported"] == 6 and status["rows_duplicate"] == 0
    page = client.get(job, headers=HTML).text
    assert 'id="rows-new">6<' in page
    assert [r.rows_imported for r in list_imports(folder)] == [6]
    # the mapping was saved, and the next upload of the same layout is preselected by it
    assert (folder / "mappings" / "browser-log.yaml").is_file() or any(
        "browser-log" in p.name for p in folder.rglob("*.yaml")
    )
    again = _upload(client, csrf, _log(folder, rows=4))
    assert "browser-log" in again.text and _selected(again.text, "journey_id") == "case_ref"
    # no upload stays behind once imported
    uploads = folder / "data" / "uploads"
    assert len([p for p in uploads.iterdir()]) == 1  # only the second, not yet imported


def test_row_error_listed_with_its_line_and_downloadable(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    preview = _upload(client, csrf, _log(folder, bad_line=4))
    job = _run(client, preview.text, on_error="fail")
    status = client.get(f"{job}.json").json()
    assert status["done"] and not status["ok"] and status["errors"] >= 1
    page = client.get(job, headers=HTML).text
    row = re.search(r'<tr class="row-error"><td>(\d+)</td>', page)
    assert row and row.group(1) == "4", page
    assert list_imports(folder) == []  # fail: nothing imported
    download = client.get(f"{job}/errors.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["line"] for r in rows] == ["4"]
    # the upload stays for another try: back to its preview, then skip the bad row
    retry = re.search(r'href="(/imports/uploads/[0-9a-f]+)"', page)
    assert retry, page
    again = client.get(retry.group(1), headers=HTML)
    assert again.status_code == 200 and "Preview of log.csv" in again.text
    second = _run(client, again.text, on_error="skip")
    assert client.get(f"{second}.json").json()["rows_imported"] == 5


def test_skip_keeps_the_good_rows_and_offers_the_skipped_ones(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("owner")
    preview = _upload(client, csrf, _log(folder, bad_line=3))
    job = _run(client, preview.text, on_error="skip")
    status = client.get(f"{job}.json").json()
    assert status["ok"] and status["rows_imported"] == 5 and status["rows_rejected"] == 1
    (record,) = list_imports(folder)
    skipped = client.get(f"/imports/{record.id}/quarantine.csv")
    assert skipped.status_code == 200 and "reason" in skipped.text.splitlines()[0]


def test_too_large_upload_is_refused_and_nothing_kept(
    tmp_path: Path, make_site: Callable[..., Site]
) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    site = make_site(folder, upload_max_bytes=1000)
    client, csrf = site.signed_in("editor")
    response = _upload(client, csrf, b"case,activity,timestamp\n" + b"x" * 5000)
    assert response.status_code == 413
    uploads = folder / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_viewer_may_not_upload_nor_see_imports(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("viewer")
    assert client.get("/imports", headers=HTML).status_code == 403
    assert _upload(client, csrf, _log(folder)).status_code == 403
    uploads = folder / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_upload_without_csrf_is_refused_and_dropped(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, _csrf = site.signed_in("editor")
    assert _upload(client, "forged", _log(folder)).status_code == 403
    uploads = folder / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_unknown_format_is_refused_with_the_formats(fresh: tuple[Site, Path]) -> None:
    site, _folder = fresh
    client, csrf = site.signed_in("editor")
    response = _upload(client, csrf, b"hello", name="notes.docx")
    assert response.status_code == 422
    assert ".csv" in response.text and ".xes" in response.text


def test_history_lists_imports_and_undo_removes_one(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, csrf = site.signed_in("editor")
    _run(client, _upload(client, csrf, _log(folder)).text)
    (record,) = list_imports(folder)
    page = client.get("/imports", headers=HTML).text
    assert f"Undo #{record.id}" in page and "log.csv" in page
    # without the confirm box ticked nothing is undone
    refused = client.post(f"/imports/{record.id}/undo", data={"csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 422 and len(list_imports(folder)) == 1
    done = client.post(
        f"/imports/{record.id}/undo",
        data={"csrf_token": csrf, "confirm": "yes"},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert list_imports(folder) == []
    assert f"Undo #{record.id}" not in client.get("/imports", headers=HTML).text
