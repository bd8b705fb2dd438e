"""Signing in and out, CSRF, the login rate limit, cookies and API tokens."""

from __future__ import annotations

from typing import Any

from web_helpers import PASSWORD, csrf_of, sign_in

from cojourney.web.security import CSRF_COOKIE, SESSION_COOKIE


def _set_cookie_headers(response: Any) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie"]


def test_sign_in_sets_a_safe_session_cookie(site: Any) -> None:
    client = site.client()
    response = sign_in(client, "Editor@Example.org", PASSWORD, next="/api/journeys")
    assert response.status_code == 303
    assert response.headers["location"] == "/api/journeys"
    session = next(c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session
    assert "samesite=lax" in session.lower()
    assert "Secure" not in session  # plain HTTP here
    assert client.get("/api/journeys").status_code == 200


def test_cookies_are_secure_under_https(site: Any) -> None:
    client = site.client(base_url="https://testserver")
    response = sign_in(client, "viewer@example.org", PASSWORD)
    cookies = _set_cookie_headers(response)
    assert cookies and all("Secure" in c for c in cookies)
    assert "Strict-Transport-Security" in client.get("/healthz").headers


def test_next_never_leaves_the_site(site: Any) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = sign_in(site.client(), "viewer@example.org", PASSWORD, next=target)
        assert response.headers["location"] == "/", target


def test_wrong_password_gives_no_session(site: Any) -> None:
    client = site.client()
    response = sign_in(client, "viewer@example.org", PASSWORD + "x")
    assert response.status_code == 401
    assert "wrong" in response.text
    assert not any(c.startswith(SESSION_COOKIE) for c in _set_cookie_headers(response))
    assert client.get("/api/journeys").status_code == 401


def test_login_form_without_csrf_token_is_refused(site: Any) -> None:
    client = site.client()
    csrf_of(client)  # the cookie is there, the field is not
    data = {"email": "owner@example.org", "password": PASSWORD}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "csrf_token" in response.json()["detail"]
    # A token taken from another browser does not match this browser's cookie.
    other = csrf_of(site.client())
    forged = client.post("/login", data={**data, "csrf_token": other}, follow_redirects=False)
    assert forged.status_code == 403


def test_cookie_sessions_need_the_csrf_token_to_change_anything(site: Any) -> None:
    client, csrf = site.signed_in("owner")
    body = {"name": "ci", "role": "viewer"}
    assert client.post("/api/tokens", json=body).status_code == 403
    assert (
        client.post("/api/tokens", json=body, headers={"X-CSRF-Token": "x" * 64}).status_code == 403
    )
    created = client.post("/api/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    # Bearer tokens are not sent by browsers on their own: no CSRF token needed.
    other = site.client().post("/api/tokens", json=body, headers=site.bearer("editor"))
    assert other.status_code == 403  # editors may not, but not for CSRF
    assert "owner role" in other.json()["detail"]


def test_repeated_failures_get_429_then_even_the_right_password_waits(make_site: Any) -> None:
    site = make_site(login_max_failures=3, login_failure_window_seconds=600)
    client = site.client()
    for _ in range(3):
        assert sign_in(client, "editor@example.org", "wrong password!").status_code == 401
    blocked = sign_in(client, "editor@example.org", PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Another account from the same client is not locked out by these failures.
    assert sign_in(client, "viewer@example.org", PASSWORD).status_code == 303


def test_sign_out_ends_the_session(site: Any) -> None:
    client, _ = site.signed_in("viewer")
    assert client.get("/api/personas").status_code == 200
    csrf = csrf_of(client, "/")
    old_cookie = client.cookies.get(SESSION_COOKIE)
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/personas").status_code == 401
    replay = site.client()
    replay.cookies.set(SESSION_COOKIE, old_cookie)
    assert replay.get("/api/personas").status_code == 401


def test_sign_in_renews_the_csrf_nonce(site: Any) -> None:
    client = site.client()
    csrf_of(client)
    before = client.cookies.get(CSRF_COOKIE)
    sign_in(client, "viewer@example.org", PASSWORD)
    assert client.cookies.get(CSRF_COOKIE) not in (None, before)


def test_api_tokens_authenticate_until_revoked(site: Any) -> None:
    client = site.client()
    assert client.get("/api/journeys", headers=site.bearer("viewer")).status_code == 200
    assert (
        client.get("/api/journeys", headers={"Authorization": "Bearer cjt_nope"}).status_code == 401
    )
    assert client.get("/api/journeys", headers={"Authorization": "Basic abc"}).status_code == 401
    owner, csrf = site.signed_in("owner")
    listed = owner.get("/api/tokens").json()
    viewer_token = next(t for t in listed if t["role"] == "viewer")
    assert site.tokens["viewer"].startswith(viewer_token["prefix"])
    assert all("token" not in t for t in listed)  # secrets are never listed
    revoked = owner.delete(f"/api/tokens/{viewer_token['id']}", headers={"X-CSRF-Token": csrf})
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/journeys", headers=site.bearer("viewer")).status_code == 401


def test_owners_add_accounts_that_can_sign_in(site: Any) -> None:
    owner, csrf = site.signed_in("owner")
    new = {"email": "new@example.org", "role": "editor", "password": "a long enough one"}
    created = owner.post("/api/users", json=new, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    assert "password" not in created.text and "hash" not in created.text
    again = owner.post("/api/users", json=new, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 422
    assert again.json()["problems"][0]["field"] == "email"
    assert sign_in(site.client(), "new@example.org", "a long enough one").status_code == 303


def test_owners_manage_share_links(site: Any) -> None:
    owner, csrf = site.signed_in("owner")
    headers = {"X-CSRF-Token": csrf}
    journey = owner.get("/api/journeys").json()[0]["id"]
    missing = owner.post("/api/share-links", json={"journey_id": "nope"}, headers=headers)
    assert missing.status_code == 404
    created = owner.post(
        "/api/share-links", json={"journey_id": journey, "expires_in_days": 7}, headers=headers
    )
    assert created.status_code == 201
    link = created.json()
    assert link["token"] and link["audience"] == "consumer" and link["expires_at"]
    assert [x["id"] for x in owner.get("/api/share-links").json()] == [link["id"]]
    revoked = owner.delete(f"/api/share-links/{link['id']}", headers=headers).json()
    assert revoked["revoked_at"] is not None
