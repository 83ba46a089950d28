"""Streaming: watch folders and feeds, run what is new through the pipeline, time every article.

A :class:`Watcher` polls its sources in cycles. A folder (searched recursively, hidden files
skipped) yields the files that are new or changed since the last look, by modification time
and size; a feed (an RSS/Atom URL or file) yields the entries whose ids it has not seen. Each
cycle's new inputs go through the pipeline's phases (``ingest`` → ``enrich_stored`` →
``cluster_stored``), and the watcher records, per article, when it arrived and when each phase
that handled it ended (``Store.put_timings``). :func:`latency_stats` turns those rows into
percentiles and throughput.

Feeds are polled politely: never more often than their interval, through the sources module's
fetcher (robots.txt respected, one cache per watcher, refreshed daily), with a conditional GET
(``If-None-Match`` / ``If-Modified-Since`` from the last response's ``ETag`` / ``Last-Modified``):
an unchanged feed answers 304 and costs no parsing.

What a watcher has seen survives a restart: the files (path, modification time and size), the
feed entry ids (the last ``SEEN_PER_FEED`` of each feed) and each feed URL's validators are kept
in the store's state under ``SEEN_STATE_KEY`` (JSON), written whenever a cycle's inputs are
stored, and read when a watcher starts. Several watchers of one store share it (each merges its
own sources in). File paths are kept absolute, so a restart from another directory still knows them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

from newsloom.engines import Engine
from newsloom.enrich.analyse import EnrichOptions
from newsloom.enrich.embed import LEAD_CHARS, get_embedder
from newsloom.errors import ConfigError, InputError, NewsloomError
from newsloom.model import SourceFailure, SourceItem
from newsloom.pipeline import RunOptions, cluster_stored, enrich_stored, ingest, reembed_stored
from newsloom.sources.files import file_format, read_file
from newsloom.sources.http import Transport
from newsloom.sources.urls import Fetcher, items_from_response, looks_like_url
from newsloom.store import ArticleFilter, Store
from newsloom.store.base import ArticleTiming

log = logging.getLogger(__name__)

#: Default seconds between polls of a URL and of a local folder or file.
URL_INTERVAL = 60.0
PATH_INTERVAL = 5.0
#: How long robots.txt rules are trusted before they are fetched again.
ROBOTS_TTL = 24 * 3600.0
#: Where watchers keep what they have seen (``Store.put_state``), and how much of it.
SEEN_STATE_KEY = "watch.seen"
SEEN_PER_FEED = 2000  # entry ids per feed: a feed shows its latest few dozen entries
SEEN_FILES = 100_000  # file signatures in all; the least recently seen go first
#: Articles embedded from a shorter lead, to be embedded again from the full one when the watch is idle.
SHORT_LEAD_STATE_KEY = "watch.short_lead"

Result = SourceItem | SourceFailure

#: Body characters embedded per article when a watcher with a latency target falls behind,
#: from the pipeline's default down (``bench/cluster_bench.py --lead``; RESULTS.md, streaming).
LEAD_LADDER = (LEAD_CHARS, 300, 150)
#: Characters of cost an article adds beside its lead (its title, and the enrichment work
#: that does not grow with the lead: key phrases, dates, entities, quotes, storing).
ARTICLE_OVERHEAD_CHARS = 150
#: The share of a cycle's latency budget that the cost model's estimate may fill.
BUDGET_SHARE = 0.8
#: At most this many articles are embedded again from the full lead in one idle cycle.
UPGRADE_MOST = 64


class LeadGovernor:
    """Picks how much of each article to embed so that articles reach an event within a target.

    Embedding is almost all of the per-article cost and grows with the characters embedded, so
    when a cycle's waiting articles would take longer than the target allows, they are embedded
    from a shorter lead (``LEAD_LADDER``): events come sooner, at a measured cost in quality.
    The model is one number learnt as the watch runs: enrichment seconds per article-character
    (lead + ``ARTICLE_OVERHEAD_CHARS``), a moving average over cycles, so it follows the machine
    and its load. An article can wait one poll interval before its cycle starts, and the other
    phases (ingest, clustering) take their measured share too. What was embedded from a shorter
    lead is embedded again from the full one when the watch is idle (``upgrade_size`` at a time),
    so a burst costs latency-bound quality only until it has passed.
    """

    def __init__(self, target: float, interval: float, smoothing: float = 0.5) -> None:
        self.target = target
        self.interval = interval
        self.smoothing = smoothing
        self.seconds_per_char: float | None = None  # not measured yet: the first cycle uses the full lead
        self.other_seconds: float | None = None

    def budget(self) -> float:
        """Seconds the enrichment of one cycle may take."""
        return max(0.0, (self.target - self.interval - (self.other_seconds or 0.0)) * BUDGET_SHARE)

    def choose(self, waiting: int) -> int:
        """The longest lead in ``LEAD_LADDER`` whose estimated enrichment of ``waiting`` fits the budget
        (the shortest when none does)."""
        if self.seconds_per_char is None or waiting == 0:
            return LEAD_LADDER[0]
        for lead in LEAD_LADDER:
            if waiting * (lead + ARTICLE_OVERHEAD_CHARS) * self.seconds_per_char <= self.budget():
                return lead
        return LEAD_LADDER[-1]

    def upgrade_size(self) -> int:
        """How many articles an idle cycle can embed again from the full lead within the budget."""
        if self.seconds_per_char is None:
            return UPGRADE_MOST // 4
        each = (LEAD_LADDER[0] + ARTICLE_OVERHEAD_CHARS) * self.seconds_per_char
        return max(1, min(UPGRADE_MOST, int(self.budget() / each)))

    def observe(self, articles: int, lead: int, enrich_seconds: float, other_seconds: float) -> None:
        """Learn from a cycle that enriched ``articles`` from a ``lead`` in ``enrich_seconds``."""
        self.other_seconds = self._average(self.other_seconds, other_seconds)
        if articles > 0:
            rate = enrich_seconds / (articles * (lead + ARTICLE_OVERHEAD_CHARS))
            self.seconds_per_char = self._average(self.seconds_per_char, rate)

    def _average(self, old: float | None, new: float) -> float:
        return new if old is None else old + self.smoothing * (new - old)


def now_ms() -> str:
    """The current UTC time as ISO 8601 to the millisecond (how timings are stored)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_time(value: str) -> datetime:
    """An ISO date or timestamp as an aware datetime; a naive one is taken as UTC."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def normalize_since(value: str) -> str:
    """``--since`` as the stored form of timestamps, so the store can compare strings."""
    return parse_time(value).astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass
class _Source:
    """One watched input and when it is next due."""

    spec: str
    interval: float
    next_due: float = 0.0
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # path → (mtime_ns, size)
    deferred: dict[str, str] = field(default_factory=dict)  # path seen but left for a later cycle → when
    entries: dict[str, list[str]] = field(default_factory=dict)  # feed origin → entry ids seen, oldest first
    validators: tuple[str | None, str | None] = (None, None)  # a feed URL's last ETag and Last-Modified

    @property
    def is_url(self) -> bool:
        return looks_like_url(self.spec)


@dataclass
class CycleReport:
    """What one cycle did, for the log and for scripts."""

    number: int
    inputs: int = 0
    failed: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    enriched: int = 0
    clustered: int = 0
    seconds: float = 0.0
    lead: int = LEAD_CHARS  # body characters embedded per article this cycle
    upgraded: int = 0  # articles embedded again from the full lead (an idle cycle) and placed again
    failures: list[SourceFailure] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"cycle {self.number}: {self.inputs} new inputs, {self.failed} failed; "
            f"stored {self.stored}, updated {self.updated}, unchanged {self.unchanged}; "
            f"enriched {self.enriched}, clustered {self.clustered} in {self.seconds:.2f} s"
        )
        if self.enriched and self.lead < LEAD_CHARS:
            text += f" (embedded from a {self.lead}-character lead to keep up)"
        if self.upgraded:
            text += f"; {self.upgraded} embedded again from the full lead and placed again"
        return text


class Watcher:
    """Polls folders, files and feeds and runs each batch of new inputs through the pipeline.

    ``transport`` is for tests (a ``MockTransport``); by default feeds are fetched over HTTP.
    ``engine`` runs the per-article work (default: this process); events are placed here. An
    engine with workers of its own (Ray) keeps them for the watcher's life: they load their
    models once (``run`` asks them to before the first cycle), not every cycle.
    ``interval`` overrides the per-kind defaults (60 s for URLs, 5 s for paths). At most
    ``max_files`` new or changed files of a folder are read per cycle (None: all), so a backlog
    goes through in bounded cycles and a stop request is honoured soon; the files left for later
    keep the time they were first seen as their arrival time.

    ``latency_target`` (seconds, None: off) trades quality for latency: when the articles
    waiting for enrichment would not reach an event within it, a :class:`LeadGovernor` has them
    embedded from a shorter lead; idle cycles embed those again from the full lead and place them
    again (the list survives a restart, in the store's state under ``SHORT_LEAD_STATE_KEY``). Off
    by default, so every article gets the full lead.
    """

    def __init__(
        self,
        sources: Sequence[str],
        store: Store,
        options: RunOptions | None = None,
        *,
        interval: float | None = None,
        transport: Transport | None = None,
        max_files: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        engine: Engine | None = None,
        latency_target: float | None = None,
    ) -> None:
        self.max_files = max_files
        self.engine = engine
        self.store = store
        self.options = options or RunOptions()
        self._clock = clock
        self._transport = transport
        self._sources = [
            _Source(s, interval if interval is not None else URL_INTERVAL if looks_like_url(s) else PATH_INTERVAL)
            for s in sources
        ]
        self._fetcher: Fetcher | None = None
        self._fetcher_made = 0.0
        self._open: dict[str, ArticleTiming] = {}  # articles not yet placed in an event
        self._uncommitted: list[Callable[[], None]] = []  # "seen" marks, applied once stored
        self.cycles = 0
        self.governor = None if latency_target is None else LeadGovernor(
            latency_target, min((source.interval for source in self._sources), default=PATH_INTERVAL)
        )
        self._short: dict[str, None] = dict.fromkeys(short_lead_waiting(store))
        self._load_seen()

    # -- polling -----------------------------------------------------------------------
    def seconds_to_next(self) -> float:
        """How long until the next source is due (0 when one is due now)."""
        if not self._sources:
            return PATH_INTERVAL
        return max(0.0, min(s.next_due for s in self._sources) - self._clock())

    def poll(self, *, force: bool = False, commit: bool = True) -> tuple[list[Result], dict[str, str]]:
        """The new inputs of every due source (all with ``force``), and when each origin arrived.

        With ``commit`` False, what was read is marked seen only by :meth:`commit` (a cycle
        does that once the inputs are stored, so inputs of a failed cycle are read again).
        """
        self._uncommitted.clear()
        results: list[Result] = []
        arrivals: dict[str, str] = {}
        for source in self._sources:
            if not force and self._clock() < source.next_due:
                continue
            source.next_due = self._clock() + source.interval
            for result, arrived in self._poll_source(source):
                results.append(result)
                if isinstance(result, SourceItem):
                    arrivals.setdefault(result.origin, arrived)
        if commit:
            self.commit()
        return results, arrivals

    def commit(self) -> None:
        """Mark what the last poll read as seen, here and in the store."""
        if not self._uncommitted:
            return
        for mark in self._uncommitted:
            mark()
        self._uncommitted.clear()
        self._save_seen()

    # -- what was seen, across restarts ----------------------------------------------------
    def _load_seen(self) -> None:
        raw = self.store.get_state(SEEN_STATE_KEY)
        if not raw:
            return
        try:
            state = json.loads(raw)
            files = {str(k): (int(v[0]), int(v[1])) for k, v in state.get("files", {}).items()}
            feeds = {str(k): v for k, v in state.get("feeds", {}).items() if isinstance(v, dict)}
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            log.warning("%s in the store is unreadable (%s); starting afresh", SEEN_STATE_KEY, exc)
            return
        for source in self._sources:
            for saved, signature in files.items():
                path = _under(source.spec, saved)
                if path is not None:
                    source.files[path] = signature
            for saved, entry in feeds.items():
                feed = saved if source.is_url else _under(source.spec, saved)
                if feed is None or (source.is_url and feed != source.spec):
                    continue
                source.entries[feed] = [str(i) for i in entry.get("ids", [])][-SEEN_PER_FEED:]
                if source.is_url:
                    source.validators = (entry.get("etag"), entry.get("last_modified"))

    def _save_seen(self) -> None:
        raw = self.store.get_state(SEEN_STATE_KEY)
        try:
            state = json.loads(raw) if raw else {}
            files: dict[str, list[int]] = dict(state.get("files", {}))
            feeds: dict[str, dict[str, Any]] = dict(state.get("feeds", {}))
        except (ValueError, TypeError, AttributeError):
            files, feeds = {}, {}
        for source in self._sources:
            for path, signature in source.files.items():
                if signature[1] >= 0:  # not the "no such path yet" mark
                    key = os.path.abspath(path)
                    files.pop(key, None)  # re-inserted last: the most recently seen are kept
                    files[key] = list(signature)
            for feed, ids in source.entries.items():
                key = feed if source.is_url else os.path.abspath(feed)
                etag, modified = source.validators if source.is_url else (None, None)
                feeds[key] = {"ids": ids[-SEEN_PER_FEED:], "etag": etag, "last_modified": modified}
        if len(files) > SEEN_FILES:
            files = dict(list(files.items())[-SEEN_FILES:])
        self.store.put_state(SEEN_STATE_KEY, json.dumps(
            {"version": 1, "files": files, "feeds": feeds}, ensure_ascii=False
        ).encode("utf-8"))

    def _poll_source(self, source: _Source) -> Iterator[tuple[Result, str]]:
        """The source's new inputs, each with when the watcher saw it."""
        if source.is_url:
            arrived = now_ms()
            yield from self._new_entries(source, source.spec, self._fetch_feed(source), arrived)
            return
        changed = list(self._changed_files(source))
        # a backlog first, the longest waiting first; then the rest in walking order
        waiting = {path: rank for rank, path in enumerate(source.deferred)}  # in first-seen order
        changed.sort(key=lambda c: waiting.get(c[0], len(waiting)))
        source.deferred = {c[0]: source.deferred[c[0]] for c in changed if c[0] in source.deferred}
        for taken, (path, fmt, signature) in enumerate(changed):
            if self.max_files is not None and taken >= self.max_files:
                source.deferred.setdefault(path, now_ms())
                source.next_due = self._clock()  # due again at once: there is a backlog
                continue
            arrived = source.deferred.pop(path, "") or now_ms()
            items = read_file(path, fmt, max_file_bytes=self.options.fetch.max_file_bytes, explicit=False)
            if fmt == "feed":
                yield from self._new_entries(source, path, items, arrived)
            else:
                yield from ((item, arrived) for item in items)
            self._uncommitted.append(partial(_touch, source.files, path, signature))

    def _changed_files(self, source: _Source) -> Iterator[tuple[str, str, tuple[int, int]]]:
        """Files under the source (or the source file itself) that are new or changed."""
        root = source.spec
        if os.path.isfile(root):
            candidates: Iterator[str] = iter([root])
        elif os.path.isdir(root):
            candidates = _walk_files(root)
        else:
            if root not in source.files:
                log.warning("%s: no such file or folder (yet)", root)
                source.files[root] = (0, -1)
            return
        for path in candidates:
            fmt = file_format(path)
            if fmt is None:
                continue
            try:
                info = os.stat(path)
            except OSError:
                continue  # gone between listing and looking
            signature = (info.st_mtime_ns, info.st_size)
            if source.files.get(path) != signature:
                yield path, fmt, signature

    def _new_entries(
        self, source: _Source, feed: str, items: Iterator[Result], arrived: str
    ) -> Iterator[tuple[Result, str]]:
        """Entries not seen before in this feed; the seen set is the feed's latest content."""
        before = source.entries.get(feed, [])
        seen = set(before)
        current: dict[str, None] = {}  # in feed order, without repeats
        for result in items:
            if isinstance(result, SourceItem) and result.id:
                current[result.id] = None
                if result.id in seen:
                    continue
            yield result, arrived
        if current:  # a fetch that failed keeps what was seen
            remembered = [i for i in before if i not in current] + list(current)
            self._uncommitted.append(partial(source.entries.__setitem__, feed, remembered[-SEEN_PER_FEED:]))

    def _fetch_feed(self, source: _Source) -> Iterator[Result]:
        """A feed URL's items; none when it answers 304 Not Modified to our validators."""
        etag, modified = source.validators
        headers = {"If-None-Match": etag} if etag else {}
        if modified:
            headers["If-Modified-Since"] = modified
        try:
            response = self._get_fetcher().get(source.spec, headers=headers or None)
        except InputError as exc:
            yield SourceFailure(exc.origin, exc.reason)
            return
        if response.status == 304:
            return
        validators = (response.header("etag"), response.header("last-modified"))
        self._uncommitted.append(partial(setattr, source, "validators", validators))
        yield from items_from_response(source.spec, response)

    def _get_fetcher(self) -> Fetcher:
        if self._fetcher is None or self._clock() - self._fetcher_made > ROBOTS_TTL:
            if self._fetcher is not None:
                self._fetcher.close()
            self._fetcher = Fetcher(self.options.fetch, self._transport)
            self._fetcher_made = self._clock()
        return self._fetcher

    # -- one cycle ---------------------------------------------------------------------
    def cycle(self, *, force: bool = False) -> CycleReport:
        """Poll the due sources and run whatever is new (or still pending) through the pipeline."""
        self.cycles += 1
        report = CycleReport(self.cycles)
        started = time.perf_counter()
        results, arrivals = self.poll(force=force, commit=False)
        report.inputs = sum(isinstance(r, SourceItem) for r in results)
        summary = None
        if results:
            before = set(self.store.article_ids(ArticleFilter(status="ingested")))
            summary = ingest([], self.store, self.options, items=results, command="watch", engine=self.engine)
            self.commit()
            ingested_at = now_ms()
            after = self.store.article_ids(ArticleFilter(status="ingested"))
            report.failures = list(summary.failures)
            report.stored, report.updated, report.unchanged = summary.stored, summary.updated, summary.unchanged
            self._record_ingested([i for i in after if i not in before], arrivals, ingested_at)
        parked: list[SourceFailure] = []  # articles whose enrichment killed a worker (Ray)
        waiting = self.store.article_ids(ArticleFilter(status="ingested")) if self.governor is not None else []
        if self.governor is not None:
            report.lead = self.governor.choose(len(waiting))
        enrich_started = time.perf_counter()
        report.enriched = self._phase("ingested", lambda: enrich_stored(
            self.store, EnrichOptions(lead_chars=report.lead), engine=self.engine,
            run_id=summary.run_id if summary else None, failures=parked,
        ), "enriched_at")
        enrich_seconds = time.perf_counter() - enrich_started
        if parked and summary is not None:  # the cycle's run row counts them too
            summary.failures += parked
            self.store.finish_run(summary.run_id, summary.to_dict())
        report.failures += parked
        report.failed = len(report.failures)
        report.clustered = self._phase("enriched", lambda: cluster_stored(self.store), "clustered_at")
        report.seconds = time.perf_counter() - started
        if self.governor is not None:
            self.governor.observe(report.enriched, report.lead, enrich_seconds, report.seconds - enrich_seconds)
        if report.lead < LEAD_CHARS and report.enriched:
            self._short.update(dict.fromkeys(waiting))  # reembed_stored skips any that failed
            self._save_short()
        elif not results and not report.enriched and self._short:  # idle: restore the full lead
            # (also in a watch started without a target after one with it)
            report.upgraded = self._upgrade(self.governor.upgrade_size() if self.governor else UPGRADE_MOST // 4)
            report.seconds = time.perf_counter() - started
        return report

    def _upgrade(self, most: int) -> int:
        """Embed up to ``most`` short-lead articles again from the full lead and place them again."""
        batch = list(self._short)[:most]
        done = reembed_stored(self.store, batch, engine=self.engine)
        if done:
            cluster_stored(self.store)
        for article_id in batch:
            del self._short[article_id]
        self._save_short()
        return len(done)

    def _save_short(self) -> None:
        self.store.put_state(SHORT_LEAD_STATE_KEY, json.dumps(list(self._short)).encode())

    def _record_ingested(self, ids: list[str], arrivals: dict[str, str], ingested_at: str) -> None:
        rows = []
        for article_id in ids:
            article = self.store.get_article(article_id)
            if article is None or article.origin not in arrivals:
                continue  # re-queued by the pipeline (e.g. boilerplate learned), not an arrival
            row = ArticleTiming(
                article_id, arrived_at=arrivals[article.origin], ingested_at=ingested_at, published=article.published
            )
            self._open[article_id] = row
            rows.append(row)
        if rows:
            self.store.put_timings(rows)

    def _phase(self, status: str, run: Callable[[], int], stamp: str) -> int:
        """Run a phase; stamp its end time on the open articles it moved on from ``status``."""
        if not self._open:
            return run()
        before = set(self.store.article_ids(ArticleFilter(status=status)))
        count = run()
        ended = now_ms()
        still = set(self.store.article_ids(ArticleFilter(status=status)))
        moved = (before - still) & self._open.keys()
        if moved:  # a parked article (failed) did not go through the phase: it has no more timings
            for article_id in moved & set(self.store.article_ids(ArticleFilter(status="failed"))):
                moved.discard(article_id)
                del self._open[article_id]
        rows = []
        for article_id in moved:
            row = replace(self._open[article_id], **{stamp: ended})
            rows.append(row)
            if stamp == "clustered_at":
                del self._open[article_id]
            else:
                self._open[article_id] = row
        if rows:
            self.store.put_timings(rows)
        return count

    # -- the loop ----------------------------------------------------------------------
    def run(self, *, once: bool = False, stop: threading.Event | None = None) -> list[CycleReport]:
        """Cycle until ``stop`` is set (or once); a cycle started is always finished.

        A cycle that fails with a ``NewsloomError`` is tried again at the next poll (its inputs
        are read again), unless it is a ``ConfigError``, which no later cycle would fix: it stops.
        """
        stop = stop or threading.Event()
        reports: list[CycleReport] = []
        self._warm_engine()
        try:
            while True:
                try:
                    report = self.cycle(force=once)
                except ConfigError:  # e.g. a Ray worker on another newsloom version: no cycle will do better
                    raise
                except NewsloomError as exc:  # e.g. the database went away: try again next cycle
                    if once:
                        raise
                    log.error("cycle %d failed: %s; its inputs will be read again", self.cycles, exc)
                    if stop.wait(self.seconds_to_next()):
                        break
                    continue
                reports.append(report)
                if report.inputs or report.enriched or report.clustered or report.failed or report.upgraded:
                    log.info("%s", report.describe())
                else:
                    log.debug("%s", report.describe())
                if once or stop.wait(self.seconds_to_next()):
                    break
        finally:
            if self._fetcher is not None:
                self._fetcher.close()
        return reports

    def _warm_engine(self) -> None:
        """Load the enrichment models now, not in the first busy cycle: a persistent engine's
        workers (Ray) load theirs, else this process loads its embedder."""
        from newsloom.pipeline import _Analyse  # what enrich_stored hands the engine (same options)

        warm = getattr(self.engine, "warm", None)
        if warm is None:
            get_embedder(EnrichOptions().embedder)
            return
        warm(partial(_Analyse, EnrichOptions()))


def _touch(files: dict[str, tuple[int, int]], path: str, signature: tuple[int, int]) -> None:
    """Record ``path``'s signature as its most recent (dicts keep order: least recent first)."""
    files.pop(path, None)
    files[path] = signature


def _under(spec: str, saved: str) -> str | None:
    """A saved absolute path as the watcher of ``spec`` names it, or None when not under ``spec``."""
    root = os.path.abspath(spec)
    if saved == root:
        return spec
    if saved.startswith(root.rstrip(os.sep) + os.sep):
        return os.path.join(spec, os.path.relpath(saved, root))
    return None


def _walk_files(root: str) -> Iterator[str]:
    """Every non-hidden file under ``root``, in sorted order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(folder, name)


class StopOnSignal:
    """SIGINT/SIGTERM set ``event`` (finish the cycle, then stop); a second SIGINT interrupts."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("stopping after this cycle (%s)", signal.Signals(signum).name)
        self.event.set()

    def __enter__(self) -> StopOnSignal:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


# -- statistics ----------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return (parse_time(end) - parse_time(start)).total_seconds()
    except ValueError:
        return None


def short_lead_waiting(store: Store) -> list[str]:
    """Ids of articles a watch embedded from a shorter lead, still to be embedded from the full one."""
    saved = store.get_state(SHORT_LEAD_STATE_KEY)
    return list(json.loads(bytes(saved))) if saved else []


def latency_stats(rows: Sequence[ArticleTiming]) -> dict[str, Any]:
    """p50/p95/max of arrival→stored, arrival→event and publication→event (seconds), and throughput.

    Throughput is articles placed in an event per second over the window from the first arrival
    to the last placement.
    """
    spans: dict[str, list[float]] = {"arrival_to_stored": [], "arrival_to_event": [], "publication_to_event": []}
    for row in rows:
        for name, start, end in (
            ("arrival_to_stored", row.arrived_at, row.ingested_at),
            ("arrival_to_event", row.arrived_at, row.clustered_at),
            ("publication_to_event", row.published, row.clustered_at),
        ):
            value = _seconds(start, end)
            if value is not None:
                spans[name].append(value)
    result: dict[str, Any] = {"articles": len(rows)}
    for name, values in spans.items():
        result[name] = {
            "count": len(values),
            "p50": percentile(values, 50) if values else None,
            "p95": percentile(values, 95) if values else None,
            "max": max(values) if values else None,
        }
    arrivals = [parse_time(r.arrived_at) for r in rows if r.arrived_at]
    placed = [parse_time(r.clustered_at) for r in rows if r.clustered_at]
    window = (max(placed) - min(arrivals)).total_seconds() if arrivals and placed else 0.0
    result["clustered"] = len(placed)
    result["window_seconds"] = window
    result["throughput_per_second"] = len(placed) / window if window > 0 else None
    return result


__all__ = [
    "CycleReport",
    "StopOnSignal",
    "Watcher",
    "latency_stats",
    "normalize_since",
    "now_ms",
    "percentile",
    "short_lead_waiting",
]
