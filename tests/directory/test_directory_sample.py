"""The sample directory follows the programme's figures exactly and is deterministic."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from models import CoordinatorKind, InstitutionType, PartnerType
from nlp.geo import PREFECTURES, REGIONS
from nlp.taxonomy import load_taxonomy
from storage.directory import Directory, build_sample, dump_yaml, load_directory, summarize, write_directory
from storage.directory.entries import SAMPLE_MARK
from storage.directory.sample_data import LANDLOCKED
from storage.directory.validate import SLACK_CHANNEL_RE, SLACK_USER_RE

HUBS_BY_TYPE = {  # DESIGN.md: type -> (hubs, succession centres)
    "商工会等": (78, 41),
    "商工会議所": (119, 49),
    "中小企業中央会": (37, 2),
    "地方銀行": (7, 0),
    "信用金庫": (12, 0),
    "信用組合": (4, 0),
    "都道府県支援センター": (41, 10),
    "株式会社・NPO": (4, 0),
    "大学": (1, 0),
    "農協": (5, 0),
    "その他": (8, 0),
}


@pytest.fixture(scope="module")
def sample() -> Directory:
    return build_sample()


def test_hubs_follow_the_table_of_types(sample: Directory) -> None:
    stats = summarize(sample)["hubs"]
    assert stats["total"] == 316 and stats["succession_centers"] == 102
    assert {
        t: (row["hubs"], row["succession_centers"]) for t, row in stats["by_type"].items()
    } == HUBS_BY_TYPE
    assert list(stats["by_type"]) == [t.value for t in InstitutionType] == list(HUBS_BY_TYPE)


def test_every_prefecture_has_a_hub_and_a_succession_centre(sample: Directory) -> None:
    assert {h.prefecture for h in sample.hubs} == {p.name for p in PREFECTURES}
    assert {h.prefecture for h in sample.hubs if h.succession_center} == {p.name for p in PREFECTURES}
    by_region = summarize(sample)["hubs"]["by_region"]
    assert list(by_region) == list(REGIONS) and all(by_region.values())
    # more hubs where more businesses are
    per_prefecture = Counter(h.prefecture for h in sample.hubs)
    assert per_prefecture["東京都"] > per_prefecture["鳥取県"]


def test_coordinators_are_430_external_and_370_internal(sample: Directory) -> None:
    kinds = Counter(c.kind for c in sample.coordinators)
    assert kinds == {CoordinatorKind.EXTERNAL: 430, CoordinatorKind.INTERNAL: 370}
    hubs = {h.id: h for h in sample.hubs}
    for hub in sample.hubs:  # every hub has one of each
        staff = [c for c in sample.coordinators if c.hub == hub.id]
        assert {c.kind for c in staff} == {CoordinatorKind.EXTERNAL, CoordinatorKind.INTERNAL}, hub.id
        if hub.succession_center:
            assert any("succession" in c.specialities and {"税理士", "中小企業診断士"} & set(c.qualifications)
                       for c in staff), hub.id  # fmt: skip
    for person in sample.coordinators:
        assert person.qualifications and person.specialities and 3 <= person.capacity <= 12
        internal = person.kind == CoordinatorKind.INTERNAL
        assert internal == bool({"経営指導員", "金融機関職員"} & set(person.qualifications))
        if "金融機関職員" in person.qualifications:
            assert hubs[person.hub].type in {InstitutionType.REGIONAL_BANK, InstitutionType.SHINKIN_BANK,
                                             InstitutionType.CREDIT_COOPERATIVE}  # fmt: skip
    assert sum("ITコーディネータ" in c.qualifications for c in sample.coordinators) >= 40


def test_partners_are_over_2000_in_the_stated_groups(sample: Directory) -> None:
    kinds = Counter(p.type for p in sample.partners)
    assert len(sample.partners) == 2040
    assert kinds[PartnerType.FINANCIAL_INSTITUTION] == 500
    assert kinds[PartnerType.UNIVERSITY] + kinds[PartnerType.PUBLIC_RESEARCH_INSTITUTE] == 250
    assert kinds[PartnerType.AGRICULTURAL_COOPERATIVE] + kinds[PartnerType.FISHERY_COOPERATIVE] == 100
    hubs = {h.id: h for h in sample.hubs}
    assert {p.hub for p in sample.partners if p.type == PartnerType.FINANCIAL_INSTITUTION} == set(hubs)
    institutes = {
        hubs[p.hub].prefecture for p in sample.partners if p.type == PartnerType.PUBLIC_RESEARCH_INSTITUTE
    }
    assert institutes == {p.name for p in PREFECTURES}
    fisheries = {hubs[p.hub].prefecture for p in sample.partners if p.type == PartnerType.FISHERY_COOPERATIVE}
    assert fisheries and not fisheries & LANDLOCKED


def test_everything_is_marked_as_sample_data(sample: Directory) -> None:
    names = (
        [h.name for h in sample.hubs]
        + [c.name for c in sample.coordinators]
        + [p.name for p in sample.partners]
    )
    assert all(name.startswith(SAMPLE_MARK) for name in names)
    assert len({h.name for h in sample.hubs}) == 316
    assert all(h.slack_channel and SLACK_CHANNEL_RE.fullmatch(h.slack_channel) for h in sample.hubs)
    assert all(c.slack_user and SLACK_USER_RE.fullmatch(c.slack_user) for c in sample.coordinators)
    assert all("SAMPLE" in (c.slack_user or "") for c in sample.coordinators)


def test_the_sample_is_deterministic(sample: Directory) -> None:
    assert build_sample() == sample
    assert dump_yaml(build_sample()) == dump_yaml(sample)
    assert build_sample(seed=1) != sample


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_the_sample_passes_its_own_validation(sample: Directory, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sample{suffix}"
    write_directory(sample, path)
    categories = [c.id for c in load_taxonomy().categories if c.routable]
    assert load_directory(path, categories=categories) == sample
