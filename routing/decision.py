"""What routing is asked (a ``Case``) and what it answers (a ``Decision``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from routing.directory import Coordinator, Hub


@dataclass(frozen=True, slots=True)
class Case:
    """One SME's case as understood so far.

    ``prefecture`` is a prefecture name (full or short) or None when unknown;
    ``declined_by`` holds the ids of coordinators who already declined this case; ``key``
    is a stable id of the case (the lead id) that spreads exact ties fairly among
    coordinators while keeping every decision reproducible.
    """

    label: str
    secondary: tuple[str, ...] = ()
    prefecture: str | None = None
    municipality: str | None = None
    declined_by: frozenset[str] = frozenset()
    key: str = ""

    def declined(self, coordinator_id: str) -> Case:
        """The same case after one more coordinator declined it."""
        return replace(self, declined_by=self.declined_by | {coordinator_id})


class Outcome(StrEnum):
    """The four things routing can say about a case."""

    ASSIGNED = "assigned"  # a hub and a coordinator
    NEEDS = "needs"  # facts are missing (the dialogue asks for them)
    ESCALATED = "escalated"  # nobody eligible: a hub or region queue that an admin sees
    NOT_ROUTED = "not_routed"  # not an SME business matter (`other`)


class Tier(StrEnum):
    """How far from the SME the chosen hub is."""

    MUNICIPALITY = "municipality"
    PREFECTURE = "prefecture"
    REGION = "region"
    NATIONWIDE = "nationwide"


class EscalationScope(StrEnum):
    """Whose queue an escalated case lands in."""

    HUB = "hub"
    REGION = "region"


@dataclass(frozen=True, slots=True)
class Escalation:
    """A case nobody can take now, parked in a queue an admin watches; never dropped."""

    scope: EscalationScope
    region: str
    reason: str
    hub: Hub | None = None  # set when scope is HUB


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one case, with its reasons in Japanese."""

    outcome: Outcome
    reasons: tuple[str, ...]
    hub: Hub | None = None
    coordinator: Coordinator | None = None
    tier: Tier | None = None
    needs: tuple[str, ...] = ()
    escalation: Escalation | None = None
