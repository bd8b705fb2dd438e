"""SLOT (issue 4): the journey report for 1M events builds in at most 30 s.

Usage::

    .venv/bin/python benchmarks/bench_report.py --events 1000000 --runs 3

Times, as a whole process, ``cojourney report WORKSPACE --events DATASET -o
report.html`` on the eCampus example workspace with 1M generated eCampus events
(``generate_log.py --flavour ecampus``, a Parquet dataset). While the ``report``
command is not registered in the CLI, the same work is timed through the library
(``cojourney.services.report.build_report(WORKSPACE, OUT, source=DATASET)`` in a
fresh Python process) and the result says so; when neither exists the result file
records the slot as pending. Writes ``results/report-<size>.json``.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

from _harness import (
    COJOURNEY,
    DATA,
    REPO,
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

TARGET_SECONDS = 30.0
TARGET_EVENTS = 1_000_000
_LIBRARY_CALL = (
    "import sys; from cojourney.services.report import build_report; "
    "build_report(sys.argv[1], sys.argv[2], source=sys.argv[3])"
)


def how_to_run(ws: Path, dataset: Path, out: Path) -> tuple[str, list[str | Path]] | None:
    """The report command (CLI if registered, else the library), or ``None``."""
    helped = subprocess.run([str(COJOURNEY), "report", "--help"], capture_output=True, text=True)
    if helped.returncode == 0:
        events_flag = "--events" if "--events" in helped.stdout else None
        if events_flag:
            return "cli", [COJOURNEY, "report", ws, events_flag, dataset, "-o", out]
        log.warning("`cojourney report` has no --events option; timing the library instead")
    python = REPO / ".venv" / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import cojourney.services.report as r; r.build_report"],
        capture_output=True,
    )
    if probe.returncode == 0:
        return "library", [python, "-c", _LIBRARY_CALL, ws, out, dataset]
    return None


def bench(events: int, runs: int, seed: int) -> dict[str, Any]:
    """Time the report build; a pending result when there is nothing to time."""
    label = size_label(events)
    result: dict[str, Any] = {"events": events, "size": label, "versions": versions()}
    dataset = DATA / f"ecampus-{label}"
    meta = generate(dataset, events=events, flavour="ecampus", seed=seed)
    ws = workspace(DATA / "report-workspace")
    out = DATA / "out" / f"report-{label}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    chosen = how_to_run(ws, dataset, out)
    result["input"] = {
        **{k: meta[k] for k in ("events", "cases", "activities", "seed")},
        "path": relative(dataset),
        "feedback": "none (events only)",
        "workspace": "cojourney init WORKSPACE --example ecampus-car-share",
    }
    if chosen is None:
        result["status"] = "pending: neither `cojourney report` nor services.report exists yet"
        result["targets"] = [
            {
                "target": "report for 1M events <= 30 s",
                "limit": TARGET_SECONDS,
                "unit": "s",
                "value": None,
                "met": None,
            }
        ]
        return result
    how, cmd = chosen
    result["status"] = (
        "measured with `cojourney report`"
        if how == "cli"
        else "measured through the library (build_report in a fresh Python "
        "process): `cojourney report` is not registered yet"
    )
    result["commands"] = {
        "cojourney": " ".join(
            relative(c) if isinstance(c, Path) else repr(c) if " " in c else c for c in cmd
        )
    }
    result["cojourney"] = summary(
        [measure(cmd, label=f"report {label} run {n + 1}/{runs}") for n in range(runs)]
    )
    value = result["cojourney"].get("median_wall_s")
    result["report_bytes"] = out.stat().st_size if out.is_file() else None
    result["targets"] = (
        [
            {
                "target": "report for 1M events <= 30 s (whole process)",
                "limit": TARGET_SECONDS,
                "unit": "s",
                "value": value,
                "met": value is not None and value <= TARGET_SECONDS,
            }
        ]
        if events == TARGET_EVENTS
        else []
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=TARGET_EVENTS, help="Events in the report.")
    parser.add_argument("--runs", type=int, default=3, help="Runs (the median is kept).")
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    args = parser.parse_args(argv)
    setup_logging()
    write_result(f"report-{size_label(args.events)}", bench(args.events, args.runs, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
