"""What every example simulator shares: the journey's touchpoints as arrays, and micro-surveys."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cojourney.demo.simulator.buffers import AnswerBuffer, SortedEvents
from cojourney.demo.simulator.clock import MINUTE, lognormal
from cojourney.domain import Journey, Visibility
from cojourney.errors import InputError, Problem, location_in


@dataclass(frozen=True)
class JourneyInfo:
    """The designed journey's touchpoints and what the tables need of each, by code."""

    id: str
    touchpoints: list[str]
    steps: list[str]
    channel: list[str | None]
    role: list[str | None]
    actor_prefix: list[str | None]
    designed_emotion: np.ndarray  #: float, NaN where the design sets none
    askable: np.ndarray  #: a micro-survey may ask about it (has an emotion, the member sees it)

    @classmethod
    def of(cls, journey: Journey) -> JourneyInfo:
        order = journey.expected_order()
        listed = [t.id for t in journey.touchpoints]
        codes = order + [t for t in listed if t not in order]
        tps = {t.id: t for t in journey.touchpoints}
        emotion = np.array([np.nan if (e := tps[c].emotion) is None else float(e) for c in codes])
        visible = np.array([tps[c].visibility is not Visibility.PROVIDER_ONLY for c in codes])
        owners = [tps[c].owner for c in codes]
        return cls(
            id=journey.id,
            touchpoints=codes,
            steps=[tps[c].step for c in codes],
            channel=[tps[c].channel.value for c in codes],
            role=[o.role if o is not None else None for o in owners],
            actor_prefix=[
                _slug(o.team)
                if o is not None and tps[c].visibility is not Visibility.CONSUMER_ONLY
                else None
                for c, o in zip(codes, owners, strict=True)
            ],
            designed_emotion=emotion,
            askable=visible & ~np.isnan(emotion),
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def require_touchpoints(
    journey: Journey, needed: Iterable[str], example: str, folder: str | Path | None = None
) -> None:
    """Refuse a workspace whose journey lacks touchpoints the simulator emits.

    Raises
    ------
    cojourney.errors.InputError
        One problem naming the missing touchpoint ids.
    """
    have = {t.id for t in journey.touchpoints}
    missing = [tp for tp in needed if tp not in have]
    if missing:
        where = location_in(
            Path(folder) / "journeys" / f"{journey.id}.yaml" if folder else None,
            field=f"journeys.{journey.id}.touchpoints",
        )
        raise InputError(
            Problem(
                f"journey {journey.id!r} lacks touchpoints the {example} simulator writes",
                where,
                found=f"missing: {', '.join(missing)}",
                expected="the touchpoints of the shipped example (docs/demo-data.md)",
                hint="put the touchpoints back, or start again from the example with "
                f"a new copy of the example (init.example={example})",
            )
        )


@dataclass(frozen=True)
class EmotionAnswers:
    """The emotion answers given: journey index, UTC microseconds, score."""

    journey: np.ndarray
    time: np.ndarray
    score: np.ndarray


def emotion_answers(
    answers: AnswerBuffer,
    events: SortedEvents,
    info: JourneyInfo,
    bias: np.ndarray,
    rng: np.random.Generator,
    share: float,
) -> EmotionAnswers:
    """In-app micro-surveys: an ``emotion`` answer (-3..3) on a ``share`` of askable events.

    The answer follows the touchpoint's designed emotion, moved by what happened at that
    moment (the event's ``feel``) and by the journey's ``bias``.
    """
    asked = info.askable[events.touchpoint] & (rng.random(events.size) < share)
    tp = events.touchpoint[asked]
    journey = events.journey[asked]
    k = int(asked.sum())
    score = (
        np.clip(
            np.round(
                info.designed_emotion[tp]
                + events.feel[asked]
                + bias[journey]
                + rng.normal(0, 0.6, k)
            ),
            -3,
            3,
        )
        + 0.0
    )
    when = events.time[asked] + lognormal(rng, 3 * MINUTE, 0.6, k).astype(np.int64)
    answers.add("emotion", journey, when, score, touchpoint=tp.astype(np.int32), channel="app")
    return EmotionAnswers(journey, when, score)
