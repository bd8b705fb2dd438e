"""Share links: the consumer view of a journey, and nothing of the backstage, on every
response a share link can reach.

For both flagship workspaces and each of their journeys a link is made, every page,
link, asset and form target reachable from the share page is fetched (same origin),
the API is called with the link's token as cookie, bearer and query parameter, and
every response is searched for every provider-only text of the workspace
(:func:`backstage.backstage_texts`, an oracle written apart from the projection).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from backstage import backstage_texts, consumer_touchpoint_names, leaks
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from test_roles import PATH_VALUES, flat_routes
from web_helpers import PASSWORD, USER_ROLES, Site

from cojourney.cli.main import main
from cojourney.services.workspaces import init_workspace, open_workspace
from cojourney.settings import Settings
from cojourney.storage import ShareLink, add_user, create_token, make_engine, upgrade
from cojourney.storage.models import utcnow
from cojourney.web import create_app

EXAMPLES = ("ecampus-car-share", "incident-resolution")
ORIGIN = "http://testserver"


def build_site(folder: Path, database: Path, **overrides: Any) -> Site:
    """An app on ``folder`` with one account per role (as conftest's ``make_site``)."""
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    app = create_app(Settings(**overrides), folder, engine=engine)
    tokens = {}
    with app.state.web.sessions.begin() as db:
        for role in USER_ROLES:
            add_user(db, f"{role}@example.org", PASSWORD, role)
        tokens["viewer"] = create_token(db, "viewer-token", "viewer")[1]
    return Site(app, tokens)


@pytest.fixture(scope="module", params=EXAMPLES)
def flagship(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A site serving a flagship workspace (one per example, shared by this module)."""
    folder = tmp_path_factory.mktemp(request.param) / "workspace"
    init_workspace(folder, example=request.param)
    return build_site(folder, tmp_path_factory.mktemp("db") / "web.sqlite")


@pytest.fixture(scope="module")
def ecampus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The eCampus workspace folder and a database file (for sites with other settings)."""
    folder = tmp_path_factory.mktemp("ecampus") / "workspace"
    init_workspace(folder, example="ecampus-car-share")
    yield folder, tmp_path_factory.mktemp("db")


def owner_creates_link(site: Site, journey_id: str, **body: Any) -> dict[str, Any]:
    client, csrf = site.signed_in("owner")
    response = client.post(
        "/api/share-links",
        json={"journey_id": journey_id, **body},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link


class References(HTMLParser):
    """Every URL a page refers to: href, src, srcset, action, formaction, poster, data."""

    ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data", "xlink:href"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in self.ATTRIBUTES:
                self.urls.append(value)
            elif name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def references(url: str, body: str) -> set[str]:
    """The same-origin URLs ``body`` (HTML, CSS or SVG) refers to, absolute, without fragments."""
    parser = References()
    parser.feed(body)
    found = parser.urls + re.findall(r"url\(\s*['\"]?([^'\")]+)", body)
    out = set()
    for ref in found:
        absolute = urldefrag(urljoin(url, ref.strip()))[0]
        if urlsplit(absolute).netloc == urlsplit(ORIGIN).netloc:
            out.add(absolute)
    return out


def crawl(client: TestClient, start: str, limit: int = 200) -> dict[str, Any]:
    """Every same-origin response reachable from ``start`` (GET, and POST for form targets)."""
    seen: dict[str, Any] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        assert len(seen) < limit, "the share page reaches too many URLs"
        response = client.get(url, follow_redirects=False)
        seen[url] = response
        if "location" in response.headers:
            queue.append(urljoin(url, response.headers["location"]))
        if response.headers.get("content-type", "").startswith(("text/", "image/svg")):
            queue += sorted(references(url, response.text) - set(seen))
    return seen


def test_share_page_shows_the_consumer_view_and_nothing_backstage(flagship: Site) -> None:
    workspace = open_workspace(flagship.app.state.web.workspace)
    assert workspace.journeys
    for journey in workspace.journeys:
        hidden = backstage_texts(workspace, journey.id)
        assert hidden, "the oracle finds no backstage text: the check could not fail"
        link = owner_creates_link(flagship, journey.id, expires_in_days=30)
        assert "token" in link and len(link["token"]) >= 40
        assert link["url"] == f"{ORIGIN}/s/{link['token']}"
        anonymous = flagship.client()
        start = f"{ORIGIN}/s/{link['token']}"
        responses = crawl(anonymous, start)
        page = responses[start]
        assert page.status_code == 200, page.text
        # the consumer touchpoints DO appear (so a page without them would fail here)
        names = consumer_touchpoint_names(workspace, journey.id)
        assert names and leaks(page.text, names) == sorted(names)
        # the provider view of the same journey has backstage texts (the oracle can fire)
        assert leaks(
            flagship.client(headers=flagship.bearer("viewer"))
            .get(f"/api/journeys/{journey.id}")
            .text,
            hidden,
        )
        for url, response in responses.items():
            assert response.status_code < 500, url
            assert leaks(response.content, hidden) == [], url
            assert "set-cookie" not in response.headers, url
        # the token opens nothing else: not as a session cookie, a bearer token or a query
        for response in api_with_token(flagship, link["token"], journey.id):
            assert response.status_code in (401, 404), (response.request.url, response.text)
            assert leaks(response.content, hidden) == []
        # once revoked: the "no longer works" page and what it links (the stylesheet)
        client, csrf = flagship.signed_in("owner")
        client.delete(f"/api/share-links/{link['id']}", headers={"X-CSRF-Token": csrf})
        gone = crawl(flagship.client(), start)
        assert gone[start].status_code == 404
        assert set(gone) == {start, f"{ORIGIN}/static/cojourney.css"}
        for url, response in gone.items():
            assert response.status_code in (200, 404), url
            assert leaks(response.content, hidden) == [], url


def api_with_token(site: Site, token: str, journey_id: str) -> Iterator[Any]:
    """Every API and page route called with the share token in each place a credential goes."""
    values = {"journey_id": journey_id, **PATH_VALUES}
    for template, route in flat_routes(site.app):
        if not isinstance(route, APIRoute) or template.startswith("/s/"):
            continue
        if template in ("/healthz", "/openapi.json", "/login", "/logout"):
            continue
        path = re.sub(r"{([^}]+)}", lambda m: values[m.group(1).split(":")[0]], template)
        for method in sorted(route.methods):
            body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            yield TestClient(site.app, cookies={"cojourney_session": token}).request(
                method, path, **body
            )
            yield site.client().request(
                method, path, headers={"Authorization": f"Bearer {token}"}, **body
            )
            yield site.client().request(method, path, params={"token": token}, **body)


def test_share_page_headers_keep_the_token_private(site: Site) -> None:
    journey = site.app.state.web.reader.workspace().journeys[0]
    link = owner_creates_link(site, journey.id)
    response = site.client().get(f"/s/{link['token']}")
    assert response.status_code == 200
    headers = response.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert "noindex" in headers["x-robots-tag"]
    assert "no-store" in headers["cache-control"] and "private" in headers["cache-control"]
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "set-cookie" not in headers
    assert "<script" not in response.text
    assert link["token"] not in response.text  # not repeated in the page or any link


def test_expired_revoked_and_unknown_links_say_the_link_no_longer_works(site: Site) -> None:
    journey = site.app.state.web.reader.workspace().journeys[0]
    expired = owner_creates_link(site, journey.id, expires_in_days=1)
    revoked = owner_creates_link(site, journey.id)
    with site.app.state.web.sessions.begin() as db:
        row = db.get(ShareLink, expired["id"])
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    client, csrf = site.signed_in("owner")
    assert client.delete(
        f"/api/share-links/{revoked['id']}", headers={"X-CSRF-Token": csrf}
    ).is_success
    bodies = set()
    for token in (expired["token"], revoked["token"], "x" * 43, "y" * 500):
        response = site.client().get(f"/s/{token}")
        assert response.status_code == 404
        assert "no longer works" in response.text
        assert response.headers["referrer-policy"] == "no-referrer"
        bodies.add(response.text)
    assert len(bodies) == 1, "the answers differ: they would help guessing"


def test_only_owners_create_and_revoke_links(site: Site) -> None:
    journey = site.app.state.web.reader.workspace().journeys[0]
    for role in ("viewer", "editor"):
        client, csrf = site.signed_in(role)
        api = client.post(
            "/api/share-links", json={"journey_id": journey.id}, headers={"X-CSRF-Token": csrf}
        )
        assert api.status_code == 403
        form = client.post(
            "/access/share-links",
            data={"journey_id": journey.id, "expires": "30d", "csrf_token": csrf},
        )
        assert form.status_code == 403
    assert (
        site.client().post("/api/share-links", json={"journey_id": journey.id}).status_code == 401
    )
    link = owner_creates_link(site, journey.id)
    assert site.client().get(f"/s/{link['token']}").status_code == 200


def test_owner_shares_and_revokes_from_the_access_page(site: Site) -> None:
    journey = site.app.state.web.reader.workspace().journeys[0]
    client, csrf = site.signed_in("owner")
    page = client.get("/access", headers={"Accept": "text/html"})
    assert 'action="/access/share-links"' in page.text and journey.id in page.text
    created = client.post(
        "/access/share-links",
        data={"journey_id": journey.id, "expires": "2w", "csrf_token": csrf},
        headers={"Accept": "text/html"},
    )
    assert created.status_code == 201, created.text
    url = re.search(r'id="share-link-value" type="text" readonly value="([^"]+)"', created.text)
    assert url and url.group(1).startswith(f"{ORIGIN}/s/")
    assert site.client().get(url.group(1)).status_code == 200
    link_id = re.search(r'action="/access/share-links/(\d+)/revoke"', created.text)
    assert link_id
    revoked = client.post(
        f"/access/share-links/{link_id.group(1)}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert site.client().get(url.group(1)).status_code == 404
    bad = client.post(
        "/access/share-links",
        data={"journey_id": journey.id, "expires": "forever", "csrf_token": csrf},
        headers={"Accept": "text/html"},
    )
    assert bad.status_code == 422 and "expires" in bad.text


def test_guessing_links_is_rate_limited(ecampus: tuple[Path, Path]) -> None:
    folder, db_dir = ecampus
    site = build_site(folder, db_dir / "limited.sqlite", share_lookup_max_failures=3)
    journey = site.app.state.web.reader.workspace().journeys[0]
    link = owner_creates_link(site, journey.id)
    guesser = site.client()
    assert [guesser.get(f"/s/guess{i}").status_code for i in range(3)] == [404] * 3
    refused = guesser.get(f"/s/{link['token']}")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["referrer-policy"] == "no-referrer"


def test_the_access_log_never_holds_a_share_token(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    journey = site.app.state.web.reader.workspace().journeys[0]
    link = owner_creates_link(site, journey.id)
    with caplog.at_level(logging.INFO, logger="cojourney.web.access"):
        assert site.client().get(f"/s/{link['token']}").status_code == 200
    assert '"path": "/s/<token>"' in caplog.text
    assert link["token"] not in caplog.text


def test_cli_creates_lists_and_revokes_links(
    ecampus: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, db_dir = ecampus
    url = f"sqlite:///{db_dir / 'cli.sqlite'}"
    journey = open_workspace(folder).journeys[0].id
    base = ["--database-url", url]
    assert (
        main(["share", "create", str(folder), "--journey", journey, "--expires", "7d", *base]) == 0
    )
    out = capsys.readouterr()
    link = out.out.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/s/[A-Za-z0-9_-]{40,}", link), out.out
    assert "cannot be shown again" in out.err
    site_engine = make_engine(url)
    app = create_app(Settings(), folder, engine=site_engine)
    token = link.rsplit("/", 1)[1]
    assert TestClient(app).get(f"/s/{token}").status_code == 200
    assert main(["share", "list", str(folder), *base]) == 0
    listing = capsys.readouterr().out
    assert journey in listing and "live" in listing and token not in listing
    assert main(["share", "revoke", str(folder), "1", *base]) == 0
    capsys.readouterr()
    assert TestClient(app).get(f"/s/{token}").status_code == 404
    assert main(["share", "list", str(folder), "--json", "-", *base]) == 0
    assert '"state": "revoked"' in capsys.readouterr().out
    # mistakes: an unknown journey (not found, 3), a lifetime that is not one (bad input)
    assert main(["share", "create", str(folder), "--journey", "nope", *base]) == 3
    assert "nope" in capsys.readouterr().err
    assert (
        main(["share", "create", str(folder), "--journey", journey, "--expires", "1y", *base]) == 2
    )
    assert "--expires" in capsys.readouterr().err
    custom = ["--base-url", "https://journeys.example.org/", *base]
    assert main(["share", "create", str(folder), "--journey", journey, *custom]) == 0
    assert capsys.readouterr().out.startswith("https://journeys.example.org/s/")
