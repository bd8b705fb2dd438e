"""Every route, walked with every role and with none.

Routes are enumerated from ``app.routes``, so a route added later is covered without
touching this file; one that declares no role requirement fails here unless it is
on the short public list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from cojourney.storage import Role
from cojourney.web.deps import ALLOWED, RequireRole

#: Routes anyone may call: probes, the OpenAPI description, static files, sign-in/out.
PUBLIC = {
    "/healthz",
    "/openapi.json",
    "/static",
    "/login",
    "/logout",
    "/s/{token}",
    "/survey/{token}",
}
#: Values for path parameters: ids that do not exist, so allowed calls change nothing.
PATH_VALUES = {
    "token_id": "999999",
    "link_id": "999999",
    "user_id": "999999",
    "entity_kind": "journey",
    "entity_id": "no-such-entity",
    "number": "1",
    "token": "no-such-token",
    "upload_id": "0123456789abcdef",
    "job_id": "no-such-job",
    "import_id": "999999",
    "touchpoint_id": "no-such-touchpoint",
    "step_id": "no-such-step",
    "collection": "personas",
    "item_id": "no-such-item",
    "name": "experience",
    "indicator_id": "no-such-indicator",
}

PRINCIPALS = [
    ("anonymous", None),
    ("user", "owner"),
    ("user", "editor"),
    ("user", "viewer"),
    ("token", "editor"),
    ("token", "viewer"),
    ("token", "ingest"),
]


def flat_routes(app: FastAPI) -> list[tuple[str, BaseRoute]]:
    """Every route with its full path, routers included (FastAPI >= 0.16x nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI: app.routes is already flat
        return [(route.path, route) for route in app.routes]  # type: ignore[attr-defined]
    return [(str(ctx.path), ctx.original_route) for ctx in iter_route_contexts(app.routes)]


def _requirements(dependant: Dependant) -> Iterator[RequireRole]:
    if isinstance(dependant.call, RequireRole):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _requirements(sub)


def required_role(route: APIRoute) -> Role | None:
    """The role a route requires (the strictest, when several are declared)."""
    roles = {r.role for r in _requirements(route.dependant)}
    if not roles:
        return None
    return min(roles, key=lambda role: len(ALLOWED[role]))


def _fill(path: str, journey_id: str) -> str:
    values = {"journey_id": journey_id, **PATH_VALUES}

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in values, f"add a test value for path parameter {name!r}"
        return values[name]

    return re.sub(r"{([^}]+)}", value, path)


def test_every_route_declares_a_role_or_is_public(site: Any) -> None:
    seen = set()
    for path, route in flat_routes(site.app):
        if isinstance(route, Mount):
            assert path in PUBLIC, f"mounted {path} is not on the public list"
            continue
        assert isinstance(route, Route), path
        seen.add(path)
        if path in PUBLIC:
            continue
        assert isinstance(route, APIRoute), f"{path} bypasses the role dependencies"
        assert required_role(route) is not None, f"{path} declares no RequireRole"
    assert {"/api/journeys", "/api/users", "/api/tokens", "/"} <= seen


def test_every_route_with_every_role(site: Any) -> None:
    journey_id = site.client().app.state.web.reader.workspace().journeys[0].id
    clients: dict[tuple[str, str | None], tuple[Any, dict[str, str]]] = {}
    for kind, role in PRINCIPALS:
        if kind == "anonymous":
            clients[(kind, role)] = (site.client(), {})
        elif kind == "user":
            client, csrf = site.signed_in(role)
            clients[(kind, role)] = (client, {"X-CSRF-Token": csrf})
        else:
            clients[(kind, role)] = (site.client(), site.bearer(role))
    checked = 0
    for template, route in flat_routes(site.app):
        if not isinstance(route, APIRoute) or template in PUBLIC:
            continue
        needed = required_role(route)
        assert needed is not None
        path = _fill(template, journey_id)
        for method in sorted(route.methods):
            for (kind, role), (client, headers) in clients.items():
                body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                response = client.request(method, path, headers=headers, **body)
                where = f"{method} {path} as {kind} {role}"
                if role is None:
                    assert response.status_code == 401, where
                    assert response.headers.get("WWW-Authenticate") == "Bearer", where
                elif Role(role) in ALLOWED[needed]:
                    assert response.status_code not in (401, 403), (where, response.text)
                    assert response.status_code < 500, (where, response.text)
                else:
                    assert response.status_code == 403, (where, response.text)
                checked += 1
    assert checked >= len(PRINCIPALS) * 10


def test_pages_send_anonymous_browsers_to_sign_in(site: Any) -> None:
    for path, route in flat_routes(site.app):
        if isinstance(route, APIRoute) and path == "/" and "GET" in route.methods:
            response = site.client().get(
                "/", headers={"Accept": "text/html"}, follow_redirects=False
            )
            assert response.status_code == 303
            assert response.headers["location"] == "/login?next=%2F"
            return
    pytest.fail("no overview page at /")
