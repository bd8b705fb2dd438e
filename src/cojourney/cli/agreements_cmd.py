"""``cojourney agreements``: SLA clocks, agreement targets and watermelon warnings.

Argument parsing and output only; the work is
:func:`cojourney.services.agreements.agreements_report`. Heavy imports happen inside
the command, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cojourney.cli.common import (
    as_of_option,
    check_engine_flags,
    csv_option,
    date_range_options,
    day_period,
    emit,
    emit_csv,
    engine_options,
    events_option,
    formatted,
    json_option,
    parse_instant,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.table import Table

    from cojourney.analytics.sla_results import ClockResult, ComplianceRow
    from cojourney.services.agreements import AgreementsReport

#: Breaches listed per clock in the terminal (--json has them all).
SHOWN_BREACHES = 10


@click.command()
@workspace_argument
@click.option(
    "--agreement",
    "agreement_id",
    metavar="ID",
    help="Only this agreement: its clocks, its targets and the watermelon warnings "
    "it is part of. [default: every agreement]",
)
@date_range_options("clocks that started, and target periods,", days=True)
@as_of_option("Read running clocks at this instant and ignore later events")
@journey_filter_options(by="every clock's compliance")
@events_option()
@engine_options("the analysis")
@json_option()
@csv_option(
    "the compliance of every SLA clock (one row per clock, period and priority; "
    "period 'all' is the whole window)"
)
def agreements(
    workspace: Path,
    agreement_id: str | None,
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    by: str | None,
    events: str | Path | None,
    json_out: Path | None,
    csv_out: Path | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> int:
    """How the agreements of a WORKSPACE are kept: SLA clocks, targets, watermelons.

    For every SLA clock (clocks: in agreements.yaml): the journeys met, breached, at
    risk and still running, in business time of the clock's calendar with pauses left
    out; compliance per month and priority against the target's attainment; and the
    breaches, largest overrun first. For every agreement target: its value per period
    and whether it was met. Then the watermelon warnings: months in which an SLA or OLA
    is green while an XLA of the same service is red.

    --segment and --where keep only some journeys (whole journeys; everything is
    computed on them); --by adds every clock's compliance per group, with the number
    of decided journeys and a 95% interval of the share met.

    \b
    Examples:
      cojourney agreements my-workspace
      cojourney agreements my-workspace --agreement incident-sla --from 2025-01-01 --to 2025-03-31
      cojourney agreements my-workspace --as-of 2025-04-01T09:00 --json report.json
      cojourney agreements my-workspace --where channel=app --by priority
    """
    from cojourney.services.agreements import agreements_report

    refuse_both(json_out, csv_out)
    check_engine_flags(engine, spark_master, spark_remote)
    start, end = day_period(date_from, date_to)
    report = agreements_report(
        workspace,
        agreement_id=agreement_id,
        start=start,
        end=end,
        as_of=parse_instant(as_of, "--as-of"),
        source=events,
        filters=journey_filter(segments, where, personas),
        by=by,
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    if json_out is not None:
        emit(json.dumps(report.to_dict(), indent=1, ensure_ascii=False), json_out)
    elif csv_out is not None and by is not None:
        emit_csv(GROUP_COLUMNS, group_rows(report), csv_out)
    elif csv_out is not None:
        emit_csv(COMPLIANCE_COLUMNS, compliance_rows(report), csv_out)
    else:
        print_report(report)
    return 0


#: The columns of ``agreements --by ... --csv``.
GROUP_COLUMNS = (
    "agreement_id",
    "clock",
    "dimension",
    "group",
    "journeys",
    "met",
    "breached",
    "at_risk",
    "running",
    "abandoned",
    "decided",
    "met_percent",
    "met_percent_low",
    "met_percent_high",
    "required_percent",
    "meets",
)


def group_rows(report: AgreementsReport) -> list[list[object]]:
    """Every clock's compliance per group (:data:`GROUP_COLUMNS`)."""
    return [
        [
            g.agreement_id,
            g.clock,
            g.dimension,
            g.group,
            g.journeys,
            g.met,
            g.breached,
            g.at_risk,
            g.running,
            g.abandoned,
            g.decided,
            g.share_met,
            g.share_met_low,
            g.share_met_high,
            g.attainment,
            g.meets,
        ]
        for g in report.groups
    ]


#: The columns of ``agreements --csv``.
COMPLIANCE_COLUMNS = (
    "agreement_id",
    "clock",
    "period",
    "priority",
    "journeys",
    "met",
    "breached",
    "at_risk",
    "running",
    "abandoned",
    "met_percent",
    "required_percent",
    "meets",
)


def compliance_rows(report: AgreementsReport) -> list[list[object]]:
    """Every clock's compliance per period and priority, then per priority and in all
    (period ``all``), numbers raw (:data:`COMPLIANCE_COLUMNS`)."""
    rows: list[list[object]] = []
    for clock in report.clocks:
        groups = [*clock.periods, *clock.cells, *clock.priorities, clock.total]
        for row in dict.fromkeys(groups):
            rows.append(
                [
                    clock.agreement_id,
                    clock.clock_name,
                    row.period if row.period is not None else "all",
                    row.priority,
                    row.journeys,
                    row.met,
                    row.breached,
                    row.at_risk,
                    row.running,
                    row.abandoned,
                    row.share_met,
                    row.attainment,
                    row.meets,
                ]
            )
    return rows


def print_report(report: AgreementsReport, console: Console | None = None) -> None:
    """The clocks, targets and watermelon warnings as terminal tables."""
    console = console or terminal_console()
    as_of = f", as of {report.as_of:%Y-%m-%d %H:%M} UTC" if report.as_of else ""
    console.print(
        f"[bold]{safe(report.workspace_id)}[/]: {len(report.clocks)} clocks, "
        f"{len(report.targets)} targets{as_of} [dim]({safe(report.source)})[/]"
    )
    if report.filters:
        from cojourney.analytics.journey_scope import describe_filters

        console.print(f"Only the journeys kept by: {safe(describe_filters(report.filters))}")
    for clock in report.clocks:
        _print_clock(clock, console, report.relationship_type(clock.agreement_id))
    if report.by is not None:
        console.print(group_table(report))
    if report.targets:
        _print_targets(report, console)
    if report.watermelons:
        console.print(
            f"[bold red]Watermelon warnings ({len(report.watermelons)})[/]: "
            "green service levels, red experience"
        )
        for warning in report.watermelons:
            console.print(f"  • {safe(warning.message)}")
    else:
        console.print(
            "No watermelon warning: no green SLA or OLA beside a red XLA of the same service."
        )


def _print_clock(clock: ClockResult, console: Console, relationship: str | None = None) -> None:
    from rich.table import Table

    from cojourney.cli.journey_tables import duration

    counts = ", ".join(
        f"{n:,} {status.replace('_', ' ')}" for status, n in clock.status_counts.items() if n
    )
    within = f" [dim]({safe(relationship)} relationship)[/]" if relationship else ""
    console.print(
        f"\n[bold]{safe(clock.agreement_id)} / {safe(clock.clock_name)}[/]{within} "
        f"({len(clock.journeys):,} journeys): {counts or 'no journey'}"
    )
    if clock.status_counts.get("abandoned"):
        console.print(
            "[dim]abandoned: no stop event and the journey ended or went silent (see "
            "docs/measuring.md); left out of met %[/]"
        )
    console.print(compliance_table(clock))
    breaches = clock.top_breaches(SHOWN_BREACHES)
    if breaches:
        listed = Table(
            title=f"Breaches ({len(breaches)} of {clock.breach_order.size:,}, "
            "largest overrun first)",
            title_justify="left",
        )
        for name in ("journey", "priority", "started", "elapsed", "allowed", "overrun", "state"):
            listed.add_column(
                name,
                justify="left" if name in ("journey", "priority", "started", "state") else "right",
            )
        for b in breaches:
            listed.add_row(
                safe(b.journey_id),
                safe(b.priority or "-"),
                f"{b.start:%Y-%m-%d %H:%M}",
                duration(b.elapsed_seconds),
                duration(b.allowed_seconds),
                duration(b.overrun_seconds),
                "stopped" if b.finished else "abandoned" if b.abandoned else "running",
            )
        console.print(listed)


def compliance_table(clock: ClockResult) -> Table:
    """Compliance per period (and per priority when the clock's targets have priorities).

    A row of several priorities meets the target only when every priority does; its
    verdict names the priorities that miss it.
    """
    from rich.table import Table

    by_priority = any(r.priority is not None for r in clock.priorities)
    title = f"Compliance per {clock.period_unit}" + (" and priority" if by_priority else "")
    table = Table(title=title, title_justify="left")
    names = ["period", *(["priority"] if by_priority else [])]
    names += ["journeys", "met", "breached", "at risk", "running", "abandoned"]
    names += ["met %", "required %", "meets"]
    for name in names:
        table.add_column(
            name, justify="left" if name in ("period", "priority", "meets") else "right"
        )

    def missing(period: object) -> list[str]:
        rows = clock.cells if period is not None else clock.priorities
        return [
            safe(r.priority or "(none)")
            for r in rows
            if r.meets is False and (period is None or r.period == period)
        ]

    rows: list[tuple[str, str | None, ComplianceRow, bool]] = []
    if by_priority:
        for p in clock.periods:
            rows += [
                (str(c.period), safe(c.priority or "(none)"), c, False)
                for c in clock.cells
                if c.period == p.period
            ]
            rows.append((str(p.period), "all priorities", p, True))
        rows += [("all", safe(r.priority or "(none)"), r, False) for r in clock.priorities]
        rows.append(("all", "all priorities", clock.total, True))
    else:
        rows += [(str(p.period), None, p, False) for p in clock.periods]
        rows.append(("all", None, clock.total, False))
    for period, priority, row, combined in rows:
        if row.journeys == 0:
            continue
        verdict = _verdict(row.meets)
        if combined and row.meets is False:
            names = missing(row.period)
            verdict = "[red]no[/]: " + ", ".join(names)
            verdict += " misses its target" if len(names) == 1 else " miss their targets"
        elif combined and row.meets:
            verdict = "[green]yes[/], every priority"
        table.add_row(
            period,
            *([priority or ""] if by_priority else []),
            f"{row.journeys:,}",
            f"{row.met:,}",
            f"{row.breached:,}",
            f"{row.at_risk:,}",
            f"{row.running:,}",
            f"{row.abandoned:,}",
            formatted(row.share_met, ".1f"),
            formatted(row.attainment, ".1f"),
            verdict,
        )
    return table


def group_table(report: AgreementsReport) -> Table:
    """Every clock's compliance per group, with the decided journeys and the interval."""
    from rich.table import Table

    table = Table(title=f"Compliance by {report.by}", title_justify="left")
    for name in ("clock", "group", "journeys", "decided", "met %", "95% interval", "meets"):
        table.add_column(name, justify="left" if name in ("clock", "group", "meets") else "right")
    for g in report.groups:
        interval = (
            f"{g.share_met_low:.1f}-{g.share_met_high:.1f}"
            if g.share_met_low is not None and g.share_met_high is not None
            else "-"
        )
        table.add_row(
            safe(f"{g.agreement_id} / {g.clock}"),
            safe(g.group),
            f"{g.journeys:,}",
            f"{g.decided:,}",
            formatted(g.share_met, ".1f"),
            interval,
            _verdict(g.meets),
        )
    return table


def _print_targets(report: AgreementsReport, console: Console) -> None:
    from rich.table import Table

    table = Table(title="Agreement targets (latest period with data)", title_justify="left")
    for name in (
        "agreement",
        "indicator",
        "scope",
        "period",
        "latest",
        "value",
        "target",
        "status",
        "periods met",
    ):
        table.add_column(name, justify="right" if name in ("value", "periods met") else "left")
    for t in report.targets:
        current = t.current
        target = t.target
        relationship = report.relationship_type(t.agreement_id)
        table.add_row(
            safe(t.agreement_id) + (f" ({safe(relationship)})" if relationship else ""),
            safe(t.indicator_id),
            safe(t.priority or t.segment or ""),
            safe(t.period),
            str(current.period_start) if current else "-",
            f"{current.value:.4g}" if current and current.value is not None else "-",
            f"{target.comparator.value} {target.value:g}" if target else "-",
            t.status.value.replace("_", " "),
            f"{t.met}/{t.met + t.missed}" if t.met + t.missed else "-",
        )
    console.print(table)


def _verdict(meets: bool | None) -> str:
    return "-" if meets is None else ("[green]yes[/]" if meets else "[red]no[/]")
