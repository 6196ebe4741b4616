"""Pure translations between Telegram updates and madoguchi's neutral messages.

No network and no python-telegram-bot application here: tests feed captured update
payloads straight in.
"""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.messages import Inbound, InboundKind, Reply

CHANNEL = "telegram"
COMMANDS = frozenset({"start", "help", "status", "cancel", "delete"})
MAX_TEXT = 4096  # Telegram's limit for one message


def to_inbound(update: Update) -> Inbound | None:
    """The neutral message of an update, or None for updates that are not an owner's
    message (channel posts, member changes, polls...)."""
    message_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is None:
            return None
        return Inbound(CHANNEL, str(chat.id), message_id, InboundKind.CHOICE,
                       user_id=str(query.from_user.id), choice=query.data or "",
                       received_at=dt.datetime.now(dt.UTC))
    if update.edited_message is not None:
        edited = update.edited_message
        return Inbound(CHANNEL, str(edited.chat.id), message_id, InboundKind.EDITED,
                       user_id=_user(update), text=edited.text or "", received_at=edited.date)
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    if message.text is None:
        return Inbound(CHANNEL, str(message.chat.id), message_id, InboundKind.UNSUPPORTED,
                       user_id=_user(update), received_at=message.date)
    text = message.text
    if text.startswith("/"):
        name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if name in COMMANDS or name:
            return Inbound(CHANNEL, str(message.chat.id), message_id, InboundKind.COMMAND,
                           user_id=_user(update), text=text, command=name, received_at=message.date)
    return Inbound(CHANNEL, str(message.chat.id), message_id, InboundKind.TEXT,
                   user_id=_user(update), text=text, received_at=message.date)


def _user(update: Update) -> str | None:
    user = update.effective_user
    return str(user.id) if user is not None else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Choices as an inline keyboard, one button per row (labels are long Japanese)."""
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(choice.label, callback_data=choice.id)] for choice in reply.choices]
    )


def chosen_label(markup: InlineKeyboardMarkup | None, choice_id: str) -> str | None:
    """The label of the button pressed, read from the message's own keyboard."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == choice_id:
                return button.text
    return None


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Telegram refuses messages over 4,096 characters: cut at line ends where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts
