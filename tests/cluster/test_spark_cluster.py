"""Analyses on a REAL Spark cluster started on this machine, compared with DuckDB.

A standalone master and worker (separate JVMs) run ``cojourney analyze WORKSPACE
--engine spark --spark-master spark://...`` (a separate driver process); a Spark
Connect server runs ``analyze`` and ``report`` through ``--spark-remote sc://...``.
Each result must equal DuckDB's. Marked ``cluster``: skipped, with the reason, where
Java or pyspark is absent. The JVMs are stopped even when a test fails.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analytics"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

from float_noise import rounded
from journey_logs import MAIN_LOG, journey_table
from spark_cluster import cluster_env, connect_server, java_missing, standalone_cluster
from workspaces import answers_table, import_logs, measured_template

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.xdist_group("cluster"),
    pytest.mark.skipif(java_missing() is not None, reason=java_missing() or ""),
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = measured_template(tmp_path_factory.mktemp("cluster") / "ws")
    import_logs(folder, journey_table(MAIN_LOG), answers_table(MAIN_LOG))
    return folder


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with connect_server(tmp_path_factory.mktemp("connect")) as url:
        yield url


#: One shuffle partition: the log is tiny, and the cluster has one core.
SMALL_DATA = json.dumps({"spark.sql.shuffle.partitions": "1", "spark.executor.memory": "768m"})


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``cojourney ARGS`` in a separate process (its own Spark driver)."""
    code = "import sys; from cojourney.cli.main import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**cluster_env(), "COJOURNEY_SPARK_CONFIG": SMALL_DATA},
        timeout=1800,  # a loaded shared machine runs Spark slowly; no timing is asserted
        check=False,
    )


def analysis(workspace: Path, *flags: str) -> dict:
    done = cli("analyze", str(workspace), "--json", "-", *flags)
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    del document["computed_with"], document["engine"]  # name the engine
    return rounded(document)


@pytest.fixture(scope="module")
def duckdb_analysis(workspace: Path) -> dict:
    return analysis(workspace)


def test_analyze_on_a_standalone_cluster_equals_duckdb(
    workspace: Path, duckdb_analysis: dict, tmp_path: Path
) -> None:
    with standalone_cluster(tmp_path) as master:
        on_spark = analysis(workspace, "--engine", "spark", "--spark-master", master)
        # the application ran on the cluster: the worker started an executor for it
        executors = list((tmp_path / "work").glob("app-*/*"))
    assert executors, "no executor ran on the worker"
    assert on_spark["counts"]["journeys"] == duckdb_analysis["counts"]["journeys"] > 0
    assert on_spark == duckdb_analysis


def test_analyze_through_spark_connect_equals_duckdb(
    workspace: Path, duckdb_analysis: dict, connect_url: str
) -> None:
    on_spark = analysis(workspace, "--engine", "spark", "--spark-remote", connect_url)
    assert on_spark["counts"]["journeys"] == duckdb_analysis["counts"]["journeys"] > 0
    assert on_spark == duckdb_analysis


def _comparable(html: str) -> str:
    """The report without what names the engine or the moment it was written."""
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "WHEN", html)
    return re.sub(r"(?i)\b(duckdb|spark)\b", "ENGINE", html)


def test_report_through_spark_connect_equals_duckdb(
    workspace: Path, connect_url: str, tmp_path: Path
) -> None:
    on_duckdb, on_spark = tmp_path / "duckdb.html", tmp_path / "spark.html"
    done = cli("report", str(workspace), "-o", str(on_duckdb))
    assert done.returncode == 0, done.stderr[-3000:]
    done = cli(
        "report", str(workspace), "-o", str(on_spark),
        "--engine", "spark", "--spark-remote", connect_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    spark_html = on_spark.read_text(encoding="utf-8")
    assert "Spark" in spark_html or "spark" in spark_html  # the report says where it ran
    assert _comparable(spark_html) == _comparable(on_duckdb.read_text(encoding="utf-8"))


def test_the_cluster_reads_a_partitioned_dataset_in_place(
    workspace: Path, duckdb_analysis: dict, connect_url: str, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    done = cli("export", str(workspace), "--parquet-dataset", lake.as_uri())
    assert done.returncode == 0, done.stderr[-3000:]
    on_spark = analysis(
        workspace, "--events", lake.as_uri(), "--engine", "spark", "--spark-remote", connect_url
    )
    assert on_spark.pop("source") == str(lake)
    assert on_spark == {k: v for k, v in duckdb_analysis.items() if k != "source"}


def test_an_unreachable_connect_server_is_a_clear_error(workspace: Path) -> None:
    from spark_cluster import free_port

    done = cli(
        "analyze", str(workspace), "--engine", "spark",
        "--spark-remote", f"sc://127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert done.returncode != 0
    assert "did not answer" in done.stderr and "Traceback" not in done.stderr
