"""Event digests computed in one background thread, so page views stay fast and never embed.

Two kinds of work, the first first:

1. **embedding summaries** (when the server runs with them): a page view computes the cheap
   coverage digest when none is cached and queues the event here; it is embedded once and the
   better digest replaces the cached one (same key: event id and member hash);
2. **warm-up**: at start and whenever the catalog changes, every event whose headline is not
   known yet gets its coverage digest, so lists and timelines show the same headline as the
   event page.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable

from newsloom.present.digest import Embedder, EventDigest, get_digest
from newsloom.store import Store

from .catalog import CatalogHolder, StoreProvider

log = logging.getLogger(__name__)

EMBED, WARM = 0, 1


def default_embedder() -> Embedder:
    from newsloom.enrich.embed import get_embedder

    return get_embedder()


class DigestWorker:
    """A priority queue of (event id, method) and the thread that works through it."""

    def __init__(
        self,
        provider: StoreProvider,
        catalog: CatalogHolder,
        headlines: dict[str, str],
        *,
        embed: bool = True,
        embedder_factory: Callable[[], Embedder] = default_embedder,
        max_queue: int = 100_000,
    ) -> None:
        self._provider = provider
        self._catalog = catalog
        self.headlines = headlines
        self._factory = embedder_factory
        self._queue: queue.PriorityQueue[tuple[int, int, str]] = queue.PriorityQueue(maxsize=max_queue)
        self._seq = itertools.count()
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._embedder: Embedder | None = None
        self.disabled_reason: str | None = None if embed else "embedding summaries are off"
        self.embedded = 0
        self.warmed = 0
        self.embed_seconds = 0.0

    def seen(self, event_id: str, digest: EventDigest) -> bool:
        """A page computed or loaded ``digest``: remember its headline, queue an embedding summary.

        Returns True when an embedding summary of this event is pending.
        """
        self.headlines[event_id] = digest.headline.text
        if digest.method == "embed" or self.disabled_reason:
            return False
        return self._put(event_id, EMBED)

    def warm(self, event_ids: Iterable[str]) -> int:
        """Queue coverage digests for events whose headline is not known yet; returns how many."""
        count = 0
        for event_id in event_ids:
            if event_id not in self.headlines and self._put(event_id, WARM):
                count += 1
        return count

    def _put(self, event_id: str, kind: int) -> bool:
        with self._lock:
            current = self._pending.get(event_id)
            if current is not None and current <= kind:
                return True
            try:
                self._queue.put_nowait((kind, next(self._seq), event_id))
            except queue.Full:
                return False
            self._pending[event_id] = kind
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="newsloom-digests", daemon=True)
                self._thread.start()
        return True

    def pending(self, event_id: str) -> bool:
        with self._lock:
            return self._pending.get(event_id) == EMBED

    def pending_count(self) -> int:
        with self._lock:
            return len(self._pending)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                kind, _, event_id = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            with self._lock:
                if self._pending.get(event_id) != kind:
                    continue  # superseded by a more urgent entry
            try:
                self._one(self._provider.get(), event_id, kind)
            except Exception:
                log.exception("digest of %s failed", event_id)
            finally:
                with self._lock:
                    if self._pending.get(event_id) == kind:
                        del self._pending[event_id]

    def _one(self, store: Store, event_id: str, kind: int) -> None:
        event = store.get_event(event_id)
        if event is None:
            return
        info = self._catalog.get().member_info
        if kind == WARM:
            digest = get_digest(store, event, method="coverage", info=info)
            self.headlines[event.id] = digest.headline.text
            self.warmed += 1
            return
        if self._embedder is None:
            try:
                self._embedder = self._factory()
            except Exception as exc:  # no model: stay with coverage summaries
                self.disabled_reason = f"{type(exc).__name__}: {exc}"
                log.warning("embedding summaries disabled: %s", self.disabled_reason)
                return
        started = time.perf_counter()
        digest = get_digest(store, event, method="embed", embedder=self._embedder, info=info)
        self.headlines[event.id] = digest.headline.text
        self.embed_seconds += time.perf_counter() - started
        self.embedded += 1

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current digest (waits up to ``timeout`` seconds for it)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
