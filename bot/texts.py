"""Everything the desk says to an owner, in one place, in polite natural Japanese."""

from __future__ import annotations

import datetime as dt

from bot.intake import Intake
from bot.messages import Choice, Reply
from nlp.geo import REGIONS, prefectures_in
from nlp.taxonomy import Taxonomy
from routing.sla import JST

CONSENT_VERSION = "2026-11-v1"

GREETING = (
    "こんにちは。中小企業・小規模事業者のための経営相談窓口「まどぐち」です。\n"
    "お困りごとをお聞きして、地域の支援拠点の専門家（コーディネーター）におつなぎします。\n"
    "お聞きした内容はこのご相談への対応のためだけに使い、拠点への共有は最後に同意を"
    "いただいてから行います。いつでも /delete で削除をお申し出いただけます。"
)
ASK_PROBLEM = "どんなことでお困りでしょうか。思いつくままに、ご自由にお書きください。"
HELP = (
    "まどぐちでは、事業承継、資金繰りや融資、売上や利益の改善、販路開拓、IT活用、"
    "技術開発、創業、人材確保など、事業のお悩みを伺って地域の支援拠点におつなぎします。\n"
    "使えるコマンド：\n"
    "/start 相談を始める\n/status これまでのご相談の状況\n/cancel 入力中の相談をやめる\n"
    "/delete ご相談とご連絡先の削除\n/help この説明"
)
OUT_OF_SCOPE = (
    "ありがとうございます。こちらは中小企業・小規模事業者の経営のご相談窓口です。"
    "たとえば「後継ぎがいない」「資金繰りが苦しい」「人が集まらない」「新しい商品を売りたい」"
    "といったお悩みでしたら、専門家におつなぎできます。事業のことでお困りのことがあれば、お書きください。"
)
UNSURE = "ご相談の内容に近いものを選んでいただけますか。"
UNKNOWN_CATEGORY_CHOICE = Choice("cat:unknown", "その他・わからない")
ASK_PREFECTURE = (
    "事業をされている都道府県を教えてください。市区町村名や郵便番号でも結構です。"
    "下の地方から選ぶこともできます。"
)
PREFECTURE_NOT_FOUND = "すみません、場所を読み取れませんでした。都道府県名か郵便番号で教えていただけますか。"
ASK_COMPANY = "差し支えなければ、会社名や屋号を教えてください。"
ASK_INDUSTRY = "業種を教えてください（例：製造業、飲食業、建設業、小売業など）。"
ASK_EMPLOYEES = "従業員は何人くらいですか（ご家族やパートの方も含めて結構です）。"
EMPLOYEES_NOT_FOUND = "人数を読み取れませんでした。「5人」のように数字で教えていただけますか。"
ASK_CONTACT = "担当者からのご連絡は、どの方法がよろしいですか。"
ASK_PHONE = "お電話番号を教えてください（例：090-1234-5678）。"
BAD_PHONE = "電話番号の形になっていないようです。0から始まる10桁か11桁の番号でお願いします。"
ASK_EMAIL = "メールアドレスを教えてください。"
BAD_EMAIL = "メールアドレスの形になっていないようです。もう一度ご確認いただけますか。"
ASK_CONSENT = (
    "最後に確認です。ご相談の内容とご連絡先を、担当する支援拠点と、その連携機関"
    "（金融機関、大学・公設試験研究機関、農協など）に共有してもよろしいですか。"
    "共有はこのご相談への対応のためだけで、後から /delete で削除をお申し出いただけます。"
)
NO_CONSENT = (
    "承知しました。同意をいただけない場合、拠点へのおつなぎはできません。"
    "お気持ちが変わりましたら「同意して進む」を、やめる場合は「相談をやめる」を選んでください。"
)
ASK_CORRECTION = "どこを直しますか。"
CANCELLED = "入力中のご相談を取りやめました。また何かあれば、いつでもお書きください。"
NOTHING_TO_CANCEL = "いま入力中のご相談はありません。ご相談はいつでもお書きください。"
ASK_DELETE = (
    "このチャットでいただいたご相談とご連絡先を削除します。"
    "進行中のご相談は取り下げとなり、担当者にもその旨が伝わります。よろしいですか。"
)
DELETE_KEPT = "削除は取りやめました。続きからどうぞ。"
DELETED = "ご相談とご連絡先を削除しました。ご利用ありがとうございました。"
NOTHING_TO_DELETE = "削除するご相談やご連絡先はありませんでした。"
UNSUPPORTED = "申し訳ありません、画像やスタンプ、音声、ファイルなどはまだ読み取れません。文字でお書きいただけますか。"
EDITED = "メッセージの編集には対応していません。お手数ですが、直した内容をもう一度送ってください。"
EMPTY = "メッセージが空のようです。お困りのことを文字でお書きください。"
TOO_LONG = "とても長いメッセージをありがとうございます。恐れ入りますが、{limit}字以内にまとめて送っていただけますか。"
STALE_CHOICE = "そのボタンは今の質問には使えないようです。お手数ですが、下の選択肢からお選びください。"
SLOW_DOWN = "メッセージを続けて多くいただいているため、少し時間をおいてから送っていただけますか。"
TROUBLE = "申し訳ありません、ただいま処理がうまくいきませんでした。少し時間をおいて、もう一度お送りください。"
NEW_CASE = "新しいご相談として承ります。"
NO_CASES = "まだご相談の記録はありません。お困りのことがあれば、お書きください。"

SKIP = Choice("skip", "答えない・スキップ")
CONTACT_CHOICES = (
    Choice("contact:chat", "このチャットで連絡を受ける"),
    Choice("contact:phone", "電話で連絡を受ける"),
    Choice("contact:email", "メールで連絡を受ける"),
)
CONSENT_CHOICES = (Choice("consent:yes", "同意して進む"), Choice("consent:no", "同意しない"))
NO_CONSENT_CHOICES = (Choice("consent:yes", "同意して進む"), Choice("cancel", "相談をやめる"))
CONFIRM_CHOICES = (
    Choice("confirm:yes", "この内容で相談する"),
    Choice("confirm:edit", "修正する"),
    Choice("cancel", "相談をやめる"),
)
DELETE_CHOICES = (Choice("delete:yes", "削除する"), Choice("delete:no", "削除しない"))
CORRECT_CHOICES = (
    Choice("edit:problem", "ご相談の内容"),
    Choice("edit:category", "ご相談の分野"),
    Choice("edit:prefecture", "都道府県"),
    Choice("edit:company", "会社名・屋号"),
    Choice("edit:industry", "業種"),
    Choice("edit:employees", "従業員数"),
    Choice("edit:contact", "ご連絡方法"),
)
CONTACT_LABELS = {"chat": "このチャット", "phone": "電話", "email": "メール"}
STATUS_LABELS = {
    "new": "受付済み（担当の調整中）",
    "assigned": "担当者が決まり、確認中",
    "escalated": "担当拠点を調整中",
    "accepted": "担当者が対応中",
    "closed": "完了",
    "withdrawn": "取り下げ",
}


def region_choices() -> tuple[Choice, ...]:
    return tuple(Choice(f"region:{region}", region) for region in REGIONS)


def prefecture_choices(region: str) -> tuple[Choice, ...]:
    prefectures = (Choice(f"pref:{name}", name) for name in prefectures_in(region))
    return (*prefectures, Choice("region:back", "地方を選び直す"))


def category_choices(taxonomy: Taxonomy, candidates: list[str]) -> tuple[Choice, ...]:
    return (*(Choice(f"cat:{c}", taxonomy.name(c)) for c in candidates), UNKNOWN_CATEGORY_CHOICE)


def understood(taxonomy: Taxonomy, intake: Intake) -> str:
    """A short acknowledgement that shows what was understood."""
    assert intake.label is not None
    return f"ありがとうございます。「{taxonomy.name(intake.label)}」のご相談として承ります。"


def summary(taxonomy: Taxonomy, intake: Intake) -> str:
    """The summary the owner confirms before anything is shared."""
    unknown = "（未回答）"
    problem = intake.problem or ""
    if len(problem) > 300:
        problem = problem[:300] + "…"
    contact = CONTACT_LABELS.get(intake.contact_via, intake.contact_via)
    if intake.contact_via == "phone" and intake.phone:
        contact += f"（{intake.phone}）"
    if intake.contact_via == "email" and intake.email:
        contact += f"（{intake.email}）"
    place = (intake.prefecture or unknown) + (f" {intake.municipality}" if intake.municipality else "")
    lines = [
        "次の内容で拠点におつなぎします。ご確認ください。",
        f"・ご相談の分野：{taxonomy.name(intake.label) if intake.label else unknown}",
        f"・ご相談の内容：{problem}",
        f"・所在地：{place}",
        f"・会社名・屋号：{intake.company_name or unknown}",
        f"・業種：{intake.industry or unknown}",
        f"・従業員数：{f'{intake.employees}人' if intake.employees else unknown}",
        f"・ご連絡方法：{contact}",
    ]
    return "\n".join(lines)


def submitted(lead_id: int, hub_name: str | None, deadline: str | None) -> str:
    """What the owner hears once the case is stored and routed."""
    if hub_name is None:
        return (
            f"ご相談を受け付けました（受付番号 {lead_id}）。いま、担当する拠点を調整しています。"
            "決まりしだい、ご指定の方法でご連絡いたします。状況は /status でご確認いただけます。"
        )
    when = f"{deadline}までに" if deadline else "2営業日以内をめどに"
    return (
        f"ご相談を受け付けました（受付番号 {lead_id}）。{hub_name}の専門家が担当します。"
        f"{when}担当者からご連絡いたします。状況は /status でご確認いただけます。"
        "ほかにもご相談があれば、続けてお書きください。"
    )


def japanese_date(moment: dt.datetime) -> str:
    """「11月30日（月）」 in Japan time."""
    local = moment.astimezone(JST) if moment.tzinfo else moment
    return f"{local.month}月{local.day}日（{'月火水木金土日'[local.weekday()]}）"


def status_lines(items: list[tuple[int, str, str, str | None]]) -> str:
    """/status: (lead id, category name, status, hub name) per case, newest first."""
    lines = ["これまでのご相談の状況です。"]
    for lead_id, category, status, hub in items:
        where = f"／{hub}" if hub else ""
        lines.append(f"・受付番号 {lead_id}：{category}{where} — {STATUS_LABELS.get(status, status)}")
    return "\n".join(lines)


def reply(text: str, choices: tuple[Choice, ...] = ()) -> Reply:
    return Reply(text, choices)
