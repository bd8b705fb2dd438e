"""The journey page's measured view on a phone, in Debian's chromium: the page does not
scroll sideways, the map scrolls inside its frame with the keyboard, and the tables that
say in text what the map draws stack as cards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site, browser_sign_in, served

from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ecampus-map")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 150, seed=5)
    return folder


@pytest.fixture
def server(make_site: Callable[..., Site], measured: Path) -> Iterator[str]:
    with served(make_site(measured).app) as url:
        yield url


def test_the_measured_map_reads_on_a_phone(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    browser_sign_in(page, server)
    page.goto(server + "/journeys/ecampus-member-journey?view=measured")
    page.wait_for_selector("#measured-touchpoints", timeout=240_000)  # refreshes until ready
    # the page itself never scrolls sideways; the map does, inside its frame
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    frame = page.locator(".map-scroll")
    assert frame.locator("svg .cj-mark").count() > 0
    frame.focus()
    assert page.evaluate("document.activeElement.classList.contains('map-scroll')")
    before = frame.evaluate("el => el.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.map-scroll').scrollLeft > 0")
    assert frame.evaluate("el => el.scrollLeft") > before
    # the text equivalent: a legend, and tables shown as cards with their labels
    assert page.locator(".measured-legend li").count() >= 5
    cell = page.locator("#measured-touchpoints td[data-label='Satisfaction']").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert page.locator("#measured-leaks tbody tr").count() >= 1
    page.close()
    assert problems == []
