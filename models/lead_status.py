"""The one place that says how a lead's status may move.

::

    new ──► assigned ──► accepted ──► closed
     │        │  ▲ │         │
     │        │  └─┘ decline / reassign (next coordinator)
     │        ▼              │
     └──► escalated ◄────────┘ (no: an accepted case is reassigned, not escalated)
    any open status ──► withdrawn (the owner withdrew or asked for deletion)

`Lead` calls `check_transition` on every assignment to ``Lead.status`` (an attribute
event), so no code path can skip it.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.enums import LeadStatus

S = LeadStatus

ALLOWED_TRANSITIONS: Mapping[LeadStatus, frozenset[LeadStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.ESCALATED, S.WITHDRAWN}),
    # assigned -> assigned: declined (or the category was corrected) and routed onwards
    S.ASSIGNED: frozenset({S.ASSIGNED, S.ACCEPTED, S.ESCALATED, S.WITHDRAWN}),
    # accepted -> assigned: handed over, or re-routed after a category correction
    S.ACCEPTED: frozenset({S.ASSIGNED, S.CLOSED, S.WITHDRAWN}),
    # escalated -> escalated: widened from the hub queue to the region or nationwide
    S.ESCALATED: frozenset({S.ESCALATED, S.ASSIGNED, S.CLOSED, S.WITHDRAWN}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

INITIAL_STATUS = S.NEW

# Which timestamp column records the latest arrival in a status.
STATUS_TIMESTAMPS: Mapping[LeadStatus, str] = {
    S.ASSIGNED: "assigned_at",
    S.ACCEPTED: "accepted_at",
    S.ESCALATED: "escalated_at",
    S.CLOSED: "closed_at",
    S.WITHDRAWN: "withdrawn_at",
}


class InvalidStatusTransition(ValueError):
    """A lead was asked to move along a transition that is not allowed."""

    def __init__(self, current: LeadStatus | None, target: LeadStatus) -> None:
        self.current = current
        self.target = target
        where = "a new lead" if current is None else f"a lead in status '{current}'"
        super().__init__(f"{where} cannot move to '{target}'")


def is_open(status: LeadStatus) -> bool:
    """True while somebody still has to act on the case."""
    return bool(ALLOWED_TRANSITIONS[status])


def check_transition(current: LeadStatus | None, target: LeadStatus) -> None:
    """Raise `InvalidStatusTransition` unless ``current -> target`` is allowed.

    ``current`` is None for a lead being created, which must start as ``new``.
    """
    target = LeadStatus(target)
    if current is None:
        if target != INITIAL_STATUS:
            raise InvalidStatusTransition(None, target)
        return
    if target not in ALLOWED_TRANSITIONS[LeadStatus(current)]:
        raise InvalidStatusTransition(LeadStatus(current), target)
