"""``cojourney improvements``: the improvement register with each expected effect tested.

Parses arguments, calls :func:`cojourney.services.value.improvement_report` and prints
one table per improvement (or JSON).
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
    emit,
    emit_csv,
    engine_options,
    events_option,
    journey_option,
    json_option,
    number,
    period,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.improvements import EffectResult, ImprovementResult


@click.command()
@workspace_argument
@click.option(
    "--improvement",
    "improvement_id",
    metavar="ID",
    help="Only this improvement of the register. [default: all]",
)
@journey_option("Only the improvements of this journey (their 'journey:').", "[default: all]")
@date_range_options("journeys that start")
@journey_filter_options()
@events_option()
@engine_options("the analysis")
@json_option()
@csv_option("the expected effects (one row per improvement and effect)")
def improvements(
    workspace: Path,
    improvement_id: str | None,
    journey_id: str | None,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    events: str | Path | None,
    json_out: Path | None,
    csv_out: Path | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> int:
    """Test whether the improvements of the register had their expected effect.

    For each expected effect, the indicator is computed before and after the change
    date (or for the control and treatment groups of an A/B comparison) on the
    WORKSPACE's events and survey answers: both values, the difference with its
    confidence interval, the p-value of the fitting test (two-proportion z-test for
    shares, Welch's t-test for means), whether it is significant, and the progress
    from the baseline to the target.

    --from, --to, --segment and --where test the effects on the journeys they keep
    only (did the change help this segment?).

    \b
    Examples:
      cojourney improvements my-workspace
      cojourney improvements my-workspace --improvement late-return-alert --json -
      cojourney improvements my-workspace --where channel=app
    """
    from cojourney.services.value import improvement_report

    refuse_both(json_out, csv_out)
    check_engine_flags(engine, spark_master, spark_remote)
    start, end = period(workspace, date_from, date_to)
    results = improvement_report(
        workspace,
        improvement_id=improvement_id,
        source=events,
        journey_id=journey_id,
        filters=journey_filter(segments, where, personas, start, end),
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    if json_out is not None:
        emit(
            json.dumps(
                {"workspace": str(workspace), "improvements": [r.to_dict() for r in results]},
                indent=1,
                ensure_ascii=False,
            ),
            json_out,
        )
    elif csv_out is not None:
        emit_csv(EFFECT_COLUMNS, effect_rows(results), csv_out)
    else:
        print_improvements(results)
    return 0


def print_improvements(results: list[ImprovementResult]) -> None:
    """One rich table per improvement."""
    from rich.table import Table

    console = terminal_console()
    for result in results:
        how = safe(_how(result))
        title = (
            f"{safe(result.name)} [dim]({safe(result.improvement_id)}, "
            f"{result.status.value}{how})[/]"
        )
        if not result.effects:
            console.print(f"{title}: no expected effects")
            continue
        table = Table(title=title, title_justify="left")
        for name, justify in (
            ("indicator", "left"),
            ("baseline → target", "right"),
            (safe(result.control_label or "control"), "right"),
            (safe(result.treatment_label or "treatment"), "right"),
            ("difference", "right"),
            ("p", "right"),
            ("", "left"),
            ("progress", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for effect in result.effects:
            table.add_row(*_row(effect))
        console.print(table)
        notes = [f"{e.indicator_name}: {e.note}" for e in result.effects if e.note]
        for note in dict.fromkeys([result.note] if result.note else notes):
            console.print(f"  [dim]{safe(note)}[/]")


#: The columns of ``improvements --csv``.
EFFECT_COLUMNS = (
    "improvement_id",
    "improvement",
    "status",
    "comparison",
    "indicator_id",
    "indicator",
    "unit",
    "segment",
    "baseline",
    "target",
    "control",
    "control_n",
    "treatment",
    "treatment_n",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "test",
    "significant",
    "improved",
    "progress",
)


def effect_rows(results: list[ImprovementResult]) -> list[list[object]]:
    """One row per improvement and expected effect, numbers raw (:data:`EFFECT_COLUMNS`)."""
    rows: list[list[object]] = []
    for r in results:
        for e in r.effects:
            rows.append(
                [
                    r.improvement_id,
                    r.name,
                    r.status,
                    r.comparison,
                    e.indicator_id,
                    e.indicator_name,
                    e.unit,
                    e.segment,
                    e.baseline,
                    e.target,
                    e.control.value if e.control else None,
                    e.control.n if e.control else None,
                    e.treatment.value if e.treatment else None,
                    e.treatment.n if e.treatment else None,
                    e.difference,
                    e.ci_low,
                    e.ci_high,
                    e.p_value,
                    e.test,
                    e.significant,
                    e.improved,
                    e.progress,
                ]
            )
    return rows


def _how(result: ImprovementResult) -> str:
    if result.comparison == "before_after" and result.change_date:
        return f", before/after {result.change_date.isoformat()}"
    if result.comparison == "ab":
        return f", A/B on {result.attribute}"
    return ""


def _row(effect: EffectResult) -> list[str]:
    def group(g: object) -> str:
        if g is None:
            return "-"
        return f"{number(g.value)} (n={g.n:,})"  # type: ignore[attr-defined]

    plan = safe(f"{number(effect.baseline)} → {number(effect.target)} {effect.unit}")
    if effect.difference is None:
        return [
            safe(effect.indicator_name),
            plan,
            group(effect.control),
            group(effect.treatment),
            "-",
            "-",
            "",
            _progress(effect.progress),
        ]
    ci = (
        f" [{number(effect.ci_low)}, {number(effect.ci_high)}]" if effect.ci_low is not None else ""
    )
    verdict = ""
    if effect.significant:
        verdict = (
            "[green]significant, better[/]" if effect.improved else "[red]significant, worse[/]"
        )
    elif effect.significant is False:
        verdict = "[dim]not significant[/]"
    p = (
        "-"
        if effect.p_value is None
        else ("<0.001" if effect.p_value < 0.001 else f"{effect.p_value:.3f}")
    )
    return [
        safe(effect.indicator_name),
        plan,
        group(effect.control),
        group(effect.treatment),
        f"{effect.difference:+,.2f}{ci}",
        p,
        verdict,
        _progress(effect.progress),
    ]


def _progress(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"
