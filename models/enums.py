"""The fixed vocabularies of the directory and of the case workflow.

Directory values are Japanese exactly as in DESIGN.md (they are data that admins read and
write); workflow values are short English ids (they are code).
"""

from __future__ import annotations

import enum


class InstitutionType(enum.StrEnum):
    """The 11 institution types of the hubs, in DESIGN.md order."""

    SHOKOKAI = "商工会等"
    CHAMBER_OF_COMMERCE = "商工会議所"
    SME_CENTRAL_ASSOCIATION = "中小企業中央会"
    REGIONAL_BANK = "地方銀行"
    SHINKIN_BANK = "信用金庫"
    CREDIT_COOPERATIVE = "信用組合"
    PREFECTURAL_SUPPORT_CENTER = "都道府県支援センター"
    COMPANY_OR_NPO = "株式会社・NPO"
    UNIVERSITY = "大学"
    AGRICULTURAL_COOPERATIVE = "農協"
    OTHER = "その他"


class CoordinatorKind(enum.StrEnum):
    """External experts (中小企業診断士, 税理士, 企業OB) or internal staff (経営指導員, 金融機関職員)."""

    EXTERNAL = "external"
    INTERNAL = "internal"


class PartnerType(enum.StrEnum):
    """Kinds of partner organisation a hub works with."""

    FINANCIAL_INSTITUTION = "金融機関"
    UNIVERSITY = "大学"
    PUBLIC_RESEARCH_INSTITUTE = "公設試"
    AGRICULTURAL_COOPERATIVE = "農協"
    FISHERY_COOPERATIVE = "漁協"
    VOCATIONAL_SCHOOL = "職業訓練校"
    CONSTRUCTION_ASSOCIATION = "建設業協会"
    OTHER = "その他"


# Qualifications a coordinator may list; the directory import refuses anything else.
QUALIFICATIONS: tuple[str, ...] = (
    "中小企業診断士",
    "税理士",
    "公認会計士",
    "弁護士",
    "社会保険労務士",
    "弁理士",
    "技術士",
    "ITコーディネータ",
    "企業OB",
    "経営指導員",
    "金融機関職員",
)


class LeadStatus(enum.StrEnum):
    """Where a case stands; the allowed moves are in `models.lead_status`."""

    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ESCALATED = "escalated"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class AssignmentOutcome(enum.StrEnum):
    """What became of one routing decision."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class OutboxStatus(enum.StrEnum):
    """Delivery state of an outbox event."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class FeedbackSource(enum.StrEnum):
    """Who supplied a label: a coordinator's correction, the owner's choice, or an admin."""

    COORDINATOR = "coordinator"
    OWNER = "owner"
    ADMIN = "admin"


class FeedbackStatus(enum.StrEnum):
    """Whether a label may enter the training set."""

    CANDIDATE = "candidate"
    APPROVED = "approved"
    REJECTED = "rejected"
