"""Redaction of personal data before text becomes training data (nlp/redact.py)."""

from __future__ import annotations

import pytest

from nlp.redact import PLACEHOLDERS, redact

PHONES = [
    "090-1234-5678に電話ください",
    "０９０－１２３４－５６７８までお願いします",
    "携帯 080 1234 5678",
    "09012345678",
    "電話は0263-12-3456です",
    "(03)1234-5678",
    "03(1234)5678",
    "（０３）１２３４－５６７８",
    "0120-123-456はフリーダイヤル",
    "0120123456",
    "0800-123-4567",
    "+81-90-1234-5678",
    "+81 3 1234 5678",
    "＋８１９０１２３４５６７８",
    "+81(0)3-1234-5678",
    "TEL:092.123.4567",
    "０３ー１２３４ー５６７８",
]


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_in_every_japanese_format_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "[電話]" in redacted
    assert not any(d in redacted for d in "5678５６７８"), redacted


@pytest.mark.parametrize(
    "text",
    [
        "メールはtaro.yamada@example.co.jpです",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "連絡先: info+sme@mail.example.jp まで",
        "yamada_2024@sub.domain.ne.jp",
    ],
)
def test_email_addresses_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "[メール]" in redacted
    assert "@" not in redacted and "example" not in redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("〒390-0811 長野県松本市中央1丁目2番3号 松本ビル5階", "[郵便番号] 長野県松本市[住所]"),
        ("〒３９０－０８１１", "[郵便番号]"),
        ("郵便番号 060-0001", "[郵便番号]"),
        ("住所は大阪市北区梅田３－１－１です", "住所は大阪市北区[住所]です"),
        ("東京都千代田区丸の内2丁目7-2 JPタワー12F", "東京都千代田区[住所]"),
        ("札幌市中央区北1条西2丁目1番地", "札幌市中央区[住所]"),
        ("松本市中央1-2-3", "松本市[住所]"),
        ("長野市大字鶴賀1234番地の5です", "長野市[住所]です"),
        ("名古屋市中区栄三丁目5番12号 栄ハイツ302号室に事務所", "名古屋市中区[住所]に事務所"),
    ],
)
def test_postal_codes_and_street_addresses_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("代表の山田太郎です。", "代表の[氏名]です。"),
        ("私は林と申します", "私は[氏名]と申します"),
        ("佐藤さんに相談したい", "[氏名]さんに相談したい"),
        ("鈴木様から紹介されました", "[氏名]様から紹介されました"),
        ("ジョンソンさんと輸出の話", "[氏名]さんと輸出の話"),
        ("担当は田中です", "担当は[氏名]です"),
        ("記帳講習会でお世話になりました佐藤でございます", "記帳講習会でお世話になりました[氏名]でございます"),
        ("高橋一郎", "[氏名]"),
        ("社長の中村に代わって書いています", "社長の[氏名]に代わって書いています"),
    ],
)
def test_person_names_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("株式会社ミナト商事の鈴木です", "[会社名]の[氏名]です"),
        ("ミナト商事株式会社で経理をしています", "[会社名]で経理をしています"),
        ("うちはさくら株式会社です", "うちは[会社名]です"),
        ("㈱ヤマダ精工の件", "[会社名]の件"),
        ("（株）田中製作所から注文", "[会社名]から注文"),
        ("有限会社まるや代表の佐々木です", "[会社名]代表の[氏名]です"),
        ("山田製作所の小林です", "[会社名]の[氏名]です"),
        ("合同会社ABCラボで働いています", "[会社名]で働いています"),
        ("株式会社みのりの田中です", "[会社名]の[氏名]です"),
    ],
)
def test_company_names_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "売上は1,000万円、従業員は12人です",
        "年商3億円、借入2,500万円の返済がきつい",
        "2024年に創業、社員30名",
        "創業20年、3-4人で回しています",
        "補助金は100万-200万円くらい",
        "2024-2025年度の計画",
        "長野県松本市で町工場。息子が継がないので悩んでいます",
        "北海道で酪農をしています",
        "沖縄県",
        "川口の鋳物の町工場です",
        "上田の工場なんだけど",
        "息子さんとお客様の話",
        "仲居さんが来てくれない",
        "パートさんが足りない",
        "地元の農家さんと組みたい",
        "株式会社を設立したい",
        "合同会社と株式会社、どちらがいい？",
        "有限会社のまま引き継ぎました",
        "第3四半期の利益率が5%下がった",
        "10月1日から値上げします",
        "ISO9001を取りたい",
    ],
)
def test_business_facts_prefectures_and_ordinary_words_are_kept(text: str) -> None:
    import unicodedata

    assert redact(text) == unicodedata.normalize("NFKC", text)


def test_a_whole_message_keeps_the_problem_and_loses_every_personal_detail() -> None:
    text = (
        "株式会社ミナト商事の代表の山田太郎です。〒390-0811 長野県松本市中央1丁目2番3号。"
        "電話は090-1234-5678、メールはtaro@minato.co.jp。従業員12人、後継者がいなくて困っています。"
    )
    redacted = redact(text)
    for secret in ("ミナト", "山田", "太郎", "390", "中央1", "090", "taro", "minato"):
        assert secret not in redacted
    for kept in ("長野県松本市", "従業員12人", "後継者がいなくて困っています"):
        assert kept in redacted
    assert all(p in redacted for p in ("[会社名]", "[氏名]", "[郵便番号]", "[住所]", "[電話]", "[メール]"))


def test_redaction_is_idempotent() -> None:
    text = "代表の山田です。090-1234-5678 株式会社ミナト 松本市中央1-2-3"
    once = redact(text)
    assert redact(once) == once
    assert set(PLACEHOLDERS) >= {"[電話]", "[氏名]"}
