"""``services.analysis.analyze_workspace``: workspace, journey and event source wiring (DuckDB)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from journey_logs import MAIN_LOG, journey_table

from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.analytics.filters import JourneyFilter
from cojourney.errors import InputError, NotFound
from cojourney.events.store import EventSource, EventStore
from cojourney.services.analysis import analyze_workspace, choose_journey
from cojourney.services.workspaces import init_workspace, open_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    with EventStore.open(folder) as store:
        store.import_batches(
            journey_table(MAIN_LOG).to_batches(), source_name="main.parquet", source_sha256="1" * 64
        )
    return folder


def test_the_event_store_by_default(workspace: Path) -> None:
    result = analyze_workspace(workspace, breakdown_by=("segment",), top_variants=2)
    assert result.journey_id == "main-journey" and result.engine == "duckdb"
    assert result.source == str(workspace / "data" / "events.duckdb")
    assert (result.counts.journeys, result.counts.events) == (8, 34)
    assert len(result.variants.top) == 2 and result.gates[0].bypassed == 3
    # The store stays usable: the analysis opened it read-only and closed it.
    with EventStore.open(workspace) as store:
        assert store.count() == 34


def test_a_parquet_source_an_open_source_and_an_engine(workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(journey_table(MAIN_LOG[:2]), path)
    result = analyze_workspace(workspace, source=path, filters=JourneyFilter(variant=1))
    assert result.counts.journeys == 1 and result.source == str(path)
    with EventSource.from_parquet(path) as source, DuckDBEngine() as engine:
        # An engine of its own: the events are loaded into it from the source.
        result = analyze_workspace(workspace, source=source, engine=engine)
        assert result.counts.journeys == 2
        assert source.count() == 11  # left open for the caller


def test_choosing_the_journey(workspace: Path) -> None:
    ws = open_workspace(workspace)
    assert choose_journey(ws, None).id == "main-journey"
    with pytest.raises(NotFound, match=r"no journey 'other'.*main-journey"):
        choose_journey(ws, "other")
    with pytest.raises(InputError, match=r"no journey to analyse"):
        choose_journey(ws.model_copy(update={"journeys": []}), None)


def test_nothing_imported_yet(tmp_path: Path) -> None:
    init_workspace(tmp_path / "empty")
    with pytest.raises(NotFound, match=r"no events imported yet"):
        analyze_workspace(tmp_path / "empty")
