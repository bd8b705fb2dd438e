"""Persona and segment rules in the workspace YAML: loaded, and located when wrong."""

from __future__ import annotations

from pathlib import Path

from cojourney.domain.segments import SegmentRule, persona_rule
from cojourney.spec import validate_workspace

WORKSPACE = """\
workspace: {id: w, name: W}
personas:
  - id: ana
    name: Ana
    segment: Students
    rule: {attribute: member_type, in: [student, phd]}
  - id: bo
    name: Bo
    segment: Staff
segments:
  - id: heavy
    name: Heavy users
    rule:
      all:
        - {attribute: trips, gte: 10}
        - not: {attribute: channel, equals: phone}
"""


def test_rules_load_and_a_persona_without_one_keeps_the_naming_convention(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(WORKSPACE, encoding="utf-8")
    report = validate_workspace(tmp_path)
    assert report.problems == []
    ws = report.workspace
    assert ws is not None
    ana, bo = ws.personas
    assert ana.rule == SegmentRule(attribute="member_type", in_=["student", "phd"])
    assert persona_rule(bo.id, bo.rule) == SegmentRule(attribute="segment", equals="bo")
    (heavy,) = ws.segments
    assert heavy.rule.describe() == "all(trips gte 10.0; not (channel equals phone))"


def test_a_bad_rule_is_located_at_its_line(tmp_path: Path):
    bad = WORKSPACE.replace("        - {attribute: trips, gte: 10}", "        - {attribute: trips}")
    (tmp_path / "w.yaml").write_text(bad, encoding="utf-8")
    [problem] = validate_workspace(tmp_path).problems
    text = problem.render()
    assert "needs exactly one test" in text
    assert problem.location.file is not None and problem.location.file.endswith("w.yaml")
    assert problem.location.line == 15
    assert "segments[0].rule.all[0]" in text


def test_an_unknown_test_is_named(tmp_path: Path):
    bad = WORKSPACE.replace("in: [student, phd]", "like: stud*")
    (tmp_path / "w.yaml").write_text(bad, encoding="utf-8")
    problems = validate_workspace(tmp_path).problems
    text = "\n".join(p.render() for p in problems)
    assert "like" in text
    assert all(p.location.line == 6 for p in problems), text
