"""Which engine and which Spark: flags over settings, and the refusals, without a JVM."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from cojourney.services.simulation import simulate
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path_factory.mktemp("ecampus") / "workspace"
    init_workspace(folder, example="ecampus-car-share", force=True)
    simulate(folder, 12, seed=3)
    return folder


def _services() -> dict[str, Callable[..., Any]]:
    from cojourney.services import agreements, experience, value

    return {
        "agreements": lambda h, **kw: agreements.agreements_report(h, **kw),
        "agreements --by": lambda h, **kw: agreements.agreements_report(h, by="segment", **kw),
        "leakage": lambda h, **kw: agreements.leakage(h, **kw),
        "leakage --by": lambda h, **kw: agreements.leakage_by_group(h, "segment", **kw),
        "value": lambda h, **kw: value.value_report(h, **kw),
        "value --by": lambda h, **kw: value.value_by_group(h, "segment", **kw),
        "targets": lambda h, **kw: value.target_report(h, **kw),
        "improvements": lambda h, **kw: value.improvement_report(h, **kw),
        "experience": lambda h, **kw: experience.experience_report(h, by=("persona",), **kw),
    }


@pytest.mark.parametrize("service", list(_services()))
def test_the_services_follow_the_engine_setting_of_their_handle_and_a_flag_wins(
    service: str, simulated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web app's handle carries its settings: with ``engine = "spark"`` every service
    reads the events through Spark (here a stand-in that records the request and stays
    on DuckDB), and ``engine="duckdb"`` named by a caller (a CLI flag) wins."""
    from cojourney.services import engine_choice
    from cojourney.services.handle import WorkspaceHandle

    asked: list[tuple[str, Settings | None]] = []
    real = engine_choice.events_on

    @contextmanager
    def recording(events: Any, engine: str | None = None, **kw: Any) -> Iterator[Any]:
        asked.append((engine_choice.check_engine(engine, kw.get("settings")), kw.get("settings")))
        with real(events, "duckdb") as on:
            yield on

    monkeypatch.setattr(engine_choice, "events_on", recording)
    for name in ("experience",):
        monkeypatch.setattr(f"cojourney.services.{name}.events_on", recording)
    settings = Settings(engine="spark")
    handle = WorkspaceHandle(simulated, settings)
    run = _services()[service]
    run(handle)
    assert asked and all(engine == "spark" for engine, _ in asked), asked
    assert all(given is settings for _, given in asked)
    asked.clear()
    run(handle, engine="duckdb")
    assert asked and all(engine == "duckdb" for engine, _ in asked), asked
