"""DuckDB connections as cojourney opens them: settings applied, refusals and memory explained.

Every connection that reads files (the readers, the store's imports) and the analytics
engine's take ``duckdb_memory_limit``, ``duckdb_threads`` and ``temp_dir`` from the
settings; :func:`out_of_memory` turns DuckDB's out-of-memory error into advice.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import CojourneyError, InputError, Problem, location_in
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = ["configure", "duckdb_config", "duckdb_connect", "out_of_memory"]

log = logging.getLogger(__name__)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_config() -> dict[str, str | int]:
    """DuckDB's settings from cojourney's: ``memory_limit``, ``threads``, ``temp_directory``
    (from ``duckdb_memory_limit``, ``duckdb_threads``, ``temp_dir``; unset: DuckDB's own)."""
    settings = current_settings()
    config: dict[str, str | int] = {}
    if settings.duckdb_memory_limit:
        config["memory_limit"] = settings.duckdb_memory_limit
    if settings.duckdb_threads:
        config["threads"] = settings.duckdb_threads
    if settings.temp_dir is not None:
        config["temp_directory"] = str(settings.temp_dir)
    return config


def duckdb_connect(database: str = ":memory:", **kwargs: Any) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection configured by :func:`duckdb_config` (plus ``kwargs['config']``).

    Raises
    ------
    InputError
        A DuckDB setting (``duckdb_memory_limit``, ...) that DuckDB refuses.
    """
    import duckdb

    config = {**duckdb_config(), **kwargs.pop("config", {})}
    try:
        return duckdb.connect(database, config=config, **kwargs)
    except duckdb.Error as exc:
        if not config or isinstance(exc, duckdb.IOException):
            raise
        raise _refused_setting(exc, config) from None


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Apply ``duckdb_memory_limit``, ``duckdb_threads`` and ``temp_dir`` to an open connection.

    DuckDB cannot move the folder where it spills once it has spilled there: the
    connection then keeps its folder (logged), the other settings still apply.
    """
    import duckdb

    config = duckdb_config()
    temp = config.pop("temp_directory", None)
    try:
        for key, value in config.items():
            con.execute(f"SET {key} = {_literal(str(value))}")
    except duckdb.Error as exc:
        raise _refused_setting(exc, config) from None
    if temp is None:
        return
    current = con.execute("SELECT current_setting('temp_directory')").fetchone()
    if current is not None and Path(str(current[0])) == Path(str(temp)):
        return
    try:
        con.execute(f"SET temp_directory = {_literal(str(temp))}")
    except duckdb.Error as exc:
        log.warning(
            "temp_dir %s does not apply to this DuckDB connection, which keeps %s: %s",
            temp,
            current[0] if current is not None else "its folder",
            str(exc).splitlines()[0],
        )


def _refused_setting(exc: Exception, config: dict[str, Any]) -> InputError:
    return InputError(
        Problem(
            f"DuckDB refuses a setting: {str(exc).splitlines()[0]}",
            location_in(None, field="duckdb_memory_limit / duckdb_threads"),
            found=", ".join(f"{k}={v}" for k, v in config.items()),
            expected="a memory size such as '4GB' or '512MB', a positive number of threads",
            hint="correct the setting (docs/settings.md)",
        )
    )


def out_of_memory(exc: BaseException, source: str | Path | None = None) -> CojourneyError:
    """DuckDB's out-of-memory error as a message that says what to do."""
    limit = current_settings().duckdb_memory_limit or "DuckDB's default, 80% of the RAM"
    where = f"{source}: " if source is not None else ""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return CojourneyError(
        f"{where}DuckDB ran out of memory (duckdb_memory_limit: {limit}). "
        "Analyse a narrower time window (fewer events), use the spark engine for "
        "logs of this size, or raise the setting duckdb_memory_limit "
        f"(COJOURNEY_DUCKDB_MEMORY_LIMIT). DuckDB said: {first}"
    )
