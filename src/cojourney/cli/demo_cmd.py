"""``cojourney demo``: the flagship demo."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def demo() -> None:
    """The eCampus Car Share demo: workspace, maps (and simulated journeys)."""


@demo.command("build")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="out/ecampus-demo")
def build(folder: Path) -> None:
    """Create the eCampus demo workspace in FOLDER and draw its maps as HTML."""
    from cojourney.services.demo import build_demo

    out = build_demo(folder)
    click.echo(f"Demo workspace:  {out.workspace}")
    click.echo(f"Journey map:     {out.journey_map}")
    click.echo(f"Stakeholder map: {out.stakeholder_map}")
    click.echo(f"Service blueprint: {out.blueprint}")
    click.echo("Open the .html files in a browser; they work offline.")
