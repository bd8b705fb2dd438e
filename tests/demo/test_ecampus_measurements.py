"""The eCampus simulated measurements: seeded, monthly (daily for monitoring), imported once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cojourney.demo.simulator import ECAMPUS
from cojourney.demo.simulator.ecampus_measurements import MEASURED, measurements_table
from cojourney.events.store import EventStore
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace, open_workspace

TZ = "America/Sao_Paulo"


def test_one_value_per_month_and_per_day_for_monitoring():
    table = measurements_table(date(2025, 3, 10), date(2025, 5, 20), TZ, seed=4)
    rows = table.to_pylist()
    per_indicator: dict[str, int] = {}
    for row in rows:
        per_indicator[row["indicator"]] = per_indicator.get(row["indicator"], 0) + 1
    monthly = {i: 3 for i in MEASURED if i != "booking-app-availability"}
    # Daily from 1 March to 20 May: 31 + 30 + 20 days.
    assert per_indicator == {**monthly, "booking-app-availability": 81}
    assert all(0 <= r["value"] <= 100 for r in rows if r["indicator"].endswith("availability"))
    assert [r["measurement_seq"] for r in rows] == list(range(len(rows)))


def test_same_seed_same_values_other_seed_other_values():
    first = measurements_table(date(2025, 3, 1), date(2025, 6, 30), TZ, seed=4)
    assert first.equals(measurements_table(date(2025, 3, 1), date(2025, 6, 30), TZ, seed=4))
    assert not first.equals(measurements_table(date(2025, 3, 1), date(2025, 6, 30), TZ, seed=5))


def test_the_simulation_imports_them_once(tmp_path: Path):
    folder = tmp_path / "ws"
    init_workspace(folder, example=ECAMPUS)
    indicators = {i.id for i in open_workspace(folder).indicators}
    assert indicators >= MEASURED
    first = simulate(folder, 30, seed=2, start=date(2025, 3, 1), end=date(2025, 4, 30))
    with EventStore.open(folder, read_only=True) as store:
        count = store.count("measurements")
        assert count == 6 * 2 + 61 == first.measurements
    again = simulate(folder, 30, seed=2, start=date(2025, 3, 1), end=date(2025, 4, 30))
    assert again.already_imported and again.measurements == count
    with EventStore.open(folder, read_only=True) as store:
        assert store.count("measurements") == count
        assert [r.kind for r in store.imports("measurements")] == ["measurements"]


def test_out_writes_them_to_measurements_parquet(tmp_path: Path):
    import pyarrow.parquet as pq

    from cojourney.demo import example_path

    result = simulate(
        example_path(ECAMPUS),
        20,
        seed=1,
        out=tmp_path / "logs",
        start=date(2025, 6, 1),
        end=date(2025, 6, 30),
    )
    assert result.measurements_path == tmp_path / "logs" / "measurements.parquet"
    table = pq.read_table(result.measurements_path)
    assert table.num_rows == result.measurements == 6 + 30
    assert set(table.column("indicator").to_pylist()) == MEASURED
