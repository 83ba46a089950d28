"""The fitted scoring functions and their parameters (``params.json`` beside this file).

A ``Scorer`` is a logistic function over ``features.FEATURE_NAMES`` (standardised
features, weights, bias); ``Params`` gathers the event scorer with its join / merge / split
thresholds, the storyline scorer, candidate-search sizes, duplicate thresholds and the prior
mean vector per embedder. ``bench/fit_events.py`` writes the file and records how each
number was fitted under ``"fitted"``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newsloom.errors import ConfigError
from newsloom.events.features import FEATURE_NAMES

PARAMS_PATH = Path(__file__).with_name("params.json")


@dataclass
class Scorer:
    """p(same) = sigmoid(bias + Σ wᵢ · (xᵢ − μᵢ) / σᵢ) over named features."""

    features: list[str]
    weights: list[float]
    bias: float
    mu: list[float]
    sigma: list[float]

    def _index(self) -> list[int]:
        return [FEATURE_NAMES.index(f) for f in self.features]

    def logit(self, x: Sequence[float]) -> float:
        """The linear score of one full feature vector (``FEATURE_NAMES`` order)."""
        z = self.bias
        for w, i, m, s in zip(self.weights, self._index(), self.mu, self.sigma, strict=False):
            z += w * (x[i] - m) / s
        return z

    def prob(self, x: Sequence[float]) -> float:
        """p(same) of one full feature vector."""
        z = self.logit(x)
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def probs(self, X: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """p(same) of each row of a (n × len(FEATURE_NAMES)) matrix."""
        if len(X) == 0:
            return np.zeros(0)
        cols = np.asarray(X, dtype=np.float64)[:, self._index()]
        z = self.bias + ((cols - np.asarray(self.mu)) / np.asarray(self.sigma)) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def contributions(self, x: Sequence[float]) -> dict[str, float]:
        """Each feature's share of the logit: what pushed a decision which way."""
        return {
            f: w * (x[i] - m) / s
            for f, w, i, m, s in zip(self.features, self.weights, self._index(), self.mu, self.sigma, strict=False)
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scorer:
        """Inverse of ``dataclasses.asdict``."""
        return cls(
            features=list(d["features"]),
            weights=[float(w) for w in d["weights"]],
            bias=float(d["bias"]),
            mu=[float(v) for v in d["mu"]],
            sigma=[float(v) for v in d["sigma"]],
        )


def _default_event_scorer() -> Scorer:
    feats = list(FEATURE_NAMES)
    w = {"cos_centroid": 2.0, "cos_max": 1.0, "ent_cos": 1.0, "ent_rare": 0.5, "lex_cos": 1.0, "gap": -1.5}
    return Scorer(feats, [w.get(f, 0.0) for f in feats], -3.0, [0.0] * len(feats), [1.0] * len(feats))


@dataclass
class Params:
    """Everything the event stages read that was fitted or chosen, with its provenance."""

    event: Scorer = field(default_factory=_default_event_scorer)
    join_threshold: float = 0.5
    join_threshold_undated: float = 0.5
    # the undated threshold for a short article (a headline, a one-line brief: at most
    # ``short_chars`` characters, dense scripts weighted as in ``clean.text_length``); None: as long ones
    join_threshold_short: float | None = None
    short_chars: int = 200
    merge_threshold: float = 0.7
    split_threshold: float = 0.05
    storyline: Scorer = field(default_factory=_default_event_scorer)
    storyline_threshold: float = 0.5
    k_articles: int = 24
    k_centroids: int = 8
    maintain_every: int = 200
    recentre_until: int = 16384
    max_gap_days: float = 0.0  # a dated article never joins an event whose recent span is further away (0: no cap)
    retire_after_days: int = 30  # events idle this long in stream time leave the active window (0: never)
    # a retired dated event stays reopenable by late articles this long past its last date (0: never;
    # at most a year, as long as the storyline linker keeps its storyline)
    reopen_within_days: int = 365
    prior_weight: float = 50.0
    lang_weight: float = 5.0
    near_duplicate_jaccard: float = 0.8
    translation_sentence_sim: float = 0.85
    translation_coverage: float = 0.6
    # labels of events and storylines are read in this language when their articles offer it
    label_language: str = "en"
    prior_mean: dict[str, list[float]] = field(default_factory=dict)
    fitted: dict[str, Any] = field(default_factory=dict)

    def threshold_for(self, a_dated: bool, b_dated: bool, short: bool = False) -> float:
        """The join threshold for a pair of sides that carry a date or not: ``join_threshold``
        when both do, else ``join_threshold_undated``, or ``join_threshold_short`` when the
        article is short (without time the same evidence is weaker, and a headline carries less
        of it than a whole article: the undated threshold is fitted on whole articles, ECB+,
        the short one on headlines, Google News titles).

        One threshold serves undated-vs-undated and undated-vs-dated pairs. A third one for the
        mixed case was fitted and measured (bench/RESULTS.md, events): it helps on ECB+, whose
        undated articles are the other sub-event, and hurts on real scraped news, where an
        undated article is mostly about the current event.
        """
        if a_dated and b_dated:
            return self.join_threshold
        if short and self.join_threshold_short is not None:
            return self.join_threshold_short
        return self.join_threshold_undated

    def is_short(self, title: str, text: str) -> bool:
        """Whether an article is short in the sense of ``join_threshold_short`` (its text, else its title)."""
        from newsloom.clean import text_length

        return text_length(text.strip() or title.strip()) <= self.short_chars

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Params:
        """Inverse of ``to_dict``; unknown keys are ignored, missing ones take defaults."""
        p = cls()
        for key, value in d.items():
            if key in ("event", "storyline"):
                setattr(p, key, Scorer.from_dict(value))
            elif hasattr(p, key):
                setattr(p, key, value)
        return p

    def save(self, path: Path = PARAMS_PATH) -> None:
        """Write the parameters as indented JSON."""
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def prior(self, embedder: str) -> npt.NDArray[np.float32] | None:
        """The shipped mean vector of ``embedder``'s embeddings, if any."""
        vec = self.prior_mean.get(embedder)
        return np.asarray(vec, dtype=np.float32) if vec else None


_CACHE: dict[str, Params] = {}


def load_params(path: Path | str | None = None) -> Params:
    """The parameters in ``path``; by default the file ``$NEWSLOOM_PARAMS`` names, else the shipped
    ``params.json`` (a deployment's own copy, e.g. with a shorter ``retire_after_days``)."""
    if path is None and os.environ.get("NEWSLOOM_PARAMS"):
        path = os.environ["NEWSLOOM_PARAMS"]
        if not Path(path).is_file():
            raise ConfigError(f"NEWSLOOM_PARAMS={path}: no such file")
    p = Path(path) if path is not None else PARAMS_PATH
    key = str(p)
    if key not in _CACHE:
        _CACHE[key] = Params.from_dict(json.loads(p.read_text(encoding="utf-8"))) if p.exists() else Params()
    return _CACHE[key]
