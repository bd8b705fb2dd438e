"""Helpers of the web tests: a site with every role, and signing in as a browser does."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
