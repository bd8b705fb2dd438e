"""The design pages in headless Chromium (Debian's), walked with the keyboard only.

Overview -> journey map -> stakeholders (and the history slider), checking a visible
focus on each link followed, no console error (a CSP violation is one), nothing
loaded from elsewhere, and no sideways scroll on a 375 x 812 phone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, served

from cojourney.services.workspaces import open_workspace

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
#: COJOURNEY_SHOTS=folder keeps a screenshot of each page (phone and wide) for a look.
SHOTS = Path(os.environ["COJOURNEY_SHOTS"]) if os.environ.get("COJOURNEY_SHOTS") else None
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def server(site: Any) -> Iterator[str]:
    """The site served by uvicorn in a thread; yields its base URL."""
    with served(site.app) as url:
        yield url


def tab_to(page: Any, href: str, limit: int = 80) -> None:
    """Press Tab until the link to ``href`` has the focus, and check the focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            style = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth]; })()"
            )
            assert style[0] != "none" and style[1] != "0px", f"no visible focus on {href}"
            return
    pytest.fail(f"no link to {href} within {limit} presses of Tab")


def no_sideways_scroll(page: Any, what: str) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW) <= 0, f"{what} scrolls sideways on a phone"


def test_walk_overview_journey_map_stakeholders_with_the_keyboard(
    server: str, browser: Any, workspace: Path
) -> None:
    ws = open_workspace(workspace)
    journey = ws.journeys[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda err: problems.append(f"uncaught: {err}"))

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_site)
    page.goto(server + "/journeys")
    assert page.url.startswith(server + "/login")
    page.keyboard.type("viewer@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/journeys")

    # Overview, reached from the nav.
    tab_to(page, "/")
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/")
    no_sideways_scroll(page, "the overview")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The journey map, from the overview's list of journeys.
    tab_to(page, f"/journeys/{journey.id}")
    page.keyboard.press("Enter")
    page.wait_for_url(server + f"/journeys/{journey.id}")
    assert page.locator("h1").inner_text() == journey.name
    assert page.locator(".map-scroll svg").is_visible()
    assert page.locator(f"#tp-{journey.touchpoints[0].id}").count() == 1
    no_sideways_scroll(page, "the journey map")
    # The map scrolls inside its own frame instead.
    assert page.evaluate(
        "(() => { const m = document.querySelector('.map-scroll');"
        " return m.scrollWidth > m.clientWidth; })()"
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    # The stakeholders, from the header nav.
    page.keyboard.press("Home")
    tab_to(page, "/stakeholders")
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/stakeholders")
    assert page.locator("#replay svg").is_visible()
    dates = sorted({s.date for st in ws.stakeholders for s in st.snapshots})
    assert len(dates) > 1, "the example has a history to replay"
    slider = page.locator("#replay-slider")
    assert slider.is_visible()  # the script showed the slider
    slider.focus()
    page.keyboard.press("ArrowLeft")
    earlier = dates[-2].isoformat()
    page.wait_for_function(
        "when => document.querySelector('#replay-when strong')?.textContent === when", arg=earlier
    )
    assert page.url == server + f"/stakeholders?as_of={earlier}"
    assert page.locator("#as_of").input_value() == earlier
    assert earlier in page.locator("#replay-status").inner_text()  # told to screen readers
    no_sideways_scroll(page, "the stakeholder map")
    page.close()
    assert problems == []
    assert elsewhere == []


def test_stakeholder_replay_works_without_javascript(
    server: str, browser: Any, workspace: Path
) -> None:
    ws = open_workspace(workspace)
    first = min(s.date for st in ws.stakeholders for s in st.snapshots).isoformat()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/login?next=/stakeholders")
    page.fill("#email", "viewer@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(server + "/stakeholders")
    assert not page.locator("#replay-slider").is_visible()  # no script, no slider
    page.select_option("#as_of", first)
    page.click("#replay-form button[type=submit]")
    page.wait_for_url(server + f"/stakeholders?as_of={first}")
    assert page.locator("#replay-when strong").inner_text() == first
    context.close()


def test_every_design_page_fits_a_phone_without_console_errors(
    server: str, browser: Any, workspace: Path
) -> None:
    journey = open_workspace(workspace).journeys[0]
    page = browser.new_page(viewport=PHONE)
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda err: problems.append(f"uncaught: {err}"))
    page.goto(server + "/login")
    page.fill("#email", "viewer@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(server + "/")
    for path in (
        "/journeys",
        f"/journeys/{journey.id}",
        "/personas",
        "/stakeholders",
        "/relationships",
        "/offerings",
        "/agreements",
        "/indicators",
        "/improvements",
    ):
        page.goto(server + path)
        assert page.locator("nav[aria-label=Workspace]").is_visible(), path
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways on a phone"
        if SHOTS:  # COJOURNEY_SHOTS=folder keeps a picture of each page for a look
            page.screenshot(path=str(SHOTS / f"{path.strip('/').replace('/', '-')}.png"))
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.screenshot(path=str(SHOTS / f"wide-{path.strip('/').replace('/', '-')}.png"))
            page.set_viewport_size(PHONE)
    page.close()
    assert problems == []
