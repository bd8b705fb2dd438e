"""What the OpenAPI description says about errors and authentication.

Every error body has the same shape, ``{"detail": ..., "problems": [...]}``; the
routers declare which statuses they answer so that ``/openapi.json`` matches what
clients receive (a schemathesis test holds the two together).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from fastapi.security import APIKeyCookie, HTTPBearer
from pydantic import BaseModel

from cojourney.storage.models import MAX_ID
from cojourney.web.security import SESSION_COOKIE

#: A numeric id in a path: positive and within the database's integer range.
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ProblemOut(BaseModel):
    """One thing wrong with a request or the workspace: where, what, and how to fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    found: str | None = None
    expected: str | None = None
    hint: str | None = None


class ErrorBody(BaseModel):
    """Every error: a sentence, and the problems when there are several."""

    detail: str
    problems: list[ProblemOut] | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: Statuses every route behind a role may answer.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error("Not signed in, or the API token is unknown or revoked."),
    403: _error("The role does not allow it, or the CSRF token is missing."),
    422: _error("The request is not valid; the problems name each field."),
}
#: Statuses of routes that name an item by id.
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _error("No item with that id.")}
#: Statuses of routes that read the workspace's YAML files.
WORKSPACE: dict[int | str, dict[str, Any]] = {
    409: _error("The workspace has problems; they are listed, fix them first.")
}

#: Documentation only: the dependencies in cojourney.web.deps do the checking.
BEARER = HTTPBearer(auto_error=False, description="An API token from 'cojourney tokens create'.")
SESSION = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The session of a signed-in browser."
)
