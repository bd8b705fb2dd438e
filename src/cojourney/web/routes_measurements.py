"""Values of a value indicator entered by hand (editors and owners).

``GET /indicators/{indicator_id}/measurements`` shows the indicator, a form for one
value (time, value, optional segment) and its latest measurements with who entered
each and when; ``POST`` to the same path stores the value
(:func:`cojourney.services.measurement_imports.record_measurement`: an import of its
own, named after the person, which the imports page can undo). The value then counts
in the value analysis like an imported measurement: status, trend and target.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from cojourney.errors import CojourneyError, InputError, Location, NotFound, Problem
from cojourney.services.measurement_imports import indicator_measurements, record_measurement
from cojourney.web.deps import EditorRequired, State
from cojourney.web.routes_ingest import writer_of
from cojourney.web.state import WebState
from cojourney.web.templating import render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _indicator(state: WebState, indicator_id: str) -> Any:
    model = state.reader.workspace()
    for indicator in model.indicators:
        if indicator.id == indicator_id:
            return indicator
    raise NotFound(
        f"no value indicator {indicator_id!r}; the indicators are: "
        + ", ".join(i.id for i in model.indicators)
    )


def _zone(state: WebState) -> ZoneInfo:
    return ZoneInfo(state.reader.workspace().workspace.time_zone)


def _page(
    request: Request,
    state: WebState,
    indicator_id: str,
    *,
    status_code: int = 200,
    problems: list[Problem] | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    indicator = _indicator(state, indicator_id)
    zone = _zone(state)
    with writer_of(request.app).paused():
        values = indicator_measurements(state.workspace, indicator_id, limit=50)
    journey = indicator.journey
    saved = request.query_params.get("saved")
    return render(
        request,
        "measurements.html",
        {
            "indicator": indicator,
            "values": values,
            "zone": zone,
            "zone_name": str(zone),
            "now": datetime.now(zone).strftime("%Y-%m-%dT%H:%M"),
            "problems": problems or [],
            "entered": entered or {},
            "saved": saved,
            "value_page": f"/journeys/{journey}/analyses/value" if journey else "/analyses",
        },
        status_code=status_code,
    )


@router.get("/indicators/{indicator_id}/measurements")
def measurements_page(
    request: Request, state: State, editor: EditorRequired, indicator_id: str
) -> Response:
    """The form for a value entered by hand, and the indicator's latest values."""
    return _page(request, state, indicator_id)


def _parse(when: str, value: str, zone: ZoneInfo) -> tuple[datetime, float]:
    problems = []
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(when.strip())
    except ValueError:
        problems.append(
            Problem(
                "the time is not a date and time",
                Location(field="measurement.timestamp"),
                found=when,
                expected="YYYY-MM-DDTHH:MM",
            )
        )
    number: float | None = None
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        problems.append(
            Problem(
                "the value is not a number",
                Location(field="measurement.value"),
                found=value,
                expected="a number such as 42 or 99.5",
            )
        )
    if problems or moment is None or number is None:
        raise InputError(problems, title="the value was not stored")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment, number


@router.post("/indicators/{indicator_id}/measurements")
def enter_measurement(
    request: Request,
    state: State,
    editor: EditorRequired,
    indicator_id: str,
    timestamp: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    segment: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store one value entered by hand; who entered it is the signed-in account."""
    _indicator(state, indicator_id)
    entered = {"timestamp": timestamp, "value": value, "segment": segment}
    try:
        moment, number = _parse(timestamp, value, _zone(state))
        with writer_of(request.app).paused():
            result = record_measurement(
                state.workspace,
                indicator_id,
                moment,
                number,
                entered_by=editor.name,
                segment=segment.strip() or None,
            )
    except CojourneyError as exc:
        problems = list(exc.problems) if isinstance(exc, InputError) else [Problem(str(exc))]
        return _page(
            request, state, indicator_id, status_code=422, problems=problems, entered=entered
        )
    if result.rows_imported == 0 and not result.already_imported:
        kept = list(result.conflicts) or [
            Problem(
                "a value for this indicator, time and segment is stored already",
                Location(field="measurement.timestamp"),
                hint="the first value is kept: undo its import on the imports page to replace it",
            )
        ]
        return _page(request, state, indicator_id, status_code=409, problems=kept, entered=entered)
    log.info(
        "%s entered %s = %s at %s (import #%d)",
        editor.name,
        indicator_id,
        number,
        moment.isoformat(),
        result.import_id,
    )
    return RedirectResponse(
        f"/indicators/{indicator_id}/measurements?saved={result.import_id}", status_code=303
    )
