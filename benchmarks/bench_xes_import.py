"""XES import: ``cojourney import`` of a real XES log against PM4Py's ``pm4py.read_xes``.

Usage::

    .venv/bin/python benchmarks/bench_xes_import.py --runs 3 [--log bpic2012.xes.gz]

The log is read from the team's shared data folder (``../shared/data/logs`` next to
the repository, or ``$COJOURNEY_SHARED_DATA/logs``), never copied into the
repository. cojourney's side is what a user runs: ``cojourney import WORKSPACE
FILE`` into a freshly created workspace (``cojourney init``, not timed), i.e.
parsing the XES file, mapping it to the canonical schema and committing it to
the workspace's DuckDB event store. PM4Py's side is its default ``pm4py.read_xes``
to a pandas DataFrame. Both are whole processes. Targets (issue 12): at most 1/10
of PM4Py's time and 1/3 of its peak memory. Writes ``results/xes-import-<log>.json``.
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
    BENCH,
    COJOURNEY,
    DATA,
    PM4PY_PYTHON,
    SHARED_DATA,
    measure,
    relative,
    setup_logging,
    summary,
    versions,
    write_result,
)

log = logging.getLogger("bench.xes")

TIME_RATIO_TARGET, MEMORY_RATIO_TARGET = 1 / 10, 1 / 3


def fresh_workspace(folder: Path) -> Path:
    """A blank workspace (the DSV template) with an empty event store."""
    if folder.exists():
        shutil.rmtree(folder)
    subprocess.run([str(COJOURNEY), "init", str(folder)], check=True, capture_output=True)
    return folder


def stored_events(workspace: Path) -> dict[str, int]:
    """Events and journeys in the workspace's store after the import."""
    import duckdb

    con = duckdb.connect(str(workspace / "data" / "events.duckdb"), read_only=True)
    try:
        events, journeys = con.execute(
            "SELECT count(*), count(DISTINCT journey_id) FROM events"
        ).fetchone()
    finally:
        con.close()
    return {"events": int(events), "cases": int(journeys)}


def bench(log_path: Path, runs: int) -> dict[str, Any]:
    """Time both tools ``runs`` times each, alternating; the result document."""
    ws = DATA / "xes-workspace"
    pm_out = DATA / "out" / f"pm4py-read-{log_path.name}.json"
    pm_out.parent.mkdir(parents=True, exist_ok=True)
    cj_cmd = [COJOURNEY, "import", ws, log_path]
    pm_cmd = [PM4PY_PYTHON, BENCH / "peers" / "pm4py_read_xes.py", log_path, pm_out]
    cj_runs, pm_runs = [], []
    counts: dict[str, Any] = {}
    for n in range(runs):
        fresh_workspace(ws)
        cj_runs.append(measure(cj_cmd, label=f"cojourney import run {n + 1}/{runs}"))
        if cj_runs[-1]["exit"] == 0:
            counts["cojourney"] = stored_events(ws)
        if PM4PY_PYTHON.is_file():
            pm_runs.append(measure(pm_cmd, label=f"pm4py read_xes run {n + 1}/{runs}"))
            if pm_runs[-1]["exit"] == 0:
                doc = json.loads(pm_out.read_text())
                counts["pm4py"] = {"events": doc["events"], "cases": doc["cases"]}
    cj, pm = summary(cj_runs), summary(pm_runs)
    both = "median_wall_s" in cj and "median_wall_s" in pm
    ratios = {
        "time_cojourney_over_pm4py": round(cj["median_wall_s"] / pm["median_wall_s"], 4)
        if both
        else None,
        "memory_cojourney_over_pm4py": round(cj["median_max_rss_mib"] / pm["median_max_rss_mib"], 4)
        if both
        else None,
    }
    return {
        "log": log_path.name,
        "input": {"path": relative(log_path), "bytes": log_path.stat().st_size},
        "versions": versions(pm4py=PM4PY_PYTHON.is_file()),
        "commands": {"cojourney": _shown(cj_cmd), "pm4py": _shown(pm_cmd)},
        "note": "cojourney imports into a fresh `cojourney init` workspace, created before "
        "each run and not timed",
        "cojourney": cj,
        "pm4py": pm,
        "counts": counts,
        "same_counts": counts.get("cojourney") == counts.get("pm4py"),
        "ratios": ratios,
        "targets": [
            {
                "target": f"cojourney import <= {what} of PM4Py read_xes",
                "limit": round(limit, 4),
                "unit": "ratio",
                "value": ratios[key],
                "met": ratios[key] is not None and ratios[key] <= limit,
            }
            for key, limit, what in (
                ("time_cojourney_over_pm4py", TIME_RATIO_TARGET, "1/10 the time"),
                ("memory_cojourney_over_pm4py", MEMORY_RATIO_TARGET, "1/3 the peak memory"),
            )
        ],
    }


def _shown(cmd: list[Any]) -> str:
    return " ".join(relative(c) if isinstance(c, Path) else c for c in cmd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--log", default="bpic2012.xes.gz", help="File name under the shared data folder's logs/."
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs per tool (the median is kept).")
    args = parser.parse_args(argv)
    setup_logging()
    path = SHARED_DATA / "logs" / args.log
    if not path.is_file():
        log.warning("%s not found (set COJOURNEY_SHARED_DATA); XES benchmark skipped", path)
        return 0
    stem = args.log.removesuffix(".gz").removesuffix(".xes")
    write_result(f"xes-import-{stem}", bench(path, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
