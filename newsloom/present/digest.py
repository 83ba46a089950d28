"""What one event says, in a form a person can read in a minute.

For an event (articles about one happening, across languages) this module chooses:

- a **headline**: the title of the most representative article (centrality of title embeddings,
  or of the article vectors the enrichment stored, or, failing both, coverage of the event's
  entities), with the best title in each other language beside it;
- a short **extractive summary**: key sentences across languages, each linked to its article,
  chosen by centrality over sentence embeddings (``method="embed"``) or, cheaper, by how much of
  the event's entities and key phrases a sentence covers (``method="coverage"``), with redundancy
  (the same sentence in a copy or a translation) removed;
- **who / what / where / when** from entities by type, key phrases and dates;
- a **coverage** table by language and outlet with duplicates and translations folded under the
  article they copy;
- **quotes** with speakers and the event's **entities**.

The result is cached in the store's pipeline state under the event id, with a hash of the
members (ids, content hashes, statuses), so a page view never recomputes, let alone re-embeds,
an unchanged event. The web pages, the API and the static report all use this one module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from newsloom.events.scoring import load_params
from newsloom.model import Article, ArticleLink, Enrichment, EntityMention, Event
from newsloom.store import Store

log = logging.getLogger(__name__)

DIGEST_VERSION = 2  # 2: the headline is in the label language when a member offers it
STATE_PREFIX = "present.digest:"
Method = Literal["embed", "coverage"]
METHODS: tuple[str, ...] = ("embed", "coverage")

#: Sentences taken from the start of each article, and in all, as summary candidates.
PER_ARTICLE = 6
MAX_CANDIDATES = 48


class Embedder(Protocol):
    """What ``newsloom.enrich.embed.get_embedder()`` returns (unit-length rows)."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


# -- records ---------------------------------------------------------------------------


@dataclass
class TextRef:
    """A headline or summary sentence, with the article it comes from."""

    text: str
    article_id: str
    lang: str
    outlet: str = ""
    score: float = 0.0


@dataclass
class EntityRef:
    """An entity as the event uses it: in how many of its articles, and in which languages."""

    id: str
    name: str
    type: str
    articles: int
    mentions: int
    langs: list[str] = field(default_factory=list)


@dataclass
class QuoteRef:
    """A quotation found in one of the event's articles."""

    text: str
    speaker: str | None
    speaker_entity_id: str | None
    kind: str
    article_id: str
    lang: str
    outlet: str


@dataclass
class FoldedRef:
    """A copy or translation folded under the article it reproduces."""

    id: str
    kind: str  # duplicate | translation
    title: str
    lang: str
    outlet: str
    date: str | None


@dataclass
class CoverageArticle:
    """An article that counts as its own story, with what was folded under it."""

    id: str
    title: str
    lang: str
    outlet: str
    date: str | None
    folded: list[FoldedRef] = field(default_factory=list)


@dataclass
class CoverageRow:
    """One outlet in one language: its own stories, and the copies and translations it ran."""

    lang: str
    outlet: str
    stories: int
    copies: int
    translations: int
    first_date: str | None
    articles: list[CoverageArticle] = field(default_factory=list)


@dataclass
class Coverage:
    """How the event was covered, by language and outlet, copies and translations folded."""

    rows: list[CoverageRow]
    articles: int
    stories: int
    copies: int
    translations: int
    outlets: int
    languages: list[tuple[str, int]]


@dataclass
class When:
    first: str | None
    last: str | None
    mentioned: list[str] = field(default_factory=list)  # dates inferred from the texts


@dataclass
class EventDigest:
    """Everything the event page, the API and the report show about one event."""

    event_id: str
    member_hash: str
    method: str
    computed_ms: float
    headline: TextRef
    alt_headlines: list[TextRef]
    summary: list[TextRef]
    who: list[EntityRef]
    what: list[str]
    where: list[EntityRef]
    when: When
    entities: list[EntityRef]
    quotes: list[QuoteRef]
    coverage: Coverage
    version: int = DIGEST_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventDigest:
        cov = data["coverage"]
        return cls(
            event_id=data["event_id"],
            member_hash=data["member_hash"],
            method=data["method"],
            computed_ms=float(data["computed_ms"]),
            headline=TextRef(**data["headline"]),
            alt_headlines=[TextRef(**h) for h in data["alt_headlines"]],
            summary=[TextRef(**s) for s in data["summary"]],
            who=[EntityRef(**e) for e in data["who"]],
            what=list(data["what"]),
            where=[EntityRef(**e) for e in data["where"]],
            when=When(**data["when"]),
            entities=[EntityRef(**e) for e in data["entities"]],
            quotes=[QuoteRef(**q) for q in data["quotes"]],
            coverage=Coverage(
                rows=[
                    CoverageRow(
                        **{k: v for k, v in row.items() if k != "articles"},
                        articles=[
                            CoverageArticle(
                                **{k: v for k, v in a.items() if k != "folded"},
                                folded=[FoldedRef(**f) for f in a["folded"]],
                            )
                            for a in row["articles"]
                        ],
                    )
                    for row in cov["rows"]
                ],
                articles=cov["articles"],
                stories=cov["stories"],
                copies=cov["copies"],
                translations=cov["translations"],
                outlets=cov["outlets"],
                languages=[(str(lang), int(n)) for lang, n in cov["languages"]],
            ),
            version=int(data.get("version", 0)),
        )


# -- text helpers ----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'»”’)\]]*\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def outlet_name(article: Article) -> str:
    """Who published ``article``: its outlet, else its group unless that is a folder path or a
    URL (which would show a local path, or a feed address, as an outlet name), else the host of
    its web address ("elfarodiario.example"), else "unknown"."""
    if article.outlet:
        return article.outlet
    group = article.group or ""
    if group and "/" not in group and "\\" not in group:
        return group
    url = urlsplit(article.url or "")
    if url.scheme in ("http", "https") and url.hostname:
        host = url.hostname
        return host[4:] if host.startswith("www.") else host
    return "unknown"


def split_sentences(text: str, min_chars: int = 30, max_chars: int = 400) -> list[str]:
    """Sentences of ``text`` (paragraph breaks end sentences), short fragments merged forward."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        pending = ""
        for piece in _SENTENCE_END.split(paragraph):
            piece = piece.strip()
            if not piece:
                continue
            pending = f"{pending} {piece}".strip() if pending else piece
            if len(pending) >= min_chars:
                out.append(pending)
                pending = ""
        if pending:
            if out and len(pending) < min_chars // 2 and len(out[-1]) + len(pending) < max_chars:
                out[-1] = f"{out[-1]} {pending}"
            else:
                out.append(pending)
    return [s if len(s) <= max_chars else s[: max_chars - 1].rstrip() + "…" for s in out]


def fold(text: str) -> str:
    """Lower case without accents, for matching and de-duplication."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))


def clean_title(title: str, outlet: str | None) -> str:
    """A title without a trailing ``| Outlet`` / ``- Outlet`` and extra whitespace."""
    title = " ".join(title.split())
    if outlet:
        for sep in (" | ", " - ", " – ", " — ", " :: "):
            head, found, tail = title.rpartition(sep)
            if found and head and fold(tail) == fold(outlet):
                title = head
                break
    return title


def mention_pattern(mentions: Iterable[EntityMention]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """A regex matching the surface forms of ``mentions`` as whole words, and form → entity id."""
    forms: dict[str, str] = {}
    for mention in mentions:
        for surface in (*mention.surface, mention.name):
            surface = surface.strip()
            if len(surface) >= 2 and surface.casefold() not in forms:
                forms[surface.casefold()] = mention.entity_id
    if not forms:
        return None, forms
    alternatives = "|".join(re.escape(s) for s in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), forms


def member_hash(members: Iterable[tuple[str, str, str]]) -> str:
    """A fingerprint of an event's members: (article id, content hash, status) of each."""
    digest = hashlib.sha1(f"v{DIGEST_VERSION}".encode())
    for article_id, content, status in sorted(members):
        digest.update(f"\x1f{article_id}\x1e{content}\x1e{status}".encode())
    return digest.hexdigest()[:20]


def state_key(event_id: str) -> str:
    return f"{STATE_PREFIX}{event_id}"


# -- the computation -------------------------------------------------------------------


@dataclass
class _Member:
    article: Article
    enrichment: Enrichment | None
    link: ArticleLink | None
    root: str | None = None  # the article this one copies or translates (within the event)
    fold_kind: str | None = None  # duplicate | translation

    @property
    def lang(self) -> str:
        return self.article.lang or "unknown"

    @property
    def outlet(self) -> str:
        return outlet_name(self.article)

    @property
    def date(self) -> str | None:
        return (self.article.published or "")[:10] or None


@dataclass
class _Candidate:
    text: str
    member: _Member
    position: int
    entities: set[str]
    words: set[str]


def _fold_members(members: dict[str, _Member]) -> None:
    """Point every copy and translation at the original it (transitively) reproduces."""
    for member in members.values():
        link = member.link
        if link is None:
            continue
        target, kind = (link.duplicate_of, "duplicate") if link.duplicate_of else (link.translation_of, "translation")
        if not target:
            continue
        seen = {member.article.id}
        while target in members and target not in seen:
            seen.add(target)
            parent = members[target].link
            nxt = (parent.duplicate_of or parent.translation_of) if parent else None
            if not nxt or nxt not in members:
                break
            target = nxt
        if target in members and target != member.article.id:
            member.root, member.fold_kind = target, kind


def _entity_stats(originals: Sequence[_Member]) -> tuple[dict[str, EntityRef], dict[str, float]]:
    refs: dict[str, EntityRef] = {}
    langs: dict[str, set[str]] = defaultdict(set)
    for member in originals:
        if member.enrichment is None:
            continue
        for mention in member.enrichment.entities:
            ref = refs.get(mention.entity_id)
            if ref is None:
                ref = refs[mention.entity_id] = EntityRef(mention.entity_id, mention.name, mention.type, 0, 0)
            ref.articles += 1
            ref.mentions += mention.count
            langs[mention.entity_id].add(member.lang)
    for entity_id, ref in refs.items():
        ref.langs = sorted(langs[entity_id])
    n = max(1, len(originals))
    weights = {entity_id: ref.articles / n for entity_id, ref in refs.items()}
    return refs, weights


def _keyphrase_weights(originals: Sequence[_Member]) -> tuple[dict[str, float], dict[str, str]]:
    df: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = defaultdict(Counter)
    for member in originals:
        if member.enrichment is None:
            continue
        seen: set[str] = set()
        for phrase in member.enrichment.keyphrases:
            key = fold(phrase.strip())
            if len(key) < 3 or key in seen:
                continue
            seen.add(key)
            df[key] += 1
            shown[key][phrase.strip()] += 1
    n = max(1, len(originals))
    return {k: v / n for k, v in df.items()}, {k: c.most_common(1)[0][0] for k, c in shown.items()}


def _candidates(originals: Sequence[_Member]) -> list[_Candidate]:
    per_article: list[list[_Candidate]] = []
    for member in originals:
        pattern, forms = (
            mention_pattern(member.enrichment.entities) if member.enrichment else (None, {})
        )
        found: list[_Candidate] = []
        for position, sentence in enumerate(split_sentences(member.article.text)[:PER_ARTICLE]):
            entities = (
                {forms[m.group(0).casefold()] for m in pattern.finditer(sentence) if m.group(0).casefold() in forms}
                if pattern
                else set()
            )
            found.append(_Candidate(sentence, member, position, entities, tokens(sentence)))
        per_article.append(found)
    # Round-robin, so every article (and language) contributes before any article's tail does.
    out: list[_Candidate] = []
    for position in range(PER_ARTICLE):
        for found in per_article:
            if position < len(found):
                out.append(found[position])
    return out[:MAX_CANDIDATES]


def _summary_size(stories: int) -> int:
    return min(5, max(3, stories))


def _coverage_summary(
    cands: Sequence[_Candidate], weights: Mapping[str, float], kp_weights: Mapping[str, float]
) -> list[tuple[_Candidate, float]]:
    scored: list[tuple[_Candidate, float]] = []
    for cand in cands:
        folded = fold(cand.text)
        score = sum(weights.get(e, 0.0) for e in cand.entities)
        score += 0.5 * sum(w for k, w in kp_weights.items() if k in folded)
        n_words = len(_WORD.findall(cand.text))
        if n_words < 6 or n_words > 60:
            score *= 0.6
        score += 0.25 * (1 - cand.position / PER_ARTICLE)
        scored.append((cand, score))
    chosen: list[tuple[_Candidate, float]] = []
    k = _summary_size(len({c.member.article.id for c in cands}))
    remaining = sorted(scored, key=lambda cs: -cs[1])
    while remaining and len(chosen) < k:
        best: tuple[_Candidate, float] | None = None
        best_value = -math.inf
        for cand, score in remaining:
            redundant = False
            for other, _ in chosen:
                union = cand.words | other.words
                overlap = len(cand.words & other.words) / len(union) if union else 0.0
                same_entities = len(cand.entities) >= 2 and cand.entities == other.entities
                if overlap > 0.5 or (same_entities and cand.member.lang != other.member.lang):
                    redundant = True
                    break
            if redundant:
                continue
            same_lang = sum(1 for other, _ in chosen if other.member.lang == cand.member.lang)
            value = score - 0.05 * same_lang
            if value > best_value:
                best, best_value = (cand, score), value
        if best is None:
            break
        chosen.append(best)
        remaining.remove(best)
    return chosen


def _centred(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(centred / norms, dtype=np.float32)


def _centrality(vectors: npt.NDArray[np.float32], groups: Sequence[str]) -> npt.NDArray[np.float64]:
    """Mean similarity of each row to the rows of other groups (other articles)."""
    if len(vectors) == 1:
        return np.ones(1)
    sims = _centred(vectors) @ _centred(vectors).T if len(vectors) > 2 else vectors @ vectors.T
    labels = np.asarray(groups)
    other = labels[:, None] != labels[None, :]
    if not other.any():
        other = ~np.eye(len(vectors), dtype=bool)
    counts = np.maximum(other.sum(axis=1), 1)
    return np.asarray((sims * other).sum(axis=1) / counts, dtype=np.float64)


def _embed_summary(cands: Sequence[_Candidate], vectors: npt.NDArray[np.float32]) -> list[tuple[_Candidate, float]]:
    central = _centrality(vectors, [c.member.article.id for c in cands])
    central += np.asarray([0.05 * (1 - c.position / PER_ARTICLE) for c in cands])
    sims = _centred(vectors) @ _centred(vectors).T if len(cands) > 2 else vectors @ vectors.T
    k = _summary_size(len({c.member.article.id for c in cands}))
    chosen: list[int] = []
    while len(chosen) < min(k, len(cands)):
        best, best_value = -1, -math.inf
        for i in range(len(cands)):
            if i in chosen:
                continue
            redundancy = max((float(sims[i, j]) for j in chosen), default=0.0)
            if redundancy > 0.75:
                continue
            value = float(central[i]) - 0.5 * max(redundancy, 0.0)
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
    return [(cands[i], float(central[i])) for i in chosen]


def _choose_headlines(
    originals: Sequence[_Member],
    weights: Mapping[str, float],
    title_scores: Mapping[str, float] | None,
    language: str,
) -> tuple[TextRef, list[TextRef]]:
    scored: list[tuple[float, str, _Member]] = []
    for member in originals:
        title = clean_title(member.article.title, member.article.outlet)
        if not title:
            first = split_sentences(member.article.text)[:1]
            title = first[0][:140] if first else member.article.id
        if title_scores is not None:
            score = title_scores.get(member.article.id, 0.0)
        else:
            ents = {m.entity_id for m in member.enrichment.entities} if member.enrichment else set()
            score = sum(weights.get(e, 0.0) for e in ents) / math.sqrt(1 + len(ents))
        if not 20 <= len(title) <= 160:
            score -= 0.2
        if member.root is not None:  # a translation: shown as its language's title, not as the headline
            score -= 10.0
        scored.append((score, title, member))
    scored.sort(key=lambda s: (-s[0], s[2].date or "9999", s[2].article.id))
    best = next((s for s in scored if s[2].lang == language and s[2].root is None), scored[0])
    headline = TextRef(best[1], best[2].article.id, best[2].lang, best[2].outlet, round(best[0], 4))
    by_lang: dict[str, tuple[float, str, _Member]] = {}
    for entry in scored:
        if entry[2].lang != headline.lang and entry[2].lang not in by_lang:
            by_lang[entry[2].lang] = entry
    langs = Counter(m.lang for m in originals)
    alts = sorted(by_lang.values(), key=lambda s: (-langs[s[2].lang], s[2].lang))[:6]
    return headline, [TextRef(t, m.article.id, m.lang, m.outlet, round(max(s, -1.0), 4)) for s, t, m in alts]


def _coverage(members: Mapping[str, _Member]) -> Coverage:
    rows: dict[tuple[str, str], CoverageRow] = {}
    stories: dict[str, CoverageArticle] = {}
    ordered = sorted(members.values(), key=lambda m: (m.date or "9999", m.article.id))
    for member in ordered:
        key = (member.lang, member.outlet)
        row = rows.get(key)
        if row is None:
            row = rows[key] = CoverageRow(member.lang, member.outlet, 0, 0, 0, member.date)
        if member.date and (row.first_date is None or member.date < row.first_date):
            row.first_date = member.date
        title = clean_title(member.article.title, member.article.outlet) or member.article.id
        if member.root is None:
            row.stories += 1
            story = CoverageArticle(member.article.id, title, member.lang, member.outlet, member.date)
            stories[member.article.id] = story
            row.articles.append(story)
        elif member.fold_kind == "duplicate":
            row.copies += 1
        else:
            row.translations += 1
    for member in ordered:
        if member.root is not None and member.root in stories:
            stories[member.root].folded.append(
                FoldedRef(
                    member.article.id, member.fold_kind or "duplicate",
                    clean_title(member.article.title, member.article.outlet) or member.article.id,
                    member.lang, member.outlet, member.date,
                )
            )
    langs = Counter(m.lang for m in members.values())
    lang_rank = {lang: i for i, (lang, _) in enumerate(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])))}
    ordered_rows = sorted(
        rows.values(), key=lambda r: (lang_rank[r.lang], -(r.stories + r.copies + r.translations), r.outlet)
    )
    return Coverage(
        rows=ordered_rows,
        articles=len(members),
        stories=sum(r.stories for r in ordered_rows),
        copies=sum(r.copies for r in ordered_rows),
        translations=sum(r.translations for r in ordered_rows),
        outlets=len({m.outlet for m in members.values()}),
        languages=sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def _quotes(originals: Sequence[_Member], limit: int = 30) -> list[QuoteRef]:
    seen: set[str] = set()
    out: list[QuoteRef] = []
    for member in sorted(originals, key=lambda m: (m.date or "9999", m.article.id)):
        if member.enrichment is None:
            continue
        for quote in member.enrichment.quotes:
            key = " ".join(_WORD.findall(fold(quote.text)))
            if not key or key in seen:
                continue
            seen.add(key)
            out.append(
                QuoteRef(quote.text, quote.speaker, quote.speaker_entity_id, quote.kind,
                         member.article.id, member.lang, member.outlet)
            )
    out.sort(key=lambda q: (q.kind != "direct", q.speaker is None))
    return out[:limit]


def _mentioned_dates(originals: Sequence[_Member]) -> list[str]:
    dates: Counter[str] = Counter()
    for member in originals:
        estimate = member.enrichment.date_estimate if member.enrichment else None
        if estimate is not None and estimate.date and estimate.confidence >= 0.5:
            dates[estimate.date[:10]] += 1
    return [d for d, _ in dates.most_common(3)]


def compute_digest(
    store: Store,
    event: Event,
    *,
    method: str = "coverage",
    embedder: Embedder | None = None,
    language: str | None = None,
) -> EventDigest:
    """Work out the digest of ``event`` from its articles, enrichments and links (no cache).
    Its headline is in ``language`` (default: the parameters' ``label_language``, as the event's
    label) when one of its articles is."""
    if method not in METHODS:
        raise ValueError(f"unknown summary method {method!r}: use one of {', '.join(METHODS)}")
    started = time.perf_counter()
    members: dict[str, _Member] = {}
    for article_id in event.article_ids:
        article = store.get_article(article_id)
        if article is None:
            continue
        members[article_id] = _Member(article, store.get_enrichment(article_id), store.article_link(article_id))
    _fold_members(members)
    originals = [m for m in members.values() if m.fold_kind != "duplicate"]
    stories = [m for m in originals if m.root is None] or originals
    refs, weights = _entity_stats(originals)
    kp_weights, kp_shown = _keyphrase_weights(originals)
    cands = _candidates(stories)
    title_scores: dict[str, float] | None = None
    chosen: list[tuple[_Candidate, float]]
    used = method
    if method == "embed" and embedder is not None and stories:
        titles = [clean_title(m.article.title, m.article.outlet) or m.article.id for m in stories]
        vectors = np.asarray(embedder.embed([c.text for c in cands] + titles), dtype=np.float32)
        sent_vecs, title_vecs = vectors[: len(cands)], vectors[len(cands):]
        chosen = _embed_summary(cands, sent_vecs) if cands else []
        central = _centrality(title_vecs, [m.article.id for m in stories])
        title_scores = {m.article.id: float(c) for m, c in zip(stories, central, strict=True)}
    else:
        used = "coverage"
        vectors_by_id = {
            m.article.id: np.asarray(m.enrichment.vector, dtype=np.float32)
            for m in stories
            if m.enrichment is not None and m.enrichment.vector
        }
        if len(vectors_by_id) >= 2 and len(vectors_by_id) == len(stories):
            ids = list(vectors_by_id)
            matrix = np.stack([vectors_by_id[i] for i in ids])
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            central = _centrality(np.asarray(matrix / norms, dtype=np.float32), ids)
            title_scores = {i: float(c) for i, c in zip(ids, central, strict=True)}
        chosen = _coverage_summary(cands, weights, kp_weights)
    if not stories:
        headline, alts = TextRef(event.label or event.id, "", "unknown"), list[TextRef]()
    else:
        headline, alts = _choose_headlines(originals, weights, title_scores,
                                           language or load_params().label_language)
    ranked = sorted(refs.values(), key=lambda r: (-r.articles, -r.mentions, r.name))
    who = [r for r in ranked if r.type == "PER"][:6] + [r for r in ranked if r.type == "ORG"][:4]
    where = [r for r in ranked if r.type == "LOC"][:5]
    what = [kp_shown[k] for k, _ in sorted(kp_weights.items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
    if not what:
        what = [r.name for r in ranked if r.type == "MISC"][:5]
    dates = sorted(d for d in (m.date for m in members.values()) if d)
    when = When(
        event.first_date[:10] if event.first_date else (dates[0] if dates else None),
        event.last_date[:10] if event.last_date else (dates[-1] if dates else None),
        _mentioned_dates(originals),
    )
    digest = EventDigest(
        event_id=event.id,
        member_hash=member_hash((m.article.id, m.article.content_hash, m.article.status) for m in members.values()),
        method=used,
        computed_ms=0.0,
        headline=headline,
        alt_headlines=alts,
        summary=[
            TextRef(c.text, c.member.article.id, c.member.lang, c.member.outlet, round(score, 4))
            for c, score in chosen
        ],
        who=who,
        what=what,
        where=where,
        when=when,
        entities=ranked[:30],
        quotes=_quotes(originals),
        coverage=_coverage(members),
    )
    digest.computed_ms = round((time.perf_counter() - started) * 1000, 1)
    return digest


# -- the cache -------------------------------------------------------------------------


def load_cached(store: Store, event_id: str, expected_hash: str | None = None) -> EventDigest | None:
    """The cached digest of an event, if any and (when ``expected_hash`` is given) still current."""
    blob = store.get_state(state_key(event_id))
    if blob is None:
        return None
    try:
        if blob[:1] == b"\x78":  # zlib-compressed (as saved); plain JSON starts with "{"
            blob = zlib.decompress(blob)
        data = json.loads(blob.decode("utf-8"))
        if data.get("version") != DIGEST_VERSION:
            return None
        digest = EventDigest.from_dict(data)
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        log.warning("ignoring unreadable cached digest of %s: %s", event_id, exc)
        return None
    if expected_hash is not None and digest.member_hash != expected_hash:
        return None
    return digest


def save_digest(store: Store, digest: EventDigest) -> None:
    """Cache ``digest`` in the store's state (compressed JSON, a few KB an event)."""
    data = json.dumps(digest.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    store.put_state(state_key(digest.event_id), zlib.compress(data, 6))


MemberInfo = Callable[[str], tuple[str, str] | None]


def current_hash(store: Store, event: Event, info: MemberInfo | None = None) -> str:
    """The member hash of ``event`` as the store holds it now (``info`` gives (content hash, status) fast)."""
    rows: list[tuple[str, str, str]] = []
    for article_id in event.article_ids:
        known = info(article_id) if info else None
        if known is None:
            article = store.get_article(article_id)
            if article is None:
                continue
            known = (article.content_hash, article.status)
        rows.append((article_id, known[0], known[1]))
    return member_hash(rows)


def get_digest(
    store: Store,
    event: Event,
    *,
    method: str = "coverage",
    embedder: Embedder | None = None,
    info: MemberInfo | None = None,
    save: bool = True,
) -> EventDigest:
    """The digest of ``event``: from the cache when current, else computed (and cached).

    A cached embedding digest also answers a request for ``coverage`` (it is the better one);
    a request for ``embed`` recomputes a cached coverage digest when an embedder is given.
    """
    expected = current_hash(store, event, info)
    cached = load_cached(store, event.id, expected)
    if cached is not None and (cached.method == "embed" or method == "coverage" or embedder is None):
        return cached
    digest = compute_digest(store, event, method=method, embedder=embedder)
    if save:
        try:
            save_digest(store, digest)
        except Exception as exc:  # a read-only or busy store still gets its page
            log.warning("could not cache the digest of %s: %s", event.id, exc)
    return digest
