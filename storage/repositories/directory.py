"""Reading the directory: hubs, coordinators, partners and coordinators' open cases."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Coordinator, Hub, Lead, LeadStatus, Partner

OPEN_STATUSES = (LeadStatus.ASSIGNED, LeadStatus.ACCEPTED)


def list_hubs(session: Session, *, active_only: bool = True, prefecture: str | None = None) -> list[Hub]:
    """Hubs ordered by id, optionally only active ones or one prefecture's."""
    statement = select(Hub).order_by(col(Hub.id))
    if active_only:
        statement = statement.where(col(Hub.active).is_(True))
    if prefecture is not None:
        statement = statement.where(Hub.prefecture == prefecture)
    return list(session.exec(statement))


def list_coordinators(
    session: Session, *, active_only: bool = True, hub_id: str | None = None
) -> list[Coordinator]:
    """Coordinators ordered by id, optionally only active ones or one hub's."""
    statement = select(Coordinator).order_by(col(Coordinator.id))
    if active_only:
        statement = statement.where(col(Coordinator.active).is_(True))
    if hub_id is not None:
        statement = statement.where(Coordinator.hub_id == hub_id)
    return list(session.exec(statement))


def list_partners(session: Session, *, active_only: bool = True, hub_id: str | None = None) -> list[Partner]:
    """Partner organisations ordered by id, optionally only active ones or one hub's."""
    statement = select(Partner).order_by(col(Partner.id))
    if active_only:
        statement = statement.where(col(Partner.active).is_(True))
    if hub_id is not None:
        statement = statement.where(Partner.hub_id == hub_id)
    return list(session.exec(statement))


def get_hub(session: Session, *, hub_id: str) -> Hub | None:
    """One hub by id, active or not."""
    return session.get(Hub, hub_id)


def get_coordinator(session: Session, *, coordinator_id: str) -> Coordinator | None:
    """One coordinator by id, active or not."""
    return session.get(Coordinator, coordinator_id)


def coordinators_by_slack_user(session: Session, *, slack_user_id: str) -> list[Coordinator]:
    """Active coordinator entries of one Slack user (a person may serve several hubs)."""
    statement = select(Coordinator).where(
        Coordinator.slack_user_id == slack_user_id, col(Coordinator.active).is_(True)
    )
    return list(session.exec(statement.order_by(col(Coordinator.id))))


def open_case_counts(session: Session) -> dict[str, int]:
    """Open (assigned or accepted) leads per coordinator id; absent means none."""
    statement = (
        select(Lead.coordinator_id, func.count())
        .where(col(Lead.status).in_(OPEN_STATUSES), col(Lead.coordinator_id).is_not(None))
        .group_by(col(Lead.coordinator_id))
    )
    return {coordinator_id: count for coordinator_id, count in session.exec(statement) if coordinator_id}


def is_empty(session: Session) -> bool:
    """True when no hub was ever imported."""
    return session.exec(select(Hub.id).limit(1)).first() is None
