"""Importing survey answers: long and wide layouts, formats, checks against the workspace,
all-or-nothing with row/column/value messages, quarantine, idempotence, saved mappings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.errors import ImportRejected, InputError
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.mappings import ImportMapping, MappingFlags, MappingLibrary
from cojourney.events.schema import ColumnMapping
from cojourney.events.store import EventStore
from cojourney.services.imports import import_events, import_feedback, list_imports
from cojourney.services.workspaces import init_workspace

LONG_HEADER = ["member", "at", "q", "s", "tp", "text", "device"]
LONG = [
    ["M1", "2024-03-01 10:00:00", "CSAT", "4", "search", "quick", "ios"],
    ["M1", "2024-03-01 10:05:00", "emotion", "-2", "support-call", "", "ios"],
    ["M1", "2024-03-02 09:00:00", "nps", "9", "", "", "web"],
    ["M2", "2024-03-03 12:00:00", "ces", "6.5", "", "easy enough", ""],
    ["M2", "2024-03-03 12:01:00", "why", "", "first-use", "the car was dirty", "android"],
]
LONG_FLAGS = MappingFlags(
    journey_id="member", timestamp="at", question="q", score="s", touchpoint="tp", comment="text"
)
WIDE_HEADER = ["member", "at", "tp", "Q1", "Q7", "Q8", "wave"]
WIDE = [
    ["M1", "2024-03-01 10:00:00", "search", "5", "10", "great", "1"],
    ["M2", "2024-03-05 10:00:00", "first-use", "", "3", "", "1"],
    ["M3", "2024-03-06 10:00:00", "", "2", "", "", "2"],
]
WIDE_FLAGS = MappingFlags(
    journey_id="member",
    timestamp="at",
    touchpoint="tp",
    score_columns={"csat": "Q1", "nps": "Q7"},
    text_columns={"why": "Q8"},
    journey_questions=("NPS",),
)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def answers(ws: Path, import_id: int | None = None) -> list[dict]:
    with EventStore.open(ws, read_only=True) as store:
        rows = store.connection.execute(
            "SELECT journey_id, strftime(timestamp, '%Y-%m-%d %H:%M') AS at, answer_seq, "
            "question, score, touchpoint, step, comment, channel, segment, attributes, import_id "
            "FROM feedback ORDER BY answer_seq"
        ).fetchall()
    names = [
        "journey_id",
        "at",
        "answer_seq",
        "question",
        "score",
        "touchpoint",
        "step",
        "comment",
        "channel",
        "segment",
        "attributes",
        "import_id",
    ]
    return [
        dict(zip(names, r, strict=True)) for r in rows if import_id is None or r[-1] == import_id
    ]


# --------------------------------------------------------------------------- layouts


def test_long_layout(ws: Path, tmp_path: Path) -> None:
    result = import_feedback(
        ws, write_csv(tmp_path / "answers.csv", LONG_HEADER, LONG), flags=LONG_FLAGS
    )
    assert (result.kind, result.rows_read, result.answers_read, result.rows_imported) == (
        "feedback",
        5,
        5,
        5,
    )
    assert (result.journeys, result.rows_rejected, result.steps_filled) == (2, 0, 3)
    assert result.questions == (("ces", 1), ("csat", 1), ("emotion", 1), ("nps", 1), ("why", 1))
    assert result.mapping_saved and result.mapping_path == ws / "data" / "mappings" / "answers.yaml"
    stored = answers(ws)
    assert [(a["question"], a["score"], a["touchpoint"], a["step"]) for a in stored] == [
        ("csat", 4.0, "search", "explore"),  # 'CSAT' is the standard csat
        ("emotion", -2.0, "support-call", "co-create"),
        ("nps", 9.0, None, None),  # journey level
        ("ces", 6.5, None, None),
        ("why", None, "first-use", "co-create"),
    ]  # free text only
    assert [a["answer_seq"] for a in stored] == [0, 1, 2, 3, 4]
    assert stored[0]["comment"] == "quick" and stored[4]["comment"] == "the car was dirty"
    assert json.loads(stored[0]["attributes"]) == {"device": "ios"}
    assert stored[3]["attributes"] is None  # no unmapped value
    saved = MappingLibrary(ws / "data" / "mappings").load("answers")
    assert saved.kind == "feedback" and saved.feedback.question == "q"
    assert list_imports(ws)[0].kind == "feedback"


def test_wide_layout_one_answer_per_filled_cell(ws: Path, tmp_path: Path) -> None:
    result = import_feedback(
        ws, write_csv(tmp_path / "survey.csv", WIDE_HEADER, WIDE), flags=WIDE_FLAGS
    )
    assert (result.rows_read, result.rows_imported, result.journeys) == (3, 5, 3)
    stored = answers(ws)
    assert [
        (a["journey_id"], a["question"], a["score"], a["touchpoint"], a["comment"]) for a in stored
    ] == [
        ("M1", "csat", 5.0, "search", None),
        ("M1", "nps", 10.0, None, None),
        ("M1", "why", None, "search", "great"),
        ("M2", "nps", 3.0, None, None),
        ("M3", "csat", 2.0, None, None),
    ]
    # answer_seq = row x 3 answers per row + position: gaps where cells are empty.
    assert [a["answer_seq"] for a in stored] == [0, 1, 2, 4, 6]
    assert json.loads(stored[1]["attributes"]) == {"wave": "1", "asked_at": "search"}
    assert json.loads(stored[3]["attributes"]) == {"wave": "1", "asked_at": "first-use"}
    assert stored[0]["step"] == "explore" and stored[1]["step"] is None


def test_csv_parquet_and_jsonl_give_the_same_answers(ws: Path, tmp_path: Path) -> None:
    rows = [r[:6] for r in LONG[:4]]
    header = LONG_HEADER[:6]
    write_csv(tmp_path / "a.csv", header, rows)
    table = pa.table({name: [r[i] or None for r in rows] for i, name in enumerate(header)})
    pq.write_table(
        table.set_column(3, "s", pa.array([float(r[3]) for r in rows])), tmp_path / "a.parquet"
    )
    with (tmp_path / "a.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: v or None for k, v in zip(header, r, strict=True)}) + "\n")
    got = []
    for i, name in enumerate(("a.csv", "a.parquet", "a.jsonl"), 1):
        folder = tmp_path / f"ws{i}"  # one workspace each: the answers are the same
        init_workspace(folder)
        result = import_feedback(folder, tmp_path / name, mapping=f"m{i}", flags=LONG_FLAGS)
        assert result.rows_imported == 4
        got.append(
            [
                (a["journey_id"], a["at"], a["question"], a["score"], a["touchpoint"])
                for a in answers(folder)
            ]
        )
        # ... so much so that in one workspace the second and third add nothing
        again = import_feedback(ws, tmp_path / name, mapping=f"m{i}", flags=LONG_FLAGS)
        assert (again.rows_imported, again.rows_duplicate, again.conflict_count) == (
            (4, 0, 0) if i == 1 else (0, 4, 0)
        )
    assert got[0] == got[1] == got[2]
    assert got[0][0] == ("M1", "2024-03-01 10:00", "csat", 4.0, "search")


def test_a_canonical_file_needs_no_mapping(ws: Path, tmp_path: Path) -> None:
    schema = feedback_arrow_schema()
    table = pa.table(
        {
            "journey_id": ["M9"],
            "timestamp": pa.array([0], pa.timestamp("us", tz="UTC")),
            "answer_seq": [0],
            "question": ["nps"],
            "score": [7.0],
            "touchpoint": [None],
            "step": [None],
            "comment": [None],
            "respondent": ["r9"],
            "channel": ["email"],
            "segment": ["katrina"],
            "attributes": ['{"wave": 3}'],
        },
        schema=schema,
    )
    pq.write_table(table, tmp_path / "feedback.parquet")
    result = import_feedback(ws, tmp_path / "feedback.parquet")
    assert (result.mapping_origin, result.mapping_name, result.rows_imported) == (
        "default",
        None,
        1,
    )
    (stored,) = answers(ws)
    assert (stored["segment"], stored["channel"], json.loads(stored["attributes"])) == (
        "katrina",
        "email",
        {"wave": 3},
    )


# --------------------------------------------------------------------------- checks


def bad_rows() -> list[list[str]]:
    rows = [list(r) for r in LONG]
    rows[0][3] = "7"  # line 2: csat 7, outside 1..5
    rows[1][4] = "Support call"  # line 3: unknown touchpoint
    rows[2][3] = "nine"  # line 4: not a number
    rows[3][1] = "03/03/2024"  # line 5: unreadable timestamp
    return rows


def test_problems_name_row_column_value_and_fix(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "bad.csv", LONG_HEADER, bad_rows())
    with pytest.raises(ImportRejected) as exc:
        import_feedback(ws, log, flags=LONG_FLAGS)
    problems = exc.value.problems
    assert [(p.location.line, p.location.field) for p in problems] == [
        (2, "s"),
        (3, "tp"),
        (4, "s"),
        (5, "at"),
    ]
    scale, touchpoint, number, when = problems
    assert scale.message == "the csat score is outside its scale"
    assert (scale.found, scale.expected) == ("'7'", "a number from 1 to 5")
    assert "--scale" in (scale.hint or "")
    assert touchpoint.found == "'Support call'" and "did you mean 'support-call'?" in (
        touchpoint.hint or ""
    )
    assert "--rename 'Support call=TOUCHPOINT'" in (touchpoint.hint or "")
    assert number.message == "the nps score is not a number" and number.found == "'nine'"
    assert when.found == "'03/03/2024'" and "--timestamp-format" in (when.hint or "")
    assert "4 of 5 answers" in exc.value.title and "--on-error skip" in exc.value.title
    assert list_imports(ws) == [] and answers(ws) == []
    assert not (ws / "data" / "mappings" / "bad.yaml").exists()


def test_parquet_problems_name_the_row(ws: Path, tmp_path: Path) -> None:
    table = pa.table(
        {
            "member": ["M1", "M2"],
            "at": ["2024-03-01 10:00:00"] * 2,
            "q": ["nps", "emotion"],
            "s": [11.0, 3.0],
        }
    )
    pq.write_table(table, tmp_path / "bad.parquet")
    with pytest.raises(ImportRejected) as exc:
        import_feedback(
            ws,
            tmp_path / "bad.parquet",
            flags=MappingFlags(journey_id="member", timestamp="at", question="q", score="s"),
        )
    (problem,) = exc.value.problems
    assert problem.message == "row 1: the nps score is outside its scale"
    assert (problem.location.line, problem.location.field, problem.found) == (None, "s", "'11.0'")


def test_steps_are_checked_against_the_workspace(ws: Path, tmp_path: Path) -> None:
    rows = [
        ["M1", "2024-03-01 10:00:00", "csat", "4", "search", "explore"],
        ["M1", "2024-03-01 10:00:00", "csat", "4", "search", "co-create"],
        ["M1", "2024-03-01 10:00:00", "csat", "4", "", "nowhere"],
    ]
    log = write_csv(tmp_path / "steps.csv", ["member", "at", "q", "s", "tp", "stage"], rows)
    with pytest.raises(ImportRejected) as exc:
        import_feedback(
            ws,
            log,
            flags=MappingFlags(
                journey_id="member",
                timestamp="at",
                question="q",
                score="s",
                touchpoint="tp",
                step="stage",
            ),
        )
    mismatch, unknown = exc.value.problems
    assert (mismatch.location.line, mismatch.found, mismatch.expected) == (
        3,
        "'co-create'",
        "'explore'",
    )
    assert "is not the step of touchpoint 'search'" in mismatch.message
    assert unknown.location.line == 4 and unknown.message == (
        "step 'nowhere' is not a step of the workspace"
    )


def test_skip_quarantines_whole_rows_with_their_reasons(ws: Path, tmp_path: Path) -> None:
    rows = [list(r) for r in WIDE]
    rows[2][4] = "12"  # M3's nps (Q7) is outside 0..10: the whole row is set aside
    log = write_csv(tmp_path / "survey.csv", WIDE_HEADER, rows)
    result = import_feedback(ws, log, flags=WIDE_FLAGS, on_error="skip")
    assert (result.rows_read, result.rows_rejected, result.rows_imported) == (3, 1, 4)
    assert result.quarantine_path == ws / "data" / "quarantine" / "1-survey.csv"
    with result.quarantine_path.open(encoding="utf-8") as f:
        quarantined = list(csv.DictReader(f))
    assert quarantined == [
        {
            **dict(zip(WIDE_HEADER, rows[2], strict=True)),
            "reason": "line 4: nps score 12 (column Q7) is outside its scale 0..10",
        }
    ]
    assert {a["journey_id"] for a in answers(ws)} == {"M1", "M2"}


def test_custom_question_scales(ws: Path, tmp_path: Path) -> None:
    rows = [["M1", "2024-03-01 10:00:00", "late-car", "6"]]
    log = write_csv(tmp_path / "late.csv", ["member", "at", "q", "s"], rows)
    flags = MappingFlags(
        journey_id="member",
        timestamp="at",
        question="q",
        score="s",
        scales={"late-car": (1.0, 5.0)},
    )
    with pytest.raises(ImportRejected, match="late-car score is outside its scale"):
        import_feedback(ws, log, flags=flags)
    with pytest.raises(ImportRejected, match="cannot be changed"):
        import_feedback(
            ws,
            log,
            flags=MappingFlags(
                journey_id="member",
                timestamp="at",
                question="q",
                score="s",
                scales={"csat": (0.0, 10.0)},
            ),
        )
    rows[0][3] = "2"
    result = import_feedback(
        ws, write_csv(tmp_path / "late2.csv", ["member", "at", "q", "s"], rows), flags=flags
    )
    assert result.questions == (("late-car", 1),)
    assert MappingLibrary(ws / "data" / "mappings").load("late2").feedback.scales == {
        "late-car": (1.0, 5.0)
    }


def test_question_and_touchpoint_renames(ws: Path, tmp_path: Path) -> None:
    rows = [
        ["M1", "2024-03-01 10:00:00", "How likely to recommend?", "8", ""],
        ["M1", "2024-03-01 10:00:00", "Mood", "1", "Sign up"],
    ]
    log = write_csv(tmp_path / "r.csv", ["member", "at", "q", "s", "tp"], rows)
    import_feedback(
        ws,
        log,
        flags=MappingFlags(
            journey_id="member",
            timestamp="at",
            question="q",
            score="s",
            touchpoint="tp",
            question_renames={"How likely to recommend?": "NPS", "Mood": "emotion"},
            renames={"Sign up": "sign-up"},
        ),
    )
    assert [(a["question"], a["touchpoint"], a["step"]) for a in answers(ws)] == [
        ("nps", None, None),
        ("emotion", "sign-up", "agree"),
    ]


def test_naive_times_in_the_workspace_time_zone(ws: Path, tmp_path: Path) -> None:
    config = ws / "workspace.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "time_zone: UTC", "time_zone: America/Sao_Paulo"
        ),
        encoding="utf-8",
    )
    log = write_csv(tmp_path / "a.csv", LONG_HEADER, LONG[:1])
    result = import_feedback(ws, log, flags=LONG_FLAGS)
    assert answers(ws)[0]["at"] == "2024-03-01 13:00"  # 10:00 at UTC-3
    assert result.first_timestamp is not None and result.first_timestamp.hour == 13


# --------------------------------------------------------------------------- mappings


def test_idempotence_and_the_saved_mapping(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "survey.csv", WIDE_HEADER, WIDE)
    first = import_feedback(ws, log, flags=WIDE_FLAGS)
    again = import_feedback(ws, log)
    assert again.already_imported and again.import_id == first.import_id
    assert again.kind == "feedback"
    march = write_csv(tmp_path / "survey-march.csv", WIDE_HEADER, [["M4", *WIDE[0][1:]]])
    second = import_feedback(ws, march)
    assert (second.mapping_origin, second.mapping_name, second.rows_imported) == (
        "saved",
        "survey",
        3,
    )
    assert len(answers(ws)) == 8


def test_missing_columns_are_named_with_their_flags(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "x.csv", LONG_HEADER, LONG)
    with pytest.raises(ImportRejected) as exc:
        import_feedback(ws, log)
    text = str(exc.value)
    assert "no saved feedback mapping fits" in text
    assert "no column chosen for journey_id" in text and "--journey-id COLUMN" in text
    assert "--score-column QUESTION=COLUMN" in text
    with pytest.raises(ImportRejected, match=r"'Q9' \(for score_columns.csat\) is not in the file"):
        import_feedback(
            ws,
            log,
            flags=MappingFlags(journey_id="member", timestamp="at", score_columns={"csat": "Q9"}),
        )
    with pytest.raises(ImportRejected, match="--text-column QUESTION=COLUMN"):
        import_feedback(
            ws,
            log,
            flags=MappingFlags(
                journey_id="member", timestamp="at", score_columns={"csat": "s"}, comment="text"
            ),
        )


def test_kinds_do_not_mix(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "orders.csv", LONG_HEADER, LONG)
    with pytest.raises(InputError, match="for events, not for feedback: activity"):
        import_feedback(ws, log, flags=MappingFlags(activity="q"))
    with pytest.raises(InputError, match="for feedback, not for events: score"):
        import_events(ws, log, flags=MappingFlags(score="s"))
    MappingLibrary(ws / "data" / "mappings").save(
        ImportMapping(
            "orders", columns=ColumnMapping(journey_id="member", activity="q", timestamp="at")
        )
    )
    with pytest.raises(InputError, match="mapping 'orders' is for events, not for feedback"):
        import_feedback(ws, log, mapping="orders")
    result = import_feedback(ws, log, flags=LONG_FLAGS)  # the events mapping is kept
    assert result.mapping_name == "orders-feedback"
    assert MappingLibrary(ws / "data" / "mappings").load("orders").kind == "events"


def test_only_tabular_files(ws: Path, tmp_path: Path) -> None:
    xes = Path(__file__).resolve().parents[1] / "data" / "xes" / "tiny.xes"
    with pytest.raises(ImportRejected, match="CSV, Parquet or JSON Lines"):
        import_feedback(ws, xes, flags=LONG_FLAGS)


# --------------------------------------------------------------------------- answer identity


def test_an_exact_duplicate_counts_once_within_a_file_and_across_files(
    ws: Path, tmp_path: Path
) -> None:
    rows = [r[:6] for r in LONG[:4]]
    doubled = write_csv(tmp_path / "doubled.csv", LONG_HEADER[:6], [*rows, rows[1], rows[1]])
    first = import_feedback(ws, doubled, flags=LONG_FLAGS)
    assert (first.rows_imported, first.rows_duplicate, first.conflict_count) == (4, 2, 0)
    overlap = write_csv(
        tmp_path / "overlap.csv",
        LONG_HEADER[:6],
        [*rows[2:], ["M3", "2024-03-09 08:00:00", "csat", "5", "search", ""]],
    )
    second = import_feedback(ws, overlap)
    assert (second.rows_imported, second.rows_duplicate) == (1, 2)
    assert len(answers(ws)) == 5
    assert [r.rows_duplicate for r in list_imports(ws)] == [2, 2]


def test_a_conflicting_duplicate_in_the_file_keeps_the_first_and_names_both_lines(
    ws: Path, tmp_path: Path
) -> None:
    rows = [r[:6] for r in LONG[:2]]
    changed = [*rows[0][:3], "2", *rows[0][4:]]  # same journey, touchpoint, question, time
    log = write_csv(tmp_path / "answers.csv", LONG_HEADER[:6], [*rows, changed])
    result = import_feedback(ws, log, flags=LONG_FLAGS)
    assert (result.rows_imported, result.rows_duplicate, result.conflict_count) == (2, 1, 1)
    [problem] = result.conflicts
    assert problem.location.line == 4 and problem.location.file == str(log)
    assert "line 2 is kept" in problem.message and "journey M1" in problem.message
    assert problem.found == "score 2, comment 'quick'"
    assert problem.expected == "score 4, comment 'quick', as in line 2"
    kept = [a["score"] for a in answers(ws) if a["question"] == "csat"]
    assert kept == [4.0]


def test_a_conflict_with_a_stored_answer_keeps_the_stored_one(ws: Path, tmp_path: Path) -> None:
    rows = [r[:6] for r in LONG[:2]]
    import_feedback(ws, write_csv(tmp_path / "a.csv", LONG_HEADER[:6], rows), flags=LONG_FLAGS)
    later = write_csv(
        tmp_path / "b.csv", LONG_HEADER[:6], [[*rows[0][:3], "1", rows[0][4], "slow"]]
    )
    result = import_feedback(ws, later)
    assert (result.rows_imported, result.rows_duplicate, result.conflict_count) == (0, 1, 1)
    [problem] = result.conflicts
    assert "import #1 (a.csv) is kept" in problem.message and problem.location.line == 2
    assert problem.found == "score 1, comment 'slow'"
    assert "delete import #1" in (problem.hint or "")
    assert [a["score"] for a in answers(ws) if a["question"] == "csat"] == [4.0]


def test_a_header_only_file_is_refused_and_not_recorded(ws: Path, tmp_path: Path) -> None:
    empty = write_csv(tmp_path / "empty.csv", LONG_HEADER, [])
    with pytest.raises(ImportRejected, match="no answers to import"):
        import_feedback(ws, empty, flags=LONG_FLAGS)
    assert list_imports(ws) == []
