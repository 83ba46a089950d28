"""Fitting helpers: pair features from labelled streams, logistic regression, threshold search.

Gold labels enter only here (and in the scorer): ``labelled_pairs`` streams articles through
``EventClusterer.add_labelled`` so that each article is compared with the events it would see
as candidates, with 1 for its gold event; ``fit_logistic`` fits standardised weights by
L-BFGS on the L2-penalised log loss (numpy + scipy, no sklearn).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.optimize import minimize

from bench.evalutil import score_clusters
from newsloom.events.cluster import EventClusterer
from newsloom.events.features import FEATURE_NAMES, ClusterInput
from newsloom.events.scoring import Params, Scorer
from newsloom.events.storylines import StorylineLinker


def labelled_pairs(items: Sequence[ClusterInput], labels: Mapping[str, str], params: Params,
                   batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forced (features, is-same) rows of article-vs-candidate-event pairs."""
    c = EventClusterer(params, fold_duplicates=False)
    rows: list[list[float]] = []
    ys: list[int] = []
    for s in range(0, len(items), batch):
        chunk = items[s: s + batch]
        for x, y in c.add_labelled(chunk, [labels[i.id] for i in chunk]):
            rows.append(x)
            ys.append(y)
    return np.asarray(rows, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def fit_logistic(X: np.ndarray, y: np.ndarray, features: Sequence[str], l2: float = 1e-2,
                 balance: bool = True, weight: np.ndarray | None = None) -> Scorer:
    """L2-regularised logistic regression on the named columns, standardised."""
    idx = [FEATURE_NAMES.index(f) for f in features]
    Z = X[:, idx]
    mu = Z.mean(axis=0)
    sd = Z.std(axis=0)
    sd[sd < 1e-9] = 1.0
    Z = (Z - mu) / sd
    if balance:
        pos = max(y.sum(), 1.0)
        neg = max(len(y) - y.sum(), 1.0)
        sw = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg))
    else:
        sw = np.ones(len(y))
    if weight is not None:
        sw = sw * weight * len(weight) / weight.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = Z @ w + b
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        ll = sw * (np.logaddexp(0, z) - y * z)
        g = sw * (p - y)
        n = len(y)
        return (float(ll.sum() / n + l2 * w @ w),
                np.concatenate([Z.T @ g / n + 2 * l2 * w, [g.sum() / n]]))

    res = minimize(loss, np.zeros(len(idx) + 1), jac=True, method="L-BFGS-B")
    return Scorer(list(features), res.x[:-1].tolist(), float(res.x[-1]), mu.tolist(), sd.tolist())


def story_pairs(items: Sequence[ClusterInput], events: Mapping[str, str], stories: Mapping[str, str],
                params: Params, batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forced (features, same-storyline) rows of gold event vs candidate storyline pairs."""
    c = EventClusterer(params, fold_duplicates=False)
    for s in range(0, len(items), batch):
        chunk = items[s: s + batch]
        c.add_labelled(chunk, [events[i.id] for i in chunk])
    story_of_event = {c.event_of(i.id): stories[i.id] for i in items}
    rows = StorylineLinker(params).link_labelled(c, story_of_event)
    return (np.asarray([r[0] for r in rows], dtype=np.float64).reshape(-1, len(FEATURE_NAMES)),
            np.asarray([r[1] for r in rows], dtype=np.float64))


def run_events(items: Sequence[ClusterInput], params: Params, batch: int = 64,
               linker: bool = False) -> tuple[dict[str, str], dict[str, str] | None, EventClusterer]:
    """Stream items through a fresh clusterer; article → event, and → storyline when ``linker``."""
    c = EventClusterer(params)
    link = StorylineLinker(params) if linker else None
    for s in range(0, len(items), batch):
        c.add(items[s: s + batch])
        if link is not None:
            link.update(c)
    c.maintain()
    ev = c.assignments()
    st = None
    if link is not None:
        link.update(c)
        story = link.assignments()
        st = {a: story[e] for a, e in ev.items()}
    return ev, st, c


def with_params(params: Params, **changes: object) -> Params:
    """A copy of ``params`` with some fields replaced."""
    p = copy.deepcopy(params)
    for k, v in changes.items():
        setattr(p, k, v)
    return p


def grid(items_sets: Sequence[tuple[Sequence[ClusterInput], Mapping[str, str]]], params: Params, field: str,
         values: Sequence[float], metric: str = "bF1",
         runner: Callable[..., dict[str, str]] | None = None) -> tuple[float, list[tuple[float, list[float]]]]:
    """The value of ``field`` that maximises the mean ``metric`` over the given (items, gold) sets."""
    table = []
    for v in values:
        p = with_params(params, **{field: v})
        scores = []
        for items, gold in items_sets:
            pred = runner(items, p) if runner else run_events(items, p)[0]
            scores.append(score_clusters(pred, {i.id: gold[i.id] for i in items})[metric])
        table.append((v, scores))
    best = max(table, key=lambda r: float(np.mean(r[1])))
    return best[0], table


def date_key(item: ClusterInput) -> dt.date:
    """Sort key: date, undated first."""
    return item.date or dt.date.min
