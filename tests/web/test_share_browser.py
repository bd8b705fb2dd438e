"""A share link in headless Chromium (Debian's) on a phone: nothing leaves the origin,
nothing backstage is in the DOM, no console error (a CSP violation is one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backstage import backstage_texts, consumer_touchpoint_names, leaks
from web_helpers import served

from cojourney.services.workspaces import open_workspace
from cojourney.storage import create_share_link

pytestmark = pytest.mark.browser


@pytest.fixture
def server(site: Any) -> Iterator[str]:
    """The site served by uvicorn in a thread; yields its base URL."""
    with served(site.app) as url:
        yield url


def test_share_link_on_a_phone_stays_on_the_origin_and_shows_no_backstage(
    site: Any, server: str, browser: Any, workspace: Path
) -> None:
    model = open_workspace(workspace)
    journey = model.journeys[0]
    with site.app.state.web.sessions.begin() as db:
        _link, token = create_share_link(db, journey.id, "consumer")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    response = page.goto(f"{server}/s/{token}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    dom = page.content()
    names = consumer_touchpoint_names(model, journey.id)
    assert names and leaks(dom, names) == sorted(names)
    hidden = backstage_texts(model, journey.id)
    # the live DOM, serialised (element boundaries kept: inner text would glue a table's
    # cells "first booking" + "app" into a false "Booking app")
    assert leaks(dom, hidden) == []
    assert requests and all(url.startswith(server + "/") for url in requests), requests
    assert [url for url in requests if "/s/" not in url] == []  # no asset, no other page
    assert page.evaluate("document.cookie") == ""
    assert problems == []
    context.close()
