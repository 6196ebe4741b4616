"""A small hand-built directory for the routing tests.

Ten "home" prefectures (every regional bureau, two in 関東) each have six hubs, one per
kind of capability, with one specialist each, so every category has exactly one right
answer per prefecture. 山梨県 (関東) has a single plain 商工会 for the fallback cases, and
長野県 has a second hub in 松本市 for the municipality cases.
"""

from __future__ import annotations

from dataclasses import replace

from nlp.geo import region_of
from routing import Coordinator, CoordinatorKind, DirectorySnapshot, Hub

EXTERNAL, INTERNAL = CoordinatorKind.EXTERNAL, CoordinatorKind.INTERNAL

# prefecture -> (hub id prefix, municipality of its chamber of commerce)
HOMES: dict[str, tuple[str, str]] = {
    "北海道": ("hok", "札幌市"),
    "宮城県": ("miy", "仙台市"),
    "長野県": ("nag", "長野市"),
    "東京都": ("tok", "千代田区"),
    "愛知県": ("aic", "名古屋市"),
    "大阪府": ("osa", "大阪市"),
    "広島県": ("hir", "広島市"),
    "香川県": ("kag", "高松市"),
    "福岡県": ("fuk", "福岡市"),
    "沖縄県": ("oki", "那覇市"),
}

# category -> (hub suffix, coordinator suffix) of the one right answer in a home prefecture
EXPECTED: dict[str, tuple[str, str]] = {
    "succession": ("scc", "tax"),
    "it": ("cci", "itc"),
    "agri_commerce": ("ja", "agri"),
    "management": ("cci", "advisor"),
    "new_business": ("cci", "shindan"),
    "financing": ("bank", "banker"),
    "technology": ("tech", "engineer"),
    "startup": ("cci", "shindan"),
    "hr": ("hr", "sharoushi"),
}


def _hub(prefix: str, suffix: str, prefecture: str, **fields: object) -> Hub:
    names = {
        "cci": "商工会議所",
        "scc": "事業承継支援センター",
        "bank": "信用金庫",
        "ja": "農業協同組合",
        "tech": "商工会（産学連携）",
        "hr": "商工会（人材）",
    }
    region = region_of(prefecture)
    assert region is not None
    return Hub(
        id=f"{prefix}-{suffix}",
        name=f"【サンプル】{prefecture}{names.get(suffix, suffix)}",
        prefecture=prefecture,
        region=region,
        **fields,  # type: ignore[arg-type]
    )


def _person(
    hub_id: str, suffix: str, quals: tuple[str, ...], specs: set[str], **fields: object
) -> Coordinator:
    values: dict[str, object] = {"capacity": 8, "open_cases": 2, "kind": EXTERNAL, **fields}
    return Coordinator(
        id=f"{hub_id}-{suffix}",
        hub_id=hub_id,
        name=f"サンプル担当 {hub_id}-{suffix}",
        qualifications=quals,
        specialities=frozenset(specs),
        **values,  # type: ignore[arg-type]
    )


def home_hubs(prefecture: str) -> tuple[list[Hub], list[Coordinator]]:
    """The six hubs of one home prefecture and their coordinators."""
    p, city = HOMES[prefecture]
    hubs = [
        _hub(p, "cci", prefecture, institution_type="商工会議所", municipality=city),
        _hub(p, "scc", prefecture, institution_type="都道府県支援センター", succession_center=True),
        _hub(p, "bank", prefecture, institution_type="信用金庫"),
        _hub(p, "ja", prefecture, institution_type="農協"),
        _hub(p, "tech", prefecture, institution_type="商工会等", partner_types=frozenset({"大学", "公設試"})),
        _hub(p, "hr", prefecture, institution_type="商工会等", partner_types=frozenset({"職業訓練校"})),
    ]
    people = [
        _person(f"{p}-cci", "advisor", ("経営指導員",), {"management"}, kind=INTERNAL),
        _person(f"{p}-cci", "shindan", ("中小企業診断士",), {"new_business", "startup"}),
        _person(f"{p}-cci", "itc", ("ITコーディネータ",), {"it"}),
        _person(f"{p}-scc", "tax", ("税理士",), {"succession"}),
        _person(f"{p}-bank", "banker", ("金融機関職員",), {"financing"}, kind=INTERNAL),
        _person(f"{p}-ja", "agri", ("中小企業診断士",), {"agri_commerce"}),
        _person(f"{p}-tech", "engineer", ("技術士",), {"technology"}),
        _person(f"{p}-hr", "sharoushi", ("社会保険労務士",), {"hr"}),
    ]
    return hubs, people


def world() -> DirectorySnapshot:
    """The whole test directory."""
    hubs: list[Hub] = []
    people: list[Coordinator] = []
    for prefecture in HOMES:
        more_hubs, more_people = home_hubs(prefecture)
        hubs += more_hubs
        people += more_people
    hubs.append(_hub("yam", "shokokai", "山梨県", institution_type="商工会等"))
    people.append(_person("yam-shokokai", "advisor", ("経営指導員",), {"management"}, kind=INTERNAL))
    hubs.append(_hub("nag", "matsumoto", "長野県", institution_type="商工会議所", municipality="松本市"))
    people.append(
        _person("nag-matsumoto", "advisor", ("経営指導員",), {"management"}, kind=INTERNAL, open_cases=5)
    )
    return DirectorySnapshot(tuple(hubs), tuple(people))


def with_coordinators(directory: DirectorySnapshot, pick: str, **changes: object) -> DirectorySnapshot:
    """The directory with ``changes`` applied to every coordinator whose id contains ``pick``
    (``""`` picks everyone)."""
    people = tuple(
        replace(c, **changes) if pick in c.id else c  # type: ignore[arg-type]
        for c in directory.coordinators
    )
    return DirectorySnapshot(directory.hubs, people)


def with_hubs(directory: DirectorySnapshot, pick: str, **changes: object) -> DirectorySnapshot:
    """The directory with ``changes`` applied to every hub whose id contains ``pick``."""
    hubs = tuple(replace(h, **changes) if pick in h.id else h for h in directory.hubs)  # type: ignore[arg-type]
    return DirectorySnapshot(hubs, directory.coordinators)


def without(directory: DirectorySnapshot, hub_ids: set[str]) -> DirectorySnapshot:
    """The directory without some hubs and their coordinators."""
    return DirectorySnapshot(
        tuple(h for h in directory.hubs if h.id not in hub_ids),
        tuple(c for c in directory.coordinators if c.hub_id not in hub_ids),
    )
