"""Entities: prefecture from names, municipalities, areas and postal codes; employees;
industry. A table of tricky cases, each one a way a real message could fool us."""

from __future__ import annotations

import pytest

from madoguchi.settings import REPO_ROOT
from nlp.corpus import load_corpus
from nlp.entities import (
    _COUNT_RE,
    _EMPLOYEES_RES,
    _SOLO_PATTERNS,
    employees_in,
    extract_entities,
    industry_in,
    parse_number,
)
from nlp.gazetteer import Gazetteer
from nlp.normalize import normalize
from nlp.places import municipalities, place_of_postal_code
from nlp.taxonomy import Taxonomy

CORPUS = REPO_ROOT / "data" / "corpus"


@pytest.mark.parametrize(
    ("text", "prefecture", "municipality"),
    [
        ("長野県で酒蔵をやっています", "長野県", None),
        ("長野で酒蔵", "長野県", None),  # short name, no suffix
        ("東京都府中市の居酒屋です", "東京都", "府中市"),  # ambiguous city resolved by the prefecture
        ("府中市で店をやっています", None, None),  # 府中市 exists in Tokyo and Hiroshima: not guessed
        ("松本市の町工場", "長野県", "松本市"),
        ("札幌市中央区でカフェ", "北海道", "札幌市中央区"),
        ("当別町で農業", "北海道", "当別町"),  # a town without its district
        ("〒390-0811 です", "長野県", "松本市"),
        ("郵便番号 ３９０−０８１１", "長野県", "松本市"),  # full-width digits and minus
        ("〒3900811", "長野県", "松本市"),
        ("090-1234-5678 に電話ください", None, None),  # a phone number is not a postal code
        ("売上は1000000円", None, None),  # seven digits without 〒 or hyphen
        ("博多で屋台", "福岡県", None),  # well-known area
        ("信州の蕎麦屋", "長野県", None),
        ("東大阪の工場", "大阪府", None),  # longest area wins over 大阪
        ("山口です。よろしくお願いします", None, None),  # a surname, not 山口県
        ("石川さんに紹介されました", None, None),
        ("松本と申します", None, None),
        ("東京です。飲食店をやってます", "東京都", None),  # not a surname: a place
        ("山口県の旅館です", "山口県", None),
        ("都市部で城下町の下町", None, None),  # 市/町 inside ordinary words
        ("東京の息子、店は長野", None, None),  # two prefectures named equally: ask
        ("息子は東京ですが長野県松本市の店", "長野県", "松本市"),  # the municipality decides
        ("ｻｯﾎﾟﾛ", None, None),  # kana-only city names are not guessed
        ("", None, None),
    ],
)
def test_prefecture_table(text: str, prefecture: str | None, municipality: str | None) -> None:
    entities = extract_entities(normalize(text))
    assert entities.prefecture == prefecture
    assert entities.municipality == municipality


def test_an_answer_to_where_is_a_place() -> None:
    assert extract_entities("山口です", answer=True).prefecture == "山口県"
    assert extract_entities("山口です").prefecture is None


def test_ambiguity_keeps_candidates() -> None:
    entities = extract_entities(normalize("東京と大阪に店があります"))
    assert entities.prefecture is None
    assert set(entities.prefecture_candidates) == {"東京都", "大阪府"}


def test_every_prefecture_has_municipalities() -> None:
    from nlp.geo import PREFECTURES

    table = municipalities()
    covered = {pref for prefs in table.values() for pref in prefs}
    assert covered == {p.name for p in PREFECTURES}
    assert len(table) > 1700


def test_unknown_postal_code() -> None:
    assert place_of_postal_code("0000000") is None
    assert place_of_postal_code("12-345") is None


@pytest.mark.parametrize(
    ("text", "employees"),
    [
        ("従業員は5人です", 5),
        ("従業員5名", 5),
        ("社員が十五名", 15),
        ("スタッフ約20人", 20),
        ("職人は二百三十名ほど", 230),
        ("30人ほどの工場", 30),
        ("一人親方です", 1),
        ("夫婦でやってる食堂", 2),
        ("お客さんが5人来た", None),  # customers are not employees
        ("5人兄弟の長男", None),
        ("従業員は0人", None),
        ("", None),
    ],
)
def test_employees(text: str, employees: int | None) -> None:
    assert employees_in(normalize(text)) == employees


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("5", 5),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("百二", 102),
        ("千", 1000),
        ("三千五百", 3500),
        ("x", None),
    ],
)
def test_parse_number(token: str, value: int | None) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize(
    ("text", "industry"),
    [
        ("町工場で部品を作っています", "製造業"),
        ("居酒屋を経営", "飲食業"),
        ("温泉旅館の女将です", "宿泊業"),
        ("工務店をやってる", "建設業"),
        ("美容室を開きたい", "生活関連サービス業"),
        ("酒蔵の五代目", "食品製造業"),
        ("売上が落ちて困っている", None),
    ],
)
def test_industry(text: str, industry: str | None) -> None:
    assert industry_in(normalize(text)) == industry


def test_gazetteer_longest_match_left_to_right() -> None:
    names = Gazetteer({"大阪": "A", "東大阪": "B", "山口": "C"})
    found = [(m.name, m.value, m.start, m.end) for m in names.find("東大阪と大阪と山口さん")]
    assert found == [("東大阪", "B", 0, 3), ("大阪", "A", 4, 6), ("山口", "C", 7, 9)]
    assert names.first("なし") is None
    with pytest.raises(ValueError):
        Gazetteer({})


def test_every_one_person_pattern_passes_the_cheap_guard() -> None:
    # employees_in only searches _SOLO_RE in text holding 人 or ひとり.
    assert all("人" in pattern or "ひとり" in pattern for pattern in _SOLO_PATTERNS)


def test_the_number_guard_lets_every_employee_count_through(taxonomy: Taxonomy) -> None:
    # employees_in only tries _EMPLOYEES_RES on text that _COUNT_RE finds something in.
    texts = [example.text for example in load_corpus(CORPUS, taxonomy.ids)]
    stated = [t for t in map(normalize, texts) if any(p.search(t) for p in _EMPLOYEES_RES)]
    assert len(stated) > 20
    assert all(_COUNT_RE.search(t) for t in stated)
