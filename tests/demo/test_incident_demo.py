"""The incident-resolution demo (`cojourney demo build --example incident-resolution`):
the second worked case gets its workspace, maps, simulated tickets and report, and the
simulated numbers can be checked by hand against the simulator's configuration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner

from cojourney.analytics.sla import evaluate_clocks
from cojourney.analytics.sla_results import ClockResult
from cojourney.cli.main import cli
from cojourney.demo import example_path
from cojourney.demo.simulator import SimulatedLogs, simulate_tables
from cojourney.demo.simulator.incident_comments import INCIDENT_SITUATIONS
from cojourney.demo.simulator.incident_events import REOPEN, REOPEN_IF_SILENT, SILENT
from cojourney.demo.simulator.incidents import PRIORITY_SHARES
from cojourney.domain import Workspace
from cojourney.errors import InputError
from cojourney.events.store import EventStore
from cojourney.services.agreements import leakage
from cojourney.services.demo import build_demo
from cojourney.spec import load_workspace

EXAMPLE = "incident-resolution"
JOURNEYS, SEED = 600, 11
PRIORITY = "json_extract_string(attributes, '$.priority')"


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return load_workspace(example_path(EXAMPLE))


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built through the CLI, as a user would."""
    out = tmp_path_factory.mktemp("incident-demo")
    args = ["demo", "build", str(out), "--example", EXAMPLE]
    result = CliRunner().invoke(cli, [*args, "--journeys", str(JOURNEYS), "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def simulated(workspace: Workspace) -> SimulatedLogs:
    """The same simulation as the demo's event store, in memory."""
    return simulate_tables(workspace, JOURNEYS, seed=SEED)


@pytest.fixture(scope="module")
def resolution(demo_folder: Path) -> ClockResult:
    ws = demo_folder / "workspace"
    with EventStore.open(ws, read_only=True) as store:
        clocks = evaluate_clocks(store, load_workspace(ws), agreement_id="incident-sla")
    return next(c for c in clocks if c.clock_id == "resolution")


def _events(logs: SimulatedLogs) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("ev", logs.events)
    return con


def test_the_demo_gives_the_incident_case_its_maps_data_and_report(
    demo_folder: Path, workspace: Workspace
) -> None:
    for name in ("journey-map.html", "stakeholder-map.html", "blueprint.html"):
        assert workspace.workspace.name in (demo_folder / name).read_text(encoding="utf-8")
    report = (demo_folder / "journey-report.html").read_text(encoding="utf-8")
    for section in ("summary", "journey-graph", "experience", "agreements", "leakage"):
        assert f'id="{section}"' in report
    assert workspace.workspace.name in report and "eCampus" not in report
    with EventStore.open(demo_folder / "workspace", read_only=True) as store:
        assert store.count() > JOURNEYS * 10 and store.count("feedback") > JOURNEYS / 10


def test_the_demo_default_stays_ecampus_and_other_examples_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "build", str(tmp_path / "e"), "--journeys", "0"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "e" / "journey-map.html").read_text(encoding="utf-8")
    assert "eCampus Car Share" in page and "Meridian" not in page
    with pytest.raises(InputError, match=r"demo\.example"):
        build_demo(tmp_path / "x", example="starter", journeys=0)


def test_the_store_holds_exactly_the_seeded_simulation(
    demo_folder: Path, simulated: SimulatedLogs
) -> None:
    with EventStore.open(demo_folder / "workspace", read_only=True) as store:
        assert store.count() == simulated.events.num_rows
        assert store.count("feedback") == simulated.feedback.num_rows


def test_priorities_follow_the_configured_mix(workspace: Workspace) -> None:
    logs = simulate_tables(workspace, 4000, seed=3)
    rows = (
        _events(logs)
        .execute(f"SELECT {PRIORITY}, count(DISTINCT journey_id) FROM ev GROUP BY 1")
        .fetchall()
    )
    counts = dict(rows)
    assert set(counts) == {"P1", "P2", "P3", "P4"}
    share = counts["P1"] / sum(counts.values())
    # month-end close raises some P3/P4 to P2, never to P1: P1 keeps its configured share
    assert abs(share - PRIORITY_SHARES[0]) < 0.012  # ~4 binomial standard deviations
    assert counts["P2"] / sum(counts.values()) > PRIORITY_SHARES[1]


def test_the_resolution_clock_excludes_the_wait_for_the_user(
    resolution: ClockResult, simulated: SimulatedLogs
) -> None:
    """A P1 clock (around the clock: wall time) recomputed by hand from its events."""
    journeys = resolution.journeys
    decided = np.isin(journeys.status, ["met", "breached"])
    p1 = decided & (journeys.priority == "P1") & (journeys.paused_seconds > 0)
    assert p1.any()
    con = _events(simulated)
    checked = 0
    for i in np.flatnonzero(p1)[:5]:
        rows = con.execute(
            "SELECT activity, epoch_us(timestamp) / 1e6 FROM ev WHERE journey_id = ? "
            "ORDER BY timestamp, event_seq",
            [journeys.journey_id[i]],
        ).fetchall()
        times = [t for _, t in rows]
        activities = [a for a, _ in rows]
        start = times[activities.index("ticket-registered")]
        stop = times[activities.index("service-restored")]
        paused = sum(
            times[k + 1] - times[k]  # paused until the ticket's next event
            for k, a in enumerate(activities)
            if a == "solution-proposed" and start <= times[k] < stop
        )
        assert paused > 0
        assert journeys.paused_seconds[i] == pytest.approx(paused, abs=1)
        assert journeys.elapsed_seconds[i] == pytest.approx(stop - start - paused, abs=1)
        checked += 1
    assert checked >= 1


def test_clocks_per_priority_and_breaches_where_the_simulation_puts_them(
    resolution: ClockResult,
) -> None:
    assert {row.priority for row in resolution.priorities} == {"P1", "P2", "P3", "P4"}
    journeys = resolution.journeys
    assert (journeys.paused_seconds > 0).mean() > 0.5  # most tickets wait for the user
    decided = np.isin(journeys.status, ["met", "breached"])
    breached = journeys.status == "breached"
    month = journeys.period.astype("datetime64[M]")
    # the watermelon months (February, March 2025): every clock tuned to be met
    melon = (month >= np.datetime64("2025-02")) & (month < np.datetime64("2025-04"))
    assert (decided & melon).sum() > 20
    melon_rate = breached[decided & melon].mean()
    other_rate = breached[decided & ~melon].mean()
    assert melon_rate < other_rate and other_rate > 0


def test_leakage_shows_the_breaches_and_the_wait_for_the_user(demo_folder: Path) -> None:
    report = leakage(demo_folder / "workspace")
    where = {(leak.kind.value, leak.where) for leak in report.leaks}
    assert {
        ("sla_breach", "incident-sla/resolution"),
        ("sla_breach", "incident-sla/first-response"),
    } <= where
    assert ("waiting", "solution-proposed -> solution-confirmed") in where


def test_the_reopen_rate_is_the_configured_one(workspace: Workspace) -> None:
    """After the confirm-before-close rule and outside the watermelon months."""
    logs = simulate_tables(workspace, 3000, seed=21, start=date(2025, 5, 1), end=date(2025, 8, 31))
    rate = (
        _events(logs)
        .execute(
            """SELECT avg((activity_set @> ['ticket-reopened'])::INT) FROM (
                 SELECT journey_id, list(activity) AS activity_set FROM ev GROUP BY 1
                 HAVING min(timestamp) < TIMESTAMP '2025-08-01')"""
        )
        .fetchone()
    )
    assert rate is not None
    expected = REOPEN + REOPEN_IF_SILENT * SILENT
    assert abs(rate[0] - expected) < 0.015  # ~3.5 binomial standard deviations at n=2,500


def test_same_seed_same_tickets_other_seed_other_tickets(workspace: Workspace) -> None:
    first = simulate_tables(workspace, 200, seed=5)
    again = simulate_tables(workspace, 200, seed=5)
    other = simulate_tables(workspace, 200, seed=6)
    assert first.events.equals(again.events) and first.feedback.equals(again.feedback)
    assert not first.events.equals(other.events)


def test_some_closure_answers_carry_a_comment_matching_the_score(simulated: SimulatedLogs) -> None:
    con = duckdb.connect()
    con.register("fb", simulated.feedback)
    rows = con.execute("""SELECT score, comment FROM fb WHERE question = 'csat'""").fetchall()
    with_comment = [(score, text) for score, text in rows if text is not None]
    assert 0.05 < len(with_comment) / len(rows) < 0.5
    positive = set(INCIDENT_SITUATIONS["fast"] + INCIDENT_SITUATIONS["workaround"])
    low = [text for score, text in with_comment if score <= 2]
    assert low and sum(text in positive for text in low) < len(low) / 2
    other = con.execute("SELECT count(*) FROM fb WHERE question <> 'csat' AND comment IS NOT NULL")
    assert other.fetchone() == (0,)


def test_the_incident_demo_can_be_served_like_ecampus(demo_folder: Path) -> None:
    from cojourney.services.demo_serve import prepare_demo_site

    site = prepare_demo_site(demo_folder / "workspace", base_url="http://127.0.0.1:8000")
    assert site.share_url.startswith("http://127.0.0.1:8000/") and len(site.password) >= 12


def test_the_watermelon_months_are_green_slas_with_a_red_xla(demo_folder: Path) -> None:
    from cojourney.services.agreements import agreements_report

    report = agreements_report(demo_folder / "workspace")
    months = {w.month for w in report.watermelons if w.xla_id == "happiness-xla"}
    # the XLA's bar rises during the year, so other months may be red too; not these two
    assert months & {date(2025, 2, 1), date(2025, 3, 1)}
