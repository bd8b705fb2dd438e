"""The at-risk view, its JSON, and the signed webhook against a real local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from web_helpers import Site

from cojourney.cli.main import cli
from cojourney.services.alerts import SIGNATURE_HEADER, WebhookFailed, send_new_alerts
from cojourney.services.ingest import IngestWriter, validate_batch
from cojourney.services.workspaces import init_workspace
from cojourney.settings import Settings
from cojourney.storage import make_engine, make_session_factory, upgrade

SECRET = "webhook-test-secret"


class Receiver:
    """An HTTP server on 127.0.0.1 that checks the signature and answers planned statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.bodies: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests += 1
                expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers.get(SIGNATURE_HEADER, ""), expected):
                    outer.bad_signatures += 1
                    self.send_response(401)
                else:
                    status = outer.statuses.pop(0) if outer.statuses else 200
                    if status == 200:
                        outer.bodies.append(json.loads(raw))
                    self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A workspace with one journey stalled at the payment gate for two days."""
    ws = tmp_path / "ws"
    init_workspace(ws, example="ecampus-car-share")
    events = [
        {"id": "1", "journey_id": "stalled", "activity": "payment-setup",
         "timestamp": "2026-03-09T17:00:00Z"},
        {"id": "2", "journey_id": "moving", "activity": "payment-setup",
         "timestamp": "2026-03-11T17:00:00Z"},
    ]  # fmt: skip
    writer = IngestWriter(ws)
    writer.write("events", validate_batch("events", events, max_items=10))
    writer.close()
    return ws


@pytest.fixture
def sessions(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'web.sqlite'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def build(statuses: list[int] | None = None) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield build
    for r in made:
        r.close()


def _settings(url: str, retries: int = 4) -> Settings:
    return Settings(
        alert_webhook_url=url, alert_webhook_secret=SECRET, alert_webhook_retries=retries
    )


def test_new_alerts_are_signed_and_sent_once(
    folder: Path, sessions: Any, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver()
    first = send_new_alerts(folder, sessions, settings=_settings(hook.url))
    assert first.sent == 1 and first.attempts == 1
    assert hook.bad_signatures == 0
    (body,) = hook.bodies
    (alert,) = body["alerts"]
    assert alert["journey_id"] == "stalled" and alert["reason"] == "stalled"
    assert alert["next_step"] and alert["why"]
    again = send_new_alerts(folder, sessions, settings=_settings(hook.url))
    assert (again.sent, again.already_sent) == (0, 1)
    assert hook.requests == 1  # nothing new: nothing posted


def test_a_failing_receiver_gets_retries_with_backoff(
    folder: Path, sessions: Any, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver([500, 503])
    waits: list[float] = []
    done = send_new_alerts(folder, sessions, settings=_settings(hook.url), sleep=waits.append)
    assert done.sent == 1 and done.attempts == 3
    assert waits == [1.0, 2.0]
    assert len(hook.bodies) == 1


def test_given_up_alerts_are_sent_on_the_next_run(
    folder: Path, sessions: Any, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver([500, 500])
    waits: list[float] = []
    with pytest.raises(WebhookFailed, match="2 attempts"):
        send_new_alerts(folder, sessions, settings=_settings(hook.url, 1), sleep=waits.append)
    assert waits == [1.0] and hook.bodies == []
    later = send_new_alerts(folder, sessions, settings=_settings(hook.url, 1))
    assert later.sent == 1 and len(hook.bodies) == 1


def test_a_wrong_secret_is_refused_by_the_receiver(
    folder: Path, sessions: Any, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver()
    wrong = Settings(
        alert_webhook_url=hook.url, alert_webhook_secret="not-it", alert_webhook_retries=0
    )
    with pytest.raises(WebhookFailed, match="HTTP 401"):
        send_new_alerts(folder, sessions, settings=wrong, sleep=lambda s: None)
    assert hook.bad_signatures == 1


def test_unconfigured_webhook_says_which_setting(folder: Path, sessions: Any) -> None:
    from cojourney.errors import InputError

    with pytest.raises(InputError, match="alert_webhook_secret"):
        send_new_alerts(folder, sessions, settings=Settings(alert_webhook_url="http://x"))


def test_cli_sends_once(
    folder: Path, receiver: Callable[..., Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver()
    monkeypatch.setenv("COJOURNEY_ALERT_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("COJOURNEY_ALERT_WEBHOOK_SECRET", SECRET)
    runner = CliRunner()
    first = runner.invoke(cli, ["alerts", "send", str(folder)])
    assert first.exit_code == 0, first.output
    assert "Sent 1 new" in first.output
    second = runner.invoke(cli, ["alerts", "send", str(folder)])
    assert "Sent 0 new" in second.output and len(hook.bodies) == 1


def test_at_risk_page_and_api(folder: Path, make_site: Callable[..., Site]) -> None:
    site = make_site(folder)
    client = site.client()
    data = client.get("/api/at-risk", headers=site.bearer("viewer")).json()
    assert [i["journey_id"] for i in data["items"]] == ["stalled"]
    assert data["items"][0]["reason"] == "stalled"
    assert client.get("/api/at-risk", headers=site.bearer("ingest")).status_code == 403
    viewer, _ = site.signed_in("viewer")
    page = viewer.get("/at-risk", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'class="risk-stalled"' in page.text


def test_at_risk_page_without_events(tmp_path: Path, make_site: Callable[..., Site]) -> None:
    ws = tmp_path / "empty"
    init_workspace(ws, example="ecampus-car-share")
    viewer, _ = make_site(ws).signed_in("viewer")
    page = viewer.get("/at-risk", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "no events imported yet" in page.text


def test_the_server_sends_new_alerts_by_itself(
    folder: Path, make_site: Callable[..., Site], receiver: Callable[..., Receiver]
) -> None:
    import time

    hook = receiver()
    site = make_site(
        folder,
        alert_webhook_url=hook.url,
        alert_webhook_secret=SECRET,
        alert_interval_seconds=0.1,
    )
    with site.client():  # the lifespan runs: the alert loop starts, and stops after
        deadline = time.monotonic() + 30
        while not hook.bodies:
            assert time.monotonic() < deadline, "the server sent no alert"
            time.sleep(0.05)
        time.sleep(0.5)  # a few more checks: nothing new to send
    assert [a["journey_id"] for b in hook.bodies for a in b["alerts"]] == ["stalled"]
    assert hook.requests == 1 and hook.bad_signatures == 0
