"""The directory as a file describes it: hubs, coordinators and partners, validated.

These frozen entries are what the reader produces, the importer writes, the exporter
reads back and the sample generator builds. Field names are those of the file format
(docs/directory-format.md); `*_columns` map them to the table columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import CoordinatorKind, InstitutionType, PartnerType
from nlp.geo import region_of

SAMPLE_MARK = "【サンプル】"


@dataclass(frozen=True, slots=True)
class HubEntry:
    """A hub; ``prefecture`` is the full name (「長野県」)."""

    id: str
    name: str
    type: InstitutionType
    prefecture: str
    municipality: str | None = None
    succession_center: bool = False
    slack_channel: str | None = None
    active: bool = True

    @property
    def region(self) -> str:
        """The METI regional bureau of the hub's prefecture."""
        region = region_of(self.prefecture)
        assert region is not None, f"unknown prefecture {self.prefecture}"
        return region

    def columns(self) -> dict[str, Any]:
        """Values for `models.Hub`."""
        return {
            "id": self.id,
            "name": self.name,
            "institution_type": self.type,
            "prefecture": self.prefecture,
            "region": self.region,
            "municipality": self.municipality,
            "succession_center": self.succession_center,
            "slack_channel": self.slack_channel,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class CoordinatorEntry:
    """A coordinator of hub ``hub``; ``specialities`` are category ids."""

    id: str
    hub: str
    name: str
    kind: CoordinatorKind
    qualifications: tuple[str, ...] = ()
    specialities: tuple[str, ...] = ()
    capacity: int = 5
    slack_user: str | None = None
    active: bool = True

    def columns(self) -> dict[str, Any]:
        """Values for `models.Coordinator`."""
        return {
            "id": self.id,
            "hub_id": self.hub,
            "name": self.name,
            "kind": self.kind,
            "qualifications": list(self.qualifications),
            "specialities": list(self.specialities),
            "capacity": self.capacity,
            "slack_user_id": self.slack_user,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class PartnerEntry:
    """A partner organisation of hub ``hub``."""

    id: str
    hub: str
    name: str
    type: PartnerType
    active: bool = True

    def columns(self) -> dict[str, Any]:
        """Values for `models.Partner`."""
        return {
            "id": self.id,
            "hub_id": self.hub,
            "name": self.name,
            "partner_type": self.type,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class Directory:
    """A whole directory: what one import makes the database hold."""

    hubs: tuple[HubEntry, ...]
    coordinators: tuple[CoordinatorEntry, ...]
    partners: tuple[PartnerEntry, ...]
