"""BENCHMARKS.md: issue 12's targets, the report at three sizes, and Spark against DuckDB.

Every number comes from a result file; a target whose result file is missing is shown
as "not measured yet", never estimated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _harness import size_label
from _md_format import _load, _met, _mib, _ratio, _runs_text, _s

#: The report sizes of issue 12 and their goals, in the order they are shown.
REPORT_GOALS = {
    1_000_000: "<= 2 s",
    10_000_000: "<= 20 s",
    100_000_000: "completes within 24 GiB",
}
#: The analyses bench_engines.py times (in its order) and the size of the target.
ENGINE_ANALYSES = (
    "analyze",
    "experience",
    "agreements",
    "value",
    "leakage",
    "improvements",
    "report",
)
ENGINES_TARGET = "engines-10M"
SPARK_RATIO_LIMIT = 5.0
MEMORY_LIMIT_MIB = 24 * 1024

Results = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Target:
    """One row of issue 12's table: where its number is and what it must be."""

    benchmark: str
    what: str
    unit: str  # "s", "ratio" or "MiB"
    limit: float
    value: Callable[[dict[str, Any]], float | None]
    #: Whether the benchmark completed at all (a failed run is "not met", not pending).
    completed: Callable[[dict[str, Any]], bool] = lambda d: True


def _median_wall(d: dict[str, Any]) -> float | None:
    return d.get("cojourney", {}).get("median_wall_s")


def _median_peak(d: dict[str, Any]) -> float | None:
    return d.get("cojourney", {}).get("median_max_rss_mib")


def _ratio_of(key: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda d: d.get("ratios", {}).get(key)


def _completed(d: dict[str, Any]) -> bool:
    return d.get("cojourney", {}).get("successful_runs", 0) > 0


ISSUE_12 = (
    Target(
        "discovery-1M",
        "whole-process `analyze FILE` at 1M events: time <= 0.10× PM4Py's",
        "ratio",
        0.10,
        _ratio_of("time_cojourney_over_pm4py"),
    ),
    Target(
        "discovery-1M",
        "whole-process `analyze FILE` at 1M events: peak memory <= 1/3 of PM4Py's",
        "ratio",
        1 / 3,
        _ratio_of("memory_cojourney_over_pm4py"),
    ),
    Target(
        "xes-import-bpic2012",
        "XES import of bpic2012: time <= 0.10× PM4Py `read_xes`",
        "ratio",
        0.10,
        _ratio_of("time_cojourney_over_pm4py"),
    ),
    Target(
        "xes-import-bpic2012",
        "XES import of bpic2012: peak memory <= 1/3 of PM4Py `read_xes`",
        "ratio",
        1 / 3,
        _ratio_of("memory_cojourney_over_pm4py"),
    ),
    Target("report-1M", "report at 1M events <= 2 s", "s", 2.0, _median_wall, _completed),
    Target(
        "journey-10M",
        "full journey analysis of a workspace at 10M events (Parquet) <= 6 s",
        "s",
        6.0,
        _median_wall,
        _completed,
    ),
    Target("report-10M", "report at 10M events <= 20 s", "s", 20.0, _median_wall, _completed),
    Target(
        "report-100M",
        "report at 100M events completes within 24 GiB (peak RSS)",
        "MiB",
        MEMORY_LIMIT_MIB,
        _median_peak,
        _completed,
    ),
)


def covered() -> set[str]:
    """The result files whose targets issue 12 defines (their stored targets are not shown)."""
    return {t.benchmark for t in ISSUE_12} | {ENGINES_TARGET}


def _shown(unit: str, value: float | None, limit: float) -> str:
    if unit == "s":
        return f"{_s(value)} (limit {limit:g} s)"
    if unit == "MiB":
        return f"peak {_mib(value)} (limit {_mib(limit)})"
    return f"{_ratio(value)} (limit {limit:.3f})"


def target_rows(results: Results) -> list[str]:
    """Issue 12's rows of the Targets table, from the result files."""
    lines = []
    for t in ISSUE_12:
        d = results.get(t.benchmark)
        if d is None:
            lines.append(f"| {t.benchmark} | {t.what} | not measured yet | pending |")
            continue
        value = t.value(d)
        if not t.completed(d):
            lines.append(f"| {t.benchmark} | {t.what} | no run completed | **not met** |")
            continue
        met = None if value is None else value <= t.limit
        lines.append(
            f"| {t.benchmark} | {t.what} | {_shown(t.unit, value, t.limit)} | {_met(met)} |"
        )
    lines += _engine_target_rows(results.get(ENGINES_TARGET))
    return lines


def _engine_target_rows(d: dict[str, Any] | None) -> list[str]:
    what = f"Spark local mode within {SPARK_RATIO_LIMIT:g}× of DuckDB (whole process)"
    if d is None:
        return [
            f"| {ENGINES_TARGET} | every analysis at 10M events: {what} | not measured yet | pending |"
        ]
    lines = []
    for analysis in ENGINE_ANALYSES:
        a = d.get("analyses", {}).get(analysis)
        label = f"`{analysis}` at 10M events: {what}"
        if a is None:
            lines.append(f"| {ENGINES_TARGET} | {label} | not measured yet | pending |")
            continue
        ratio, met = _spark_ratio(a)
        shown = _shown("ratio", ratio, SPARK_RATIO_LIMIT) if ratio is not None else met[1]
        lines.append(f"| {ENGINES_TARGET} | {label} | {shown} | {_met(met[0])} |")
    return lines


def _spark_ratio(a: dict[str, Any]) -> tuple[float | None, tuple[bool | None, str]]:
    """Spark's time over DuckDB's, and whether that meets the target (with why not)."""
    ratio = a.get("ratio_time_spark_over_duckdb")
    if ratio is not None:
        return ratio, (ratio <= SPARK_RATIO_LIMIT, "")
    duck_ok = a.get("duckdb", {}).get("successful_runs", 0) > 0
    spark_ok = a.get("spark", {}).get("successful_runs", 0) > 0
    if duck_ok and not spark_ok:
        return None, (False, "Spark did not complete")
    return None, (None, "DuckDB did not complete")


def report_section(results: Results) -> list[str]:
    """Section 5: the report at 1M, 10M and 100M events (each size or 'not measured')."""
    lines = [
        "## 5. The journey report at 1M, 10M and 100M events",
        "",
        "`benchmarks/bench_report.py`: `cojourney report WORKSPACE --events DATASET -o "
        "report.html` on the eCampus example workspace and the generated eCampus events "
        "of section 2 at each size (events only, no answers), one whole process on "
        "DuckDB; peak memory from `/usr/bin/time`. The generator writes the events in "
        "chunks of 5M (one Parquet file each), so even 100M never sit in its memory at "
        "once. Targets (issue 12): 1M in at most 2 s, 10M in at most 20 s, 100M completes "
        "within the machine's 24 GiB.",
        "",
        "| events | journeys | median wall | median peak RSS | runs (s) | load before "
        "| target | result |",
        "|---:|---:|---:|---:|---|---|---|---|",
    ]
    for events, goal in REPORT_GOALS.items():
        name = f"report-{size_label(events)}"
        d = results.get(name)
        target = next((t for t in ISSUE_12 if t.benchmark == name), None)
        if d is None or "cojourney" not in d:
            lines.append(f"| {events:,} | – | not measured yet | – | – | – | {goal} | pending |")
            continue
        t = d["cojourney"]
        met: bool | None = None
        if target is not None:
            value = target.value(d)
            met = (
                False
                if not target.completed(d)
                else None
                if value is None
                else value <= target.limit
            )
        lines.append(
            f"| {events:,} | {d['input']['cases']:,} | {_s(t.get('median_wall_s'))} | "
            f"{_mib(t.get('median_max_rss_mib'))} | {_runs_text(t)} | {_load(t)} | {goal} | "
            f"{_met(met)} |"
        )
    names = [f"report-{size_label(e)}" for e in REPORT_GOALS]
    sizes = [results[n] for n in names if n in results]
    if sizes:
        last = sizes[-1]
        lines += [
            "",
            f"Output at {last['events']:,} events: {last.get('report_bytes') or 0:,} bytes "
            f"of HTML; feedback: {last['input']['feedback']}.",
        ]
    return [*lines, ""]


def engines_section(results: Results) -> list[str]:
    """Section 9: every analysis on Spark local mode and on DuckDB, same inputs."""
    docs = sorted(
        (d for name, d in results.items() if name.startswith("engines-")),
        key=lambda d: d.get("events", 0),
    )
    lines = ["## 9. Every analysis on Spark local mode against DuckDB", ""]
    if not docs:
        return [
            *lines,
            "Not measured yet: `benchmarks/bench_engines.py` (`BENCH_ONLY=engines "
            "bash benchmarks/run.sh`) times every analysis on both engines at 10M events.",
            "",
        ]
    lines += [
        "`benchmarks/bench_engines.py`: each analysis command as a whole process with "
        "`--engine duckdb` and with `--engine spark` (local mode on this machine), "
        "alternately, on the eCampus example workspace. `analyze`, `agreements`, `value`, "
        "`leakage` and `report` read the generated events of section 2 (`--events "
        "DATASET`); `experience` reads survey answers imported into the workspace (the "
        "command has no `--events`), synthesised from the generated events at the answer "
        "rates of the demo simulator; `improvements` reads the workspace's store (the "
        "events imported beside the answers: with `--events` the register's effects "
        "measured on answers cannot be tested). The peak is the SUM of the resident "
        "memory of the process tree (the Python driver and Spark's JVM), sampled every "
        "50 ms, for both engines. The outputs of the two engines are compared, so that "
        "both times are of the same computation. Target (issue 12): Spark within "
        f"{SPARK_RATIO_LIMIT:g}× of DuckDB on one machine at 10M events.",
        "",
    ]
    for d in docs:
        if d.get("complete") is False:
            lines += [
                "> **A partial run:** it was stopped before every analysis was measured; the "
                "missing ones are not measured yet.",
                "",
            ]
        lines += _engines_table(d) + _fixed_cost(d)
    lines += [
        "How to read the ratio: both are whole processes. DuckDB runs inside the Python "
        "process; Spark local mode first starts a JVM and a session (a fixed cost of "
        "seconds whatever the size, see section 8 for its memory), hands the events to "
        "Spark (a Parquet folder read by the JVM) and runs every query as Spark jobs on "
        "2 local threads, while the analyses' small results come back to Python. At small "
        "sizes the fixed cost dominates the ratio; at 10M events the rest is the "
        "engines' own work on the same plans.",
        "",
    ]
    return lines


def _engines_table(d: dict[str, Any]) -> list[str]:
    inp = d.get("input", {})
    answers = sum(inp.get("answers", {}).values())
    at_target = f"engines-{d.get('size')}" == ENGINES_TARGET  # the target is at 10M only
    lines = [
        f"### {d['events']:,} events, {inp.get('cases', 0):,} journeys, {answers:,} answers",
        "",
        f"Spark: {d.get('spark', {}).get('mode', 'local')}; settings: "
        f"{d.get('spark', {}).get('spark_config', 'defaults')}. Runs stopped after "
        f"{d.get('timeout_s', 0):,.0f} s."
        + ("" if at_target else " The target is at 10M events: not judged at this size."),
        "",
        "| analysis | DuckDB wall | DuckDB peak | Spark wall | Spark peak | Spark / DuckDB "
        f"time | memory | within {SPARK_RATIO_LIMIT:g}× | same results |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    runs_lines = []
    for analysis in ENGINE_ANALYSES:
        a = d.get("analyses", {}).get(analysis)
        if a is None:
            continue
        duck, spark = a.get("duckdb", {}), a.get("spark", {})
        ratio, (met, why) = _spark_ratio(a)
        lines.append(
            f"| `{analysis}` | {_s(duck.get('median_wall_s'))} | "
            f"{_mib(duck.get('median_max_rss_mib'))} | {_s(spark.get('median_wall_s'))} | "
            f"{_mib(spark.get('median_max_rss_mib'))} | "
            f"{_ratio(ratio) if ratio is not None else why} | "
            f"{_ratio(a.get('ratio_memory_spark_over_duckdb'))} | {_met(met) if at_target else '–'} | "
            f"{_same(a.get('agreement', {}))} |"
        )
        runs_lines.append(
            f"- `{analysis}`: DuckDB runs {_runs_text(duck)}, CPU {_s(duck.get('median_cpu_s'))}"
            f", load before {_load(duck)}; Spark runs {_runs_text(spark)}, CPU "
            f"{_s(spark.get('median_cpu_s'))}, load before {_load(spark)}"
        )
    compared = next(
        (
            a["agreement"]["compared"]
            for a in d.get("analyses", {}).values()
            if a.get("agreement", {}).get("compared")
        ),
        None,
    )
    lines += [
        "",
        "Each run's wall times, the median CPU time of the process tree (user + system, "
        "a lower bound: sampled every 50 ms) and the load before:",
        "",
        *runs_lines,
        "",
    ]
    if compared:
        lines += [f'"Same results" compares {compared}.', ""]
    return lines


def _fixed_cost(d: dict[str, Any]) -> list[str]:
    """What each engine costs before the work: `analyze` of a tiny log."""
    f = d.get("fixed_cost")
    if not f:
        return []
    shown = {
        e: f"{_s(f[e]['wall_s'])} and {_mib(f[e]['max_rss_mib'])}"
        if f[e]["exit"] == 0 and not f[e]["timed_out"]
        else "did not complete"
        for e in ("duckdb", "spark")
    }
    return [
        f"Fixed cost: `analyze` of {f['events']:,} events (almost only start-up) took "
        f"{shown['duckdb']} on DuckDB, {shown['spark']} on Spark (one run each, load "
        f"before {f['duckdb']['loadavg_before'][0]:.2f} and "
        f"{f['spark']['loadavg_before'][0]:.2f}): every Spark run above carries about "
        "that much start-up.",
        "",
    ]


def _same(agreement: dict[str, Any]) -> str:
    if not agreement.get("checked"):
        return f"not compared ({agreement.get('why', 'no outputs')})"
    if agreement.get("same_results"):
        return "yes"
    problems = agreement.get("problems", [])
    return (
        "**no**: " + "; ".join(f"`{p}`" for p in problems[:3]) + (" …" if len(problems) > 3 else "")
    )
