"""Survey questions declared in the workspace (surveys.yaml): their scales and bands are
used at import and in the experience analyses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticValidationError

from cojourney.domain import SurveyQuestion, check_references
from cojourney.errors import ImportRejected
from cojourney.events.mappings import MappingFlags
from cojourney.services.experience import experience_report
from cojourney.services.imports import import_feedback
from cojourney.services.workspaces import init_workspace, open_workspace

FLAGS = MappingFlags(journey_id="ticket", timestamp="at", question="q", score="s", touchpoint="tp")


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket", "at", "q", "s", "tp"])
        writer.writerows(rows)
    return path


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws", example="incident-resolution")
    return tmp_path / "ws"


def test_the_bands_default_to_the_quarters_of_the_scale() -> None:
    q = SurveyQuestion(id="effort", name="How much effort?", low=1, high=9)
    assert q.scale == (1, 9) and q.bands == (3.0, 7.0)
    assert SurveyQuestion(id="h", name="H", low=0, high=10, poor_at_most=6).bands == (6, 7.5)
    with pytest.raises(PydanticValidationError, match="'high' must be above 'low'"):
        SurveyQuestion(id="x", name="X", low=5, high=5)
    with pytest.raises(PydanticValidationError, match="must lie on the scale"):
        SurveyQuestion(id="x", name="X", low=0, high=10, good_at_least=11)


def test_a_standard_question_cannot_be_redeclared(incidents: Path) -> None:
    ws = open_workspace(incidents)
    broken = ws.model_copy(
        update={
            "questions": [
                *ws.questions,
                SurveyQuestion(id="nps", name="NPS", low=0, high=5, touchpoints=["nowhere"]),
            ]
        }
    )
    messages = [p.message for p in check_references(broken)]
    assert "'nps' is a standard question" in messages
    assert "unknown touchpoint 'nowhere'" in messages


def test_the_declared_scale_checks_imports(incidents: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", [["INC1", "2025-03-01 10:00", "happiness", "11", ""]])
    with pytest.raises(ImportRejected, match="happiness score is outside its scale"):
        import_feedback(incidents, bad, flags=FLAGS)


def test_the_declared_bands_decide_poor_and_good(incidents: Path, tmp_path: Path) -> None:
    # happiness 0-10, poor up to 6, good from 9. Three incidents: journey scores 9, 6, 8
    # (normalised 0.9, 0.6, 0.8), and csat at the closure survey 5, 2, 4.
    rows = [
        ["INC1", "2025-03-01 10:00", "happiness", "9", ""],
        ["INC1", "2025-03-01 10:00", "csat", "5", "closure-survey"],
        ["INC2", "2025-03-02 10:00", "happiness", "6", ""],
        ["INC2", "2025-03-02 10:00", "csat", "2", "closure-survey"],
        ["INC3", "2025-03-03 10:00", "happiness", "8", ""],
        ["INC3", "2025-03-03 10:00", "csat", "4", "closure-survey"],
    ]
    import_feedback(incidents, write(tmp_path / "answers.csv", rows), flags=FLAGS)
    analysis = experience_report(incidents).to_dict()
    gap = analysis["gap"]
    assert gap["journeys"] == 3
    assert gap["journey_score"]["value"] == pytest.approx((0.9 + 0.6 + 0.8) / 3)
    # INC2's only touchpoint answer is poor (csat 2) and its journey answer is poor (6 <= 6):
    # neither "well but poor" nor "poor but well".
    assert gap["well_but_poor"]["count"] == 0 and gap["poor_but_well"]["count"] == 0
    closure = next(m for m in analysis["moments_of_truth"] if m["touchpoint"] == "closure-survey")
    assert closure["journeys_poor"] == 1
    assert closure["mean_with_poor"] == pytest.approx(0.6)
    assert closure["mean_other"] == pytest.approx((0.9 + 0.8) / 2)
