"""The measured journey map, filtered: the overlay of the kept journeys only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cojourney.analytics.filters import JourneyFilter
from cojourney.cli.map_cmd import map_
from cojourney.errors import InputError
from cojourney.render import render
from cojourney.services.analysis import analyze_workspace
from cojourney.services.handle import WorkspaceHandle
from cojourney.services.maps import draw_map, measured_overlay
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flagship example with 120 simulated journeys imported."""
    folder = tmp_path_factory.mktemp("filtered-map")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 120, seed=5)
    return folder


def _persona(folder: Path) -> str:
    return sorted(p.id for p in WorkspaceHandle(folder).model().personas)[0]


def _counts(overlay: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    touchpoints = overlay["touchpoints"]
    steps = overlay["steps"]
    assert isinstance(touchpoints, dict) and isinstance(steps, dict)
    return (
        {tp: v["journeys"] for tp, v in touchpoints.items() if v.get("journeys") is not None},
        {s: (v.get("reached"), v.get("left")) for s, v in steps.items()},
    )


def test_a_persona_filter_gives_the_counts_of_analyze_with_that_persona(measured: Path) -> None:
    journey = WorkspaceHandle(measured).model().journeys[0]
    persona = _persona(measured)
    kept = JourneyFilter(personas=(persona,))
    overlay = measured_overlay(measured, journey.id, journey_filter=kept)
    analysis = analyze_workspace(
        measured, journey_id=journey.id, filters=kept, breakdown_by=(), top_variants=1
    ).to_dict()
    touchpoints, steps = _counts(overlay)
    designed = {tp.id for tp in journey.touchpoints}
    expected_tps = {
        n["activity"]: n["journeys"]
        for n in analysis["graph"]["nodes"]
        if n["activity"] in designed
    }
    expected_steps = {
        s["step"]: (s["reached"], s["left"]) for s in analysis["funnel"]["steps"] if s["reached"]
    }
    assert expected_tps, "the persona keeps no journey: pick another fixture"
    assert touchpoints == expected_tps
    assert steps == expected_steps
    assert overlay["filters"] == {"personas": [persona]}
    assert overlay["journeys"] == analysis["counts"]["journeys"]
    # ...and they are not the whole population's
    whole_tps, whole_steps = _counts(measured_overlay(measured, journey.id))
    assert whole_steps != steps
    assert sum(v for v in whole_tps.values() if isinstance(v, int | float)) > sum(
        v for v in touchpoints.values() if isinstance(v, int | float)
    )


def test_no_filter_and_an_empty_filter_draw_the_same_overlay(measured: Path) -> None:
    journey = WorkspaceHandle(measured).model().journeys[0]
    plain = measured_overlay(measured, journey.id)
    empty = measured_overlay(measured, journey.id, journey_filter=JourneyFilter())
    assert _counts(plain) == _counts(empty)  # floats may differ in the last bit
    assert empty["filters"] == {}
    assert plain["filters"] == {}


def test_a_filter_on_the_designed_map_is_refused(measured: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only the measured map is filtered"):
        draw_map(
            measured,
            tmp_path / "m.svg",
            journey_filter=JourneyFilter(personas=(_persona(measured),)),
        )


def test_cli_map_measured_persona_writes_the_filtered_map(measured: Path, tmp_path: Path) -> None:
    model = WorkspaceHandle(measured).model()
    journey = model.journeys[0]
    persona = _persona(measured)
    out = tmp_path / "map.svg"
    result = CliRunner().invoke(
        map_, [str(measured), "-o", str(out), "--measured", "--persona", persona]
    )
    assert result.exit_code == 0, result.output
    overlay = measured_overlay(
        measured, journey.id, journey_filter=JourneyFilter(personas=(persona,))
    )
    assert out.read_text(encoding="utf-8") == render(
        model, "journey", "svg", journey.id, overlay=overlay
    )
    whole = tmp_path / "whole.svg"
    assert CliRunner().invoke(map_, [str(measured), "-o", str(whole), "--measured"]).exit_code == 0
    assert whole.read_text(encoding="utf-8") != out.read_text(encoding="utf-8")


def test_cli_map_where_and_window_keep_journeys(measured: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    result = CliRunner().invoke(
        map_,
        [str(measured), "-o", str(out), "--measured", "--where", "cohort=1999-01"],
    )
    # a cohort nobody is in: the map of no journeys is drawn (no counts), not an error
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(
        map_,
        [str(measured), "-o", str(out), "--measured", "--from", "2025-02-01", "--to", "2025-01-01"],
    )
    assert bad.exit_code != 0
    assert "--to is before --from" in bad.output
