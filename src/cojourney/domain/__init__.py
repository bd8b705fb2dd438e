"""The DSV model as typed objects: no I/O, no infrastructure.

Everything a workspace can hold is importable from here::

    from cojourney.domain import Workspace, Journey, Touchpoint
"""

from cojourney.domain.common import Duration, Emotion, Id, Level, format_duration, parse_duration
from cojourney.domain.improvement import (
    ExpectedEffect, Improvement, ImprovementStatus, Opportunity, PainPoint, Severity,
)
from cojourney.domain.journey import (
    DSV_TEMPLATE, Channel, DesignedPath, DsvStep, Gate, GateKind, InteractionKind, Journey, Owner,
    Period, ServiceInteraction, Step, Touchpoint, TouchpointKind, Transition, Visibility, dsv_steps,
)
from cojourney.domain.improvement_trials import Comparison, ComparisonKind
from cojourney.domain.measures import (
    Condition, ConditionOp, MatchMode, Measure, MeasureKind, Pairing, PeriodUnit, Statistic, TimeUnit,
)
from cojourney.domain.offerings import Offering, Product, Service
from cojourney.domain.parties import (
    HIGH_LEVEL, RELATIONSHIP_PROFILES, ConsumerRole, ConsumerRoleHolder, Organisation,
    OrganisationRole, Quadrant, Relationship, RelationshipType, Stakeholder, StakeholderKind,
    StakeholderSnapshot, quadrant_of,
)
from cojourney.domain.personas import CULTURE_SCALES, CultureProfile, Persona, Scenario
from cojourney.domain.service_levels import (
    BusinessCalendar, ClockTarget, Holiday, SlaClock, Weekday, WorkingHours,
)
from cojourney.domain.surveys import SurveyQuestion
from cojourney.domain.references import ReferenceProblem, check_references
from cojourney.domain.value import (
    Agreement, AgreementBasis, AgreementCover, AgreementKind, Comparator, Direction, Indicator,
    Metric, Target, ValueAspect, ValueItem, ValueProposition,
)
from cojourney.domain.workspace import COLLECTION_FILES, SCHEMA_VERSION, Workspace, WorkspaceInfo

__all__ = [
    "COLLECTION_FILES", "CULTURE_SCALES", "DSV_TEMPLATE", "HIGH_LEVEL", "RELATIONSHIP_PROFILES",
    "SCHEMA_VERSION", "Agreement", "AgreementBasis", "AgreementCover", "AgreementKind", "Channel",
    "Comparator", "ConsumerRole", "ConsumerRoleHolder", "CultureProfile", "DesignedPath", "Direction",
    "DsvStep", "Duration", "Emotion", "ExpectedEffect", "Gate", "GateKind", "Id", "Improvement",
    "ImprovementStatus", "Indicator", "InteractionKind", "Journey", "Level", "Metric", "Offering",
    "Opportunity", "Organisation", "OrganisationRole", "Owner", "PainPoint", "Period", "Persona",
    "Product", "Quadrant", "ReferenceProblem", "Relationship", "RelationshipType", "Scenario",
    "Service", "ServiceInteraction", "Severity", "Stakeholder", "StakeholderKind",
    "StakeholderSnapshot", "Step", "Target", "Touchpoint", "TouchpointKind", "Transition",
    "ValueAspect", "ValueItem", "ValueProposition", "Visibility", "Workspace", "WorkspaceInfo",
    "BusinessCalendar", "ClockTarget", "Comparison", "ComparisonKind", "Condition", "ConditionOp",
    "Holiday", "MatchMode", "SurveyQuestion", "Measure", "Pairing", "MeasureKind", "PeriodUnit", "SlaClock", "Statistic", "TimeUnit", "Weekday",
    "WorkingHours", "check_references", "dsv_steps", "format_duration", "parse_duration", "quadrant_of",
]
