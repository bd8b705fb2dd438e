"""eCampus Car Share: what members write beside their scores.

A share of the trip CSAT and late-car answers carries a free-text comment, drawn from
small phrase banks in English and Brazilian Portuguese (a member writes in one language) keyed
by the situation that drove the score: a late car, the late-return alert that
helped, a low charge at pick-up, no free bay at return, a slow phone line, the app
letting the member down, an easy booking, friendly help. The more extreme the score,
the likelier a comment, and complaints the likeliest: 10% of 3s, 17% of 4s, 24% of
5s, 42% of 2s and 49% of 1s (a 3 with no situation behind it says nothing).

The draws come from a generator of their own (:func:`comment_rng`), so the events and
scores are the same with or without comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = [
    "PORTUGUESE_SHARE",
    "SITUATIONS",
    "CommentWriter",
    "comment_rng",
    "phrase_bank",
    "pick_comments",
]

#: Share of members who write in (Brazilian) Portuguese; the others write in English.
PORTUGUESE_SHARE: Final = 0.6

#: situation -> (English phrases, Portuguese phrases)
SITUATIONS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "late_car": (
        (
            "The car was late again, I waited at the bay",
            "Car returned late by the previous driver, I waited 20 minutes",
            "Late car and nobody told me, I waited",
            "Waited for a late car and missed my class",
            "Car late at pickup again",
        ),
        (
            "O carro chegou atrasado, esperei no estacionamento",
            "Carro atrasado de novo, esperei vinte minutos",
            "Esperei pelo carro atrasado e perdi a aula",
            "Carro atrasado e ninguém avisou, esperei",
            "Mais um carro atrasado na retirada",
        ),
    ),
    "alert_helped": (
        (
            "The late return alert came early, good to know in time",
            "Alert about the late return helped me plan",
            "Got the alert in time and another car, thanks",
            "Nice alert, I knew in time the car would be late",
        ),
        (
            "O alerta de atraso chegou a tempo, ajudou",
            "Recebi o alerta a tempo e outro carro, valeu",
            "Bom alerta, soube a tempo do atraso",
            "O alerta a tempo ajudou a planejar",
        ),
    ),
    "low_charge": (
        (
            "Battery almost empty at pickup, low charge",
            "Low charge again, the battery was under half",
            "The battery charge was too low for my trip",
            "Picked up a car with low battery charge",
        ),
        (
            "Bateria quase vazia na retirada, carga baixa",
            "Carga baixa de novo, bateria abaixo da metade",
            "A bateria tinha pouca carga para a viagem",
            "Carro com bateria fraca e carga baixa",
        ),
    ),
    "no_bay": (
        (
            "No free charging bay at return, had to drive around",
            "Could not find a free bay to plug in",
            "Charging bays all taken when I returned the car",
        ),
        (
            "Nenhuma vaga de recarga livre na devolução",
            "Não achei vaga livre para plugar o carro",
            "Vagas de recarga todas ocupadas na devolução",
        ),
    ),
    "slow_call": (
        (
            "Phone line took forever, long wait on the call",
            "Long wait on the phone to report a delay",
            "Slow phone support, the call wait was long",
        ),
        (
            "Atendimento por telefone lento, ligação demorada",
            "Ligação demorada, ninguém atendia o telefone",
            "Suporte por telefone lento, ligação demorada",
        ),
    ),
    "app_crash": (
        (
            "The app crashed when I tried to unlock",
            "App froze and the unlock failed",
            "App crash again, had to restart the app",
        ),
        (
            "O aplicativo travou ao desbloquear o carro",
            "O aplicativo caiu, não desbloqueou",
            "Erro no aplicativo, tive que reiniciar",
        ),
    ),
    "easy_booking": (
        (
            "Booking was quick and easy",
            "Easy booking, took seconds",
            "Booking on campus is so easy",
            "Quick easy booking as always",
        ),
        (
            "Reserva fácil e rápida pelo celular",
            "Reserva muito fácil, levou segundos",
            "Reserva no campus tão fácil",
            "Reserva rápida e fácil como sempre",
        ),
    ),
    "friendly": (
        (
            "Friendly staff at the desk, very helpful",
            "The desk team was friendly and helpful",
            "Helpful friendly people at the desk",
        ),
        (
            "Pessoal do balcão simpático e prestativo",
            "Pessoal muito simpático e prestativo",
            "Atendimento simpático, muito prestativo",
        ),
    ),
}


def phrase_bank() -> tuple[list[str], dict[tuple[str, bool], np.ndarray]]:
    """Every phrase (the comment vocabulary) and, per (situation, Portuguese), the
    codes of its phrases in that list."""
    texts: list[str] = []
    codes: dict[tuple[str, bool], np.ndarray] = {}
    for situation, (english, portuguese) in SITUATIONS.items():
        for pt, phrases in ((False, english), (True, portuguese)):
            codes[situation, pt] = np.arange(len(texts), len(texts) + len(phrases))
            texts.extend(phrases)
    return texts, codes


def comment_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator for the comments, spawned from the chunk's (its stream untouched)."""
    return rng.spawn(1)[0]


def pick_comments(
    rng: np.random.Generator,
    situation: np.ndarray,
    score: np.ndarray,
    portuguese: np.ndarray,
    bank: dict[tuple[str, bool], np.ndarray],
) -> np.ndarray:
    """A phrase code per answer (-1: no comment).

    ``situation`` holds a situation name per answer ("" for none), ``score`` the 1-5
    answer and ``portuguese`` the member's language.
    """
    n = situation.size
    out = np.full(n, -1, dtype=np.int32)
    chance = 0.10 + 0.07 * np.abs(score - 3.0) + 0.25 * (score <= 2)
    writes = (rng.random(n) < chance) & (situation != "")
    draw = rng.random(n)
    for (name, pt), codes in bank.items():
        rows = writes & (situation == name) & (portuguese == pt)
        out[rows] = codes[(draw[rows] * codes.size).astype(np.int64)]
    return out


@dataclass
class CommentWriter:
    """Writes the comments of one chunk: its generator, the phrase codes, and who
    writes in Portuguese (by chunk-local member index)."""

    rng: np.random.Generator
    bank: dict[tuple[str, bool], np.ndarray]
    portuguese: np.ndarray

    @classmethod
    def for_chunk(
        cls, rng: np.random.Generator, members: int, bank: dict[tuple[str, bool], np.ndarray]
    ) -> CommentWriter:
        own = comment_rng(rng)
        return cls(own, bank, own.random(members) < PORTUGUESE_SHARE)

    def codes(self, member: np.ndarray, situation: np.ndarray, score: np.ndarray) -> np.ndarray:
        """A phrase code per answer of ``member`` (-1: no comment)."""
        return pick_comments(self.rng, situation, score, self.portuguese[member], self.bank)
