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
    csv_option,
    date_range_options,
    day_period,
    emit,
    emit_csv,
    events_option,
    journey_option,
    json_option,
    number,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.engine_options import check_spark_master, engine_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
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
@events_option()
@engine_options
@json_option()
@csv_option("the indicators (one row per stakeholder and indicator)")
def value(
    workspace: Path,
    journey_id: str | None,
    date_from: str | None,
    date_to: str | None,
    events: Path | None,
    json_out: Path | None,
    csv_out: Path | None,
    engine: str,
    spark_master: str | None,
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

    \b
    Examples:
      cojourney value my-workspace
      cojourney value my-workspace --from 2025-03-01 --to 2025-08-31 --json value.json
    """
    from cojourney.services.value import value_report

    refuse_both(json_out, csv_out)
    check_spark_master(engine, spark_master)
    start, end = day_period(date_from, date_to)
    result = value_report(
        workspace,
        start=start,
        end=end,
        source=events,
        journey_id=journey_id,
        engine=engine,
        spark_master=spark_master,
    )
    if json_out is not None:
        emit(json.dumps(result.to_dict(), indent=1, ensure_ascii=False), json_out)
    elif csv_out is not None:
        emit_csv(VALUE_COLUMNS, value_rows(result), csv_out)
    else:
        print_value(result)
    return 0


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
