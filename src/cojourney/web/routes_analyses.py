"""The analyses pages (viewer and up): the measured journey, with tables and CSV.

``/journeys/{id}/analyses`` shows the actual journeys (directly-follows graph, variants,
conformance, funnel); ``/journeys/{id}/analyses/{name}`` the other analyses
(:data:`cojourney.web.analyses_views.ANALYSES`). Every table has a CSV download
(``.../{name}.csv?table=...`` with the same filters) holding exactly its rows.

Results are kept per data version (:mod:`cojourney.services.results_cache`). A
computation runs in a worker thread; when it takes longer than a moment the page
shows a placeholder that refreshes itself (a meta refresh; with JavaScript, a poll of
``.../{name}/status``), so the page never freezes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from cojourney.errors import CojourneyError, InputError, Location, NotFound, Problem
from cojourney.services.results_cache import Job, ResultsCache, data_version
from cojourney.web.analyses_views import (
    ANALYSES,
    Analysis,
    Filters,
    cell_text,
    persona_choices,
    result_tables,
    summary,
)
from cojourney.web.deps import State, ViewerRequired
from cojourney.web.routes_ingest import writer_of
from cojourney.web.state import WebState
from cojourney.web.templating import render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Seconds a page waits for a result before it answers with a placeholder.
WAIT_SECONDS = 1.5
_cache_lock = threading.Lock()


def results_cache(app: FastAPI) -> ResultsCache:
    """The app's one results cache (made on first use)."""
    with _cache_lock:
        cache = getattr(app.state, "results_cache", None)
        if not isinstance(cache, ResultsCache):
            cache = ResultsCache()
            app.state.results_cache = cache
    return cache


def _analysis(name: str) -> Analysis:
    if name not in ANALYSES:
        raise NotFound(f"no analysis {name!r}; the analyses are: {', '.join(ANALYSES)}")
    return ANALYSES[name]


def _journey_name(state: WebState, journey_id: str) -> str:
    model = state.reader.workspace()
    for journey in model.journeys:
        if journey.id == journey_id:
            return journey.name or journey.id
    raise NotFound(
        f"no journey {journey_id!r}; the journeys are: {', '.join(j.id for j in model.journeys)}"
    )


def start_analysis(
    request: Request, state: WebState, name: str, journey_id: str, filters: Filters
) -> Job | None:
    """The job of one analysis (kept, running or just started); ``None`` without events."""
    handle = state.reader.handle
    if not handle.has_events():
        return None
    analysis = _analysis(name)
    writer = writer_of(request.app)

    def compute() -> dict[str, Any]:
        with writer.paused():  # the server's ingest writer stays off the store meanwhile
            return analysis.compute(handle, journey_id, filters)

    return results_cache(request.app).start(
        name, (journey_id, filters.key()), data_version(handle), compute
    )


def _page(request: Request, state: WebState, journey_id: str, name: str) -> Response:
    analysis = _analysis(name)
    title = _journey_name(state, journey_id)
    filters = Filters.parse(request.query_params)
    job = start_analysis(request, state, name, journey_id, filters)
    if job is not None:
        job.finished.wait(WAIT_SECONDS)
    base = f"/journeys/{journey_id}/analyses" + ("" if name == "journeys" else f"/{name}")
    context: dict[str, Any] = {
        "journey_id": journey_id,
        "journey_name": title,
        "analysis": analysis,
        "analyses": ANALYSES,
        "filters": filters,
        "query": filters.query(),
        "base": base,
        "no_events": job is None,
        "pending": job is not None and not job.done,
        "error": None,
        "tables": [],
        "summary": [],
        "cell": cell_text,
        "personas": persona_choices(state.reader.workspace()),
    }
    if job is not None and job.done:
        if job.error is not None:
            if not isinstance(job.error, CojourneyError):
                raise job.error
            context["error"] = str(job.error)
        else:
            context["tables"] = result_tables(job.result)
            context["summary"] = summary(job.result)
    return render(request, "analyses.html", context)


@router.get("/analyses")
def analyses_home(state: State, user: ViewerRequired) -> Response:
    """The analyses of the workspace's default journey (else its first)."""
    from cojourney.services.analysis import choose_journey

    journey = choose_journey(state.reader.workspace(), None)
    return RedirectResponse(f"/journeys/{journey.id}/analyses", status_code=303)


@router.get("/journeys/{journey_id}/analyses")
def journeys_page(
    request: Request, journey_id: str, state: State, user: ViewerRequired
) -> Response:
    """The actual journeys against the design: graph, variants, conformance, funnel."""
    return _page(request, state, journey_id, "journeys")


@router.get("/journeys/{journey_id}/analyses/{name}.csv")
def analysis_csv(
    request: Request, journey_id: str, name: str, state: State, user: ViewerRequired, table: str
) -> Response:
    """One table of an analysis as CSV: exactly the rows the page shows."""
    _journey_name(state, journey_id)
    filters = Filters.parse(request.query_params)
    job = start_analysis(request, state, name, journey_id, filters)
    if job is None:
        raise NotFound("no events imported yet: there is nothing to download")
    job.finished.wait()
    if job.error is not None:
        raise job.error
    for found in result_tables(job.result):
        if found.name == table:
            return Response(
                found.csv(),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'},
            )
    known = ", ".join(t.name for t in result_tables(job.result)) or "none"
    raise InputError(
        Problem(f"no table {table!r} in {name}", Location(field="table"), expected=known)
    )


@router.get("/journeys/{journey_id}/analyses/{name}/status")
def analysis_status(
    request: Request, journey_id: str, name: str, state: State, user: ViewerRequired
) -> Response:
    """Whether the analysis with these filters is ready (JSON, polled by the page)."""
    filters = Filters.parse(request.query_params)
    job = start_analysis(request, state, name, journey_id, filters)
    if job is None:
        return JSONResponse({"done": True, "error": None, "elapsed": 0})
    error = None if job.error is None else str(job.error)
    return JSONResponse({"done": job.done, "error": error, "elapsed": round(job.elapsed, 1)})


@router.get("/journeys/{journey_id}/analyses/{name}")
def analysis_page(
    request: Request, journey_id: str, name: str, state: State, user: ViewerRequired
) -> Response:
    """One analysis of the journey's events, filtered by the GET form."""
    return _page(request, state, journey_id, name)
