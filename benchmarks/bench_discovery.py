"""Discovery on one generated log: ``cojourney analyze FILE`` against PM4Py, whole processes.

Usage::

    .venv/bin/python benchmarks/bench_discovery.py --sizes 1000000 10000000 --runs 3

For each size, the generic log (``generate_log.py``, Parquet) is generated once,
then each tool runs ``--runs`` times, alternating (cojourney, PM4Py, cojourney, ...)
so both see the same machine. Both compute directly-follows with frequency and
mean performance, variants, start and end activities and case durations, from the
same Parquet file, start-up and imports included (cojourney's modules compiled to
bytecode first, as an install does: ``_harness.compile_bytecode``). Above ``--pm4py-once-above``
events PM4Py runs once, with ``--pm4py-timeout``; above ``--pm4py-max-events`` it is
not run (it would not fit in memory). The results of both are compared, so the
benchmark cannot time two different computations. Writes
``results/discovery-<size>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from pathlib import Path
from typing import Any

from _harness import (
    BENCH,
    COJOURNEY,
    DATA,
    PM4PY_PYTHON,
    compile_bytecode,
    measure,
    relative,
    setup_logging,
    size_label,
    summary,
    versions,
    write_result,
)
from generate_log import generate

log = logging.getLogger("bench.discovery")

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
#: Targets at 1M events (issue 3 point 9): cojourney's share of PM4Py's time and memory.
TIME_RATIO_TARGET, MEMORY_RATIO_TARGET = 1 / 10, 1 / 3
#: 100M events must complete within the machine's memory.
MEMORY_LIMIT_MIB = 24 * 1024


def bench_size(
    events: int,
    runs: int,
    *,
    pm4py_once_above: int,
    pm4py_max_events: int,
    pm4py_timeout: float,
    seed: int,
) -> dict[str, Any]:
    """Generate (once), run both tools, compare their answers; the result document."""
    label = size_label(events)
    log_path = DATA / f"generic-{label}.parquet"
    meta = generate(log_path, events=events, seed=seed)
    out_dir = DATA / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    cj_out, pm_out = out_dir / f"cojourney-{label}.json", out_dir / f"pm4py-{label}.json"
    cj_cmd = [COJOURNEY, "analyze", log_path, "--json", cj_out]
    pm_cmd = [
        PM4PY_PYTHON,
        BENCH / "peers" / "pm4py_discovery.py",
        log_path,
        CASE,
        ACTIVITY,
        TIMESTAMP,
        pm_out,
    ]
    bytecode = compile_bytecode()
    run_pm4py = events <= pm4py_max_events and PM4PY_PYTHON.is_file()
    pm_runs_wanted = runs if events <= pm4py_once_above else 1
    cj_runs: list[dict[str, Any]] = []
    pm_runs: list[dict[str, Any]] = []
    for n in range(runs):
        cj_runs.append(measure(cj_cmd, label=f"cojourney {label} run {n + 1}/{runs}"))
        if run_pm4py and n < pm_runs_wanted:
            pm_runs.append(
                measure(
                    pm_cmd,
                    timeout=pm4py_timeout,
                    label=f"pm4py {label} run {n + 1}/{pm_runs_wanted}",
                )
            )
    result: dict[str, Any] = {
        "events": events,
        "size": label,
        "input": {
            **{k: meta[k] for k in ("events", "cases", "activities", "seed", "bytes")},
            "generated_in_s": meta.get("seconds"),
            "path": relative(log_path),
            "format": "Parquet (snappy), one file",
            "generator": "benchmarks/generate_log.py --flavour generic",
        },
        "versions": versions(pm4py=run_pm4py),
        "bytecode": bytecode,
        "commands": {
            "cojourney": " ".join(relative(Path(c)) if isinstance(c, Path) else c for c in cj_cmd)
        },
        "cojourney": summary(cj_runs),
    }
    if run_pm4py:
        result["commands"]["pm4py"] = " ".join(
            relative(Path(c)) if isinstance(c, Path) else c for c in pm_cmd
        )
        result["pm4py"] = summary(pm_runs)
        result["pm4py"]["timeout_s"] = pm4py_timeout
        result["agreement"] = agreement(cj_out, pm_out, result["pm4py"]["successful_runs"] > 0)
    else:
        result["pm4py"] = {
            "skipped": f"not run above {pm4py_max_events:,} events (at 10M "
            "PM4Py already needs several GiB and minutes)"
        }
    result["ratios"], result["targets"] = _ratios_and_targets(result, events)
    return result


def _ratios_and_targets(
    result: dict[str, Any], events: int
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    cj, pm = result["cojourney"], result.get("pm4py", {})
    ratios: dict[str, float] = {}
    if "median_wall_s" in cj and "median_wall_s" in pm:
        ratios["time_cojourney_over_pm4py"] = round(cj["median_wall_s"] / pm["median_wall_s"], 4)
        ratios["memory_cojourney_over_pm4py"] = round(
            cj["median_max_rss_mib"] / pm["median_max_rss_mib"], 4
        )
        ratios["speedup"] = round(pm["median_wall_s"] / cj["median_wall_s"], 2)
    targets: list[dict[str, Any]] = []
    if events == 1_000_000:
        for key, limit, what in (
            ("time_cojourney_over_pm4py", TIME_RATIO_TARGET, "cojourney time <= 1/10 of PM4Py's"),
            (
                "memory_cojourney_over_pm4py",
                MEMORY_RATIO_TARGET,
                "cojourney peak memory <= 1/3 of PM4Py's",
            ),
        ):
            value = ratios.get(key)
            targets.append(
                {
                    "target": what,
                    "limit": round(limit, 4),
                    "unit": "ratio",
                    "value": value,
                    "met": value is not None and value <= limit,
                }
            )
    if events >= 100_000_000:
        rss = cj.get("median_max_rss_mib")
        targets.append(
            {
                "target": "100M events complete within the machine's 24 GiB",
                "limit": MEMORY_LIMIT_MIB,
                "unit": "MiB",
                "value": rss,
                "met": cj["successful_runs"] == len(cj["runs"])
                and rss is not None
                and rss <= MEMORY_LIMIT_MIB,
            }
        )
    return ratios, targets


def agreement(cj_path: Path, pm_path: Path, have_pm4py: bool) -> dict[str, Any]:
    """Whether both tools computed the same thing (counts exactly, means to 1e-6)."""
    if not (have_pm4py and cj_path.is_file() and pm_path.is_file()):
        return {"checked": False, "why": "no PM4Py result to compare with"}
    cj, pm = json.loads(cj_path.read_text()), json.loads(pm_path.read_text())
    problems: list[str] = []
    for key in ("cases", "events", "variant_count", "start_activities", "end_activities"):
        if cj[key] != pm[key]:
            problems.append(f"{key}: cojourney {cj[key]!r} != PM4Py {pm[key]!r}")
    cj_df = {(a, b): (n, mean) for a, b, n, mean in cj["directly_follows"]}
    pm_df = {(a, b): (n, mean) for a, b, n, mean in pm["directly_follows"]}
    if set(cj_df) != set(pm_df):
        problems.append(f"directly-follows pairs differ: {len(cj_df)} vs {len(pm_df)}")
    for pair in set(cj_df) & set(pm_df):
        (n1, m1), (n2, m2) = cj_df[pair], pm_df[pair]
        if n1 != n2 or not math.isclose(m1, m2, rel_tol=1e-6, abs_tol=1e-3):
            problems.append(f"directly-follows {pair}: {n1}, {m1} vs {n2}, {m2}")
    for key in ("mean", "median", "min", "max"):
        a, b = cj["case_duration_seconds"][key], pm["case_duration_seconds"][key]
        if not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-3):
            problems.append(f"case duration {key}: {a} vs {b}")
    cj_top = {tuple(v["activities"]): v["cases"] for v in cj["top_variants"]}
    pm_top = {tuple(v["activities"]): v["cases"] for v in pm["top_variants"]}
    if sorted(cj_top.values(), reverse=True)[:10] != sorted(pm_top.values(), reverse=True)[:10]:
        problems.append("top variant frequencies differ")
    return {
        "checked": True,
        "same_results": not problems,
        "problems": problems[:20],
        "compared": "cases, events, variant count, start and end activities, every "
        "directly-follows count and mean seconds, case duration statistics, "
        "top-10 variant frequencies",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000], help="Log sizes in events."
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs per tool (the median is kept).")
    parser.add_argument(
        "--pm4py-once-above",
        type=int,
        default=1_000_000,
        help="Above this many events PM4Py runs once.",
    )
    parser.add_argument(
        "--pm4py-max-events",
        type=int,
        default=10_000_000,
        help="Above this many events PM4Py is not run.",
    )
    parser.add_argument(
        "--pm4py-timeout", type=float, default=1800.0, help="Seconds before a PM4Py run is stopped."
    )
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    args = parser.parse_args(argv)
    setup_logging()
    for events in args.sizes:
        result = bench_size(
            events,
            args.runs,
            pm4py_once_above=args.pm4py_once_above,
            pm4py_max_events=args.pm4py_max_events,
            pm4py_timeout=args.pm4py_timeout,
            seed=args.seed,
        )
        write_result(f"discovery-{size_label(events)}", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
