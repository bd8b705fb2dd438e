"""A survey link answered on a phone in headless Chromium (Debian's): by keyboard, and by
touch with JavaScript off; the answer is then seen by the experience service. No
console error (a CSP violation is one), nothing loaded from elsewhere, no cookie."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site, served

from cojourney.services.experience import experience_report
from cojourney.services.survey_links import create_link
from cojourney.services.workspaces import init_workspace, open_workspace

pytestmark = pytest.mark.browser
TOUCHPOINT = "post-trip-csat"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def own_workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    return folder


@pytest.fixture
def survey_site(make_site: Callable[..., Site], own_workspace: Path) -> Site:
    return make_site(own_workspace)


@pytest.fixture
def server(survey_site: Site) -> Iterator[str]:
    """The site served by uvicorn in a thread; yields its base URL."""
    with served(survey_site.app) as url:
        yield url


def link_url(site: Site, server: str) -> str:
    state = site.app.state.web
    with state.sessions.begin() as db:
        created = create_link(
            db,
            open_workspace(state.workspace),
            TOUCHPOINT,
            secret_key=state.secret_key(),
            base_url=server,
        )
    return created.url


def watched(context: Any) -> tuple[Any, list[str], list[str]]:
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    return page, requests, problems


def touchpoint_answers(workspace: Path) -> list[tuple[str, int, float | None]]:
    report = experience_report(workspace)
    rows = report.breakdown("touchpoint").rows
    return [(r.question, r.n, r.mean) for r in rows if r.key == TOUCHPOINT]


def test_survey_answered_by_keyboard_on_a_phone(
    survey_site: Site, server: str, browser: Any, own_workspace: Path
) -> None:
    url = link_url(survey_site, server)
    context = browser.new_context(**PHONE)
    page, requests, problems = watched(context)
    response = page.goto(url)
    assert response is not None and response.status == 200
    # fits the phone: no sideways scrolling, touch targets of at least 44 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    boxes = [page.locator(".choice > span").nth(i).bounding_box() for i in range(5)]
    assert all(b is not None and b["width"] >= 44 and b["height"] >= 44 for b in boxes)
    # every choice has an accessible name from its visible label
    assert page.get_by_role("radio", name="4").count() == 1
    assert page.get_by_role("group", name="How satisfied are you").count() == 1

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "1"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.value") == "4"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "comment"
    page.keyboard.type("Quick and easy")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert "Your answer was recorded" in page.content()
    assert all(u.startswith(server + "/") for u in requests), requests
    assert page.evaluate("document.cookie") == ""
    assert problems == []
    context.close()
    assert touchpoint_answers(own_workspace) == [("csat", 1, 4.0)]


def test_survey_answered_by_touch_without_javascript(
    survey_site: Site, server: str, browser: Any, own_workspace: Path
) -> None:
    url = link_url(survey_site, server)
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page, requests, problems = watched(context)
    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").tap()  # nothing chosen yet
    assert "Please check your answer" in page.content()  # 400, the field named
    page.locator("label.choice", has_text="2").tap()
    assert page.get_by_role("radio", name="2").is_checked()
    page.locator("#comment").tap()
    page.locator("#comment").fill("The car was late")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").tap()
    assert "Your answer was recorded" in page.content()
    assert all(u.startswith(server + "/") for u in requests), requests
    # the one expected: the 400 of the form sent without a choice
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    context.close()
    assert touchpoint_answers(own_workspace) == [("csat", 1, 2.0)]
