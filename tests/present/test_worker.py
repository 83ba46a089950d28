"""The background digest worker: warm-up of every event, and embedding summaries off the request path."""

from __future__ import annotations

import time

from fixture_store import FakeEmbedder

from newsloom.present import digest as dg
from newsloom.present.web.catalog import CatalogHolder, StoreProvider
from newsloom.present.web.worker import DigestWorker


def _until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_warm_up_and_embedding_upgrade(fixture_db: str) -> None:
    provider = StoreProvider(fixture_db)
    holder = CatalogHolder(provider, refresh_seconds=0)
    headlines: dict[str, str] = {}
    embedder = FakeEmbedder()
    worker = DigestWorker(provider, holder, headlines, embed=True, embedder_factory=lambda: embedder)
    try:
        assert worker.warm(holder.get().events) == 6
        _until(lambda: worker.pending_count() == 0)
        assert set(headlines) == {"ev-flood", "ev-aid", "ev-xss", "ev-gas", "ev-prices", "ev-heat"}
        assert worker.warmed == 6 and embedder.calls == 0  # warm-up never embeds
        assert worker.warm(holder.get().events) == 0  # known headlines are not queued again

        store = provider.get()
        event = store.get_event("ev-gas")
        assert event is not None
        page_digest = dg.get_digest(store, event)  # what a page view computes
        assert page_digest.method == "coverage"
        assert worker.seen("ev-gas", page_digest) is True
        _until(lambda: not worker.pending("ev-gas"))
        upgraded = dg.load_cached(store, "ev-gas")
        assert upgraded is not None and upgraded.method == "embed" and embedder.calls == 1
        assert worker.seen("ev-gas", upgraded) is False  # already embedded: nothing queued
    finally:
        worker.stop()
        holder.stop()
        provider.close_all()


def test_missing_model_leaves_coverage_summaries(fixture_db: str) -> None:
    provider = StoreProvider(fixture_db)
    holder = CatalogHolder(provider, refresh_seconds=0)

    def no_model() -> FakeEmbedder:
        raise RuntimeError("no model here")

    worker = DigestWorker(provider, holder, {}, embed=True, embedder_factory=no_model)
    try:
        store = provider.get()
        event = store.get_event("ev-aid")
        assert event is not None
        worker.seen("ev-aid", dg.get_digest(store, event))
        _until(lambda: worker.disabled_reason is not None)
        assert "no model here" in (worker.disabled_reason or "")
        cached = dg.load_cached(store, "ev-aid")
        assert cached is not None and cached.method == "coverage"
    finally:
        worker.stop()
        holder.stop()
        provider.close_all()
