"""Time the full journey analysis of a simulated log read from Parquet (not a test).

Usage::

    python tests/analytics/benchmark_journeys.py 1000000 [10000000 ...] [--engine spark]

For each size, a log of the template journey is simulated once (cached in the
temporary folder as ``cojourney-template-<size>.parquet``) and analysed through
:func:`cojourney.services.analysis.analyze_workspace` with ``source=`` the Parquet
file, as ``cojourney analyze WORKSPACE --events FILE`` does. Prints wall time, CPU
time and the time of each stage.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--engine", default="duckdb")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("cojourney.analytics.report").setLevel(logging.INFO)

    import pyarrow.parquet as pq
    from synthetic import template_log

    from cojourney.services.analysis import analyze_workspace
    from cojourney.services.workspaces import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        init_workspace(tmp)
        for size in args.sizes:
            path = Path(tempfile.gettempdir()) / f"cojourney-template-{size}.parquet"
            if not path.exists():
                pq.write_table(template_log(size), path, row_group_size=1_000_000)
            wall, cpu = time.perf_counter(), time.process_time()
            result = analyze_workspace(
                tmp, source=path, engine=args.engine, breakdown_by=("segment", "channel", "month")
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{size:>11,} requested: {result.counts.events:,} events, "
                f"{result.counts.journeys:,} journeys on {result.engine}: "
                f"{wall:.2f}s wall, {cpu:.2f}s CPU, peak RSS {peak:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
