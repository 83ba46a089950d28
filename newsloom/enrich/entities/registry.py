"""The corpus-level entity registry: one identity per real-world entity across articles.

The registry keeps, per entity, its type, the base forms and the surface forms seen (per
language), how often, and which other entities it co-occurred with. Its indexes answer the
resolver's questions: who has this normalised name, who has this surname, who has this
initials/acronym, who has this consonant skeleton. It is plain data: ``to_dict()`` /
``from_dict()`` round-trip through JSON so a store can keep it across runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsloom.enrich.entities.lexicon import CONNECTORS
from newsloom.enrich.entities.text import coarse, compact, is_latin, norm, phonetic, skeleton, slug

FORMAT_VERSION = 1


def _shouted(form: str) -> bool:
    """A name in capitals as a dateline writes it ("DRESDEN"), not an acronym."""
    return len(form) > 3 and form.isupper()


def initials(name: str) -> str:
    """"Republica Populară Democrată Coreeană" → "RPDC"; "RPD Coreeană" → "RPDC"."""
    out = []
    for word in name.replace("-", " ").split():
        if word.casefold() in CONNECTORS:
            continue
        if word.isupper() and len(word) > 1:
            out.append(word)
        elif word[:1].isalpha():
            out.append(word[0].upper())
    return norm("".join(out)).upper()


@dataclass
class Entity:
    """One real-world entity as the corpus has seen it."""

    id: str
    type: str
    name: str  # canonical
    english: str | None = None  # CLDR / seed English name when known
    forms: Counter[str] = field(default_factory=Counter)  # base forms → mentions
    aliases: dict[str, Counter[str]] = field(default_factory=dict)  # lang → surface → mentions
    types: Counter[str] = field(default_factory=Counter)
    cooc: Counter[str] = field(default_factory=Counter)  # other entity id → shared articles
    articles: int = 0
    mentions: int = 0
    vector: list[float] | None = None  # mean sentence embedding of its mentions (optional)
    vector_n: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "english": self.english,
            "forms": dict(self.forms),
            "aliases": {lang: dict(c) for lang, c in self.aliases.items()},
            "types": dict(self.types),
            "cooc": dict(self.cooc),
            "articles": self.articles,
            "mentions": self.mentions,
            "vector": self.vector,
            "vector_n": self.vector_n,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(
            id=d["id"],
            type=d["type"],
            name=d["name"],
            english=d.get("english"),
            forms=Counter(d.get("forms", {})),
            aliases={lang: Counter(c) for lang, c in d.get("aliases", {}).items()},
            types=Counter(d.get("types", {})),
            cooc=Counter(d.get("cooc", {})),
            articles=int(d.get("articles", 0)),
            mentions=int(d.get("mentions", 0)),
            vector=d.get("vector"),
            vector_n=int(d.get("vector_n", 0)),
        )

    def all_names(self) -> set[str]:
        names = set(self.forms)
        for c in self.aliases.values():
            names.update(c)
        if self.english:
            names.add(self.english)
        return names


class EntityRegistry:
    """Entities accumulated across articles, with the indexes the resolver needs.

    ``embedder`` (optional, not serialised): an object with ``embed(texts)`` (see
    ``newsloom.enrich.embed``); when set, a form-similar candidate without co-occurrence
    evidence is accepted if the mention's sentences embed close to the entity's contexts.
    """

    def __init__(self, embedder: Any | None = None) -> None:
        self.entities: dict[str, Entity] = {}
        self.embedder = embedder
        self._by_key: dict[str, set[str]] = {}
        self._by_english: dict[str, str] = {}
        self._by_token: dict[str, set[str]] = {}  # PER first/last name token → ids
        self._by_initials: dict[str, set[str]] = {}
        self._by_skeleton: dict[str, set[str]] = {}
        self._by_coarse: dict[str, set[str]] = {}
        self._by_prefix: dict[str, set[str]] = {}  # first 3 letters of the phonetic form

    # --- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities.values())

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.entities

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def aliases(self, entity_id: str) -> dict[str, set[str]]:
        """Surface forms seen for the entity, per language code ("und" when unknown)."""
        ent = self.entities.get(entity_id)
        if ent is None:
            return {}
        return {lang: set(c) for lang, c in ent.aliases.items()}

    def name(self, entity_id: str) -> str | None:
        ent = self.entities.get(entity_id)
        return ent.name if ent else None

    def by_key(self, name: str) -> set[str]:
        return set(self._by_key.get(compact(name), ()))

    def by_english(self, english: str) -> str | None:
        return self._by_english.get(english)

    def by_token(self, token: str) -> set[str]:
        return set(self._by_token.get(compact(token), ()))

    def by_initials(self, acronym: str) -> set[str]:
        return set(self._by_initials.get(acronym.upper(), ()))

    def by_skeleton(self, name: str) -> set[str]:
        return set(self._by_skeleton.get(skeleton(name), ()))

    def similar_candidates(self, name: str) -> set[str]:
        """Entities whose names may be a spelling of ``name``: same skeleton, same coarse
        key, or same phonetic start (to be confirmed by similarity and context)."""
        out = set(self._by_skeleton.get(skeleton(name), ()))
        out |= self._by_coarse.get(coarse(name), set())
        ph = phonetic(name).replace(" ", "")
        if len(ph) >= 4:
            out |= self._by_prefix.get(ph[:3], set())
        return out

    def has_type_evidence(self, entity_id: str) -> bool:
        ent = self.entities.get(entity_id)
        return bool(ent and (ent.english or max(ent.types.values(), default=0) >= 2))

    def knows(self, name: str) -> bool:
        return compact(name) in self._by_key

    def lookup(self, name: str) -> Entity | None:
        """The most mentioned entity having ``name`` as a form or alias, if any."""
        ids = self.by_key(name)
        if not ids:
            return None
        return max((self.entities[i] for i in ids), key=lambda e: e.mentions)

    # --- writing --------------------------------------------------------------------------

    def new_entity(self, type_: str, name: str, english: str | None = None) -> Entity:
        base = f"{type_.lower()}:{slug(english or name)}"
        eid, n = base, 2
        while eid in self.entities:
            eid = f"{base}-{n}"
            n += 1
        ent = Entity(id=eid, type=type_, name=english or name, english=english)
        self.entities[eid] = ent
        if english:
            self._by_english[english] = eid
        self._index_name(ent, english or name)
        return ent

    def observe(
        self,
        ent: Entity,
        lang: str | None,
        surfaces: Counter[str],
        forms: Counter[str],
        type_votes: Counter[str],
        guess: str | None = None,
    ) -> None:
        """Add one article's mentions of ``ent``. ``type_votes`` is evidence (gazetteer,
        spaCy, head words, context cues); ``guess`` the type assumed without evidence."""
        lang = lang or "und"
        bucket = ent.aliases.setdefault(lang, Counter())
        bucket.update(surfaces)
        ent.forms.update(forms)
        ent.types.update(type_votes)
        ent.mentions += sum(surfaces.values())
        ent.articles += 1
        if not ent.english:
            if sum(ent.types.values()) > 0:
                ent.type = _vote_type(ent)
            elif guess:
                ent.type = guess
        for name in list(surfaces) + list(forms):
            self._index_name(ent, name)
        ent.name = self._canonical(ent)

    def link_cooccurrence(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        for a in ids:
            ent = self.entities.get(a)
            if ent is None:
                continue
            for b in ids:
                if a != b:
                    ent.cooc[b] += 1

    def add_vector(self, ent: Entity, vec: list[float]) -> None:
        if ent.vector is None or not ent.vector_n:
            ent.vector, ent.vector_n = list(vec), 1
            return
        n = ent.vector_n
        ent.vector = [(a * n + b) / (n + 1) for a, b in zip(ent.vector, vec, strict=False)]
        ent.vector_n = n + 1

    # --- canonical names and indexes ------------------------------------------------------

    def _canonical(self, ent: Entity) -> str:
        if ent.english:
            return ent.english
        en = ent.aliases.get("en", Counter())

        # Latin script, a full name for a person, not a shouted dateline ("DRESDEN,"), then
        # the English spelling when English articles use one (the interface reads English:
        # "Dresden", not the "Dresde" of more numerous French and Spanish mentions), then usage.
        def score(form: str) -> tuple[int, int, int, int, int, int]:
            words = len(form.split())
            full = 1 if (ent.type != "PER" or words >= 2) else 0
            return (int(is_latin(form)), full, int(not _shouted(form)), en[form], ent.forms[form], -len(form))

        if not ent.forms:
            return ent.name
        best = max(ent.forms, key=score)
        # the same name with the diacritics English articles tend to drop: "Ioana Mărgineanu",
        # "Timișoara" (never a shouted form)
        same = [f for f in ent.forms if norm(f) == norm(best) and is_latin(f) == is_latin(best) and not _shouted(f)]
        return max([best, *same], key=lambda f: (sum(not c.isascii() for c in f), f == best))

    def _index_name(self, ent: Entity, name: str) -> None:
        key = compact(name)
        if not key:
            return
        self._by_key.setdefault(key, set()).add(ent.id)
        words = [w for w in norm(name).split() if w not in CONNECTORS]
        self._by_coarse.setdefault(coarse(name), set()).add(ent.id)
        ph = phonetic(name).replace(" ", "")
        if len(ph) >= 4:
            self._by_prefix.setdefault(ph[:3], set()).add(ent.id)
        if len(words) == 1 and len(key) >= 4:
            self._by_skeleton.setdefault(skeleton(name), set()).add(ent.id)
        elif len(words) >= 2:
            self._by_skeleton.setdefault(skeleton(name), set()).add(ent.id)
            if ent.type == "PER":
                self._by_token.setdefault(words[0], set()).add(ent.id)
                self._by_token.setdefault(words[-1], set()).add(ent.id)
            if len(words) >= 3:
                acr = initials(name)
                if len(acr) >= 3:
                    self._by_initials.setdefault(acr, set()).add(ent.id)
        if name.replace(".", "").isupper() and 2 <= len(key) <= 6:
            self._by_initials.setdefault(key.upper(), set()).add(ent.id)

    def _reindex(self) -> None:
        self._by_key.clear()
        self._by_english.clear()
        self._by_token.clear()
        self._by_initials.clear()
        self._by_skeleton.clear()
        self._by_coarse.clear()
        self._by_prefix.clear()
        for ent in self.entities.values():
            if ent.english:
                self._by_english[ent.english] = ent.id
            for name in ent.all_names() | {ent.name}:
                self._index_name(ent, name)

    # --- persistence ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "entities": [e.to_dict() for e in self.entities.values()],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], embedder: Any | None = None) -> EntityRegistry:
        reg = cls(embedder=embedder)
        for item in d.get("entities", []):
            ent = Entity.from_dict(item)
            reg.entities[ent.id] = ent
        reg._reindex()
        return reg


def _vote_type(ent: Entity) -> str:
    votes = Counter({k: v for k, v in ent.types.items() if k != "MISC"})
    if votes:
        return votes.most_common(1)[0][0]
    return ent.types.most_common(1)[0][0] if ent.types else ent.type
