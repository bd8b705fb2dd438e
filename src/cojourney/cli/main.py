"""The ``cojourney`` command.

Sub-commands are loaded lazily (each lives in its own module and is imported only
when called), so ``cojourney --help`` and quick commands never pay for DuckDB,
Ibis or Spark start-up. Errors of the :mod:`cojourney.errors` family become a
message on stderr and an exit code here, and only here: their concept names
(``mapping.timestamp.format``) are shown as this CLI's flags (``--timestamp-format``,
see :mod:`cojourney.cli.vocabulary`) and their data made harmless for the terminal
(:mod:`cojourney.cli.terminal`).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from typing import Any

import click

from cojourney.cli.terminal import clean
from cojourney.cli.vocabulary import to_flags
from cojourney.errors import CojourneyError

# name -> "module:attribute"; the order is the order of `cojourney --help`.
COMMANDS: dict[str, str] = {
    "init": "cojourney.cli.workspace_cmds:init",
    "validate": "cojourney.cli.workspace_cmds:validate",
    "schema": "cojourney.cli.workspace_cmds:schema",
    "map": "cojourney.cli.map_cmd:map_",
    "import": "cojourney.cli.import_cmd:import_",
    "analyze": "cojourney.cli.analyze_cmd:analyze",
    "export": "cojourney.cli.import_cmd:export",
    "imports": "cojourney.cli.imports_cmd:imports",
    "experience": "cojourney.cli.experience_cmd:experience",
    "agreements": "cojourney.cli.agreements_cmd:agreements",
    "value": "cojourney.cli.value_cmd:value",
    "leakage": "cojourney.cli.leakage_cmd:leakage",
    "improvements": "cojourney.cli.improvements_cmd:improvements",
    "report": "cojourney.cli.report_cmd:report",
    "demo": "cojourney.cli.demo_cmd:demo",
    "serve": "cojourney.cli.serve_cmd:serve",
    "db": "cojourney.cli.web_cmds:db",
    "users": "cojourney.cli.web_cmds:users",
    "tokens": "cojourney.cli.web_cmds:tokens",
    "share": "cojourney.cli.share_cmd:share",
    "survey": "cojourney.cli.survey_cmd:survey",
    "alerts": "cojourney.cli.alerts_cmd:alerts",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n in self._lazy if self._available(n)] + sorted(super().list_commands(ctx))

    def _available(self, name: str) -> bool:
        module = self._lazy[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy and self._available(cmd_name):
            module, attr = self._lazy[cmd_name].split(":")
            cmd = getattr(importlib.import_module(module), attr)
            assert isinstance(cmd, click.Command)
            return cmd
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cojourney")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """cojourney: design, measure and improve customer journeys.

    Journeys are designed as code (a folder of YAML files, the *workspace*),
    measured on real event and feedback logs, and shared as maps and reports.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors become a message and an exit code, never a traceback."""
    try:
        result = cli.main(args=argv, prog_name="cojourney", standalone_mode=False)
    except CojourneyError as exc:
        click.echo(f"Error: {clean(to_flags(str(exc)), keep_newlines=True)}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        duckdb = sys.modules.get("duckdb")
        if duckdb is None or not isinstance(exc, duckdb.OutOfMemoryException):
            raise
        from cojourney.events.readers.connections import out_of_memory

        error = out_of_memory(exc)
        click.echo(f"Error: {error}", err=True)
        return error.exit_code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
