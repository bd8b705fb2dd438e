"""In headless Chromium (Debian's): the graph drawn and its slider, a survey upload with a
row error, and a value entered by hand seen on the value page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, Site, served, watch_problems

from cojourney.services.analysis import analyze_workspace
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.browser

JOURNEY = "ecampus-member-journey"


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pictures-browser")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 60, seed=4)
    return folder


@pytest.fixture
def server(make_site: Callable[..., Site], measured: Path) -> Iterator[str]:
    with served(make_site(measured).app) as url:
        yield url


def _page(browser: Any, server: str, role: str) -> tuple[Any, list[str]]:
    """A phone-wide page signed in as ``role``, and the problems it meets."""
    page = browser.new_page(viewport={"width": 420, "height": 900})
    problems = watch_problems(page)
    page.goto(f"{server}/login")
    page.fill("#email", f"{role}@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{server}/")
    return page, problems


def test_the_graph_is_drawn_and_the_slider_changes_the_paths_drawn(
    server: str, browser: Any, measured: Path
) -> None:
    total = len(analyze_workspace(measured, journey_id=JOURNEY).to_dict()["graph"]["edges"])
    page, problems = _page(browser, server, "viewer")
    page.goto(f"{server}/journeys/{JOURNEY}/analyses")
    page.wait_for_selector("svg#dfg", timeout=120_000)
    visible = "svg#dfg g.dfg-edge:not(.off)"
    assert page.locator(visible).count() == min(30, total)
    assert page.locator("svg#dfg g.dfg-node").count() > 0
    # keyboard: focus the slider and press Home, then a few steps right
    slider = page.locator("#graph-edges")
    slider.focus()
    page.keyboard.press("Home")
    assert page.locator(visible).count() == 1
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert page.locator(visible).count() == 5
    assert page.locator("#graph-edges-value").inner_text() == "5"
    page.keyboard.press("End")
    assert page.locator(visible).count() == total
    # the performance view relabels the edges with times
    first = page.locator(visible).first.locator("text")
    count = first.text_content() or ""
    page.check("#view-median")
    relabelled = first.text_content() or ""
    assert relabelled != count and re.search(r"\d+(s|m|h|d)", relabelled), relabelled
    assert "view=median" in page.url and f"edges={total}" in page.url
    page.close()
    assert problems == []


def test_a_survey_upload_with_a_row_error_shows_its_line(
    server: str, browser: Any, tmp_path: Path
) -> None:
    answers = tmp_path / "survey-answers.csv"
    answers.write_text(
        "member,at,q,s,tp\n"
        "m9001,2025-06-01 10:00:00,csat,4,app-download\n"
        "m9001,2025-06-01 10:05:00,csat,11,app-download\n"  # line 3: off the 1-5 scale
    )
    page, problems = _page(browser, server, "editor")
    page.goto(f"{server}/imports")
    page.check("#kind-feedback")
    page.get_by_label("File").set_input_files(str(answers))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("text=Preview of survey-answers.csv")
    page.select_option("#map-journey_id", "member")
    page.select_option("#map-timestamp", "at")
    page.select_option("#map-question", "q")
    page.select_option("#map-score", "s")
    page.select_option("#map-touchpoint", "tp")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("tr.row-error", timeout=60_000)
    assert page.locator("tr.row-error td").first.inner_text() == "3"
    assert "11" in page.locator("tr.row-error").first.inner_text()
    page.close()
    assert problems == []


def test_a_value_entered_by_hand_appears_on_the_value_page(
    server: str, browser: Any, measured: Path
) -> None:
    page, problems = _page(browser, server, "editor")
    page.goto(f"{server}/indicators")
    page.click("#enter-member-cost-per-trip")
    page.fill("#measurement-timestamp", "2025-12-20T08:30")
    page.fill("#measurement-value", "3.25")
    page.get_by_role("button", name="Store the value").click()
    page.wait_for_selector("#measurement-saved")
    assert "editor@example.org" in page.locator("#measurements").inner_text()
    page.get_by_role("link", name="See it on the value page").click()
    page.wait_for_selector("#table-stakeholders", timeout=120_000)
    cells = page.locator("#table-stakeholders td").all_inner_texts()
    records = [r for c in cells if c.startswith("[") for r in json.loads(c)]
    costs = [r for r in records if r.get("indicator") == "member-cost-per-trip"]
    assert costs  # listed under each stakeholder whose value it shows
    for cost in costs:
        assert cost["current"] == {"period_start": "2025-12-01", "value": 3.25, "n": 1}
    page.close()
    assert problems == []
