#!/usr/bin/env python3
"""Late articles at scale: a backfill into a store whose events have long retired.

    PYTHONPATH=. python bench/backfill_bench.py --size 100k --share 0.1             # reopening (shipped)
    PYTHONPATH=. python bench/backfill_bench.py --size 100k --share 0.1 --no-reopen # as before session 7
    PYTHONPATH=. python bench/backfill_bench.py --size 100k --share 0.1 --undated   # late pages without a date

The synthetic year-long stream of ``bench/scale_bench.py`` (same generator, same seed), with a
random ``share`` of its articles held back: the rest is written to a SQLite store and clustered
by ``cluster_stored`` (the active window retires events idle for 30 days), then the held-back
articles are written and clustered as a backfill. Reported: the backfill's clustering rate,
how many retired events it reopened, and how many late articles joined an event holding an
article of their own happening (same source event and round, which the generator keeps within
three days) that was placed before the backfill.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results import PeakTreeMemory
from bench.scale_bench import SIZES, Log, ProgressLog, generate, load_sources, plan
from newsloom import pipeline
from newsloom.model import Article, Enrichment
from newsloom.store import open_store

WRITE_BATCH = 1000


def _write(store: Any, rows: list[tuple[Article, Enrichment]]) -> None:
    for s in range(0, len(rows), WRITE_BATCH):
        part = rows[s: s + WRITE_BATCH]
        store.put_articles([a for a, _ in part])
        store.put_enrichments([e for _, e in part])


def run(size: str, share: float, reopen: bool, workdir: Path, log: Log, seed: int = 0,
        in_order: bool = False, chunk: int = pipeline.CLUSTER_CHUNK, undated: bool = False) -> dict[str, Any]:
    n = SIZES[size]
    sources = load_sources()
    rows = plan(sources, n, seed)
    group = {}  # article id → (round, source event): the gold happening
    rng = random.Random(seed + 7)
    main: list[tuple[Article, Enrichment]] = []
    late: list[tuple[Article, Enrichment]] = []
    for k, (article, enrichment) in enumerate(generate(sources, rows, seed)):
        _, rnd, i = rows[k]
        group[article.id] = (rnd, sources[i].group)
        (late if rng.random() < share else main).append((article, enrichment))
    if undated:  # a backfill of pages without a date: placed by their text alone
        late = [(dataclasses.replace(a, published=None, published_source=None), e) for a, e in late]
    if in_order:  # the reference: the same articles, none held back (the late ones are only measured)
        main = sorted(main + late, key=lambda row: row[0].id)  # ids follow the stream order
    del sources, rows
    target = workdir / f"backfill-{size}.db"
    for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        p.unlink(missing_ok=True)
    store = open_store(str(target))
    _write(store, main)
    n_main = len(main)
    main_ids = {a.id for a, _ in main}
    del main  # only the late articles stay in memory (the peak below is the backfill's)
    log(f"{size}: {n_main} articles written, {len(late)} held back")
    t = time.perf_counter()
    pipeline.cluster_stored(store, progress=ProgressLog(log, every=max(n_main // 10, 2048)))
    main_s = time.perf_counter() - t
    before = {e.id for e in store.list_events()}
    if in_order:
        main_ids -= {a.id for a, _ in late}
    else:
        _write(store, late)
    reopened = 0
    real_reopen_event = pipeline.reopen_event

    def counting(store_: Any, clusterer: Any, event_id: str) -> bool:
        nonlocal reopened
        ok = real_reopen_event(store_, clusterer, event_id)
        reopened += ok
        return ok

    pipeline.reopen_event = counting  # type: ignore[assignment]
    if not reopen:
        pipeline.reopen_stored = lambda *a, **k: 0
    t = time.perf_counter()
    with PeakTreeMemory(interval=0.5) as mem:
        placed = pipeline.cluster_stored(store, progress=ProgressLog(log, every=max(len(late) // 5, 512)),
                                         chunk_size=chunk)
    late_s = time.perf_counter() - t
    late_ids = {a.id for a, _ in late}
    placed_groups = {group[a] for a in main_ids}
    joined_old = with_own = could = 0
    for a, _ in late:
        link = store.article_link(a.id)
        assert link is not None, a.id
        event = store.get_event(link.event_id)
        assert event is not None
        joined_old += event.id in before
        if group[a.id] in placed_groups:  # its happening had articles placed before the backfill
            could += 1
            with_own += any(m not in late_ids and group[m] == group[a.id] for m in event.article_ids)
    res = {
        "size": size, "share": share, "reopen": reopen, "in_order": in_order, "chunk": chunk, "undated": undated,
        "articles": n,
        "late": len(late), "placed": placed,
        "main_cluster_per_s": round(n_main / main_s, 1),
        "late_cluster_s": round(late_s, 1), "late_cluster_per_s": round(placed / late_s, 1) if placed else None,
        "late_peak_mb": round(mem.peak_mb), "reopened_events": reopened,
        "late_joined_an_earlier_event": round(joined_old / len(late), 4),
        "late_whose_happening_was_placed": could,
        "late_with_own_happening": round(with_own / max(could, 1), 4),
        "events": len(store.list_events()), "storylines": len(store.list_storylines()),
        "load": round(os.getloadavg()[0], 2),
    }
    store.close()
    for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        p.unlink(missing_ok=True)
    log(f"result {json.dumps(res)}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="10k")
    ap.add_argument("--share", type=float, default=0.1, help="share of the stream held back and backfilled")
    ap.add_argument("--no-reopen", action="store_true", help="as before session 7: retired events are final")
    ap.add_argument("--in-order", action="store_true",
                    help="the reference: nothing held back, the same articles measured in the date-ordered run")
    ap.add_argument("--chunk", type=int, default=pipeline.CLUSTER_CHUNK, help="articles per clustering step (backfill)")
    ap.add_argument("--undated", action="store_true", help="the backfilled articles have no date")
    ap.add_argument("--workdir", default=tempfile.gettempdir())
    ap.add_argument("--log", default=None)
    args = ap.parse_args()
    res = run(args.size, args.share, not args.no_reopen, Path(args.workdir), Log(args.log), in_order=args.in_order,
              chunk=args.chunk, undated=args.undated)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
