"""Scoring helpers for the cluster bench (gold is read here and by the scorer only).

``bcubed`` and ``pairwise_ari`` reproduce ``/work/shared/bench/score.py`` for fast in-process
loops; ``ami`` adds the adjusted mutual information (arithmetic normalisation, as sklearn's
default) that the scorer cannot compute without sklearn. Final numbers are also printed by
running the shared scorer itself (``run_scorer``).
"""

from __future__ import annotations

import collections
import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy.special import gammaln

from bench.datasets import SCORER


def bcubed(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """BCubed precision, recall, F1."""
    pc: dict[str, set[int]] = collections.defaultdict(set)
    gc: dict[str, set[int]] = collections.defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        pc[p].add(i)
        gc[g].add(i)
    P = R = 0.0
    for i in range(len(gold)):
        inter = len(pc[pred[i]] & gc[gold[i]])
        P += inter / len(pc[pred[i]])
        R += inter / len(gc[gold[i]])
    P, R = P / len(gold), R / len(gold)
    return P, R, 2 * P * R / (P + R) if P + R else 0.0


def _c2(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_ari(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float, float]:
    """Pairwise precision, recall, F1 and the adjusted Rand index."""
    cont = collections.Counter(zip(pred, gold, strict=True))
    tp = sum(_c2(v) for v in cont.values())
    pp = sum(_c2(v) for v in collections.Counter(pred).values())
    gp = sum(_c2(v) for v in collections.Counter(gold).values())
    P = tp / pp if pp else 1.0
    R = tp / gp if gp else 1.0
    n = len(gold)
    expected = pp * gp / _c2(n) if n > 1 else 0
    ari = (tp - expected) / ((pp + gp) / 2 - expected) if (pp + gp) / 2 != expected else 1.0
    return P, R, 2 * P * R / (P + R) if P + R else 0.0, ari


def ami(pred: Sequence[str], gold: Sequence[str]) -> float:
    """Adjusted mutual information, arithmetic-mean normalisation."""
    n = len(gold)
    pl = {p: i for i, p in enumerate(sorted(set(pred)))}
    gl = {g: i for i, g in enumerate(sorted(set(gold)))}
    cont = np.zeros((len(gl), len(pl)))
    for p, g in zip(pred, gold, strict=True):
        cont[gl[g], pl[p]] += 1
    a, b = cont.sum(1), cont.sum(0)
    nz = cont > 0
    mi = float(np.sum(cont[nz] / n * (np.log(cont[nz] * n) - np.log(np.outer(a, b)[nz]))))
    ha = -float(np.sum(a / n * np.log(a / n)))
    hb = -float(np.sum(b / n * np.log(b / n)))
    # expected mutual information under the hypergeometric model
    emi = 0.0
    lg_n = gammaln(n + 1)
    for ai in a:
        for bj in b:
            lo, hi = max(1, int(ai + bj - n)), int(min(ai, bj))
            if hi < lo:
                continue
            nij = np.arange(lo, hi + 1, dtype=float)
            term1 = nij / n * (np.log(nij * n) - math.log(ai * bj))
            lp = (gammaln(ai + 1) + gammaln(bj + 1) + gammaln(n - ai + 1) + gammaln(n - bj + 1) - lg_n
                  - gammaln(nij + 1) - gammaln(ai - nij + 1) - gammaln(bj - nij + 1) - gammaln(n - ai - bj + nij + 1))
            emi += float(np.sum(term1 * np.exp(lp)))
    denom = (ha + hb) / 2 - emi
    return (mi - emi) / denom if abs(denom) > 1e-12 else 1.0


def score_clusters(pred: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """All clustering metrics of ``pred`` (id → cluster) against ``gold`` (id → cluster)."""
    ids = sorted(gold)
    p = [str(pred.get(i, f"missing:{i}")) for i in ids]
    g = [str(gold[i]) for i in ids]
    bp, br, bf = bcubed(p, g)
    _pp, _pr, pf, ari = pairwise_ari(p, g)
    return {"bP": bp, "bR": br, "bF1": bf, "pF1": pf, "ARI": ari, "AMI": ami(p, g),
            "n_pred": len(set(p)), "n_gold": len(set(g))}


def run_scorer(gold_path: str | Path, pred_path: str | Path, level: str = "event") -> str:
    """The shared scorer's output for one prediction file."""
    out = subprocess.run([sys.executable, str(SCORER), "clusters", str(gold_path), str(pred_path), "--level", level],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def write_jsonl(path: str | Path, rows: Sequence[Mapping[str, object]]) -> None:
    """One JSON object a line."""
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
