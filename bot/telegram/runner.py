"""The Telegram bot with python-telegram-bot: polling or webhook, one thin handler.

Every update is stored before it is acknowledged (`bot.telegram.inbox.StoringQueue`), then
the chat's stored updates are handled in order by the shared engine (in a worker thread,
since it talks to the database) and the replies go out as messages with inline keyboards.
At start, whatever a crash left behind — stored updates not yet handled, replies not yet
sent — is finished first. One error boundary logs ids and exception types only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot import texts
from bot.engine import update_key
from bot.telegram.inbox import Inbox, Outgoing, StoringQueue
from bot.telegram.translate import chosen_label, keyboard, split_text, to_inbound

log = logging.getLogger(__name__)
NETWORK_ATTEMPTS = 5  # then the replies wait in the database for the next start
CONCURRENT_UPDATES = 8


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """What the Telegram runner needs from the settings."""

    token: str
    base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    max_rate: float = 30.0  # messages a second, all chats together


class TelegramChannel:
    """Stores updates, drains each chat through the engine and renders its replies."""

    def __init__(self, inbox: Inbox, *, network_backoff: float = 1.0) -> None:
        self.inbox = inbox
        self.network_backoff = network_backoff
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

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
        if self.inbox.slow_down(update):
            await self._send_text(context.bot, inbound.chat_id, texts.SLOW_DOWN)
        async with self._locks[inbound.chat_id]:  # replies of one chat go out in order
            try:
                outgoing = await asyncio.to_thread(self.inbox.drain, inbound.chat_id)
            except Exception as exc:  # the one error boundary of this adapter
                log.error("update %s failed: %s", update.update_id, type(exc).__name__)
                await self._send_text(context.bot, inbound.chat_id, texts.TROUBLE)
                return
            for item in outgoing:
                if query is not None and query.message is not None and item.update_id == update_key(inbound):
                    await self._mark_choice(update, inbound.choice or "")
                await self.deliver(context.bot, item)

    async def recover(self, application: Application) -> None:  # type: ignore[type-arg]
        """Finish what a crash left: unsent replies, then stored updates not yet handled."""
        for item in await asyncio.to_thread(self.inbox.unsent):
            await self.deliver(application.bot, item)
        for chat_id in await asyncio.to_thread(self.inbox.pending_chats):
            async with self._locks[chat_id]:
                for item in await asyncio.to_thread(self.inbox.drain, chat_id):
                    await self.deliver(application.bot, item)

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

    async def deliver(self, bot: Bot, item: Outgoing) -> None:
        """Send the replies of one handled update, then forget them.

        429 waits as long as Telegram asks and tries again (a reply is never dropped for
        it); an owner who blocked the bot (403) or a refused message (400) is given up at
        once; network trouble is retried a few times, then left for the next start."""
        for reply in item.replies:
            parts = split_text(reply.text)
            for index, part in enumerate(parts):
                markup = keyboard(reply) if index == len(parts) - 1 else None
                outcome = await self._send(bot, item.chat_id, part, markup)
                if outcome == "later":
                    return
                if outcome == "never":
                    await asyncio.to_thread(self.inbox.sent, item.update_id)
                    return
        await asyncio.to_thread(self.inbox.sent, item.update_id)

    async def _send(self, bot: Bot, chat_id: str, text: str, markup: object = None) -> str:
        """"sent", "never" (blocked or refused) or "later" (network down)."""
        failures = 0
        while True:
            try:
                await bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
                return "sent"
            except RetryAfter as exc:
                delay = exc.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
                log.info("Telegram asked to wait %.0f s before writing to chat %s", seconds, chat_id)
                await asyncio.sleep(seconds)
            except Forbidden:
                log.info("chat %s blocked the bot; reply dropped", chat_id)
                return "never"
            except BadRequest as exc:
                log.warning("Telegram refused a reply to chat %s: %s", chat_id, type(exc).__name__)
                return "never"
            except NetworkError as exc:
                failures += 1
                log.warning("sending to chat %s failed (%s), attempt %d",
                            chat_id, type(exc).__name__, failures)
                if failures >= NETWORK_ATTEMPTS:
                    return "later"
                await asyncio.sleep(self.network_backoff * failures)

    async def _send_text(self, bot: Bot, chat_id: str, text: str) -> None:
        await self._send(bot, chat_id, text)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s: %s", update_id, type(context.error).__name__)


# python-telegram-bot's loggers that may quote a received update (the owner's words and
# name) when it cannot parse it, or the raw body at debug level.
LIBRARY_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater", "telegram.ext.Application",
                   "telegram.ext._utils.webhookhandler", "telegram.ext.AIORateLimiter")


class WithholdDetails(logging.Filter):
    """Keep a library log line's level and wording, never its arguments or traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args or record.exc_info:
            kind = type(record.exc_info[1]).__name__ if record.exc_info and record.exc_info[1] else None
            wording = str(record.msg).split("%", 1)[0].rstrip(" :")
            record.msg = f"{wording} (details withheld{f': {kind}' if kind else ''})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


def withhold_library_details() -> None:
    """Install `WithholdDetails` on python-telegram-bot's loggers (idempotent)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdDetails) for f in logger.filters):
            logger.addFilter(WithholdDetails())


def build_application(config: TelegramConfig, channel: TelegramChannel) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot application, pointed at ``config.base_url`` if given."""
    withhold_library_details()
    builder = (
        Application.builder()
        .token(config.token)
        # 429 is retried in `deliver`, never dropped
        .rate_limiter(AIORateLimiter(overall_max_rate=config.max_rate, overall_time_period=1, max_retries=0))
        .update_queue(StoringQueue(channel.inbox))
        .post_init(channel.recover)
        # Chats are handled side by side; one chat's updates keep their order through
        # the database (oldest stored first) and the per-chat lock around sending.
        .concurrent_updates(CONCURRENT_UPDATES)
    )
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
