"""Writers of event logs: Parquet (canonical or raw batches) and XES (IEEE 1849-2016)."""

from cojourney.events.writers.parquet import write_parquet
from cojourney.events.writers.xes import write_xes

__all__ = ["write_parquet", "write_xes"]
