"""Fixtures of the engine parity suite: one Spark session, the two flagship workspaces.

The workspaces are small (a few dozen simulated journeys each, with survey answers and
measurements): the suite checks that both engines give the same answers, not speed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Journeys simulated per flagship workspace.
PARITY_JOURNEYS = 60


@pytest.fixture(scope="session")
def parity_spark() -> Iterator[Any]:
    """The one SparkSession of the parity suite (local[2], UTC); services started while
    it runs use it and leave it running."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and no `java` is on the PATH")
    from cojourney.analytics.engines.spark import create_session

    session = create_session("local[2]", app_name="cojourney-parity")
    yield session
    session.stop()


@pytest.fixture(scope="session", params=["ecampus-car-share", "incident-resolution"])
def flagship(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flagship example with simulated journeys, answers and measurements imported."""
    from cojourney.services.simulation import simulate
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path_factory.mktemp(request.param) / "workspace"
    init_workspace(folder, example=request.param, force=True)
    simulate(folder, PARITY_JOURNEYS, seed=11)
    return folder


@pytest.fixture
def spark_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement run as Spark SQL while the test runs."""
    from cojourney.analytics.engines.spark_sql import SparkSqlConnection

    seen: list[str] = []
    execute = SparkSqlConnection.execute

    def spy(self: SparkSqlConnection, query: str, parameters: Any = None) -> Any:
        seen.append(query)
        return execute(self, query, parameters)

    monkeypatch.setattr(SparkSqlConnection, "execute", spy)
    yield seen
