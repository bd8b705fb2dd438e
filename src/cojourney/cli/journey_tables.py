"""Terminal tables for ``cojourney analyze WORKSPACE``: the journey analyses, readable.

Only formatting lives here (rich is imported by the caller's first use); the numbers
come from :class:`cojourney.analytics.journey_results.JourneyAnalysis`, and
``--json`` writes all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.cli.common import table as rich_table
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.terminal import safe

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.table import Table

    from cojourney.analytics.journey_results import JourneyAnalysis

#: Rows shown per table in the terminal (everything goes to --json).
SHOWN_ROWS = 10


def duration(seconds: float | None) -> str:
    """``93784.5`` -> ``1d 2h 3m``; short and readable, exact values are in --json."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    return " ".join(f"{n}{unit}" for n, unit in parts if n) or "0m"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def print_journey_analysis(
    result: JourneyAnalysis, workspace: str, elapsed: float, console: Console | None = None
) -> None:
    """Print the summary line and the funnel, gates, conformance, variants, rework and
    breakdown tables."""
    console = console or terminal_console()
    c, d, e = result.counts, result.durations, result.entry_exit
    filters = safe(", ".join(f"{k} {v}" for k, v in result.filters.items()))
    console.print(
        f"[bold]{safe(workspace)}[/] · journey [bold]{safe(result.journey_id)}[/]: "
        f"{c.journeys:,} journeys, {c.events:,} events, {c.activities:,} activities"
        f"{f' (filtered: {filters})' if filters else ''} "
        f"[dim]({result.engine}, {elapsed:.2f}s, {safe(result.source)})[/]"
    )
    console.print(
        f"Journey duration: mean {duration(d.mean)}, median {duration(d.median)}; "
        f"started in the middle {e.started_in_middle:,} "
        f"({share(e.started_in_middle, e.journeys)}), of which worked back "
        f"{e.worked_back:,}; ended early {e.ended_early:,} "
        f"({share(e.ended_early, e.journeys)})"
    )
    for table in (
        _funnel(result),
        _gates(result),
        _conformance(result),
        _variants(result),
        *_rework(result),
        *_breakdowns(result),
    ):
        if table is not None:
            console.print(table)


def _funnel(result: JourneyAnalysis) -> Table:
    steps = result.funnel.steps
    first = max((s.reached for s in steps), default=0)
    table = rich_table(
        "Step funnel",
        (
            "step",
            "reached",
            "of max",
            "moved on",
            "went back",
            "ended",
            "in progress",
            "dropped off",
            "median time in step",
        ),
        (
            (
                s.name,
                f"{s.reached:,}",
                share(s.reached, first),
                f"{s.moved_on:,}",
                f"{s.went_back:,}",
                f"{s.ended:,}",
                f"{s.in_progress:,}",
                f"{s.dropped_off:,}",
                duration(s.median_seconds_in_step),
            )
            for s in steps
        ),
    )
    onboarding = result.funnel.onboarding
    if onboarding is not None:
        table.caption = (
            f"Onboarding ({safe(onboarding.step)}): {onboarding.got_on_board:,} of "
            f"{onboarding.reached:,} got on board "
            f"({share(onboarding.got_on_board, onboarding.reached)}); of the "
            f"{onboarding.left:,} others, {onboarding.cancelled:,} cancelled, "
            f"{onboarding.silent:,} went silent, {onboarding.in_progress:,} are in progress. "
            "Ended = at an exit point or by cancelling; in progress = last event within the "
            "in-progress window before the data's end (docs/measuring.md); dropped off = "
            "silent for longer"
        )
        table.caption_justify = "left"
    return table


def _gates(result: JourneyAnalysis) -> Table | None:
    if not result.gates:
        return None
    return rich_table(
        "Gates",
        ("gate", "requires", "before", "reached", "respected", "bypassed", "missing most"),
        (
            (
                g.name,
                ", ".join(g.requires),
                ", ".join(g.before),
                f"{g.reached:,}",
                f"{g.respected:,}",
                f"{g.bypassed:,} ({share(g.bypassed, g.reached)})",
                f"{g.most_missing} ({g.missing[g.most_missing]:,})" if g.most_missing else "-",
            )
            for g in result.gates
        ),
        left=(0, 1, 2),
    )


def _conformance(result: JourneyAnalysis) -> Table:
    c = result.conformance
    rows: list[tuple[str, str]] = [
        ("mean fitness", f"{c.mean_fitness:.3f}" if c.mean_fitness is not None else "-"),
        ("median fitness", f"{c.median_fitness:.3f}" if c.median_fitness is not None else "-"),
        ("perfectly conforming", f"{c.perfect:,} ({share(c.perfect, c.journeys)})"),
        ("with skipped touchpoints", f"{c.journeys_with_skips:,}"),
        ("with order violations", f"{c.journeys_with_violations:,}"),
        ("with unknown activities", f"{c.journeys_with_unknown:,}"),
    ]
    rows += [(f"skipped {tp}", f"{n:,}") for tp, n in c.skipped.items() if n]
    rows += [
        (
            f"out of order {v.from_touchpoint} → {v.to_touchpoint}",
            f"{v.journeys:,} ({v.moves:,} moves)",
        )
        for v in c.violations[:SHOWN_ROWS]
    ]
    rows += [
        (f"unknown activity {u.activity}", f"{u.journeys:,} ({u.events:,} events)")
        for u in c.unknown_activities[:SHOWN_ROWS]
    ]
    return rich_table("Conformance to the designed path", ("", "journeys"), rows)


def _variants(result: JourneyAnalysis) -> Table:
    top = result.variants.top
    return rich_table(
        f"Top {len(top)} of {result.variants.count:,} variants",
        ("#", "journeys", "share", "mean duration", "fitness", "flags", "activities"),
        (
            (
                str(n),
                f"{v.journeys:,}",
                f"{v.share:.1%}",
                duration(v.mean_duration_seconds),
                f"{v.fitness:.2f}",
                _flags(v),
                " → ".join(v.activities),
            )
            for n, v in enumerate(top, 1)
        ),
        left=(5, 6),
    )


def _flags(variant: Any) -> str:
    flags = [
        name
        for name, on in (
            ("mid-entry", variant.starts_in_middle),
            ("early exit", variant.ends_early),
        )
        if on
    ]
    return ", ".join(flags) or "-"


def _rework(result: JourneyAnalysis) -> list[Table]:
    r = result.rework
    table = rich_table(
        "Rework: repeated touchpoints",
        ("touchpoint", "visits", "journeys", "journeys repeating", "extra visits"),
        (
            (
                t.touchpoint,
                f"{t.visits:,}",
                f"{t.journeys:,}",
                f"{t.journeys_with_repeat:,}",
                f"{t.extra_visits:,}",
            )
            for t in r.touchpoints
            if t.visits
        ),
    )
    table.caption = (
        f"{r.journeys_with_rework:,} of {r.journeys:,} journeys "
        f"({share(r.journeys_with_rework, r.journeys)}) repeat a touchpoint or "
        "move back a step"
    )
    table.caption_justify = "left"
    if not r.back_moves:
        return [table]
    back = rich_table(
        "Back-and-forth: moves back a step",
        ("from step", "to step", "moves", "journeys"),
        (
            (m.from_step, m.to_step, f"{m.moves:,}", f"{m.journeys:,}")
            for m in r.back_moves[:SHOWN_ROWS]
        ),
        left=(0, 1),
    )
    return [table, back]


def _share_with_interval(share: float | None, low: float | None, high: float | None) -> str:
    """``12.5% (8-19%)``: a share and its 95% interval, ``-`` without a share."""
    if share is None:
        return "-"
    if low is None or high is None:
        return f"{share:.1%}"
    return f"{share:.1%} ({low:.0%}-{high:.0%})"


def _breakdowns(result: JourneyAnalysis) -> list[Table]:
    return [
        rich_table(
            f"By {b.dimension}",
            (
                b.dimension,
                "journeys",
                "events",
                "median duration",
                "mean fitness",
                "drop-off (95%)",
            ),
            (
                (
                    r.value,
                    f"{r.journeys:,}",
                    f"{r.events:,}",
                    duration(r.median_duration_seconds),
                    f"{r.mean_fitness:.3f}" if r.mean_fitness is not None else "-",
                    _share_with_interval(r.drop_off, r.drop_off_low, r.drop_off_high),
                )
                for r in b.rows[: SHOWN_ROWS * 2]
            ),
        )
        for b in result.breakdowns
    ]
