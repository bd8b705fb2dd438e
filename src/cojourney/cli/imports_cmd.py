"""``cojourney imports``: list the imports of a workspace, and undo one (parsing and output only).

The work is :func:`cojourney.services.imports.list_imports` and
:func:`~cojourney.services.imports.delete_import`.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cojourney.cli.common import (
    csv_option,
    emit,
    emit_csv,
    json_option,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.terminal import clean

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store import ImportRecord


@click.group()
def imports() -> None:
    """The imports of a workspace's event store: list them, undo one."""


@imports.command("list")
@workspace_argument
@json_option("the imports", "lines of text")
@csv_option("the imports, one a row (the --json fields),")
def list_(workspace: Path, json_out: Path | None, csv_out: Path | None) -> int:
    """List the imports of WORKSPACE, oldest first.

    For each: its id, when it finished (UTC), its file, the events (or survey
    answers) it added, the valid ones it found already stored (answers: or
    repeated in the file), the rows it rejected, and its mapping.

    \b
    Examples:
      cojourney imports list shop/
      cojourney imports list shop/ --json -
    """
    from cojourney.services.imports import list_imports

    refuse_both(json_out, csv_out)
    records = list_imports(workspace)
    if json_out is not None:
        emit(json.dumps([_as_json(r) for r in records], indent=2), json_out)
        return 0
    if csv_out is not None:
        rows = [_as_json(r) for r in records]
        emit_csv(list(_CSV_FIELDS), ([row[f] for f in _CSV_FIELDS] for row in rows), csv_out)
        return 0
    if not records:
        click.echo(f"Nothing imported into {clean(workspace)} yet.")
        return 0
    click.echo(f"Imports of {clean(workspace)}, oldest first:")
    width = max(len(f"#{r.id}") for r in records)
    columns = shutil.get_terminal_size().columns  # COLUMNS, else the terminal's, else 80
    for r in records:
        what = _NOUNS.get(r.kind, "event") + "s"
        mapping = clean(r.mapping_name or "the default column names")
        line = (
            f"  {f'#{r.id}':>{width}}  {r.finished_at:%Y-%m-%d %H:%M} UTC  {clean(r.source_name)}: "
            f"{r.rows_imported:,} {what} new, {r.rows_duplicate:,} already stored, "
            f"{r.rows_rejected:,} rows rejected (mapping {mapping})"
        )
        click.echo(
            textwrap.fill(
                line,
                width=max(columns, 40),
                subsequent_indent=" " * (width + 4),
                break_long_words=False,
                break_on_hyphens=False,
                drop_whitespace=True,
            )
        )
    return 0


@imports.command("delete")
@workspace_argument
@click.argument("import_id", metavar="IMPORT", type=click.IntRange(min=1))
def delete(workspace: Path, import_id: int) -> int:
    """Undo the import IMPORT (its id, see `cojourney imports list`) of WORKSPACE.

    Its events (or survey answers) and its record are removed in one transaction,
    and its quarantine file, if any, afterwards. Events it found already stored
    belong to an earlier import and stay. Import the file again to get it back,
    with another mapping if that was the point.

    \b
    Examples:
      cojourney imports delete shop/ 3
    """
    from cojourney.services.imports import delete_import

    done = delete_import(workspace, import_id)
    r = done.record
    what = _NOUNS.get(r.kind, "event")
    rows = f"{done.rows_removed:,} {what}" + ("" if done.rows_removed == 1 else "s")
    click.echo(
        f"Deleted import #{r.id} ({clean(r.source_name)}, {r.finished_at:%Y-%m-%d %H:%M} UTC): {rows} removed."
    )
    if done.quarantine_removed is not None:
        click.echo(f"  quarantine file removed: {clean(done.quarantine_removed)}")
    return 0


def _as_json(r: ImportRecord) -> dict[str, object]:
    return {
        "id": r.id,
        "kind": r.kind,
        "source_name": r.source_name,
        "source_sha256": r.source_sha256,
        "mapping_name": r.mapping_name,
        "rows_imported": r.rows_imported,
        "rows_duplicate": r.rows_duplicate,
        "rows_rejected": r.rows_rejected,
        "quarantine_path": r.quarantine_path,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat(),
    }


#: The columns of ``imports list --csv``: the fields of ``--json``.
_CSV_FIELDS = (
    "id",
    "kind",
    "source_name",
    "source_sha256",
    "mapping_name",
    "rows_imported",
    "rows_duplicate",
    "rows_rejected",
    "quarantine_path",
    "started_at",
    "finished_at",
)

#: What one row of each kind of log is called.
_NOUNS = {"events": "event", "feedback": "answer", "measurements": "measurement"}
