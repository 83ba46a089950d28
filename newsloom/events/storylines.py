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
and the most distinctive words of its headlines), its key entities, languages and outlets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsloom.events.cluster import EventClusterer, _key_of
from newsloom.events.features import FloatArray, Profile, merge_weights, normalise_token, pair_features, term_bucket
from newsloom.events.scoring import Params, load_params

#: Storylines keep at most this many event centroids for ``cos_max``.
EVENT_SAMPLE = 32
#: An entity whose document frequency is at most this share of the stream feeds the inverted index.
RARE_SHARE = 0.02


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
        """Link new (or much grown) events of ``clusterer``; returns event id → storyline id."""
        live = clusterer.ids
        live_set = set(live)
        gone = [e for e in self._event_story if e not in live_set]
        touched: set[int] = set()
        for e in gone:
            touched.add(self._event_story.pop(e))
            self._linked_size.pop(e, None)
        for k in touched:
            if k in self._stories:
                self._rebuild(self._stories[k], clusterer)
        todo = []
        for e in live:
            n = len(clusterer.members(e))
            if e not in self._event_story or n >= 2 * self._linked_size.get(e, n + 1):
                todo.append(e)
        todo.sort(key=lambda e: (clusterer.date_span(e)[0] or dt.date.min, _key_of(e)))
        for e in todo:
            self._link(e, clusterer)
        return self.assignments()

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
        self, clusterer: EventClusterer, max_label_entities: int = 3, names: Mapping[str, str] | None = None
    ) -> list[StorylineSummary]:
        """Every storyline with its events in date order, label, key entities, languages, outlets."""
        out = []
        for key in sorted(self._stories):
            s = self._stories[key]
            events = sorted(s.events, key=lambda e: (clusterer.date_span(e)[0] or dt.date.min, e))
            langs: Counter[str] = Counter()
            outlets: Counter[str] = Counter()
            count = 0
            for e in events:
                summ = clusterer.summary(e)
                langs.update(summ.languages)
                outlets.update(summ.outlets)
                count += len(summ.article_ids)
            ents = self.key_entities(key, clusterer)
            out.append(StorylineSummary(
                id=storyline_id(key),
                event_ids=events,
                label=self.label(key, clusterer, max_label_entities, names),
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
        self, key: int, clusterer: EventClusterer, max_entities: int = 3, names: Mapping[str, str] | None = None
    ) -> str:
        """Top key entities (by name when ``names`` maps their ids), then distinctive headline words."""
        ents = [(names or {}).get(e) or e.title() for e in self.key_entities(key, clusterer, max_entities)]
        words: Counter[str] = Counter()
        for e in self._stories[key].events:
            for h in clusterer.headlines(e):
                seen = set()
                for tok in re.findall(r"\w{4,}", h):
                    t = normalise_token(tok)
                    if t not in seen and not t.isdigit():
                        seen.add(t)
                        words[t] += 1
        named = {normalise_token(w) for e in ents for w in re.findall(r"\w+", e)}
        scored = sorted(
            ((c * float(clusterer.stats.lex_idf(np.array([term_bucket(w)]))[0]), w) for w, c in words.items()
             if w not in named),
            reverse=True,
        )
        parts = ents + [w for _, w in scored[:3]]
        return " · ".join(parts) if parts else storyline_id(key)

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
        n_docs = max(clusterer.stats.n_docs, 1)
        rare = sorted(prof.entities, key=lambda x: clusterer.stats.entity_df.get(x, 0))[:5]
        for ent in rare:
            if clusterer.stats.entity_df.get(ent, 0) <= max(RARE_SHARE * n_docs, 3):
                for k in sorted(self._rare.get(ent, ()))[:20]:
                    found.setdefault(k, None)
        return [k for k in found if k in self._stories]

    def _link(self, e: str, clusterer: EventClusterer) -> None:
        prof = clusterer.profile(e)
        old = self._event_story.pop(e, None)
        if old is not None and old in self._stories:
            self._rebuild(self._stories[old], clusterer)
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
        self._linked_size[e] = len(clusterer.members(e))
        self._add_profile(s, prof, clusterer)

    def _add_profile(self, s: _Story, prof: Profile, clusterer: EventClusterer) -> None:
        s.csum = prof.centroid.copy() if s.csum is None else s.csum + prof.centroid
        s.centroids.append(prof.centroid)
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

    def _rebuild(self, s: _Story, clusterer: EventClusterer) -> None:
        events = [e for e in s.events if e in self._event_story and self._event_story[e] == s.key]
        s.events, s.csum, s.centroids = [], None, []
        s.entities, s.terms, s.first, s.last, s.quotes = {}, {}, None, None, set()
        for e in events:
            s.events.append(e)
            self._add_profile(s, clusterer.profile(e), clusterer)
        if not s.events:
            del self._stories[s.key]

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """Plain data: which event is in which storyline (profiles are rebuilt on restore)."""
        return {
            "next": self._next,
            "stories": {str(k): list(s.events) for k, s in self._stories.items()},
            "linked_size": dict(self._linked_size),
        }

    @classmethod
    def restore(cls, state: Mapping[str, Any], clusterer: EventClusterer,
                params: Params | None = None) -> StorylineLinker:
        """Rebuild a linker from ``snapshot()`` and the clusterer it was linking."""
        linker = cls(params or clusterer.params, clusterer.dim)
        linker._next = int(state["next"])
        for k, events in dict(state["stories"]).items():
            s = _Story(int(k))
            linker._stories[s.key] = s
            for e in events:
                linker._event_story[e] = s.key
            s.events = list(events)
            linker._rebuild(s, clusterer)
        linker._linked_size = {str(k): int(v) for k, v in dict(state["linked_size"]).items()}
        return linker
