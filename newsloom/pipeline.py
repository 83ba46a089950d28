"""The main job: sources → extract & clean → language & date → store → corpus clean-up.

Each stage is a plain function of data; this module only composes them and keeps the books
(what was stored, what was skipped, what failed and why). Later stages (enrichment, events,
storylines) are phases run over what the store holds, so a run that stops half-way resumes
where it stopped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, Protocol, overload

import numpy as np
import numpy.typing as npt

from newsloom.clean import CleanOptions, extract
from newsloom.clean.recurring import find_recurring_lines, strip_lines
from newsloom.engines import Engine, LocalEngine
from newsloom.enrich.analyse import EnrichOptions, analyse, enrich, resolve
from newsloom.enrich.embed import get_embedder
from newsloom.enrich.entities import EntityRegistry
from newsloom.enrich.language import detect_language
from newsloom.enrich.published import find_published
from newsloom.errors import InputError
from newsloom.events.cluster import EventClusterer
from newsloom.events.features import ClusterInput
from newsloom.events.storylines import StorylineLinker
from newsloom.model import (
    Article,
    ArticleLink,
    DateEstimate,
    Enrichment,
    Entity,
    Event,
    SourceFailure,
    SourceItem,
    Storyline,
    day_of,
)
from newsloom.sources import FetchOptions, iter_inputs
from newsloom.store import ArticleFilter, Store
from newsloom.store.parts import get_state_parts, put_state_parts

log = logging.getLogger(__name__)

RECURRING_REASON = "recurring-in-outlet"


class Progress(Protocol):
    """Where the pipeline reports progress (the CLI draws a bar; tests pass nothing)."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _NoProgress:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class RunOptions:
    """Everything a run can be told, in one object."""

    batch_size: int = 64
    workers: int | None = None  # processes for extract & clean; None = one per core
    fetch: FetchOptions = field(default_factory=FetchOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    urls_file: str | None = None


@dataclass
class RunSummary:
    """What a run did, for people (``render``) and scripts (``to_dict``)."""

    run_id: int = 0
    seen: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[SourceFailure] = field(default_factory=list)
    languages: Counter[str] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    dated: Counter[str] = field(default_factory=Counter)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "seen": self.seen,
            "stored": self.stored,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": len(self.failures),
            "failures": [{"origin": f.origin, "reason": f.reason} for f in self.failures],
            "languages": dict(self.languages.most_common()),
            "outlets": dict(self.outlets.most_common()),
            "removed_lines": dict(self.removed.most_common()),
            "published_from": dict(self.dated.most_common()),
            **self.extra,
        }


def content_hash(item: SourceItem) -> str:
    """A fingerprint of everything the input declared: same input, same hash."""
    digest = hashlib.sha256()
    for part in (item.content, item.title, item.url, item.lang, item.published, item.outlet):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def build_article(item: SourceItem, digest: str, options: CleanOptions | None = None) -> Article:
    """Extract, clean, and date one input; raises ``InputError`` when nothing usable remains."""
    extracted = extract(item, options)
    lang, confidence = detect_language(
        f"{extracted.title}\n{extracted.text}", hint=item.lang or extracted.lang_hint
    )
    published, published_source = find_published(
        extracted.text,
        url=extracted.url or item.url,
        lang=lang,
        declared=extracted.published,
        declared_source=extracted.published_source,
    )
    return Article(
        id=item.id or digest[:16],
        origin=item.origin,
        kind=item.kind,
        raw=item.content,
        title=extracted.title,
        text=extracted.text,
        content_hash=digest,
        removed=list(extracted.removed),
        url=extracted.url or item.url,
        outlet=item.outlet or extracted.outlet,
        group=item.group,
        lang=lang,
        lang_confidence=confidence,
        published=published,
        published_source=published_source,
        ingested_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


@dataclass(frozen=True)
class _Task:
    """One input to build, with the id it will be stored under."""

    item: SourceItem
    digest: str
    article_id: str
    is_new: bool
    options: CleanOptions


def _build(task: _Task) -> tuple[Article | SourceFailure, bool]:
    """Build one article (runs in a worker process): the article, or why it failed."""
    try:
        article = build_article(task.item, task.digest, task.options)
    except InputError as exc:
        return SourceFailure(exc.origin, exc.reason), task.is_new
    except Exception as exc:  # a library failing on one odd input must not stop the run
        log.warning("could not read %s", task.item.origin, exc_info=True)
        return SourceFailure(task.item.origin, f"could not be read ({type(exc).__name__}: {exc})"), task.is_new
    article.id = task.article_id
    return article, task.is_new


def _lost(task: _Task, reason: str) -> tuple[Article | SourceFailure, bool]:
    """An input whose worker process died building it (a crash, out of memory): a failure naming it."""
    return SourceFailure(task.item.origin, f"worker process died while processing it ({reason})"), task.is_new


def ingest(
    inputs: Sequence[str],
    store: Store,
    options: RunOptions | None = None,
    *,
    progress: Progress | None = None,
    items: Iterable[SourceItem | SourceFailure] | None = None,
    engine: Engine | None = None,
    command: str = "run",
) -> RunSummary:
    """Read ``inputs`` (or the given ``items``), store new and changed articles, learn outlet boilerplate.

    Building articles is a pure function the ``engine`` may run in other processes; ids,
    bookkeeping and writes stay here. Writes happen in one transaction per batch, so an
    interrupted run keeps every batch it committed and a re-run skips what is stored unchanged.
    """
    options = options or RunOptions()
    progress = progress or _NoProgress()
    engine = engine or LocalEngine(options.workers)
    summary = RunSummary(run_id=store.start_run(command))
    if items is None:
        items = iter_inputs(inputs, urls_file=options.urls_file, options=options.fetch)
    progress.stage("reading and cleaning")
    batch: list[Article] = []
    touched_groups: set[str] = set()

    def flush() -> None:
        if batch:
            store.put_articles(batch)
            touched_groups.update(_group_key(a) for a in batch)
            batch.clear()

    tasks = _tasks(items, store, options, summary, progress)
    for result, is_new in engine.map(_build, tasks, lost=_lost):
        if isinstance(result, SourceFailure):
            _fail(summary, result)
            continue
        article = result
        batch.append(article)
        if is_new:
            summary.stored += 1
        else:
            summary.updated += 1
        summary.languages[article.lang or "unknown"] += 1
        summary.outlets[article.outlet or "unknown"] += 1
        summary.dated[article.published_source or "none"] += 1
        for removed in article.removed:
            summary.removed[removed.reason] += 1
        if len(batch) >= options.batch_size:
            flush()
    flush()
    summary.removed[RECURRING_REASON] += strip_recurring_lines(store, touched_groups, progress)
    if not summary.removed[RECURRING_REASON]:
        del summary.removed[RECURRING_REASON]
    if summary.failures:
        store.add_failures(summary.run_id, summary.failures)
    store.finish_run(summary.run_id, summary.to_dict())
    return summary


def _tasks(
    items: Iterable[SourceItem | SourceFailure],
    store: Store,
    options: RunOptions,
    summary: RunSummary,
    progress: Progress,
) -> Iterator[_Task]:
    """The inputs that need building, each with its id; failures and unchanged inputs are counted here."""
    claimed: dict[str, tuple[str, str]] = {}  # ids given out in this run → (digest, origin)
    for entry in items:
        progress.advance()
        if isinstance(entry, SourceFailure):
            _fail(summary, entry)
            continue
        summary.seen += 1
        digest = content_hash(entry)
        resolved = _resolve_id(entry, digest, store, claimed)
        if resolved is None:
            summary.unchanged += 1
            continue
        article_id, is_new = resolved
        claimed[article_id] = (digest, entry.origin)
        yield _Task(entry, digest, article_id, is_new, options.clean)


def _resolve_id(
    item: SourceItem, digest: str, store: Store, claimed: dict[str, tuple[str, str]]
) -> tuple[str, bool] | None:
    """The id this input is stored under and whether it is new; None when stored already, unchanged.

    An input keeps its own id. When another input already holds that id, the same origin
    means a new version (same id); a different origin with different content gets the id
    suffixed with its hash, so nothing stored is overwritten by an unrelated document.
    """
    base = item.id or digest[:16]
    for candidate in (base, f"{base}-{digest[:8]}"):
        fingerprint = claimed.get(candidate) or store.article_fingerprint(candidate)
        if fingerprint is None:
            return candidate, True
        stored_hash, stored_origin = fingerprint
        if stored_hash == digest:
            return None
        if stored_origin == item.origin:
            return candidate, False
    return f"{base}-{digest[:16]}", True


def _fail(summary: RunSummary, failure: SourceFailure) -> None:
    log.error("%s: %s", failure.origin, failure.reason)
    summary.failures.append(failure)


def _group_key(article: Article) -> str:
    """Articles of one outlet (or, when the outlet is unknown, one scrape folder) share boilerplate."""
    if article.outlet:
        return f"outlet:{article.outlet}"
    return f"group:{article.group or ''}"


def strip_recurring_lines(
    store: Store, groups: Iterable[str], progress: Progress | None = None
) -> int:
    """Remove lines that recur across articles of one outlet; return how many lines went.

    Lines removed on an earlier run still count as occurrences, so what was learned once keeps
    being removed from new articles of the same outlet.
    """
    progress = progress or _NoProgress()
    groups = sorted(groups)
    progress.stage("learning outlet boilerplate", total=len(groups))
    removed_total = 0
    for key in groups:
        progress.advance()
        kind, _, name = key.partition(":")
        where = ArticleFilter(outlet=name) if kind == "outlet" else ArticleFilter(group=name or None)
        articles = [
            a for a in store.iter_articles(where) if kind == "outlet" or a.outlet is None
        ]
        if len(articles) < 3:
            continue
        docs = {
            a.id: [*a.text.split("\n"), *(r.line for r in a.removed if r.reason == RECURRING_REASON)]
            for a in articles
        }
        recurring = find_recurring_lines(docs)
        if not recurring:
            continue
        changed: list[Article] = []
        for article in articles:
            text, removed = strip_lines(article.text, recurring)
            if not removed:
                continue
            article.text = text
            article.removed = [*article.removed, *removed]
            article.status = "ingested"
            changed.append(article)
            removed_total += len(removed)
        if changed:
            log.info("%s: removed recurring lines from %d articles", key, len(changed))
            store.put_articles(changed)
    return removed_total


REGISTRY_STATE = "entities.registry"
REGISTRY_SAVE_EVERY = 50


def load_registry(store: Store) -> EntityRegistry:
    """The corpus-wide entity registry as the store last saved it (empty on a new store)."""
    blob = store.get_state(REGISTRY_STATE)
    return EntityRegistry.from_dict(json.loads(blob)) if blob else EntityRegistry()


def save_registry(store: Store, registry: EntityRegistry) -> None:
    """Persist the registry and publish its entities (names, types, aliases per language)."""
    store.put_state(REGISTRY_STATE, json.dumps(registry.to_dict(), ensure_ascii=False).encode("utf-8"))
    store.put_entities([
        Entity(
            id=e.id, name=e.name, type=e.type,
            aliases={lang: sorted(forms) for lang, forms in sorted(e.aliases.items())},
        )
        for e in registry
    ])


class _Analyse:
    """The pure half of enrichment, as an engine runs it: the embedder loads once per worker."""

    def __init__(self, options: EnrichOptions) -> None:
        self.options = options
        self.embedder = get_embedder(options.embedder)

    def __call__(self, articles: list[Article]) -> list[Enrichment | SourceFailure]:
        return list(analyse(articles, self.embedder, self.options))  # one per article (the engine's ``lost`` needs it)


def _lost_enrichment(article: Article, reason: str) -> SourceFailure:
    """An article whose worker process died enriching it (a crash, out of memory): a failure naming it."""
    return SourceFailure(article.origin, f"worker process died while enriching it ({reason})")


def enrich_stored(
    store: Store,
    options: EnrichOptions | None = None,
    progress: Progress | None = None,
    *,
    engine: Engine | None = None,
    run_id: int | None = None,
    failures: list[SourceFailure] | None = None,
) -> int:
    """Understand every article not yet enriched (new or changed); return how many.

    ``analyse`` (key phrases, dates, vectors) runs on the ``engine`` (default: this process),
    batch by batch; ``resolve`` (entities, quotes) runs here, in article order, because the
    entity registry learns as it goes. Each batch of enrichments is stored in one transaction,
    so an interrupted run resumes with the articles it had not reached. The entity registry is
    saved every ``REGISTRY_SAVE_EVERY`` batches and at the end (saving it costs time in
    proportion to its size).

    An article that kills its worker process on its own (an engine that survives that: Ray) is
    parked (``Store.fail_articles``: status ``failed``, a failure row of ``run_id``, or of a run
    ``enrich`` started for it) and appended to ``failures``; the others are enriched as usual.
    No later call tries it again until a new version of it is stored.
    """
    options = options or EnrichOptions()
    progress = progress or _NoProgress()
    engine = engine or LocalEngine()
    todo = store.article_ids(ArticleFilter(status="ingested"))
    if not todo:
        return 0
    registry = load_registry(store)
    progress.stage("understanding articles", total=len(todo))
    sent: deque[list[Article]] = deque()  # batches handed to the engine, whose results are due

    def batches() -> Iterator[list[Article]]:
        for start in range(0, len(todo), options.batch_size):
            batch = [a for a in (store.get_article(i) for i in todo[start : start + options.batch_size]) if a]
            if batch:
                sent.append(batch)
                yield batch

    enriched = 0
    own_run = False
    parked: list[SourceFailure] = []
    analysed = engine.map_batches(partial(_Analyse, options), batches(), lost=_lost_enrichment)
    for batch_number, results in enumerate(analysed, start=1):
        articles = sent.popleft()
        done: list[Enrichment] = []
        failed: dict[str, SourceFailure] = {}
        for article, result in zip(articles, results, strict=True):
            if isinstance(result, SourceFailure):
                failed[article.id] = result
            else:
                done.append(resolve(article, result, registry))
        store.put_enrichments(done)
        enriched += len(done)
        if failed:
            if run_id is None:
                run_id, own_run = store.start_run("enrich"), True
            store.fail_articles(run_id, failed)
            for failure in failed.values():
                log.error("%s: %s", failure.origin, failure.reason)
            parked += failed.values()
        if batch_number % REGISTRY_SAVE_EVERY == 0:
            save_registry(store, registry)
        progress.advance(len(articles))
    save_registry(store, registry)
    if own_run and run_id is not None:
        store.finish_run(run_id, {"enriched": enriched, "failed": len(parked),
                                  "failures": [{"origin": f.origin, "reason": f.reason} for f in parked]})
    if failures is not None:
        failures += parked
    log.info("enriched %d articles (%d failed); %d entities known", enriched, len(parked), len(registry))
    return enriched


def reembed_stored(
    store: Store, article_ids: Sequence[str], options: EnrichOptions | None = None, *, engine: Engine | None = None
) -> list[str]:
    """Embed placed articles again (``options``: the full lead by default) and queue them to be placed again.

    For articles first embedded from a shorter lead (``watch --latency-target``): only the vector
    is replaced (entities, quotes, key phrases and dates do not depend on the lead, and resolving
    them again would count the article twice in the entity registry), and the article goes back to
    ``enriched``, so the next ``cluster_stored`` withdraws it from its event and places it again.
    Articles not (or no longer) ``clustered`` are left alone, as is one whose worker died (it keeps
    its vector). Returns the ids re-embedded.
    """
    options = options or EnrichOptions()
    engine = engine or LocalEngine()
    articles = [a for a in store.get_articles(list(article_ids)) if a.status == "clustered"]
    current = {e.article_id: e for e in store.get_enrichments([a.id for a in articles])}
    articles = [a for a in articles if a.id in current]
    batches = [articles[i : i + options.batch_size] for i in range(0, len(articles), options.batch_size)]
    updated: list[Enrichment] = []
    for batch, results in zip(batches, engine.map_batches(partial(_Analyse, options), iter(batches),
                                                          lost=_lost_enrichment), strict=True):
        for article, result in zip(batch, results, strict=True):
            if isinstance(result, Enrichment) and result.vector is not None:
                current[article.id].vector = result.vector
                current[article.id].lead_chars = result.lead_chars
                updated.append(current[article.id])
    store.put_enrichments(updated)  # status back to ``enriched``
    return [e.article_id for e in updated]


CLUSTER_STATE = "events.clusterer"
STORYLINE_STATE = "events.storylines"
#: A content-based date estimate this confident stands in for a missing publication date.
MIN_DATE_CONFIDENCE = 0.4
#: A date estimated from the text may be off by about a month: relative references ("a year
#: and a half into the war", "last September") give month-level precision at best.
ESTIMATE_SLACK_DAYS = 31


def clustering_date(published: str | None, estimate: DateEstimate | None) -> tuple[date | None, int]:
    """The date the clusterer places an article by, and how many days it may be off: the
    publication date (0), else a confident estimate from the text (``ESTIMATE_SLACK_DAYS``)."""
    if published is not None:
        return day_of(published), 0
    if estimate is not None and estimate.confidence >= MIN_DATE_CONFIDENCE:
        when = day_of(estimate.date)
        return when, ESTIMATE_SLACK_DAYS if when is not None else 0
    return None, 0


def cluster_input(article: Article, enrichment: Enrichment) -> ClusterInput:
    """What the event clusterer sees of one enriched article."""
    when, slack = clustering_date(article.published, enrichment.date_estimate)
    return ClusterInput(
        id=article.id,
        title=article.title,
        text=article.text,
        lang=article.lang or "und",
        date=when,
        vector=np.asarray(enrichment.vector or [], dtype=np.float32),
        entities={m.entity_id: float(m.count) for m in enrichment.entities},
        quotes=[q.text for q in enrichment.quotes],
        outlet=article.outlet,
        date_slack=slack,
    )


def load_clustering(store: Store) -> tuple[EventClusterer, StorylineLinker]:
    """The event clusterer and storyline linker as the store last saved them."""
    state = get_state_parts(store, CLUSTER_STATE)
    clusterer = EventClusterer.restore(state) if state else EventClusterer()
    state = get_state_parts(store, STORYLINE_STATE)
    linker = StorylineLinker.restore(state, clusterer) if state else StorylineLinker()
    return clusterer, linker


def save_clustering(store: Store, clusterer: EventClusterer, linker: StorylineLinker) -> None:
    """Save the clusterer and linker part by part (see ``store.parts``): a large clusterer never
    has its whole state in memory twice."""
    put_state_parts(store, CLUSTER_STATE, clusterer.snapshot_parts())
    put_state_parts(store, STORYLINE_STATE, linker.snapshot_parts())


#: Articles read from the store and clustered per step (texts of one step only are in memory).
CLUSTER_CHUNK = 2048
#: The clusterer and linker state is saved (and placed articles marked clustered) this often.
CLUSTER_SAVE_EVERY = 100_000


class EntityNames(Mapping[str, str]):
    """Entity id → canonical name, read from the store on first use and remembered (a large
    store has far more entities than one run's changed events name); ``spellings`` gives its
    names in every language."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._names: dict[str, str | None] = {}
        self._spellings: dict[str, tuple[str, ...]] = {}

    def _read(self, entity_id: str) -> None:
        entity = self._store.get_entity(entity_id)
        self._names[entity_id] = entity.name if entity is not None else None
        self._spellings[entity_id] = entity_spellings(entity) if entity is not None else ()

    def __getitem__(self, entity_id: str) -> str:
        if entity_id not in self._names:
            self._read(entity_id)
        name = self._names[entity_id]
        if name is None:
            raise KeyError(entity_id)
        return name

    def spellings(self, entity_id: str) -> tuple[str, ...]:
        """The entity's canonical name and every surface form seen, in any language."""
        if entity_id not in self._spellings:
            self._read(entity_id)
        return self._spellings[entity_id]

    def __iter__(self) -> Iterator[str]:
        return (k for k, v in self._names.items() if v is not None)

    def __len__(self) -> int:
        return sum(v is not None for v in self._names.values())


def entity_spellings(entity: Entity) -> tuple[str, ...]:
    """An entity's canonical name and its surface forms in every language, each once."""
    return tuple(dict.fromkeys([entity.name, *(form for forms in entity.aliases.values() for form in forms)]))


class ClusteringOrder(Sequence[str]):
    """Article ids in clustering order, held compactly: their UTF-8 bytes end to end in one
    buffer and an array of where each starts (about 8 bytes per article besides the id's own
    bytes, where a list of strings costs some 65). Indexing and slicing give strings."""

    def __init__(self, data: bytes, offsets: npt.NDArray[np.int64]) -> None:
        self._data = data
        self._offsets = offsets  # one more than there are ids

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._id(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        return self._id(index % n)

    def _id(self, i: int) -> str:
        return self._data[int(self._offsets[i]) : int(self._offsets[i + 1])].decode("utf-8", "surrogatepass")


def clustering_order(store: Store, where: ArticleFilter | None = None) -> ClusteringOrder:
    """Ids of the articles matching ``where`` in clustering order: by date, then id, undated last.

    Reads ids and publication days only, streamed from the store; an undated article takes its
    confident content date estimate (read from its enrichment), as ``cluster_input`` does, and
    one without an enrichment is left out. The ids are kept as one buffer (``ClusteringOrder``),
    never as a list of a million strings.
    """
    data = bytearray()
    offsets = array("q", [0])
    days = array("i")  # date ordinals: the sort key with the id
    undated: list[str] = []

    def add(article_id: str, day: date) -> None:
        data.extend(article_id.encode("utf-8", "surrogatepass"))
        offsets.append(len(data))
        days.append(day.toordinal())

    for article_id, day in store.iter_article_days(where):
        d = day_of(day)
        if d is None:
            undated.append(article_id)
        else:
            add(article_id, d)
    for start in range(0, len(undated), 500):
        for e in store.get_enrichments(undated[start : start + 500]):
            when, _ = clustering_date(None, e.date_estimate)
            add(e.article_id, when or date.max)
    del undated
    starts = np.frombuffer(offsets, dtype=np.int64)
    order = _by_day_then_id(np.frombuffer(days, dtype=np.intc).astype(np.int32), data, starts)
    # the ids again, in order (one more buffer for a moment, then only these two)
    lengths = starts[1:] - starts[:-1]
    sorted_offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(lengths[order], out=sorted_offsets[1:])
    out = bytearray(int(sorted_offsets[-1]))
    view = memoryview(data)
    for k, i in enumerate(order.tolist()):
        out[int(sorted_offsets[k]) : int(sorted_offsets[k + 1])] = view[int(starts[i]) : int(starts[i + 1])]
    view.release()
    return ClusteringOrder(bytes(out), sorted_offsets)


def _by_day_then_id(days: npt.NDArray[np.int32], data: bytes | bytearray, starts: npt.NDArray[np.int64]
                    ) -> npt.NDArray[np.int64]:
    """Positions sorted by (day, id). A stable sort on the day keeps the store's order within a
    day, which is by id already when every day has one spelling (the store sorts the date text);
    a day whose ids are not in order is sorted by its ids' UTF-8 bytes (the order of their code
    points, as Python compares strings)."""
    order = np.argsort(days, kind="stable").astype(np.int64)
    if len(order) < 2:
        return order
    sorted_days = days[order]
    bounds = [0, *(np.flatnonzero(sorted_days[1:] != sorted_days[:-1]) + 1).tolist(), len(order)]
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo < 2:
            continue
        run = order[lo:hi].tolist()
        keys = [bytes(data[int(starts[i]) : int(starts[i + 1])]) for i in run]
        if any(a >= b for a, b in itertools.pairwise(keys)):
            order[lo:hi] = [i for _, i in sorted(zip(keys, run, strict=True))]
    return order


def cluster_stored(
    store: Store,
    progress: Progress | None = None,
    batch_size: int = 64,
    chunk_size: int = CLUSTER_CHUNK,
    save_every: int = CLUSTER_SAVE_EVERY,
) -> int:
    """Place every enriched, not yet clustered article into an event, in time order; link storylines.

    Incremental: earlier events keep their ids, new articles join them or open new ones, and
    merged events leave a redirect. An article whose text changed is placed again (an event it
    leaves empty redirects to its new one). A late article, or a changed one whose event has
    left the active window, is placed with the retired events near its date reopened from the
    store (``reopen_stored``; within ``Params.reopen_within_days``).
    Streams: ids and dates are read first, then articles are fetched, clustered and their
    changes written ``chunk_size`` at a time; only events, storylines and links that changed
    are written. Returns how many articles were placed.
    """
    with store.clustering_lock():  # one clusterer at a time: the state is loaded, advanced, saved
        return _cluster_stored(store, progress or _NoProgress(), batch_size, chunk_size, save_every)


def _cluster_stored(store: Store, progress: Progress, batch_size: int, chunk_size: int, save_every: int) -> int:
    order = clustering_order(store, ArticleFilter(status="enriched"))
    if not order:
        return 0
    clusterer, linker = load_clustering(store)
    names = EntityNames(store)
    progress.stage("clustering events", total=len(order))
    placed = 0
    reopened_total = late_joined = 0
    rejoined: set[str] = set()  # retired events a late article joined
    done_from = 0  # order[done_from:] are placed but not yet marked clustered
    since_save = 0
    for start in range(0, len(order), chunk_size):
        chunk = order[start : start + chunk_size]
        linked = store.linked_article_ids(chunk)
        articles = {a.id: a for a in store.get_articles(chunk)}
        enrichments = {e.article_id: e for e in store.get_enrichments(chunk)}
        inputs = []
        left: dict[str, str] = {}  # changed article → the event it left
        for article_id in chunk:
            article, enrichment = articles.get(article_id), enrichments.get(article_id)
            if article is None or enrichment is None or enrichment.vector is None:
                continue
            if article_id in linked and not clusterer.knows(article_id):  # changed, its event retired
                link = store.article_link(article_id)
                if link is None or not reopen_event(store, clusterer, link.event_id, for_article=article_id):
                    continue  # its event is past reopening: it stays there
            if clusterer.knows(article_id):  # its text changed: place it again
                left[article_id] = clusterer.withdraw(article_id) or ""
            inputs.append(cluster_input(article, enrichment))
        del articles, enrichments
        reopened = reopen_stored(store, clusterer, inputs)
        for b in range(0, len(inputs), batch_size):
            clusterer.add(inputs[b : b + batch_size])
        if reopened:
            back = clusterer.reopened()
            joined = [e for e in (clusterer.event_of(item.id) for item in inputs) if e in back]
            log.info("%d retired events reopened for late articles; %d articles joined %d of them",
                     reopened, len(joined), len(set(joined)))
            reopened_total += reopened
            late_joined += len(joined)
            rejoined.update(joined)
        clusterer.retire_reopened()
        for article_id, old_event in left.items():
            if old_event:
                clusterer.redirect_dropped(old_event, clusterer.event_of(article_id))
        placed += len(inputs)
        since_save += len(chunk)
        last = start + chunk_size >= len(order)
        if last:
            clusterer.maintain()
        linker.update(clusterer)
        store.put_clustering(*clustering_records(store, clusterer, linker, names=names, delta=True),
                             dropped_storylines=linker.dropped_storylines())
        clusterer.commit()
        linker.commit()
        if last or since_save >= save_every:
            save_clustering(store, clusterer, linker)
            store.set_status(order[done_from : start + len(chunk)], "clustered")
            done_from, since_save = start + len(chunk), 0
        progress.advance(len(chunk))
    log.info("clustered %d articles; %d events and %d storylines active", placed, len(clusterer.ids), len(linker.ids))
    if reopened_total:
        # (an article whose text changed and whose event had retired counts here too)
        log.info("late articles: %d joined %d retired events of their days (%d reopened to score them)",
                 late_joined, len(rejoined), reopened_total)
    return placed


def reopen_stored(store: Store, clusterer: EventClusterer, inputs: Sequence[ClusterInput]) -> int:
    """Reload from the store the retired events that late articles of ``inputs`` could join
    (``EventClusterer.archived_candidates``) and reopen them; returns how many were reopened."""
    return sum(reopen_event(store, clusterer, event_id) for event_id in clusterer.archived_candidates(inputs))


def reopen_event(store: Store, clusterer: EventClusterer, event_id: str, for_article: str | None = None) -> bool:
    """Reopen retired event ``event_id`` in ``clusterer`` with its members as stored (see
    ``EventClusterer.reopen``; ``for_article``: a member to be placed again, which may rejoin it);
    False when it is not reopenable."""
    event = store.get_event(event_id)
    if event is None or event.merged_into or not event.article_ids:
        return False
    ids = list(event.article_ids)
    articles = {a.id: a for a in store.get_articles(ids)}
    enrichments = {e.article_id: e for e in store.get_enrichments(ids)}
    links = store.article_links(ids)
    members: list[ClusterInput] = []
    copies: dict[str, tuple[str, str]] = {}
    for article_id in ids:
        article, enrichment = articles.get(article_id), enrichments.get(article_id)
        if article is None or enrichment is None or enrichment.vector is None:
            continue
        members.append(cluster_input(article, enrichment))
        link = links.get(article_id)
        if link is not None and link.translation_of:
            copies[article_id] = (link.translation_of, "translation")
        elif link is not None and link.duplicate_of:
            copies[article_id] = (link.duplicate_of, "near")
    return clusterer.reopen(event_id, members, copies, for_articles=[for_article] if for_article else [])


def clustering_records(
    store: Store,
    clusterer: EventClusterer,
    linker: StorylineLinker,
    names: Mapping[str, str] | None = None,
    delta: bool = False,
) -> tuple[list[Event], list[Storyline], list[ArticleLink]]:
    """The clusterer's and linker's view as the store's records (merged events as redirects).

    With ``delta``, only what changed since their last ``commit()``: events, storylines and
    article links already written and unchanged are left out. Otherwise every event and
    storyline they hold (active or retiring) and every redirect they remember.
    """
    spellings: Callable[[str], Iterable[str]] | None = None
    if names is None:
        entities = store.list_entities()
        entity_names: Mapping[str, str] = {e.id: e.name for e in entities}
        known = {e.id: entity_spellings(e) for e in entities}

        def spellings(entity_id: str) -> Iterable[str]:
            return known.get(entity_id, ())
    else:
        entity_names = names
        if isinstance(names, EntityNames):
            spellings = names.spellings
    if delta:
        held = set(clusterer.ids) | set(clusterer.retiring())
        event_ids = sorted(set(clusterer.changed_events()) | {e for e in linker.changed_event_links() if e in held},
                           key=lambda e: int(e[2:]))
        redirects = clusterer.changed_redirects()
        story_ids = linker.changed_storylines(clusterer.changed_events())
        link_rows = clusterer.changed_links()
    else:
        event_ids = sorted(clusterer.ids + clusterer.retiring(), key=lambda e: int(e[2:]))
        redirects = {old: clusterer.resolve(old) for old in clusterer.redirects}
        story_ids = linker.ids
        copies = clusterer.copies()
        link_rows = [
            (a, e, copies[a][0] if a in copies else None, copies[a][1] if a in copies else "")
            for a, e in clusterer.assignments().items()
        ]
    story_of = linker.assignments()
    events: list[Event] = []
    for eid in event_ids:
        summary = clusterer.summary(eid)
        events.append(Event(
            id=summary.id,
            article_ids=summary.article_ids,
            label=clusterer.label_headline(summary.id) or summary.id,
            first_date=summary.first_date.isoformat() if summary.first_date else None,
            last_date=summary.last_date.isoformat() if summary.last_date else None,
            storyline_id=story_of.get(summary.id) or linker.frozen_storyline_of(summary.id),
            languages=[lang for lang, _ in Counter(summary.languages).most_common()],
            outlets=[outlet for outlet, _ in Counter(summary.outlets).most_common()],
            key_entities=[entity_names.get(e, e) for e in list(summary.entities)[:8]],
        ))
    events += [Event(id=old, article_ids=[], merged_into=new) for old, new in redirects.items()]
    storylines = []
    keys = [int(sid[2:]) for sid in story_ids]
    for s in linker.storyline_summaries(clusterer, keys, names=entity_names, spellings=spellings):
        first, last = linker.span(s.id, clusterer)
        storylines.append(Storyline(
            id=s.id, event_ids=s.event_ids, label=s.label,
            key_entities=[entity_names.get(e, e) for e in s.key_entities],
            languages=[lang for lang, _ in Counter(s.languages).most_common()],
            outlets=[outlet for outlet, _ in Counter(s.outlets).most_common()],
            first_date=first.isoformat() if first else None,
            last_date=last.isoformat() if last else None,
        ))
    storylines += [Storyline(id=old, event_ids=[], merged_into=new)
                   for old, new in linker.storyline_redirects().items()]
    links = [
        ArticleLink(
            article_id, event_id,
            duplicate_of=original if kind != "translation" else None,
            translation_of=original if kind == "translation" else None,
        )
        for article_id, event_id, original, kind in link_rows
    ]
    return events, storylines, links


def comparison_inputs(
    items: Sequence[SourceItem], registry: EntityRegistry | None = None, options: EnrichOptions | None = None
) -> list[ClusterInput | SourceFailure]:
    """Build, clean and understand inputs that are not stored, ready to be compared."""
    registry = EntityRegistry() if registry is None else registry
    embedder = get_embedder((options or EnrichOptions()).embedder)
    built: list[Article | SourceFailure] = []
    for item in items:
        try:
            built.append(build_article(item, content_hash(item)))
        except InputError as exc:
            built.append(SourceFailure(exc.origin, exc.reason))
    articles = [a for a in built if isinstance(a, Article)]
    enriched = iter(enrich(articles, registry, embedder, options))
    return [
        entry if isinstance(entry, SourceFailure) else cluster_input(entry, next(enriched)) for entry in built
    ]


def stored_comparison_input(store: Store, article_id: str) -> ClusterInput | None:
    """A stored, enriched article ready to be compared (None when unknown or not enriched)."""
    article, enrichment = store.get_article(article_id), store.get_enrichment(article_id)
    if article is None or enrichment is None or enrichment.vector is None:
        return None
    return cluster_input(article, enrichment)


def removed_reasons(articles: Iterable[Article]) -> Counter[str]:
    """How many lines each cleaning rule removed across ``articles``."""
    counts: Counter[str] = Counter()
    for article in articles:
        counts.update(r.reason for r in article.removed)
    return counts


__all__ = [
    "Progress",
    "RunOptions",
    "RunSummary",
    "build_article",
    "cluster_stored",
    "comparison_inputs",
    "content_hash",
    "enrich_stored",
    "ingest",
    "removed_reasons",
    "strip_recurring_lines",
]

