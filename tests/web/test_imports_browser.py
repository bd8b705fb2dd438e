"""An import with a row error through the pages, in headless Chromium (Debian's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, Site, served, watch_problems

from cojourney.services.imports import list_imports
from cojourney.services.workspaces import init_workspace, open_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    init_workspace(ws, example="ecampus-car-share")
    return ws


@pytest.fixture
def server(folder: Path, make_site: Callable[..., Site]) -> Iterator[str]:
    """A site on its own workspace, served by uvicorn in a thread; yields its base URL."""

    site = make_site(folder)
    with served(site.app) as url:
        yield url


def test_import_with_a_row_error_through_the_pages(
    server: str, browser: Any, folder: Path, tmp_path: Path
) -> None:
    touchpoints = [t.id for j in open_workspace(folder).journeys for t in j.touchpoints][:2]
    log = tmp_path / "desk-export.csv"
    log.write_text(
        "ticket,action,created_at\n"
        f"t-1,{touchpoints[0]},2026-03-01T09:00:00Z\n"
        f"t-1,{touchpoints[1]},not a time\n"
        f"t-2,{touchpoints[0]},2026-03-01T10:00:00Z\n"
    )
    page = browser.new_page()
    problems = watch_problems(page)
    page.goto(f"{server}/login?next=/imports")
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/imports")
    page.get_by_label("File").set_input_files(str(log))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("text=Preview of desk-export.csv")
    # the suggested mapping is preselected; the user keeps it and skips bad rows
    assert page.get_by_label("journey_id (required)").input_value() == "ticket"
    assert page.get_by_label("timestamp (required)").input_value() == "created_at"
    page.get_by_label("skip them (kept in a CSV to download)").check()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("#rows-new", timeout=60_000)
    assert page.locator("#rows-new").inner_text() == "2"
    assert page.locator("#rows-skipped").inner_text() == "1"
    first_error = page.locator("tr.row-error td").first.inner_text()
    assert first_error == "3"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the row errors (CSV)").click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[1].startswith("3,")
    (record,) = list_imports(folder)
    assert record.rows_imported == 2 and record.rows_rejected == 1
    assert problems == []
