"""Facts stated in an inquiry: where, how many employees, which industry.

Everything works on normalised text (digits are ASCII after NFKC) with regular
expressions compiled once; nothing here needs the tokeniser.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from nlp.gazetteer import Gazetteer
from nlp.places import Place, find_places

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9, "两": 2, "両": 2}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERALS = "〇一二三四五六七八九十百千"
_NUMBER = rf"(\d{{1,5}}|[{_NUMERALS}]{{1,6}})"
_ABOUT = r"(?:約|およそ|大体|だいたい|ざっと|ほぼ)?"
_EMPLOYEES_RES = (
    re.compile(
        r"(?:従業員|社員|職員|スタッフ|従業者|従事者|職人|人員|働き手|雇用)(?:数)?(?:は|が|も|:|数は)?\s*"
        + _ABOUT + _NUMBER + r"\s*(?:人|名)"
    ),
    re.compile(_NUMBER + r"\s*(?:人|名)(?:ほど|くらい|ぐらい|程度)?(?:の|で)?"
               r"(?:会社|企業|工場|事務所|店|規模|体制|でやって|で回して|で営業|の従業員|の社員)"),
)
# Both patterns hold a number then 人 or 名: text without that is skipped (after the
# cheaper test for 人 or 名 at all, which most text fails).
_COUNT_RE = re.compile(rf"[\d{_NUMERALS}]\s*[人名]")
# Each alternative holds 人 or ひとり, which employees_in tests for before searching.
_SOLO_PATTERNS = ("一人親方", "ひとり親方", "一人で(?:やって|営|経営|切り盛り)", "個人事業")
_SOLO_RE = re.compile("|".join(_SOLO_PATTERNS))
_COUPLE_RE = re.compile(r"夫婦(?:二人)?で(?:やって|営|経営|切り盛り)")

# Keyword -> industry (names after the Japan Standard Industrial Classification, simplified).
_INDUSTRIES: dict[str, str] = {
    "製造業": "製造業 町工場 工場 部品 金型 加工業 メーカー 鋳造 板金 溶接 印刷 縫製 製作所",
    "建設業": "建設業 工務店 建設 土木 大工 左官 塗装業 設備工事 リフォーム業 一人親方",
    "飲食業": "飲食 居酒屋 ラーメン 食堂 レストラン カフェ 喫茶 そば屋 寿司 焼肉 パン屋 弁当屋 定食",
    "宿泊業": "旅館 民宿 ホテル ゲストハウス 宿泊",
    "小売業": "小売 商店 雑貨屋 八百屋 酒屋 書店 本屋 洋品店 呉服 薬局 スーパー 商店街",
    "卸売業": "卸売 問屋 卸業 卸",
    "農業": "農業 農家 果樹園 米農家 畑 酪農 畜産 農園",
    "漁業": "漁業 漁師 漁船 養殖",
    "林業": "林業 製材",
    "食品製造業": "酒蔵 醸造 味噌 醤油 水産加工 菓子製造 和菓子屋 豆腐屋 食品加工",
    "運輸業": "運送 物流 トラック 配送業 タクシー",
    "情報通信業": "ソフトウェア開発 システム開発 ソフト開発 IT企業 受託開発 Web制作",
    "医療・福祉": "介護 デイサービス 訪問看護 福祉施設 保育園 クリニック 歯科医院",
    "生活関連サービス業": "美容室 美容院 理容 床屋 クリーニング ネイルサロン エステ 整体",
    "不動産業": "不動産",
    "教育・学習支援業": "学習塾 教室 スクール",
}
_INDUSTRY_NAMES = Gazetteer({k: name for name, ks in _INDUSTRIES.items() for k in ks.split()})


class Entities(NamedTuple):
    """What the text says about the business; None where it says nothing (a NamedTuple:
    see `nlp.lean.Scores`)."""

    prefecture: str | None
    municipality: str | None
    prefecture_source: str | None
    prefecture_candidates: tuple[str, ...]
    employees: int | None
    industry: str | None


def parse_number(token: str) -> int | None:
    """ASCII digits or kanji numerals (「十五」「二百三十」) as an int."""
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for char in token:
        if char in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[char] if current else _KANJI_DIGITS[char]
        elif char in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
        else:
            return None
    return total + current


def employees_in(text: str) -> int | None:
    """The number of employees stated in ``text``, if any."""
    if ("人" in text or "名" in text) and _COUNT_RE.search(text):  # most messages state no number
        for pattern in _EMPLOYEES_RES:
            match = pattern.search(text)
            if match:
                value = parse_number(match.group(1))
                if value is not None and 0 < value < 100_000:
                    return value
    if "夫婦" in text and _COUPLE_RE.search(text):
        return 2
    if ("人" in text or "ひとり" in text) and _SOLO_RE.search(text):  # every pattern holds one
        return 1
    return None


def industry_in(text: str) -> str | None:
    """The industry named first in ``text``, if any."""
    match = _INDUSTRY_NAMES.first(text)
    return match.value if match else None


def choose_place(places: list[Place]) -> tuple[Place | None, tuple[str, ...]]:
    """The most specific place, unless the text names several prefectures equally."""
    if not places:
        return None, ()
    candidates = tuple(dict.fromkeys(p.prefecture for p in places))
    best = places[0]
    rivals = {p.prefecture for p in places if p.source == best.source}
    if len(rivals) > 1:
        return None, candidates
    return best, candidates


def extract_entities(text: str, answer: bool = False) -> Entities:
    """All entities of normalised ``text`` (``answer``: it answers "where are you?")."""
    places = find_places(text, answer)
    employees, industry = employees_in(text), industry_in(text)
    place, candidates = choose_place(places) if places else (None, ())  # most name no place
    if place is None:
        return Entities(None, None, None, candidates, employees, industry)
    return Entities(place.prefecture, place.municipality, place.source, candidates, employees, industry)
