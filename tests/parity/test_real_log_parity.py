"""The journey analyses of real logs (``../shared/data/logs``) agree on DuckDB and Spark.

The PM4Py reference tests (``tests/analytics/test_reference_logs.py``) check each engine
against PM4Py; this one compares the two engines' whole summaries with each other,
field by field (the tolerances of :mod:`test_engine_parity`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from test_engine_parity import assert_same

from cojourney.analytics.discovery import summarize
from cojourney.events.readers import read_events

#: ``$COJOURNEY_SHARED_DATA/logs``, else ``../shared/data/logs`` beside the checkout.
LOGS = (
    Path(
        os.environ.get("COJOURNEY_SHARED_DATA")
        or Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
    / "logs"
)

pytestmark = [
    pytest.mark.spark,
    pytest.mark.xdist_group("spark"),
    pytest.mark.shared_data,
    pytest.mark.skipif(not LOGS.is_dir(), reason=f"the team's shared data is absent ({LOGS})"),
]

#: Small real logs, one CSV and two XES (kept small: the machine has 2 cores).
REAL_LOGS = ["running-example.csv", "03_repairExample.xes.gz", "roadtraffic100traces.csv"]


@pytest.mark.parametrize("log", REAL_LOGS)
def test_a_real_log_gives_the_same_summary_on_both_engines(log: str, parity_spark: Any) -> None:
    from cojourney.analytics.engines.duckdb import DuckDBEngine
    from cojourney.analytics.engines.spark import SparkEngine

    events = pa.Table.from_batches(list(read_events(LOGS / log)))
    with DuckDBEngine() as duck:
        on_duckdb = summarize(events, engine=duck).to_reference_dict()
    with SparkEngine(session=parity_spark) as spark:
        on_spark = summarize(events, engine=spark).to_reference_dict()
    assert on_duckdb["events"] > 0
    assert_same(on_duckdb, on_spark)
