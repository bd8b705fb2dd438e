"""The journey report at 1M, 10M and 100M events: ``cojourney report WORKSPACE --events``.

Usage::

    .venv/bin/python benchmarks/bench_report.py --events 1000000 --runs 3
    .venv/bin/python benchmarks/bench_report.py --events 1000000 10000000 100000000 \\
        --runs 1 --timeout 3600

Times, as a whole process, ``cojourney report WORKSPACE --events DATASET -o
report.html`` on the eCampus example workspace with generated eCampus events
(``generate_log.py --flavour ecampus``, a folder of Parquet files; events only, no
answers), once per size given. The events are generated in chunks of
``--chunk-events`` (default 5M), one Parquet file per chunk, so the generator's memory
is bounded by the chunk, not the log: 100M events never sit in memory at once. Peak
memory is GNU ``/usr/bin/time``'s ``%M`` (the report runs on DuckDB in one process).
Targets (issue 12): 1M events in at most 2 s, 10M in at most 20 s, 100M completes
with a peak of at most 24 GiB. A run past ``--timeout`` seconds is stopped and
counted as failed. Writes ``results/report-<size>.json`` per size.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from _harness import (
    COJOURNEY,
    DATA,
    measure,
    relative,
    setup_logging,
    size_label,
    summary,
    versions,
    write_result,
)
from bench_journey import workspace
from generate_log import generate

log = logging.getLogger("bench.report")

#: The targets of issue 12 by size: seconds, and peak memory in MiB.
TIME_TARGETS = {1_000_000: 2.0, 10_000_000: 20.0}
MEMORY_TARGETS_MIB = {100_000_000: 24 * 1024}
DEFAULT_SIZES = [1_000_000]


def targets(events: int, measured: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue-12 targets at this size (none at other sizes), met or not."""
    label = size_label(events)
    out: list[dict[str, Any]] = []
    if events in TIME_TARGETS:
        limit = TIME_TARGETS[events]
        value = measured.get("median_wall_s")
        out.append(
            {
                "target": f"report for {label} events <= {limit:g} s (whole process)",
                "limit": limit,
                "unit": "s",
                "value": value,
                "met": value is not None and value <= limit,
            }
        )
    if events in MEMORY_TARGETS_MIB:
        limit = MEMORY_TARGETS_MIB[events]
        value = measured.get("median_max_rss_mib")
        out.append(
            {
                "target": f"report for {label} events completes within "
                f"{limit / 1024:g} GiB (peak RSS)",
                "limit": limit,
                "unit": "MiB",
                "value": value,
                "met": measured.get("successful_runs", 0) > 0
                and value is not None
                and value <= limit,
            }
        )
    return out


def bench(events: int, runs: int, seed: int, timeout: float, chunk_events: int) -> dict[str, Any]:
    """Generate (once per size), create the workspace, time the report."""
    label = size_label(events)
    dataset = DATA / f"ecampus-{label}"
    meta = generate(dataset, events=events, flavour="ecampus", seed=seed, chunk_events=chunk_events)
    ws = workspace(DATA / "report-workspace")
    out = DATA / "out" / f"report-{label}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    cmd: list[str | Path] = [COJOURNEY, "report", ws, "--events", dataset, "-o", out]
    measured = summary(
        [
            measure(cmd, timeout=timeout, label=f"report {label} run {n + 1}/{runs}")
            for n in range(runs)
        ]
    )
    return {
        "events": events,
        "size": label,
        "status": "measured with `cojourney report`",
        "input": {
            **{k: meta[k] for k in ("events", "cases", "activities", "seed", "bytes")},
            "path": relative(dataset),
            "generator": "benchmarks/generate_log.py --flavour ecampus "
            f"(chunks of {chunk_events:,} events)",
            "feedback": "none (events only)",
            "workspace": "cojourney init WORKSPACE --example ecampus-car-share",
        },
        "versions": versions(),
        "timeout_s": timeout,
        "commands": {"cojourney": " ".join(relative(c) if isinstance(c, Path) else c for c in cmd)},
        "cojourney": measured,
        "report_bytes": out.stat().st_size if out.is_file() else None,
        "targets": targets(events, measured),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        type=int,
        nargs="+",
        default=DEFAULT_SIZES,
        help="Events in the report; several sizes run one after the other.",
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs per size (median kept).")
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    parser.add_argument(
        "--timeout", type=float, default=3600, help="Seconds before a run is stopped."
    )
    parser.add_argument(
        "--chunk-events",
        type=int,
        default=5_000_000,
        help="Events generated per chunk (bounds the generator's memory).",
    )
    args = parser.parse_args(argv)
    setup_logging()
    for events in args.events:
        result = bench(events, args.runs, args.seed, args.timeout, args.chunk_events)
        write_result(f"report-{size_label(events)}", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
