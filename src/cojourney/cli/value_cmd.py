"""``cojourney value``: value realization per stakeholder (the DSV *Realize* step).

Parses arguments, calls :func:`cojourney.services.value.value_report` and prints one
table per stakeholder (or JSON). Heavy imports happen inside the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cojourney.cli.common import (
    check_engine_flags,
    csv_option,
    date_range_options,
    day_period,
    emit,
    emit_csv,
    engine_options,
    events_option,
    journey_option,
    json_option,
    number,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.group_results import IndicatorGroupRow
    from cojourney.analytics.value_realization import IndicatorValue, ValueRealization

STATUS_STYLES = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "no_data": "dim",
    "no_target": "cyan",
    "not_measured": "dim",
}
TREND_ARROWS = {
    "improving": "[green]↗ improving[/]",
    "worsening": "[red]↘ worsening[/]",
    "stable": "→ stable",
}


@click.command()
@workspace_argument
@journey_option(
    "Only the indicators of this journey (their 'journey:').", "[default: every indicator]"
)
@date_range_options("data", days=True)
@journey_filter_options(by="the indicators computed from journeys")
@events_option()
@engine_options("the analysis")
@json_option()
@csv_option("the indicators (one row per stakeholder and indicator)")
def value(
    workspace: Path,
    journey_id: str | None,
    date_from: str | None,
    date_to: str | None,
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
    """Show the value each stakeholder gets: every indicator, with status and trend.

    Indicators with a 'measure:' are computed on the WORKSPACE's imported events and
    survey answers, per period (month by default): the latest value, its status
    against the indicator's target and warning level (on track, at risk, off track)
    and its trend over the last six periods. Indicators without a measure are
    measured from the imported measurements (import --kind measurements), as the mean
    per month; the others are listed as 'not measured', with their data source. The
    source column says where each figure comes from: events, survey answers, SLA
    clock or measurements.

    --segment and --where compute every indicator on the journeys they keep (and
    their answers); measurements follow a segment filter only (with a case attribute
    filter they are left out). --by shows instead each indicator computed from
    journeys per group, with the journeys and the units (n) behind each value.

    \b
    Examples:
      cojourney value my-workspace
      cojourney value my-workspace --from 2025-03-01 --to 2025-08-31 --json value.json
      cojourney value my-workspace --by segment --where channel=app
    """
    from cojourney.services.value import value_by_group, value_report

    refuse_both(json_out, csv_out)
    check_engine_flags(engine, spark_master, spark_remote)
    start, end = day_period(date_from, date_to)
    filters = journey_filter(segments, where, personas)
    if by is not None:
        rows = value_by_group(
            workspace,
            by,
            start=start,
            end=end,
            source=events,
            journey_id=journey_id,
            filters=filters,
            engine=engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
        )
        _emit_groups(by, filters.to_dict() if filters else {}, rows, json_out, csv_out)
        return 0
    result = value_report(
        workspace,
        start=start,
        end=end,
        source=events,
        journey_id=journey_id,
        filters=filters,
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    if json_out is not None:
        emit(json.dumps(result.to_dict(), indent=1, ensure_ascii=False), json_out)
    elif csv_out is not None:
        emit_csv(VALUE_COLUMNS, value_rows(result), csv_out)
    else:
        print_value(result)
    return 0


#: The columns of ``value --by ... --csv``.
GROUP_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "source",
    "dimension",
    "group",
    "journeys",
    "n",
    "overall",
    "current_period",
    "current",
    "status",
)


def _emit_groups(
    by: str,
    filters: dict[str, object],
    rows: list[IndicatorGroupRow],
    json_out: Path | None,
    csv_out: Path | None,
) -> None:
    if json_out is not None:
        data = {"by": by, "filters": filters, "groups": [r.to_dict() for r in rows]}
        emit(json.dumps(data, indent=1, ensure_ascii=False), json_out)
        return
    if csv_out is not None:
        emit_csv(
            GROUP_COLUMNS,
            [
                [
                    r.indicator_id,
                    r.name,
                    r.unit,
                    r.source,
                    r.dimension,
                    r.group,
                    r.journeys,
                    r.n,
                    r.overall,
                    r.current_period,
                    r.current,
                    r.status,
                ]
                for r in rows
            ],
            csv_out,
        )
        return
    from rich.table import Table

    table = Table(title=f"Indicators computed from journeys, by {safe(by)}", title_justify="left")
    for name in ("indicator", "group", "journeys", "n", "overall", "current", "status"):
        table.add_column(
            name, justify="left" if name in ("indicator", "group", "status") else "right"
        )
    for r in rows:
        table.add_row(
            safe(r.name),
            safe(r.group),
            f"{r.journeys:,}",
            f"{r.n:,}",
            "-" if r.overall is None else number(r.overall),
            "-" if r.current is None else f"{number(r.current)} ({r.current_period})",
            r.status.replace("_", " "),
        )
    terminal_console().print(table)


def print_value(result: ValueRealization) -> None:
    """One rich table per stakeholder."""
    from rich.table import Table

    console = terminal_console()
    window = ""
    if result.start or result.end:
        window = f" from {result.start or 'the start'} to {result.end or 'the end'}"
    console.print(
        f"[bold]{safe(result.workspace_id)}[/]: value realization{window}: "
        f"{result.measured} indicators measured, {result.not_measured} not measured"
    )
    for group in result.stakeholders:
        table = Table(title=safe(group.name), title_justify="left")
        for name, justify in (
            ("indicator", "left"),
            ("aspect", "left"),
            ("current", "right"),
            ("period", "left"),
            ("n", "right"),
            ("target", "right"),
            ("status", "left"),
            ("trend", "left"),
            ("source", "left"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for item in group.indicators:
            table.add_row(*_row(item))
        console.print(table)
    notes = {
        i.name: i.series.note
        for g in result.stakeholders
        for i in g.indicators
        if i.series is not None and i.series.note
    }
    for name, note in notes.items():
        console.print(f"[dim]{name}: {note}[/]")


def _row(item: IndicatorValue) -> list[str]:
    status = item.status.value
    styled = f"[{STATUS_STYLES.get(status, 'white')}]{status.replace('_', ' ')}[/]"
    target = "-" if item.target is None else f"{_comparator(item)} {number(item.target)}"
    if item.series is None:
        return [
            safe(item.name),
            safe(item.aspect),
            "-",
            f"[dim]{safe(item.data_source or 'no data source')}[/]",
            "",
            target,
            styled,
            "",
            "-",
        ]
    current = item.current
    trend = TREND_ARROWS.get(item.trend.value, "") if item.trend else "[dim]-[/]"
    return [
        safe(item.name),
        safe(item.aspect),
        safe(f"{number(current.value)} {item.unit}") if current else "-",
        current.period_start.isoformat() if current else "-",
        f"{current.n:,}" if current else "0",
        target,
        styled,
        trend,
        safe(item.source or "-"),
    ]


#: The columns of ``value --csv``.
VALUE_COLUMNS = (
    "stakeholder",
    "indicator_id",
    "indicator",
    "aspect",
    "current",
    "unit",
    "period",
    "n",
    "target",
    "direction",
    "status",
    "trend",
    "source",
)


def value_rows(result: ValueRealization) -> list[list[object]]:
    """One row per stakeholder and indicator, numbers raw (:data:`VALUE_COLUMNS`)."""
    rows: list[list[object]] = []
    for group in result.stakeholders:
        for item in group.indicators:
            current = item.current if item.series is not None else None
            rows.append(
                [
                    group.name,
                    item.indicator_id,
                    item.name,
                    item.aspect,
                    current.value if current else None,
                    item.unit,
                    current.period_start if current else None,
                    current.n if current else None,
                    item.target,
                    item.direction,
                    item.status,
                    item.trend if item.series is not None else None,
                    item.source if item.series is not None else item.data_source,
                ]
            )
    return rows


def _comparator(item: IndicatorValue) -> str:
    return "≥" if item.direction.value == "higher_is_better" else "≤"
