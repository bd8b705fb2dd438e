"""A web analysis page runs on the engine of the app's settings (issue 12 §1).

The same agreements page of a flagship workspace, from an app whose ``engine`` setting
is ``duckdb`` and from one whose setting is ``spark`` (real Spark, local mode, one
session for the module): the work runs on Spark (its SQL statements are counted) and
the page shows the same numbers (decimals within float noise: the engines may sum in
another order).
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site

from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.web import routes_analyses

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def spark_session() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and no `java` is on the PATH")
    from cojourney.analytics.engines.spark import create_session

    session = create_session("local[2]", app_name="cojourney-web-spark")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ecampus") / "workspace"
    init_workspace(folder, example="ecampus-car-share", force=True)
    simulate(folder, 60, seed=11)
    return folder


_NUMBER = re.compile(r"-?\d+\.\d+")
_TABLE = re.compile(r'<table id="table-.*?</table>', re.DOTALL)


def _numbers_apart(html: str) -> tuple[str, list[float]]:
    """The page's result tables without their decimal numbers, and the numbers."""
    tables = "\n".join(_TABLE.findall(html))
    return _NUMBER.sub("#", tables), [float(n) for n in _NUMBER.findall(tables)]


def test_the_agreements_page_runs_on_spark_when_the_setting_says_so(
    flagship: Path,
    spark_session: Any,
    make_site: Callable[..., Site],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cojourney.analytics.engines.spark_sql import SparkSqlConnection
    from cojourney.services.handle import WorkspaceHandle

    monkeypatch.setattr(routes_analyses, "WAIT_SECONDS", 900.0)
    statements: list[str] = []
    execute = SparkSqlConnection.execute

    def spy(self: SparkSqlConnection, query: str, parameters: Any = None) -> Any:
        statements.append(query)
        return execute(self, query, parameters)

    monkeypatch.setattr(SparkSqlConnection, "execute", spy)
    journey = WorkspaceHandle(flagship).model().journeys[0].id
    url = f"/journeys/{journey}/analyses/agreements-status?segment=katrina"
    pages = {}
    for engine in ("duckdb", "spark"):
        client, _ = make_site(flagship, engine=engine).signed_in("viewer")
        before = len(statements)
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert 'id="table-clocks' in response.text, response.text[-2000:]
        ran = len(statements) - before
        assert (ran > 0) == (engine == "spark"), f"{ran} Spark statements on {engine}"
        pages[engine] = _numbers_apart(response.text)
    (duck_text, duck_numbers), (spark_text, spark_numbers) = pages["duckdb"], pages["spark"]
    assert duck_text == spark_text
    assert len(duck_numbers) == len(spark_numbers)
    for a, b in zip(duck_numbers, spark_numbers, strict=True):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (a, b)
