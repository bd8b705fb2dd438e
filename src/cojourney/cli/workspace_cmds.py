"""``cojourney init``, ``validate`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cojourney.cli.common import emit, json_option
from cojourney.cli.terminal import clean
from cojourney.cli.vocabulary import deprecated_alias
from cojourney.demo import example_names
from cojourney.errors import ValidationError


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--example",
    metavar="NAME",
    help=f"Copy a flagship example instead of the blank DSV "
    f"template: {', '.join(example_names())}.",
)
@click.option("--force", is_flag=True, help="Write even if the folder already holds YAML files.")
def init(folder: Path, example: str | None, force: bool) -> None:
    """Create a workspace in FOLDER.

    Without --example, FOLDER gets the DSV template: one file per part of the model,
    with comments that explain every field. With --example, a complete flagship
    workspace (eCampus Car Share, incident resolution) to explore or adapt.
    """
    from cojourney.services.workspaces import init_workspace

    files = init_workspace(folder, example=example, force=force)
    click.echo(
        clean(
            f"Created workspace {folder} ({len(files)} files) from "
            f"{'example ' + example if example else 'the DSV template'}."
        )
    )
    click.echo(
        clean(f"Next: cojourney validate {folder}   then   cojourney map {folder} -o map.html")
    )


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@json_option("the result, one object per problem (for editors and CI),", instead="text")
@deprecated_alias(
    "--format",
    "json_out",
    "--json -",
    convert=lambda value: Path("-") if value == "json" else None,
    metavar="[text|json]",
)
def validate(path: Path, json_out: Path | None) -> int:
    """Check the workspace at PATH (a folder, or one YAML file).

    Checks the schema and every cross-reference, and reports all problems at once,
    each with file:line:column, the field, what was found and what is expected.
    Exit status: 0 when valid, 2 when problems were found.
    """
    from cojourney.services.workspaces import check_workspace

    report = check_workspace(path)
    if json_out is not None:
        emit(
            json.dumps(
                {
                    "valid": report.ok,
                    "files": [str(f) for f in report.files],
                    "problems": [
                        {
                            "file": p.location.file,
                            "line": p.location.line,
                            "column": p.location.column,
                            "field": p.location.field,
                            "message": p.message,
                            "found": p.found,
                            "expected": p.expected,
                            "hint": p.hint,
                        }
                        for p in report.problems
                    ],
                },
                indent=2,
            ),
            json_out,
        )
        return 0 if report.ok else 2
    if not report.ok:
        raise ValidationError.of_workspace(path, report.problems)
    ws = report.workspace
    assert ws is not None
    touchpoints = sum(len(j.touchpoints) for j in ws.journeys)
    click.echo(
        clean(
            f"{path} is valid: workspace '{ws.workspace.id}', {len(report.files)} files, "
            f"{len(ws.journeys)} journeys, {touchpoints} touchpoints, "
            f"{len(ws.personas)} personas, {len(ws.stakeholders)} stakeholders, "
            f"{len(ws.agreements)} agreements, {len(ws.indicators)} indicators."
        )
    )
    return 0


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a workspace YAML file.

    Editors use it for completion and checks, e.g. with the first line
    '# yaml-language-server: $schema=workspace.schema.json'.
    """
    from cojourney.files import atomic_write_text
    from cojourney.spec import schema_json

    text = schema_json()
    if output:
        atomic_write_text(output, text + "\n")  # whole or not at all; OutputError names it
        click.echo(f"Wrote {clean(output)}")
    else:
        click.echo(text)
