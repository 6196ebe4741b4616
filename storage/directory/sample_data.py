"""Fixed inputs of the sample directory: the programme's figures, weights and name parts.

The figures are DESIGN.md's; the weights (population in units of 10,000, rounded) only
spread hubs and partners realistically; every name built from these parts is fictional.
"""

from __future__ import annotations

from models import InstitutionType as T
from models import PartnerType as P


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# institution type -> (hubs, of which succession centres, placement)
#   every: at least one in every prefecture, the rest by weight
#   one_each: at most one per prefecture (prefectural bodies)
#   weighted: anywhere, by weight; farming: prefectures with large farm output
HUB_PLAN: tuple[tuple[T, int, int, str], ...] = (
    (T.SHOKOKAI, 78, 41, "every"),
    (T.CHAMBER_OF_COMMERCE, 119, 49, "every"),
    (T.SME_CENTRAL_ASSOCIATION, 37, 2, "one_each"),
    (T.REGIONAL_BANK, 7, 0, "weighted"),
    (T.SHINKIN_BANK, 12, 0, "weighted"),
    (T.CREDIT_COOPERATIVE, 4, 0, "weighted"),
    (T.PREFECTURAL_SUPPORT_CENTER, 41, 10, "one_each"),
    (T.COMPANY_OR_NPO, 4, 0, "weighted"),
    (T.UNIVERSITY, 1, 0, "weighted"),
    (T.AGRICULTURAL_COOPERATIVE, 5, 0, "farming"),
    (T.OTHER, 8, 0, "weighted"),
)

COORDINATORS_EXTERNAL = 430
COORDINATORS_INTERNAL = 370

# partner type -> count: ~500 financial, ~250 universities and 公設試, ~100 agri/fishery,
# the rest cross-sector; 2,040 in all.
PARTNER_PLAN: tuple[tuple[P, int], ...] = (
    (P.FINANCIAL_INSTITUTION, 500),
    (P.UNIVERSITY, 150),
    (P.PUBLIC_RESEARCH_INSTITUTE, 100),
    (P.AGRICULTURAL_COOPERATIVE, 70),
    (P.FISHERY_COOPERATIVE, 30),
    (P.VOCATIONAL_SCHOOL, 280),
    (P.CONSTRUCTION_ASSOCIATION, 260),
    (P.OTHER, 650),
)

BANK_TYPES = frozenset({T.REGIONAL_BANK, T.SHINKIN_BANK, T.CREDIT_COOPERATIVE})
# How much work a hub of each type attracts (extra coordinators and partners).
HUB_SIZE: dict[T, int] = {
    T.CHAMBER_OF_COMMERCE: 3,
    T.PREFECTURAL_SUPPORT_CENTER: 3,
    T.SME_CENTRAL_ASSOCIATION: 2,
    T.REGIONAL_BANK: 2,
    T.SHINKIN_BANK: 2,
}

POPULATION: dict[str, int] = {
    "北海道": 522, "青森県": 124, "岩手県": 121, "宮城県": 230, "秋田県": 96, "山形県": 107,
    "福島県": 183, "茨城県": 287, "栃木県": 193, "群馬県": 194, "埼玉県": 734, "千葉県": 628,
    "東京都": 1405, "神奈川県": 924, "新潟県": 220, "富山県": 103, "石川県": 113, "福井県": 77,
    "山梨県": 81, "長野県": 205, "岐阜県": 198, "静岡県": 363, "愛知県": 754, "三重県": 177,
    "滋賀県": 141, "京都府": 258, "大阪府": 884, "兵庫県": 547, "奈良県": 132, "和歌山県": 92,
    "鳥取県": 55, "島根県": 67, "岡山県": 189, "広島県": 280, "山口県": 134, "徳島県": 72,
    "香川県": 95, "愛媛県": 133, "高知県": 69, "福岡県": 514, "佐賀県": 81, "長崎県": 131,
    "熊本県": 174, "大分県": 112, "宮崎県": 107, "鹿児島県": 159, "沖縄県": 147,
}  # fmt: skip
FARMING = (
    "北海道",
    "青森県",
    "岩手県",
    "秋田県",
    "山形県",
    "新潟県",
    "茨城県",
    "千葉県",
    "長野県",
    "熊本県",
    "宮崎県",
    "鹿児島県",
)
LANDLOCKED = frozenset({"栃木県", "群馬県", "埼玉県", "山梨県", "長野県", "岐阜県", "滋賀県", "奈良県"})

# External experts: primary qualification weights; internal staff are 経営指導員, or
# 金融機関職員 at bank hubs.
EXTERNAL_QUALIFICATIONS: tuple[tuple[str, int], ...] = (
    ("中小企業診断士", 40),
    ("税理士", 18),
    ("企業OB", 22),
    ("社会保険労務士", 5),
    ("技術士", 4),
    ("ITコーディネータ", 4),
    ("公認会計士", 3),
    ("弁理士", 2),
    ("弁護士", 2),
)
# qualification -> specialities always held, and optional ones (one is drawn)
SPECIALITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "中小企業診断士": (("management", "new_business"), ("startup", "financing", "hr", "agri_commerce")),
    "税理士": (("succession", "financing"), ("management",)),
    "公認会計士": (("succession", "financing"), ("management",)),
    "弁護士": (("succession",), ("management",)),
    "社会保険労務士": (("hr",), ("management", "startup")),
    "弁理士": (("technology",), ("new_business",)),
    "技術士": (("technology",), ("agri_commerce", "it")),
    "ITコーディネータ": (("it",), ("management", "new_business")),
    "企業OB": ((), ("technology", "new_business", "hr", "agri_commerce", "management")),
    "経営指導員": (("management", "startup"), ("financing", "agri_commerce", "new_business")),
    "金融機関職員": (("financing",), ("succession", "management")),
}
CATEGORY_ORDER = _words("succession it agri_commerce management new_business financing technology startup hr")

STEMS = _words(
    "あおば あさひ いずみ かえで こだま さくら しらかば すずらん "
    "そよかぜ つばさ なぎさ はるかぜ ひかり ほしぞら みどり みなと "
    "もみじ やまびこ わかば あかね ときわ ひまわり やまぶき せせらぎ "
    "こもれび たちばな うみかぜ ゆうひ みずほ かがやき"
)
SURNAMES = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 "
    "佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 "
    "阿部 石川 前田 藤田 小川 岡田 後藤 長谷川 村上 近藤 石井 坂本 "
    "遠藤 青木 藤井 西村"
)
GIVEN_NAMES = _words(
    "健一 誠 大輔 拓也 直樹 和也 隆 浩二 翔太 亮 修 剛 悟 智子 "
    "裕子 美穂 恵 真由美 由美子 陽子 彩 さくら 明美 香織 久美子 "
    "千尋 舞 奈々 俊介 大樹 雅人 康弘 洋平 純一 美咲 優子 綾 理恵 "
    "博 正人"
)

# {pref}: 長野, {city}: 松本 (municipality without 市町村), {stem}: a fictional word
HUB_NAMES: dict[T, tuple[str, ...]] = {
    T.SHOKOKAI: ("{city}{stem}商工会",),
    T.CHAMBER_OF_COMMERCE: ("{city}{stem}商工会議所",),
    T.SME_CENTRAL_ASSOCIATION: ("{pref}{stem}中小企業団体中央会",),
    T.REGIONAL_BANK: ("{pref}{stem}銀行",),
    T.SHINKIN_BANK: ("{city}{stem}信用金庫",),
    T.CREDIT_COOPERATIVE: ("{pref}{stem}信用組合",),
    T.PREFECTURAL_SUPPORT_CENTER: ("{pref}{stem}産業振興センター",),
    T.COMPANY_OR_NPO: ("株式会社{stem}ビジネスサポート", "NPO法人{stem}まちづくりネット"),
    T.UNIVERSITY: ("{pref}{stem}大学 地域共創センター",),
    T.AGRICULTURAL_COOPERATIVE: ("{pref}{stem}農業協同組合",),
    T.OTHER: ("{pref}{stem}地域振興財団", "{city}{stem}まちづくり公社"),
}
PARTNER_NAMES: dict[P, tuple[str, ...]] = {
    P.FINANCIAL_INSTITUTION: (
        "{stem}銀行 {city}支店", "{stem}信用金庫 {city}支店", "{pref}{stem}信用保証協会",
        "{stem}信用組合 {city}支店", "日本{stem}金融公庫 {pref}支店",
    ),
    P.UNIVERSITY: ("{pref}{stem}大学", "{stem}工科大学", "{pref}{stem}短期大学", "{city}{stem}高等専門学校"),
    P.PUBLIC_RESEARCH_INSTITUTE: ("{pref}{stem}工業技術センター", "{pref}{stem}食品技術研究所",
                                  "{pref}{stem}産業技術総合センター"),
    P.AGRICULTURAL_COOPERATIVE: ("JA{stem}{city}",),
    P.FISHERY_COOPERATIVE: ("{city}{stem}漁業協同組合",),
    P.VOCATIONAL_SCHOOL: ("{pref}{stem}職業能力開発校", "{city}{stem}専門学校"),
    P.CONSTRUCTION_ASSOCIATION: ("{city}{stem}建設業協会",),
    P.OTHER: ("{city}{stem}観光協会", "{pref}{stem}デザインセンター", "{city}{stem}物産振興会",
              "{pref}{stem}発明協会", "{city}{stem}社会福祉協議会"),
}  # fmt: skip
