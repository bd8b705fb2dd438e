"""The designed journey: steps, touchpoints, service interactions, the designed path and gates."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import Field

from cojourney.domain.common import Duration, Emotion, Id, Model, Named
from cojourney.domain.offerings import OfferingDelivery


class Period(StrEnum):
    """Every journey passes a pre-service, an actual-service and a post-service period."""

    PRE_SERVICE = "pre_service"
    SERVICE = "service"
    POST_SERVICE = "post_service"


class DsvStep(StrEnum):
    """The seven steps of the DSV customer journey, in their logical order."""

    EXPLORE = "explore"
    ENGAGE = "engage"
    OFFER = "offer"
    AGREE = "agree"
    ONBOARD = "onboard"
    CO_CREATE = "co-create"
    REALIZE = "realize"


#: The default template: name, period and purpose of each DSV step.
#: Onboarding is counted in the service period: access is given and used from there on.
DSV_TEMPLATE: tuple[tuple[DsvStep, str, Period, str], ...] = (
    (DsvStep.EXPLORE, "Explore", Period.PRE_SERVICE, "Understand markets and stakeholders"),
    (DsvStep.ENGAGE, "Engage", Period.PRE_SERVICE, "Foster relationships"),
    (DsvStep.OFFER, "Offer", Period.PRE_SERVICE, "Shape demand and service offerings"),
    (DsvStep.AGREE, "Agree", Period.PRE_SERVICE, "Align expectations and agree the service"),
    (DsvStep.ONBOARD, "Onboard", Period.SERVICE, "Get on board or leave the journey"),
    (DsvStep.CO_CREATE, "Co-create", Period.SERVICE, "Provide and consume"),
    (DsvStep.REALIZE, "Realize", Period.POST_SERVICE, "Capture value and improve"),
)


class Channel(StrEnum):
    """How a touchpoint reaches the consumer."""

    APP = "app"
    WEB = "web"
    PORTAL = "portal"
    SERVICE_CATALOGUE = "service_catalogue"
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    CHAT = "chat"
    SOCIAL_MEDIA = "social_media"
    FORUM = "forum"
    RECOMMENDATION = "recommendation"
    IN_PERSON = "in_person"
    PHYSICAL = "physical"  #: a physical object or place: a car, a card reader, a poster
    LETTER = "letter"
    SELF_SERVICE = "self_service"
    SYSTEM = "system"  #: no direct channel: a back-office or automated action
    OTHER = "other"


class Visibility(StrEnum):
    """Where an activity sits relative to the band of visibility."""

    CONSUMER_ONLY = "consumer_only"  #: beyond the provider's line of visibility
    BAND = "band"  #: inside the band of visibility: both sides see it (frontstage)
    PROVIDER_ONLY = "provider_only"  #: beyond the consumer's line of visibility (backstage)


class TouchpointKind(StrEnum):
    """The three things that shape experience: the journey, the brand and the environment."""

    DIRECT = "direct"
    BRAND = "brand"
    ENVIRONMENT = "environment"


class InteractionKind(StrEnum):
    """The four kinds of service interaction."""

    TRANSFER_OF_GOODS = "transfer_of_goods"
    ACCESS_TO_RESOURCES = "access_to_resources"
    OPERANT_RESOURCES = (
        "operant_resources"  #: the provider's people and systems act for the consumer
    )
    JOINT_SERVICE_ACTION = "joint_service_action"


class Owner(Model):
    """The provider's team and role that own a touchpoint or interaction."""

    team: str = Field(min_length=1)
    role: str | None = None


class Step(Named):
    """One step of the journey: per step, what the consumer does, thinks, feels and asks."""

    dsv_step: DsvStep | None = Field(
        None, description="The DSV step it stands for; none for a custom step."
    )
    period: Period
    customer_does: list[str] = Field(default_factory=list)
    customer_thinks: list[str] = Field(default_factory=list)
    customer_feels: list[str] = Field(default_factory=list)
    customer_asks: list[str] = Field(default_factory=list)
    customer_goal: str | None = None
    provider_goal: str | None = None
    expected_duration: Duration | None = None
    offerings: list[OfferingDelivery] = Field(
        default_factory=list,
        description="Offerings (and which of their parts) the step as a whole delivers.",
    )


class Touchpoint(Named):
    """A moment the consumer (or a potential one) meets the provider, its products or brand."""

    step: Id
    channel: Channel
    owner: Owner | None = None
    kind: TouchpointKind = TouchpointKind.DIRECT
    visibility: Visibility = Visibility.BAND
    expected_duration: Duration | None = None
    emotion: Emotion | None = Field(
        None, description="Designed emotion, -3 (awful) .. +3 (delighted)."
    )
    moment_of_truth: bool = False
    optional: bool = Field(False, description="The designed path may leave it out.")
    customer_action: str | None = None
    data_source: str | None = Field(None, description="Where events of this touchpoint come from.")
    products: list[Id] = Field(default_factory=list)
    offerings: list[OfferingDelivery] = Field(
        default_factory=list,
        description="Offerings (and which of their parts) delivered at this touchpoint.",
    )


class ServiceInteraction(Named):
    """A reciprocal action between provider and consumer that co-creates value."""

    kind: InteractionKind
    step: Id
    touchpoints: list[Id] = Field(default_factory=list)
    owner: Owner | None = None
    provider_resources: list[str] = Field(default_factory=list)
    consumer_resources: list[str] = Field(default_factory=list)
    visibility: Visibility = Visibility.BAND


class Transition(Model):
    """A move from one touchpoint to another that the design allows (a loop or a skip)."""

    from_: Id = Field(alias="from")
    to: Id
    reason: str | None = None


class DesignedPath(Model):
    """How the designed journey is meant to be travelled.

    ``order`` is the expected order of touchpoints (empty: the order they are listed in).
    Touchpoints marked ``optional`` may be left out; every other one is mandatory.
    ``loops`` are allowed moves back; ``skips`` are allowed jumps forward over mandatory
    touchpoints; ``entry_points`` and ``exit_points`` are where a journey may start and end
    (empty: the first and last touchpoint of ``order``). ``gaps`` are moves between which
    the time is not a wait: the customer's own pace or a schedule (booking ahead, the
    monthly invoice); waiting leakage leaves them out, as it does the loops.
    """

    order: list[Id] = Field(default_factory=list)
    loops: list[Transition] = Field(default_factory=list)
    skips: list[Transition] = Field(default_factory=list)
    gaps: list[Transition] = Field(
        default_factory=list,
        description="Moves whose time in between is not waiting (own pace, a schedule).",
    )
    entry_points: list[Id] = Field(default_factory=list)
    exit_points: list[Id] = Field(default_factory=list)


class GateKind(StrEnum):
    ONBOARDING = "onboarding"
    OFFBOARDING = "offboarding"


class Gate(Named):
    """An onboarding or offboarding requirement: ``requires`` must happen before ``before``."""

    kind: GateKind = GateKind.ONBOARDING
    requires: list[Id] = Field(min_length=1, description="Prerequisite touchpoints.")
    before: list[Id] = Field(min_length=1, description="Touchpoints allowed only after them.")


class Journey(Named):
    """A designed customer journey for one segment, represented by personas."""

    personas: list[Id] = Field(default_factory=list)
    offerings: list[Id] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    touchpoints: list[Touchpoint] = Field(default_factory=list)
    interactions: list[ServiceInteraction] = Field(default_factory=list)
    path: DesignedPath = Field(default_factory=DesignedPath)
    gates: list[Gate] = Field(default_factory=list)
    in_progress_within: Duration | None = Field(
        None,
        description=(
            "A journey instance that has not ended at an exit point is still in progress "
            "while its last event is less than this before the data's end, abandoned after; "
            "default: the setting journey_in_progress_days."
        ),
    )

    # --- navigation -----------------------------------------------------------------
    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        return next(t for t in self.touchpoints if t.id == touchpoint_id)

    def touchpoints_in(self, step_id: str) -> list[Touchpoint]:
        return [t for t in self.touchpoints if t.step == step_id]

    def expected_order(self) -> list[str]:
        """Touchpoint ids in the designed order (``path.order`` or the listing order)."""
        return list(self.path.order) or [t.id for t in self.touchpoints]

    def mandatory_touchpoints(self) -> list[str]:
        optional = {t.id for t in self.touchpoints if t.optional}
        return [tp for tp in self.expected_order() if tp not in optional]

    def entry_points(self) -> list[str]:
        order = self.expected_order()
        return list(self.path.entry_points) or order[:1]

    def exit_points(self) -> list[str]:
        order = self.expected_order()
        return list(self.path.exit_points) or order[-1:]

    def ending_touchpoints(self) -> list[str]:
        """Touchpoints at which a journey instance ends on purpose: the exit points and the
        touchpoints of offboarding gates (cancelling, handing back)."""
        ends = list(self.exit_points())
        for gate in self.gates:
            if gate.kind is GateKind.OFFBOARDING:
                ends += [t for t in (*gate.before, *gate.requires) if t not in ends]
        return ends

    def offering_deliveries(self) -> list[tuple[Step, Touchpoint | None, OfferingDelivery]]:
        """Every offering delivery of the journey: ``(step, touchpoint, delivery)``, the
        touchpoint ``None`` for a step's own; in step order, a step's own first."""
        found: list[tuple[Step, Touchpoint | None, OfferingDelivery]] = []
        for step in self.steps:
            found += [(step, None, d) for d in step.offerings]
            found += [(step, tp, d) for tp in self.touchpoints_in(step.id) for d in tp.offerings]
        return found

    def step_of(self) -> dict[str, str]:
        """Map touchpoint id -> step id."""
        return {t.id: t.step for t in self.touchpoints}

    def designed_emotion_by_step(self) -> dict[str, float | None]:
        """Mean designed emotion of each step's touchpoints (None where none is set)."""
        result: dict[str, float | None] = {}
        for step in self.steps:
            scores = [t.emotion for t in self.touchpoints_in(step.id) if t.emotion is not None]
            result[step.id] = sum(scores) / len(scores) if scores else None
        return result

    def expected_duration(self) -> timedelta:
        """Sum of the touchpoints' expected durations."""
        return sum(
            (t.expected_duration for t in self.touchpoints if t.expected_duration),
            start=timedelta(),
        )


def dsv_steps() -> list[Step]:
    """The seven DSV steps as a fresh list of :class:`Step` (the default journey template)."""
    return [
        Step(id=s.value, name=name, dsv_step=s, period=period, description=purpose)
        for s, name, period, purpose in DSV_TEMPLATE
    ]
