"""Where cojourney's time goes: the stages of ``cojourney analyze FILE`` and ``WORKSPACE``.

Usage::

    .venv/bin/python benchmarks/profile_stages.py --events 1000000 --journey-events 10000000

Discovery: runs the steps of the array path of ``analyze FILE``
(:mod:`cojourney.analytics.discovery_arrays`) one by one in a fresh process per run
(imports, connecting DuckDB, reading the Parquet file into DuckDB with its checks,
the one sort into integer arrays, the NumPy summaries) and reports the median
seconds of each, next to a floor: the same
directly-follows, variants, start/end and durations as plain DuckDB SQL (no
Ibis), also as a whole process. Journey analysis: ``cojourney -v analyze
WORKSPACE --events DATASET`` logs the seconds of each of its stages; their medians
are kept. Diagnostics for the targets of sections 1 and 2, not targets
themselves. Writes ``results/profile-discovery-<size>.json`` and
``results/profile-journey-<size>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from _harness import (
    COJOURNEY,
    DATA,
    REPO,
    cpu_busy,
    loadavg,
    measure,
    setup_logging,
    size_label,
    versions,
    write_result,
)
from bench_journey import workspace
from generate_log import generate

log = logging.getLogger("bench.profile")
PYTHON = REPO / ".venv" / "bin" / "python"

_STAGES = r"""
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name):
    global t0
    now = time.perf_counter(); marks[name] = round(now - t0, 4); t0 = now
import cojourney.cli.main
mark("import cojourney CLI")
from cojourney.analytics import discovery_arrays as d
from cojourney.analytics.engines.duckdb_files import load_tabular
from cojourney.events.readers.connections import duckdb_connect
mark("import the array path (NumPy, DuckDB, settings)")
con = duckdb_connect(); con.execute("SET TimeZone = 'UTC'")
mark("connect DuckDB")
found = []
load_tabular(con, sys.argv[1], "events", on_distinct=found.append)
mark("read Parquet into DuckDB (a view, with checks)")
distinct = (found[0].journeys, found[0].activities) if found else None
arrays = d.sorted_event_arrays(con, "events", distinct=distinct)
mark("code the events in DuckDB, sort them in NumPy")
d.summarize_arrays(arrays)
mark("counts, variants, start/end, directly-follows, durations (NumPy)")
print(json.dumps(marks))
"""

#: The same results as plain DuckDB SQL over the Parquet file: a floor for the CLI.
_PLAIN_SQL = r"""
import json, sys, duckdb
con = duckdb.connect(); con.execute("SET TimeZone = 'UTC'")
con.execute(f'''CREATE TEMP TABLE e AS SELECT "case:concept:name" AS c, "concept:name" AS a,
  epoch_us("time:timestamp") AS t, row_number() OVER () AS s FROM read_parquet('{sys.argv[1]}')''')
con.execute('''CREATE TEMP TABLE n AS SELECT c, a, t, lead(a) OVER w AS a2, lead(t) OVER w AS t2,
  row_number() OVER w AS k FROM e WINDOW w AS (PARTITION BY c ORDER BY t, s)''')
df = con.execute('''SELECT a, a2, count(*), avg((t2 - t) / 1e6) FROM n WHERE a2 IS NOT NULL
  GROUP BY ALL''').fetchall()
con.execute('''CREATE TEMP TABLE tr AS SELECT c, list(a ORDER BY k) AS v, min(t) AS t0, max(t) AS t1
  FROM n GROUP BY c''')
variants = con.execute("SELECT v, count(*) AS n FROM tr GROUP BY v ORDER BY n DESC").fetchall()
ends = con.execute("SELECT v[1], v[-1], count(*) FROM tr GROUP BY ALL").fetchall()
dur = con.execute('''SELECT avg((t1 - t0) / 1e6), median((t1 - t0) / 1e6), min(t1 - t0),
  max(t1 - t0) FROM tr''').fetchall()
print(json.dumps({"pairs": len(df), "variants": len(variants)}))
"""


def stages(path: Path, runs: int, loads: list[float], busy: list[float]) -> dict[str, float]:
    """Median seconds per stage over ``runs`` fresh processes (and the load before each)."""
    samples: dict[str, list[float]] = {}
    for n in range(runs):
        log.info("stages run %d/%d", n + 1, runs)
        busy.append(cpu_busy())
        loads.append(loadavg()[0])
        out = subprocess.run(
            [str(PYTHON), "-c", _STAGES, str(path)], capture_output=True, text=True, check=True
        ).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            samples.setdefault(name, []).append(seconds)
    return {name: round(statistics.median(v), 3) for name, v in samples.items()}


_TIMINGS = re.compile(r"analysed \S+ on \w+: (.*)$", re.MULTILINE)


def journey_stages(events: int, runs: int, seed: int) -> dict[str, Any]:
    """Median seconds of each stage of the workspace analysis (from its -v log)."""
    label = size_label(events)
    dataset = DATA / f"ecampus-{label}"
    generate(dataset, events=events, flavour="ecampus", seed=seed)
    ws = workspace(DATA / "profile-workspace")
    samples: dict[str, list[float]] = {}
    walls = []
    for n in range(runs):
        log.info("journey stages run %d/%d", n + 1, runs)
        cmd = [
            str(COJOURNEY),
            "-v",
            "analyze",
            str(ws),
            "--events",
            str(dataset),
            "--json",
            str(DATA / "out" / "profile-journey.json"),
        ]
        run = measure(cmd, label=f"journey stages run {n + 1}/{runs}", keep_stderr=True)
        walls.append(run)
        found = _TIMINGS.search(run.pop("stderr", ""))
        for part in found.group(1).split(", ") if found else []:
            name, seconds = part.rsplit(" ", 1)
            samples.setdefault(name, []).append(float(seconds.rstrip("s")))
    return {
        "events": events,
        "size": label,
        "versions": versions(),
        "runs": walls,
        "stages_median_s": {k: round(statistics.median(v), 3) for k, v in samples.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="Discovery log size.")
    parser.add_argument(
        "--journey-events",
        type=int,
        default=10_000_000,
        help="Workspace-analysis log size (0: skip).",
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs (medians are kept).")
    parser.add_argument("--seed", type=int, default=20251201, help="Generator seed.")
    args = parser.parse_args(argv)
    setup_logging()
    label = size_label(args.events)
    path = DATA / f"generic-{label}.parquet"
    generate(path, events=args.events, seed=args.seed)
    plain = [
        measure([PYTHON, "-c", _PLAIN_SQL, path], label=f"plain DuckDB SQL run {n + 1}")
        for n in range(args.runs)
    ]
    ok = [r for r in plain if r["exit"] == 0]
    loads: list[float] = []
    busy: list[float] = []
    result: dict[str, Any] = {
        "events": args.events,
        "size": label,
        "versions": versions(),
        "stages_median_s": stages(path, args.runs, loads, busy),
        "stages_loadavg_before": loads,
        "stages_cpu_busy_before": busy,
        "plain_duckdb_sql": {
            "what": "directly-follows with mean seconds, all variants, start/end, case "
            "durations; `python -c` with `import duckdb` only, whole process",
            "runs": plain,
            "median_wall_s": round(statistics.median(r["wall_s"] for r in ok), 3) if ok else None,
            "median_max_rss_mib": round(statistics.median(r["max_rss_mib"] for r in ok), 1)
            if ok
            else None,
        },
    }
    write_result(f"profile-discovery-{label}", result)
    if args.journey_events:
        journey = journey_stages(args.journey_events, args.runs, args.seed)
        write_result(f"profile-journey-{journey['size']}", journey)
    return 0


if __name__ == "__main__":
    sys.exit(main())
