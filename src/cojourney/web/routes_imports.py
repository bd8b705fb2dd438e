"""Imports in the browser (editors and owners): upload, preview, import with progress, undo.

``GET /imports`` lists the imports (with an undo form each) and the upload form.
``POST /imports/upload`` streams the file to ``WORKSPACE/data/uploads`` (at most
``upload_max_bytes``; 413 beyond, nothing kept) and shows the preview: the first
rows and the mapping ``cojourney import`` would use, as selects to adjust.
``POST /imports/uploads/{id}/run`` runs the import in a worker thread, with the
server's one writer paused (:meth:`cojourney.services.ingest.IngestWriter.paused`);
``GET /imports/jobs/{id}`` shows its progress (refreshing itself without JavaScript;
``imports.js`` polls ``/imports/jobs/{id}.json``), then its result: the counts, the
row errors with their lines, and their CSV download.

The upload form's ``kind`` says what the file holds, as the kind of ``cojourney import``:
an event log, survey answers (``feedback``, long or wide layout) or value-indicator
measurements (``measurements``); the preview's mapping form then has that kind's
fields (:mod:`cojourney.web.import_kinds`).
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response

from cojourney.errors import CojourneyError, InputError, Problem
from cojourney.events.store_ingest import ImportProgress
from cojourney.services.imports import (
    ImportResult,
    delete_import,
    list_imports,
)
from cojourney.services.measurement_imports import MeasurementImportResult
from cojourney.services.upload_preview import UploadKind, preview_upload
from cojourney.web.deps import (
    ALLOWED,
    EditorRequired,
    NotSignedIn,
    OptionalPrincipal,
    Principal,
    RequireRole,
    State,
    check_csrf,
)
from cojourney.web.import_kinds import KINDS, ImportForm, parse_kind, run_form
from cojourney.web.routes_ingest import writer_of
from cojourney.web.security import CSRF_FIELD
from cojourney.web.state import WebState
from cojourney.web.templating import render
from cojourney.web.uploads import (
    UploadInvalid,
    UploadTooLarge,
    discard_upload,
    receive_upload,
    upload_path,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/imports", include_in_schema=False)


@dataclass
class ImportJob:
    """An import running (or done) in a worker thread."""

    id: str
    upload_id: str
    source: str
    stage: str = "queued"
    fraction: float | None = None
    rows: int | None = None
    done: bool = False
    result: ImportResult | MeasurementImportResult | None = None
    kind: UploadKind = "events"
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None

    def progress(self, update: ImportProgress) -> None:
        self.stage, self.fraction, self.rows = update.stage, update.fraction, update.rows

    def as_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id,
            "kind": self.kind,
            "stage": self.stage,
            "fraction": self.fraction,
            "rows": self.rows,
            "done": self.done,
            "ok": self.done and r is not None,
            "import_id": r.import_id if r else None,
            "rows_imported": r.rows_imported if r else None,
            "rows_duplicate": r.rows_duplicate if r else None,
            "rows_rejected": r.rows_rejected if r else None,
            "already_imported": r.already_imported if r else None,
            "errors": len(self.problems) if not r else len(r.rejected),
        }


_JOBS_LOCK = threading.Lock()
#: Finished jobs kept for their result pages (the oldest go first).
_JOBS_KEPT = 50


def _jobs(request: Request) -> dict[str, ImportJob]:
    with _JOBS_LOCK:
        jobs = getattr(request.app.state, "import_jobs", None)
        if not isinstance(jobs, dict):
            jobs = {}
            request.app.state.import_jobs = jobs
    return jobs


def _history(request: Request, state: WebState) -> list[Any]:
    with writer_of(request.app).paused():
        return list_imports(state.workspace)


def _page(request: Request, state: WebState, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "imports": list(reversed(_history(request, state))),
        "max_bytes": state.settings.upload_max_bytes,
        "problems": [],
        "notice": None,
        "kinds": KINDS,
        **extra,
    }
    return render(request, "imports.html", context, status_code=status_code)


@router.get("")
def imports_page(request: Request, state: State, editor: EditorRequired) -> Response:
    """The upload form and the import history, newest first, each with an undo form."""
    return _page(request, state)


class EditorForUpload(RequireRole):
    """``RequireRole("editor")`` that leaves the CSRF check to the route.

    The CSRF field of a multipart form is read from the streamed body
    (:func:`cojourney.web.uploads.receive_upload`), not by Starlette's form parser,
    which would spool the whole file to the system's temporary folder first.
    """

    def __init__(self) -> None:
        super().__init__("editor")

    def __call__(  # type: ignore[override]
        self, request: Request, state: State, principal: OptionalPrincipal
    ) -> Principal:
        if principal is None:
            raise NotSignedIn()
        if principal.role not in ALLOWED[self.role]:
            raise HTTPException(
                403, f"this needs the {self.role.value} role; you are {principal.role.value}"
            )
        return principal


@router.post("/upload")
async def upload(
    request: Request,
    state: State,
    principal: Annotated[Principal, Depends(EditorForUpload())],
) -> Response:
    """Stream the file to disk (size-limited), check the CSRF token, show the preview."""
    limit = state.settings.upload_max_bytes
    try:
        received = await receive_upload(request, state.workspace, limit)
    except UploadTooLarge:
        raise HTTPException(
            413, f"the file is larger than {limit} bytes (setting upload_max_bytes); nothing kept"
        ) from None
    except UploadInvalid as exc:
        raise HTTPException(422, str(exc)) from None
    if principal.session_id is not None:
        try:
            check_csrf(state, request, received.fields.get(CSRF_FIELD))
        except HTTPException:
            discard_upload(state.workspace, received.upload_id)
            raise
    assert received.path is not None
    try:
        kind = parse_kind(received.fields.get("kind"))
    except InputError:
        discard_upload(state.workspace, received.upload_id)
        raise
    return _preview(request, state, received.upload_id, received.path, kind)


def _preview(
    request: Request, state: WebState, upload_id: str, path: Path, kind: UploadKind
) -> Response:
    try:
        preview = preview_upload(state.workspace, path, kind=kind)
    except CojourneyError as exc:
        discard_upload(state.workspace, upload_id)
        return _page(request, state, 422, problems=_rendered(exc))
    return render(
        request,
        "import_preview.html",
        {
            "upload_id": upload_id,
            "name": path.name,
            "preview": preview,
            "fields": preview.fields,
            "kind_label": KINDS[kind],
        },
    )


@router.get("/uploads/{upload_id}")
def upload_preview(
    request: Request, state: State, editor: EditorRequired, upload_id: str, kind: str = "events"
) -> Response:
    """The preview of an upload not imported yet (to try another mapping after a refusal)."""
    path = upload_path(state.workspace, upload_id)
    if path is None:
        raise HTTPException(404, "no such upload (it was imported or discarded); upload it again")
    return _preview(request, state, upload_id, path, parse_kind(kind))


@router.post("/uploads/{upload_id}/run")
def run_import(
    request: Request,
    state: State,
    editor: EditorRequired,
    upload_id: str,
    kind: Annotated[str, Form(max_length=20)] = "events",
    journey_id: Annotated[str, Form(max_length=200)] = "",
    activity: Annotated[str, Form(max_length=200)] = "",
    timestamp: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=200)] = "",
    actor: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=200)] = "",
    segment: Annotated[str, Form(max_length=200)] = "",
    question: Annotated[str, Form(max_length=200)] = "",
    score: Annotated[str, Form(max_length=200)] = "",
    touchpoint: Annotated[str, Form(max_length=200)] = "",
    step: Annotated[str, Form(max_length=200)] = "",
    comment: Annotated[str, Form(max_length=200)] = "",
    respondent: Annotated[str, Form(max_length=200)] = "",
    indicator: Annotated[str, Form(max_length=200)] = "",
    value: Annotated[str, Form(max_length=200)] = "",
    score_columns: Annotated[str, Form(max_length=4000)] = "",
    text_columns: Annotated[str, Form(max_length=4000)] = "",
    journey_questions: Annotated[str, Form(max_length=1000)] = "",
    timestamp_format: Annotated[str, Form(max_length=200)] = "",
    mapping_name: Annotated[str, Form(max_length=100)] = "",
    preset: Annotated[str, Form(max_length=100)] = "",
    on_error: Annotated[str, Form(max_length=10)] = "fail",
) -> Response:
    """Start the import of an upload in a worker thread; go to its progress page."""
    path = upload_path(state.workspace, upload_id)
    if path is None:
        raise HTTPException(404, "no such upload (it was imported or discarded); upload it again")
    if on_error not in ("fail", "skip"):
        raise HTTPException(422, "on_error must be fail or skip")
    columns = {
        "journey_id": journey_id,
        "activity": activity,
        "timestamp": timestamp,
        "channel": channel,
        "actor": actor,
        "role": role,
        "segment": segment,
        "question": question,
        "score": score,
        "touchpoint": touchpoint,
        "step": step,
        "comment": comment,
        "respondent": respondent,
        "indicator": indicator,
        "value": value,
    }
    form = ImportForm(
        parse_kind(kind),
        columns,
        timestamp_format=timestamp_format,
        mapping_name=mapping_name,
        preset=preset,
        score_columns=score_columns,
        text_columns=text_columns,
        journey_questions=journey_questions,
        on_error="skip" if on_error == "skip" else "fail",
    )
    form.flags()  # a malformed QUESTION=COLUMN pair is refused here, with its field
    job = ImportJob(secrets.token_hex(8), upload_id, path.name, kind=form.kind)
    jobs = _jobs(request)
    with _JOBS_LOCK:
        for old in [k for k, j in jobs.items() if j.done][: max(0, len(jobs) - _JOBS_KEPT)]:
            del jobs[old]
        jobs[job.id] = job
    thread = threading.Thread(
        target=_work,
        args=(request, state, job, path, form),
        name=f"cojourney-import-{job.id}",
        daemon=True,
    )
    thread.start()
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


def _work(request: Request, state: WebState, job: ImportJob, path: Path, form: ImportForm) -> None:
    try:
        with writer_of(request.app).paused():
            job.stage = "importing"
            job.result = run_form(state.workspace, path, form, progress=job.progress)
        discard_upload(state.workspace, job.upload_id)
    except CojourneyError as exc:
        job.problems = list(exc.problems) if isinstance(exc, InputError) else []
        job.title = str(exc).splitlines()[0] if str(exc) else "the import failed"
        if not job.problems:
            job.problems = [Problem(str(exc))]
    except Exception:
        log.exception("import of %s failed", path)
        job.title = "the import failed unexpectedly; the server log has the details"
    finally:
        job.stage = "done"
        job.done = True


def _job(request: Request, job_id: str) -> ImportJob:
    job = _jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, "no such import job (the server may have restarted)")
    return job


@router.get("/jobs/{job_id}.json")
def job_status(request: Request, editor: EditorRequired, job_id: str) -> dict[str, Any]:
    """Where an import is, for the page's script."""
    return _job(request, job_id).as_json()


@router.get("/jobs/{job_id}")
def job_page(request: Request, state: State, editor: EditorRequired, job_id: str) -> Response:
    """The progress of an import (refreshes itself until done), then its result."""
    job = _job(request, job_id)
    errors = list(job.result.rejected) if job.result else job.problems
    retry = job.done and job.result is None and upload_path(state.workspace, job.upload_id)
    return render(
        request,
        "import_job.html",
        {
            "job": job,
            "result": job.result,
            "errors": errors,
            "percent": _percent(job),
            "retry": bool(retry),
        },
    )


@router.get("/jobs/{job_id}/errors.csv")
def job_errors(request: Request, editor: EditorRequired, job_id: str) -> Response:
    """The row errors of an import as CSV: line, column, field, value, message, fix."""
    job = _job(request, job_id)
    errors = list(job.result.rejected) if job.result else job.problems
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "field", "found", "message", "expected", "hint"])
    for p in errors:
        loc = p.location
        writer.writerow(
            [
                loc.line if loc else "",
                loc.column if loc else "",
                loc.field if loc else "",
                p.found or "",
                p.message,
                p.expected or "",
                p.hint or "",
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-errors-{job.id}.csv"'},
    )


@router.get("/{import_id}/quarantine.csv")
def quarantine_file(
    request: Request, state: State, editor: EditorRequired, import_id: int
) -> Response:
    """The rows an import skipped (``on_error`` skip), with a reason column."""
    record = next((r for r in _history(request, state) if r.id == import_id), None)
    if record is None or not record.quarantine_path or not Path(record.quarantine_path).is_file():
        raise HTTPException(404, f"import #{import_id} has no skipped rows")
    return FileResponse(
        record.quarantine_path,
        media_type="text/csv",
        filename=f"import-{import_id}-skipped.csv",
    )


@router.post("/{import_id}/undo")
def undo_import(
    request: Request,
    state: State,
    editor: EditorRequired,
    import_id: int,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Undo an import (its events go); the form's confirm box must be ticked."""
    if confirm != "yes":
        return _page(
            request,
            state,
            422,
            problems=[f"tick the box to confirm the undo of import #{import_id}"],
        )
    try:
        with writer_of(request.app).paused():
            deleted = delete_import(state.workspace, import_id)
    except CojourneyError as exc:
        return _page(request, state, 404, problems=_rendered(exc))
    log.info("import #%d undone by %s (%d rows)", import_id, editor.name, deleted.rows_removed)
    return RedirectResponse("/imports", status_code=303)


@router.post("/uploads/{upload_id}/discard")
def discard(state: State, editor: EditorRequired, upload_id: str) -> Response:
    """Drop an upload without importing it."""
    discard_upload(state.workspace, upload_id)
    return RedirectResponse("/imports", status_code=303)


def _percent(job: ImportJob) -> int | None:
    if job.done:
        return 100
    return None if job.fraction is None else round(job.fraction * 100)


def _rendered(exc: CojourneyError) -> list[str]:
    if isinstance(exc, InputError):
        return [p.render() for p in exc.problems]
    return [str(exc)]
