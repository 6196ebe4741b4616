"""Redaction of personal data before an owner's words become training data.

`redact` replaces phone numbers, e-mail addresses, postal codes, street addresses
(town, 丁目/番地/号, building and room), company names and person names with placeholders
([電話] [メール] [郵便番号] [住所] [会社名] [氏名]). What a classifier needs stays: amounts,
years, head counts, prefectures and municipalities.

Patterns go first (they see digits and legal forms, full-width or not); person and
company names then come from fugashi's tokens, using the per-thread tagger of
`nlp.tokenize`: a 人名 token counts as a name when something says it is one (an honorific,
a second name part, 代表の…, …と申します) or when it is not also the name of a
municipality (「川口の町工場」 is a place). The aim is recall on personal data with few
false alarms on the corpus; hiragana-only "names" (けん, りょう) are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nlp.places import municipalities
from nlp.tokenize import tagger

PHONE, EMAIL, POSTAL = "[電話]", "[メール]", "[郵便番号]"
ADDRESS, COMPANY, PERSON = "[住所]", "[会社名]", "[氏名]"
PLACEHOLDERS = (PHONE, EMAIL, POSTAL, ADDRESS, COMPANY, PERSON)

_D = "[0-9０-９]"
_H = "[-‐‑–—―−ー－]"  # hyphens people type between digits (ー included: IMEs produce it)
_SEP = r"(?:[-‐‑–—―−ー－.．・ 　]|[(（)）]\s?)"
_EMAIL = re.compile(
    r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９._%+\-．＿＋－]+\s?[@＠]\s?[A-Za-z0-9Ａ-Ｚａ-ｚ０-９\-－]+"
    r"(?:[.．][A-Za-z0-9Ａ-Ｚａ-ｚ０-９\-－]+)+"
)
_PHONE = re.compile(
    rf"(?<![0-9０-９])(?:(?:[+＋]\s?(?:81|８１)\s?{_SEP}?(?:[(（][0０][)）])?\s?)|[(（]?[0０])"
    rf"{_D}{{1,4}}{_SEP}{{0,2}}{_D}{{1,4}}{_SEP}{{0,2}}{_D}{{3,4}}(?!{_H}?[0-9０-９])"
)
_POSTAL = re.compile(
    rf"〒\s?{_D}{{3}}{_H}?{_D}{{4}}"
    rf"|(?<![0-9０-９])(?:郵便番号\s?[:：]?\s?)?{_D}{{3}}{_H}{_D}{{4}}(?![0-9０-９])"
)
_N = "[0-9０-９]+"
_NK = "[0-9０-９一二三四五六七八九十]+"
_STREET = re.compile(
    rf"(?:{_NK}丁目(?:\s?{_N}(?:番地?|{_H}|の)?)?(?:\s?{_N}号?)?"
    rf"|{_N}番地(?:の?{_N})?(?:\s?{_N}号)?"
    rf"|{_N}番{_N}号"
    rf"|(?<=[一-龥々ァ-ヶ]){_N}{_H}{_N}(?:{_H}{_N})?(?![0-9０-９]|\s?[人年月日万円件社名割%％時回倍ヶかカ歳代億千百]))"
    rf"(?:\s?[一-龥ァ-ヶーA-Za-zＡ-Ｚａ-ｚ]{{0,12}}?(?:ビル|ビルディング|マンション|ハイツ|コーポ|タワー|レジデンス|荘|アパート|プラザ|会館|センター)"
    rf"(?:\s?{_N}(?:階|[FＦ]|号室|号))?|\s?{_N}(?:階|[FＦ]|号室))?"
)
_TOWN_CHARS = re.compile(r"[一-龥々ァ-ヶーヶケノのが0-9０-９]")
_TOWN_STOPS = frozenset("都道府県市区郡村")
_MUNICIPAL_NEAR = re.compile(r"[市区町村郡]")
_LEGAL_FORMS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "社会福祉法人",
    "医療法人", "特定非営利活動法人", "NPO法人", "㈱", "㈲", "(株)", "（株）", "(有)", "（有）",
)
_LEGAL = re.compile("|".join(re.escape(form) for form in _LEGAL_FORMS))
_NAME_CHAR = re.compile(r"[一-龥々ァ-ヶーぁ-んA-Za-zＡ-Ｚａ-ｚ0-9０-９・&＆ヶ]")
_PARTICLE_CHARS = frozenset("のはがをにでとへもやか")
_AFTER_COMPANY = (
    "代表", "社長", "取締役", "専務", "常務", "会長", "部長", "課長", "係長", "担当", "営業部", "総務",
    "経理", "です", "でした", "では", "にて", "から", "まで", "として", "さん", "様", "御中", "ご担当",
    "設立", "登記", "定款", "法人", "化", "形態",
)
_MAX_COMPANY = 20
_HONORIFICS = frozenset(["さん", "様", "さま", "氏", "君", "くん", "ちゃん", "殿", "先生"])
_NAME_CUES_BEFORE = (
    "代表の", "代表取締役の", "社長の", "担当の", "担当者の", "私は", "私、", "わたしは", "僕は", "俺は",
)
_NAME_CUES_AFTER = ("と申します", "といいます", "と言います", "でございます", "と申す", "です")
_WORKPLACE_BEFORE = (f"{COMPANY}の", "部の", "課の", "店の", "社の", "担当の", "代表の", "社長の")
_INTRODUCED = ("と申します", "といいます", "と言います", "と申す")
_AFTER_SURNAME = frozenset(["、", "。", "の", "が", "は", "と", "に", "から", "も", "です", " ", "　", "\n"])
_NAME_SHAPE = r"[一-龥々ァ-ヶー]{1,8}"
# words unidic tags 人名 before さん although they name a trade or a counterpart
_NOT_NAMES = frozenset(
    ["仲居", "花屋", "バイヤー", "デザイナー", "メーカー", "パート", "バイト", "アルバイト", "JA",
     "ドライバー", "ヘルパー", "オーナー", "スタッフ", "ママ", "パパ"]
)
_BUSINESS_SUFFIXES = (
    "製作所", "工務店", "商店", "商事", "建設", "工業", "興業", "産業", "物産", "酒造", "食品",
    "製菓", "電機", "精機", "精工", "運輸", "運送", "鉄工所", "製材所", "木材", "農園", "牧場",
    "旅館", "本舗", "薬局", "歯科", "医院", "水産",
)


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    surface: str
    pos: tuple[str, str, str, str]
    unknown: bool
    goshu: str


def redact(text: str) -> str:
    """``text`` with personal data replaced by placeholders (see the module docstring).

    The text is NFKC-folded first (training normalises it the same way): full-width digits
    and half-width kana then need no patterns of their own.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(_phone_or_keep, text)
    text = _POSTAL.sub(POSTAL, text)
    text = _STREET.sub(_address, text)
    text = _companies(text)
    return _persons(text)


def _phone_or_keep(match: re.Match[str]) -> str:
    """A phone number has 10-11 digits (9-10 after +81); anything else is left as it was."""
    digits = re.sub(r"\D", "", match[0].translate(_FULL_DIGITS))
    if match[0].lstrip("(（ ").startswith(("+", "＋")):
        return PHONE if 10 <= len(digits) <= 12 else match[0]
    return PHONE if 10 <= len(digits) <= 11 else match[0]


_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _address(match: re.Match[str]) -> str:
    """The street part plus the town name before it (up to the municipality), as [住所]."""
    text, start = match.string, match.start()
    bare = match[0][0].isdigit() and "丁目" not in match[0] and "番" not in match[0]
    # a bare 1-2-3 counts only near a municipality: 「松本市中央1-2-3」
    if bare and not _MUNICIPAL_NEAR.search(text, max(0, start - 12), start):
        return match[0]
    return ADDRESS


def _extend_towns(text: str) -> str:
    """Swallow the town name left of each [住所] up to 市/区/郡/村 (kept: they are not personal)."""
    out: list[str] = []
    position = 0
    for found in re.finditer(re.escape(ADDRESS), text):
        begin = found.start()
        steps = 0
        while begin > position and steps < 10:
            char = text[begin - 1]
            if char in _TOWN_STOPS or not _TOWN_CHARS.match(char):
                break
            begin, steps = begin - 1, steps + 1
        out.append(text[position:begin])
        out.append(ADDRESS)
        position = found.end()
    out.append(text[position:])
    return "".join(out)


def _companies(text: str) -> str:
    text = _extend_towns(text)
    spans: list[tuple[int, int]] = []
    for found in _LEGAL.finditer(text):
        start, end = found.span()
        after = _scan(text, end, +1, stop_words=_AFTER_COMPANY)
        before = _scan(text, start, -1, stop_words=())
        if after > end:  # 株式会社ミナト (the name follows the legal form)
            spans.append((start, after))
        elif before < start:  # ミナト株式会社
            spans.append((before, end))
        # a legal form alone (「株式会社を設立したい」) names nobody
    return _replace(text, spans, COMPANY)


def _scan(text: str, index: int, step: int, stop_words: Sequence[str]) -> int:
    """Walk over name characters from ``index`` (forward or back) and return where they end.

    Particles (の, は, で…) end a name: 「株式会社ミナトの山田」, 「うちはさくら株式会社」.
    """
    position, taken = index, 0
    if step > 0 and position < len(text) and text[position] in " 　":
        position += 1
    while taken < _MAX_COMPANY:
        at = position if step > 0 else position - 1
        if at < 0 or at >= len(text) or text.startswith(PLACEHOLDERS, at) or text[at] == "]":
            break
        char = text[at]
        if not _NAME_CHAR.match(char):
            break
        # a particle ends the name (「ミナトの山田」); inside a kana name it does not (「みのり」)
        inside_kana = taken > 0 and _hiragana(text[at - 1]) and _hiragana(text[at + 1 : at + 2])
        if char in _PARTICLE_CHARS and (step < 0 or taken == 0 or (char not in "やか" and not inside_kana)):
            break
        if step > 0 and any(text.startswith(word, at) for word in stop_words):
            break
        position += step
        taken += 1
    return position if taken else index


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for node in tagger()(text):
        position += len(node.white_space)
        end = position + len(node.surface)
        feature = node.feature
        pos = (str(feature.pos1), str(feature.pos2), str(feature.pos3), str(feature.pos4))
        tokens.append(_Token(position, end, node.surface, pos, node.stat == 1, str(feature.goshu)))
        position = end
    return tokens


def _persons(text: str) -> str:
    if not text:
        return text
    tokens = _tokens(text)
    company_spans: list[tuple[int, int]] = []
    person_spans: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.surface in _BUSINESS_SUFFIXES and _company_head(token):
            company_spans.append((token.start, following.end))
            continue
        if following is not None and following.surface == "製作" and _company_head(token):
            tail = tokens[index + 2] if index + 2 < len(tokens) else None
            if tail is not None and tail.surface == "所":
                company_spans.append((token.start, tail.end))
                continue
        if _is_name(text, tokens, index):
            person_spans.append((token.start, token.end))
    text_with_companies = _replace(text, company_spans, COMPANY)
    if company_spans:  # offsets moved: find the names again in the new text
        return _persons_only(text_with_companies)
    return _replace(text, person_spans, PERSON)


def _persons_only(text: str) -> str:
    tokens = _tokens(text)
    spans = [(t.start, t.end) for i, t in enumerate(tokens) if _is_name(text, tokens, i)]
    return _replace(text, spans, PERSON)


def _company_head(token: _Token) -> bool:
    """A word that can name a business before 商店/工業/…: a person's name, a proper noun
    that is not a place, or a native katakana word (ミナト商事; not a loanword: ラベル)."""
    if token.surface in _NOT_NAMES or token.goshu == "外":
        return False
    if token.pos[2] == "人名":
        return len(token.surface) >= 2 and not _hiragana(token.surface)
    if token.pos[1] == "固有名詞" and token.pos[2] != "地名":
        return True
    return token.pos[0] == "名詞" and bool(re.fullmatch(r"[ァ-ヶー]{2,}", token.surface))


def _is_name(text: str, tokens: list[_Token], index: int) -> bool:
    token = tokens[index]
    if token.surface in _NOT_NAMES or token.surface.endswith("屋") or _hiragana(token.surface):
        return False
    if not token.surface.strip() or re.fullmatch(r"[A-Za-z0-9]+", token.surface):
        return False
    previous = tokens[index - 1] if index > 0 else None
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    honored = following is not None and following.surface in _HONORIFICS
    if token.pos[2] == "人名":
        paired = any(
            other is not None and other.pos[2] == "人名" and not _hiragana(other.surface)
            for other in (previous, following)
        )
        if honored or paired:
            return True
        at_work = text[: token.start].endswith(_WORKPLACE_BEFORE)
        if _is_municipality(text, token) and not at_work:  # 「川口の町工場」「岡谷です」: a place
            return False
        if text[: token.start].endswith(_NAME_CUES_BEFORE) or text.startswith(_NAME_CUES_AFTER, token.end):
            return True
        # a bare surname: 「大谷、今日…」「担当は田中」, not a typo such as 「高杉て」
        return (
            token.pos[3] == "姓"
            and bool(re.fullmatch(r"[一-龥々]{2,4}", token.surface))
            and (following is None or following.surface in _AFTER_SURNAME)
        )
    if token.pos[0] != "名詞" or token.pos[2] == "地名" or not re.fullmatch(_NAME_SHAPE, token.surface):
        return False
    # 「スミスさん」 (a proper noun or an unknown word before an honorific), or 「林と申します」
    if honored and (token.pos[1] == "固有名詞" or token.unknown):
        return True
    return text.startswith(_INTRODUCED, token.end) and len(token.surface) <= 4


def _is_municipality(text: str, token: _Token) -> bool:
    """「川口の町工場」「上田の工場」: the word names a municipality, so it is a place here."""
    if text.startswith(("市", "町", "村", "区", "郡", "県", "駅", "港", "線", "城", "温泉"), token.end):
        return True
    table = municipalities()
    return any(token.surface + suffix in table for suffix in ("市", "町", "村", "区"))


def _hiragana(surface: str) -> bool:
    return bool(re.fullmatch(r"[ぁ-んー]+", surface))


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """Replace non-overlapping ``spans``; adjacent spans become one placeholder."""
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(text[position:start])
        out.append(placeholder)
        position = end
    out.append(text[position:])
    return "".join(out)


Redactor = Callable[[str], str]
