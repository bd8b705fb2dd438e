"""The experience report of a workspace: its survey answers against a designed journey.

:func:`experience_report` is what ``cojourney experience WORKSPACE`` runs: it loads the
workspace, picks the journey, opens the event store read-only, runs
:func:`cojourney.analytics.experience.analyze_experience` and closes the store again.
The scales of custom questions declared in the workspace's saved feedback mappings
(``--scale`` at import) are used, so their answers count in the normalised analyses.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cojourney.errors import InputError, NotFound
from cojourney.services.analysis import choose_journey
from cojourney.services.engine_choice import check_engine, events_on
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.experience_results import ExperienceAnalysis
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.events.store import EventSource

__all__ = ["custom_scales", "experience_report"]

log = logging.getLogger(__name__)


def experience_report(
    workspace: WorkspaceRef,
    *,
    journey_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    segment: str | Sequence[str] | None = None,
    source: EventSource | None = None,
    scales: Mapping[str, tuple[float, float]] | None = None,
    by: Sequence[str] = (),
    journey_filter: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> ExperienceAnalysis:
    """Measure the experience of a workspace's journey from its imported survey answers.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    journey_id
        The designed journey; by default the workspace's default journey, else its
        first journey.
    start, end
        Only answers given in ``[start, end)`` (naive datetimes are UTC).
    segment
        Only answers of this segment or persona (or of these).
    source
        An open source holding the ``feedback`` log; by default the workspace's
        event store (``data/events.duckdb``), opened read-only.
    scales
        Scales of custom questions, on top of those of the saved feedback mappings.
    by
        More breakdowns: ``persona``, ``cohort`` or a case attribute of the answers'
        journeys (from their events).
    journey_filter
        Only answers of the journeys it keeps by case attribute, persona and cohort
        (the workspace's persona rules apply).
    engine
        ``"duckdb"`` or ``"spark"``: where the analysis runs, breakdowns (``by``)
        included (:func:`cojourney.services.engine_choice.events_on`); by default the
        ``engine`` setting (of the handle's settings).
    spark_master, spark_remote
        With ``engine="spark"``: a Spark master or Spark Connect URL (default: the
        settings, else local mode).

    Returns
    -------
    ExperienceAnalysis
        Scores with intervals, the emotion curve, touchpoint-versus-journey gap,
        peak-end and moments of truth; ``source`` names the store.

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No such journey, or no survey answers imported yet.
    cojourney.errors.InputError
        An empty time range.
    """
    from cojourney.analytics.experience import analyze_experience

    model = as_handle(workspace).model()
    journey = choose_journey(model, journey_id)
    if journey_filter is not None:
        from cojourney.analytics.segments import GroupRules

        journey_filter = dataclasses.replace(journey_filter, rules=GroupRules.of(model))
    known = {**custom_scales(workspace), **(scales or {})}
    settings = as_handle(workspace).settings
    engine = check_engine(engine, settings)
    owned = source is None
    if source is None:
        if not as_handle(workspace).events_path.is_file():
            raise NotFound(
                f"{workspace}: no survey answers imported yet. Import them first (import.feedback)."
            )
        source = as_handle(workspace).open_events()
    try:
        with events_on(
            source,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=settings,
        ) as on:
            result = analyze_experience(
                on,
                model,
                journey.id,
                start=start,
                end=end,
                segment=segment,
                scales=known,
                by=by,
                journey_filter=journey_filter,
            )
    finally:
        if owned:
            source.close()
    log.info(
        "experience report of %s, journey %s: %d answers",
        workspace,
        journey.id,
        result.answers,
    )
    return result


def custom_scales(workspace: WorkspaceRef) -> dict[str, tuple[float, float]]:
    """``{question: (lowest, highest)}`` of the custom questions of the workspace's saved
    feedback mappings (a mapping file with problems is skipped, with a warning)."""
    from cojourney.events.mappings import MappingLibrary

    library = MappingLibrary(as_handle(workspace).mappings_folder)
    scales: dict[str, tuple[float, float]] = {}
    for name in library.names():
        try:
            mapping = library.load(name)
        except (InputError, NotFound) as exc:
            log.warning("skipping the mapping %s: %s", name, exc)
            continue
        if mapping.kind == "feedback":
            for question, scale in mapping.feedback.scales.items():
                scales.setdefault(question, scale)
    return scales
