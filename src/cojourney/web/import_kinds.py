"""The three kinds of browser import: event logs, survey answers and measurements.

The import page's mapping form differs by kind (the fields of
:func:`cojourney.services.upload_preview.preview_upload`); this module turns the
submitted form into the arguments of the service that ``cojourney import`` calls for each kind
(:func:`~cojourney.services.imports.import_events`,
:func:`~cojourney.services.imports.import_feedback`,
:func:`~cojourney.services.measurement_imports.import_measurements`) and runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cojourney.errors import InputError, Location, Problem
from cojourney.events.mappings import MappingFlags
from cojourney.events.store_ingest import ProgressCallback
from cojourney.services.imports import ImportResult, OnError, import_events, import_feedback
from cojourney.services.measurement_imports import MeasurementImportResult, import_measurements
from cojourney.services.upload_preview import UploadKind

__all__ = ["KINDS", "ImportForm", "parse_kind", "run_form"]

#: The kinds, with the words the upload form shows for them.
KINDS: dict[UploadKind, str] = {
    "events": "an event log",
    "feedback": "survey answers (feedback)",
    "measurements": "value-indicator measurements",
}


def parse_kind(raw: str | None) -> UploadKind:
    """The kind named in a form or query (empty: ``events``)."""
    value = (raw or "events").strip() or "events"
    if value == "feedback":
        return "feedback"
    if value == "measurements":
        return "measurements"
    if value == "events":
        return "events"
    raise InputError(
        Problem(
            "unknown kind of import",
            Location(field="kind"),
            found=value,
            expected=", ".join(KINDS),
        )
    )


@dataclass(frozen=True)
class ImportForm:
    """The mapping form of the preview page, as submitted (empty text: not given)."""

    kind: UploadKind
    columns: Mapping[str, str]
    timestamp_format: str = ""
    mapping_name: str = ""
    preset: str = ""
    score_columns: str = ""
    text_columns: str = ""
    journey_questions: str = ""
    on_error: OnError = "fail"

    def flags(self) -> MappingFlags:
        """The mapping flags of an event or feedback import."""

        def given(name: str) -> str | None:
            return self.columns.get(name) or None

        timestamp_format = self.timestamp_format or None
        if self.kind == "feedback":
            return MappingFlags(
                journey_id=given("journey_id"),
                timestamp=given("timestamp"),
                channel=given("channel"),
                segment=given("segment"),
                question=given("question"),
                score=given("score"),
                touchpoint=given("touchpoint"),
                step=given("step"),
                comment=given("comment"),
                respondent=given("respondent"),
                timestamp_format=timestamp_format,
                score_columns=_pairs(self.score_columns, "score_columns"),
                text_columns=_pairs(self.text_columns, "text_columns"),
                journey_questions=tuple(
                    dict.fromkeys(q.strip() for q in self.journey_questions.split(",") if q.strip())
                ),
            )
        return MappingFlags(
            journey_id=given("journey_id"),
            activity=given("activity"),
            timestamp=given("timestamp"),
            channel=given("channel"),
            actor=given("actor"),
            role=given("role"),
            segment=given("segment"),
            timestamp_format=timestamp_format,
        )


def _pairs(text: str, field: str) -> dict[str, str]:
    """``QUESTION=COLUMN`` lines (or comma-separated pairs) as a dict."""
    pairs: dict[str, str] = {}
    problems: list[Problem] = []
    items = [item.strip() for line in text.splitlines() for item in line.split(",")]
    for number, item in enumerate((i for i in items if i), start=1):
        question, equals, column = item.partition("=")
        if not equals or not question.strip() or not column.strip():
            problems.append(
                Problem(
                    f"pair {number} is not QUESTION=COLUMN",
                    Location(field=field),
                    found=item,
                    expected="QUESTION=COLUMN, e.g. csat=Q1",
                )
            )
            continue
        pairs[question.strip()] = column.strip()
    if problems:
        raise InputError(problems, title="the question columns are not QUESTION=COLUMN pairs")
    return pairs


def run_form(
    workspace: Path,
    file: Path,
    form: ImportForm,
    progress: ProgressCallback | None = None,
) -> ImportResult | MeasurementImportResult:
    """Import ``file`` as ``form`` says, with the service of its kind."""
    if form.kind == "measurements":
        from cojourney.events.measurements_ingest import MeasurementColumns

        def column(name: str) -> str | None:
            return form.columns.get(name) or None

        mode: Literal["fail", "skip"] = "skip" if form.on_error == "skip" else "fail"
        return import_measurements(
            workspace,
            file,
            columns=MeasurementColumns(
                indicator=column("indicator"),
                timestamp=column("timestamp"),
                value=column("value"),
                segment=column("segment"),
                timestamp_format=form.timestamp_format or None,
            ),
            on_error=mode,
        )
    run = import_feedback if form.kind == "feedback" else import_events
    return run(
        workspace,
        file,
        mapping=form.mapping_name or None,
        flags=form.flags(),
        on_error=form.on_error,
        progress=progress,
        preset=form.preset or None,
    )
