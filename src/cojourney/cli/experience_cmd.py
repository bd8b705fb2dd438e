"""``cojourney experience``: the measured experience of a workspace's journey, readable.

The work is :func:`cojourney.services.experience.experience_report`; this module parses
the options and prints rich tables (``--json`` writes every number instead). Heavy
modules are imported inside the command so ``cojourney --help`` stays fast.
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
    formatted,
    journey_option,
    json_option,
    period,
    refuse_both,
    table,
    workspace_argument,
)
from cojourney.cli.group_options import where_arguments, where_options
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from cojourney.analytics.experience_results import ExperienceAnalysis, ScoreRow

#: Rows shown per table in the terminal (everything goes to --json).
SHOWN_ROWS = 12


@click.command()
@workspace_argument
@journey_option("The designed journey to measure.")
@date_range_options("answers given")
@click.option(
    "--segment",
    "segments",
    multiple=True,
    metavar="SEGMENT",
    help="Only answers of this segment (the answers' own segment column; repeatable).",
)
@where_options("answers of journeys")
@click.option(
    "--by",
    "breakdown_by",
    multiple=True,
    metavar="persona|cohort|ATTRIBUTE",
    help="Also break the scores down by the persona, cohort (month of the first event) "
    "or a case attribute of the answer's journey, from its events (repeatable).",
)
@engine_options("the analysis")
@json_option()
@csv_option(
    "the scores, overall and by every breakdown (a 'dimension' column: overall, "
    "touchpoint, step, segment, channel, month and each --by; every row, not only the "
    "top ones)"
)
def experience(
    workspace: Path,
    journey_id: str | None,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    breakdown_by: tuple[str, ...],
    json_out: Path | None,
    csv_out: Path | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
) -> int:
    """Measure the experience of WORKSPACE's journey from its imported survey answers.

    Scores come with their number of answers (n) and a 95% interval: CSAT is the
    share of 4-5 answers (Wilson interval), NPS the % of 9-10 minus the % of 0-6
    (points, trinomial interval), CES, emotion and custom questions the mean answer
    (t interval). Shown: the scores overall and by touchpoint, step, segment,
    channel and month; the measured emotion curve beside the designed one; the
    journeys whose touchpoints all score well but whose journey score is poor (and
    the reverse); peak-end; and the touchpoints ranked by how much a poor answer
    there lowers the journey score (designed moments of truth starred).

    Import the answers first with `cojourney import WORKSPACE FILE --kind feedback`.

    \b
    Examples:
      cojourney experience car-share
      cojourney experience car-share --from 2025-09-01 --to 2025-11-30 --segment katrina
      cojourney experience car-share --json experience.json
      cojourney experience car-share --by persona --where channel=app
    """
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.services.experience import experience_report

    refuse_both(json_out, csv_out)
    check_engine_flags(engine, spark_master, spark_remote)
    start, end = period(workspace, date_from, date_to)
    groups = where_arguments(where, personas)
    result = experience_report(
        workspace,
        journey_id=journey_id,
        start=start,
        end=end,
        segment=segments or None,
        by=breakdown_by,
        journey_filter=JourneyFilter(**groups) if any(groups.values()) else None,
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    if json_out is not None:
        emit(
            json.dumps(
                {"workspace": str(workspace), **result.to_dict()}, indent=1, ensure_ascii=False
            ),
            json_out,
        )
    elif csv_out is not None:
        emit_csv(SCORE_COLUMNS, score_rows(result), csv_out)
    else:
        print_experience(result, workspace.resolve().name)
    return 0


# --------------------------------------------------------------------------- formatting


#: The columns of ``experience --csv``.
SCORE_COLUMNS = ("dimension", "key", "question", "metric", "n", "value", "low", "high")


def score_rows(result: ExperienceAnalysis) -> list[list[object]]:
    """Every score, overall then by breakdown, numbers raw (:data:`SCORE_COLUMNS`)."""
    groups = [("overall", result.overall), *((b.dimension, b.rows) for b in result.breakdowns)]
    return [
        [dimension, r.key, r.question, r.metric, r.n, r.value, r.low, r.high]
        for dimension, rows in groups
        for r in rows
    ]


def value_text(row: ScoreRow) -> str:
    """A score with its interval: ``87.5% [80.1%, 92.3%]``, ``+33 [-12, +71]``,
    ``4.25 [3.90, 4.60]``."""
    if row.value is None:
        return "-"
    fmt = {"csat": ".1%", "nps": "+.0f"}.get(row.metric, ".2f")
    ci = (
        f" [{row.low:{fmt}}, {row.high:{fmt}}]"
        if row.low is not None and row.high is not None
        else ""
    )
    return f"{row.value:{fmt}}{ci}"


def print_experience(
    result: ExperienceAnalysis, workspace: str, console: Console | None = None
) -> None:
    """Print the summary line and every experience table."""
    console = console or terminal_console()
    filters = safe(", ".join(f"{k} {v}" for k, v in result.filters.items()))
    console.print(
        f"[bold]{safe(workspace)}[/] · journey [bold]{safe(result.journey_id)}[/]: "
        f"{result.answers:,} answers of {result.journeys:,} journeys"
        f"{f' (filtered: {filters})' if filters else ''} [dim]({safe(result.source)})[/]"
    )
    if not result.answers:
        console.print("No answers to measure.")
        return
    console.print(
        table(
            "Scores (95% interval)",
            ("question", "metric", "n", "score"),
            ((r.question, r.metric, f"{r.n:,}", value_text(r)) for r in result.overall),
            left=(0, 1),
        )
    )
    console.print(
        table(
            "Emotion curve per step (-3..3)",
            ("step", "designed", "measured", "n", "95% interval"),
            (
                (
                    p.name,
                    formatted(p.designed),
                    formatted(p.measured),
                    f"{p.n:,}",
                    f"{formatted(p.low)} .. {formatted(p.high)}" if p.low is not None else "-",
                )
                for p in result.emotion_curve
            ),
        )
    )
    for b in result.breakdowns:
        rows = [r for r in b.rows if r.key is not None]
        shown = (
            sorted(rows, key=lambda r: -r.n)[:SHOWN_ROWS]
            if b.dimension in ("segment", "channel")
            else rows[:SHOWN_ROWS]
        )
        if shown:
            more = f" ({len(shown)} of {len(rows)})" if len(rows) > len(shown) else ""
            console.print(
                table(
                    f"Scores by {b.dimension}{more}",
                    (b.dimension, "question", "n", "score"),
                    ((r.key or "", r.question, f"{r.n:,}", value_text(r)) for r in shown),
                    left=(0, 1),
                )
            )
    _print_journeys(result, console)
    _print_comments(result, console)
    _print_themes(result, console)


def _print_themes(result: ExperienceAnalysis, console: Console) -> None:
    """The comment themes: size, mean score, where, and an example each."""
    found = result.themes
    if found is None:
        return
    if not found.themes:
        console.print(f"Comment themes: none ({safe(found.note or 'no themes found')}).")
        return
    rows = []
    for t in found.themes:
        scores = "; ".join(
            f"{s.question} {formatted(s.mean)}"
            + (f" on {s.scale[0]:g}-{s.scale[1]:g}" if s.scale else "")
            for s in t.scores
        )
        where = ", ".join(f"{w.touchpoint or 'journey'} {w.comments:,}" for w in t.touchpoints)
        example = f'"{t.examples[0].text}"' if t.examples else "-"
        rows.append(
            (str(t.rank), t.label, f"{t.size:,} ({t.share:.0%})", scores or "-", where, example)
        )
    console.print(
        table(
            f"Comment themes ({found.grouped:,} of {found.available:,} comments grouped, "
            "the most recent; --json has every example)",
            ("#", "theme (top words)", "comments", "mean score", "most frequent at", "example"),
            rows,
            left=(1, 3, 4, 5),
        )
    )
    if found.unthemed:
        console.print(f"[dim]{found.unthemed:,} comments share no words with others: unthemed.[/]")


def _print_comments(result: ExperienceAnalysis, console: Console) -> None:
    """The latest comments per touchpoint (the JSON output has them all)."""
    if not result.comments:
        console.print("No answer carries a comment.")
        return
    rows = [
        (
            group.name,
            c.timestamp[:10],
            c.question,
            formatted(c.score) if c.score is not None else "-",
            c.text,
        )
        for group in result.comments
        for c in group.latest
    ]
    counts = ", ".join(f"{g.name} {g.count:,}" for g in result.comments)
    console.print(
        table(
            f"Comments, the latest per touchpoint ({counts})",
            ("touchpoint", "date", "question", "score", "comment"),
            rows,
            left=(0, 1, 2, 4),
        )
    )


def _print_journeys(result: ExperienceAnalysis, console: Console) -> None:
    g = result.gap
    if g.journeys:
        console.print(
            f"Touchpoint vs journey (normalised 0-1, {g.journeys:,} journeys with both): "
            f"touchpoints {formatted(g.touchpoint_score.value)}, journey "
            f"{formatted(g.journey_score.value)}, gap {formatted(g.gap.value, '+.2f')} "
            f"[{formatted(g.gap.low, '+.2f')}, {formatted(g.gap.high, '+.2f')}], r = "
            f"{formatted(g.correlation.r)}"
        )
        console.print(
            f"  touchpoints all good, journey poor: {g.well_but_poor.count:,} "
            f"({formatted(g.well_but_poor.share, '.1%')}); touchpoints all poor, "
            f"journey good: {g.poor_but_well.count:,} "
            f"({formatted(g.poor_but_well.share, '.1%')})"
        )
        if g.well_but_poor_journeys:
            console.print(
                "  e.g. " + safe(", ".join(j.journey_id for j in g.well_but_poor_journeys[:8]))
            )
    p = result.peak_end
    if p.journeys:
        console.print(
            f"Peak-end ({p.journeys:,} journeys): (peak + end)/2 R² "
            f"{formatted(p.peak_end.r_squared)} vs mean of all answers R² "
            f"{formatted(p.mean_of_all.r_squared)}"
            + (f"; better: {p.better.replace('_', ' ')}" if p.better else "")
        )
        console.print(
            "  most often the peak / end: "
            + safe(", ".join(f"{t.touchpoint} ({t.peak:,}/{t.end:,})" for t in p.touchpoints[:6]))
        )
    shown = [m for m in result.moments_of_truth if m.difference is not None][:SHOWN_ROWS]
    if shown:
        console.print(
            table(
                "Moments of truth: journey score after a poor answer (* designed)",
                (
                    "#",
                    "touchpoint",
                    "poor",
                    "others",
                    "with poor",
                    "others'",
                    "difference",
                    "95% CI",
                    "significant",
                ),
                (
                    (
                        str(m.rank),
                        m.touchpoint + (" *" if m.designed else ""),
                        f"{m.journeys_poor:,}",
                        f"{m.journeys_other:,}",
                        formatted(m.mean_with_poor),
                        formatted(m.mean_other),
                        formatted(m.difference, "+.3f"),
                        f"{formatted(m.low, '+.3f')} .. {formatted(m.high, '+.3f')}"
                        if m.low is not None
                        else "-",
                        "yes" if m.significant else "no: the interval crosses 0",
                    )
                    for m in shown
                ),
                left=(1, 8),
            )
        )
        console.print(
            "[dim]Significant ones (95% interval not crossing 0) are ranked first, most "
            "harmful first; the others follow.[/]"
        )
