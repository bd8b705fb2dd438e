"""The journey page's measured view and the measured map: the overlay's numbers, computed through
the cache, of all journeys or of the journeys a filter keeps (service, web page and CLI)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_analyses_pages import page_tables
from web_helpers import Site

from cojourney.analytics.filters import JourneyFilter
from cojourney.cli.map_cmd import map_
from cojourney.errors import InputError
from cojourney.render import render
from cojourney.services.analysis import analyze_workspace
from cojourney.services.handle import WorkspaceHandle
from cojourney.services.maps import draw_map, measured_overlay
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses
from cojourney.web.journey_overlay import OVERLAY
from cojourney.web.routes_analyses import results_cache


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flagship example with 200 simulated journeys imported."""
    folder = tmp_path_factory.mktemp("overlay")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 200, seed=3)
    return folder


def _cell(value: object) -> str:
    return "–" if value is None else str(value)


def test_the_measured_view_shows_the_overlay_counts(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    site = make_site(measured)
    client, _ = site.signed_in("viewer")
    journey = WorkspaceHandle(measured).model().journeys[0]
    expected = measured_overlay(measured, journey.id)
    response = client.get(f"/journeys/{journey.id}?view=measured")
    assert response.status_code == 200, response.text
    tables = page_tables(response.text)
    steps = {row[0]: row[1:3] for row in tables["measured-steps"][1:]}
    assert steps, "no step rows"
    for step in journey.steps:
        found = expected["steps"].get(step.id, {})
        assert steps[step.name] == [_cell(found.get("reached")), _cell(found.get("left"))]
    touchpoints = {row[0]: row[2] for row in tables["measured-touchpoints"][1:]}
    assert any(v != "–" for v in touchpoints.values())
    for tp in journey.touchpoints:
        assert touchpoints[tp.id] == _cell(expected["touchpoints"].get(tp.id, {}).get("journeys"))
    # the designed view stays the default and links to the measured one
    designed = client.get(f"/journeys/{journey.id}")
    assert "measured-steps" not in designed.text
    assert f"/journeys/{journey.id}?view=measured" in designed.text


def test_a_slow_overlay_shows_a_placeholder_that_refreshes(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from cojourney.services import maps
    from cojourney.services.results_cache import data_version

    release = threading.Event()
    real = maps.measured_overlay

    def slow(*args: object, **kwargs: object) -> dict[str, object]:
        release.wait(30)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(maps, "measured_overlay", slow)
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 0.05)
    site = make_site(measured)
    client, _ = site.signed_in("viewer")
    results_cache(site.app).clear()
    journey = WorkspaceHandle(measured).model().journeys[0]
    try:
        response = client.get(f"/journeys/{journey.id}?view=measured")
        assert response.status_code == 200
        assert 'id="pending"' in response.text
        assert 'http-equiv="refresh"' in response.text
        assert "measured-steps" not in response.text
    finally:
        release.set()
    # the overlay is cached per journey and filter (here: none)
    job = results_cache(site.app).job(
        OVERLAY, (journey.id, JourneyFilter()), data_version(measured)
    )
    assert job is not None
    assert job.finished.wait(120)
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    ready = client.get(f"/journeys/{journey.id}?view=measured")
    assert "measured-steps" in ready.text
    assert 'http-equiv="refresh"' not in ready.text


def test_without_events_the_measured_view_says_so(site: Site, workspace: Path) -> None:
    client, _ = site.signed_in("viewer")
    handle = WorkspaceHandle(workspace)
    assert not handle.has_events()
    journey = handle.model().journeys[0]
    response = client.get(f"/journeys/{journey.id}?view=measured")
    assert response.status_code == 200
    assert 'id="no-events"' in response.text


def test_a_case_attribute_filter_counts_as_the_service_does(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_analyses_pages import summary_value

    from cojourney.analytics.filters import JourneyFilter
    from cojourney.services.analysis import analyze_workspace

    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    client, _ = make_site(measured).signed_in("viewer")
    journey = WorkspaceHandle(measured).model().journeys[0].id
    handle = WorkspaceHandle(measured)
    with handle.open_events() as events:
        table = events.table_name("events")
        channels = events.connection.execute(
            f"select channel, count(distinct journey_id) n from {table} "
            "where channel is not null group by channel order by n, channel"
        ).fetchall()
    everyone = analyze_workspace(measured, journey_id=journey).counts.journeys
    rare = channels[0][0]
    only = analyze_workspace(
        measured, journey_id=journey, filters=JourneyFilter(attributes=(("channel", rare),))
    ).counts.journeys
    assert 0 < only < everyone  # the filter keeps some journeys, not all
    response = client.get(f"/journeys/{journey}/analyses?attr=channel={rare}")
    assert response.status_code == 200, response.text
    assert summary_value(response.text, "counts journeys") == str(only)
    assert f'value="channel={rare}"' in response.text  # the form keeps the filter
    wrong = client.get(f"/journeys/{journey}/analyses?attr=nokeyvalue")
    assert wrong.status_code in (400, 422)
    assert "KEY=VALUE" in wrong.text


def test_the_measured_view_compares_with_the_design_as_the_services_do(
    measured: Path, make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Satisfaction, SLA status, moments of truth and the worst leaks on the page are the
    numbers of the experience, agreements and leakage services (what the CLI prints)."""
    from cojourney.render.measured_lane import leak_text, score_text, sla_text
    from cojourney.report.overlay_marks import clock_span, clock_status
    from cojourney.services.agreements import agreements_report, leakage
    from cojourney.services.experience import experience_report

    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    client, _ = make_site(measured).signed_in("viewer")
    model = WorkspaceHandle(measured).model()
    journey = model.journeys[0]
    response = client.get(f"/journeys/{journey.id}?view=measured")
    assert response.status_code == 200, response.text
    tables = page_tables(response.text)
    header = tables["measured-touchpoints"][0]
    touchpoints = {
        row[0]: dict(zip(header, row, strict=True)) for row in tables["measured-touchpoints"][1:]
    }
    steps = {
        row[0]: dict(zip(tables["measured-steps"][0], row, strict=True))
        for row in tables["measured-steps"][1:]
    }

    # satisfaction: CSAT where it is asked, else the touchpoint's own question, with CI and n
    experience = experience_report(measured, journey_id=journey.id).to_dict()
    by_touchpoint = next(b for b in experience["breakdowns"] if b["dimension"] == "touchpoint")
    csat = [r for r in by_touchpoint["rows"] if r["question"] == "csat" and r["key"] and r["n"]]
    assert csat, "the simulated answers hold CSAT at some touchpoint"
    for row in csat:
        assert touchpoints[row["key"]]["Satisfaction"] == score_text(row)
        assert f"n {row['n']:,}" in touchpoints[row["key"]]["Satisfaction"]
    own = {q.id: q.touchpoints for q in model.questions}
    custom = [r for r in by_touchpoint["rows"] if r["key"] in own.get(r["question"], []) and r["n"]]
    assert custom, "the eCampus late-car question is answered"
    for row in custom:
        assert touchpoints[row["key"]]["Satisfaction"] == score_text(row)

    # SLA: every clock's status, at every touchpoint its span covers
    report = agreements_report(measured)
    assert report.clocks
    designs = {(a.id, c.id): c for a in model.agreements for c in a.clocks}
    for clock in report.clocks:
        design = designs[(clock.agreement_id, clock.clock_id)]
        total = clock.total.to_dict()
        entry = {
            "name": clock.clock_name,
            "status": clock_status(total),
            **{k: total[k] for k in ("share_met", "attainment", "at_risk")},
        }
        span = clock_span(journey, design.start, design.stop)
        assert span
        for tp in span:
            assert sla_text(entry) in touchpoints[tp]["SLA"]
        step_names = {s.id: s.name for s in journey.steps}
        assert sla_text(entry) in steps[step_names[journey.step_of()[span[0]]]]["SLA"]

    # moments of truth: every designed one is marked
    for tp in journey.touchpoints:
        if tp.moment_of_truth:
            assert "moment of truth (designed" in touchpoints[tp.id]["Moment of truth"]

    # the worst leaks: the leakage command's first five, in its order
    import json

    from click.testing import CliRunner

    from cojourney.cli.main import cli

    printed = CliRunner().invoke(cli, ["leakage", str(measured), "--json", "-"])
    assert printed.exit_code == 0, printed.output
    leaks = json.loads(printed.output)["leaks"][:5]
    assert leaks
    assert leaks == leakage(measured, journey_id=journey.id).to_dict()["leaks"][:5]
    shown = tables["measured-leaks"][1:]
    assert [row[0] for row in shown] == [f"#{leak['rank']}" for leak in leaks]
    assert [row[1] for row in shown] == [leak["label"] for leak in leaks]
    assert [row[3] for row in shown] == [f"{leak['severity'] * 100:.1f}%" for leak in leaks]
    for leak in leaks:
        placed = [
            r for r in [*touchpoints.values(), *steps.values()] if leak_text(leak) in r["Leaks"]
        ]
        assert len(placed) == 1, leak


def test_the_offline_map_draws_the_same_marks_as_the_page(
    measured: Path,
    make_site: Callable[..., Site],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``cojourney map --measured`` (SVG and HTML) and the journey page draw one overlay."""
    import re

    from click.testing import CliRunner

    from cojourney.cli.main import cli
    from cojourney.render.measured_lane import leak_text, score_text
    from cojourney.services.agreements import leakage
    from cojourney.services.experience import experience_report

    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)
    journey = WorkspaceHandle(measured).model().journeys[0]
    runner = CliRunner()
    for name in ("map.svg", "map.html"):
        result = runner.invoke(
            cli, ["map", str(measured), "-o", str(tmp_path / name), "--measured"]
        )
        assert result.exit_code == 0, result.output
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    page = make_site(measured).signed_in("viewer")[0].get(f"/journeys/{journey.id}?view=measured")

    def marks(text: str) -> list[str]:
        return re.findall(r'<g class="cj-mark [^"]*"><title>([^<]*)</title>', text)

    drawn = marks(svg)
    assert drawn
    assert marks(html) == drawn
    assert marks(page.text) == drawn
    experience = experience_report(measured, journey_id=journey.id).to_dict()
    rows = next(b for b in experience["breakdowns"] if b["dimension"] == "touchpoint")["rows"]
    csat = [r for r in rows if r["question"] == "csat" and r["key"] and r["n"]]
    assert csat
    for row in csat:
        assert score_text(row).replace("&", "&amp;") in drawn
    front = {t.id for t in journey.touchpoints if t.visibility.value != "provider_only"}
    for leak in leakage(measured, journey_id=journey.id).to_dict()["leaks"][:5]:
        if leak["kind"] == "drop_off" or leak["where"].split(" ")[0] in front:
            assert leak_text(leak) in drawn


# ----------------------------------------------------- the measured map, filtered


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
    _assert_same_map(
        out.read_text(encoding="utf-8"),
        render(model, "journey", "svg", journey.id, overlay=overlay),
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


_DECIMAL = re.compile(r"-?\d+\.\d+")


def _assert_same_map(drawn: str, expected: str) -> None:
    """The same map but for the last bits of its decimals (two runs of the analyses:
    DuckDB's parallel sums vary in the last bits)."""
    assert _DECIMAL.sub("#", drawn) == _DECIMAL.sub("#", expected)
    found = [float(n) for n in _DECIMAL.findall(drawn)]
    wanted = [float(n) for n in _DECIMAL.findall(expected)]
    assert found == pytest.approx(wanted, rel=1e-6)
