"""Mentions → canonical entities, within an article and across the corpus.

Within an article, mentions are grouped when they share a gazetteer entry (CLDR/seed, after
lemmatising: "Coreei de Nord" → North Korea), a base form ("Phenianul" / "Phenian"), a surname
or family name of a full name said in the article ("Kim" → Kim Jong Un), an acronym and its
expansion ("RPDC" ↔ "Republica Populară Democrată Coreeană"), or a phonetic skeleton with a
close spelling ("Vostocini" ~ "Vostochny"). Different given names are never merged.

Each group is then linked to the registry: by English name, exact normalised form, surname
(weighted by shared context), initials, and finally by form similarity *and* agreeing context
(co-occurring entities; sentence embeddings when the registry has an embedder).
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from newsloom.enrich.entities.gazetteer import GazEntry, acronym_key, get_gazetteer
from newsloom.enrich.entities.lexicon import CONNECTORS
from newsloom.enrich.entities.mentions import Mention, find_mentions, is_common_word
from newsloom.enrich.entities.morph import lemma_form, variants
from newsloom.enrich.entities.registry import Entity, EntityRegistry, initials
from newsloom.enrich.entities.text import (
    coarse,
    compact,
    jaro_winkler,
    norm,
    phonetic,
    skeleton,
)
from newsloom.model import EntityMention

# Place-describing heads whose name is the place's own: "Cosmodromo Vostochny" is Vostochny,
# "regione di Odessa" is Odessa.
_SAME_PLACE_HEADS = frozenset(
    """cosmodromul cosmodromo cosmodrome kosmodrom regiunea regione region oblast provincia
        insula isola island peninsula penisola orasul citta city""".split()
)
_FUZZY_THRESHOLD = 0.9
_SENT_RE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass
class _Cluster:
    mentions: list[Mention] = field(default_factory=list)
    gaz: GazEntry | None = None
    forms: Counter[str] = field(default_factory=Counter)  # base forms
    surfaces: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    entity: Entity | None = None
    variants: list[str] = field(default_factory=list)  # other base-form candidates

    @property
    def first(self) -> int:
        return min(m.start for m in self.mentions)

    @property
    def count(self) -> int:
        return len(self.mentions)

    def best_form(self) -> str:
        def score(f: str) -> tuple[int, int, int]:
            return (len(f.split()), self.forms[f], -len(f))

        return max(self.forms, key=score)

    @property
    def multi(self) -> bool:
        return any(len(_content_words(f)) >= 2 for f in self.forms)

    @property
    def acronym(self) -> str | None:
        for f in self.forms:
            a = acronym_key(f)
            if a:
                return a
        return None

    @property
    def typed(self) -> bool:
        """Whether the type rests on evidence stronger than one context cue."""
        return bool(self.gaz) or max(self.types.values(), default=0) >= 2

    def type(self) -> str:
        if self.gaz:
            return self.gaz.type
        if self.types:
            votes = Counter({k: v for k, v in self.types.items() if k != "MISC"})
            if votes:
                return votes.most_common(1)[0][0]
        if self.acronym:
            return "ORG"
        if self.multi:
            return "PER"
        return "LOC"


_LEGAL_FORMS = frozenset(
    "ag sa gmbh inc ltd llc plc spa srl sarl sas bv nv oy ab as co corp kg".split()
)


def _strip_legal_form(words: tuple[str, ...]) -> tuple[str, ...]:
    """"Valdora Bahn AG" → ("Valdora", "Bahn"): the legal form is not part of the identity."""
    if len(words) >= 2 and norm(words[-1]).replace(" ", "") in _LEGAL_FORMS:
        return words[:-1]
    return words


def _content_words(name: str) -> list[str]:
    return [w for w in name.split() if w.casefold() not in CONNECTORS]


def _types_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or "MISC" in (a, b)


def _given_names_agree(a: str, b: str) -> bool:
    """Person-name guard: every word must agree (Kim Jong Un ≠ Kim Jong Il ≠ Kim Yo Jong)."""
    wa, wb = norm(a).split(), norm(b).split()
    if len(wa) != len(wb):
        # "Kim Jong Un" vs "Kim Jongun": compare without spaces
        return compact(a) == compact(b)
    for x, y in zip(wa, wb, strict=True):
        if x == y:
            continue
        px, py = phonetic(x), phonetic(y)
        if px == py:
            continue
        if min(len(x), len(y)) <= 3:
            return False
        if skeleton(x) != skeleton(y) and jaro_winkler(px, py) < 0.92:
            return False
        if jaro_winkler(px, py) < 0.85:
            return False
    return True


def _similar(a: str, b: str, type_: str | None, loose: bool = False) -> bool:
    """Same name spelled differently (transliteration, language), of the given type.

    ``loose`` (only with agreeing context) also accepts the coarse cross-script key and a
    close phonetic form whose skeleton differs by an ending ("Dresde" ~ "Dresden")."""
    if compact(a) == compact(b):
        return True
    if loose:
        ca, cb = coarse(a), coarse(b)
        if ca == cb and len(ca.replace(" ", "")) >= 3 and len(ca.split()) == len(cb.split()):
            return True
        pa, pb = phonetic(a), phonetic(b)
        if (
            " " not in pa
            and " " not in pb
            and min(len(pa), len(pb)) >= 5
            and pa[:3] == pb[:3]
            and abs(len(pa) - len(pb)) <= 2
            and jaro_winkler(pa, pb) >= 0.92
        ):
            return True
    ka, kb = norm(a), norm(b)
    if len(ka.replace(" ", "")) < 5 or len(kb.replace(" ", "")) < 5:
        return False
    if len(ka.split()) != len(kb.split()):
        return False
    if type_ == "PER" or len(ka.split()) > 1:
        return _given_names_agree(a, b)
    if skeleton(a) != skeleton(b):
        return False
    return jaro_winkler(phonetic(a), phonetic(b)) >= _FUZZY_THRESHOLD


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class _Article:
    """Resolution state for one article."""

    def __init__(self, text: str, lang: str | None, registry: EntityRegistry) -> None:
        self.text = text
        self.lang = lang
        self.registry = registry
        self.gaz = get_gazetteer()

    # -- knowledge callbacks ---------------------------------------------------------------

    def gaz_lookup(self, words: tuple[str, ...]) -> tuple[GazEntry | None, str]:
        """The gazetteer entry for a mention (any base form), and the form that hit."""
        forms = variants(words, self.lang)
        # a word of the article's own language names a place only in that language's CLDR
        # ("Cada" is "each" in Spanish, not Latvian "Čada")
        dictionary_word = len(words) == 1 and is_common_word(words[0], self.lang)
        for form in forms:
            hit = self.gaz.lookup(form)
            if hit and not (dictionary_word and not self.gaz.native(form, self.lang)):
                return hit, form
        if len(words) == 1 and not is_common_word(words[0], self.lang) and not is_common_word(
            words[0], "en"
        ):
            # a spelling of a known name ("Cremlino" ~ "Kremlin"), never a dictionary word
            # ("German" is not Germany, "Summe" is not Suomi)
            for form in forms[:2]:
                hit = self.gaz.lookup_fuzzy(form)
                if hit:
                    return hit, form
        content = [w for w in words if w.casefold() not in CONNECTORS]
        if len(content) >= 3:
            acr = initials(" ".join(words))
            hit = self.gaz.lookup(acr) if len(acr) >= 3 else None
            if hit:
                return hit, " ".join(words)
        return None, forms[0]

    def known_place(self, surface: str) -> bool:
        """A gazetteer name, or a place/organisation the registry knows (never a person)."""
        words = tuple(surface.split())
        if not words:
            return False
        if self.gaz_lookup(words)[0] is not None:
            return True
        ent = self.registry.lookup(surface)
        return ent is not None and ent.type in {"LOC", "ORG"} and self.registry.has_type_evidence(
            ent.id
        )

    def known(self, surface: str) -> bool:
        words = tuple(surface.split())
        if not words:
            return False
        hit, _ = self.gaz_lookup(words)
        if hit:
            return True
        return any(self.registry.knows(f) for f in variants(words, self.lang)[:4])

    # -- within the article ----------------------------------------------------------------

    def clusters(self, mentions: list[Mention]) -> list[_Cluster]:
        n = len(mentions)
        gaz: list[GazEntry | None] = []
        base: list[str] = []
        surface_keys = {compact(m.text) for m in mentions}
        variant_lists: list[list[str]] = []
        for m in mentions:
            hit, form = self.gaz_lookup(m.tokens)
            gaz.append(hit)
            if hit:
                base.append(form if form != m.text else m.text)
                variant_lists.append([])
                continue
            # a base form another mention (or the registry) uses, else the lemma form
            tokens = m.tokens
            if len(tokens) >= 2 and norm(tokens[0]) in _SAME_PLACE_HEADS:
                rest = tuple(w for w in tokens[1:] if w.casefold() not in CONNECTORS)
                tokens = rest or tokens  # "Cosmodromo di Vostochny" → "Vostochny"
            tokens = _strip_legal_form(tokens)
            forms = variants(tokens, self.lang)
            variant_lists.append(forms[1:6])
            chosen = forms[0]
            for f in forms[1:]:
                if compact(f) in surface_keys or self.registry.knows(f):
                    chosen = f
                    break
            else:
                # an inflected name simplemma knows: "Washingtonul" → "Washington"
                lemma = lemma_form(tokens, self.lang) if len(tokens) == 1 else None
                if lemma:
                    chosen = lemma
            base.append(chosen)
        uf = _UnionFind(n)
        by_key: dict[str, int] = {}
        for i in range(len(mentions)):
            hit = gaz[i]
            key = f"gaz:{hit.name}" if hit else compact(base[i])
            if key in by_key:
                uf.union(by_key[key], i)
            else:
                by_key[key] = i
        groups = self._groups(uf, n)
        clusters = []
        for idxs in groups:
            c = _Cluster()
            for i in idxs:
                m = mentions[i]
                c.mentions.append(m)
                c.surfaces[m.text] += 1
                c.forms[base[i]] += 1
                c.variants.extend(v for v in variant_lists[i] if v not in c.variants)
                if gaz[i]:
                    c.gaz = gaz[i]
                if m.type_hint:
                    # spaCy's label 3, a head word ("Ministerul", "University") 2, a cue 1
                    c.types[m.type_hint] += (
                        3 if m.source == "spacy" else (1 if m.cue else 2)
                    )
            clusters.append(c)
        clusters = self._merge_place_heads(clusters)
        clusters = self._merge_acronyms(clusters)
        clusters = self._merge_fuzzy(clusters)
        clusters = self._merge_short_names(clusters)
        clusters.sort(key=lambda c: c.first)
        return clusters

    @staticmethod
    def _groups(uf: _UnionFind, n: int) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(n):
            out.setdefault(uf.find(i), []).append(i)
        return list(out.values())

    @staticmethod
    def _absorb(into: _Cluster, other: _Cluster) -> None:
        into.variants.extend(v for v in other.variants if v not in into.variants)
        into.mentions.extend(other.mentions)
        into.surfaces.update(other.surfaces)
        into.forms.update(other.forms)
        into.types.update(other.types)
        into.gaz = into.gaz or other.gaz

    def _merge_place_heads(self, clusters: list[_Cluster]) -> list[_Cluster]:
        keys: dict[str, _Cluster] = {}
        for c in clusters:
            for f in c.forms:
                keys.setdefault(compact(f), c)
        out = []
        for c in clusters:
            target = None
            for f in c.forms:
                words = f.split()
                if len(words) >= 2 and norm(words[0]) in _SAME_PLACE_HEADS:
                    rest = [w for w in words[1:] if w.casefold() not in CONNECTORS]
                    cand = keys.get(compact(" ".join(rest)))
                    if cand is not None and cand is not c and _types_compatible(
                        cand.type(), "LOC"
                    ):
                        target = cand
                        break
            if target is not None:
                self._absorb(target, c)
            else:
                out.append(c)
        return [c for c in out if c.mentions]

    def _merge_acronyms(self, clusters: list[_Cluster]) -> list[_Cluster]:
        acr_clusters = [c for c in clusters if c.acronym and len(c.acronym) >= 2]
        removed: set[int] = set()
        for a in acr_clusters:
            for c in clusters:
                if c is a or id(c) in removed:
                    continue
                for f in c.forms:
                    if len(_content_words(f)) >= 2 and initials(f) == a.acronym:
                        if c.gaz and a.gaz and c.gaz.name != a.gaz.name:
                            continue
                        self._absorb(a, c)
                        removed.add(id(c))
                        break
        return [c for c in clusters if id(c) not in removed]

    def _merge_fuzzy(self, clusters: list[_Cluster]) -> list[_Cluster]:
        out: list[_Cluster] = []
        for c in clusters:
            target = None
            for o in out:
                if c.gaz and o.gaz:
                    continue
                if not _types_compatible(c.type(), o.type()):
                    continue
                if any(
                    _similar(a, b, c.type())
                    for a in list(c.forms)[:3]
                    for b in list(o.forms)[:3]
                ):
                    target = o
                    break
            if target is not None:
                self._absorb(target, c)
            else:
                out.append(c)
        return out

    def _merge_short_names(self, clusters: list[_Cluster]) -> list[_Cluster]:
        """"Kim", "Putin", "Miller" → the full name said in the article."""
        full = [c for c in clusters if c.multi and not c.gaz and c.type() in {"PER", "MISC"}]
        out: list[_Cluster] = []
        for c in clusters:
            if c.multi or c.gaz or c.acronym or not full:
                out.append(c)
                continue
            keys = {compact(f) for f in c.forms}
            cands = []
            for p in full:
                for f in p.forms:
                    words = _content_words(f)
                    if len(words) >= 2 and (
                        compact(words[-1]) in keys or compact(words[0]) in keys
                    ):
                        cands.append(p)
                        break
            if cands:
                target = max(cands, key=lambda p: (p.count, -p.first))
                self._absorb(target, c)
            else:
                out.append(c)
        return out

    # -- linking to the registry -----------------------------------------------------------

    def link(self, clusters: list[_Cluster]) -> None:
        reg = self.registry
        pending: list[_Cluster] = []
        # pass 1: certain links
        for c in sorted(clusters, key=lambda c: (c.gaz is None, not c.multi, c.first)):
            c.entity = self._link_certain(c)
            if c.entity is None:
                pending.append(c)
        context = {c.entity.id for c in clusters if c.entity is not None}
        # pass 2: short names by context, then form-similar names whose context agrees
        for c in pending:
            c.entity = self._link_by_context(c, context)
            if c.entity is not None:
                context.add(c.entity.id)
        for c in clusters:
            if c.entity is None:
                ctype = c.type()
                if c.gaz:
                    c.entity = reg.new_entity(c.gaz.type, c.gaz.name, english=c.gaz.name)
                else:
                    c.entity = reg.new_entity(ctype, c.best_form())

    def _link_certain(self, c: _Cluster) -> Entity | None:
        reg = self.registry
        if c.gaz:
            eid = reg.by_english(c.gaz.name)
            return reg.get(eid) if eid else None
        ctype = c.type()
        typed = c.typed
        forms = sorted(c.forms, key=lambda f: -len(_content_words(f)))
        for f in forms:
            if not c.multi or len(_content_words(f)) >= 2 or acronym_key(f):
                # the same full name: types must agree unless one side only guessed its type
                ids = [
                    i
                    for i in reg.by_key(f)
                    if (
                        _types_compatible(reg.entities[i].type, ctype)
                        or not typed
                        or not reg.has_type_evidence(i)
                        or len(_content_words(f)) >= 2  # a full name outweighs a label
                    )
                    and (reg.entities[i].type != "PER" or len(_content_words(f)) >= 2
                         or not c.multi)
                ]
                if ids:
                    if len(_content_words(f)) < 2 and any(
                        reg.entities[i].type == "PER" for i in ids
                    ):
                        continue  # a lone surname: decided by context in pass 2
                    return max((reg.entities[i] for i in ids), key=lambda e: e.mentions)
        if c.multi:
            for f in forms:
                if len(_content_words(f)) >= 3:
                    ids = [
                        i for i in reg.by_initials(initials(f))
                        if _types_compatible(reg.entities[i].type, ctype)
                    ]
                    if len(ids) == 1:
                        return reg.entities[ids[0]]
        acr = c.acronym
        if acr:
            ids = [i for i in reg.by_initials(acr) if _types_compatible(reg.entities[i].type, ctype)]
            if len(ids) == 1:
                return reg.entities[ids[0]]
        return None

    def _context_score(self, ent: Entity, context: set[str]) -> int:
        return sum(ent.cooc.get(i, 0) for i in context if i != ent.id)

    def _link_by_context(self, c: _Cluster, context: set[str]) -> Entity | None:
        reg = self.registry
        ctype = c.type()
        # a lone surname or family name: the registry person with that name and this context
        if not c.multi and not c.acronym:
            cands: set[str] = set()
            for f in c.forms:
                cands |= reg.by_token(f)
                cands |= {i for i in reg.by_key(f) if reg.entities[i].type == "PER"}
            scored = [
                (self._context_score(reg.entities[i], context), reg.entities[i].mentions, i)
                for i in cands
            ]
            scored.sort(reverse=True)
            if scored and (scored[0][0] > 0 or len(scored) == 1):
                return reg.entities[scored[0][2]]
            for f in c.forms:
                ids = [i for i in reg.by_key(f) if _types_compatible(reg.entities[i].type, ctype)]
                if ids:
                    return max((reg.entities[i] for i in ids), key=lambda e: e.mentions)
            # the same word typed differently elsewhere (labels are noisy): linked when the
            # contexts agree
            for f in c.forms:
                agreeing = [
                    (self._context_score(reg.entities[i], context), i) for i in reg.by_key(f)
                ]
                agreeing = [x for x in agreeing if x[0] >= 1]
                if agreeing:
                    return reg.entities[max(agreeing)[1]]
        # form-similar names (spellings, transliterations, case endings), confirmed by context
        best: tuple[float, Entity] | None = None
        typed = c.typed
        names = list(dict.fromkeys(list(c.forms) + c.variants))
        for f in names:
            for i in reg.similar_candidates(f):
                ent = reg.entities[i]
                if typed and reg.has_type_evidence(i) and not _types_compatible(ent.type, ctype):
                    continue
                if not any(_similar(f, g, ctype, loose=True) for g in ent.all_names()):
                    continue
                score = self._context_score(ent, context)
                agree = score >= 2 or (score >= 1 and len(context) <= 3)
                if not agree and reg.embedder is not None:
                    agree = self._vector_agrees(c, ent)
                if agree and (best is None or score > best[0]):
                    best = (score, ent)
        return best[1] if best else None

    def _vector_agrees(self, c: _Cluster, ent: Entity, threshold: float = 0.85) -> bool:
        if ent.vector is None:
            return False
        vec = self._cluster_vector(c)
        if vec is None:
            return False
        dot = sum(a * b for a, b in zip(vec, ent.vector, strict=False))
        norm_e = sum(a * a for a in ent.vector) ** 0.5 or 1.0
        return dot / norm_e >= threshold

    def _cluster_vector(self, c: _Cluster) -> list[float] | None:
        emb = self.registry.embedder
        if emb is None:
            return None
        sentences = []
        for m in c.mentions[:3]:
            for s in _SENT_RE.finditer(self.text):
                if s.start() <= m.start < s.end():
                    sentences.append(s.group(0).strip())
                    break
        if not sentences:
            return None
        vecs = emb.embed(sentences)
        mean = vecs.mean(axis=0)
        n = float((mean**2).sum() ** 0.5) or 1.0
        return [float(x) / n for x in mean]


def _strip_title(text: str, title: str) -> str:
    return f"{title.strip()}\n\n{text}" if title and title.strip() not in text[:400] else text


def extract_entities(
    text: str,
    lang: str | None,
    registry: EntityRegistry,
    title: str = "",
) -> list[EntityMention]:
    """Canonical entities of one article, linked into (and recorded in) ``registry``.

    Returns one ``EntityMention`` per entity, most mentioned first: a stable ``entity_id``,
    the canonical name, the type (PER/ORG/LOC/MISC), the surface forms the article used and
    how many times it was mentioned.
    """
    full = _strip_title(text, title)
    art = _Article(full, lang, registry)
    mentions = find_mentions(full, lang, art.known, art.known_place)
    if not mentions:
        return []
    clusters = art.clusters(mentions)
    art.link(clusters)
    # merge clusters that landed on the same entity
    by_entity: dict[str, _Cluster] = {}
    for c in clusters:
        assert c.entity is not None
        prev = by_entity.get(c.entity.id)
        if prev is None:
            by_entity[c.entity.id] = c
        else:
            art._absorb(prev, c)
    for eid, c in by_entity.items():
        ent = registry.entities[eid]
        votes = Counter({c.gaz.type: 3}) if c.gaz else Counter()
        votes.update({k: v for k, v in c.types.items()})
        registry.observe(ent, lang, c.surfaces, c.forms, votes, guess=c.type())
        if registry.embedder is not None and not c.gaz:
            vec = art._cluster_vector(c)
            if vec is not None:
                registry.add_vector(ent, vec)
    registry.link_cooccurrence(by_entity)
    out = []
    for eid, c in by_entity.items():
        ent = registry.entities[eid]
        surfaces = tuple(dict.fromkeys(m.text for m in sorted(c.mentions, key=lambda m: m.start)))
        out.append(EntityMention(eid, ent.name, ent.type, surfaces, c.count))
    out.sort(key=lambda e: (-e.count, e.name))
    return out


def resolve_name(name: str, lang: str | None, registry: EntityRegistry) -> Entity | None:
    """The registry entity a bare name refers to (used by quote attribution), if any."""
    words = tuple(name.split())
    if not words:
        return None
    art = _Article(name, lang, registry)
    hit, _ = art.gaz_lookup(words)
    if hit:
        eid = registry.by_english(hit.name)
        return registry.get(eid) if eid else None
    for f in variants(words, lang):
        ent = registry.lookup(f)
        if ent is not None:
            return ent
    return None

