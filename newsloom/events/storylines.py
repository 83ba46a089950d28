"""Storylines: events linked into one topic over weeks and months.

``StorylineLinker.update(clusterer)`` brings the storylines up to date with an
``EventClusterer``: each event not yet linked (or grown to twice the size it had when it was
last linked) is scored against candidate storylines with the fitted storyline scorer, a
looser logistic function over the same ``pair_features`` as events (centroid similarity,
shared rare entities, lexical overlap, a time gap allowed to reach months); it joins the best
one at or above ``storyline_threshold`` or starts a new storyline. Candidates come from an
HNSW index over event centroids and from an inverted index of each storyline's rarest
entities: never from a scan of all storylines. Storyline ids are stable; merged events drop
out and their survivor carries the link.

Each storyline has its events in date order, a label made from its content (its key entities
and the most distinctive words of its headlines in one language, ``params.label_language`` when
its articles offer it, none spelling an entity), its key entities, languages and outlets.

**Bounded memory.** When the clusterer retires an event (see ``EventClusterer.retiring``), the
linker *freezes* it into its storyline: what the storyline needs of it (its profile, date span,
languages, outlets, article count and headline words) is folded into the storyline's frozen
part and the event itself is forgotten. A storyline holding frozen events stays findable
through a small HNSW index of storyline centroids. A storyline with no active event and no
activity for ``STORY_RETIRE_DAYS`` of stream time retires: it leaves every candidate index and
memory (its record is in the store). ``changed_storylines`` and ``commit()`` let the caller
write only what changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsloom.enrich.keyphrases import is_filler
from newsloom.events.cluster import EventClusterer, _key_of
from newsloom.events.features import (
    FloatArray,
    Profile,
    aggregate_state,
    merge_weights,
    normalise_token,
    pair_features,
    term_bucket,
)
from newsloom.events.scoring import Params, load_params

#: Storylines keep at most this many event centroids for ``cos_max``.
EVENT_SAMPLE = 32
#: An entity whose document frequency is at most this share of the stream feeds the inverted index.
RARE_SHARE = 0.02
#: A storyline with no active event and no activity for this many days of stream time retires.
STORY_RETIRE_DAYS = 365
#: Characters two words share at their start to be taken for one name in two languages or
#: inflections (Dresden, Dresde, Dresda, Dresdner).
NAME_STEM = 5
#: The key entities whose names in every language a label's words are checked against.
SPELLED_ENTITIES = 24
#: Headline words kept per storyline for the events it froze (the label's distinctive words).
FROZEN_WORDS = 64
#: Centroids of its most recent frozen events a storyline keeps (for ``cos_max``).
FROZEN_CENTROIDS = 8


@dataclass
class _Story:
    key: int
    events: list[str] = field(default_factory=list)
    csum: FloatArray | None = None
    centroids: list[FloatArray] = field(default_factory=list)
    entities: dict[str, float] = field(default_factory=dict)
    terms: dict[int, float] = field(default_factory=dict)
    first: dt.date | None = None
    last: dt.date | None = None
    quotes: set[str] = field(default_factory=set)
    # the frozen part: events retired from the clusterer, folded in (see the module docstring)
    base: _Story | None = None  # their profile aggregate (csum, centroids, entities, terms, dates, quotes)
    frozen: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)  # (id, first, last)
    f_langs: Counter[str] = field(default_factory=Counter)
    f_outlets: Counter[str] = field(default_factory=Counter)
    f_count: int = 0
    f_words: Counter[str] = field(default_factory=Counter)
    touched: dt.date | None = None  # stream time of the last change


@dataclass(frozen=True)
class StorylineSummary:
    """One storyline: its events in date order and what it is about."""

    id: str
    event_ids: list[str]
    label: str
    key_entities: list[str]
    languages: dict[str, int]
    outlets: dict[str, int]
    first_date: dt.date | None
    last_date: dt.date | None
    article_count: int


def storyline_id(key: int) -> str:
    """The public id of storyline number ``key``."""
    return f"st{key:06d}"


class StorylineLinker:
    """Incremental linking of events into storylines (see module docstring)."""

    def __init__(self, params: Params | None = None, dim: int = 384) -> None:
        self.params = params or load_params()
        self.dim = dim
        self._stories: dict[int, _Story] = {}
        self._next = 1
        self._event_story: dict[str, int] = {}
        self._linked_size: dict[str, int] = {}
        self._rare: dict[str, set[int]] = {}
        self.last_candidates = 0
        self._story_ann = _new_story_index(dim)  # centroids of storylines holding frozen events
        self._now: dt.date | None = None
        self._swept: dt.date | None = None
        self._changed: set[int] = set()  # storylines whose record changed since commit()
        self._changed_event_story: set[str] = set()  # events whose storyline changed since commit()
        self._frozen_story: dict[str, int] = {}  # events frozen since commit() → their storyline
        self._dropped: set[int] = set()  # storylines left with no event since commit(): to delete
        self._redirected: dict[int, int] = {}  # of those, the ones whose events went to another storyline
        # storyline → the event whose leaving may empty it in this update (where it went: at the end)
        self._dropped_via: dict[int, str] = {}

    # ------------------------------------------------------------------ public API
    @property
    def ids(self) -> list[str]:
        """Live storyline ids, oldest first."""
        return [storyline_id(k) for k in sorted(self._stories)]

    def storyline_of(self, event: str) -> str:
        """The storyline an event belongs to."""
        return storyline_id(self._event_story[event])

    def assignments(self) -> dict[str, str]:
        """Every linked event id → storyline id."""
        return {e: storyline_id(k) for e, k in self._event_story.items()}

    def update(self, clusterer: EventClusterer) -> dict[str, str]:
        """Link new (or much grown, or re-placed: ``EventClusterer.relinks``) events of
        ``clusterer``, freeze its retiring events into their storylines and retire idle
        storylines; returns event id → storyline id (active events only)."""
        self._now = clusterer.now
        retiring = clusterer.retiring()
        live = clusterer.ids + retiring
        live_set = set(live)
        gone = [e for e in self._event_story if e not in live_set]
        touched: set[int] = set()
        for e in gone:  # merged into another event, or emptied
            key = self._event_story.pop(e)
            touched.add(key)
            self._dropped_via[key] = e
            self._linked_size.pop(e, None)
        for k in touched:
            if k in self._stories:
                self._rebuild(self._stories[k], clusterer)
        relink = set(clusterer.relinks())  # their articles changed (placed again): link them again
        reopened = clusterer.reopened()  # retired events a late article may have joined: still frozen here
        todo = []
        for e in live:
            if e in reopened:
                continue
            n = clusterer.size(e)
            if e not in self._event_story or n >= 2 * self._linked_size.get(e, n + 1) or e in relink:
                todo.append(e)
        todo.sort(key=lambda e: (clusterer.date_span(e)[0] or dt.date.min, _key_of(e)))
        for e in todo:
            self._link(e, clusterer)
        changed = set(clusterer.changed_events())
        frozen_in = {e: k for k, s in self._stories.items() for e, _, _ in s.frozen} if reopened else {}
        for e in reopened:
            if e not in live_set and frozen_in.get(e) in self._stories:  # emptied: its article changed and left
                story = self._stories[frozen_in[e]]
                story.frozen = [f for f in story.frozen if f[0] != e]
                _recount(story, (0, {}, {}), reopened[e])
                self._changed.add(story.key)
                if not story.events and not story.frozen:
                    self._dropped_via[story.key] = e
                    self._drop(story.key)
        for e in retiring:
            if e in reopened:
                if e in changed:
                    self._refreeze(e, clusterer, frozen_in.get(e), reopened[e])
            else:
                self._freeze(e, clusterer, e in changed)
        self._sweep()
        self._redirect_dropped(clusterer)
        return self.assignments()

    def _redirect_dropped(self, clusterer: EventClusterer) -> None:
        """Point each storyline dropped in this update at the storyline its last event went to
        (the event it merged into, or its articles' new event), when there is one."""
        for key, e in self._dropped_via.items():
            if key not in self._dropped or key in self._redirected:
                continue
            moved_to = clusterer.resolve(e)
            target = self._event_story.get(moved_to, self._frozen_story.get(moved_to))
            if target is not None and target != key:
                self._redirected[key] = target
        self._dropped_via.clear()

    def _freeze(self, e: str, clusterer: EventClusterer, changed: bool) -> None:
        """Fold retiring event ``e`` into its storyline's frozen part and forget it."""
        key = self._event_story.pop(e)
        self._linked_size.pop(e, None)
        self._frozen_story[e] = key
        s = self._stories[key]
        s.events.remove(e)
        if s.base is None:
            s.base = _Story(key)
        self._add_profile(s.base, clusterer.profile(e), clusterer)
        s.base.centroids = s.base.centroids[-FROZEN_CENTROIDS:]
        summ = clusterer.summary(e)
        s.frozen.append((e, summ.first_date, summ.last_date))
        s.f_langs.update(summ.languages)
        s.f_outlets.update(summ.outlets)
        s.f_count += len(summ.article_ids)
        for lang in summ.languages:  # kept by language: a label's words are of one language
            s.f_words.update({f"{lang}:{w}": n for w, n in _headline_words(clusterer.headlines(e, lang=lang)).items()})
        if len(s.f_words) > 2 * FROZEN_WORDS:
            s.f_words = Counter(dict(s.f_words.most_common(FROZEN_WORDS)))
        s.touched = self._now
        if changed:
            self._changed.add(key)
        if key in self._story_ann:
            self._story_ann.remove(key)
        prof = self._story_profile(s)
        if float(np.linalg.norm(prof.centroid)) > 0:
            self._story_ann.add(key, prof.centroid, threads=1)

    def _refreeze(self, e: str, clusterer: EventClusterer, key: int | None,
                  before: tuple[int, Counter[str], Counter[str]]) -> None:
        """Count what late articles added to frozen event ``e`` (reopened, joined, retiring again)."""
        if key is None or key not in self._stories:
            return  # cannot happen while ARCHIVE_DAYS <= STORY_RETIRE_DAYS: the storyline is held
        s = self._stories[key]
        summ = clusterer.summary(e)
        s.frozen = [(x, summ.first_date, summ.last_date) if x == e else (x, a, z) for x, a, z in s.frozen]
        _recount(s, (len(summ.article_ids), summ.languages, summ.outlets), before)
        if s.base is not None:
            s.base.first = min(d for d in (s.base.first, summ.first_date) if d is not None)
            s.base.last = max(d for d in (s.base.last, summ.last_date) if d is not None)
        s.touched = self._now
        self._frozen_story[e] = key
        self._changed.add(key)

    def _sweep(self) -> None:
        """Retire storylines with no active event, idle for ``STORY_RETIRE_DAYS`` (once per stream day)."""
        if self._now is None or self._now == self._swept:
            return
        self._swept = self._now
        cutoff = self._now - dt.timedelta(days=STORY_RETIRE_DAYS)
        gone = []
        for key, s in self._stories.items():
            if s.events or key in self._changed:
                continue
            last = max((d for _, _, d in s.frozen if d is not None), default=None) or s.touched
            if last is not None and last < cutoff:
                gone.append(key)
        for key in gone:
            del self._stories[key]
            if key in self._story_ann:
                self._story_ann.remove(key)
        if gone:
            for ent in list(self._rare):
                keys = {k for k in self._rare[ent] if k in self._stories}
                if keys:
                    self._rare[ent] = keys
                else:
                    del self._rare[ent]

    def changed_storylines(self, changed_events: set[str] | list[str]) -> list[str]:
        """Ids of storylines whose record changed since ``commit()``, given the events that did."""
        keys = set(self._changed)
        keys.update(self._event_story[e] for e in changed_events if e in self._event_story)
        return [storyline_id(k) for k in sorted(keys) if k in self._stories]

    def dropped_storylines(self) -> list[str]:
        """Storylines left with no event since ``commit()`` (their events merged away or were
        emptied) and with nowhere to redirect to: their records are to be deleted."""
        return [storyline_id(k) for k in sorted(self._dropped) if self._redirect_target(k) is None]

    def storyline_redirects(self) -> dict[str, str]:
        """Storylines left with no event since ``commit()`` whose events went to a live storyline:
        old id → that storyline's id (their records become redirects, so links keep working)."""
        out = {}
        for key in sorted(self._dropped):
            target = self._redirect_target(key)
            if target is not None:
                out[storyline_id(key)] = storyline_id(target)
        return out

    def _redirect_target(self, key: int) -> int | None:
        seen = {key}
        while key in self._redirected and self._redirected[key] not in seen:  # it may have been dropped in turn
            key = self._redirected[key]
            seen.add(key)
        return key if key in self._stories else None

    def changed_event_links(self) -> list[str]:
        """Events whose storyline changed since ``commit()`` (their records name it)."""
        return sorted(self._changed_event_story)

    def commit(self) -> None:
        """The changes were written: forget them."""
        self._changed.clear()
        self._changed_event_story.clear()
        self._frozen_story.clear()
        self._dropped.clear()
        self._redirected.clear()

    def frozen_storyline_of(self, event: str) -> str | None:
        """The storyline of an event frozen since ``commit()`` (None for any other event)."""
        key = self._frozen_story.get(event)
        return None if key is None else storyline_id(key)

    def span(self, sid: str, clusterer: EventClusterer) -> tuple[dt.date | None, dt.date | None]:
        """First and last member date over a storyline's events (active and frozen)."""
        s = self._stories[int(sid[2:])]
        firsts = [d for _, d, _ in s.frozen if d is not None]
        lasts = [d for _, _, d in s.frozen if d is not None]
        for e in s.events:
            a, b = clusterer.date_span(e)
            if a is not None:
                firsts.append(a)
            if b is not None:
                lasts.append(b)
        return min(firsts, default=None), max(lasts, default=None)

    def link_labelled(self, clusterer: EventClusterer, labels: Mapping[str, str]) -> list[tuple[list[float], int]]:
        """For fitting only: link events by the given storyline labels, returning pair features.

        Events are taken in date order; each yields one row per candidate storyline (and for
        its labelled storyline when not a candidate), 1 when it is the labelled one.
        """
        rows: list[tuple[list[float], int]] = []
        by_label: dict[str, int] = {}
        events = sorted(clusterer.ids, key=lambda e: (clusterer.date_span(e)[0] or dt.date.min, _key_of(e)))
        for e in events:
            prof = clusterer.profile(e)
            target = by_label.get(labels[e])
            cands = self._candidates(prof, clusterer, e)
            if target is not None and target not in cands:
                cands.append(target)
            for k in cands:
                rows.append((pair_features(prof, self._story_profile(self._stories[k]), clusterer.stats),
                             int(k == target)))
            if target is None:
                target = self._next
                self._next += 1
                self._stories[target] = _Story(target)
                by_label[labels[e]] = target
            s = self._stories[target]
            s.events.append(e)
            self._event_story[e] = target
            self._linked_size[e] = len(clusterer.members(e))
            self._add_profile(s, prof, clusterer)
        return rows

    def storylines(
        self, clusterer: EventClusterer, max_label_entities: int = 3, names: Mapping[str, str] | None = None,
        spellings: Callable[[str], Iterable[str]] | None = None,
    ) -> list[StorylineSummary]:
        """Every storyline with its events in date order, label, key entities, languages, outlets."""
        return self.storyline_summaries(clusterer, sorted(self._stories), max_label_entities, names, spellings)

    def storyline_summaries(
        self, clusterer: EventClusterer, keys: list[int], max_label_entities: int = 3,
        names: Mapping[str, str] | None = None, spellings: Callable[[str], Iterable[str]] | None = None,
    ) -> list[StorylineSummary]:
        """``storylines()`` for the storylines numbered ``keys`` only."""
        out = []
        for key in keys:
            s = self._stories[key]
            dated = [(clusterer.date_span(e)[0], e) for e in s.events] + [(d, e) for e, d, _ in s.frozen]
            events = [e for _, e in sorted(dated, key=lambda de: (de[0] or dt.date.min, de[1]))]
            langs: Counter[str] = Counter(s.f_langs)
            outlets: Counter[str] = Counter(s.f_outlets)
            count = s.f_count
            for e in s.events:
                summ = clusterer.summary(e)
                langs.update(summ.languages)
                outlets.update(summ.outlets)
                count += len(summ.article_ids)
            ents = self.key_entities(key, clusterer)
            out.append(StorylineSummary(
                id=storyline_id(key),
                event_ids=events,
                label=self.label(key, clusterer, max_label_entities, names, spellings),
                key_entities=ents,
                languages=dict(langs),
                outlets=dict(outlets),
                first_date=s.first,
                last_date=s.last,
                article_count=count,
            ))
        return out

    def key_entities(self, key: int, clusterer: EventClusterer, k: int = 8) -> list[str]:
        """A storyline's entities by mention weight × IDF, heaviest first."""
        s = self._stories[key]
        w = {e: v * clusterer.stats.entity_idf(e) for e, v in s.entities.items()}
        return [e for e, _ in sorted(w.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]

    def label(
        self, key: int, clusterer: EventClusterer, max_entities: int = 3, names: Mapping[str, str] | None = None,
        spellings: Callable[[str], Iterable[str]] | None = None,
    ) -> str:
        """Top key entities (by name when ``names`` maps their ids), then distinctive headline
        words that do not spell one of the storyline's entities in some language (``spellings``:
        an entity id's names in every language, when known)."""
        s = self._stories[key]
        ents = [(names or {}).get(e) or e.title() for e in self.key_entities(key, clusterer, max_entities)]
        lang = self._label_language(key, clusterer)
        words: Counter[str] = Counter()
        for tagged, n in s.f_words.items():
            word_lang, _, word = tagged.rpartition(":")  # no language: saved before words had one
            if word_lang in ("", lang):
                words[word] += n
        for e in s.events:
            words.update(_headline_words(clusterer.headlines(e, lang=lang)))
        named = {normalise_token(w) for e in ents for w in re.findall(r"\w+", e)}
        named |= {t for e in s.entities for t in re.findall(r"\w+", e.split(":", 1)[-1])}
        if spellings is not None:
            for e in self.key_entities(key, clusterer, SPELLED_ENTITIES):
                named |= {normalise_token(w) for form in spellings(e) for w in re.findall(r"\w+", form)}
        stems = {t[:NAME_STEM] for t in named if len(t) >= NAME_STEM}

        def is_name(word: str) -> bool:  # "dresde" beside "Dresden", "danubio" beside the Danube
            t = normalise_token(word)
            return t in named or (len(t) >= NAME_STEM and t[:NAME_STEM] in stems)

        scored = sorted(
            ((c * float(clusterer.stats.lex_idf(np.array([term_bucket(normalise_token(w))]))[0]), w)
             for w, c in words.items() if not is_name(w) and not is_filler(w, lang)),
            reverse=True,
        )
        parts = ents + [w for _, w in scored[:3]]
        return " · ".join(parts) if parts else storyline_id(key)

    def _label_language(self, key: int, clusterer: EventClusterer) -> str:
        """The language a label's words are taken from: ``params.label_language`` (English, as
        the interface and entity names) when any headline is in it, else the storyline's commonest."""
        s = self._stories[key]
        preferred = self.params.label_language
        langs: Counter[str] = Counter(s.f_langs)
        for e in s.events:
            langs.update(clusterer.languages(e))
        if preferred in langs or not langs:
            return preferred
        return max(sorted(langs), key=lambda lang: langs[lang])

    # ------------------------------------------------------------------ linking
    def _story_profile(self, s: _Story) -> Profile:
        c = s.csum if s.csum is not None else np.zeros(self.dim, dtype=np.float32)
        n = float(np.linalg.norm(c))
        return Profile(
            centroid=(c / n).astype(np.float32) if n > 0 else c.astype(np.float32),
            members=np.vstack(s.centroids[-EVENT_SAMPLE:]) if s.centroids else np.zeros((0, self.dim), np.float32),
            size=len(s.events),
            entities=s.entities,
            terms=s.terms,
            first=s.first,
            last=s.last,
            quotes=s.quotes,
        )

    def _candidates(self, prof: Profile, clusterer: EventClusterer, exclude: str) -> list[int]:
        found: dict[int, None] = {}
        for e in clusterer.nearest_events(prof.centroid, self.params.k_centroids * 2):
            if e != exclude and e in self._event_story:
                found.setdefault(self._event_story[e], None)
        if len(self._story_ann):  # storylines whose events retired from the clusterer's indexes
            m = self._story_ann.search(prof.centroid, self.params.k_centroids, threads=1)
            for k in np.asarray(m.keys).tolist():
                found.setdefault(int(k), None)
        n_docs = max(clusterer.stats.n_docs, 1)
        rare = sorted(prof.entities, key=lambda x: clusterer.stats.entity_df.get(x, 0))[:5]
        for ent in rare:
            if clusterer.stats.entity_df.get(ent, 0) <= max(RARE_SHARE * n_docs, 3):
                for k in sorted(self._rare.get(ent, ()))[:20]:
                    found.setdefault(k, None)
        return [k for k in found if k in self._stories and (self._stories[k].events or self._stories[k].frozen)]

    def _link(self, e: str, clusterer: EventClusterer) -> None:
        prof = clusterer.profile(e)
        old = self._event_story.pop(e, None)
        if old is not None and old in self._stories:
            # kept even when ``e`` was its only event: if ``e`` goes nowhere better, it stays there
            self._rebuild(self._stories[old], clusterer, keep_empty=True)
        cands = self._candidates(prof, clusterer, e)
        self.last_candidates = len(cands)
        best, best_p = None, -1.0
        if cands:
            feats = np.array([pair_features(prof, self._story_profile(self._stories[k]), clusterer.stats)
                              for k in cands])
            probs = self.params.storyline.probs(feats)
            j = int(np.argmax(probs))
            best, best_p = cands[j], float(probs[j])
        if best is None or best_p < self.params.storyline_threshold:
            best = old if old is not None and old in self._stories and not self._stories[old].events else None
            if best is None:
                best = self._next
                self._next += 1
                self._stories[best] = _Story(best)
        s = self._stories[best]
        s.events.append(e)
        self._event_story[e] = best
        self._linked_size[e] = clusterer.size(e)
        self._add_profile(s, prof, clusterer)
        s.touched = self._now
        self._changed.add(best)
        if old is not None:
            self._changed.add(old)
        if old != best:
            self._changed_event_story.add(e)
            if old is not None and old in self._stories and not self._stories[old].events \
                    and not self._stories[old].frozen:
                self._drop(old)
                self._dropped_via[old] = e  # its only event went to another storyline

    def _add_profile(self, s: _Story, prof: Profile, clusterer: EventClusterer) -> None:
        s.csum = prof.centroid.copy() if s.csum is None else s.csum + prof.centroid
        s.centroids.append(prof.centroid)
        if len(s.centroids) > EVENT_SAMPLE:  # only the last EVENT_SAMPLE are ever read
            del s.centroids[:-EVENT_SAMPLE]
        merge_weights(s.entities, prof.entities)
        merge_weights(s.terms, prof.terms)
        if prof.first is not None:
            s.first = prof.first if s.first is None or prof.first < s.first else s.first
        if prof.last is not None:
            s.last = prof.last if s.last is None or prof.last > s.last else s.last
        s.quotes |= prof.quotes
        n_docs = max(clusterer.stats.n_docs, 1)
        for ent in prof.entities:
            if clusterer.stats.entity_df.get(ent, 0) <= max(RARE_SHARE * n_docs, 3):
                self._rare.setdefault(ent, set()).add(s.key)

    def _drop(self, key: int) -> None:
        """Forget storyline ``key``, left with no event; its record is deleted at the next write."""
        del self._stories[key]
        if key in self._story_ann:
            self._story_ann.remove(key)
        self._changed.discard(key)
        self._dropped.add(key)

    def _rebuild(self, s: _Story, clusterer: EventClusterer, keep_empty: bool = False) -> None:
        events = [e for e in s.events if e in self._event_story and self._event_story[e] == s.key]
        s.events, s.csum, s.centroids = [], None, []
        s.entities, s.terms, s.first, s.last, s.quotes = {}, {}, None, None, set()
        b = s.base
        if b is not None:  # the frozen part, then the active events
            s.csum = None if b.csum is None else b.csum.copy()
            s.centroids = list(b.centroids)
            s.entities, s.terms, s.quotes = dict(b.entities), dict(b.terms), set(b.quotes)
            s.first, s.last = b.first, b.last
        for e in events:
            s.events.append(e)
            self._add_profile(s, clusterer.profile(e), clusterer)
        self._changed.add(s.key)
        if not s.events and not s.frozen and not keep_empty:
            self._drop(s.key)

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """Plain data: which event is in which storyline and the frozen parts (active events'
        profiles are rebuilt on restore)."""
        return dict(self.snapshot_parts())

    def snapshot_parts(self) -> Iterator[tuple[str, Any]]:
        """The state of ``snapshot()`` as ``(name, value)`` pairs, each built when it is asked for
        (for a streamed save, which holds one part at a time)."""
        yield "next", self._next
        yield "stories", {str(k): list(s.events) for k, s in self._stories.items()}
        yield "linked_size", dict(self._linked_size)
        yield "frozen", self._frozen_state()
        yield "now", self._now.isoformat() if self._now else None
        yield "swept", self._swept.isoformat() if self._swept else None
        yield "changed", sorted(self._changed)
        yield "changed_event_story", sorted(self._changed_event_story)
        yield "dropped", sorted(self._dropped)
        yield "redirected", {str(k): v for k, v in sorted(self._redirected.items())}

    def _frozen_state(self) -> dict[str, Any]:
        frozen = {}
        for k, s in self._stories.items():
            if s.base is None:
                continue
            b = s.base
            frozen[str(k)] = {
                "events": [[e, a.isoformat() if a else None, z.isoformat() if z else None] for e, a, z in s.frozen],
                "csum": None if b.csum is None else np.asarray(b.csum, dtype=np.float32),
                "centroids": np.vstack(b.centroids).astype(np.float32) if b.centroids
                else np.zeros((0, self.dim), np.float32),
                **aggregate_state(b.entities, b.terms, b.first, b.last, b.quotes),
                "langs": dict(s.f_langs),
                "outlets": dict(s.f_outlets),
                "count": s.f_count,
                "words": dict(s.f_words),
                "touched": s.touched.isoformat() if s.touched else None,
            }
        return frozen

    @classmethod
    def restore(cls, state: Mapping[str, Any], clusterer: EventClusterer,
                params: Params | None = None) -> StorylineLinker:
        """Rebuild a linker from ``snapshot()`` and the clusterer it was linking."""
        linker = cls(params or clusterer.params, clusterer.dim)
        linker._next = int(state["next"])
        day = dt.date.fromisoformat
        frozen = dict(state.get("frozen") or {})
        for k, events in dict(state["stories"]).items():
            s = _Story(int(k))
            linker._stories[s.key] = s
            for e in events:
                linker._event_story[e] = s.key
            s.events = list(events)
            f = frozen.get(str(k))
            if f is not None:
                b = _Story(s.key)
                b.csum = None if f["csum"] is None else np.asarray(f["csum"], dtype=np.float32).copy()
                b.centroids = [np.asarray(r, dtype=np.float32).copy() for r in np.asarray(f["centroids"])]
                b.entities = {str(x): float(v) for x, v in f["entities"].items()}
                b.terms = dict(zip(np.asarray(f["term_idx"]).tolist(), np.asarray(f["term_val"]).astype(float).tolist(),
                                   strict=True))
                b.first = day(f["first"]) if f["first"] else None
                b.last = day(f["last"]) if f["last"] else None
                b.quotes = set(f["quotes"])
                s.base = b
                s.frozen = [(str(e), day(a) if a else None, day(z) if z else None) for e, a, z in f["events"]]
                s.f_langs = Counter({str(x): int(v) for x, v in f["langs"].items()})
                s.f_outlets = Counter({str(x): int(v) for x, v in f["outlets"].items()})
                s.f_count = int(f["count"])
                s.f_words = Counter({str(x): int(v) for x, v in f["words"].items()})
                s.touched = day(f["touched"]) if f["touched"] else None
            linker._rebuild(s, clusterer)
        for key, s in linker._stories.items():
            if s.base is not None:
                prof = linker._story_profile(s)
                if float(np.linalg.norm(prof.centroid)) > 0:
                    linker._story_ann.add(key, prof.centroid, threads=1)
        linker._linked_size = {str(k): int(v) for k, v in dict(state["linked_size"]).items()}
        linker._now = day(state["now"]) if state.get("now") else clusterer.now
        linker._swept = day(state["swept"]) if state.get("swept") else None
        linker._changed = {int(k) for k in state.get("changed", [])}
        linker._changed_event_story = {str(e) for e in state.get("changed_event_story", [])}
        linker._dropped |= {int(k) for k in state.get("dropped", [])}
        linker._redirected = {int(k): int(v) for k, v in dict(state.get("redirected") or {}).items()}
        return linker


def _recount(s: _Story, now: tuple[int, Mapping[str, int], Mapping[str, int]],
             then: tuple[int, Mapping[str, int], Mapping[str, int]]) -> None:
    """Replace what one frozen event counted in ``s`` (articles, languages, outlets: ``then``) by ``now``."""
    s.f_count += now[0] - then[0]
    for counts, add, take in ((s.f_langs, now[1], then[1]), (s.f_outlets, now[2], then[2])):
        counts.update(add)
        counts.subtract(take)
        for name in [name for name, n in counts.items() if n <= 0]:
            del counts[name]


def _new_story_index(dim: int) -> Any:
    from usearch.index import Index

    return Index(ndim=dim, metric="ip", dtype="f32", connectivity=16, expansion_add=64, expansion_search=64)


def _headline_words(headlines: list[str]) -> Counter[str]:
    """Words of four letters or more, lowercased with their accents kept (a label is read), each
    counted once per headline (the label's vocabulary)."""
    words: Counter[str] = Counter()
    for h in headlines:
        seen = set()
        for tok in re.findall(r"\w{4,}", h):
            t = tok.lower()
            if t not in seen and not t.isdigit():
                seen.add(t)
                words[t] += 1
    return words
