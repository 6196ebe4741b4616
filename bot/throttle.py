"""A per-chat flood guard: a sliding window of recent messages for each chat."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # the first message over the limit: answer politely once
    DROP = "drop"  # further messages in the same window: stay silent


class Throttle:
    """At most ``limit`` messages per ``window`` seconds per chat; other chats unaffected."""

    def __init__(
        self, limit: int = 20, window: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}
        self._lock = threading.Lock()  # updates are stored from worker threads

    def check(self, chat_id: str) -> Verdict:
        """The verdict for one more message from ``chat_id``, counted now."""
        with self._lock:
            return self._check(chat_id)

    def _check(self, chat_id: str) -> Verdict:
        now = self._clock()
        recent = self._seen.setdefault(chat_id, deque())
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) < self.limit:
            recent.append(now)
            self._warned.pop(chat_id, None)
            return Verdict.ALLOW
        if chat_id in self._warned and now - self._warned[chat_id] <= self.window:
            return Verdict.DROP
        self._warned[chat_id] = now
        return Verdict.WARN
