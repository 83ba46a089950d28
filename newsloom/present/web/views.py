"""What each page shows, as plain dataclasses: the HTML pages render them, the API returns them.

Nothing here knows about HTTP; ``ViewContext`` carries the store (this thread's connection),
the catalog snapshot and the digest settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

from newsloom.model import Entity, EntityMention
from newsloom.present.digest import (
    EventDigest,
    QuoteRef,
    get_digest,
    load_cached,
    mention_pattern,
    outlet_name,
)
from newsloom.store import ArticleFilter, Store, searchtext

from .catalog import Catalog, EventMeta, Filters, StorylineMeta
from .timeline import TimelineItem, lang_color, timeline_svg


class NotFound(LookupError):
    """An id the store does not know."""


# -- records ---------------------------------------------------------------------------


@dataclass
class LangCount:
    lang: str
    count: int
    color: str


@dataclass
class NameCount:
    name: str
    count: int


@dataclass
class EntityBrief:
    id: str
    name: str
    type: str


@dataclass
class ArticleBrief:
    id: str
    title: str
    lang: str
    outlet: str
    published: str | None
    url: str | None
    event_id: str | None
    storyline_id: str | None


@dataclass
class EventBrief:
    id: str
    headline: str
    first_date: str | None
    last_date: str | None
    storyline_id: str | None
    articles: int
    languages: list[LangCount]
    outlets: list[NameCount]
    key_entities: list[EntityBrief]


@dataclass
class StorylineBrief:
    id: str
    label: str
    first_date: str | None
    last_date: str | None
    events: int
    articles: int
    languages: list[LangCount]
    outlets: list[NameCount]
    key_entities: list[EntityBrief]
    matching_events: list[str] = field(default_factory=list)  # ids matching the filters (all when none)


@dataclass
class StorylineList:
    items: list[StorylineBrief]
    total: int
    limit: int
    offset: int


@dataclass
class StorylineDetail:
    storyline: StorylineBrief
    events: list[EventBrief]
    requested_id: str


@dataclass
class EventList:
    items: list[EventBrief]
    total: int
    limit: int
    offset: int


@dataclass
class EventDetail:
    event: EventBrief
    digest: EventDigest
    articles: list[ArticleBrief]
    storyline: StorylineBrief | None
    requested_id: str


@dataclass
class ArticleList:
    items: list[ArticleBrief]
    total: int
    limit: int
    offset: int


@dataclass
class RemovedOut:
    line: str
    reason: str


@dataclass
class MentionOut:
    entity_id: str
    name: str
    type: str
    surface: list[str]
    count: int


@dataclass
class ArticleDetail:
    article: ArticleBrief
    text: str
    paragraphs: list[str]
    removed: list[RemovedOut]
    published_source: str | None
    lang_confidence: float | None
    status: str
    entities: list[MentionOut]
    quotes: list[QuoteRef]
    keyphrases: list[str]
    duplicate_of: ArticleBrief | None
    translation_of: ArticleBrief | None
    event: EventBrief | None
    storyline: StorylineBrief | None


@dataclass
class AliasGroup:
    lang: str
    forms: list[str]


@dataclass
class EntityListItem:
    id: str
    name: str
    type: str
    article_count: int
    mention_count: int


@dataclass
class EntityList:
    items: list[EntityListItem]
    total: int
    limit: int
    offset: int


@dataclass
class EntityEvent:
    event: EventBrief
    mentions: int  # articles of the event that name the entity


@dataclass
class EntityDetail:
    entity: EntityListItem
    aliases: list[AliasGroup]
    first_date: str | None
    last_date: str | None
    events: list[EntityEvent]
    storylines: list[StorylineBrief]
    articles: int


@dataclass
class SearchHit:
    article: ArticleBrief
    snippet: str
    snippet_html: str
    highlights: list[list[int]]


@dataclass
class SearchResults:
    query: str
    items: list[SearchHit]
    total: int
    limit: int
    offset: int
    total_capped: bool


@dataclass
class Facets:
    articles: int
    events: int
    storylines: int
    first_date: str | None
    last_date: str | None
    languages: list[LangCount]
    outlets: list[NameCount]
    entities: list[EntityListItem]


# -- context ---------------------------------------------------------------------------

#: How many search hits are read to count the total (and to filter by entity).
SEARCH_CAP = 500


@dataclass
class ViewContext:
    store: Store
    catalog: Catalog
    on_digest: Callable[[str, EventDigest], object] | None = None  # e.g. queue an embedding summary
    headlines: dict[str, str] = field(default_factory=dict)  # event id → digest headline, shared
    _entities: dict[str, Entity | None] = field(default_factory=dict)

    def entity(self, entity_id: str) -> Entity | None:
        if entity_id not in self._entities:
            self._entities[entity_id] = self.store.get_entity(entity_id)
        return self._entities[entity_id]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def lang_counts(pairs: Sequence[tuple[str, int]]) -> list[LangCount]:
    return [LangCount(lang, n, lang_color(lang)) for lang, n in pairs]


def entity_briefs(ctx: ViewContext, ids: Sequence[str], limit: int = 6) -> list[EntityBrief]:
    """Entities by id, or by name (events and storylines keep their key entities' names)."""
    out: list[EntityBrief] = []
    for value in ids[:limit]:
        found = ctx.entity(value)
        if found is None:
            found = next((e for e in ctx.store.list_entities(query=value, limit=10) if e.name == value), None)
        out.append(EntityBrief(found.id, found.name, found.type) if found else EntityBrief(value, value, "MISC"))
    return out


def resolve_entity(store: Store, value: str | None) -> str | None:
    """An entity id from an id or a name (``None`` stays ``None``; unknown raises ``NotFound``)."""
    if not value:
        return None
    if store.get_entity(value) is not None:
        return value
    found = store.list_entities(query=value, limit=1)
    if not found:
        raise NotFound(f"no entity {value!r}")
    return found[0].id


def article_brief(ctx: ViewContext, article_id: str) -> ArticleBrief | None:
    meta = ctx.catalog.articles.get(article_id)
    if meta is None:
        article = ctx.store.get_article(article_id)
        if article is None:
            return None
        link = ctx.store.article_link(article_id)
        event_id = link.event_id if link else None
        return ArticleBrief(
            article.id, article.title, article.lang or "unknown", outlet_name(article),
            article.published, article.url, event_id, _storyline_of(ctx, event_id),
        )
    event_id = ctx.catalog.article_event.get(article_id)
    return ArticleBrief(
        meta.id, meta.title, meta.lang, meta.outlet, meta.published, meta.url, event_id,
        _storyline_of(ctx, event_id),
    )


def _storyline_of(ctx: ViewContext, event_id: str | None) -> str | None:
    if event_id is None:
        return None
    meta = ctx.catalog.events.get(event_id)
    return meta.storyline_id if meta else None


def event_brief(ctx: ViewContext, meta: EventMeta, *, headline: bool = True) -> EventBrief:
    title = ctx.headlines.get(meta.id) or meta.label
    if headline and meta.id not in ctx.headlines:
        cached = load_cached(ctx.store, meta.id)
        if cached is not None:
            title = ctx.headlines[meta.id] = cached.headline.text
    return EventBrief(
        meta.id, title, _iso(meta.start), _iso(meta.end), meta.storyline_id, meta.size,
        lang_counts(meta.langs), [NameCount(o, n) for o, n in meta.outlets],
        entity_briefs(ctx, meta.event.key_entities, 5),
    )


def storyline_brief(ctx: ViewContext, meta: StorylineMeta, matching: set[str] | None = None) -> StorylineBrief:
    label = meta.storyline.label.strip()
    if not label and meta.event_ids:
        label = ctx.catalog.events[meta.event_ids[0]].label
    return StorylineBrief(
        meta.id, label or meta.id, _iso(meta.start), _iso(meta.end), len(meta.event_ids), meta.articles,
        lang_counts(meta.langs), [NameCount(o, n) for o, n in meta.outlets],
        entity_briefs(ctx, meta.storyline.key_entities, 6),
        sorted(matching) if matching is not None else list(meta.event_ids),
    )


def _page_bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(1, limit), max(0, offset)


# -- storylines ------------------------------------------------------------------------

SORTS = ("recent", "largest", "oldest")


def storylines(ctx: ViewContext, filters: Filters, *, sort: str = "recent", limit: int = 20,
               offset: int = 0) -> StorylineList:
    found = ctx.catalog.filter_storylines(ctx.store, filters)
    if sort == "recent":
        found.sort(key=lambda sm: (sm[0].end or date.min), reverse=True)
    elif sort == "oldest":
        found.sort(key=lambda sm: (sm[0].start or date.max))
    limit, offset = _page_bounds(limit, offset)
    items = [storyline_brief(ctx, meta, matching) for meta, matching in found[offset : offset + limit]]
    return StorylineList(items, len(found), limit, offset)


def resolve_storyline(ctx: ViewContext, storyline_id: str) -> str | None:
    """The live id for ``storyline_id``: itself, or where a storyline left with no event
    redirects (its events went there); None when unknown."""
    if storyline_id in ctx.catalog.storylines:
        return storyline_id
    resolved = ctx.store.get_storyline(storyline_id)
    return resolved.id if resolved is not None and resolved.id in ctx.catalog.storylines else None


def storyline_detail(ctx: ViewContext, storyline_id: str, filters: Filters | None = None) -> StorylineDetail:
    live_id = resolve_storyline(ctx, storyline_id)
    if live_id is None:
        raise NotFound(f"no storyline {storyline_id!r}")
    meta = ctx.catalog.storylines[live_id]
    filters = filters or Filters()
    matching = {m.id for m in ctx.catalog.filter_events(ctx.store, filters, live_id)}
    events = [event_brief(ctx, ctx.catalog.events[i]) for i in meta.event_ids]
    return StorylineDetail(storyline_brief(ctx, meta, matching), events, storyline_id)


def storyline_timeline(
    ctx: ViewContext,
    brief: StorylineBrief,
    href: Callable[[str], str | None],
    *,
    compact: bool = False,
    max_size: int | None = None,
    labels: dict[str, str] | None = None,
    width: int = 960,
    label_top: int | None = None,
) -> Markup:
    """The SVG timeline of a storyline; events outside the filters are dimmed."""
    meta = ctx.catalog.storylines[brief.id]
    matching = set(brief.matching_events)
    items = [
        TimelineItem(
            ev.id, ev.start, ev.end, ev.size, ev.langs,
            (labels or {}).get(ev.id) or ctx.headlines.get(ev.id) or ev.label, href(ev.id),
            dim=ev.id not in matching,
        )
        for ev in (ctx.catalog.events[i] for i in meta.event_ids)
        if ev.start is not None
    ]
    svg, _ = timeline_svg(items, compact=compact, max_size=max_size, width=width, label_top=label_top,
                          title=f"Timeline of the storyline {brief.label}: {len(items)} events")
    return svg


def largest_event(ctx: ViewContext) -> int:
    return max((m.size for m in ctx.catalog.events.values()), default=1)


# -- events ----------------------------------------------------------------------------


def events(ctx: ViewContext, filters: Filters, *, storyline_id: str | None = None, sort: str = "recent",
           limit: int = 20, offset: int = 0) -> EventList:
    found = ctx.catalog.filter_events(ctx.store, filters, storyline_id)
    if sort == "recent":
        found.sort(key=lambda m: (m.start or date.min, m.id), reverse=True)
    elif sort == "largest":
        found.sort(key=lambda m: (-m.size, m.id))
    limit, offset = _page_bounds(limit, offset)
    return EventList([event_brief(ctx, m) for m in found[offset : offset + limit]], len(found), limit, offset)


def event_detail(ctx: ViewContext, event_id: str) -> EventDetail:
    event = ctx.store.get_event(event_id)
    if event is None:
        raise NotFound(f"no event {event_id!r}")
    digest = get_digest(ctx.store, event, method="coverage", info=ctx.catalog.member_info)
    ctx.headlines[event.id] = digest.headline.text
    if ctx.on_digest is not None:
        ctx.on_digest(event.id, digest)
    meta = ctx.catalog.events.get(event.id)
    if meta is None:  # newer than the snapshot
        meta = EventMeta(event, None, None, [], [], event.label or event.id, event.storyline_id)
    brief = event_brief(ctx, meta, headline=False)
    brief.headline = digest.headline.text
    if meta.start is None:
        brief.first_date, brief.last_date = digest.when.first, digest.when.last
    if not brief.languages:
        brief.languages = lang_counts(digest.coverage.languages)
    articles = [b for b in (article_brief(ctx, i) for i in event.article_ids) if b is not None]
    storyline = None
    if meta.storyline_id and meta.storyline_id in ctx.catalog.storylines:
        storyline = storyline_brief(ctx, ctx.catalog.storylines[meta.storyline_id])
    return EventDetail(brief, digest, articles, storyline, event_id)


# -- articles --------------------------------------------------------------------------


def _article_filter(filters: Filters) -> ArticleFilter:
    """The store's filter for what ``search`` can restrict itself."""
    return ArticleFilter(lang=filters.lang, outlet=filters.outlet, since=filters.since, until=filters.until)


def articles(ctx: ViewContext, filters: Filters, *, limit: int = 20, offset: int = 0) -> ArticleList:
    """Articles in the store's order, from the catalog's metadata (no text is read)."""
    limit, offset = _page_bounds(limit, offset)
    ids = ctx.catalog.filter_article_ids(ctx.store, filters)
    page = [b for b in (article_brief(ctx, i) for i in ids[offset : offset + limit]) if b]
    return ArticleList(page, len(ids), limit, offset)


def article_detail(ctx: ViewContext, article_id: str) -> ArticleDetail:
    article = ctx.store.get_article(article_id)
    if article is None:
        raise NotFound(f"no article {article_id!r}")
    enrichment = ctx.store.get_enrichment(article_id)
    link = ctx.store.article_link(article_id)
    event_id = link.event_id if link else ctx.catalog.article_event.get(article_id)
    event = None
    storyline = None
    if event_id:
        resolved = ctx.store.get_event(event_id)
        meta = ctx.catalog.events.get(resolved.id) if resolved else None
        if meta is not None:
            event = event_brief(ctx, meta)
            if meta.storyline_id and meta.storyline_id in ctx.catalog.storylines:
                storyline = storyline_brief(ctx, ctx.catalog.storylines[meta.storyline_id])
    brief = ArticleBrief(
        article.id, article.title, article.lang or "unknown", outlet_name(article),
        article.published, article.url, event.id if event else event_id, storyline.id if storyline else None,
    )
    mentions = enrichment.entities if enrichment else []
    quotes = [
        QuoteRef(q.text, q.speaker, q.speaker_entity_id, q.kind, article.id, brief.lang, brief.outlet)
        for q in (enrichment.quotes if enrichment else [])
    ]
    return ArticleDetail(
        article=brief,
        text=article.text,
        paragraphs=article.paragraphs,
        removed=[RemovedOut(r.line, r.reason) for r in article.removed],
        published_source=article.published_source,
        lang_confidence=article.lang_confidence,
        status=article.status,
        entities=[MentionOut(m.entity_id, m.name, m.type, list(m.surface), m.count)
                  for m in sorted(mentions, key=lambda m: (-m.count, m.name))],
        quotes=quotes,
        keyphrases=list(enrichment.keyphrases) if enrichment else [],
        duplicate_of=article_brief(ctx, link.duplicate_of) if link and link.duplicate_of else None,
        translation_of=article_brief(ctx, link.translation_of) if link and link.translation_of else None,
        event=event,
        storyline=storyline,
    )


_TYPE = re.compile(r"^[A-Z]{2,5}$")


def highlight_paragraphs(
    paragraphs: Sequence[str], mentions: Sequence[EntityMention] | Sequence[MentionOut],
    href: Callable[[str], str | None],
) -> list[Markup]:
    """Paragraphs as HTML with each entity's surface forms marked (text escaped first)."""
    as_mentions = [
        m if isinstance(m, EntityMention) else EntityMention(m.entity_id, m.name, m.type, tuple(m.surface), m.count)
        for m in mentions
    ]
    pattern, forms = mention_pattern(as_mentions)
    types = {m.entity_id: (m.type if _TYPE.match(m.type) else "MISC") for m in as_mentions}
    names = {m.entity_id: m.name for m in as_mentions}
    out: list[Markup] = []
    for paragraph in paragraphs:
        if pattern is None:
            out.append(escape(paragraph))
            continue
        pieces: list[str] = []
        position = 0
        for match in pattern.finditer(paragraph):
            entity_id = forms.get(match.group(0).casefold())
            if entity_id is None:
                continue
            pieces.append(str(escape(paragraph[position : match.start()])))
            kind = types[entity_id]
            label = escape(f"{names[entity_id]} ({kind})")
            text = escape(match.group(0))
            link = href(entity_id)
            if link:
                pieces.append(f'<a class="ent ent-{kind}" href="{escape(link)}" title="{label}">{text}</a>')
            else:
                pieces.append(f'<mark class="ent ent-{kind}" title="{label}">{text}</mark>')
            position = match.end()
        pieces.append(str(escape(paragraph[position:])))
        out.append(Markup("".join(pieces)))
    return out


# -- entities --------------------------------------------------------------------------


def _entity_item(entity: Entity) -> EntityListItem:
    return EntityListItem(entity.id, entity.name, entity.type, entity.article_count, entity.mention_count)


def entities(ctx: ViewContext, *, query: str | None = None, type: str | None = None, limit: int = 50,
             offset: int = 0) -> EntityList:
    limit, offset = _page_bounds(limit, offset)
    page = ctx.store.list_entities(type=type, query=query or None, limit=limit + 1, offset=offset)
    more = len(page) > limit
    total = offset + len(page)
    if more:  # count the rest without loading it all at once
        step = 1000
        while True:
            chunk = ctx.store.list_entities(type=type, query=query or None, limit=step, offset=total)
            total += len(chunk)
            if len(chunk) < step:
                break
    return EntityList([_entity_item(e) for e in page[:limit]], total, limit, offset)


def entity_detail(ctx: ViewContext, entity_id: str) -> EntityDetail:
    entity = ctx.store.get_entity(entity_id)
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}")
    counts = ctx.catalog.entity_events(ctx.store, entity_id)
    metas = sorted((ctx.catalog.events[i] for i in counts), key=lambda m: (m.start or date.max, m.id))
    story_ids: list[str] = []
    for meta in metas:
        if meta.storyline_id and meta.storyline_id not in story_ids and meta.storyline_id in ctx.catalog.storylines:
            story_ids.append(meta.storyline_id)
    event_set = set(counts)
    stories = [
        storyline_brief(ctx, ctx.catalog.storylines[s], {i for i in ctx.catalog.storylines[s].event_ids
                                                          if i in event_set})
        for s in story_ids
    ]
    article_ids = ctx.catalog.entity_articles(ctx.store, entity_id)
    days = sorted(d for d in (ctx.catalog.articles[i].date for i in article_ids if i in ctx.catalog.articles) if d)
    aliases = [AliasGroup(lang, sorted(set(forms))) for lang, forms in sorted(entity.aliases.items())]
    return EntityDetail(
        entity=_entity_item(entity),
        aliases=aliases,
        first_date=days[0] if days else None,
        last_date=days[-1] if days else None,
        events=[EntityEvent(event_brief(ctx, m), counts[m.id]) for m in metas],
        storylines=stories,
        articles=len(article_ids),
    )


def entity_timeline(ctx: ViewContext, detail: EntityDetail, href: Callable[[str], str | None]) -> Markup:
    items = []
    for entry in detail.events:
        meta = ctx.catalog.events[entry.event.id]
        if meta.start is None:
            continue
        items.append(TimelineItem(meta.id, meta.start, meta.end, meta.size, meta.langs, entry.event.headline,
                                  href(meta.id), extra=f"{entry.mentions} mention {detail.entity.name}"))
    svg, _ = timeline_svg(items, title=f"Events naming {detail.entity.name} over time")
    return svg


# -- search ----------------------------------------------------------------------------


def snippet_parts(snippet: str) -> tuple[str, str, list[list[int]]]:
    """(plain text, HTML with <mark>, [start, end] of each hit in the plain text) of an FTS snippet.

    The text is escaped first; only then do the \\x02 / \\x03 markers become ``<mark>`` tags.
    """
    plain: list[str] = []
    spans: list[list[int]] = []
    position = 0
    start: int | None = None
    for char in snippet:
        if char == "\x02":
            start = position
        elif char == "\x03":
            if start is not None:
                spans.append([start, position])
            start = None
        else:
            plain.append(char)
            position += 1
    html = str(escape(snippet))
    html = html.replace("\x02", "<mark>").replace("\x03", "</mark>")
    if html.count("<mark>") != html.count("</mark>"):
        html = str(escape("".join(plain)))
    return "".join(plain), html, spans


def search(ctx: ViewContext, query: str, filters: Filters, *, limit: int = 20, offset: int = 0) -> SearchResults:
    limit, offset = _page_bounds(limit, offset)
    where = _article_filter(filters)
    allowed = ctx.catalog.entity_articles(ctx.store, filters.entity) if filters.entity else None
    if allowed is None and offset + limit >= SEARCH_CAP:
        hits = ctx.store.search(query, where, limit=limit, offset=offset)
        probe = ctx.store.search(query, where, limit=1, offset=offset + limit)
        total = offset + len(hits) + len(probe)
        capped = bool(probe)
    else:
        # Snippets only for the page shown: cutting them is the costly part of a hit.
        everything = ctx.store.search(query, where, limit=SEARCH_CAP + 1, offset=0, snippets=False)
        capped = len(everything) > SEARCH_CAP
        everything = everything[:SEARCH_CAP]
        if allowed is not None:
            everything = [(a, s) for a, s in everything if a.id in allowed]
        total = len(everything)
        words = searchtext.query_words(query)
        hits = [(a, searchtext.snippet(a.text, words)) for a, _ in everything[offset : offset + limit]]
    items: list[SearchHit] = []
    for article, snippet in hits:
        event_id = ctx.catalog.article_event.get(article.id)
        brief = ArticleBrief(article.id, article.title, article.lang or "unknown",
                             outlet_name(article), article.published, article.url,
                             event_id, _storyline_of(ctx, event_id))
        plain, html, spans = snippet_parts(snippet)
        items.append(SearchHit(brief, plain, html, spans))
    return SearchResults(query, items, total, limit, offset, capped)


# -- facets ----------------------------------------------------------------------------


def facets(ctx: ViewContext, *, top_entities: int = 100) -> Facets:
    catalog = ctx.catalog
    days = sorted(d for d in (a.date for a in catalog.articles.values()) if d)
    return Facets(
        articles=len(catalog.articles),
        events=len(catalog.events),
        storylines=len(catalog.storylines),
        first_date=days[0] if days else None,
        last_date=days[-1] if days else None,
        languages=lang_counts(catalog.languages),
        outlets=[NameCount(o, n) for o, n in catalog.outlets],
        entities=[_entity_item(e) for e in ctx.store.list_entities(limit=top_entities)],
    )
