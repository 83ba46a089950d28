"""The records that travel through the pipeline.

Data flows ``SourceItem`` (what a source yields) → ``Article`` (extracted, cleaned, with
language and date) → ``Enrichment`` (entities, quotes, vectors) → ``Event`` → ``Storyline``.
Every record is a plain dataclass so that stages stay functions of data, easy to test and
to ship to another process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

ItemKind = Literal["text", "html"]


def day_of(value: str | None) -> date | None:
    """The date part of an ISO 8601 date or datetime string, or None when there is none."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class SourceItem:
    """One document as a source yields it, before extraction and cleaning.

    ``origin`` names where it came from (a path or URL; ``path#N`` for the N-th record of a
    container such as a JSONL file, a WARC or a feed). Metadata fields are what the input
    itself declared; ``None`` when it declared nothing.
    """

    origin: str
    kind: ItemKind
    content: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    lang: str | None = None
    published: str | None = None
    outlet: str | None = None
    group: str | None = None  # folder or feed a scraper dumped it into; stands in for a missing outlet


@dataclass(frozen=True)
class SourceFailure:
    """An input that could not be read: which one, and why, in words a user can act on."""

    origin: str
    reason: str


@dataclass(frozen=True)
class RemovedLine:
    """A line the cleaner took out of an article, kept so a user can see what went."""

    line: str
    reason: str


@dataclass
class Article:
    """An extracted, cleaned article with its language and publication date."""

    id: str
    origin: str
    kind: ItemKind
    raw: str
    title: str
    text: str
    content_hash: str
    removed: list[RemovedLine] = field(default_factory=list)
    url: str | None = None
    outlet: str | None = None
    group: str | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    published: str | None = None  # ISO 8601 date or datetime
    published_source: str | None = None  # metadata | html | url | dateline
    ingested_at: str = ""
    status: str = "ingested"  # ingested → enriched → clustered; failed: parked (Store.fail_articles)

    @property
    def paragraphs(self) -> list[str]:
        """The cleaned text split into its non-empty paragraphs."""
        return [p.strip() for p in self.text.split("\n") if p.strip()]


@dataclass(frozen=True)
class EntityMention:
    """A canonical entity as it occurs in one article."""

    entity_id: str
    name: str  # canonical name
    type: str  # PER | ORG | LOC | MISC
    surface: tuple[str, ...]  # the forms the article used
    count: int


@dataclass(frozen=True)
class Quote:
    """A quotation and who said it (``speaker`` is ``None`` when unknown)."""

    text: str
    speaker: str | None
    speaker_entity_id: str | None
    kind: Literal["direct", "reported"]
    start: int  # character offset in the article text


@dataclass(frozen=True)
class DateEstimate:
    """A date inferred from the content, with what it rests on and how sure it is."""

    date: str | None  # ISO date, or None when the evidence does not support one
    confidence: float
    evidence: tuple[str, ...]


@dataclass
class Enrichment:
    """What understanding one article adds: entities, quotes, key phrases, dates, vector."""

    article_id: str
    entities: list[EntityMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    keyphrases: list[str] = field(default_factory=list)
    date_estimate: DateEstimate | None = None
    vector: list[float] | None = None
    #: Body characters after the title that ``vector`` was embedded from (``EnrichOptions.lead_chars``;
    #: ``watch --latency-target`` lowers it when it falls behind). None: not recorded (older stores).
    lead_chars: int | None = None


@dataclass
class Entity:
    """A canonical entity across the corpus: one identity for all its spellings and languages."""

    id: str
    name: str
    type: str  # PER | ORG | LOC | MISC
    aliases: dict[str, list[str]] = field(default_factory=dict)  # language → surface forms seen
    article_count: int = 0
    mention_count: int = 0


@dataclass
class Event:
    """Articles about one real-world happening, across languages and outlets."""

    id: str
    article_ids: list[str]
    label: str = ""
    first_date: str | None = None
    last_date: str | None = None
    storyline_id: str | None = None
    languages: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    key_entities: list[str] = field(default_factory=list)
    merged_into: str | None = None  # set when this event was merged away: its id redirects there


@dataclass
class Storyline:
    """Events linked over weeks and months into one timeline (events in date order)."""

    id: str
    event_ids: list[str]
    label: str = ""
    key_entities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    merged_into: str | None = None  # set when its events all went to another storyline: its id redirects there


@dataclass(frozen=True)
class ArticleLink:
    """Where one article sits: its event, and whether it copies or translates another article."""

    article_id: str
    event_id: str
    duplicate_of: str | None = None  # exact or near-duplicate of this (likely original) article
    translation_of: str | None = None  # translation or close rewrite of this article
