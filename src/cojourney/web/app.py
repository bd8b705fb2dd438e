"""The app factory: ``create_app(settings, workspace_path)`` builds the ASGI app, and nothing else does.

Importing this module has no side effect: no engine, no connection, no settings
read. The factory migrates the database it opens; an engine handed in is expected to
be migrated already (``cojourney serve`` and ``cojourney db upgrade`` do it).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.responses import Response

from cojourney.services.handle import WorkspaceHandle
from cojourney.settings import Settings, current_settings
from cojourney.storage import make_session_factory, open_database
from cojourney.web import (
    routes_access,
    routes_admin,
    routes_alerts,
    routes_analyses,
    routes_api,
    routes_design,
    routes_edit,
    routes_history,
    routes_imports,
    routes_ingest,
    routes_item_edit,
    routes_measurements,
    routes_pages,
    routes_share,
    routes_stakeholder_edit,
    routes_survey,
)
from cojourney.web.errors import error_response, install_error_handlers
from cojourney.web.security import LoginLimiter, add_security_headers
from cojourney.web.state import WebState
from cojourney.web.workspace_views import WorkspaceReader

log = logging.getLogger(__name__)
#: One JSON line per request.
access_log = logging.getLogger("cojourney.web.access")

STATIC = Path(__file__).with_name("static")


def create_app(
    settings: Settings | None = None,
    workspace_path: str | Path = ".",
    *,
    engine: Engine | None = None,
) -> FastAPI:
    """The web app serving ``workspace_path`` with ``settings`` (the ones in force when omitted).

    Parameters
    ----------
    settings
        Limits, the database URL and the secret key; :func:`current_settings` if None.
    workspace_path
        The workspace folder (YAML files) the app shows.
    engine
        A ready engine, already migrated (tests, ``cojourney serve``); else one is made
        from ``settings.database_url`` or the workspace's SQLite file and migrated to
        the newest schema.
    """
    settings = settings or current_settings()
    folder = Path(workspace_path)
    if engine is None:
        engine = open_database(folder, settings.database_url)
    app = FastAPI(
        title="cojourney",
        summary="Design, measure and improve customer journeys (ITIL 4 Drive Stakeholder Value).",
        version="0.1.0",
        docs_url=None,  # the Swagger and ReDoc pages load scripts from CDNs
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.web = WebState(
        settings=settings,
        workspace=folder,
        engine=engine,
        sessions=make_session_factory(engine),
        limiter=LoginLimiter(settings.login_max_failures, settings.login_failure_window_seconds),
        reader=WorkspaceReader(WorkspaceHandle(folder, settings)),
    )
    install_error_handlers(app)
    app.middleware("http")(_request_middleware)

    @app.get("/healthz", include_in_schema=True, tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness and readiness: 200 when the database answers."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.include_router(routes_pages.router)
    app.include_router(routes_access.router)
    app.include_router(routes_api.router)
    app.include_router(routes_ingest.router)
    app.include_router(routes_imports.router)
    app.include_router(routes_alerts.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_share.router)
    app.include_router(routes_survey.router)
    app.include_router(routes_design.router)
    app.include_router(routes_edit.router)
    app.include_router(routes_history.router)
    app.include_router(routes_item_edit.router)
    app.include_router(routes_stakeholder_edit.router)
    app.include_router(routes_analyses.router)
    app.include_router(routes_measurements.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: the at-risk webhook, when configured."""
    stop = routes_alerts.start_alert_loop(app)
    try:
        yield
    finally:
        stop()


async def _request_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Security headers, a request id, one JSON log line; unexpected errors become a 500."""
    request_id = uuid.uuid4().hex[:16]
    request.state.request_id = request_id
    started = time.perf_counter()
    try:
        response = await call_next(request)
    except Exception:
        log.exception(
            "unexpected error in %s %s (request %s)",
            request.method,
            routes_share.redact_token(request.url.path),
            request_id,
        )
        response = error_response(
            request, 500, f"internal error; the server log has the details (request {request_id})"
        )
    add_security_headers(request, response)
    response.headers["X-Request-ID"] = request_id
    principal = getattr(request.state, "principal", None)
    access_log.info(
        json.dumps(
            {
                "event": "request",
                "request_id": request_id,
                "method": request.method,
                "path": routes_share.redact_token(request.url.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": request.client.host if request.client else None,
                "principal": f"{principal.kind}:{principal.id}" if principal else None,
            }
        )
    )
    return response
