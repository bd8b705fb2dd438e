"""Versions: numbered snapshots of a model entity (a journey, a persona...), with who, when and why."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.storage.models import Version, valid_id

log = logging.getLogger(__name__)

SNAPSHOT_FORMATS: tuple[str, ...] = ("yaml", "json")


def save_version(
    session: Session,
    entity_kind: str,
    entity_id: str,
    *,
    author: str,
    snapshot: str,
    snapshot_format: str = "yaml",
    message: str = "",
) -> Version:
    """Store the next version of ``entity_kind``/``entity_id`` (numbered 1, 2, ...).

    Two writers saving at once get different numbers: the unique constraint
    refuses the second, which then takes the next number.
    """
    if snapshot_format not in SNAPSHOT_FORMATS:
        raise InputError(
            Problem(
                "unknown snapshot format",
                Location(field="snapshot_format"),
                found=repr(snapshot_format),
                expected=" | ".join(SNAPSHOT_FORMATS),
            )
        )
    for _attempt in range(3):
        number = 1 + (
            session.scalar(
                select(func.max(Version.number)).where(
                    Version.entity_kind == entity_kind, Version.entity_id == entity_id
                )
            )
            or 0
        )
        version = Version(
            entity_kind=entity_kind,
            entity_id=entity_id,
            number=number,
            author=author,
            message=message,
            snapshot_format=snapshot_format,
            snapshot=snapshot,
        )
        try:
            with session.begin_nested():
                session.add(version)
        except IntegrityError:
            continue
        log.info("saved %s %s version %d by %s", entity_kind, entity_id, number, author)
        return version
    raise InputError(  # pragma: no cover - three concurrent writers in a row
        Problem("the version could not be numbered; save again", Location(field="number"))
    )


def list_versions(session: Session, entity_kind: str, entity_id: str) -> list[Version]:
    """The versions of one entity, newest first."""
    return list(
        session.scalars(
            select(Version)
            .where(Version.entity_kind == entity_kind, Version.entity_id == entity_id)
            .order_by(Version.number.desc())
        )
    )


def get_version(session: Session, entity_kind: str, entity_id: str, number: int) -> Version:
    """Version ``number`` of one entity, or :class:`~cojourney.errors.NotFound`."""
    if not valid_id(number):
        raise NotFound(f"no version {number} of {entity_kind} {entity_id!r}")
    version = session.scalars(
        select(Version).where(
            Version.entity_kind == entity_kind,
            Version.entity_id == entity_id,
            Version.number == number,
        )
    ).first()
    if version is None:
        raise NotFound(f"no version {number} of {entity_kind} {entity_id!r}")
    return version
