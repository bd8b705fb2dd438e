"""Rules that place journeys in personas and named segments by their case attributes.

A rule is a small tree written in the workspace YAML::

    rule: {attribute: member_type, in: [student, phd]}
    rule:
      all:
        - {attribute: channel, equals: app}
        - not: {attribute: age, lt: 25}

A *condition* names an ``attribute`` (an event column such as ``segment``,
``channel``, ``actor`` or ``role``, else a key of the events' JSON ``attributes``)
and exactly one test:

* ``equals: VALUE`` / ``in: [VALUES]``: the value is (one of) these;
* ``not_in: [VALUES]``: the journey has a value and none of its values is one of these;
* ``exists: true`` (or ``false``): the journey has (or has no) value at all;
* ``gt``, ``gte``, ``lt``, ``lte``: compared as numbers (a value that is not a
  number never matches).

Values are compared as text, except numbers in ``equals``/``in``/``not_in``, which
are compared as numbers (``3`` matches ``"3"`` and ``"3.0"``). A journey satisfies
a condition when *one of its events* does (a case attribute is usually the same
on every event of the journey, so this is its value); a journey without the
attribute satisfies none of the tests but ``exists: false``.

Conditions combine with ``all: [...]`` (every one), ``any: [...]`` (at least one)
and ``not: RULE``.

A persona without a ``rule`` keeps the older naming convention: its journeys are
those whose events carry ``segment`` equal to the persona's id
(:func:`persona_rule`). When several personas match a journey, the *first* in the
workspace's order wins; named segments (the workspace's ``segments:``) may
overlap, and a journey can be in several or in none.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from cojourney.domain.common import Model, Named

#: A value a condition compares with.
Scalar = str | int | float | bool

#: The tests a condition can make, by key.
TESTS: tuple[str, ...] = ("equals", "in", "not_in", "exists", "gt", "gte", "lt", "lte")
#: How conditions combine.
COMBINATORS: tuple[str, ...] = ("all", "any", "not")


class SegmentRule(Model):
    """One node of a rule: a condition on an attribute, or ``all``/``any``/``not``."""

    all: list[SegmentRule] | None = Field(None, description="Every rule holds.")
    any: list[SegmentRule] | None = Field(None, description="At least one rule holds.")
    not_: SegmentRule | None = Field(None, alias="not", description="The rule does not hold.")
    attribute: str | None = Field(
        None,
        min_length=1,
        description="An event column (segment, channel, actor, role) or a key of the "
        "events' attributes.",
    )
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(None, min_length=1)
    exists: bool | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SegmentRule:
        combinators = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        tests = [k for k in ("equals", "in_", "not_in", "exists", "gt", "gte", "lt", "lte")]
        tests = [k.rstrip("_") for k in tests if getattr(self, k) is not None]
        names = [c.rstrip("_") for c in combinators]
        if self.attribute is None:
            if tests:
                raise ValueError(f"{', '.join(tests)} needs an attribute to test")
            if len(names) != 1:
                raise ValueError(
                    "a rule is one of: a condition {attribute: NAME, equals|in|not_in|exists|"
                    "gt|gte|lt|lte: VALUE}, all: [RULES], any: [RULES], not: RULE"
                    + (f" (found {', '.join(names)} together)" if names else "")
                )
            for key in ("all", "any"):
                items = getattr(self, key)
                if items is not None and not items:
                    raise ValueError(f"{key} needs at least one rule")
            return self
        if names:
            raise ValueError(f"a condition on {self.attribute!r} cannot also hold {names[0]}")
        if len(tests) != 1:
            raise ValueError(
                f"a condition on {self.attribute!r} needs exactly one test of "
                f"{', '.join(TESTS)}" + (f" (found {', '.join(tests)})" if tests else "")
            )
        return self

    @property
    def test(self) -> tuple[str, Any]:
        """``(test, value)`` of a condition (``("", None)`` for a combinator)."""
        for key in TESTS:
            value = getattr(self, "in_" if key == "in" else key)
            if value is not None:
                return key, value
        return "", None

    def conditions(self) -> list[SegmentRule]:
        """Every condition in the rule, depth first."""
        if self.attribute is not None:
            return [self]
        children = self.all or self.any or ([self.not_] if self.not_ is not None else [])
        return [c for child in children for c in child.conditions()]

    def describe(self) -> str:
        """The rule in one line: ``member_type in [student]``, ``all(...)``."""
        if self.attribute is not None:
            test, value = self.test
            return f"{self.attribute} {test.replace('_', ' ')} {value}"
        if self.not_ is not None:
            return f"not ({self.not_.describe()})"
        key = "all" if self.all is not None else "any"
        return f"{key}(" + "; ".join(r.describe() for r in getattr(self, key)) + ")"


class NamedSegment(Named):
    """A named group of journeys, defined by a rule over their case attributes."""

    rule: SegmentRule = Field(description="Which journeys belong to the segment.")


def equals_rule(attribute: str, value: str) -> SegmentRule:
    """The rule ``{attribute: ATTRIBUTE, equals: VALUE}``."""
    return SegmentRule(attribute=attribute, equals=value)


def persona_rule(persona_id: str, rule: SegmentRule | None) -> SegmentRule:
    """A persona's rule: its own, else the naming convention ``segment == persona id``."""
    return rule if rule is not None else equals_rule("segment", persona_id)
