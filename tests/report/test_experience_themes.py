"""The report's experience section shows the comment themes: size, mean score, examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from cojourney.analytics.experience import analyze_experience
from cojourney.demo import example_path
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.store import EventStore
from cojourney.report.sections import experience
from cojourney.spec import load_workspace

LATE = [f"the car was late again, waited {n} minutes at the bay" for n in range(5, 17)]
EASY = [f"booking was quick and easy, app took {n} seconds" for n in range(3, 15)]
T0 = datetime(2025, 5, 1, tzinfo=UTC)


def _answers() -> pa.Table:
    rows = [(t, 1.0 + k % 2, "car-reassigned") for k, t in enumerate(LATE)]
    rows += [(t, 5.0 - k % 2, "book-car") for k, t in enumerate(EASY)]
    return pa.Table.from_pylist(
        [
            {
                "journey_id": f"J{k}",
                "timestamp": T0 + timedelta(hours=k),
                "answer_seq": k,
                "question": "csat",
                "score": score,
                "touchpoint": tp,
                "comment": text,
            }
            for k, (text, score, tp) in enumerate(rows)
        ],
        schema=feedback_arrow_schema(),
    )


def _section(tmp_path: Path, answers: pa.Table) -> str:
    with EventStore(tmp_path / "events.duckdb") as store:
        store.import_batches(
            answers.to_batches(), source_name="f", source_sha256="1", kind="feedback"
        )
        analysis = analyze_experience(store, load_workspace(example_path("ecampus-car-share")))
    names = {"car-reassigned": {"name": "Pick-up", "order": 0}, "book-car": {"name": "Booking"}}
    return experience.build(analysis.to_dict(), {"touchpoints": names}).html


def test_the_section_shows_each_theme_with_size_score_and_examples(tmp_path: Path) -> None:
    html = _section(tmp_path, _answers())
    assert 'id="comment-themes"' in html
    part = html[html.index('id="comment-themes"') :]
    rows = part[: part.index("</table>")].split("<tr")[2:]  # header row first
    assert len(rows) == 2
    late = next(r for r in rows if "late" in r)
    easy = next(r for r in rows if "easy" in r)
    for row, texts, mean, where in (
        (late, LATE, "1.5", "Pick-up"),
        (easy, EASY, "4.5", "Booking"),
    ):
        assert ">12 (50%)<" in row
        assert f"CSAT {mean} on 1–5" in row
        assert f"{where} (12)" in row
        assert sum(text in row for text in texts) >= 1  # real example comments
    assert not any(text in late for text in EASY)


def test_too_few_comments_are_said_so(tmp_path: Path) -> None:
    html = _section(tmp_path, _answers().slice(0, 4))
    part = html[html.index('id="comment-themes"') :]
    assert "too few comments to group: 4; at least 10 needed" in part
