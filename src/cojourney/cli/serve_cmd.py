"""``cojourney serve``: the web workspace, served by uvicorn."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from cojourney.cli.common import workspace_argument
from cojourney.cli.web_cmds import database_url_option
from cojourney.services.handle import WorkspaceHandle

log = logging.getLogger(__name__)


@click.command()
@workspace_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port."
)
@database_url_option
def serve(workspace: Path, host: str, port: int, database_url: str | None) -> None:
    """Serve the web workspace of WORKSPACE: pages, the JSON API under /api/, /healthz.

    Migrates the web-state database first. Sign in with an account made by
    'cojourney users add'; scripts use tokens from 'cojourney tokens create'. The
    OpenAPI description is at /openapi.json. Behind a proxy that ends HTTPS, pass the
    proxy's X-Forwarded-Proto so cookies are marked Secure.
    """
    import uvicorn

    from cojourney.settings import load_settings, use_settings
    from cojourney.storage import list_users, make_session_factory, open_database, redact_url
    from cojourney.web import create_app

    settings = load_settings(database_url=database_url)
    engine = open_database(workspace, settings.database_url)
    with make_session_factory(engine)() as session:
        if not list_users(session):
            click.echo(
                f"No account yet: create one with 'cojourney users add {workspace} EMAIL "
                "--role owner'.",
                err=True,
            )
    _log_requests()
    with use_settings(settings):
        app = create_app(settings, workspace, engine=engine)
        click.echo(
            f"Serving {workspace} on http://{host}:{port}/ (web state: "
            f"{redact_url(str(engine.url))}); Ctrl+C stops.",
            err=True,
        )
        # The marker lets other cojourney commands on this workspace say where it is served.
        marker = WorkspaceHandle(workspace, settings).mark_served(f"http://{host}:{port}/")
        try:
            uvicorn.run(
                app, host=host, port=port, access_log=False, proxy_headers=True, log_config=None
            )
        finally:
            marker.unlink(missing_ok=True)


def _log_requests() -> None:
    """One JSON line per request on stderr (logger ``cojourney.web.access``)."""
    access = logging.getLogger("cojourney.web.access")
    access.setLevel(logging.INFO)
    access.propagate = False
    if access.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
