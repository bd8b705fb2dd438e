"""Feedback mappings: layouts, canonical defaults, flags, the YAML file and its messages."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cojourney.errors import InputError
from cojourney.events import feedback_mapping, mappings
from cojourney.events.feedback_mapping import FeedbackColumns, column_problems
from cojourney.events.mappings import ImportMapping, MappingFlags, MappingLibrary

SURVEY = ImportMapping(
    "survey",
    kind="feedback",
    format="csv",
    time_zone="Europe/Lisbon",
    feedback=FeedbackColumns(
        journey_id="member id",
        timestamp="answered",
        touchpoint="tp",
        score_columns={"csat": "Q1", "nps": "Q7"},
        text_columns={"why": "Q8"},
        journey_questions=("nps",),
        scales={"late-car": (1.0, 5.0)},
        touchpoint_renames={"Trip: end": "plug-in-end-trip"},
        timestamp_format="%d/%m/%Y %H:%M",
    ),
)


@pytest.mark.parametrize("module", [feedback_mapping, mappings])
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0


def test_layouts_and_source_columns() -> None:
    assert SURVEY.feedback.wide and not FeedbackColumns(question="q").wide
    assert SURVEY.source_columns() == ["member id", "answered", "tp", "Q1", "Q7", "Q8"]
    # The long layout's unset required fields count with their canonical names.
    assert ImportMapping("x", kind="feedback").source_columns() == [
        "journey_id",
        "timestamp",
        "question",
        "score",
    ]


def test_resolve_fills_canonical_names_but_not_the_wide_layouts_question() -> None:
    available = ["journey_id", "timestamp", "question", "score", "comment", "segment", "Q1"]
    long = FeedbackColumns().resolve(available)
    assert (long.question, long.score, long.comment, long.segment) == (
        "question",
        "score",
        "comment",
        "segment",
    )
    wide = FeedbackColumns(score_columns={"csat": "Q1"}).resolve(available)
    assert (wide.journey_id, wide.question, wide.score, wide.comment) == (
        "journey_id",
        None,
        None,
        None,
    )
    taken = FeedbackColumns(score_columns={"csat": "score"}).resolve(["score", "journey_id"])
    assert taken.score is None


def test_column_problems() -> None:
    problems = column_problems(FeedbackColumns(journey_id="m", score="s"), ["m", "x"], "f.csv")
    assert [p.message for p in problems] == [
        "no column chosen for timestamp",
        "no column chosen for question",
        "column 's' (for score) is not in the file",
    ]
    assert (
        problems[0].hint
        == "name the column with mapping.columns.timestamp COLUMN (names are case-sensitive)"
    )
    bad = FeedbackColumns(
        journey_id="m",
        timestamp="t",
        score_columns={"csat": "s"},
        question="q",
        scales={"x": (5.0, 1.0)},
    )
    messages = {p.message for p in column_problems(bad, ["m", "t", "s", "q"], "f.csv")}
    assert messages == {
        "a question or score column is for the long layout (one row per answer)",
        "the scale of 'x' is empty",
    }


def test_yaml_round_trip_and_comments() -> None:
    text = SURVEY.to_yaml()
    assert ImportMapping.from_yaml(text, name="survey") == SURVEY
    assert "kind: feedback" in text and "journey_id: member id" in text
    assert "# wide layout (one row per response)" in text and "late-car: [1, 5]" in text
    assert '"Trip: end": plug-in-end-trip' in text
    assert "activity_renames" not in text and "xes:" not in text


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=10)


@given(
    columns=st.dictionaries(texts, texts, max_size=3),
    renames=st.dictionaries(texts, texts, max_size=3),
    questions=st.lists(texts, max_size=3),
    low=st.integers(-10, 10),
    width=st.integers(1, 10),
)
def test_yaml_round_trip_of_any_values(
    columns: dict[str, str], renames: dict[str, str], questions: list[str], low: int, width: int
) -> None:
    m = ImportMapping(
        "m",
        kind="feedback",
        feedback=FeedbackColumns(
            journey_id="j",
            score_columns=columns,
            question_renames=renames,
            journey_questions=tuple(questions),
            scales={"custom": (float(low), float(low + width))},
        ),
    )
    assert ImportMapping.from_yaml(m.to_yaml(), name="m") == m


def test_every_problem_of_a_feedback_file_has_its_line() -> None:
    text = (
        "mapping_version: 1\nkind: feedback\nformat: xes\ncolumns:\n  activity: x\n"
        "scales:\n  late: [5, 1]\njourney_questions: nps\nactivity_renames: {}\n"
        "score_columns:\n  csat: [a]\n"
    )
    with pytest.raises(InputError) as exc:
        ImportMapping.from_yaml(text, name="bad", source="bad.yaml")
    where = {(p.location.line, p.location.field) for p in exc.value.problems}
    assert where == {
        (3, "format"),
        (5, "columns.activity"),
        (7, "scales.late"),
        (8, "journey_questions"),
        (9, "activity_renames"),
        (11, "score_columns.csat"),
    }
    assert "unknown key 'activity_renames' in a feedback mapping" in str(exc.value)
    with pytest.raises(InputError, match="unknown kind of log"):
        ImportMapping.from_yaml("kind: survey\n", name="k", source="k.yaml")


def test_flags_merge_into_a_feedback_mapping() -> None:
    m = SURVEY.with_flags(
        MappingFlags(
            timestamp="when",
            score_columns={"ces": "Q3"},
            journey_questions=("ces", "nps"),
            renames={"Call": "late-return-call"},
            question_renames={"Mood": "emotion"},
            scales={"happiness": (0.0, 10.0)},
            sep=";",
            time_zone="UTC",
        )
    )
    fb = m.feedback
    assert (fb.timestamp, fb.journey_id, m.time_zone, m.csv.sep) == (
        "when",
        "member id",
        "UTC",
        ";",
    )
    assert dict(fb.score_columns) == {"csat": "Q1", "nps": "Q7", "ces": "Q3"}
    assert fb.journey_questions == ("nps", "ces")
    assert dict(fb.touchpoint_renames) == {
        "Trip: end": "plug-in-end-trip",
        "Call": "late-return-call",
    }
    assert dict(fb.scales) == {"late-car": (1.0, 5.0), "happiness": (0.0, 10.0)}
    assert dict(fb.question_renames) == {"Mood": "emotion"}
    assert MappingFlags(scales={"a": (1.0, 2.0)}).given() == ["scales"]
    assert not MappingFlags(journey_questions=("nps",)).is_empty()


def test_fingerprints_differ_by_kind_and_library_candidates(tmp_path: Path) -> None:
    events = ImportMapping("a")
    feedback = ImportMapping("a", kind="feedback")
    assert events.fingerprint() != feedback.fingerprint()
    library = MappingLibrary(tmp_path)
    library.save(SURVEY)
    library.save(ImportMapping("orders", format="csv"))

    def columns(m: ImportMapping) -> list[str]:
        return [
            "member id",
            "answered",
            "tp",
            "Q1",
            "Q7",
            "Q8",
            "case:concept:name",
            "concept:name",
            "time:timestamp",
        ]

    fitting, _ = library.candidates("csv", columns, kind="feedback")
    assert [m.name for m in fitting] == ["survey"]
    fitting, _ = library.candidates("csv", columns)
    assert [m.name for m in fitting] == ["orders"]
