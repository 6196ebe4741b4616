"""Routing: which hub and which coordinator take a case, and why, in Japanese.

Pure and fast: it reads a ``DirectorySnapshot`` built by its caller and the capability
table, and imports nothing from bot, storage or models.
"""

from routing.capabilities import (
    Capability,
    CapabilityError,
    CapabilityTable,
    HubCriterion,
    load_capabilities,
)
from routing.decision import Case, Decision, Escalation, EscalationScope, Outcome, Tier
from routing.directory import Coordinator, CoordinatorKind, DirectoryError, DirectorySnapshot, Hub
from routing.router import Router, UnknownCategoryError, route
from routing.sla import is_overdue, sla_deadline

__all__ = [
    "Capability",
    "CapabilityError",
    "CapabilityTable",
    "Case",
    "Coordinator",
    "CoordinatorKind",
    "Decision",
    "DirectoryError",
    "DirectorySnapshot",
    "Escalation",
    "EscalationScope",
    "Hub",
    "HubCriterion",
    "Outcome",
    "Router",
    "Tier",
    "UnknownCategoryError",
    "is_overdue",
    "load_capabilities",
    "route",
    "sla_deadline",
]
