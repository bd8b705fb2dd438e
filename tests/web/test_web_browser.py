"""The pages in headless Chromium (Debian's), served by uvicorn on a local port.

Signs in with the keyboard only, and checks that the pages log no console error
(a Content-Security-Policy violation is one), load nothing from elsewhere, show a
visible focus, and fit a phone's width.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, served

from cojourney.services.workspaces import open_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def server(site: Any) -> Iterator[str]:
    """The site served by uvicorn in a thread; yields its base URL."""
    with served(site.app) as url:
        yield url


def test_sign_in_with_the_keyboard_offline_and_without_console_errors(
    server: str, browser: Any, workspace: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_site)
    page.goto(server + "/")
    assert page.url.startswith(server + "/login")
    # The email field has the focus; everything else by keyboard.
    page.keyboard.type("viewer@example.org")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "password"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/")
    assert page.locator("h1").inner_text() == open_workspace(workspace).workspace.name
    assert page.locator("#journeys").is_visible()
    # The stylesheet and the script came from /static and applied.
    assert page.evaluate("typeof window.cojourney") == "object"
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the overview scrolls sideways on a phone"
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.close()
    assert problems == []
    assert elsewhere == []
