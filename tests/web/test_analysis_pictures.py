"""The analyses pages' pictures carry the services' numbers: graph, funnel, emotion curve.

Every edge of the drawn directly-follows graph holds its figures as attributes; they
must be those of ``analyze_workspace`` (what ``cojourney analyze`` prints), whatever
the number of paths drawn and the view.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from web_helpers import Site

from cojourney.report.html import duration
from cojourney.services.analysis import analyze_workspace
from cojourney.services.experience import experience_report
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses
from cojourney.web.analyses_views import ANALYSES

JOURNEY = "ecampus-member-journey"
PAGE = f"/journeys/{JOURNEY}/analyses"


@pytest.fixture(autouse=True)
def patient_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 120.0)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pictures")
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 60, seed=2)
    return folder


def _edges(html: str) -> list[dict[str, str]]:
    """Every edge group of the graph, as its attributes (and whether it is hidden)."""
    found = []
    for attrs in re.findall(r'<g class="(dfg-edge[^"]*)"([^>]*)>', html):
        record = {k: unescape(v) for k, v in re.findall(r'(data-[a-z-]+)="([^"]*)"', attrs[1])}
        record["hidden"] = "off" in attrs[0].split()
        found.append(record)
    return found


def test_the_graph_draws_every_edge_of_the_analysis_with_its_numbers(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    expected = analyze_workspace(measured, journey_id=JOURNEY).to_dict()["graph"]
    client, _ = make_site(measured).signed_in("viewer")
    html = client.get(PAGE).text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="dfg view-frequency"' in html
    edges = _edges(html)
    assert len(edges) == len(expected["edges"]) > 30
    drawn = {
        (e["data-source"], e["data-target"]): (
            int(e["data-events"]),
            int(e["data-journeys"]),
            float(e["data-median"]),
            float(e["data-mean"]),
        )
        for e in edges
    }
    wanted = {
        (e["source"], e["target"]): (
            e["events"],
            e["journeys"],
            e["median_seconds"],
            e["mean_seconds"],
        )
        for e in expected["edges"]
    }
    assert drawn.keys() == wanted.keys()
    for edge, (events, journeys, median, mean) in wanted.items():
        # counts exactly; times to their last bits (DuckDB's parallel sums vary by run)
        assert drawn[edge][:2] == (events, journeys), edge
        assert drawn[edge][2:] == pytest.approx((median, mean), rel=1e-9), edge
    # the busiest 30 are shown by default, ranked by events
    shown = [e for e in edges if not e["hidden"]]
    assert len(shown) == 30
    busiest = sorted((e["events"] for e in expected["edges"]), reverse=True)
    assert sorted((int(e["data-events"]) for e in shown), reverse=True) == busiest[:30]
    nodes = re.findall(
        r'<g class="dfg-node[^"]*" data-activity="([^"]+)" data-events="(\d+)"', html
    )
    assert {unescape(a): int(n) for a, n in nodes} == {
        n["activity"]: n["events"] for n in expected["nodes"]
    }


def test_the_paths_slider_and_the_view_redraw_on_the_server_too(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    html = client.get(f"{PAGE}?edges=5&view=median").text
    edges = _edges(html)
    shown = [e for e in edges if not e["hidden"]]
    assert len(shown) == 5 and 'data-shown="5"' in html
    assert 'class="dfg view-median"' in html
    first = shown[0]
    label = re.search(
        rf'data-rank="{first["data-rank"]}".*?class="dfg-edge-label">([^<]*)</text>', html, re.S
    )
    assert label and unescape(label.group(1)) == duration(float(first["data-median"]))
    # the slider's form keeps the page's other filters
    filtered = client.get(f"{PAGE}?paths=7&edges=3").text
    assert '<input type="hidden" name="paths" value="7">' in filtered
    assert len([e for e in _edges(filtered) if not e["hidden"]]) == 3
    # out-of-range numbers are brought within 1..all
    assert len([e for e in _edges(client.get(f"{PAGE}?edges=0").text) if not e["hidden"]]) == 1
    everything = _edges(client.get(f"{PAGE}?edges=100000").text)
    assert not any(e["hidden"] for e in everything)


def test_the_funnel_and_the_emotion_curve_carry_the_service_numbers(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    client, _ = make_site(measured).signed_in("viewer")
    funnel = analyze_workspace(measured, journey_id=JOURNEY).to_dict()["funnel"]["steps"]
    html = client.get(PAGE).text
    drawn = re.findall(r'data-step="([^"]+)" data-reached="(\d+)" data-dropped="(\d+)"', html)
    assert [(s, int(r), int(d)) for s, r, d in drawn] == [
        (s["step"], s["reached"], s["dropped_off"]) for s in funnel
    ]
    curve = experience_report(measured, journey_id=JOURNEY).to_dict()["emotion_curve"]
    page = client.get(f"{PAGE}/experience").text
    assert 'id="emotion-curve"' in page
    points = re.findall(r'data-step="([^"]+)" data-measured="([^"]+)"', page)
    assert [(s, float(v)) for s, v in points] == [
        (p["step"], p["measured"]) for p in curve if p["measured"] is not None
    ]


def test_every_analysis_reports_its_progress_until_done(
    measured: Path, make_site: Callable[..., Site]
) -> None:
    """The status each pending page polls answers for every analysis, then says done."""
    client, _ = make_site(measured).signed_in("viewer")
    for name in ANALYSES:
        url = f"{PAGE}/{name}/status"
        deadline = time.monotonic() + 180
        while not (status := client.get(url).json())["done"]:
            assert time.monotonic() < deadline, f"{name} never finished"
            assert isinstance(status["elapsed"], int | float)
            time.sleep(0.1)
        assert status["error"] is None, (name, status)
