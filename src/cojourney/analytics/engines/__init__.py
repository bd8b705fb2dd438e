"""Engines that run the analyses: one module per engine, imported only when chosen.

An :class:`Engine` owns an Ibis backend, loads canonical events into it, and
supplies the few functions Ibis does not translate the same way everywhere (epoch
microseconds). The analyses themselves (:mod:`cojourney.analytics.discovery`) are
written once, as Ibis expressions.

>>> available_engines()
['duckdb', 'spark']
"""

from __future__ import annotations

import importlib
import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Self

from cojourney.errors import NotFound

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from pathlib import Path
    from types import TracebackType

    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends import BaseBackend

    from cojourney.events.readers.base import ReadOptions
    from cojourney.events.schema import ColumnMapping

#: engine name -> "module:class", imported on first use.
ENGINES: dict[str, str] = {
    "duckdb": "cojourney.analytics.engines.duckdb:DuckDBEngine",
    "spark": "cojourney.analytics.engines.spark:SparkEngine",
}

_table_numbers = itertools.count(1)


def available_engines() -> list[str]:
    """Names accepted by :func:`get_engine` (whether or not their extras are installed)."""
    return list(ENGINES)


class Engine(ABC):
    """An Ibis backend plus what cojourney needs from it.

    Engines are context managers: ``with get_engine("duckdb") as engine: ...``
    closes the backend (and deletes temporary files) at the end.
    """

    name: ClassVar[str]

    @property
    @abstractmethod
    def backend(self) -> BaseBackend:
        """The Ibis backend expressions are executed on."""

    @abstractmethod
    def load_events(
        self, events: pa.Table | Iterable[pa.RecordBatch], *, name: str | None = None
    ) -> ir.Table:
        """Make canonical events available to the engine as a table.

        Parameters
        ----------
        events
            A table or an iterable of batches in the canonical schema. Batches are
            consumed once, as they come (memory stays bounded).
        name
            Table name; a fresh one by default.
        """

    @abstractmethod
    def epoch_microseconds(self, timestamp: ir.TimestampValue) -> ir.IntegerValue:
        """Microseconds since 1970-01-01 UTC of a timestamp expression (int64)."""

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run a table expression; its result as one ``{column: value}`` dict per row."""
        result: list[dict[str, Any]] = self.backend.to_pyarrow(expr).to_pylist()
        return result

    def load_file(
        self,
        path: str | Path,
        mapping: ColumnMapping | None = None,
        options: ReadOptions | None = None,
        *,
        on_stage: Callable[[str], None] | None = None,
    ) -> ir.Table | None:
        """Load a file with the engine's own reader, or return ``None`` when it has none.

        The default has none: callers then read the file with
        :func:`cojourney.events.readers.read_events` and :meth:`load_events`.
        """
        return None

    def cache(self, table: ir.Table) -> ir.Table:
        """Compute ``table`` once and keep it for the queries that follow."""
        return table.cache()

    def release(self, table: ir.Table) -> None:
        """Free a table made by :meth:`load_events` or :meth:`cache` (best effort)."""
        release = getattr(table, "release", None)
        if release is not None:  # a cached table
            release()
            return
        name = table.get_name()
        self.backend.drop_table(name, force=True)

    def close(self) -> None:  # noqa: B027 - engines without resources need not override it
        """Release the backend and temporary files."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def fresh_table_name(prefix: str = "cojourney_events") -> str:
        """A table name not used before in this process."""
        return f"{prefix}_{next(_table_numbers)}"


class ErrorRelay:
    """Keeps the exception of a batch iterator that a native engine consumes.

    DuckDB wraps an exception raised while it pulls Arrow batches into its own
    error type; :meth:`reraise` raises the original (e.g. an ``ImportRejected``
    with the file's problems) instead.
    """

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def watch(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except BaseException as exc:
            self.error = exc
            raise

    def reraise(self) -> None:
        if self.error is not None:
            raise self.error


def get_engine(name: str = "duckdb", **options: Any) -> Engine:
    """Create an engine by name.

    Parameters
    ----------
    name
        ``"duckdb"`` (default; in-process) or ``"spark"`` (needs the ``spark`` extra
        and Java).
    **options
        Passed to the engine class, e.g. ``master="spark://host:7077"`` for Spark.

    Raises
    ------
    NotFound
        For an unknown engine name, or an engine whose extra is not installed.
    """
    if name not in ENGINES:
        raise NotFound(f"Unknown engine {name!r}: choose one of {', '.join(ENGINES)}.")
    module_name, class_name = ENGINES[name].split(":")
    module = importlib.import_module(module_name)
    engine_class: type[Engine] = getattr(module, class_name)
    return engine_class(**options)


__all__ = ["ENGINES", "Engine", "ErrorRelay", "available_engines", "get_engine"]
