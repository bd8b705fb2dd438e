"""The owners' access page: accounts and tokens through HTML forms, each CSRF-protected."""

from __future__ import annotations

import re
from typing import Any

from web_helpers import Controls, sign_in

HTML = {"Accept": "text/html"}


def test_every_control_is_labelled_and_every_form_has_the_csrf_field(site: Any) -> None:
    owner, _ = site.signed_in("owner")
    html = owner.get("/access", headers=HTML).text
    page = Controls()
    page.feed(html)
    assert page.controls and all(c.get("id") in page.labelled for c in page.controls)
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
    assert len(forms) >= 5  # sign-out, add account, create token, one revoke per token
    assert all('name="csrf_token"' in form for form in forms)


def test_create_use_and_revoke_a_token_through_the_forms(site: Any) -> None:
    owner, csrf = site.signed_in("owner")
    refused = owner.post("/access/tokens", data={"name": "ci", "role": "viewer"}, headers=HTML)
    assert refused.status_code == 403  # no csrf_token field
    created = owner.post(
        "/access/tokens", data={"name": "ci", "role": "viewer", "csrf_token": csrf}, headers=HTML
    )
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="token-value"[^>]*value="(cjt_[^"]+)"', created.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert site.client().get("/api/journeys", headers=bearer).status_code == 200
    token_id = next(t["id"] for t in owner.get("/api/tokens").json() if t["name"] == "ci")
    revoked = owner.post(
        f"/access/tokens/{token_id}/revoke",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/access")
    assert site.client().get("/api/journeys", headers=bearer).status_code == 401


def test_add_an_account_through_the_form(site: Any) -> None:
    owner, csrf = site.signed_in("owner")
    form = {"email": "new@example.org", "role": "viewer", "csrf_token": csrf}
    short = owner.post("/access/users", data={**form, "password": "short"}, headers=HTML)
    assert short.status_code == 422
    assert "Not saved" in short.text and "at least" in short.text
    ok = owner.post(
        "/access/users",
        data={**form, "password": "long enough password"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert sign_in(site.client(), "new@example.org", "long enough password").status_code == 303


def test_only_owners_see_the_access_page(site: Any) -> None:
    editor, _ = site.signed_in("editor")
    assert editor.get("/access", headers=HTML).status_code == 403
    assert 'href="/access"' not in editor.get("/", headers=HTML).text
    owner, _ = site.signed_in("owner")
    assert 'href="/access"' in owner.get("/", headers=HTML).text
