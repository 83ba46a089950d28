"""The in-memory catalog: what it derives, its filters, and noticing store changes."""

from __future__ import annotations

import threading

from newsloom.model import ArticleLink, Event, Storyline
from newsloom.present.web.catalog import Catalog, CatalogHolder, Filters, StoreProvider
from newsloom.store import Store


def test_catalog_derives_counts_and_membership(fixture_store: Store) -> None:
    catalog = Catalog.build(fixture_store)
    assert len(catalog.articles) == 19 and len(catalog.events) == 6 and set(catalog.storylines) == {"s-danube", "s-gas"}
    assert "ev-gas-old" not in catalog.events  # merged away
    flood = catalog.events["ev-flood"]
    assert flood.langs == [("ro", 2), ("de", 1), ("en", 1)] and flood.size == 4
    assert str(flood.start) == "2024-06-10" and str(flood.end) == "2024-06-11"
    assert catalog.storylines["s-danube"].event_ids == ["ev-flood", "ev-aid", "ev-xss"]
    assert catalog.article_event["fr-aid-1"] == "ev-aid"
    assert catalog.member_info("en-flood-1") == ("hash-en-flood-1", "enriched")
    assert catalog.languages[0] == ("en", 7)


def test_filters(fixture_store: Store) -> None:
    catalog = Catalog.build(fixture_store)
    ids = lambda f: [s.id for s, _ in catalog.filter_storylines(fixture_store, f)]  # noqa: E731
    assert ids(Filters()) == ["s-danube", "s-gas"]
    assert ids(Filters(lang="uk")) == ["s-gas"]
    assert ids(Filters(entity="e-popescu")) == ["s-danube"]
    matching = dict((s.id, m) for s, m in catalog.filter_storylines(fixture_store, Filters(lang="fr")))
    assert matching == {"s-danube": {"ev-aid"}}
    assert [m.id for m in catalog.filter_events(fixture_store, Filters(since="2024-06-13", until="2024-06-14"))] == [
        "ev-heat", "ev-aid"]
    everything = catalog.filter_article_ids(fixture_store, Filters())
    assert everything == [a.id for a in fixture_store.iter_articles()]  # the store's own order
    assert catalog.filter_article_ids(fixture_store, Filters(lang="el", since="2024-06-14")) == ["el-prices-1"]
    assert catalog.filter_article_ids(fixture_store, Filters(entity="e-kyiv", lang="pl")) == ["pl-gas-1"]
    assert catalog.entity_events(fixture_store, "e-galati") == {"ev-flood": 4, "ev-aid": 3, "ev-xss": 1}


def test_holder_notices_new_clustering(fixture_db: str) -> None:
    provider = StoreProvider(fixture_db)
    changes: list[int] = []
    holder = CatalogHolder(provider, refresh_seconds=0, on_change=lambda c: changes.append(len(c.events)))
    first = holder.get()
    assert changes == [6]
    store = provider.get()
    assert holder.refresh(store) is False  # nothing changed
    store.put_clustering(
        [Event("ev-loose", ["de-loose-1", "en-loose-1"], label="Cleaning up in Galați", storyline_id="s-danube")],
        [Storyline("s-danube", ["ev-flood", "ev-aid", "ev-xss", "ev-loose"], "Floods along the Danube")],
        [ArticleLink("de-loose-1", "ev-loose"), ArticleLink("en-loose-1", "ev-loose")],
    )
    assert holder.refresh(store) is True
    second = holder.get()
    assert second is not first and "ev-loose" in second.events
    assert second.storylines["s-danube"].event_ids[-1] == "ev-loose"
    assert second.articles is first.articles  # same articles: their metadata was kept
    assert changes == [6, 7]
    holder.stop()
    provider.close_all()


def test_provider_gives_each_thread_its_own_connection(fixture_db: str) -> None:
    provider = StoreProvider(fixture_db)
    mine = provider.get()
    assert provider.get() is mine
    seen: list[Store] = []
    thread = threading.Thread(target=lambda: seen.append(provider.get()))
    thread.start()
    thread.join()
    assert seen[0] is not mine
    provider.close_all()  # the finished thread's connection and this one's
