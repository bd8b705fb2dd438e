"""Which engine and which Spark: flags over settings, and the refusals, without a JVM."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cojourney.errors import CojourneyError, InputError
from cojourney.services.engine_choice import check_spark_target, engine_name, spark_options
from cojourney.settings import Settings


def test_a_flag_wins_over_both_settings() -> None:
    both = Settings(spark_remote="sc://c:15002", spark_master="spark://m:7077")
    assert spark_options("spark://h:7077", settings=both) == {"master": "spark://h:7077"}
    assert spark_options(None, "sc://x:1", settings=both) == {"remote": "sc://x:1"}
    assert spark_options(settings=both) == {"remote": "sc://c:15002"}  # remote over master
    assert spark_options(settings=Settings(spark_master="local[1]")) == {"master": "local[1]"}
    assert spark_options(settings=Settings()) == {}


def test_config_and_staging_apply_to_every_target() -> None:
    settings = Settings(spark_config={"spark.sql.shuffle.partitions": "1"}, spark_staging_dir="/s")
    assert spark_options("local[1]", settings=settings) == {
        "master": "local[1]",
        "config": {"spark.sql.shuffle.partitions": "1"},
        "staging_dir": "/s",
    }


def test_the_engine_setting_is_the_default_engine() -> None:
    assert engine_name(None, Settings(engine="spark")) == "spark"
    assert engine_name("duckdb", Settings(engine="spark")) == "duckdb"


def test_spark_targets_need_the_spark_engine_and_one_cluster() -> None:
    with pytest.raises(InputError, match="applies to the Spark engine only") as caught:
        check_spark_target("duckdb", None, "sc://h:15002")
    assert caught.value.problems[0].location.field == "query.spark_remote"
    with pytest.raises(InputError, match="two different clusters"):
        check_spark_target("spark", "spark://m:7077", "sc://h:15002")
    check_spark_target("spark", None, "sc://h:15002")  # fine


def test_a_connect_url_is_checked_before_any_connection() -> None:
    pytest.importorskip("pyspark")
    from cojourney.analytics.engines.spark import SparkEngine, _check_reachable

    with pytest.raises(InputError, match="not a Spark Connect URL"):
        SparkEngine(remote="spark://master:7077")
    with pytest.raises(CojourneyError, match="did not answer"):
        _check_reachable("sc://127.0.0.1:1", timeout=2)


def test_cli_refuses_spark_flags_without_spark(tmp_path) -> None:
    from cojourney.cli.analyze_cmd import analyze

    runner = CliRunner()
    remote = runner.invoke(analyze, [str(tmp_path), "--spark-remote", "sc://h:15002"])
    assert remote.exit_code == 2 and "--spark-remote needs --engine spark" in remote.output
    both = runner.invoke(
        analyze,
        [
            str(tmp_path),
            "--engine",
            "spark",
            "--spark-master",
            "local[1]",
            "--spark-remote",
            "sc://h:1",
        ],
    )
    assert both.exit_code == 2 and "choose one" in both.output
