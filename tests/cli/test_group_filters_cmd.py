"""``analyze`` and ``experience`` by persona, cohort and case attribute on the eCampus demo
(issue 11, 1): the numbers are checked against plain SQL over the same event store.

The eCampus personas' rules say ``segment == persona id`` (the simulator tags each
journey's events with its persona), so a journey's persona is its events' segment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cojourney.cli.main import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cojourney.services.simulation import simulate
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path_factory.mktemp("groups") / "ws"
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 120, seed=3)
    return folder


def _sql(folder: Path, query: str) -> list[tuple[Any, ...]]:
    """Rows of ``query``, with ``{events}`` and ``{feedback}`` naming the store's tables."""
    from cojourney.services.handle import as_handle

    source = as_handle(folder).open_events()
    try:
        names = {"events": source.table_name("events"), "feedback": source.table_name("feedback")}
        return source.connection.execute(query.format(**names)).fetchall()
    finally:
        source.close()


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    code = main([*args, "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_analyze_where_channel_and_by_persona(capsys, demo: Path) -> None:
    expected = dict(
        _sql(
            demo,
            "SELECT segment, count(DISTINCT journey_id) FROM {events} WHERE journey_id IN "
            "(SELECT journey_id FROM {events} WHERE channel = 'phone') GROUP BY 1",
        )
    )
    assert sum(expected.values()) > 0
    document = _json(capsys, "analyze", str(demo), "--where", "channel=phone", "--by", "persona")
    assert document["counts"]["journeys"] == sum(expected.values())
    assert document["filters"] == {"attributes": {"channel": "phone"}}
    (by_persona,) = document["breakdowns"]
    assert by_persona["dimension"] == "persona"
    assert {r["value"]: r["journeys"] for r in by_persona["rows"]} == expected
    for row in by_persona["rows"]:
        assert row["drop_off_low"] <= row["drop_off"] <= row["drop_off_high"]


def test_analyze_where_persona_and_cohort(capsys, demo: Path) -> None:
    ((first_month, journeys),) = _sql(
        demo,
        "SELECT strftime(min(first), '%Y-%m') AS m, count(*) FROM (SELECT journey_id, "
        "min(timestamp) AS first, min(segment) AS seg FROM {events} GROUP BY 1) "
        "WHERE seg = 'marcos' GROUP BY strftime(first, '%Y-%m') ORDER BY m LIMIT 1",
    )
    document = _json(
        capsys,
        "analyze",
        str(demo),
        "--persona",
        "marcos",
        "--where",
        f"cohort={first_month}",
        "--by",
        "cohort",
    )
    assert document["counts"]["journeys"] == journeys
    assert [(r["value"], r["journeys"]) for r in document["breakdowns"][0]["rows"]] == [
        (first_month, journeys)
    ]
    assert document["filters"] == {"personas": ["marcos"], "cohorts": [first_month]}


def test_experience_by_persona(capsys, demo: Path) -> None:
    expected = {
        (seg, question): (n, top)
        for seg, question, n, top in _sql(
            demo,
            "SELECT coalesce(e.seg, '(no persona)'), f.question, count(f.score), "
            "count(*) FILTER (WHERE f.score >= 4) FROM {feedback} f LEFT JOIN "
            "(SELECT journey_id, min(segment) AS seg FROM {events} GROUP BY 1) e "
            "USING (journey_id) WHERE f.score IS NOT NULL GROUP BY 1, 2",
        )
    }
    document = _json(capsys, "experience", str(demo), "--by", "persona")
    by = {b["dimension"]: b["rows"] for b in document["breakdowns"]}
    rows = {(r["key"], r["question"]): r for r in by["persona"]}
    assert {k: r["n"] for k, r in rows.items()} == {k: n for k, (n, _) in expected.items()}
    for (persona, question), row in rows.items():
        assert row["low"] <= row["value"] <= row["high"]
        if question == "csat":
            n, top = expected[(persona, question)]
            assert row["value"] == pytest.approx(top / n)


def test_experience_where_keeps_answers_of_the_journeys(capsys, demo: Path) -> None:
    ((answers,),) = _sql(
        demo,
        "SELECT count(*) FROM {feedback} WHERE journey_id IN "
        "(SELECT journey_id FROM {events} WHERE segment = 'diego')",
    )
    document = _json(capsys, "experience", str(demo), "--where", "persona=diego")
    assert document["answers"] == answers > 0
    assert document["filters"] == {"personas": ["diego"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "--persona", "nobody"], "unknown persona"),
        (["analyze", "--where", "channel"], "not KEY=VALUE"),
        (["analyze", "--where", "cohort=March"], "a cohort is a month"),
        (["experience", "--by", "segments"], "not broken down by named segment"),
    ],
)
def test_bad_group_options_say_what_is_wrong(
    capsys, demo: Path, args: list[str], message: str
) -> None:
    capsys.readouterr()
    code = main([args[0], str(demo), *args[1:]])
    _, err = capsys.readouterr()
    assert code != 0
    assert message in err
    assert "Traceback" not in err
