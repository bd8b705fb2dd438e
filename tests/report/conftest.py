"""Fixtures of the report tests: small workspaces with hand-made logs, and one built report.

The events are ``journey_logs.MAIN_LOG`` (tests/analytics), whose numbers are worked out
by hand in ``tests/analytics/test_journey_analyses.py``; the answers are
``workspaces.ANSWERS``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analytics"))

from journey_logs import MAIN_LOG, journey_table
from workspaces import answers_table, import_logs, measured_template


@pytest.fixture(scope="session")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The measured template workspace with MAIN_LOG and the hand-made answers imported."""
    folder = measured_template(tmp_path_factory.mktemp("measured") / "ws")
    import_logs(folder, journey_table(MAIN_LOG), answers_table(MAIN_LOG))
    return folder


@pytest.fixture(scope="session")
def built(measured: Path, tmp_path_factory: pytest.TempPathFactory):
    """The report of :func:`measured`: ``(ReportResult, html)``."""
    from cojourney.services.report import build_report

    out = tmp_path_factory.mktemp("report") / "report.html"
    result = build_report(measured, out)
    return result, out.read_text(encoding="utf-8")


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """The template workspace: nothing imported."""
    from cojourney.services.workspaces import init_workspace

    init_workspace(tmp_path / "bare")
    return tmp_path / "bare"


#: Debian's chromium: the browser tests drive it by path (no browser downloads here).
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through Playwright; skips with a reason where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium; 'make install-test' does it)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()
