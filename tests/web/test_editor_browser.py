"""The editor in headless Chromium (Debian's, by executable path; never a browser download).

Sign in, edit a touchpoint and see the version and its diff, restore it, drag a
stakeholder, a viewer refused, a conflict between two browser contexts, and the
journey editor used with the keyboard only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, Site, served

from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def editing_site(make_site: Callable[..., Site], tmp_path: Path) -> Site:
    init_workspace(tmp_path / "ws", example="ecampus-car-share")
    return make_site(tmp_path / "ws")


@pytest.fixture
def server(editing_site: Site) -> Iterator[str]:
    """The site served by uvicorn in a thread on loopback; yields its base URL."""
    with served(editing_site.app) as url:
        yield url


def signed_in(browser: Any, server: str, role: str) -> Any:
    """A page of a new browser context, signed in as the ``role`` account."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(server + "/login")
    page.fill("input[name=email]", f"{role}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/")
    page.js_errors = errors
    return page


def model(site: Site) -> Any:
    return site.app.state.web.reader.workspace()


def test_edit_a_touchpoint_see_the_version_and_its_diff_then_restore(
    server: str, browser: Any, editing_site: Site
) -> None:
    journey = model(editing_site).journeys[0]
    touchpoint = journey.touchpoints[0]
    page = signed_in(browser, server, "editor")
    for name in ("Browser name one", "Browser name two"):
        page.goto(f"{server}/journeys/{journey.id}?edit={touchpoint.id}")
        page.fill("#tp-name", name)
        page.fill("#tp-message", f"rename to {name}")
        page.click("#touchpoint-form button[type=submit]")
        page.wait_for_selector(".notice")
    assert "Saved as version 2" in page.inner_text(".notice")
    page.click("text=See its diff")
    page.wait_for_url(f"{server}/journeys/{journey.id}/history")
    assert "+" in page.inner_text("pre.diff") and "Browser name two" in page.inner_text("pre.diff")
    assert "editor@example.org" in page.inner_text("#version-2")
    assert "rename to Browser name two" in page.inner_text("#version-2")
    page.click("button[aria-label='Restore version 1']")
    page.wait_for_selector("#version-3")
    assert "restores 1" in page.inner_text("#version-3")
    restored = next(t for t in model(editing_site).journeys[0].touchpoints if t.id == touchpoint.id)
    assert restored.name == "Browser name one"
    assert page.js_errors == []


def test_drag_a_stakeholder_records_a_snapshot(
    server: str, browser: Any, editing_site: Site
) -> None:
    stakeholder = next(s for s in model(editing_site).stakeholders if s.snapshots)
    before = len(stakeholder.snapshots)
    page = signed_in(browser, server, "editor")
    page.goto(server + "/stakeholders")
    handle = page.locator(f".cj-drag-handle[data-stakeholder='{stakeholder.id}']")
    handle.wait_for()
    box = handle.bounding_box()
    grid = page.locator("#replay svg").bounding_box()
    assert box and grid
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    # towards the top-left corner of the grid: much influence, little interest
    page.mouse.move(grid["x"] + grid["width"] * 0.2, grid["y"] + grid["height"] * 0.15, steps=8)
    page.mouse.up()
    page.wait_for_url(f"**/stakeholders?moved={stakeholder.id}*")
    moved = next(s for s in model(editing_site).stakeholders if s.id == stakeholder.id)
    latest = max(moved.snapshots, key=lambda s: s.date)
    assert len(moved.snapshots) in (before, before + 1)
    assert latest.influence >= 7 and latest.interest <= 3, latest
    assert page.js_errors == []


def test_a_viewer_gets_no_form_and_a_refusal(server: str, browser: Any, editing_site: Site) -> None:
    journey = model(editing_site).journeys[0]
    touchpoint = journey.touchpoints[0]
    page = signed_in(browser, server, "viewer")
    page.goto(f"{server}/journeys/{journey.id}?edit={touchpoint.id}")
    assert page.locator("#touchpoint-form").count() == 0
    assert page.locator("#editor").is_visible()
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    answer = page.request.post(
        f"{server}/journeys/{journey.id}/touchpoints/{touchpoint.id}",
        form={"csrf_token": token, "base_version": "x", "name": "Viewer was here"},
    )
    assert answer.status == 403
    assert model(editing_site).journeys[0].touchpoints[0].name == touchpoint.name


def test_two_editors_in_two_browsers_the_second_gets_a_conflict_and_reapplies(
    server: str, browser: Any, editing_site: Site
) -> None:
    journey = model(editing_site).journeys[0]
    touchpoint = journey.touchpoints[0]
    url = f"{server}/journeys/{journey.id}?edit={touchpoint.id}"
    first = signed_in(browser, server, "editor")
    second = signed_in(browser, server, "owner")
    first.goto(url)
    second.goto(url)
    first.fill("#tp-name", "First editor")
    first.click("#touchpoint-form button[type=submit]")
    first.wait_for_selector(".notice")
    second.fill("#tp-name", "Second editor")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.click("#touchpoint-form button[type=submit]")
    assert answer.value.status == 409
    notice = second.inner_text("#conflict")
    assert "Someone else saved first" in notice and touchpoint.id in notice
    assert second.input_value("#tp-name") == "Second editor"
    second.click("#touchpoint-form button[type=submit]")
    second.wait_for_selector(".notice")
    edited = next(t for t in model(editing_site).journeys[0].touchpoints if t.id == touchpoint.id)
    assert edited.name == "Second editor"


def test_the_journey_editor_by_keyboard_only(server: str, browser: Any, editing_site: Site) -> None:
    journey = model(editing_site).journeys[0]
    touchpoint = journey.touchpoints[0]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server}/journeys/{journey.id}")
    page.keyboard.type("editor@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/journeys/{journey.id}")

    def tab_until(check: str, limit: int = 400) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                return
        pytest.fail(f"nothing matched {check} within {limit} presses of Tab")

    label = f"Edit touchpoint {touchpoint.name}"
    tab_until(f"document.activeElement.getAttribute('aria-label') === {label!r}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/journeys/{journey.id}?edit={touchpoint.id}*")
    tab_until("document.activeElement.id === 'tp-name'")
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed by keyboard")
    tab_until("document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice")
    edited = next(t for t in model(editing_site).journeys[0].touchpoints if t.id == touchpoint.id)
    assert edited.name == "Typed by keyboard"
    # a move button is reached and pressed by keyboard too
    second = next(t for t in journey.touchpoints[1:] if t.step == touchpoint.step)
    tab_until(
        "document.activeElement.getAttribute('aria-label') === "
        f"{('Move touchpoint ' + second.name + ' up')!r}"
    )
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice")
    ids = [t.id for t in model(editing_site).journeys[0].touchpoints if t.step == touchpoint.step]
    assert ids.index(second.id) < ids.index(touchpoint.id)
