"""Capture: ``POST /api/events`` and ``POST /api/feedback`` (see :mod:`cojourney.services.ingest`).

Each takes a JSON array of items with ids and an ``ingest`` token (editors and owners
may send too). The answer is 200 with the counts once the batch is durable; 422 with
every problem located (``[index].field``) and nothing stored; 413 when the body or
the batch is too large; 503 with ``Retry-After`` while another process (an import
from the CLI) holds the event store: send the same batch again, its ids make that safe.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cojourney.events.store import StoreInUse
from cojourney.services.ingest import (
    AnswerIn,
    EventIn,
    IngestCounts,
    IngestKind,
    IngestWriter,
    validate_batch,
)
from cojourney.web.api_docs import AUTH_RESPONSES, _error
from cojourney.web.deps import IngestRequired, State
from cojourney.web.state import WebState

router = APIRouter(prefix="/api", tags=["capture"], responses=AUTH_RESPONSES)

#: Seconds a client is told to wait when the store is busy.
RETRY_AFTER = 1

INGEST_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: _error(
        "The body is larger than ingest_max_body_bytes, or the batch has more items "
        "than ingest_max_batch."
    ),
    422: _error("The batch is refused as a whole; each problem is located as [index].field."),
    503: _error("Another process holds the event store; retry after Retry-After seconds."),
}


class IngestResult(BaseModel):
    """What a batch did, once it is durable."""

    received: int = Field(description="Items in the batch.")
    new: int = Field(description="Items stored now.")
    known: int = Field(
        description="Items not stored again: their id was stored already, or came earlier "
        "in the batch (the first one is kept)."
    )


def _body_doc(model: type[BaseModel], what: str) -> dict[str, Any]:
    """The request body in the OpenAPI description (the route reads and checks it itself)."""
    schema = {"type": "array", "minItems": 1, "items": model.model_json_schema()}
    return {
        "requestBody": {
            "required": True,
            "description": what,
            "content": {"application/json": {"schema": schema}},
        }
    }


@router.post(
    "/events",
    responses=INGEST_RESPONSES,
    openapi_extra=_body_doc(EventIn, "The events (at most ingest_max_batch), each with an id."),
)
async def post_events(request: Request, state: State, sender: IngestRequired) -> IngestResult:
    """Store a batch of events (all of it, or nothing); retried batches add nothing."""
    return await _ingest(request, state, "events")


@router.post(
    "/feedback",
    responses=INGEST_RESPONSES,
    openapi_extra=_body_doc(AnswerIn, "The answers (at most ingest_max_batch), each with an id."),
)
async def post_feedback(request: Request, state: State, sender: IngestRequired) -> IngestResult:
    """Store a batch of survey answers (all of it, or nothing); retried batches add nothing."""
    return await _ingest(request, state, "feedback")


async def _ingest(request: Request, state: WebState, kind: IngestKind) -> IngestResult:
    settings = state.settings
    body = await _read_body(request, settings.ingest_max_body_bytes)
    try:
        items: object = json.loads(body)
    except ValueError as exc:
        raise HTTPException(422, f"the body is not JSON: {exc}") from None
    if isinstance(items, list) and len(items) > settings.ingest_max_batch:
        raise HTTPException(
            413,
            f"the batch has {len(items)} items; at most {settings.ingest_max_batch} "
            "(setting ingest_max_batch): send smaller batches",
        )
    checked = validate_batch(kind, items, max_items=settings.ingest_max_batch)
    try:
        counts: IngestCounts = await run_in_threadpool(writer_of(request.app).write, kind, checked)
    except StoreInUse as exc:
        raise HTTPException(
            503,
            f"the event store is in use by another process ({exc}); nothing was stored, "
            "send the batch again",
            headers={"Retry-After": str(RETRY_AFTER)},
        ) from None
    return IngestResult(received=counts.received, new=counts.new, known=counts.known)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes (ingest_max_body_bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                413, f"the body is larger than {limit} bytes (ingest_max_body_bytes)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


_WRITER_LOCK = threading.Lock()


def writer_of(app: FastAPI) -> IngestWriter:
    """The app's one writer of ingested batches (made on first use)."""
    with _WRITER_LOCK:
        writer = getattr(app.state, "ingest_writer", None)
        if not isinstance(writer, IngestWriter):
            writer = IngestWriter(web_state_of(app).workspace)
            app.state.ingest_writer = writer
    return writer


def web_state_of(app: FastAPI) -> WebState:
    state = app.state.web
    assert isinstance(state, WebState)
    return state
