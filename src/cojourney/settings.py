"""Settings: every limit, default and location that a user may want to change, declared once.

Precedence, highest first: a value passed in code (the CLI passes its flags), the
environment (``COJOURNEY_<NAME>``, e.g. ``COJOURNEY_YAML_MAX_BYTES=1048576``), a
settings file (TOML; ``COJOURNEY_SETTINGS_FILE`` names it, else ``cojourney.toml`` in
the current folder when present), then the defaults below. ``docs/settings.md`` lists
every setting; a test fails when one is missing there.

Library code reads the settings in force with :func:`current_settings`; the CLI and
the web app install their own with :func:`use_settings`.

>>> s = Settings(yaml_max_depth=10)
>>> s.yaml_max_depth, s.engine
(10, 'duckdb')
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from cojourney.errors import InputError, Location, Problem

__all__ = ["Settings", "current_settings", "load_settings", "use_settings"]

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

SETTINGS_FILE_ENV = "COJOURNEY_SETTINGS_FILE"
DEFAULT_SETTINGS_FILE = "cojourney.toml"


class Settings(BaseSettings):
    """The settings in force. Every field is documented in ``docs/settings.md``."""

    model_config = SettingsConfigDict(
        env_prefix="COJOURNEY_", extra="forbid", validate_default=True, frozen=True
    )

    # -- YAML files (the workspace, saved mappings, survey definitions) --------
    yaml_max_bytes: int = Field(
        1 * MIB,
        gt=0,
        description=(
            "Largest YAML file read, in bytes (workspace files, saved mappings); "
            "the YAML parser is pure Python and takes seconds per MiB."
        ),
    )
    yaml_max_aliases: int = Field(
        100,
        ge=0,
        description=(
            "Most alias uses (*name) in one YAML file, counted as expanded (an alias "
            "to a node holding aliases counts those too); stops 'billion laughs' bombs."
        ),
    )
    yaml_max_depth: int = Field(
        64,
        gt=0,
        description="Deepest nesting of mappings and lists in one YAML file, aliases included.",
    )
    model_cache: bool = Field(
        True,
        description=(
            "Keep the model of a sound workspace as JSON in the user's cache folder, keyed "
            "by the content of every YAML file, so that commands skip parsing unchanged "
            "files; false reads the YAML every time."
        ),
    )
    model_cache_dir: Path | None = Field(
        None,
        description=(
            "Folder of the model cache; $XDG_CACHE_HOME/cojourney/models (else "
            "~/.cache/cojourney/models) when unset. Never inside a workspace."
        ),
    )

    # -- Event and feedback input ------------------------------------------------
    input_max_bytes: int = Field(
        20 * GIB, gt=0, description="Largest input file read (after decompression), in bytes."
    )
    decompress_max_ratio: float = Field(
        200.0,
        gt=1,
        description=(
            "Largest expansion ratio of a compressed input (.gz) once it passes "
            "decompress_ratio_floor_bytes; a higher one is refused as a decompression bomb."
        ),
    )
    decompress_ratio_floor_bytes: int = Field(
        64 * MIB,
        ge=0,
        description="Expanded size below which the expansion ratio is not checked.",
    )
    json_max_depth: int = Field(
        32, gt=0, description="Deepest nesting of objects and arrays in a JSON Lines value."
    )
    max_value_chars: int = Field(
        4096,
        gt=0,
        description="Longest identifier or name (journey id, activity, question) read, in characters.",
    )

    # -- Engines -----------------------------------------------------------------
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb", description="The analytics engine used when none is named."
    )
    duckdb_memory_limit: str | None = Field(
        None,
        description="DuckDB's memory_limit (e.g. '4GB'); DuckDB's own default (80% of RAM) when unset.",
    )
    duckdb_threads: int | None = Field(
        None, gt=0, description="DuckDB's threads; DuckDB's own default (all cores) when unset."
    )
    temp_dir: Path | None = Field(
        None,
        description="Folder for temporary files (spill, XES staging); the system's when unset.",
    )
    spark_master: str | None = Field(
        None,
        description=(
            "Spark master URL of the Spark engine (local[2] when unset), e.g. a standalone "
            "cluster's spark://HOST:7077; see docs/scale.md."
        ),
    )
    spark_remote: str | None = Field(
        None,
        description=(
            "Spark Connect URL of the Spark engine (sc://HOST:PORT); takes precedence over "
            "spark_master. The web app's analyses use it too when engine is spark."
        ),
    )
    spark_config: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Extra Spark settings of the sessions cojourney starts, e.g. "
            '{"spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "64"} '
            "(JSON in the environment variable, a table in the settings file); with "
            "spark_remote only runtime SQL settings apply."
        ),
    )
    spark_staging_dir: str | None = Field(
        None,
        description=(
            "Where the Spark engine writes the events it reads (a fresh folder inside, "
            "deleted after): a folder or URL (file://, s3://, hdfs://...) that every "
            "executor can read; the system's temporary folder when unset (local mode, or "
            "a cluster on this machine)."
        ),
    )

    # -- Measures ------------------------------------------------------------------
    journey_in_progress_days: float = Field(
        30.0,
        gt=0,
        description=(
            "A journey instance not ended at an exit point is in progress while its last "
            "event is less than this many days before the data's end, abandoned after "
            "(a journey's in_progress_within overrides it)."
        ),
    )

    themes_max_comments: int = Field(
        2000,
        ge=10,
        description=(
            "Most survey comments grouped into themes (the most recent ones); the "
            "grouping (TF-IDF and k-means) grows with the square of this number."
        ),
    )

    # -- Web workspace -------------------------------------------------------------
    database_url: str | None = Field(
        None,
        description=(
            "Database of web state (accounts, versions, share links, tokens); the "
            "workspace's own SQLite file (.cojourney/web.sqlite) when unset."
        ),
    )
    upload_max_bytes: int = Field(
        512 * MIB, gt=0, description="Largest file accepted by an upload, in bytes."
    )
    ingest_max_batch: int = Field(
        10_000, gt=0, description="Most events or answers in one ingestion API batch."
    )
    ingest_max_body_bytes: int = Field(
        16 * MIB,
        gt=0,
        description="Largest request body of the ingestion API, in bytes (larger: 413).",
    )
    secret_key: str | None = Field(
        None,
        description=(
            "Key that signs session cookies and share links; generated once and kept in "
            "the web database when unset."
        ),
    )
    alert_webhook_url: str | None = Field(
        None,
        description=(
            "URL the server POSTs new at-risk journeys to (JSON, signed with "
            "alert_webhook_secret); no webhook when unset."
        ),
    )
    alert_webhook_secret: str | None = Field(
        None,
        description=(
            "Key of the HMAC-SHA256 signature sent as X-Cojourney-Signature: sha256=HEX "
            "(of the raw body); the webhook is refused unsigned, so set it with the URL."
        ),
    )
    alert_interval_seconds: float = Field(
        300.0,
        gt=0,
        description="Seconds between two checks of the at-risk journeys by the server.",
    )
    alert_webhook_retries: int = Field(
        4,
        ge=0,
        le=10,
        description=(
            "Retries of a failed webhook delivery, with exponential backoff (1 s, 2 s, 4 s...)."
        ),
    )

    password_min_length: int = Field(
        10, ge=8, description="Shortest password accepted for an account, in characters."
    )
    session_max_age_hours: int = Field(
        12, gt=0, description="How long a sign-in lasts before the person must sign in again."
    )
    login_max_failures: int = Field(
        5,
        gt=0,
        description=(
            "Failed sign-ins allowed per client and email within login_failure_window_seconds; "
            "more are refused with 429 until the window passes."
        ),
    )
    login_failure_window_seconds: int = Field(
        900, gt=0, description="The window over which failed sign-ins are counted, in seconds."
    )
    share_lookup_max_failures: int = Field(
        20,
        gt=0,
        description=(
            "Unknown, expired or revoked share links a client may open within "
            "share_lookup_window_seconds; more share-link lookups are refused with 429 "
            "until the window passes (against guessing links)."
        ),
    )
    share_lookup_window_seconds: int = Field(
        600, gt=0, description="The window over which failed share-link lookups are counted."
    )
    survey_answers_per_window: int = Field(
        30,
        gt=0,
        description=(
            "Survey answers (and unknown survey links) a client may send within "
            "survey_window_seconds; more are refused with 429 until the window passes. "
            "Counted in memory by client address, never stored."
        ),
    )
    survey_window_seconds: int = Field(
        600, gt=0, description="The window over which survey answers are counted, per client."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        file = _settings_file()
        if file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=file))
        return tuple(sources)


def _settings_file() -> Path | None:
    named = os.environ.get(SETTINGS_FILE_ENV)
    if named:
        return Path(named)
    default = Path(DEFAULT_SETTINGS_FILE)
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and the settings file, with ``overrides`` on top.

    ``None`` overrides are ignored, so a CLI can pass its optional flags as they are.
    Raises :class:`~cojourney.errors.InputError` naming the setting and its source.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    file = _settings_file()
    if file is not None and not file.is_file():
        raise InputError(
            Problem(
                "the settings file does not exist",
                Location(str(file)),
                hint=f"create it or unset {SETTINGS_FILE_ENV}",
            )
        )
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            problems.append(
                Problem(
                    f"setting {name}: {err['msg']}",
                    Location(str(file) if file else None, field=name),
                    found=repr(err.get("input"))[:200],
                    hint=f"fix it in COJOURNEY_{name.upper()}"
                    + (f" or in {file}" if file else "")
                    + "; docs/settings.md lists every setting",
                )
            )
        raise InputError(problems, title="Invalid settings") from None
    except ValueError as exc:  # a malformed settings file
        raise InputError(
            Problem(f"the settings file cannot be read: {exc}", Location(str(file)))
        ) from None


_current: contextvars.ContextVar[Settings | None] = contextvars.ContextVar(
    "cojourney_settings", default=None
)
_default: Settings | None = None


def current_settings() -> Settings:
    """The settings in force: those installed by :func:`use_settings`, else loaded once."""
    installed = _current.get()
    if installed is not None:
        return installed
    global _default
    if _default is None:
        _default = load_settings()
    return _default


@contextlib.contextmanager
def use_settings(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` the ones in force inside the ``with`` block (this context only)."""
    token = _current.set(settings)
    try:
        yield settings
    finally:
        _current.reset(token)


def settings_reference() -> str:
    """``docs/settings.md``: every setting, its variable, default and meaning (``make docs``)."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated by `make docs` from cojourney/settings.py; do not edit by hand. -->",
        "",
        "Every limit, default and location a user may change. Precedence, highest first: the",
        "command's own flag where it has one, the environment variable, the settings file",
        f"(TOML; `{SETTINGS_FILE_ENV}` names it, else `{DEFAULT_SETTINGS_FILE}` in the current",
        "folder), the default.",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, info in Settings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        shown = "unset" if default is None else f"`{default}`"
        text = (info.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | `COJOURNEY_{name.upper()}` | {shown} | {text} |")
    lines += [
        "",
        "Example `cojourney.toml`:",
        "",
        "```toml",
        'duckdb_memory_limit = "4GB"',
        "yaml_max_bytes = 1048576",
        "```",
        "",
    ]
    return "\n".join(lines)
