"""The analyses pages in headless Chromium (Debian's): filter by persona, counts change.

The page may first show its placeholder; the static script polls the status and
reloads once the result is ready. No console error, nothing loaded from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, Site, served

from cojourney.analytics.filters import JourneyFilter
from cojourney.services.analysis import analyze_workspace
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ecampus")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 300, seed=1)
    return folder


@pytest.fixture
def server(make_site: Callable[..., Site], measured: Path) -> Iterator[str]:

    site = make_site(measured)
    with served(site.app) as url:
        yield url


def shown_journeys(page: Any) -> int:
    page.wait_for_selector("#summary", timeout=90_000)
    text = page.locator("dl.summary").inner_text()
    match = re.search(r"counts journeys\s+(\d+)", text)
    assert match, text
    return int(match.group(1))


def test_filter_by_persona_changes_the_counts(server: str, browser: Any, measured: Path) -> None:
    journey = "ecampus-member-journey"
    everyone = analyze_workspace(measured, journey_id=journey).counts.journeys
    only = analyze_workspace(
        measured, journey_id=journey, filters=JourneyFilter(segments=("diego",))
    ).counts.journeys
    assert only < everyone
    page = browser.new_page()
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_site)
    page.goto(server + "/login")
    page.fill("#email", "viewer@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(server + "/")
    page.click("text=Analyses")
    assert shown_journeys(page) == everyone
    page.fill("#segment", "diego")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*segment=diego.*"))
    assert shown_journeys(page) == only
    # Each chart is drawn from its table; the graph's edges switch frequency/performance.
    edges = page.locator('[data-chart-for="table-graph.edges"]')
    assert edges.locator("rect.bar").count() > 0
    frequency = edges.locator("text.bar-value").first.text_content()
    edges.locator("select").select_option(label="median_seconds")
    assert edges.locator("text.bar-value").first.text_content() != frequency
    page.close()
    assert problems == []
    assert elsewhere == []


def test_persona_selector_and_where_filter_change_the_numbers(
    server: str, browser: Any, measured: Path
) -> None:
    journey = "ecampus-member-journey"

    def expected(**kw: Any) -> int:
        result = analyze_workspace(measured, journey_id=journey, filters=JourneyFilter(**kw))
        return result.counts.journeys

    everyone = expected()
    marcos = expected(personas=("marcos",))
    marcos_by_phone = expected(personas=("marcos",), attributes=(("channel", "phone"),))
    assert 0 < marcos < everyone
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.goto(server + "/login")
    page.fill("#email", "viewer@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(server + "/")
    page.goto(server + f"/journeys/{journey}/analyses")
    assert shown_journeys(page) == everyone
    page.select_option("#persona", "marcos")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*persona=marcos.*"))
    assert shown_journeys(page) == marcos
    # The breakdowns (by persona among them) hold Marcos's journeys only.
    breakdowns = page.locator("#table-breakdowns").inner_text()
    assert "persona" in breakdowns and "marcos" in breakdowns
    assert "katrina" not in breakdowns
    page.fill("#where", "channel=phone")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*where=channel%3Dphone.*"))
    assert shown_journeys(page) == marcos_by_phone
    # The experience page keeps the filters and scores the answers by persona.
    page.click("nav.tabs >> text=Experience")
    page.wait_for_url(re.compile(r".*/experience\?.*persona=marcos.*"))
    page.wait_for_selector("#summary", timeout=90_000)
    assert page.locator("#persona").input_value() == "marcos"
    page.close()
    assert problems == []
