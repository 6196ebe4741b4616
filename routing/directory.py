"""The directory as routing sees it: immutable hubs and coordinators, indexed once.

A ``DirectorySnapshot`` is built by whoever owns the data (the storage layer, a test, a
benchmark) and handed to the router; routing never reads a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class CoordinatorKind(StrEnum):
    """External experts (診断士, 税理士, 企業OB) or a hub's own staff (経営指導員, 銀行員)."""

    EXTERNAL = "external"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Hub:
    """One hub (地域力連携拠点) and the partner organisation types it works with.

    ``prefecture`` is the full name (「長野県」) and ``region`` its METI bureau (nlp.geo);
    ``partner_types`` holds the types of its partners (「金融機関」「大学」…).
    """

    id: str
    name: str
    institution_type: str
    prefecture: str
    region: str
    municipality: str | None = None
    succession_center: bool = False
    active: bool = True
    partner_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Coordinator:
    """One coordinator; ``specialities`` are category ids, ``capacity`` counts open cases."""

    id: str
    hub_id: str
    name: str
    kind: CoordinatorKind
    qualifications: tuple[str, ...] = ()
    specialities: frozenset[str] = frozenset()
    capacity: int = 0
    open_cases: int = 0
    active: bool = True

    @property
    def available(self) -> bool:
        """Active and below capacity (by the snapshot's open cases)."""
        return self.active and 0 <= self.open_cases < self.capacity


class DirectoryError(ValueError):
    """A snapshot is inconsistent: duplicate ids or a coordinator of an unknown hub."""


@dataclass(frozen=True, slots=True)
class DirectorySnapshot:
    """Every hub and coordinator at one moment, with look-ups built once.

    The order of ``hubs`` and ``coordinators`` never changes a routing decision.
    """

    hubs: tuple[Hub, ...]
    coordinators: tuple[Coordinator, ...]
    _hub_by_id: Mapping[str, Hub] = field(init=False, repr=False, compare=False)
    _staff: Mapping[str, tuple[Coordinator, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hub_by_id: dict[str, Hub] = {}
        for hub in self.hubs:
            if hub.id in hub_by_id:
                raise DirectoryError(f"duplicate hub id {hub.id!r}")
            hub_by_id[hub.id] = hub
        staff: dict[str, list[Coordinator]] = {hub_id: [] for hub_id in hub_by_id}
        seen: set[str] = set()
        for coordinator in self.coordinators:
            if coordinator.id in seen:
                raise DirectoryError(f"duplicate coordinator id {coordinator.id!r}")
            seen.add(coordinator.id)
            if coordinator.hub_id not in staff:
                raise DirectoryError(
                    f"coordinator {coordinator.id!r} belongs to unknown hub {coordinator.hub_id!r}"
                )
            staff[coordinator.hub_id].append(coordinator)
        object.__setattr__(self, "_hub_by_id", MappingProxyType(hub_by_id))
        object.__setattr__(
            self,
            "_staff",
            MappingProxyType({k: tuple(sorted(v, key=lambda c: c.id)) for k, v in staff.items()}),
        )

    def hub(self, hub_id: str) -> Hub:
        """The hub with this id (KeyError if there is none)."""
        return self._hub_by_id[hub_id]

    def staff(self, hub_id: str) -> tuple[Coordinator, ...]:
        """The coordinators of one hub, by id."""
        return self._staff.get(hub_id, ())
