"""Telegram updates stored before they are acknowledged, and worked through per chat.

python-telegram-bot acknowledges an update only after putting it on its update queue: in
polling mode the next ``getUpdates`` confirms the offset once every update of the batch was
put, and in webhook mode the HTTP answer goes out after the put. `StoringQueue.put` stores
the update in the database first (and raises if it cannot, so Telegram delivers it again),
which makes "stored before acknowledged" hold in both modes.

`Inbox.drain` then handles a chat's stored updates oldest first through the engine, one
unit of work each; the replies are kept with the update until `Inbox.sent` confirms them,
so a crash anywhere loses neither the message nor what the bot meant to answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot import texts
from bot.engine import Engine, Handled, reply_from_json, update_key
from bot.messages import Inbound, Reply
from bot.storable import storable_json
from bot.telegram.translate import CHANNEL, to_inbound
from bot.throttle import Throttle, Verdict
from storage.database import Database
from storage.repositories import updates

log = logging.getLogger(__name__)


class StoreFailed(Exception):
    """The update could not be stored; it is not acknowledged and will come again."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """Replies to send for one stored update."""

    update_id: str
    chat_id: str
    replies: tuple[Reply, ...]


def decode(payload: dict[str, Any]) -> Inbound | None:
    """The neutral message of a stored raw update."""
    raw = payload.get("update")
    if not isinstance(raw, dict):
        return None
    update = Update.de_json(raw, None)
    return to_inbound(update) if update is not None else None


class Inbox:
    """The store-first path of Telegram updates, over the shared engine."""

    def __init__(self, engine: Engine, database: Database, throttle: Throttle | None = None) -> None:
        self.engine = engine
        self.database = database
        self.throttle = throttle or Throttle()
        self._warn: set[str] = set()  # stored updates whose chat is told to slow down

    def store(self, update: Update) -> str | None:
        """Store one update (a redelivery is a no-op); the chat to drain, if any.

        Updates that are not an owner's message, and messages over the flood limit, are
        stored as already handled: they are acknowledged and never acted upon."""
        inbound = to_inbound(update)
        chat_id = inbound.chat_id if inbound is not None else None
        key = update_key(inbound) if inbound is not None else f"-:{update.update_id}"
        try:
            with self.database.unit_of_work() as session:
                if updates.is_processed(session, channel=CHANNEL, update_id=key):
                    return None
                verdict = Verdict.ALLOW
                if inbound is not None:
                    verdict = self.throttle.check(inbound.chat_id)
                fresh = updates.record_update(
                    session, channel=CHANNEL, update_id=key, chat_id=chat_id,
                    payload={"update": storable_json(update.to_dict())}
                    if verdict is Verdict.ALLOW and inbound else None,
                    processed=inbound is None or verdict is not Verdict.ALLOW,
                )
        except Exception as exc:  # the database's words may quote the owner's text
            log.error("update %s could not be stored: %s", update.update_id, type(exc).__name__)
            raise StoreFailed(f"update {update.update_id} not stored") from None
        if fresh and verdict is Verdict.WARN:
            self._warn.add(key)
        return chat_id

    def slow_down(self, update: Update) -> bool:
        """True once for the update that went over a chat's flood limit."""
        inbound = to_inbound(update)
        if inbound is None:
            return False
        key = update_key(inbound)
        if key in self._warn:
            self._warn.discard(key)
            return True
        return False

    def drain(self, chat_id: str) -> list[Outgoing]:
        """Handle every stored update of a chat, oldest first; what to send for each."""
        out: list[Outgoing] = []
        while True:
            try:
                handled: Handled | None = self.engine.handle_next(
                    channel=CHANNEL, chat_id=chat_id, decode=decode
                )
            except Exception as exc:  # ids and the exception type only: never the text
                log.error("a stored update of chat %s failed in the engine: %s", chat_id, type(exc).__name__)
                out.append(self._give_up(chat_id))
                continue
            if handled is None:
                return out
            out.append(Outgoing(handled.update_id, chat_id, handled.result.replies))
            if not handled.more:
                return out

    def _give_up(self, chat_id: str) -> Outgoing:
        """Mark the chat's oldest stored update handled with an apology, so that one message
        the engine cannot handle never blocks the chat (if the database itself is down,
        this raises too and the update stays stored for the next try)."""
        with self.database.unit_of_work() as session:
            stuck = updates.pending_updates(session, channel=CHANNEL, chat_id=chat_id, limit=1)
            if not stuck:
                return Outgoing("", chat_id, ())
            key = stuck[0].update_id
            updates.mark_processed(session, channel=CHANNEL, update_id=key, replies=[{"text": texts.TROUBLE}])
        log.warning("update %s of chat %s given up", key, chat_id)
        return Outgoing(key, chat_id, (Reply(texts.TROUBLE),))

    def pending_chats(self) -> list[str]:
        """Chats with stored updates still to handle (after a restart)."""
        with self.database.session() as session:
            return updates.pending_chats(session, channel=CHANNEL)

    def unsent(self) -> list[Outgoing]:
        """Replies processed but never confirmed sent (after a restart)."""
        with self.database.session() as session:
            rows = updates.unsent_replies(session, channel=CHANNEL)
            return [
                Outgoing(row.update_id, row.chat_id or "",
                         tuple(reply_from_json(reply) for reply in (row.payload or {})["replies"]))
                for row in rows if row.chat_id
            ]

    def sent(self, update_id: str) -> None:
        """The replies of ``update_id`` went out (or never can): forget them."""
        with self.database.unit_of_work() as session:
            updates.mark_sent(session, channel=CHANNEL, update_id=update_id)


class StoringQueue(asyncio.Queue[object]):
    """python-telegram-bot's update queue, storing each update before it counts as received."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            await asyncio.to_thread(self.inbox.store, item)
        await super().put(item)
