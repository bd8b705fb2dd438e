"""``cojourney leakage``: where value leaks along a journey, ranked.

Argument parsing and output only; the work is :func:`cojourney.services.agreements.leakage`.
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
    emit,
    emit_csv,
    engine_options,
    events_option,
    journey_option,
    json_option,
    parse_instant,
    period,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe
from cojourney.cli.vocabulary import to_flags

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.journey_scope import JourneyGroup
    from cojourney.analytics.leakage import Leak, LeakageReport


@click.command()
@workspace_argument
@journey_option("The designed journey to look along.")
@as_of_option("Read running SLA clocks at this instant")
@date_range_options("journeys that start")
@journey_filter_options(by="the leaks")
@events_option()
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many leaks to list in the terminal (--json has them all).",
)
@engine_options("the analysis")
@json_option("the ranked leaks", instead="a table")
@csv_option("every ranked leak, one a row,")
def leakage(
    workspace: Path,
    journey_id: str | None,
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    by: str | None,
    events: str | Path | None,
    top: int,
    json_out: Path | None,
    csv_out: Path | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> int:
    """Where value leaks along a journey of a WORKSPACE, largest first.

    Gathers drop-off per step, gate bypasses, rework outside the designed loops, moves
    back the design does not allow, the longest waits beyond the designed times, SLA
    breaches and poorly scored touchpoints, and ranks them by severity: the share of
    journeys affected times the share of a journey's value each loses (see the
    documentation of cojourney.analytics.leakage). Each leak names its evidence: an
    anchor of the report.

    --from, --to, --segment and --where rank the leaks of the journeys they keep only;
    --by ranks them per group (each group among its own journeys).

    \b
    Examples:
      cojourney leakage my-workspace
      cojourney leakage my-workspace --journey resolve-incident --json leaks.json
      cojourney leakage my-workspace --by segment --top 5
    """
    from cojourney.services.agreements import leakage as find
    from cojourney.services.agreements import leakage_by_group

    refuse_both(json_out, csv_out)
    check_engine_flags(engine, spark_master, spark_remote)
    start, end = period(workspace, date_from, date_to)
    filters = journey_filter(segments, where, personas, start, end)
    when = parse_instant(as_of, "--as-of")
    if by is not None:
        groups = leakage_by_group(
            workspace,
            by,
            journey_id=journey_id,
            as_of=when,
            source=events,
            filters=filters,
            engine=engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
        )
        _emit_groups(workspace, by, groups, top, json_out, csv_out)
        return 0
    report = find(
        workspace,
        journey_id=journey_id,
        as_of=when,
        source=events,
        filters=filters,
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    if json_out is not None:
        emit(
            json.dumps(
                {"workspace": str(workspace), **report.to_dict()}, indent=1, ensure_ascii=False
            ),
            json_out,
        )
    elif csv_out is not None:
        emit_csv(LEAK_COLUMNS, (_leak_row(leak) for leak in report.leaks), csv_out)
    else:
        print_leaks(report, workspace.resolve().name, top)
    return 0


LEAK_COLUMNS = ("rank", "kind", "journeys", "share", "hours_lost", "severity", "what", "evidence")


def _leak_row(leak: Leak) -> tuple[object, ...]:
    return (
        leak.rank,
        leak.kind,
        leak.journeys,
        leak.share,
        leak.hours_lost,
        leak.severity,
        leak.label,
        leak.evidence,
    )


def _emit_groups(
    workspace: Path,
    by: str,
    groups: list[tuple[JourneyGroup, LeakageReport]],
    top: int,
    json_out: Path | None,
    csv_out: Path | None,
) -> None:
    """The leaks of every group: JSON, CSV (the group first) or one table per group."""
    if json_out is not None:
        data = {
            "workspace": str(workspace),
            "by": by,
            "groups": [{"group": g.label, **report.to_dict()} for g, report in groups],
        }
        emit(json.dumps(data, indent=1, ensure_ascii=False), json_out)
    elif csv_out is not None:
        emit_csv(
            ("group", *LEAK_COLUMNS),
            ((g.label, *_leak_row(leak)) for g, report in groups for leak in report.leaks),
            csv_out,
        )
    else:
        for group, report in groups:
            terminal_console().print(f"\n[bold]{safe(by)} = {safe(group.label)}[/]")
            print_leaks(report, workspace.resolve().name, top)


def print_leaks(report: LeakageReport, workspace: str, top: int = 20) -> None:
    """The ranked leaks as a terminal table."""
    from rich.table import Table

    console = terminal_console()
    console.print(
        f"[bold]{safe(workspace)}[/] · journey [bold]{safe(report.journey_id)}[/]: "
        f"{report.journeys:,} journeys, {len(report.leaks)} leaks"
    )
    for note in report.notes:
        console.print(f"[dim]{safe(to_flags(note))}[/]")
    if not report.leaks:
        console.print("No leak found.")
        return
    shown = report.leaks[:top]
    table = Table(
        title=f"Value leakage ({len(shown)} of {len(report.leaks)}, most severe first)",
        title_justify="left",
    )
    for name in ("#", "kind", "journeys", "share", "hours lost", "severity", "what", "evidence"):
        table.add_column(
            name,
            justify="right"
            if name in ("#", "journeys", "share", "hours lost", "severity")
            else "left",
        )
    for leak in shown:
        table.add_row(
            str(leak.rank),
            leak.kind.value.replace("_", " "),
            f"{leak.journeys:,}",
            f"{leak.share:.1%}",
            f"{leak.hours_lost:,.1f}" if leak.hours_lost is not None else "-",
            f"{leak.severity:.3f}",
            safe(leak.label) + "".join("\n  " + safe(f'"{q}"') for q in leak.quotes),
            safe(leak.evidence),
        )
    console.print(table)
    if len(report.leaks) > len(shown):
        console.print(f"[dim]{len(report.leaks) - len(shown)} more: use --top or --json.[/]")
