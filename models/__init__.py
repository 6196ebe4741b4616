"""SQLModel tables of madoguchi: the directory, cases and everything kept about them.

Importing this package registers every table on ``SQLModel.metadata`` (which Alembic's
``env.py`` targets). Lower than ``storage``: imports nothing from the other layers except
the vocabularies it defines itself.
"""

from models.assignment import Assignment
from models.audit import AuditLog
from models.base import utcnow
from models.conversation import Conversation
from models.coordinator import Coordinator, CoordinatorBase
from models.enums import (
    QUALIFICATIONS,
    AssignmentOutcome,
    CoordinatorKind,
    FeedbackSource,
    FeedbackStatus,
    InstitutionType,
    LeadStatus,
    OutboxStatus,
    PartnerType,
)
from models.feedback import LabelFeedback
from models.hub import Hub, HubBase
from models.lead import Lead, LeadBase
from models.lead_status import ALLOWED_TRANSITIONS, InvalidStatusTransition, check_transition, is_open
from models.model_version import ModelVersion
from models.outbox import OutboxEvent
from models.partner import Partner, PartnerBase
from models.processed_update import ProcessedUpdate
from models.survey import SatisfactionSurvey

__all__ = [
    "ALLOWED_TRANSITIONS",
    "QUALIFICATIONS",
    "Assignment",
    "AssignmentOutcome",
    "AuditLog",
    "Conversation",
    "Coordinator",
    "CoordinatorBase",
    "CoordinatorKind",
    "FeedbackSource",
    "FeedbackStatus",
    "Hub",
    "HubBase",
    "InstitutionType",
    "InvalidStatusTransition",
    "LabelFeedback",
    "Lead",
    "LeadBase",
    "LeadStatus",
    "ModelVersion",
    "OutboxEvent",
    "OutboxStatus",
    "Partner",
    "PartnerBase",
    "PartnerType",
    "ProcessedUpdate",
    "SatisfactionSurvey",
    "check_transition",
    "is_open",
    "utcnow",
]
