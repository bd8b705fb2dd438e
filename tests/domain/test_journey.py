from datetime import timedelta

import pytest
from pydantic import ValidationError

from cojourney.domain import (
    DsvStep,
    Journey,
    Period,
    Touchpoint,
    dsv_steps,
    format_duration,
    parse_duration,
)


def _journey(**extra):
    return Journey(
        id="j",
        name="J",
        steps=[s.model_dump() for s in dsv_steps()],
        touchpoints=[
            {
                "id": "search",
                "name": "Search",
                "step": "explore",
                "channel": "app",
                "emotion": 1,
                "expected_duration": "5m",
            },
            {
                "id": "video",
                "name": "Video",
                "step": "onboard",
                "channel": "app",
                "optional": True,
                "emotion": -1,
            },
            {
                "id": "book",
                "name": "Book",
                "step": "co-create",
                "channel": "app",
                "emotion": 2,
                "expected_duration": "1h",
            },
            {
                "id": "unlock",
                "name": "Unlock",
                "step": "co-create",
                "channel": "physical",
                "emotion": 3,
            },
        ],
        **extra,
    )


def test_dsv_template_has_the_seven_steps_in_order_with_periods():
    steps = dsv_steps()
    assert [s.dsv_step for s in steps] == list(DsvStep)
    assert [s.period for s in steps] == [Period.PRE_SERVICE] * 4 + [Period.SERVICE] * 2 + [
        Period.POST_SERVICE
    ]


def test_designed_path_defaults_to_listing_order_and_optional_flags():
    j = _journey()
    assert j.expected_order() == ["search", "video", "book", "unlock"]
    assert j.mandatory_touchpoints() == ["search", "book", "unlock"]
    assert j.entry_points() == ["search"] and j.exit_points() == ["unlock"]
    j2 = _journey(path={"order": ["book", "search"], "entry_points": ["book", "search"]})
    assert j2.expected_order() == ["book", "search"]
    assert j2.entry_points() == ["book", "search"]


def test_designed_emotion_per_step_is_the_mean_of_its_touchpoints():
    emotions = _journey().designed_emotion_by_step()
    assert emotions["co-create"] == pytest.approx(2.5)
    assert emotions["explore"] == 1 and emotions["engage"] is None


def test_expected_duration_sums_touchpoints():
    assert _journey().expected_duration() == timedelta(hours=1, minutes=5)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", None),
        (90, 90),
        ("90s", 90),
        ("5m", 300),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1h 2m 3s", 3723),
    ],
)
def test_duration_notations(text, seconds):
    if seconds is None:  # a quoted number is read as seconds too
        tp = Touchpoint(id="t", name="T", step="s", channel="app", expected_duration=text)
        assert tp.expected_duration == timedelta(seconds=90)
    else:
        assert parse_duration(text) == timedelta(seconds=seconds)
        assert Touchpoint(
            id="t", name="T", step="s", channel="app", expected_duration=text
        ).expected_duration == timedelta(seconds=seconds)


def test_iso_durations_and_formatting_round_trip():
    tp = Touchpoint(id="t", name="T", step="s", channel="app", expected_duration="PT1H30M")
    assert tp.expected_duration == timedelta(minutes=90)
    assert format_duration(tp.expected_duration) == "1h30m"
    assert tp.model_dump(mode="json")["expected_duration"] == "1h30m"


def test_emotion_outside_scale_and_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        Touchpoint(id="t", name="T", step="s", channel="app", emotion=4)
    with pytest.raises(ValidationError):
        Touchpoint(id="t", name="T", step="s", channel="app", colour="red")
    with pytest.raises(ValidationError):
        Touchpoint(id="bad id!", name="T", step="s", channel="app")
