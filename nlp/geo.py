"""Japan's prefectures and the METI regional bureaus they belong to.

The facts follow ../shared/docs/DESIGN.md. Routing and storage use this table too, so it is
the one place where a prefecture name is validated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prefecture:
    """One of the 47 prefectures; ``name`` is the full name with 都道府県."""

    code: int
    name: str
    short: str
    region: str


# METI regional bureaus in DESIGN.md order; 沖縄 is served by the Okinawa General Bureau.
REGIONS: tuple[str, ...] = ("北海道", "東北", "関東", "中部", "近畿", "中国", "四国", "九州", "沖縄")

_TABLE = """
1 北海道 北海道 北海道
2 青森県 青森 東北
3 岩手県 岩手 東北
4 宮城県 宮城 東北
5 秋田県 秋田 東北
6 山形県 山形 東北
7 福島県 福島 東北
8 茨城県 茨城 関東
9 栃木県 栃木 関東
10 群馬県 群馬 関東
11 埼玉県 埼玉 関東
12 千葉県 千葉 関東
13 東京都 東京 関東
14 神奈川県 神奈川 関東
15 新潟県 新潟 関東
16 富山県 富山 中部
17 石川県 石川 中部
18 福井県 福井 近畿
19 山梨県 山梨 関東
20 長野県 長野 関東
21 岐阜県 岐阜 中部
22 静岡県 静岡 関東
23 愛知県 愛知 中部
24 三重県 三重 中部
25 滋賀県 滋賀 近畿
26 京都府 京都 近畿
27 大阪府 大阪 近畿
28 兵庫県 兵庫 近畿
29 奈良県 奈良 近畿
30 和歌山県 和歌山 近畿
31 鳥取県 鳥取 中国
32 島根県 島根 中国
33 岡山県 岡山 中国
34 広島県 広島 中国
35 山口県 山口 中国
36 徳島県 徳島 四国
37 香川県 香川 四国
38 愛媛県 愛媛 四国
39 高知県 高知 四国
40 福岡県 福岡 九州
41 佐賀県 佐賀 九州
42 長崎県 長崎 九州
43 熊本県 熊本 九州
44 大分県 大分 九州
45 宮崎県 宮崎 九州
46 鹿児島県 鹿児島 九州
47 沖縄県 沖縄 沖縄
"""

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(int(code), name, short, region)
    for code, name, short, region in (line.split() for line in _TABLE.strip().splitlines())
)

_BY_ANY_NAME: dict[str, Prefecture] = {
    **{p.short: p for p in PREFECTURES},
    **{p.name: p for p in PREFECTURES},
}


def prefecture(name: str) -> Prefecture | None:
    """Look up a prefecture by its full or short name (「長野県」 or 「長野」)."""
    return _BY_ANY_NAME.get(name.strip())


def region_of(name: str) -> str | None:
    """The regional bureau of a prefecture given by full or short name."""
    found = prefecture(name)
    return found.region if found else None


def prefectures_in(region: str) -> list[str]:
    """Full names of the prefectures of one regional bureau, in code order."""
    return [p.name for p in PREFECTURES if p.region == region]
