"""``make demo``'s serving part: the demo owner signs in, the printed share link opens.

CI never runs ``make demo``; these tests run its steps in-process on a demo built
without simulation (``journeys=0``) and stop uvicorn from actually listening.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import sign_in

from cojourney.cli.main import main
from cojourney.services.demo import build_demo
from cojourney.services.demo_serve import DEMO_OWNER_EMAIL, prepare_demo_site
from cojourney.settings import Settings
from cojourney.storage import open_database
from cojourney.web import create_app


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), journeys=0).workspace


def app_of(workspace: Path) -> Any:
    return create_app(Settings(), workspace, engine=open_database(workspace))


def test_demo_owner_signs_in_and_the_share_link_opens(demo_workspace: Path) -> None:
    first = prepare_demo_site(demo_workspace)
    assert first.email == DEMO_OWNER_EMAIL and len(first.password) >= 16
    client = TestClient(app_of(demo_workspace))
    assert sign_in(client, first.email, first.password).status_code == 303
    assert client.get("/access", headers={"Accept": "text/html"}).status_code == 200  # an owner
    path = first.share_url.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/s/")
    assert TestClient(client.app).get(path).status_code == 200
    # a second run: a new password, the old one and the old link stop working
    second = prepare_demo_site(demo_workspace)
    assert second.password != first.password
    fresh = TestClient(app_of(demo_workspace))
    assert sign_in(fresh, first.email, first.password).status_code != 303
    assert sign_in(fresh, second.email, second.password).status_code == 303
    assert TestClient(fresh.app).get(path).status_code == 404
    new_path = second.share_url.removeprefix("http://127.0.0.1:8000")
    assert TestClient(fresh.app).get(new_path).status_code == 200


def test_demo_build_serve_prints_the_sign_in_then_serves_on_localhost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(kw))
    assert main(["demo", "build", str(tmp_path / "d"), "-n", "0", "--no-serve"]) == 0
    assert served == [] and "Password" not in capsys.readouterr().out
    assert main(["demo", "build", str(tmp_path / "d"), "-n", "0", "--serve"]) == 0
    out = capsys.readouterr().out
    assert served and served[0]["host"] == "127.0.0.1" and served[0]["port"] == 8000
    assert "http://127.0.0.1:8000/" in out and DEMO_OWNER_EMAIL in out and "Ctrl+C" in out
    password = re.search(r"Password:\s+(\S+)", out)
    assert password
    client = TestClient(app_of(tmp_path / "d" / "workspace"))
    assert sign_in(client, DEMO_OWNER_EMAIL, password.group(1)).status_code == 303
