"""The figures of the published report, as frozen dataclasses.

`Report.as_dict` is what ``madoguchi report --json`` prints; the HTML page is drawn from
the same object, so the two never disagree. A figure whose sample is smaller than
``Report.min_responses`` has ``enough`` False and ``rank`` None: it is shown as a
reference value only (回答数が少ないため参考値) and never ranked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Count:
    """A named count: ``key`` is an id (category, prefecture, month), ``name`` its label."""

    key: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class RegionCount:
    """Leads of one METI regional bureau, with its prefectures in code order."""

    region: str
    count: int
    prefectures: tuple[Count, ...]


@dataclass(frozen=True, slots=True)
class HubResponse:
    """How quickly one hub took its cases.

    ``accepted`` counts leads whose first acceptance was at this hub; ``median_hours`` is
    the median time from the lead's creation to that acceptance. ``sla_checked`` are the
    hub's decisions with a deadline that were answered, expired or are still waiting
    (a decision that reached the hub already past the deadline is not checked);
    ``sla_breaches`` those answered late, expired, or waiting past the deadline.
    """

    hub_id: str
    hub_name: str
    prefecture: str
    decisions: int
    accepted: int
    median_hours: float | None
    sla_checked: int
    sla_breaches: int
    declined: int
    enough: bool
    rank: int | None


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Survey results of one hub or coordinator; ``detail`` is the hub's prefecture or the
    coordinator's hub."""

    id: str
    name: str
    detail: str
    sent: int
    responses: int
    mean_score: float | None
    enough: bool
    rank: int | None


@dataclass(frozen=True, slots=True)
class Reroutes:
    """Cases routed onwards after the first decision, and escalations to a queue."""

    leads_rerouted: int
    reroutes: int
    by_cause: tuple[Count, ...]
    escalations: int


@dataclass(frozen=True, slots=True)
class LabelScore:
    """The current model's cross-validated scores of one category."""

    label: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class ModelFigures:
    """The current model as the registry recorded it when it was trained (cross-validated
    scores), plus its macro-F1 on the fixed evaluation split when the registry has one."""

    version: str
    created_at: str
    macro_f1: float | None
    accuracy: float | None
    examples: int | None
    per_label: tuple[LabelScore, ...]
    labels: tuple[str, ...]
    label_names: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    evaluation_macro_f1: float | None = None
    evaluation_count: int | None = None


@dataclass(frozen=True, slots=True)
class CorrectionPair:
    """How often ``predicted`` was corrected to ``corrected``."""

    predicted: str
    predicted_name: str
    corrected: str
    corrected_name: str
    count: int


@dataclass(frozen=True, slots=True)
class Comment:
    """One owner's comment on a hub (only with ``--comments``)."""

    hub_name: str
    score: int
    comment: str
    answered_on: str


@dataclass(frozen=True, slots=True)
class Report:
    """Every figure of one report."""

    generated_at: str
    first_month: str | None
    last_month: str | None
    min_responses: int
    total_leads: int
    categories: tuple[Count, ...]
    regions: tuple[RegionCount, ...]
    unknown_prefecture: int
    months: tuple[Count, ...]
    hubs: tuple[HubResponse, ...]
    hub_satisfaction: tuple[Satisfaction, ...]
    coordinator_satisfaction: tuple[Satisfaction, ...]
    reroutes: Reroutes
    model: ModelFigures | None
    corrected_categories: tuple[Count, ...]
    corrections: tuple[CorrectionPair, ...]
    comments: tuple[Comment, ...] | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (tuples become lists)."""
        return asdict(self)

    @property
    def best_by_satisfaction(self) -> tuple[Satisfaction, ...]:
        """The hub (or hubs, when tied) ranked first by satisfaction."""
        return tuple(s for s in self.hub_satisfaction if s.rank == 1)

    @property
    def best_coordinators(self) -> tuple[Satisfaction, ...]:
        """The coordinator (or coordinators, when tied) ranked first by satisfaction."""
        return tuple(s for s in self.coordinator_satisfaction if s.rank == 1)

    @property
    def best_by_acceptance(self) -> tuple[HubResponse, ...]:
        """The hub (or hubs, when tied) ranked first by acceptance time."""
        return tuple(h for h in self.hubs if h.rank == 1)
