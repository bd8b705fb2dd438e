"""Where the Spark engine writes the events its executors read (no JVM needed)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark", reason="the spark extra is not installed")

from cojourney.analytics.engines.spark import Staging


@pytest.mark.parametrize("form", ["path", "file-url", "default"])
def test_staging_writes_reads_and_cleans_up(tmp_path: Path, form: str) -> None:
    where = {"path": tmp_path / "shared", "file-url": f"file://{tmp_path}/shared", "default": None}
    staging = Staging(where[form])
    folder = Path(staging.location)
    if form != "default":
        assert folder.parent == tmp_path / "shared" and folder.name.startswith("cojourney-spark-")
    table = pa.table({"x": [1, 2, 3]})
    written = staging.write("t.parquet", table.schema, table.to_batches())
    assert pq.read_table(written).equals(table)
    staging.remove("t.parquet")
    assert not Path(written).exists()
    staging.write("u.parquet", table.schema, table.to_batches())
    staging.close()
    assert not folder.exists()


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    table = pa.table({"x": [1]})

    def failing():
        yield from table.to_batches()
        raise RuntimeError("reader failed")

    with pytest.raises(RuntimeError):
        staging.write("t.parquet", table.schema, failing())
    assert list(Path(staging.location).iterdir()) == []
    staging.close()
