"""Saving edits from the web: versions kept in the database, one function that saves.

:class:`SqlVersionStore` implements the
:class:`~cojourney.services.versions.VersionStore` protocol on the web state's
``versions`` table: the whole workspace model is one versioned entity (kind
:data:`MODEL_KIND`, id :data:`MODEL_ID`), each row holding one
:class:`~cojourney.services.versions.VersionRecord` as JSON. Numbers come from the
table's unique (kind, id, number) constraint, so two servers on one database never
give one number twice.

:func:`save_edits` is what every editing route calls: ``apply_edits`` with the
signed-in user as author and this store, then the workspace handle forgets its
cached model so the next page reads the saved files.
"""

from __future__ import annotations

import builtins
import json
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from cojourney.services.editing import EditResult, apply_edits, current_version, restore
from cojourney.services.versions import VersionRecord
from cojourney.spec.yaml_edit import Edit
from cojourney.storage.versions import get_version, list_versions, save_version
from cojourney.web.deps import Principal
from cojourney.web.state import WebState

log = logging.getLogger(__name__)

#: The entity kind and id under which the model's versions are kept.
MODEL_KIND = "model"
MODEL_ID = "workspace"


class SqlVersionStore:
    """The model's versions in the web state's ``versions`` table (a VersionStore)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def record(self, version: VersionRecord) -> VersionRecord:
        """Keep ``version`` under the next number and return it numbered."""
        with self.sessions.begin() as db:
            row = save_version(
                db,
                MODEL_KIND,
                MODEL_ID,
                author=version.author,
                snapshot=json.dumps(version.to_json()),
                snapshot_format="json",
                message=version.message or "",
            )
            number = row.number
        numbered = VersionRecord.from_json({**version.to_json(), "number": number})
        log.info("recorded model version %d by %s", number, version.author)
        return numbered

    def list(
        self, collection: str | None = None, item: str | None = None
    ) -> builtins.list[VersionRecord]:
        """The versions, oldest first; with ``collection``/``item``, those that changed it."""
        with self.sessions() as db:
            rows = list_versions(db, MODEL_KIND, MODEL_ID)
            records = [_record(row.number, row.snapshot) for row in reversed(rows)]
        if collection is None and item is None:
            return records
        return [r for r in records if r.touches(collection, item)]

    def get(self, number: int) -> VersionRecord:
        """Version ``number``, or :class:`~cojourney.errors.NotFound`."""
        with self.sessions() as db:
            row = get_version(db, MODEL_KIND, MODEL_ID, number)
            return _record(row.number, row.snapshot)


def _record(number: int, snapshot: str) -> VersionRecord:
    return VersionRecord.from_json({**json.loads(snapshot), "number": number})


def version_store(state: WebState) -> SqlVersionStore:
    """The version store of the app ``state``."""
    return SqlVersionStore(state.sessions)


def base_version(state: WebState) -> str:
    """The fingerprint an editor page starts from (its hidden ``base_version``)."""
    return current_version(state.reader.handle)


def save_edits(
    state: WebState,
    principal: Principal,
    edits: Sequence[Edit],
    *,
    base: str,
    message: str | None = None,
) -> EditResult:
    """Apply ``edits`` made on ``base`` as ``principal``, record the version; the
    workspace handle keeps the model the save validated (no re-check on the next page).

    Raises what :func:`~cojourney.services.editing.apply_edits` raises: ``Conflict``
    (409), ``EditRejected`` (422 with located problems), ``NotFound``.
    """
    try:
        return apply_edits(
            state.reader.handle,
            edits,
            base_version=base,
            author=principal.name,
            message=message or None,
            versions=version_store(state),
        )
    except BaseException:
        state.reader.handle.forget()  # a save adopts the model it wrote; a failure re-reads
        raise


def restore_version(
    state: WebState, principal: Principal, number: int, *, message: str | None = None
) -> EditResult:
    """Bring the model back to version ``number`` as a new version by ``principal``."""
    try:
        return restore(
            state.reader.handle, version_store(state), number, principal.name, message=message
        )
    except BaseException:
        state.reader.handle.forget()
        raise
