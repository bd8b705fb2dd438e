"""Journeys at risk: ``GET /at-risk`` (a page) and ``GET /api/at-risk`` (JSON), viewers and up.

Both run :func:`cojourney.services.at_risk.at_risk` on the event store, with the
server's one writer paused while it is read. :func:`start_alert_loop` sends new
ones to the webhook (:mod:`cojourney.services.alerts`) while the server runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cojourney.errors import CojourneyError, NotFound
from cojourney.services.alerts import send_new_alerts
from cojourney.services.at_risk import AtRiskReport, at_risk
from cojourney.web.api_docs import AUTH_RESPONSES, WORKSPACE, _error
from cojourney.web.deps import State, ViewerRequired
from cojourney.web.routes_ingest import writer_of
from cojourney.web.state import WebState
from cojourney.web.templating import render

log = logging.getLogger(__name__)

router = APIRouter(tags=["alerts"], responses=AUTH_RESPONSES)


class AtRiskOut(BaseModel):
    """One journey at risk, for one reason."""

    key: str = Field(description="Stable id of the alert (reason, journey and what).")
    journey_id: str = Field(description="The journey (case).")
    reason: Literal["clock", "stalled", "poor_answer"]
    why: str = Field(description="What is wrong, in a sentence.")
    since: datetime = Field(description="Since when (UTC).")
    next_step: str = Field(description="What to do next.")


class AtRiskListOut(BaseModel):
    """The journeys at risk at ``as_of`` (the latest event), most urgent reason first."""

    as_of: datetime | None
    items: list[AtRiskOut]


def report_for(request: Request, state: WebState) -> AtRiskReport:
    """The at-risk report of the app's workspace (writer paused while reading)."""
    with writer_of(request.app).paused():
        return at_risk(state.workspace)


@router.get(
    "/api/at-risk",
    responses={**WORKSPACE, 404: _error("No events imported yet.")},
)
async def api_at_risk(request: Request, state: State, user: ViewerRequired) -> AtRiskListOut:
    """Journeys in progress that need someone now, each with why and what to do next."""
    report = await run_in_threadpool(report_for, request, state)
    return AtRiskListOut(
        as_of=report.as_of,
        items=[AtRiskOut(**i.to_dict()) for i in report.items],
    )


@router.get("/at-risk", include_in_schema=False)
async def at_risk_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """The at-risk view: one row per journey and reason."""
    try:
        report: AtRiskReport | None = await run_in_threadpool(report_for, request, state)
        missing = None
    except NotFound as exc:
        report, missing = None, str(exc)
    return render(request, "at_risk.html", {"report": report, "missing": missing})


def start_alert_loop(app: FastAPI) -> Callable[[], None]:
    """Send new at-risk alerts every ``alert_interval_seconds`` in a thread of the server.

    Nothing runs when ``alert_webhook_url`` is unset. Returns the function that stops it.
    """
    state = app.state.web
    assert isinstance(state, WebState)
    settings = state.settings
    if not settings.alert_webhook_url:
        return lambda: None
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(settings.alert_interval_seconds):
            try:
                with writer_of(app).paused():
                    report = at_risk(state.workspace)
                send_new_alerts(
                    state.workspace,
                    state.sessions,
                    settings=settings,
                    report=report,
                    sleep=stop.wait,
                )
            except CojourneyError as exc:
                log.warning("at-risk alerts not sent: %s", exc)
            except Exception:
                log.exception("at-risk alerts failed")

    thread = threading.Thread(target=loop, name="cojourney-alerts", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=5)

    return halt
