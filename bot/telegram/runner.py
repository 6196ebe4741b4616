"""The Telegram bot with python-telegram-bot: polling or webhook, one thin handler.

Every update goes through `to_inbound`, the shared engine (in a worker thread, since it
talks to the database), and back out as messages with inline keyboards. Sends are retried
by the library's rate limiter; one error handler logs ids only and keeps the bot running.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot import texts
from bot.engine import Engine, HandleResult
from bot.telegram.translate import chosen_label, keyboard, split_text, to_inbound
from bot.throttle import Throttle, Verdict

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """What the Telegram runner needs from the settings."""

    token: str
    base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443


class TelegramChannel:
    """Translates updates for the engine and renders its replies."""

    def __init__(self, engine: Engine, throttle: Throttle | None = None) -> None:
        self.engine = engine
        self.throttle = throttle or Throttle()

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = to_inbound(update)
        if inbound is None:
            return
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError:
                log.info("could not answer callback query of update %s", update.update_id)
        verdict = self.throttle.check(inbound.chat_id)
        if verdict is not Verdict.ALLOW:
            if verdict is Verdict.WARN:
                await context.bot.send_message(inbound.chat_id, texts.SLOW_DOWN)
            return
        try:
            result = await asyncio.to_thread(self.engine.handle, inbound)
        except Exception as exc:  # the one error boundary of this adapter
            log.error("update %s failed in the engine: %s", update.update_id, type(exc).__name__)
            await context.bot.send_message(inbound.chat_id, texts.TROUBLE)
            return
        if query is not None and query.message is not None and not result.duplicate:
            await self._mark_choice(update, inbound.choice or "")
        await self._send(context, inbound.chat_id, result)

    async def _mark_choice(self, update: Update, choice: str) -> None:
        """Show the owner's pick under the question and drop the old buttons."""
        query = update.callback_query
        assert query is not None and query.message is not None
        message = query.message
        original = getattr(message, "text", None)
        label = chosen_label(getattr(message, "reply_markup", None), choice)
        if not original or not label:
            return
        try:
            await query.edit_message_text(f"{original}\n\n→ {label}")
        except TelegramError:
            log.info("could not mark the choice of update %s", update.update_id)

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: str, result: HandleResult) -> None:
        for reply in result.replies:
            parts = split_text(reply.text)
            for index, part in enumerate(parts):
                markup = keyboard(reply) if index == len(parts) - 1 else None
                try:
                    await context.bot.send_message(chat_id, part, reply_markup=markup)
                except Forbidden:
                    # The owner blocked the bot: the case is stored and routed; do not retry.
                    log.info("chat %s blocked the bot; reply dropped", chat_id)
                    return

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s: %s", update_id, type(context.error).__name__)


def build_application(config: TelegramConfig, channel: TelegramChannel) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot application, pointed at ``config.base_url`` if given."""
    builder = Application.builder().token(config.token).rate_limiter(AIORateLimiter(max_retries=5))
    if config.base_url:
        base = config.base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = builder.build()
    application.add_handler(TypeHandler(Update, channel.on_update))
    application.add_error_handler(channel.on_error)
    return application


def run(config: TelegramConfig, channel: TelegramChannel, *, webhook: bool) -> None:
    """Serve until a stop signal: long polling, or a webhook checking the secret token."""
    application = build_application(config, channel)
    if not webhook:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        return
    if not config.webhook_secret:
        raise ValueError("TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
    application.run_webhook(
        listen=config.webhook_listen,
        port=config.webhook_port,
        url_path="telegram",
        webhook_url=config.webhook_url,
        secret_token=config.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
