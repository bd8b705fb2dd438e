"""The app itself: headers, errors without stack traces, request logs, pages and the read API."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Controls

from cojourney.services.workspaces import open_workspace
from cojourney.web.security import SECURITY_HEADERS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "cojourney" / "web" / "templates"


def test_security_headers_on_pages_api_errors_and_static(site: Any) -> None:
    client, _ = site.signed_in("viewer")
    for path in ("/", "/login", "/api/journeys", "/api/nope", "/static/cojourney.css", "/healthz"):
        response = client.get(path, headers={"Accept": "text/html"})
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP forbids them, so a page that used one would break in browsers."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert " style=" not in text and "<style" not in text, template.name


def test_login_form_is_labelled_and_carries_the_csrf_field(site: Any) -> None:
    page = Controls()
    page.feed(site.client().get("/login").text)
    names = {c.get("name") for c in page.controls}
    assert {"email", "password"} <= names
    assert all(c.get("id") in page.labelled for c in page.controls)
    assert "csrf_token" in page.hidden
    assert all(a and a.startswith("/static/") for a in page.assets)  # vendored, no CDN


def test_every_form_post_on_the_overview_carries_a_csrf_token(site: Any) -> None:
    client, _ = site.signed_in("owner")
    html = client.get("/", headers={"Accept": "text/html"}).text
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
    assert forms  # the sign-out button
    assert all('name="csrf_token"' in form for form in forms)


def test_overview_lists_the_workspace(site: Any, workspace: Path) -> None:
    model = open_workspace(workspace)
    client, _ = site.signed_in("viewer")
    html = client.get("/").text
    for item in [*model.journeys, *model.personas, *model.stakeholders, *model.agreements]:
        assert item.id in html, item.id
    assert "Validation problems" not in html


def test_api_journeys_match_the_workspace(site: Any, workspace: Path) -> None:
    model = open_workspace(workspace)
    client = site.client()
    listed = client.get("/api/journeys", headers=site.bearer("viewer")).json()
    assert [(j["id"], j["steps"], j["touchpoints"]) for j in listed] == [
        (j.id, len(j.steps), len(j.touchpoints)) for j in model.journeys
    ]
    first = model.journeys[0]
    detail = client.get(f"/api/journeys/{first.id}", headers=site.bearer("viewer")).json()
    assert [s["id"] for s in detail["steps"]] == [s.id for s in first.steps]
    touchpoints = client.get(
        f"/api/journeys/{first.id}/touchpoints", headers=site.bearer("viewer")
    ).json()
    assert len(touchpoints) == len(first.touchpoints)
    personas = client.get("/api/personas", headers=site.bearer("viewer")).json()
    assert [p["id"] for p in personas] == [p.id for p in model.personas]
    missing = client.get("/api/journeys/no-such-journey", headers=site.bearer("viewer"))
    assert missing.status_code == 404
    assert first.id in missing.json()["detail"]  # says which ids exist


def test_openapi_describes_the_api(site: Any) -> None:
    spec = site.client().get("/openapi.json").json()
    for path in ("/api/journeys", "/api/journeys/{journey_id}", "/api/personas", "/api/tokens"):
        assert path in spec["paths"], path
    assert "/login" not in spec["paths"]  # pages are not API


def test_healthz_checks_the_database(site: Any) -> None:
    assert site.client().get("/healthz").json() == {"status": "ok"}
    site.app.state.web.engine.dispose()
    site.app.state.web.engine.pool._creator = _broken  # the database goes away
    response = site.client(raise_server_exceptions=False).get("/healthz")
    assert response.status_code == 500


def _broken() -> Any:
    raise OSError("database gone")


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_unexpected_errors_show_no_stack_trace(site: Any, accept: str) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 42")

    path = "/api/boom" if accept.endswith("json") else "/boom"
    site.app.add_api_route(path, boom)
    response = site.client(raise_server_exceptions=False).get(path, headers={"Accept": accept})
    assert response.status_code == 500
    for leak in ("Traceback", "RuntimeError", "secret internals", "line 42"):
        assert leak not in response.text
    assert response.headers["X-Request-ID"] in response.text
    assert response.headers["Content-Security-Policy"]
    assert response.headers["content-type"].startswith(accept)


def test_a_workspace_with_problems_answers_409_with_them(make_site: Any, tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text("workspace:\n  id: broken\n", encoding="utf-8")
    site = make_site(tmp_path)
    response = site.client().get("/api/journeys", headers=site.bearer("viewer"))
    assert response.status_code == 409
    problems = response.json()["problems"]
    assert problems and problems[0]["file"] and problems[0]["message"]
    client, _ = site.signed_in("viewer")
    assert "Validation problems" in client.get("/").text


def test_bad_request_bodies_name_the_field(site: Any) -> None:
    response = site.client().post(
        "/api/users", json={"email": "x@y.org", "role": "boss"}, headers=site.bearer("editor")
    )
    assert response.status_code == 403  # auth before validation
    owner, csrf = site.signed_in("owner")
    response = owner.post(
        "/api/users", json={"email": "x@y.org", "role": "boss"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert {"body.role", "body.password"} <= fields


def test_one_json_log_line_per_request(site: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cojourney.web.access"):
        site.client().get("/api/journeys", headers=site.bearer("viewer"))
        site.client().get("/api/journeys")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "cojourney.web.access"]
    assert [(x["path"], x["status"]) for x in lines] == [
        ("/api/journeys", 200),
        ("/api/journeys", 401),
    ]
    assert lines[0]["principal"].startswith("token:") and lines[1]["principal"] is None
    assert all(x["method"] == "GET" and x["duration_ms"] >= 0 and x["request_id"] for x in lines)


def test_importing_the_web_package_does_nothing(tmp_path: Path) -> None:
    code = "import cojourney.web, cojourney.storage; import os; print(sorted(os.listdir('.')))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_versions_api_lists_and_shows_saved_versions(site: Any) -> None:
    from cojourney.storage import save_version

    with site.app.state.web.sessions.begin() as db:
        save_version(db, "journey", "j1", author="ada@example.org", snapshot="id: j1\n")
        save_version(
            db, "journey", "j1", author="bob@example.org", snapshot="id: j1\n", message="m"
        )
    client = site.client()
    listed = client.get("/api/versions/journey/j1", headers=site.bearer("viewer")).json()
    assert [(v["number"], v["author"]) for v in listed] == [
        (2, "bob@example.org"),
        (1, "ada@example.org"),
    ]
    assert all("snapshot" not in v for v in listed)
    one = client.get("/api/versions/journey/j1/1", headers=site.bearer("viewer")).json()
    assert one["snapshot"] == "id: j1\n" and one["snapshot_format"] == "yaml"
    assert (
        client.get("/api/versions/journey/j1/9", headers=site.bearer("viewer")).status_code == 404
    )


def test_a_configured_secret_key_signs_the_csrf_tokens(make_site: Any) -> None:
    from cojourney.web.security import CSRF_COOKIE, csrf_token_for

    site = make_site(secret_key="configured-secret-key-for-tests")
    client = site.client()
    html = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert token == csrf_token_for("configured-secret-key-for-tests", client.cookies[CSRF_COOKIE])
    with site.app.state.web.sessions() as db:
        from cojourney.storage import KeyValue

        assert db.get(KeyValue, "secret_key") is None  # nothing generated
