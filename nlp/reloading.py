"""An understander that follows the registry: a promoted model serves without a restart.

Each call costs one clock read; at most every ``check_every`` seconds the registry index's
mtime is compared, and only when it changed and names another current version is that
version loaded (checksum and type allowlist included) and swapped in with one reference
assignment, so a message is always understood by one complete model. A version that fails
to load is logged by version and reason and the previous model keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from nlp.classifier import Classifier
from nlp.normalize import DEFAULT_MAX_CHARS
from nlp.registry import ModelError, ModelRegistry
from nlp.understand import Understander, Understanding

log = logging.getLogger(__name__)


class ReloadingUnderstander(Understander):
    """`Understander` over the registry's current version, reloaded when it changes."""

    def __init__(
        self,
        registry: ModelRegistry,
        classifier: Classifier,
        max_chars: int = DEFAULT_MAX_CHARS,
        *,
        check_every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._serving = Understander(classifier, max_chars)
        self._seen_mtime = registry.index_mtime()
        self._check_every = check_every
        self._clock = clock
        self._next_check = clock() + check_every
        self._reload_lock = threading.Lock()
        self.max_chars = max_chars
        self.last_error: str | None = None

    @property
    def classifier(self) -> Classifier:
        """The model serving right now."""
        return self._serving.classifier

    @classifier.setter
    def classifier(self, value: Classifier) -> None:
        self._serving = Understander(value, self.max_chars)

    def understand(self, text: str, explain: bool = True) -> Understanding:
        """Understand with the current model, first picking up a promotion if one is due."""
        if self._clock() >= self._next_check:
            self.refresh()
        return self._serving.understand(text, explain)

    def refresh(self) -> bool:
        """Check the registry now; True when another model was swapped in."""
        if not self._reload_lock.acquire(blocking=False):
            return False  # another thread is already checking; keep serving
        try:
            self._next_check = self._clock() + self._check_every
            mtime = self._registry.index_mtime()
            if mtime == self._seen_mtime:
                return False
            self._seen_mtime = mtime
            wanted = self._registry.current_version()
            if wanted is None or wanted == self._serving.classifier.version:
                return False
            try:
                classifier = self._registry.load(wanted)
            except ModelError as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "model %s was not loaded (%s); %s keeps serving",
                    wanted, self.last_error, self._serving.classifier.version,
                )
                return False
            self._serving = Understander(classifier, self.max_chars)  # one atomic swap
            self.last_error = None
            log.info("now serving model %s", wanted)
            return True
        finally:
            self._reload_lock.release()
