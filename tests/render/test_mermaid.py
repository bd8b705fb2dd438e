"""Mermaid journey syntax: structure, sanitising, the score scale."""

from __future__ import annotations

import pytest

from cojourney.render import render_mermaid_journey
from cojourney.render.mermaid import mermaid_score, sanitise


@pytest.mark.parametrize(
    ("emotion", "score"),
    [(-3, 1), (0, 3), (3, 5), (1.5, 4), (-1.5, 2), (None, 3), (2.9, 5), (-0.2, 3)],
)
def test_score_maps_minus_three_plus_three_onto_one_to_five(emotion, score):
    # hand-computed: (e + 3) / 6 * 4 + 1, rounded half up
    assert mermaid_score(emotion) == score


def test_structure(workspace):
    text = render_mermaid_journey(workspace)
    lines = text.splitlines()
    assert lines[0] == "journey"
    assert lines[1] == "    title Commuting to campus by shared bike"
    sections = [ln.strip() for ln in lines if ln.strip().startswith("section ")]
    assert sections == [f"section {s.name}" for s in workspace.journey().steps]
    assert "      Rides to campus: 5: Customer" in lines  # +2.5 -> 4.67 -> 5, no owner
    assert "      Compares plans on the website: 3: Marketing" in lines  # owner team as actor
    assert "      Finds the dock full and looks for another: 1: Customer" in lines
    assert "Rebalances bikes" not in text  # backstage touchpoints are not the customer's journey
    assert text.endswith("\n")


def test_name_with_colon_hash_semicolon_is_sanitised(workspace, tricky_name):
    assert ":" in tricky_name and "#" in tricky_name and ";" in tricky_name
    text = render_mermaid_journey(workspace)
    line = next(ln for ln in text.splitlines() if "Support chat" in ln)
    task, score, actor = line.strip().split(": ")
    assert line.count(":") == 2 and "#" not in line and ";" not in line
    assert task == "Support chat\u2236 ticket \uff0342, follow-up & \u2039escalation\u203a"
    assert score == "2" and actor == "Service desk"  # designed -1 -> 2.33 -> 2


def test_sanitise():
    assert sanitise("a:b#c;d") == "a\u2236b\uff03c,d"
    assert sanitise("two\nlines  and   spaces") == "two lines and spaces"
    assert sanitise("100%% sure") == "100% sure"
    assert sanitise("") == "-"


def test_names_that_start_like_a_keyword_are_guarded():
    from cojourney.render.mermaid import task_name

    assert task_name("Journey review call").startswith("\u200b")
    assert task_name("section leader calls") == "\u200bsection leader calls"
    assert task_name("Plans the journey") == "Plans the journey"
