"""Surveys at the touchpoints: public survey links and the answers they record.

A survey link asks one touchpoint's question (CSAT, CES, NPS, emotion or a question of
the workspace's ``surveys.yaml``) of anyone who holds it, with no account. The link's
token is a random secret of which the web-state database keeps only the digest
(:mod:`cojourney.storage.survey_links`). Answers are written into the ``feedback`` log
of the workspace's event store through the same path as an imported survey export
(:func:`cojourney.events.feedback_ingest.ingest_feedback`), so they count in the
experience, value and leakage analyses like imported answers.

Journeys. A link created for a journey id carries that id and an HMAC of it under the
server's secret key (``?j=ID&s=SIG``): the id cannot be changed without the key, so a
consumer cannot answer for another journey. A link without one gives each answer a
journey id of its own (``survey-<answer id>``); an unsigned or wrongly signed ``j`` is
refused.

Replays. Each rendered form carries a signed form token holding a one-time nonce; the
nonce's digest is stored when its answer is recorded, and a second post of the same
form records nothing. No personal data is stored beyond what the form asks: no IP
address, no cookie, no respondent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import secrets
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from cojourney.domain.workspace import Workspace
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events.feedback_schema import QUESTION_SCALES
from cojourney.storage.hashing import digest
from cojourney.storage.models import SurveyLink
from cojourney.storage.survey_links import (
    consume_nonce,
    create_survey_link,
    resolve_survey_link,
)

__all__ = [
    "COMMENT_MAX_LENGTH",
    "FORM_MAX_AGE_SECONDS",
    "AnswerOutcome",
    "SurveyForm",
    "SurveyQuestionView",
    "create_link",
    "journey_signature",
    "question_for",
    "record_answer",
    "reopen_form",
    "survey_form",
    "survey_url",
    "write_qr",
]

log = logging.getLogger(__name__)

#: Longest comment kept with an answer, in characters.
COMMENT_MAX_LENGTH = 1000
#: How long a rendered form can be sent, in seconds.
FORM_MAX_AGE_SECONDS = 24 * 60 * 60
#: Answers written one at a time: the event store has one writer.
_WRITE_LOCK = threading.Lock()

_FORM_SALT = "cojourney-survey-form"
_FORM_TOKEN_MAX_LENGTH = 1024
_STANDARD_TEXT = {
    "csat": "How satisfied are you with {name}?",
    "ces": "How easy was it to get what you needed at {name}?",
    "nps": "How likely are you to recommend us to a friend or colleague?",
    "emotion": "How did {name} make you feel?",
}
_STANDARD_ENDS = {
    "csat": ("Very dissatisfied", "Very satisfied"),
    "ces": ("Very difficult", "Very easy"),
    "nps": ("Not at all likely", "Extremely likely"),
    "emotion": ("Awful", "Delighted"),
}


@dataclass(frozen=True, slots=True)
class SurveyQuestionView:
    """The question a link asks: its id, text, scale and the words at both ends."""

    id: str
    text: str
    low: float
    high: float
    low_label: str
    high_label: str

    @property
    def choices(self) -> list[int]:
        """The whole-number answers of the scale, lowest first."""
        return list(range(math.ceil(self.low), math.floor(self.high) + 1))


@dataclass(frozen=True, slots=True)
class SurveyForm:
    """What the survey page shows: the question, the journey and the signed form token."""

    link_id: int
    touchpoint: str
    question: SurveyQuestionView
    journey_id: str | None
    form_token: str


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """One posted answer: recorded, or a replay of a form already answered."""

    recorded: bool
    answer_id: str | None
    journey_id: str | None


@dataclass(frozen=True, slots=True)
class CreatedLink:
    """A new survey link, with its URL (the only time the token is known)."""

    link: SurveyLink
    token: str
    url: str
    question: SurveyQuestionView
    journey_id: str | None


def question_for(
    workspace: Workspace, touchpoint: str, kind: str | None = None
) -> SurveyQuestionView:
    """The question asked at ``touchpoint``: ``kind`` if given, else the declared question
    asked there (``surveys.yaml``), else CSAT.

    Raises
    ------
    cojourney.errors.NotFound
        The workspace has no such touchpoint.
    cojourney.errors.InputError
        ``kind`` is neither a standard question nor one declared in the workspace.
    """
    points = {t.id: t for j in workspace.journeys for t in j.touchpoints}
    point = points.get(touchpoint)
    if point is None:
        known = sorted(points)
        listed = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
        raise NotFound(
            f"no touchpoint {touchpoint!r} in the workspace (known: {listed or 'none'}); "
            "check survey_link.touchpoint"
        )
    declared = {q.id: q for q in workspace.questions}
    if kind is None:
        kind = next((q.id for q in workspace.questions if touchpoint in q.touchpoints), "csat")
    standard = kind.lower()
    if standard in QUESTION_SCALES:
        low, high = QUESTION_SCALES[standard]
        ends = _STANDARD_ENDS[standard]
        text = _STANDARD_TEXT[standard].format(name=point.name)
        return SurveyQuestionView(standard, text, low, high, *ends)
    question = declared.get(kind)
    if question is None:
        raise InputError(
            Problem(
                "unknown survey question",
                Location(field="survey_link.question"),
                found=repr(kind),
                expected=" | ".join([*QUESTION_SCALES, *declared]),
                hint="use a standard question or declare it in surveys.yaml",
            )
        )
    return SurveyQuestionView(
        question.id, question.name, question.low, question.high, "Lowest", "Highest"
    )


def journey_signature(secret_key: str, token: str, journey_id: str) -> str:
    """The HMAC that binds ``journey_id`` to the link ``token`` (hex, 32 characters)."""
    message = f"survey-journey:{digest(token)}:{journey_id}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:32]


def survey_url(base_url: str, token: str, secret_key: str, journey_id: str | None = None) -> str:
    """The public URL of a link, with a signed journey id when one is given."""
    url = f"{base_url.rstrip('/')}/survey/{quote(token)}"
    if journey_id:
        query = {"j": journey_id, "s": journey_signature(secret_key, token, journey_id)}
        url += "?" + urlencode(query)
    return url


def create_link(
    session: Session,
    workspace: Workspace,
    touchpoint: str,
    *,
    secret_key: str,
    base_url: str,
    question: str | None = None,
    journey_id: str | None = None,
    created_by: int | None = None,
) -> CreatedLink:
    """Create a survey link asking ``touchpoint``'s question (the caller commits).

    With ``journey_id`` the link requires a signed journey id, and the URL returned
    carries this one.
    """
    view = question_for(workspace, touchpoint, question)
    if journey_id is not None and not journey_id.strip():
        raise InputError(Problem("an empty journey id", Location(field="survey_link.journey")))
    link, token = create_survey_link(
        session,
        touchpoint,
        view.id,
        journey_policy="signed" if journey_id else "anonymous",
        created_by=created_by,
    )
    url = survey_url(base_url, token, secret_key, journey_id)
    return CreatedLink(link, token, url, view, journey_id)


#: The QR code formats :func:`write_qr` writes, by file suffix.
QR_FORMATS: tuple[str, ...] = (".svg", ".png")


def write_qr(url: str, path: str | Path) -> Path:
    """Write ``url`` as a QR code to ``path`` (SVG or PNG, by suffix), atomically.

    Raises
    ------
    cojourney.errors.InputError
        ``path`` is neither ``.svg`` nor ``.png`` (field ``survey_link.qr``).
    """
    import segno

    from cojourney.files import atomic_output

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in QR_FORMATS:
        raise InputError(
            Problem(
                "a QR code is written as SVG or PNG",
                Location(str(target), field="survey_link.qr"),
                found=suffix or "(no suffix)",
                expected=" or ".join(QR_FORMATS),
            )
        )
    code = segno.make(url, error="m", micro=False)
    with atomic_output(target) as temp:
        code.save(str(temp), kind=suffix[1:], scale=8, border=4)
    return target


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_FORM_SALT)


def _journey(
    link: SurveyLink, token: str, secret_key: str, journey_id: str | None, signature: str | None
) -> str | None:
    """The journey a request answers for, its signature checked."""
    if not journey_id:
        if link.journey_policy == "signed":
            raise NotFound("this survey link needs its journey id")
        return None
    expected = journey_signature(secret_key, token, journey_id)
    if not signature or not hmac.compare_digest(expected, signature):
        raise NotFound("the journey id of this survey link is not signed by this server")
    return journey_id


def survey_form(
    session: Session,
    workspace: Workspace,
    token: str,
    *,
    secret_key: str,
    journey_id: str | None = None,
    signature: str | None = None,
) -> SurveyForm:
    """The form of the link ``token``, with a fresh one-time form token.

    Raises
    ------
    cojourney.errors.NotFound
        No enabled link has this token, its touchpoint is gone, or its journey id is
        missing or not signed.
    """
    link = resolve_survey_link(session, token)
    if link is None:
        raise NotFound("no such survey link, or it was disabled")
    view = question_for(workspace, link.touchpoint, link.question)
    journey = _journey(link, token, secret_key, journey_id, signature)
    payload = {"l": link.id, "n": secrets.token_urlsafe(18), "j": journey}
    form_token = _serializer(secret_key).dumps(payload)
    return SurveyForm(link.id, link.touchpoint, view, journey, form_token)


def reopen_form(
    session: Session, workspace: Workspace, token: str, form_token: str, *, secret_key: str
) -> SurveyForm:
    """The form of ``token`` again, with the same ``form_token`` (to show its problems).

    Raises
    ------
    cojourney.errors.NotFound
        No enabled link has this token, or the form token is not one of its forms.
    """
    link = resolve_survey_link(session, token)
    if link is None:
        raise NotFound("no such survey link, or it was disabled")
    try:
        payload = _serializer(secret_key).loads(form_token)
    except BadSignature:
        raise NotFound("the form was not made by this server") from None
    if not isinstance(payload, dict) or payload.get("l") != link.id:
        raise NotFound("the form belongs to another survey link")
    view = question_for(workspace, link.touchpoint, link.question)
    journey = payload.get("j")
    return SurveyForm(
        link.id, link.touchpoint, view, journey if isinstance(journey, str) else None, form_token
    )


def _problem(
    message: str, field: str, found: str | None, expected: str | None = None
) -> InputError:
    return InputError(Problem(message, Location(field=field), found=found, expected=expected))


def _score(view: SurveyQuestionView, raw: str | None) -> float:
    if raw is None or not raw.strip():
        raise _problem("choose an answer", "score", None, f"{view.low:g}..{view.high:g}")
    try:
        value = float(raw)
    except ValueError:
        raise _problem("the score is not a number", "score", repr(raw)[:40]) from None
    if not math.isfinite(value) or not view.low <= value <= view.high:
        raise _problem(
            "the score is outside the question's scale",
            "score",
            repr(raw)[:40],
            f"{view.low:g}..{view.high:g}",
        )
    return value


def record_answer(
    session: Session,
    workspace_path: str | Path,
    workspace: Workspace,
    token: str,
    form_token: str,
    score: str | None,
    comment: str | None = None,
    *,
    secret_key: str,
) -> AnswerOutcome:
    """Record one answer posted with ``form_token``; durable in the event store on return.

    The score is checked against the question's scale; a form already answered records
    nothing (``recorded=False``). The caller's ``session`` is committed here.

    Raises
    ------
    cojourney.errors.NotFound
        No enabled link has this token (or it was disabled since the form was shown).
    cojourney.errors.InputError
        The form token is forged, expired or of another link (field ``form``), the
        score is missing, not a number or off the scale (``score``), or the comment is
        too long (``comment``).
    """
    link = resolve_survey_link(session, token)
    if link is None:
        raise NotFound("no such survey link, or it was disabled")
    if len(form_token) > _FORM_TOKEN_MAX_LENGTH:
        raise _problem("the form was not made by this server", "form", None)
    try:
        payload = _serializer(secret_key).loads(form_token, max_age=FORM_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise _problem("the form is too old; open the link again", "form", None) from None
    except BadSignature:
        raise _problem("the form was not made by this server", "form", None) from None
    if not isinstance(payload, dict) or payload.get("l") != link.id:
        raise _problem("the form belongs to another survey link", "form", None)
    view = question_for(workspace, link.touchpoint, link.question)
    value = _score(view, score)
    text = (comment or "").strip() or None
    if text is not None and len(text) > COMMENT_MAX_LENGTH:
        raise _problem(
            "the comment is too long",
            "comment",
            f"{len(text)} characters",
            f"at most {COMMENT_MAX_LENGTH}",
        )
    journey = payload.get("j")
    with _WRITE_LOCK:
        if not consume_nonce(session, link.id, str(payload.get("n"))):
            session.rollback()
            log.info("survey link %d: a form already answered was posted again", link.id)
            return AnswerOutcome(False, None, journey)
        answer_id = uuid.uuid4().hex
        journey = journey or f"survey-{answer_id}"
        try:
            _write(workspace_path, workspace, link, view, journey, value, text, answer_id)
        except BaseException:
            session.rollback()
            raise
        session.commit()
    log.info("survey link %d: answer %s recorded for %s", link.id, answer_id, link.touchpoint)
    return AnswerOutcome(True, answer_id, journey)


def _write(
    workspace_path: str | Path,
    workspace: Workspace,
    link: SurveyLink,
    view: SurveyQuestionView,
    journey_id: str,
    score: float,
    comment: str | None,
    answer_id: str,
) -> None:
    """Append the answer to the feedback log through the store's import path (one row,
    one transaction): its touchpoint and scale checked, its step filled in."""
    from cojourney.events.feedback_ingest import FeedbackImport, ingest_feedback
    from cojourney.events.feedback_mapping import FeedbackColumns
    from cojourney.events.store import EventStore

    row = {
        "journey_id": journey_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "question": view.id,
        "score": score,
        "touchpoint": link.touchpoint,
        "comment": comment,
        "channel": "survey-link",
        "attributes": {"survey_answer": answer_id, "survey_link": link.id},
    }
    declared = {q.id: q for q in workspace.questions}
    question = declared.get(view.id)
    columns = FeedbackColumns(
        scales={q.id: q.scale for q in workspace.questions},
        journey_questions=(view.id,) if question is not None and question.journey_level else (),
    )
    text = json.dumps(row) + "\n"
    with tempfile.TemporaryDirectory(prefix="cojourney-survey-") as folder:
        file = Path(folder) / f"survey-answer-{answer_id}.jsonl"
        file.write_text(text, encoding="utf-8")
        request = FeedbackImport(
            file,
            columns,
            source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            mapping_name="survey-link",
            mapping_fingerprint="survey-link",
            touchpoint_steps={t.id: t.step for j in workspace.journeys for t in j.touchpoints},
            known_steps=frozenset(s.id for j in workspace.journeys for s in j.steps),
        )
        with EventStore.open(workspace_path) as store:
            done = ingest_feedback(store, request)
    if done.record.rows_imported != 1:
        raise RuntimeError(
            f"survey answer {answer_id} was not written ({done.record.rows_imported})"
        )
