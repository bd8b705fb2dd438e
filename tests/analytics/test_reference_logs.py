"""Real CSV and XES logs of ``../shared/data/logs`` against PM4Py's results, on every engine.

Every log runs on DuckDB; Spark takes the CSV logs and a selection of the XES logs
(the small ones and one large one, BPIC 2012), to keep the suite's run time sane.

PM4Py reads CSV files with pandas, which takes the texts ``NA``, ``NULL``, ``nan``,
... as missing and then drops events without a case id. In ``sepsis_full.csv`` that
removes the real case ``NA`` (24 events). cojourney keeps it by default; the
comparison reproduces PM4Py's reading with ``null_values=PANDAS_NULL_VALUES`` and
``skip_incomplete=True``, and a separate test pins the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
import pytest
from reference import (
    LOGS_DIR,
    SHARED_DATA_MISSING,
    assert_matches_reference,
    load_reference,
)

from cojourney.analytics.discovery import summarize
from cojourney.analytics.engines import Engine
from cojourney.events.readers import PANDAS_NULL_VALUES, ReadOptions, read_events
from cojourney.events.schema import ColumnMapping

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not LOGS_DIR.is_dir(), reason=SHARED_DATA_MISSING),
]

PANDAS_LIKE = ReadOptions(null_values=PANDAS_NULL_VALUES, skip_incomplete=True)


@dataclass(frozen=True)
class CsvLog:
    file: str
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    options: ReadOptions = PANDAS_LIKE

    @property
    def reference(self) -> str:
        return self.file.removesuffix(".csv")


CSV_LOGS = [
    CsvLog("running-example.csv"),
    CsvLog("receipt.csv"),
    CsvLog("roadtraffic100traces.csv"),
    CsvLog(
        "BPIC14_incident_log.csv",
        ColumnMapping(
            journey_id="incident_id",
            activity="incident_activity_type",
            timestamp="data_stamp",
            timestamp_format="%Y-%m-%d %H:%M:%S",
        ),
    ),
    CsvLog(
        "sepsis_full.csv",
        ColumnMapping(
            journey_id="Case ID",
            activity="Activity",
            timestamp="Complete Timestamp",
            timestamp_format="%Y/%m/%d %H:%M:%S.%f",
        ),
        ReadOptions(delimiter=";", null_values=PANDAS_NULL_VALUES, skip_incomplete=True),
    ),
]


@cache
def canonical(log: CsvLog) -> pa.Table:
    """Each log is read once per test session and handed to every engine."""
    return pa.Table.from_batches(
        list(read_events(LOGS_DIR / log.file, log.mapping, options=log.options))
    )


@pytest.mark.parametrize("log", CSV_LOGS, ids=lambda log: log.reference)
def test_csv_log_matches_pm4py(engine: Engine, log: CsvLog) -> None:
    summary = summarize(canonical(log), engine=engine)
    assert_matches_reference(summary.to_reference_dict(), load_reference(log.reference))


def test_a_file_path_gives_the_same_result(engine: Engine) -> None:
    log = CSV_LOGS[1]
    summary = summarize(
        LOGS_DIR / log.file, engine=engine, mapping=log.mapping, options=log.options
    )
    assert_matches_reference(summary.to_reference_dict(), load_reference(log.reference))


def test_sepsis_case_named_na_is_kept_by_default() -> None:
    log = CSV_LOGS[-1]
    table = pa.Table.from_batches(
        list(read_events(LOGS_DIR / log.file, log.mapping, options=ReadOptions(delimiter=";")))
    )
    assert table.num_rows == 15_214
    assert table.filter(pa.compute.equal(table["journey_id"], "NA")).num_rows == 24
    assert len(table["journey_id"].unique()) == 1_050


@dataclass(frozen=True)
class XesLog:
    file: str
    on_spark: bool = False

    @property
    def reference(self) -> str:
        return self.file.removesuffix(".gz").removesuffix(".xes")


XES_LOGS = [
    XesLog("running-example.xes", on_spark=True),
    XesLog("helpdesk.xes.gz", on_spark=True),
    XesLog("07_bpic2013_incidents.xes.gz"),
    XesLog("06_bpic2013_closed.xes.gz", on_spark=True),
    XesLog("bpic2012.xes.gz", on_spark=True),
    XesLog("lending_log_high.xes.gz"),
    XesLog("02_teleclaims.xes.gz"),
    XesLog("03_repairExample.xes.gz", on_spark=True),
]
SPARK_MARKS = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
XES_CASES = [
    *(pytest.param(log, "duckdb", id=f"duckdb-{log.reference}") for log in XES_LOGS),
    *(
        pytest.param(log, "spark", id=f"spark-{log.reference}", marks=SPARK_MARKS)
        for log in XES_LOGS
        if log.on_spark
    ),
]


@cache
def canonical_xes(log: XesLog) -> pa.Table:
    """Each XES log is read once per test session (by the streaming XES reader)."""
    return pa.Table.from_batches(list(read_events(LOGS_DIR / log.file)))


@pytest.mark.parametrize(("log", "engine"), XES_CASES, indirect=["engine"])
def test_xes_log_matches_pm4py(engine: Engine, log: XesLog) -> None:
    summary = summarize(canonical_xes(log), engine=engine)
    assert_matches_reference(summary.to_reference_dict(), load_reference(log.reference))
