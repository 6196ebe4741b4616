"""Counts of the active directory, in the fixed shape ``madoguchi directory stats --json`` prints.

Every type, region and prefecture appears (zero included) in DESIGN.md / code order, so
the shape never depends on the data.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models import CoordinatorKind, InstitutionType, PartnerType
from nlp.geo import PREFECTURES, REGIONS
from storage.directory.entries import Directory
from storage.directory.writer import read_directory


def directory_stats(session: Session) -> dict[str, Any]:
    """Statistics of the active hubs, coordinators and partners in the database."""
    return summarize(read_directory(session))


def summarize(directory: Directory) -> dict[str, Any]:
    """Statistics of the active entries of ``directory``."""
    hubs = [h for h in directory.hubs if h.active]
    coordinators = [c for c in directory.coordinators if c.active]
    partners = [p for p in directory.partners if p.active]
    return {
        "hubs": {
            "total": len(hubs),
            "succession_centers": sum(h.succession_center for h in hubs),
            "by_type": {
                t.value: {
                    "hubs": sum(h.type == t for h in hubs),
                    "succession_centers": sum(h.type == t and h.succession_center for h in hubs),
                }
                for t in InstitutionType
            },
            "by_region": {region: sum(h.region == region for h in hubs) for region in REGIONS},
            "by_prefecture": {p.name: sum(h.prefecture == p.name for h in hubs) for p in PREFECTURES},
        },
        "coordinators": {
            "total": len(coordinators),
            "external": sum(c.kind == CoordinatorKind.EXTERNAL for c in coordinators),
            "internal": sum(c.kind == CoordinatorKind.INTERNAL for c in coordinators),
        },
        "partners": {
            "total": len(partners),
            "by_type": {t.value: sum(p.type == t for p in partners) for t in PartnerType},
        },
    }


def format_stats(stats: dict[str, Any]) -> str:
    """The statistics as a short text report for people."""
    hubs, coordinators, partners = stats["hubs"], stats["coordinators"], stats["partners"]
    lines = [f"hubs: {hubs['total']} (succession centres {hubs['succession_centers']})"]
    lines += [
        f"  {name}: {row['hubs']}" + (f" ({row['succession_centers']})" if row["succession_centers"] else "")
        for name, row in hubs["by_type"].items()
    ]
    lines.append("  by region: " + "  ".join(f"{k} {v}" for k, v in hubs["by_region"].items()))
    uncovered = [name for name, count in hubs["by_prefecture"].items() if count == 0]
    covered = len(hubs["by_prefecture"]) - len(uncovered)
    lines.append(f"  prefectures covered: {covered}/{len(hubs['by_prefecture'])}")
    if uncovered:
        lines.append("  without a hub: " + " ".join(uncovered))
    lines.append(
        f"coordinators: {coordinators['total']} "
        f"(external {coordinators['external']}, internal {coordinators['internal']})"
    )
    lines.append(f"partners: {partners['total']}")
    lines += [f"  {name}: {count}" for name, count in partners["by_type"].items()]
    return "\n".join(lines)
