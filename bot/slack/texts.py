"""What madoguchi says in Slack to coordinators and, after their actions, to owners."""

from __future__ import annotations

from bot.slack.card import deadline_text

FORBIDDEN = "このご相談を操作できるのは、担当のコーディネーターと同じ拠点のメンバーの方だけです。"
MISSING = "このご相談は見つかりませんでした。取り下げられた可能性があります。"
ALREADY_ACCEPTED = "このご相談はすでに受付済みです。"
ALREADY_DONE = "この操作はすでに反映されています。"
NOT_WAITING = "このご相談は現在、受付待ちではありません。"
ACCEPT_FIRST = "完了にする前に、まず「受付」を押してください。"
CLOSED_ALREADY = "このご相談はすでに完了しています。"
UNKNOWN_CATEGORY = "選ばれた分類が見つかりませんでした。"
ACCEPTED = "受付しました。相談者に、担当者からご連絡することをお伝えしました。"
DECLINED = "辞退を受け付けました。次の担当候補におつなぎします。"
DECLINED_ESCALATED = "辞退を受け付けました。ほかに担当できる方がいないため、管理者の確認待ちになりました。"
CORRECTED = "分類を修正しました。学習用のデータとして保存しました。"
CORRECTED_REROUTED = "分類を修正し、新しい分類に合う担当先へおつなぎし直しました。"
CLOSED = "完了にしました。相談者に満足度アンケートをお送りします。"
NO_OPEN_CASES = "現在、担当中のご相談はありません。"
NOT_A_COORDINATOR = "このSlackアカウントは、まどぐちのコーディネーターとして登録されていません。"

DECLINE_TITLE = "辞退の理由"
DECLINE_LABEL = "辞退の理由をお書きください（次の担当者への引き継ぎに使います）"
CORRECT_TITLE = "分類の修正"
CORRECT_LABEL = "正しい分類"
SUBMIT = "送信"
CANCEL = "キャンセル"

_CONTACT = {"phone": "お電話", "email": "メール", "chat": "このチャット"}


def owner_accepted(lead_id: int, coordinator: str, hub: str, contact_via: str) -> str:
    """To the owner when a coordinator accepted the case."""
    via = _CONTACT.get(contact_via, "ご希望の方法")
    return (
        f"ご相談（受付番号 {lead_id}）の担当が決まりました。{hub}の{coordinator}が担当いたします。"
        f"{via}でご連絡しますので、今しばらくお待ちください。"
    )


def owner_survey(lead_id: int, hub: str) -> str:
    """To the owner when the case is closed: the satisfaction survey."""
    return (
        f"ご相談（受付番号 {lead_id}）は完了となりました。{hub}をご利用いただき、ありがとうございました。\n"
        "今後のサービス向上のため、今回の対応の満足度を下のボタンか1〜5の数字でお聞かせください"
        "（5がとても満足です）。「4 説明が丁寧でした」のように、ご意見も添えていただけます。"
    )


def accepted_by(name: str | None) -> str:
    """To a coordinator who pressed 受付 after a colleague had already accepted the case."""
    if not name:
        return ALREADY_ACCEPTED
    return f"このご相談は、すでに{name}さんが受付済みです。"


def case_line(lead_id: int, category: str, status: str, due_at_text: str) -> str:
    """One line of a coordinator's open cases."""
    return f"• #{lead_id} {category}（{status}）受付期限：{due_at_text}"


__all__ = ["deadline_text"]
