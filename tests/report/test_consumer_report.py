"""``report --audience consumer``: the consumer report holds nothing from backstage.

Both flagship examples get simulated event and feedback logs, so the report shows what
customers answered too; every provider-only text of the workspace (:mod:`backstage`)
is then looked for in the page. The same page must still show every consumer
touchpoint, and the provider's report of the same design must trip the same check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backstage import backstage_texts, consumer_touchpoint_names, leaks
from checks import external_references, parse

from cojourney.cli.main import main
from cojourney.domain import Journey, Step, Touchpoint
from cojourney.report.consumer import MIN_ANSWERS, consumer_feedback
from cojourney.services.consumer_report import consumer_page
from cojourney.services.report import build_report
from cojourney.spec import load_workspace

#: Enough simulated journeys that some consumer touchpoints get MIN_ANSWERS answers.
JOURNEYS = "80"


@pytest.fixture(scope="module", params=["ecampus-car-share", "incident-resolution"])
def simulated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("consumer") / request.param
    assert main(["init", str(folder), "--example", request.param]) == 0
    assert main(["demo", "simulate", str(folder), "-n", JOURNEYS]) == 0
    return folder


@pytest.fixture(scope="module")
def consumer_report(simulated: Path) -> tuple[Path, object]:
    out = simulated.parent / f"{simulated.name}-consumer.html"
    return out, build_report(simulated, out, audience="consumer")


def test_consumer_report_holds_nothing_from_backstage(simulated, consumer_report):
    out, result = consumer_report
    workspace = load_workspace(simulated)
    hidden = backstage_texts(workspace)
    names = consumer_touchpoint_names(workspace)
    page = out.read_bytes()
    assert leaks(page, hidden) == []
    assert leaks(page, names) == sorted(names)  # every consumer touchpoint is still there
    assert result.sections == {"journey-map": "ok", "steps": "ok", "feedback": "ok"}
    assert result.journey_id == workspace.journey().id


def test_consumer_report_is_one_offline_page_without_script(consumer_report):
    out, _ = consumer_report
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert external_references(page) == []
    assert "<script" not in text.lower()  # no script, no embedded data
    assert "What customers told us" in text
    assert f"at least {MIN_ANSWERS} people" in text


def test_consumer_report_shows_no_volumes_or_agreements(simulated, consumer_report):
    out, _ = consumer_report
    text = out.read_text(encoding="utf-8")
    for provider_word in ("journeys", "events", "Agreements", "Value leakage", "Improvements"):
        assert provider_word not in text, provider_word


def test_provider_report_trips_the_same_check(tmp_path: Path):
    """Without events (so it is quick): the provider's report shows the backstage."""
    folder = tmp_path / "ws"
    assert main(["init", str(folder), "--example", "incident-resolution"]) == 0
    provider = build_report(folder, tmp_path / "provider.html")
    consumer = build_report(folder, tmp_path / "consumer.html", audience="consumer")
    hidden = backstage_texts(load_workspace(folder))
    assert len(leaks(provider.output.read_bytes(), hidden)) > 20
    assert leaks(consumer.output.read_bytes(), hidden) == []
    assert consumer.sections["feedback"] == "no-data"
    assert "leaves customers' answers out" in consumer.reasons["feedback"]
    page = consumer_page(folder)  # the same page as a string, for a share link
    assert page.journey_id == "resolve-incident" and page.feedback_reason
    assert leaks(page.html, hidden) == []
    assert "Step by step" in page.html


def test_cli_writes_the_consumer_report(tmp_path: Path, capsys):
    folder = tmp_path / "ws"
    assert main(["init", str(folder), "--example", "ecampus-car-share"]) == 0
    out = tmp_path / "for-customers.html"
    assert main(["report", str(folder), "--audience", "consumer", "-o", str(out)]) == 0
    assert "Wrote the consumer report of ecampus-member-journey" in capsys.readouterr().out
    assert leaks(out.read_bytes(), backstage_texts(load_workspace(folder))) == []


def _journey() -> Journey:
    return Journey(
        id="j",
        name="J",
        steps=[
            Step(id="a", name="A", period="service"),
            Step(id="b", name="B", period="service"),
        ],
        touchpoints=[
            Touchpoint(id="front", name="Front", step="a", channel="web"),
            Touchpoint(id="rare", name="Rare", step="a", channel="web"),
        ],
    )


def _row(key, question, n, value, mean=None, metric="mean"):
    return {
        "key": key,
        "question": question,
        "n": n,
        "value": value,
        "mean": mean,
        "metric": metric,
    }


def test_consumer_feedback_keeps_only_what_consumers_may_see():
    enough = MIN_ANSWERS
    analysis = {
        "breakdowns": [
            {
                "dimension": "touchpoint",
                "rows": [
                    _row("front", "csat", enough, 0.8, metric="csat"),
                    _row("front", "emotion", enough + 3, 1.25, mean=1.25),
                    _row("front", "late-car", enough, 4.0),  # a custom question
                    _row("rare", "csat", enough - 1, 0.1, metric="csat"),  # too few answers
                    _row("backstage-check", "csat", 50, 0.5, metric="csat"),  # not consumer's
                ],
            },
            {"dimension": "segment", "rows": [_row("front", "csat", 99, 0.9, metric="csat")]},
        ],
        "emotion_curve": [
            {"step": "a", "measured": 1.0, "n": enough},
            {"step": "b", "measured": -2.0, "n": enough - 1},
        ],
    }
    feedback = consumer_feedback(_journey(), analysis)
    assert feedback.touchpoints == {
        "front": {"csat": ("csat", 0.8, enough), "emotion": ("mean", 1.25, enough + 3)}
    }
    assert feedback.overlay == {
        "touchpoints": {"front": {"emotion": 1.25}},
        "steps": {"a": {"emotion": 1.0}},
    }
    nothing = consumer_feedback(_journey(), None)
    assert nothing.touchpoints == {} and nothing.overlay is None
