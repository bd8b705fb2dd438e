"""The pages in headless Chromium (Debian's), served by uvicorn on a local port.

Signs in with the keyboard only, and checks that the pages log no console error
(a Content-Security-Policy violation is one), load nothing from elsewhere, show a
visible focus, and fit a phone's width.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD

from cojourney.services.workspaces import open_workspace

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def server(site: Any) -> Iterator[str]:
    """The site served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        site.app, host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium; 'make install-test' does it)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


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
