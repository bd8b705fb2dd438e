"""Memory per million events: ``cojourney analyze FILE`` on DuckDB and on Spark local mode.

Each run is a whole process tree (``cojourney`` and, for Spark, the JVM it starts);
its resident memory is the SUM over the tree, sampled from ``/proc`` every 50 ms (the
``%M`` of ``/usr/bin/time`` is the largest single process, which misses the JVM
beside the Python driver). Two log sizes give a fixed part (start-up, engine) and a
marginal part per million events:

    peak(N) ~= fixed + per_million * N / 1e6

Usage::

    .venv/bin/python benchmarks/bench_memory.py --events 200000 1000000
    .venv/bin/python benchmarks/bench_memory.py --events 200000 1000000 --engines duckdb

Spark local mode runs with ``local[2]`` and the JVM's default heap (a quarter of the
machine's memory at most); its peak is mostly what the JVM chose to keep, which is
why docs/scale.md speaks of a floor rather than a slope for Spark.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    COJOURNEY,
    DATA,
    loadavg,
    setup_logging,
    size_label,
    tree_rss,
    versions,
    write_result,
)
from generate_log import generate

log = logging.getLogger("bench.memory")


def peak_of(cmd: list[str], timeout: float) -> dict[str, Any]:
    """Run ``cmd``; its wall time, exit code and the peak resident memory of its tree."""
    load = loadavg()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        if time.perf_counter() - started > timeout:
            os.killpg(proc.pid, 9)
            break
        time.sleep(0.05)
    stderr = proc.communicate()[1].decode(errors="replace")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(peak / 2**20, 1),
        "exit_code": proc.returncode,
        "loadavg_before": load,
        **({"stderr_tail": stderr[-2000:]} if proc.returncode else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    setup_logging()
    runs: list[dict[str, Any]] = []
    for events in sorted(args.events):
        path = DATA / f"generic-{size_label(events)}.parquet"
        generate(path, events=events)
        for engine in args.engines:
            cmd = [str(COJOURNEY), "analyze", str(path), "--engine", engine, "--json", os.devnull]
            result = {"engine": engine, "events": events, **peak_of(cmd, args.timeout)}
            log.info("%s", json.dumps(result))
            runs.append(result)
    slopes = {}
    for engine in args.engines:
        ok = sorted(
            (r["events"], r["peak_rss_mib"])
            for r in runs
            if r["engine"] == engine and r["exit_code"] == 0
        )
        if len(ok) >= 2:
            (n0, m0), (n1, m1) = ok[0], ok[-1]
            per_million = (m1 - m0) / ((n1 - n0) / 1e6)
            slopes[engine] = {
                "per_million_mib": round(per_million, 1),
                "fixed_mib": round(m0 - per_million * n0 / 1e6, 1),
            }
    document = {"runs": runs, "model": slopes, "versions": versions()}
    print(json.dumps(document, indent=1))
    write_result("memory", document)


if __name__ == "__main__":
    main()
