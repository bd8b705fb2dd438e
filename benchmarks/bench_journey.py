"""The full journey analysis of a workspace on a Parquet dataset: ``cojourney analyze WORKSPACE``.

Usage::

    .venv/bin/python benchmarks/bench_journey.py --events 10000000 --runs 3

Generates eCampus member journeys (``generate_log.py --flavour ecampus``: the
activities are the eCampus touchpoint ids, the personas the segments) as a folder
of Parquet files, creates the eCampus example workspace (``cojourney init
--example ecampus-car-share``) and times, as a whole process,
``cojourney analyze WORKSPACE --events DATASET --json OUT``: the actual-journey
graph, variants, entry and exit, rework, the funnel, gates, conformance and the
breakdowns by segment, channel and month. Target (issue 12): 10M events in at
most 6 s on the 2-core machine. Writes ``results/journey-<size>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
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
from generate_log import generate

log = logging.getLogger("bench.journey")

TARGET_SECONDS = 6.0
TARGET_EVENTS = 10_000_000


def workspace(folder: Path) -> Path:
    """A fresh copy of the eCampus example workspace."""
    if folder.exists():
        shutil.rmtree(folder)
    subprocess.run(
        [str(COJOURNEY), "init", str(folder), "--example", "ecampus-car-share"],
        check=True,
        capture_output=True,
    )
    return folder


def bench(events: int, runs: int, seed: int) -> dict[str, Any]:
    """Generate (once), create the workspace, time the analysis; the result document."""
    label = size_label(events)
    dataset = DATA / f"ecampus-{label}"
    meta = generate(dataset, events=events, flavour="ecampus", seed=seed)
    ws = workspace(DATA / "ecampus-workspace")
    out = DATA / "out" / f"journey-{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [COJOURNEY, "analyze", ws, "--events", dataset, "--json", out]
    result_runs = [
        measure(cmd, label=f"cojourney analyze WORKSPACE {label} run {n + 1}/{runs}")
        for n in range(runs)
    ]
    cj = summary(result_runs)
    result: dict[str, Any] = {
        "events": events,
        "size": label,
        "input": {
            **{k: meta[k] for k in ("events", "cases", "activities", "seed", "bytes")},
            "path": relative(dataset),
            "format": f"Parquet dataset: a folder of {len(list(dataset.glob('*.parquet')))}"
            " files, canonical columns",
            "generator": "benchmarks/generate_log.py --flavour ecampus",
            "workspace": "cojourney init WORKSPACE --example ecampus-car-share",
        },
        "versions": versions(),
        "commands": {"cojourney": " ".join(relative(c) if isinstance(c, Path) else c for c in cmd)},
        "cojourney": cj,
        "analyses": _analyses(out),
    }
    if events == TARGET_EVENTS:
        value = cj.get("median_wall_s")
        result["targets"] = [
            {
                "target": "full journey analysis of 10M events from Parquet "
                f"<= {TARGET_SECONDS:g} s (whole process)",
                "limit": TARGET_SECONDS,
                "unit": "s",
                "value": value,
                "met": value is not None and value <= TARGET_SECONDS,
            }
        ]
    else:
        result["targets"] = []
    return result


def _analyses(out: Path) -> dict[str, Any]:
    """What the analysis returned (its top-level sections and the journeys counted)."""
    if not out.is_file():
        return {}
    doc = json.loads(out.read_text())
    return {
        "sections": sorted(k for k in doc if k not in ("workspace", "computed_with")),
        "computed_with": doc.get("computed_with"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=TARGET_EVENTS, help="Events to analyse.")
    parser.add_argument("--runs", type=int, default=3, help="Runs (the median is kept).")
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    args = parser.parse_args(argv)
    setup_logging()
    write_result(f"journey-{size_label(args.events)}", bench(args.events, args.runs, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
