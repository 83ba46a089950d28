"""A snapshot of what the list pages need, built from the public ``Store`` methods.

The ``Store`` interface answers one record at a time; the storyline timelines, the filters and
the coverage counts need, for every event, how many articles it has in each language and
outlet, and, for every article, its event. The ``Catalog`` reads that once (articles,
events, storylines) into memory, so a page view costs a few dictionary lookups. A background
thread compares a cheap fingerprint of the store every ``refresh_seconds`` and swaps in a new
snapshot when it changed; an ingest from the browser refreshes it at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from newsloom.model import Event, Storyline
from newsloom.present.digest import outlet_name
from newsloom.store import Store, open_store

from .timeline import parse_day

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArticleMeta:
    """What list pages show of an article (no text)."""

    id: str
    title: str
    lang: str
    outlet: str
    date: str | None
    published: str | None
    url: str | None
    content_hash: str
    status: str


@dataclass
class EventMeta:
    """An event with the counts the timelines and filters use."""

    event: Event
    start: date | None
    end: date | None
    langs: list[tuple[str, int]]
    outlets: list[tuple[str, int]]
    label: str
    storyline_id: str | None

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def size(self) -> int:
        return len(self.event.article_ids)


@dataclass
class StorylineMeta:
    """A storyline with its live events in date order and derived counts."""

    storyline: Storyline
    event_ids: list[str]
    start: date | None
    end: date | None
    langs: list[tuple[str, int]]
    outlets: list[tuple[str, int]]
    articles: int

    @property
    def id(self) -> str:
        return self.storyline.id


@dataclass(frozen=True)
class Filters:
    """The filters every list page and search take; ``None`` means no restriction."""

    since: str | None = None
    until: str | None = None
    lang: str | None = None
    outlet: str | None = None
    entity: str | None = None  # an entity id

    def active(self) -> bool:
        return any((self.since, self.until, self.lang, self.outlet, self.entity))


@dataclass
class Catalog:
    """The in-memory snapshot."""

    articles: dict[str, ArticleMeta]
    events: dict[str, EventMeta]
    storylines: dict[str, StorylineMeta]
    storyline_order: list[str]  # the store's order: largest first
    article_event: dict[str, str]
    languages: list[tuple[str, int]]
    outlets: list[tuple[str, int]]
    fingerprint: tuple[object, ...]
    built_at: float = field(default_factory=time.time)
    build_ms: float = 0.0
    _entity_articles: dict[str, frozenset[str]] = field(default_factory=dict)
    _article_order: list[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- building ----------------------------------------------------------------------
    @classmethod
    def build(cls, store: Store) -> Catalog:
        started = time.perf_counter()
        articles: dict[str, ArticleMeta] = {}
        for a in store.iter_articles():
            articles[a.id] = ArticleMeta(
                a.id, a.title, a.lang or "unknown", outlet_name(a),
                (a.published or "")[:10] or None, a.published, a.url, a.content_hash, a.status,
            )
        events = store.list_events()
        storylines = store.list_storylines()
        catalog = cls.assemble(store, articles, events, storylines)
        catalog.build_ms = round((time.perf_counter() - started) * 1000, 1)
        return catalog

    @classmethod
    def assemble(
        cls, store: Store, articles: dict[str, ArticleMeta], events: list[Event], storylines: list[Storyline]
    ) -> Catalog:
        live: dict[str, Event] = {e.id: e for e in events}
        article_event: dict[str, str] = {}
        for event in events:
            for article_id in event.article_ids:
                article_event[article_id] = event.id
        event_storyline: dict[str, str] = {}
        members: dict[str, list[str]] = {}
        for storyline in storylines:
            ids: list[str] = []
            for event_id in storyline.event_ids:
                if event_id not in live:
                    resolved = store.get_event(event_id)  # merged away: follow the redirect
                    event_id = resolved.id if resolved is not None else ""
                if event_id in live and event_id not in ids:
                    ids.append(event_id)
                    event_storyline.setdefault(event_id, storyline.id)
            members[storyline.id] = ids
        for event in events:
            if event.storyline_id and event.storyline_id in members and event.id not in event_storyline:
                members[event.storyline_id].append(event.id)
                event_storyline[event.id] = event.storyline_id
        metas: dict[str, EventMeta] = {}
        for event in events:
            langs: Counter[str] = Counter()
            outlets: Counter[str] = Counter()
            days: list[str] = []
            for article_id in event.article_ids:
                meta = articles.get(article_id)
                if meta is None:
                    continue
                langs[meta.lang] += 1
                outlets[meta.outlet] += 1
                if meta.date:
                    days.append(meta.date)
            start = parse_day(event.first_date) or parse_day(min(days) if days else None)
            end = parse_day(event.last_date) or parse_day(max(days) if days else None)
            label = event.label.strip()
            if not label and event.article_ids and event.article_ids[0] in articles:
                label = articles[event.article_ids[0]].title
            metas[event.id] = EventMeta(
                event, start, end, _ranked(langs), _ranked(outlets), label or event.id,
                event_storyline.get(event.id, event.storyline_id),
            )
        story_metas: dict[str, StorylineMeta] = {}
        for storyline in storylines:
            ids = sorted(
                members[storyline.id],
                key=lambda i: (metas[i].start or date.max, i),
            )
            langs = Counter[str]()
            outlets = Counter[str]()
            for event_id in ids:
                langs.update(dict(metas[event_id].langs))
                outlets.update(dict(metas[event_id].outlets))
            starts = [metas[i].start for i in ids if metas[i].start]
            ends = [metas[i].end or metas[i].start for i in ids if metas[i].end or metas[i].start]
            story_metas[storyline.id] = StorylineMeta(
                storyline, ids,
                min(starts) if starts else parse_day(storyline.first_date),  # type: ignore[type-var]
                max(ends) if ends else parse_day(storyline.last_date),  # type: ignore[type-var]
                _ranked(langs), _ranked(outlets), sum(metas[i].size for i in ids),
            )
        languages = Counter(a.lang for a in articles.values())
        outlets_all = Counter(a.outlet for a in articles.values())
        return cls(
            articles=articles,
            events=metas,
            storylines=story_metas,
            storyline_order=[s.id for s in storylines],
            article_event=article_event,
            languages=_ranked(languages),
            outlets=_ranked(outlets_all),
            fingerprint=fingerprint(store, events, storylines),
        )

    # -- lookups -----------------------------------------------------------------------
    def member_info(self, article_id: str) -> tuple[str, str] | None:
        """(content hash, status) of an article, for the digest cache key."""
        meta = self.articles.get(article_id)
        return (meta.content_hash, meta.status) if meta else None

    def entity_articles(self, store: Store, entity_id: str) -> frozenset[str]:
        """Ids of the articles that mention an entity (cached for the snapshot's life)."""
        with self._lock:
            cached = self._entity_articles.get(entity_id)
        if cached is not None:
            return cached
        found = frozenset(store.entity_article_ids(entity_id))
        with self._lock:
            if len(self._entity_articles) > 2048:
                self._entity_articles.clear()
            self._entity_articles[entity_id] = found
        return found

    def entity_events(self, store: Store, entity_id: str) -> dict[str, int]:
        """Event id → how many of its articles mention the entity."""
        counts: Counter[str] = Counter()
        for article_id in self.entity_articles(store, entity_id):
            event_id = self.article_event.get(article_id)
            if event_id is not None and event_id in self.events:
                counts[event_id] += 1
        return dict(counts)

    def event_matches(self, meta: EventMeta, filters: Filters, entity_events: set[str] | None) -> bool:
        if filters.lang and filters.lang not in dict(meta.langs):
            return False
        if filters.outlet and filters.outlet not in dict(meta.outlets):
            return False
        if not _overlaps(meta.start, meta.end or meta.start, filters):
            return False
        return entity_events is None or meta.id in entity_events

    def filter_events(self, store: Store, filters: Filters, storyline_id: str | None = None) -> list[EventMeta]:
        """Live events matching ``filters`` (all of a storyline when ``storyline_id`` is given), oldest first."""
        entity_events = set(self.entity_events(store, filters.entity)) if filters.entity else None
        if storyline_id is not None:
            story = self.storylines.get(storyline_id)
            pool: Iterable[EventMeta] = [self.events[i] for i in story.event_ids] if story else []
        else:
            pool = self.events.values()
        found = [m for m in pool if self.event_matches(m, filters, entity_events)]
        found.sort(key=lambda m: (m.start or date.max, m.id))
        return found

    def filter_storylines(self, store: Store, filters: Filters) -> list[tuple[StorylineMeta, set[str]]]:
        """Storylines with at least one event matching ``filters``, each with its matching event ids."""
        entity_events = set(self.entity_events(store, filters.entity)) if filters.entity else None
        out: list[tuple[StorylineMeta, set[str]]] = []
        for storyline_id in self.storyline_order:
            story = self.storylines[storyline_id]
            matching = {
                i for i in story.event_ids if self.event_matches(self.events[i], filters, entity_events)
            }
            if matching or (not filters.active() and not story.event_ids):
                out.append((story, matching))
        return out

    def article_order(self) -> list[str]:
        """All article ids in the store's listing order: by publication date, undated last, then id."""
        with self._lock:
            if self._article_order is None:
                self._article_order = sorted(
                    self.articles, key=lambda i: (self.articles[i].date is None, self.articles[i].date or "", i)
                )
            return self._article_order

    def filter_article_ids(self, store: Store, filters: Filters) -> list[str]:
        """Ids of the articles matching ``filters``, in listing order."""
        pool: Iterable[str] = (
            self.entity_articles(store, filters.entity) if filters.entity else self.article_order()
        )
        if not filters.active():
            return list(pool)
        ids = []
        for article_id in pool:
            meta = self.articles.get(article_id)
            if meta is None:
                continue
            if filters.lang and meta.lang != filters.lang:
                continue
            if filters.outlet and meta.outlet != filters.outlet:
                continue
            if not _overlaps(parse_day(meta.date), parse_day(meta.date), filters):
                continue
            ids.append(article_id)
        if filters.entity:
            ids.sort(key=lambda i: (self.articles[i].date is None, self.articles[i].date or "", i))
        return ids


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _overlaps(start: date | None, end: date | None, filters: Filters) -> bool:
    if not filters.since and not filters.until:
        return True
    if start is None:
        return False
    since = parse_day(filters.since)
    until = parse_day(filters.until)
    if since and (end or start) < since:
        return False
    return not (until and start > until)


def fingerprint(store: Store, events: list[Event], storylines: list[Storyline]) -> tuple[object, ...]:
    """What changes when the store's articles, events or storylines change (cheap to compare)."""
    return (
        store.count_articles(),
        hash(tuple((e.id, tuple(e.article_ids), e.first_date, e.last_date, e.label) for e in events)),
        hash(tuple((s.id, tuple(s.event_ids), s.label) for s in storylines)),
    )


class StoreProvider:
    """One store connection per thread (SQLite connections are not for sharing between threads)."""

    def __init__(self, db: str, opener: Callable[[str], Store] = open_store) -> None:
        self.db = db
        self._opener = opener
        self._local = threading.local()
        self._all: list[tuple[threading.Thread, Store]] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._opener(self.db)
            self._local.store = store
            with self._lock:
                self._all.append((threading.current_thread(), store))
        return store

    def close_all(self) -> None:
        """Close the connections of finished threads and of this one.

        A connection is never closed under a thread that may still be using it (closing a
        SQLite connection during another thread's query crashes the process); those of live
        threads go when the process does.
        """
        me = threading.current_thread()
        with self._lock:
            closing = [(t, s) for t, s in self._all if t is me or not t.is_alive()]
            self._all = [(t, s) for t, s in self._all if not (t is me or not t.is_alive())]
        for thread, store in closing:
            try:
                store.close()
            except Exception:  # closing at shutdown: nothing left to do about it
                log.debug("closing the store of %s failed", thread.name, exc_info=True)
        if me is not None:
            self._local.store = None


class CatalogHolder:
    """The current catalog, refreshed in the background when the store changes."""

    def __init__(
        self,
        provider: StoreProvider,
        refresh_seconds: float = 10.0,
        full_every: float = 300.0,
        on_change: Callable[[Catalog], None] | None = None,
    ) -> None:
        self._provider = provider
        self.on_change = on_change
        self.refresh_seconds = refresh_seconds
        self.full_every = full_every
        self._catalog: Catalog | None = None
        self._build_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self) -> Catalog:
        catalog = self._catalog
        if catalog is None:
            with self._build_lock:
                if self._catalog is None:
                    self._catalog = Catalog.build(self._provider.get())
                    log.info("catalog built in %.0f ms", self._catalog.build_ms)
                    self._changed(self._catalog)
                catalog = self._catalog
            self._start()
        return catalog

    def _changed(self, catalog: Catalog) -> None:
        if self.on_change is not None:
            try:
                self.on_change(catalog)
            except Exception:
                log.exception("catalog change hook failed")

    def _start(self) -> None:
        if self._thread is None and self.refresh_seconds > 0:
            self._thread = threading.Thread(target=self._loop, name="newsloom-catalog", daemon=True)
            self._thread.start()

    def invalidate(self) -> None:
        """Ask the background thread to look for changes now."""
        self._wake.set()

    def refresh(self, store: Store | None = None, *, full: bool = False) -> bool:
        """Rebuild now (in the calling thread) when the store changed; True when it did."""
        store = store or self._provider.get()
        with self._build_lock:
            current = self._catalog
            if current is None or full or time.time() - current.built_at > self.full_every:
                self._catalog = Catalog.build(store)
            else:
                events = store.list_events()
                storylines = store.list_storylines()
                print_ = fingerprint(store, events, storylines)
                if print_ == current.fingerprint:
                    return False
                if print_[0] != current.fingerprint[0]:
                    self._catalog = Catalog.build(store)
                else:  # same articles: keep their metadata, re-read events and storylines only
                    self._catalog = Catalog.assemble(store, current.articles, events, storylines)
            log.info("catalog refreshed")
            catalog = self._catalog
        self._changed(catalog)
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.refresh_seconds)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.refresh()
            except Exception:
                log.exception("refreshing the catalog failed")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
