"""Comment themes: a fixed comment set in four topics, English and Portuguese."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from cojourney.analytics.comment_themes import (
    MIN_COMMENTS,
    CommentInput,
    CommentThemes,
    comment_themes,
    group_comments,
)
from cojourney.analytics.experience import analyze_experience
from cojourney.analytics.leakage import LeakKind, leakage_report
from cojourney.demo import example_path
from cojourney.demo.simulator import simulate_tables
from cojourney.demo.simulator.ecampus_comments import SITUATIONS
from cojourney.domain import Workspace
from cojourney.events.store import EventStore
from cojourney.spec.loader import load_workspace

#: topic -> (score, touchpoint, comments); each topic's comments share its words.
TOPICS: dict[str, tuple[float, str, list[str]]] = {
    "late": (
        1.0,
        "car-reassigned",
        [
            "The car was late again, I waited twenty minutes",
            "Car late at pickup, the previous driver returned it late",
            "Late car, nobody warned me it would be late",
            "I waited for a late car and missed my class",
            "Another late return, I waited at the bay for the car",
            "The car came back late and I waited in the rain",
            "Waited again because the car was late",
            "Late car for the third time this month",
        ],
    ),
    "charge": (
        2.0,
        "charge-level-at-pickup",
        [
            "Battery almost empty at pickup, low charge",
            "Low battery again, the charge was under forty percent",
            "The battery charge was too low for my trip",
            "Picked up a car with low charge and an empty battery",
            "Charge level low, battery not charged overnight",
            "Battery low, had to find a charger",
            "Low charge battery warning right away",
            "Empty battery, low charge, not acceptable",
        ],
    ),
    "booking": (
        5.0,
        "book-car",
        [
            "Booking in the app was quick and easy",
            "Easy booking, the app works great",
            "The app made booking really easy",
            "Quick easy booking from my phone app",
            "Booking took seconds in the app, easy",
            "Love how easy booking is in the app",
            "App booking easy and quick as always",
        ],
    ),
    "staff": (
        5.0,
        "help-desk",
        [
            "Friendly staff at the desk, very helpful",
            "The desk staff were friendly and helpful",
            "Helpful friendly staff solved my problem",
            "Staff at the help desk so friendly",
            "Very helpful staff, friendly service at the desk",
            "Friendly helpful desk staff as usual",
            "Desk staff friendly, quick help",
        ],
    ),
    "atrasado": (
        1.0,
        "car-reassigned",
        [
            "O carro chegou atrasado outra vez, esperei vinte minutos",
            "Carro atrasado, esperei muito tempo no parque",
            "Esperei pelo carro atrasado e perdi a aula",
            "Mais um carro atrasado, esperei à chuva",
            "O carro veio atrasado e ninguém avisou, esperei",
            "Carro atrasado de novo, esperei meia hora",
            "Esperei imenso, carro atrasado",
        ],
    ),
    "bateria": (
        2.0,
        "charge-level-at-pickup",
        [
            "Bateria quase vazia, carga muito baixa",
            "Carga baixa na bateria, tive de carregar",
            "A bateria estava com pouca carga, carga baixa",
            "Bateria fraca e carga baixa logo no início",
            "Carga da bateria baixa outra vez",
            "Bateria vazia, carga baixa, inaceitável",
            "Pouca carga na bateria para a viagem",
        ],
    ),
    "reserva": (
        5.0,
        "book-car",
        [
            "Reserva fácil e rápida na aplicação",
            "A aplicação torna a reserva muito fácil",
            "Reserva rápida pela aplicação, muito fácil",
            "Fiz a reserva na aplicação em segundos, fácil",
            "Reserva fácil, aplicação ótima",
            "Adoro a reserva fácil na aplicação",
            "Aplicação simples, reserva fácil e rápida",
        ],
    ),
    "balcao": (
        5.0,
        "help-desk",
        [
            "Pessoal do balcão simpático e prestável",
            "Atendimento simpático no balcão, muito prestável",
            "O pessoal do balcão foi muito simpático",
            "Balcão com pessoal prestável e simpático",
            "Simpático e prestável, o pessoal do balcão ajudou",
            "Pessoal simpático no balcão de apoio",
        ],
    ),
}


def _comments() -> list[CommentInput]:
    out = []
    for k, (score, touchpoint, texts) in enumerate(TOPICS.values()):
        for i, text in enumerate(texts):
            day = 1 + (7 * i + k) % 28
            out.append(
                CommentInput(
                    text, score, touchpoint, f"2025-10-{day:02d}T10:{k:02d}:{i:02d}Z", "csat"
                )
            )
    return out


def _topic_of(text: str) -> str:
    return next(t for t, (_, _, texts) in TOPICS.items() if text in texts)


SCALES = {"csat": (1.0, 5.0)}


@pytest.fixture(scope="module")
def grouped() -> tuple[CommentThemes, dict[str, int]]:
    comments = _comments()
    result, theme_of = group_comments(comments, scales=SCALES, max_comments=1000, seed=0)
    return result, {comments[i].text: rank for i, rank in theme_of.items()}


def test_fixed_set_has_sixty_comments() -> None:
    assert 55 <= len(_comments()) <= 65


def test_every_theme_holds_one_topic_only(grouped: tuple[CommentThemes, dict[str, int]]) -> None:
    result, theme_of = grouped
    assert result.note is None
    assert result.grouped + result.unthemed == result.available == len(_comments())
    assert result.unthemed == 0
    assert sum(t.size for t in result.themes) == result.grouped == len(theme_of)
    for theme in result.themes:
        topics = {_topic_of(text) for text, rank in theme_of.items() if rank == theme.rank}
        assert len(topics) == 1, (theme.label, topics)


def test_planted_pairs_end_up_together(grouped: tuple[CommentThemes, dict[str, int]]) -> None:
    _, theme_of = grouped
    pairs = [
        (
            "The car was late again, I waited twenty minutes",
            "Waited again because the car was late",
        ),
        ("Battery almost empty at pickup, low charge", "Battery low, had to find a charger"),
        ("Easy booking, the app works great", "Booking took seconds in the app, easy"),
        ("Friendly staff at the desk, very helpful", "Desk staff friendly, quick help"),
        ("Carro atrasado, esperei muito tempo no parque", "Esperei imenso, carro atrasado"),
        ("Bateria quase vazia, carga muito baixa", "Carga da bateria baixa outra vez"),
        ("Reserva fácil e rápida na aplicação", "Adoro a reserva fácil na aplicação"),
        ("Pessoal do balcão simpático e prestável", "Pessoal simpático no balcão de apoio"),
    ]
    for a, b in pairs:
        assert theme_of[a] == theme_of[b], (a, b)
    # and separation: one comment of each topic, pairwise in different themes
    firsts = [texts[0] for _, _, texts in TOPICS.values()]
    for a, b in itertools.combinations(firsts, 2):
        assert theme_of[a] != theme_of[b], (a, b)


def test_themes_carry_size_score_touchpoints_and_examples(
    grouped: tuple[CommentThemes, dict[str, int]],
) -> None:
    result, theme_of = grouped
    for theme in result.themes:
        texts = [text for text, rank in theme_of.items() if rank == theme.rank]
        topic = _topic_of(texts[0])
        score, touchpoint, planted = TOPICS[topic]
        assert theme.size == len(texts) == len(planted)
        assert theme.share == pytest.approx(len(planted) / len(_comments()))
        assert [(s.question, s.answers, s.mean, s.scale) for s in theme.scores] == [
            ("csat", len(planted), score, (1.0, 5.0))
        ]
        assert theme.mean_normalised == pytest.approx((score - 1.0) / 4.0)
        assert theme.touchpoints[0].touchpoint == touchpoint
        assert 1 <= len(theme.examples) <= 3
        assert all(e.text in planted for e in theme.examples)
        assert theme.label and all(term in theme.label for term in theme.terms)
    assert [t.rank for t in result.themes] == list(range(1, len(result.themes) + 1))
    sizes = [t.size for t in result.themes]
    assert sizes == sorted(sizes, reverse=True)


def test_same_seed_same_themes() -> None:
    """The same comments (in any order: they are taken newest first) and seed give the
    same themes."""
    first = comment_themes(_comments(), scales=SCALES, max_comments=1000, seed=7)
    again = comment_themes(list(reversed(_comments())), scales=SCALES, max_comments=1000, seed=7)
    assert first.to_dict() == again.to_dict()


def test_examples_lowest_scored_first_among_equals() -> None:
    late = ["car late again", "the car was late", "late car, had to wait", "waited, car late"]
    easy = ["booking was easy", "easy booking in the app", "app easy to use", "so easy"]
    rows = [
        CommentInput(text, score, "tp", f"2025-01-{k + 1:02d}", "csat")
        for k, (text, score) in enumerate(
            [(t, 4.0) for t in late + easy]
            + [("car late again", 1.0)] * 3
            + [(t, 5.0) for t in easy]
        )
    ]
    result = comment_themes(rows, scales=SCALES, max_comments=100)
    late_theme = next(t for t in result.themes if "late" in t.label)
    again = next(e for e in late_theme.examples if e.text == "car late again")
    # the same text shows once, with its lowest score
    assert [e.text for e in late_theme.examples].count("car late again") == 1
    assert again.score == 1.0


def test_too_few_comments_give_a_note_and_no_themes() -> None:
    rows = _comments()[: MIN_COMMENTS - 1]
    result = comment_themes(rows, max_comments=1000)
    assert result.themes == ()
    assert result.note == f"too few comments to group: {MIN_COMMENTS - 1}; at least 10 needed"
    assert result.available == MIN_COMMENTS - 1


def test_only_the_most_recent_comments_are_grouped() -> None:
    comments = _comments()
    result, theme_of = group_comments(comments, scales=SCALES, max_comments=20)
    newest = sorted(range(len(comments)), key=lambda i: comments[i].timestamp)[-20:]
    assert result.available == len(comments)
    assert result.grouped + result.unthemed == 20
    assert set(theme_of) <= set(newest)
    assert comment_themes(comments, max_comments=5).note == (
        "too few comments to group: 5; at least 10 needed"
    )


def test_comments_without_shared_words_are_not_grouped() -> None:
    rows = [
        CommentInput(w, 3.0)
        for w in [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "zeta",
            "eta",
            "theta",
            "iota",
            "kappa",
            "lambda",
        ]
    ]
    result = comment_themes(rows, max_comments=100)
    assert result.themes == ()
    assert result.note is not None and "share too few words" in result.note
    blank = comment_themes([CommentInput("  ")] * 20, max_comments=100)
    assert blank.available == 0 and blank.note is not None


# --------------------------------------------------------------------------- on the demo


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EventStore, Workspace]]:
    workspace = load_workspace(example_path("ecampus-car-share"))
    logs = simulate_tables(workspace, 400, seed=11)
    path = tmp_path_factory.mktemp("demo") / "events.duckdb"
    with EventStore(path) as store:
        store.import_batches(logs.events.to_batches(), source_name="e", source_sha256="1")
        store.import_batches(
            logs.feedback.to_batches(), source_name="f", source_sha256="2", kind="feedback"
        )
        yield store, workspace


def test_the_demo_writes_comments_in_english_and_portuguese(
    demo_store: tuple[EventStore, Workspace],
) -> None:
    store, _ = demo_store
    table = store.table_name("feedback")
    shares = dict(
        store.connection.execute(
            f'SELECT question, avg((comment IS NOT NULL)::INT) FROM "{table}" GROUP BY 1'
        ).fetchall()
    )
    assert 0.12 <= shares["csat"] <= 0.3 and 0.12 <= shares["late-car"] <= 0.4
    assert shares["nps"] == 0 and shares["emotion"] == 0
    texts = {
        r[0]
        for r in store.connection.execute(
            f'SELECT DISTINCT comment FROM "{table}" WHERE comment IS NOT NULL'
        ).fetchall()
    }
    english = {t for _, (en, _) in SITUATIONS.items() for t in en}
    portuguese = {t for _, (_, pt) in SITUATIONS.items() for t in pt}
    assert texts <= english | portuguese
    assert texts & english and texts & portuguese
    # a complaint comes with a poor score, praise with a good one
    rows = store.connection.execute(
        f"SELECT comment, score FROM \"{table}\" WHERE question = 'csat' AND comment IS NOT NULL"
    ).fetchall()
    crashes = set(SITUATIONS["app_crash"][0] + SITUATIONS["app_crash"][1])
    praise = set(SITUATIONS["friendly"][0] + SITUATIONS["friendly"][1])
    assert all(score <= 2 for text, score in rows if text in crashes)
    assert all(score >= 4 for text, score in rows if text in praise)


def test_the_demo_comments_make_themes_in_experience(
    demo_store: tuple[EventStore, Workspace],
) -> None:
    store, workspace = demo_store
    result = analyze_experience(store, workspace)
    found = result.themes
    assert found is not None and found.note is None
    assert len(found.themes) >= 3
    assert sum(t.size for t in found.themes) == found.grouped
    table = store.table_name("feedback")
    written = store.connection.execute(
        f"SELECT count(comment) FROM \"{table}\" WHERE trim(comment) <> ''"
    ).fetchone()
    assert written is not None and found.available == written[0] == sum(
        c.count for c in result.comments
    )
    late = set(SITUATIONS["late_car"][0])
    late_theme = [t for t in found.themes if any(e.text in late for e in t.examples)]
    assert late_theme and late_theme[0].mean_normalised is not None
    praise = set(SITUATIONS["easy_booking"][0])
    good_theme = [t for t in found.themes if any(e.text in praise for e in t.examples)]
    assert good_theme and good_theme[0].mean_normalised is not None
    # the late-car theme scores worse than the easy-booking one
    assert late_theme[0].mean_normalised < good_theme[0].mean_normalised
    assert result.to_dict()["themes"]["themes"][0]["examples"]


def test_poor_touchpoint_leaks_quote_real_comments(
    demo_store: tuple[EventStore, Workspace],
) -> None:
    store, workspace = demo_store
    report = leakage_report(store, workspace)
    table = store.table_name("feedback")
    quoted = [leak for leak in report.leaks if leak.kind is LeakKind.EXPERIENCE and leak.quotes]
    assert quoted
    for leak in quoted:
        touchpoint = leak.where.split(" (")[0]
        said = {
            r[0]
            for r in store.connection.execute(
                f'SELECT comment FROM "{table}" WHERE touchpoint = ? AND comment IS NOT NULL',
                [touchpoint],
            ).fetchall()
        }
        assert 1 <= len(leak.quotes) <= 2 and set(leak.quotes) <= said
        assert leak.to_dict()["quotes"] == list(leak.quotes)
