"""Stored directory rows become the routing snapshot (pure conversion, no database)."""

from __future__ import annotations

import models
from madoguchi.directory_snapshot import snapshot_from_rows
from routing import CoordinatorKind


def test_rows_become_a_snapshot() -> None:
    hubs = [
        models.Hub(
            id="h1",
            name="【サンプル】長野信用金庫",
            institution_type=models.InstitutionType.SHINKIN_BANK,
            prefecture="長野県",
            region="関東",
            municipality="長野市",
            succession_center=True,
        ),
        models.Hub(
            id="h2",
            name="【サンプル】甲府商工会議所",
            institution_type=models.InstitutionType.CHAMBER_OF_COMMERCE,
            prefecture="山梨県",
            region="関東",
            active=False,
        ),
    ]
    people = [
        models.Coordinator(
            id="c1",
            hub_id="h1",
            name="担当一",
            kind=models.CoordinatorKind.EXTERNAL,
            qualifications=["税理士", "中小企業診断士"],
            specialities=["succession"],
            capacity=6,
        ),
        models.Coordinator(id="c2", hub_id="h2", name="担当二", kind=models.CoordinatorKind.INTERNAL),
        models.Coordinator(id="c3", hub_id="gone", name="担当三", kind=models.CoordinatorKind.INTERNAL),
    ]
    partners = [
        models.Partner(
            id="p1", hub_id="h1", name="銀行", partner_type=models.PartnerType.FINANCIAL_INSTITUTION
        ),
        models.Partner(id="p2", hub_id="h1", name="大学", partner_type=models.PartnerType.UNIVERSITY),
        models.Partner(
            id="p3",
            hub_id="h1",
            name="旧訓練校",
            partner_type=models.PartnerType.VOCATIONAL_SCHOOL,
            active=False,
        ),
    ]
    snapshot = snapshot_from_rows(hubs=hubs, coordinators=people, partners=partners, open_cases={"c1": 4})
    first = snapshot.hub("h1")
    assert first.institution_type == "信用金庫" and first.succession_center and first.municipality == "長野市"
    assert first.partner_types == {"金融機関", "大学"}  # the inactive partner does not count
    assert not snapshot.hub("h2").active and snapshot.hub("h2").partner_types == frozenset()
    assert [c.id for c in snapshot.coordinators] == ["c1", "c2"]  # c3's hub is not in the snapshot
    one = snapshot.staff("h1")[0]
    assert one.kind is CoordinatorKind.EXTERNAL and one.qualifications == ("税理士", "中小企業診断士")
    assert one.specialities == {"succession"} and (one.capacity, one.open_cases) == (6, 4)
    assert snapshot.staff("h2")[0].open_cases == 0
