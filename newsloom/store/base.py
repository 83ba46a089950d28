"""The storage interface every backend implements.

The pipeline, the CLI and the server talk only to ``Store``. The SQLite backend is the
embedded default; the PostgreSQL backend implements the same methods, and the shared test
suite (``tests/store``) runs against each.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from newsloom.model import Article, ArticleLink, Enrichment, Entity, Event, SourceFailure, Storyline


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a listing wants; ``None`` means no restriction."""

    lang: str | None = None
    outlet: str | None = None
    since: str | None = None  # ISO date, inclusive, on the publication date
    until: str | None = None  # ISO date, inclusive
    status: str | None = None
    group: str | None = None

    def conditions(self) -> list[tuple[str, str, Any]]:
        """``(column, operator, value)`` of each restriction, for a backend to render in its SQL."""
        out: list[tuple[str, str, Any]] = [
            (column, "=", value)
            for column, value in (("lang", self.lang), ("outlet", self.outlet), ("status", self.status),
                                  ("grp", self.group))
            if value is not None
        ]
        if self.since is not None:
            out.append(("published_date", ">=", self.since[:10]))
        if self.until is not None:
            out.append(("published_date", "<=", self.until[:10]))
        return out


@dataclass(frozen=True)
class StoredFailure:
    """A failure recorded during a run."""

    run_id: int
    origin: str
    reason: str
    at: str


@dataclass(frozen=True)
class ArticleTiming:
    """When one article went through the pipeline: ISO 8601 UTC timestamps to the millisecond.

    ``arrived_at`` is when a watcher first saw the input, the others when the phase that handled
    the article ended; ``published`` is the article's publication time as stored with it.
    """

    article_id: str
    arrived_at: str | None = None
    ingested_at: str | None = None
    enriched_at: str | None = None
    clustered_at: str | None = None
    published: str | None = None


Row = TypeVar("Row")


def follow_redirects(first: str, fetch: Callable[[str], Row | None],
                     merged_into: Callable[[Row], str | None]) -> Row | None:
    """The row that id ``first`` leads to along ``merged_into`` links (a merged event or storyline
    redirects where its content went); None when a link leads nowhere or they loop."""
    seen: set[str] = set()
    current = first
    while current not in seen:
        seen.add(current)
        row = fetch(current)
        if row is None:
            return None
        target = merged_into(row)
        if target is None:
            return row
        current = target
    return None


class Store(ABC):
    """Articles, their enrichment, failures, runs and pipeline state, behind one interface.

    Every write method is one transaction: it either stores all it was given or nothing.
    """

    # -- runs and failures -------------------------------------------------------------
    @abstractmethod
    def start_run(self, command: str) -> int:
        """Record the start of a run and return its id."""

    @abstractmethod
    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        """Record the end of a run with its summary."""

    @abstractmethod
    def add_failures(self, run_id: int, failures: Sequence[SourceFailure]) -> None:
        """Record inputs that could not be processed in this run."""

    @abstractmethod
    def failures(self, run_id: int | None = None) -> list[StoredFailure]:
        """Failures of one run, or of the latest run when ``run_id`` is None."""

    # -- articles ----------------------------------------------------------------------
    @abstractmethod
    def article_fingerprint(self, article_id: str) -> tuple[str, str] | None:
        """``(content_hash, origin)`` of a stored article, or None when the id is unknown."""

    @abstractmethod
    def put_articles(self, articles: Sequence[Article]) -> None:
        """Insert or replace articles by id."""

    @abstractmethod
    def get_article(self, article_id: str) -> Article | None:
        """One article by id."""

    @abstractmethod
    def iter_articles(
        self,
        where: ArticleFilter | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[Article]:
        """Articles matching ``where``, ordered by publication date then id (undated last)."""

    @abstractmethod
    def article_ids(self, where: ArticleFilter | None = None) -> list[str]:
        """Ids of the articles matching ``where``, in listing order."""

    @abstractmethod
    def count_articles(self, where: ArticleFilter | None = None) -> int:
        """How many articles match ``where``."""

    def article_days(self, where: ArticleFilter | None = None) -> list[tuple[str, str | None]]:
        """``(id, publication day as YYYY-MM-DD or None)`` of the articles matching ``where``,
        in listing order: cheap (no texts), for planning a pass over many articles."""
        return [(a.id, (a.published or "")[:10] or None) for a in self.iter_articles(where)]

    def iter_article_days(self, where: ArticleFilter | None = None) -> Iterator[tuple[str, str | None]]:
        """``article_days`` row by row, read from one consistent view of the store without the
        whole list in memory (a backend streams it from one query)."""
        return iter(self.article_days(where))

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        """The articles with these ids that exist, in the order given (one query per batch)."""
        return [a for a in (self.get_article(i) for i in article_ids) if a is not None]

    def get_enrichments(self, article_ids: Sequence[str]) -> list[Enrichment]:
        """The enrichments of these articles that exist, in the order given."""
        return [e for e in (self.get_enrichment(i) for i in article_ids) if e is not None]

    def linked_article_ids(self, article_ids: Sequence[str]) -> set[str]:
        """Which of these articles already have an event link (were clustered before)."""
        return {i for i in article_ids if self.article_link(i) is not None}

    @abstractmethod
    def set_status(self, article_ids: Sequence[str], status: str) -> None:
        """Move articles to a processing status (ingested → enriched → clustered, or failed)."""

    @abstractmethod
    def fail_articles(self, run_id: int, failed: Mapping[str, SourceFailure]) -> None:
        """Park articles that a phase cannot process (article id → why), in one transaction:
        status ``failed`` and a failure row of ``run_id`` each. No phase picks a failed article
        up again; storing a new version of it (its input changed) makes it ``ingested`` again."""

    # -- enrichment --------------------------------------------------------------------
    @abstractmethod
    def put_enrichments(self, enrichments: Sequence[Enrichment]) -> None:
        """Insert or replace the enrichment of articles and mark them enriched."""

    @abstractmethod
    def get_enrichment(self, article_id: str) -> Enrichment | None:
        """The enrichment of one article, or None when it has not been enriched."""

    # -- entities ----------------------------------------------------------------------
    @abstractmethod
    def put_entities(self, entities: Sequence[Entity]) -> None:
        """Insert or replace canonical entities by id.

        Their ``article_count`` and ``mention_count`` are derived by the store from the stored
        enrichments (whatever the records say), so re-enriching an article never counts it twice.
        """

    @abstractmethod
    def get_entity(self, entity_id: str) -> Entity | None:
        """One canonical entity."""

    @abstractmethod
    def list_entities(
        self, *, type: str | None = None, query: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        """Entities by how many articles name them (most first); ``query`` matches name or alias."""

    @abstractmethod
    def entity_article_ids(self, entity_id: str) -> list[str]:
        """Ids of the enriched articles that mention the entity."""

    # -- events and storylines ---------------------------------------------------------
    @abstractmethod
    def put_clustering(
        self, events: Sequence[Event], storylines: Sequence[Storyline], links: Sequence[ArticleLink],
        dropped_storylines: Sequence[str] = (),
    ) -> None:
        """Insert or replace events, storylines and article links, and delete the storylines
        ``dropped_storylines`` names (left with no event), in one transaction. A storyline with
        ``merged_into`` set is a redirect: its events went there."""

    @abstractmethod
    def get_event(self, event_id: str) -> Event | None:
        """One event; the id of an event merged into another resolves to the one it was merged into."""

    @abstractmethod
    def list_events(
        self, *, storyline_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Event]:
        """Live (not merged) events, oldest first."""

    @abstractmethod
    def get_storyline(self, storyline_id: str) -> Storyline | None:
        """One storyline; the id of a storyline whose events went to another resolves to that one."""

    @abstractmethod
    def list_storylines(self, *, limit: int | None = None, offset: int = 0) -> list[Storyline]:
        """Storylines, largest first (redirects left out)."""

    @abstractmethod
    def article_link(self, article_id: str) -> ArticleLink | None:
        """The event of an article and what it duplicates or translates, once clustered."""

    def article_links(self, article_ids: Sequence[str]) -> dict[str, ArticleLink]:
        """``article_link`` of many articles at once: article id → link, for those clustered."""
        return {i: link for i in article_ids if (link := self.article_link(i)) is not None}

    # -- search ------------------------------------------------------------------------
    @abstractmethod
    def search(
        self, query: str, where: ArticleFilter | None = None, *, limit: int = 20, offset: int = 0,
        snippets: bool = True,
    ) -> list[tuple[Article, str]]:
        """Full-text search over titles and texts, accent- and case-insensitive in every script
        (``searchtext``), best first, each hit with a short snippet of the original text, hits
        between \x02 and \x03 (``""`` without ``snippets``: cheaper when only counting)."""

    # -- pipeline state (entity registry, clusterer snapshot, …) -----------------------
    @abstractmethod
    def get_state(self, key: str) -> bytes | None:
        """A named blob of pipeline state."""

    @abstractmethod
    def put_state(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store a named blob of pipeline state (any bytes-like value; stored as bytes)."""

    @abstractmethod
    def state_keys(self, prefix: str) -> list[str]:
        """Names of the stored state blobs that start with ``prefix``, sorted."""

    @abstractmethod
    def delete_state(self, keys: Sequence[str]) -> None:
        """Forget these named blobs of pipeline state (unknown names are ignored), in one transaction."""

    # -- latency timings (the watcher) ---------------------------------------------------
    @abstractmethod
    def put_timings(self, rows: Sequence[ArticleTiming]) -> None:
        """Insert or replace the timing rows of articles by id (the whole row: every field)."""

    @abstractmethod
    def timings(self, since: str | None = None) -> list[ArticleTiming]:
        """Timing rows that arrived at or after ``since`` (an ISO timestamp in UTC, compared as
        stored: ``YYYY-MM-DDTHH:MM:SS.mmm+00:00``), all when None; oldest arrival first, rows
        without an arrival time last."""

    # -- one clusterer at a time ----------------------------------------------------------
    @abstractmethod
    def clustering_lock(self) -> AbstractContextManager[None]:
        """Held while one process loads, advances and saves the clustering state; another
        process (a second ``newsloom run``, a watcher) waits for it, so their states never mix."""

    # -- lifecycle ---------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
