"""Helpers of the web tests: a site with every role, and signing in as a browser does."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
USER_ROLES = ("owner", "editor", "viewer")
TOKEN_ROLES = ("editor", "viewer", "ingest")


@dataclass
class Site:
    """An app with one account per user role and one API token per token role."""

    app: FastAPI
    tokens: dict[str, str]

    def client(self, **kwargs: Any) -> TestClient:
        return TestClient(self.app, **kwargs)

    def signed_in(self, role: str, **kwargs: Any) -> tuple[TestClient, str]:
        """A client signed in as the ``role`` account, and its CSRF token."""
        client = self.client(**kwargs)
        response = sign_in(client, f"{role}@example.org", PASSWORD)
        assert response.status_code == 303, response.text
        return client, csrf_of(client)

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page gives this client."""
    html = client.get(path, headers={"Accept": "text/html"}).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, html
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str, **extra: str) -> Any:
    """Fill in and send the sign-in form as a browser would."""
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, **extra},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


class Controls(HTMLParser):
    """The form controls, labels, hidden fields and assets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.forms: list[dict[str, str | None]] = []
        self.hidden: list[str | None] = []
        self.assets: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "label":
            self.labelled.add(values.get("for") or "")
        elif tag in ("input", "select", "textarea"):
            if values.get("type") == "hidden":
                self.hidden.append(values.get("name"))
            else:
                self.controls.append(values)
        elif tag == "form":
            self.forms.append(values)
        elif tag in ("script", "link"):
            self.assets.append(values.get("src") or values.get("href"))


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def watch_problems(page: Any) -> list[str]:
    """Collect a browser page's console errors, uncaught errors and 4xx/5xx answers.

    The browser's own favicon request is none of the pages' doing and is left out.
    """
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return problems


def browser_sign_in(page: Any, server: str, email: str = "viewer@example.org") -> None:
    """Sign ``page`` (a Playwright page) in to the served app at ``server`` through its form."""
    page.goto(server + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(server + "/")
