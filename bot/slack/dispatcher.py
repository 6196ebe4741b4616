"""The outbox dispatcher: claims due events and delivers them, at least once, in order.

- ``lead.*`` events (``lead.assigned``, ``lead.escalated``, ``lead.updated``) bring the
  lead's card in its hub's channel up to date: the first one posts it, later ones edit it
  in place (the ``delivery_ref`` ``channel/ts`` of the sent events says where it is); a card
  left in another hub's channel after a re-route is edited to say the case moved on.
- ``owner.message`` events carry a message to the owner's chat (Telegram or console).

An event is marked sent only after the receiver accepted it; a failure is retried with
exponential backoff (or Slack's ``Retry-After``), and a hub's later events wait for it.

A dispatcher may die after Slack accepted a card but before the event was marked sent.
Every card therefore carries Slack message metadata (the lead and event id), and a retried
event that would post a card first looks for one in the channel's history and edits it
instead: a crash never leaves a second card. A withdrawn case's cards, in every channel
the case passed through, are edited to say so and keep none of the owner's words.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.slack.card import CardState, CardView, headline, render_blocks, render_plain
from bot.slack.desk import OWNER_TOPIC
from bot.slack.errors import RetryLater, Undeliverable
from bot.slack.lookup import card_view, hub_channel
from bot.slack.sinks import CardSink, OwnerSink
from models import utcnow
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.repositories import leads, outbox, outbox_delivery

log = logging.getLogger(__name__)

MAX_BACKOFF = 600.0
CLOCK_SKEW = 600.0  # seconds before an event's creation that a lost card is looked for


RECEIVERS = ("slack", "owner")


def _receiver(topic: str) -> str:
    return "owner" if topic == OWNER_TOPIC else "slack"


@dataclass(frozen=True, slots=True)
class Claimed:
    """What the dispatcher needs of a claimed event, outside any session."""

    id: int
    topic: str
    payload: Mapping[str, Any]
    lead_id: int | None
    hub_id: str | None
    attempts: int
    created_at: datetime


def backoff(attempts: int, base: float, retry_after: float | None = None, cap: float = MAX_BACKOFF) -> float:
    """Seconds to wait before the next try: Slack's word, else ``base * 2**(n-1)`` capped."""
    if retry_after is not None:
        return max(retry_after, 0.0)
    return float(min(base * 2 ** max(min(attempts - 1, 60), 0), cap))


class Dispatcher:
    """Delivers outbox events; run one per process (several are safe on PostgreSQL)."""

    def __init__(
        self,
        *,
        database: Database,
        taxonomy: Taxonomy,
        cards: CardSink,
        owners: Mapping[str, OwnerSink],
        base_backoff: float = 2.0,
        batch: int = 20,
        lease: float = 120.0,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.database = database
        self.taxonomy = taxonomy
        self.cards = cards
        self.owners = owners
        self.base_backoff = base_backoff
        self.batch = batch
        self.max_backoff = max_backoff
        self.lease = timedelta(seconds=lease)  # a claimed event comes back after this if we die
        self._pause_until: dict[str, float] = {}

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Deliver until ``stop`` is set, polling every ``interval`` seconds when idle."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception as exc:  # e.g. the database went away: keep the loop alive
                log.error("dispatcher round failed (%s); retrying", type(exc).__name__)
                busy = 0
            if not busy:
                stop.wait(interval)

    def drain(self, max_rounds: int = 50) -> None:
        """Deliver what is due now, round after round, until a round finds nothing to do."""
        for _ in range(max_rounds):
            if not self.run_once():
                return

    def _paused(self, receiver: str) -> bool:
        return time.monotonic() < self._pause_until.get(receiver, 0.0)

    def run_once(self) -> int:
        """One round: claim a batch and deliver it. Returns how many deliveries were tried.

        While a receiver's ``Retry-After`` lasts (it limits all our calls to it, not one),
        its events are handed back untried."""
        if all(self._paused(receiver) for receiver in RECEIVERS):
            return 0
        with self.database.unit_of_work() as session:
            claimed = [
                Claimed(e.id or 0, e.topic, dict(e.payload), e.lead_id, e.hub_id, e.attempts, e.created_at)
                for e in outbox.claim_due(session, limit=self.batch, lease=self.lease, in_hub_order=True)
            ]
        blocked: set[str] = set()
        tried = 0
        for event in claimed:
            if self._paused(_receiver(event.topic)) or (event.hub_id is not None and event.hub_id in blocked):
                with self.database.unit_of_work() as session:
                    outbox_delivery.release(session, event_id=event.id, at=utcnow())
                continue
            tried += 1
            if not self._deliver_one(event) and event.hub_id is not None:
                blocked.add(event.hub_id)
        return tried

    def _deliver_one(self, event: Claimed) -> bool:
        try:
            ref = self.deliver(event)
        except RetryLater as exc:
            delay = backoff(event.attempts, self.base_backoff, exc.retry_after, self.max_backoff)
            if exc.retry_after is not None:
                self._pause_until[_receiver(event.topic)] = time.monotonic() + delay
            log.warning("event %s (%s) failed, retry in %.1fs: %s", event.id, event.topic, delay, exc)
            with self.database.unit_of_work() as session:
                outbox.mark_failed(session, event_id=event.id, error=str(exc),
                                   retry_at=utcnow() + timedelta(seconds=delay))
            return False
        except Undeliverable as exc:
            log.error("event %s (%s) is undeliverable: %s", event.id, event.topic, exc)
            with self.database.unit_of_work() as session:
                outbox.mark_failed(session, event_id=event.id, error=str(exc), retry_at=None)
            return True
        with self.database.unit_of_work() as session:
            outbox.mark_sent(session, event_id=event.id, delivery_ref=ref)
        return True

    def deliver(self, event: Claimed) -> str | None:
        """Deliver one event; returns its delivery reference."""
        if event.topic == OWNER_TOPIC:
            channel, chat_id = str(event.payload["channel"]), str(event.payload["chat_id"])
            sink = self.owners.get(channel)
            if sink is None:
                raise RetryLater(f"no sender for the {channel} channel is configured")
            choices = [(str(c[0]), str(c[1])) for c in event.payload.get("choices") or []]
            sink.send(chat_id, str(event.payload["text"]), choices)
            return None
        if event.topic.startswith("lead.") and event.lead_id is not None:
            return self._card(event.lead_id, event)
        raise Undeliverable(f"unknown topic {event.topic!r}")

    def _card(self, lead_id: int, event: Claimed) -> str | None:
        with self.database.session() as session:
            lead = leads.get_lead(session, lead_id=lead_id)
            if lead is None:
                raise Undeliverable(f"lead {lead_id} does not exist")
            view = card_view(session, lead, self.taxonomy)
            channel = hub_channel(session, lead)
            refs = outbox_delivery.delivery_refs_for_lead(session, lead_id=lead_id)
        if self.cards.plain:
            return self.cards.post(channel, render_plain(view, channel), [])
        if view.state is CardState.WITHDRAWN:
            return self._withdrawn(view, channel, refs, event)
        here = [ref for ref in refs if ref.startswith(f"{channel}/")] if channel else []
        # the case just left the channel of its latest card: that card says so (once)
        moved = dataclasses.replace(view, state=CardState.HANDED_OVER, coordinator_slack_id=None)
        for ref in refs[-1:]:
            old_channel, _, ts = ref.partition("/")
            if ref in here or not ts or old_channel == "None":
                continue
            try:
                self.cards.update(old_channel, ts, headline(moved), render_blocks(moved))
            except LookupError:
                log.info("old card of lead %s is gone", lead_id)
        if here:
            ts = here[-1].split("/", 1)[1]
            try:
                self.cards.update(str(channel), ts, headline(view), render_blocks(view))
                return here[-1]
            except LookupError:
                log.info("card of lead %s is gone; posting it again", lead_id)
        if channel and event.attempts > 1:  # an earlier try may have posted before dying
            found = self._lost_card(channel, lead_id, event)
            if found is not None:
                try:
                    self.cards.update(channel, found, headline(view), render_blocks(view))
                    return f"{channel}/{found}"
                except LookupError:
                    log.info("the lost card of lead %s is gone too; posting it", lead_id)
        tag = {"lead_id": lead_id, "event_id": event.id}
        ts = self.cards.post(channel, headline(view), render_blocks(view), tag)
        return f"{channel}/{ts}" if channel else None

    def _lost_card(self, channel: str, lead_id: int, event: Claimed) -> str | None:
        since = event.created_at.timestamp() - CLOCK_SKEW
        return self.cards.find(channel, lead_id, since)

    def _withdrawn(self, view: CardView, channel: str | None, refs: list[str], event: Claimed) -> str | None:
        """Edit every card the case ever had; a card never posted is not posted now."""
        places = [tuple(ref.split("/", 1)) for ref in refs if "/" in ref and not ref.startswith("None/")]
        if not places and channel and event.attempts > 1:
            found = self._lost_card(channel, view.lead_id, event)
            places = [(channel, found)] if found else []
        for card_channel, ts in places:
            try:
                self.cards.update(card_channel, ts, headline(view), render_blocks(view))
            except LookupError:
                log.info("a card of withdrawn lead %s is gone", view.lead_id)
        return f"{places[-1][0]}/{places[-1][1]}" if places else None
