from datetime import date

import pytest
from pydantic import ValidationError

from cojourney.domain import (
    HIGH_LEVEL,
    Organisation,
    Quadrant,
    Relationship,
    RelationshipType,
    Stakeholder,
    quadrant_of,
)


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [
        (9, 9, Quadrant.MANAGE_CLOSELY),
        (9, 1, Quadrant.KEEP_SATISFIED),
        (1, 9, Quadrant.KEEP_INFORMED),
        (1, 1, Quadrant.MONITOR),
        (HIGH_LEVEL, HIGH_LEVEL, Quadrant.MONITOR),  # the midpoint itself is not "high"
        (HIGH_LEVEL + 0.1, HIGH_LEVEL + 0.1, Quadrant.MANAGE_CLOSELY),
    ],
)
def test_quadrant_follows_the_power_interest_grid(influence, interest, quadrant):
    assert quadrant_of(influence, interest) is quadrant


def test_stakeholder_snapshot_history_is_kept_and_queried_by_date():
    sh = Stakeholder(
        id="uni",
        name="University",
        kind="partner",
        snapshots=[
            {"date": "2026-02-01", "influence": 8, "interest": 8},
            {"date": "2025-02-01", "influence": 8, "interest": 3},
        ],
    )
    assert sh.quadrant_at() is Quadrant.MANAGE_CLOSELY
    assert sh.quadrant_at(date(2025, 6, 1)) is Quadrant.KEEP_SATISFIED
    assert sh.snapshot_at(date(2024, 1, 1)) is None


def test_levels_outside_zero_to_ten_are_refused():
    with pytest.raises(ValidationError):
        Stakeholder(
            id="x",
            name="X",
            kind="other",
            snapshots=[{"date": "2026-01-01", "influence": 11, "interest": 1}],
        )


def test_consumer_roles_need_the_consumer_role():
    with pytest.raises(ValidationError, match="consumer"):
        Organisation(
            id="o",
            name="O",
            roles=["provider"],
            consumer_roles=[{"role": "user", "held_by": "students"}],
        )


def test_relationship_profile_comes_from_its_type():
    rel = Relationship(id="r", name="R", type="partnership", provider="a", consumer="b")
    assert rel.type is RelationshipType.PARTNERSHIP
    assert rel.profile["focus"] == "innovation and growth"
