"""The measured journey map filtered on the journey page: persona, where, dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_analyses_pages import page_tables
from web_helpers import Site

from cojourney.analytics.filters import JourneyFilter
from cojourney.services.handle import WorkspaceHandle
from cojourney.services.maps import measured_overlay
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flagship example with 120 simulated journeys imported."""
    folder = tmp_path_factory.mktemp("overlay-filter")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 120, seed=5)
    return folder


def _cell(value: object) -> str:
    return "–" if value is None else str(value)


def _reached_left(html: str) -> dict[str, list[str]]:
    return {row[0]: row[1:3] for row in page_tables(html)["measured-steps"][1:]}


def _expected(
    overlay: dict[str, object], journey_steps: list[tuple[str, str]]
) -> dict[str, list[str]]:
    steps = overlay["steps"]
    assert isinstance(steps, dict)
    return {
        name: [_cell(steps.get(sid, {}).get("reached")), _cell(steps.get(sid, {}).get("left"))]
        for sid, name in journey_steps
    }


def test_the_measured_view_by_persona_shows_the_filtered_numbers(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    client, _ = make_site(measured).signed_in("viewer")
    model = WorkspaceHandle(measured).model()
    journey = model.journeys[0]
    persona = sorted(p.id for p in model.personas)[0]
    named = [(s.id, s.name) for s in journey.steps]
    kept = measured_overlay(measured, journey.id, journey_filter=JourneyFilter(personas=(persona,)))
    whole = measured_overlay(measured, journey.id)
    assert _expected(kept, named) != _expected(whole, named)

    page = client.get(f"/journeys/{journey.id}?view=measured&persona={persona}")
    assert page.status_code == 200, page.text
    assert _reached_left(page.text) == _expected(kept, named)
    assert f"Shows the {kept['journeys']} journeys kept by: personas {persona}." in page.text
    assert f'<option value="{persona}" selected>' in page.text
    assert '<input type="hidden" name="view" value="measured">' in page.text
    # the cache is keyed by the filter: the unfiltered page keeps its own numbers
    plain = client.get(f"/journeys/{journey.id}?view=measured")
    assert _reached_left(plain.text) == _expected(whole, named)
    assert f"Shows all {whole['journeys']} journeys." in plain.text
    # where=persona=ID is the same filter
    same = client.get(f"/journeys/{journey.id}?view=measured&where=persona={persona}")
    assert _reached_left(same.text) == _expected(kept, named)


def test_a_where_filter_nobody_matches_shows_no_journeys(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    client, _ = make_site(measured).signed_in("viewer")
    journey = WorkspaceHandle(measured).model().journeys[0]
    page = client.get(f"/journeys/{journey.id}?view=measured&where=cohort=1999-01&from=2020-01-01")
    assert page.status_code == 200, page.text
    assert "Shows the 0 journeys kept by:" in page.text
    assert 'value="cohort=1999-01"' in page.text


def test_a_bad_date_is_a_clear_message(measured: Path, make_site: Callable[..., Site]) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    journey = WorkspaceHandle(measured).model().journeys[0]
    page = client.get(f"/journeys/{journey.id}?view=measured&from=soon")
    assert page.status_code == 422  # as on the analyses pages
    assert "the from date is not a date" in page.text
    assert "Traceback" not in page.text
