"""Exact duplicates, near-duplicates and cross-language translations of articles.

* exact: the SHA-1 of the normalised text (lowercase, punctuation and spacing dropped);
* near: MinHash over word 5-shingles with LSH (datasketch), confirmed by the estimated
  Jaccard similarity;
* translations and close rewrites: the two texts' sentences are embedded and aligned in
  order (a monotone chain of sentence pairs above a similarity threshold); a pair whose
  aligned sentences cover most of the shorter text, and whose numbers agree, is one text
  in two versions.

``likely_original`` names which of a group came first: the earliest date, then the most
complete text. Inside an event, copies are folded into their original and do not count as
independent coverage (the clusterer uses ``DuplicateIndex`` for exact and near copies).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from newsloom.events.features import ClusterInput

FloatArray = npt.NDArray[np.float32]
SentenceEmbed = Callable[[Sequence[str]], FloatArray]

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+|(?<=[。！？])")

#: Texts shorter than this (normalised characters) are never called duplicates.
MIN_CHARS = 20
#: Word shingle length for MinHash.
SHINGLE = 5
#: datasketch's hashing scheme, named so stored signatures stay comparable.
MINHASH_SCHEME = "affine32"


def normalise_text(text: str) -> str:
    """Lowercase words of ``text`` without accents or punctuation, single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def content_hash(text: str) -> str:
    """SHA-1 of the normalised text: equal for texts that differ only in case, spacing, punctuation."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Word k-shingles of the normalised text (character 5-grams for unspaced scripts)."""
    words = normalise_text(text).split()
    if len(words) < 3 and words:  # Chinese, Japanese, Thai: no spaces between words
        joined = "".join(words)
        return {joined[i : i + 5] for i in range(max(len(joined) - 4, 1))}
    return {" ".join(words[i : i + k]) for i in range(max(len(words) - k + 1, 1))}


def numbers(text: str) -> set[str]:
    """The numbers a text states (digits only, separators dropped), for translation checks."""
    return {re.sub(r"[.,]", "", m) for m in _NUMBER.findall(text)}


_PERMUTATIONS: dict[int, Any] = {}


def _minhash(shingle_set: set[str], num_perm: int) -> Any:
    from datasketch import MinHash

    perms = _PERMUTATIONS.get(num_perm)
    if perms is None:  # drawing them is a third of the cost of a small MinHash: once per size
        perms = _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm, seed=7, scheme=MINHASH_SCHEME).permutations
    mh = MinHash(num_perm=num_perm, seed=7, scheme=MINHASH_SCHEME, permutations=perms)
    mh.update_batch([s.encode("utf-8") for s in shingle_set])
    return mh


@functools.lru_cache(maxsize=16)
def _bands(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    """datasketch's LSH bands for ``threshold`` (weighted for recall, as the index always was)."""
    from datasketch import MinHashLSH

    return tuple(MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9)).hashranges)


@dataclass(frozen=True)
class DuplicateMatch:
    """``id`` is a copy of ``original`` (``kind`` exact | near | translation | rewrite)."""

    id: str
    original: str
    kind: str
    similarity: float


class DuplicateIndex:
    """Incremental exact and near-duplicate detection over a stream of texts.

    ``remove(doc_id)`` forgets a text (the event clusterer's active window): it is no longer
    found as an original, and its exact hashes and LSH entries go.
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = 128) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._exact: dict[str, str] = {}
        self._digests: dict[str, list[str]] = {}  # original id → its hashes in ``_exact``
        self._ids: dict[int, str] = {}  # LSH key → id
        self._key: dict[str, int] = {}  # id → LSH key
        self._next = 0
        self._signatures: dict[int, npt.NDArray[Any]] = {}
        # LSH over signature bands (datasketch's banding, tuned for recall: a missed copy costs
        # more than a candidate checked by Jaccard), kept as one small dict per band (band hash →
        # key, or a list of keys): a third of datasketch's MinHashLSH memory per text
        self._ranges = _bands(threshold, num_perm)
        self._tables: list[dict[int, int | list[int]]] = [{} for _ in self._ranges]

    def _band_hashes(self, sig: npt.NDArray[Any]) -> list[int]:
        return [hash(sig[a:b].tobytes()) for a, b in self._ranges]

    def _lsh_insert(self, key: int, sig: npt.NDArray[Any]) -> None:
        for table, h in zip(self._tables, self._band_hashes(sig), strict=True):
            old = table.get(h)
            if old is None:
                table[h] = key
            elif isinstance(old, int):
                table[h] = [old, key]
            else:
                old.append(key)

    def _lsh_remove(self, key: int, sig: npt.NDArray[Any]) -> None:
        for table, h in zip(self._tables, self._band_hashes(sig), strict=True):
            old = table.get(h)
            if old == key:
                del table[h]
            elif isinstance(old, list) and key in old:
                old.remove(key)
                if len(old) == 1:
                    table[h] = old[0]

    def _lsh_query(self, sig: npt.NDArray[Any]) -> list[int]:
        found: set[int] = set()
        for table, h in zip(self._tables, self._band_hashes(sig), strict=True):
            hit = table.get(h)
            if isinstance(hit, int):
                found.add(hit)
            elif hit is not None:
                found.update(hit)
        return sorted(found)

    def __len__(self) -> int:
        return len(self._exact)

    def check(self, doc_id: str, text: str, add: bool = True) -> DuplicateMatch | None:
        """The earlier text ``text`` copies, if any; with ``add``, remember ``text`` too.

        A copy is remembered under its original's hash only (its first occurrence wins), so
        a chain of copies always points at the first one seen.
        """
        norm = normalise_text(text)
        if len(norm) < MIN_CHARS:
            return None
        digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()
        if digest in self._exact:
            return DuplicateMatch(doc_id, self._exact[digest], "exact", 1.0)
        sh = shingles(text)
        match: DuplicateMatch | None = None
        mh = None
        if len(sh) >= 3:
            mh = _minhash(sh, self.num_perm)
            best = 0.0
            sig = np.asarray(mh.hashvalues)
            for key in self._lsh_query(sig):
                j = float(np.mean(self._signatures[key] == sig))
                if j >= self.threshold and j > best:
                    best = j
                    match = DuplicateMatch(doc_id, self._ids[key], "near", j)
        if add:
            original = doc_id if match is None else match.original
            self._exact[digest] = original
            self._digests.setdefault(original, []).append(digest)
            if mh is not None and match is None:
                key = self._next
                self._next += 1
                self._ids[key] = doc_id
                self._key[doc_id] = key
                self._signatures[key] = np.asarray(mh.hashvalues).copy()
                self._lsh_insert(key, self._signatures[key])
        return match

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id`` as an original (its copies' hashes, which point at it, go too)."""
        for digest in self._digests.pop(doc_id, ()):
            if self._exact.get(digest) == doc_id:
                del self._exact[digest]
        key = self._key.pop(doc_id, None)
        if key is not None:
            del self._ids[key]
            self._lsh_remove(key, self._signatures.pop(key))

    def to_state(self) -> dict[str, Any]:
        """Plain data for a snapshot."""
        keys = sorted(self._ids)
        sigs = (np.vstack([self._signatures[k] for k in keys]) if keys
                else np.zeros((0, self.num_perm), dtype=np.uint64))
        return {
            "threshold": self.threshold,
            "num_perm": self.num_perm,
            "exact": dict(self._exact),
            "ids": [self._ids[k] for k in keys],
            "signatures": sigs,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> DuplicateIndex:
        """Inverse of ``to_state``: the LSH tables are rebuilt from the signatures."""
        idx = cls(float(state["threshold"]), int(state["num_perm"]))
        idx._exact = {str(k): str(v) for k, v in dict(state["exact"]).items()}
        for digest, original in idx._exact.items():
            idx._digests.setdefault(original, []).append(digest)
        for n, (doc_id, sig) in enumerate(zip(state["ids"], np.asarray(state["signatures"]), strict=False)):
            idx._ids[n] = str(doc_id)
            idx._key[str(doc_id)] = n
            idx._signatures[n] = np.asarray(sig).copy()
            idx._lsh_insert(n, idx._signatures[n])
        idx._next = len(idx._ids)
        return idx


# --------------------------------------------------------------------------- translations
def split_sentences(text: str, min_chars: int = 25) -> list[str]:
    """Sentences of ``text`` (short fragments are glued to the next sentence)."""
    out: list[str] = []
    carry = ""
    for part in _SENTENCE.split(text):
        part = part.strip()
        if not part:
            continue
        part = f"{carry} {part}".strip() if carry else part
        if len(part) < min_chars:
            carry = part
            continue
        out.append(part)
        carry = ""
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


@dataclass
class Alignment:
    """Sentence pairs (i, j, similarity) aligned in order, and how much of each text they cover."""

    pairs: list[tuple[int, int, float]]
    coverage: float  # aligned pairs / sentences of the shorter text
    sentences_a: list[str] = field(default_factory=list)
    sentences_b: list[str] = field(default_factory=list)


def align_sentences(sims: npt.NDArray[np.float32], threshold: float) -> list[tuple[int, int, float]]:
    """The heaviest chain of pairs (i₁<i₂<…, j₁<j₂<…) whose similarity reaches ``threshold``.

    Dynamic programming over the similarity matrix, O(n·m).
    """
    n, m = sims.shape
    if not n or not m:
        return []
    gain = np.where(sims >= threshold, sims, 0.0)
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        row, prev = best[i], best[i - 1]
        for j in range(1, m + 1):
            take = prev[j - 1] + gain[i - 1, j - 1] if gain[i - 1, j - 1] > 0 else 0.0
            row[j] = max(prev[j], row[j - 1], take)
    pairs: list[tuple[int, int, float]] = []
    i, j = n, m
    while i > 0 and j > 0:
        g = gain[i - 1, j - 1]
        if g > 0 and best[i, j] == best[i - 1, j - 1] + g:
            pairs.append((i - 1, j - 1, float(sims[i - 1, j - 1])))
            i, j = i - 1, j - 1
        elif best[i, j] == best[i - 1, j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def sentence_alignment(
    text_a: str,
    text_b: str,
    embed: SentenceEmbed,
    threshold: float = 0.85,
    max_sentences: int = 40,
) -> Alignment:
    """Align the sentences of two texts by embedding similarity, in order."""
    sa = split_sentences(text_a)[:max_sentences]
    sb = split_sentences(text_b)[:max_sentences]
    if not sa or not sb:
        return Alignment([], 0.0, sa, sb)
    va, vb = embed(sa), embed(sb)
    sims = np.asarray(va @ vb.T, dtype=np.float32)
    pairs = align_sentences(sims, threshold)
    return Alignment(pairs, len(pairs) / min(len(sa), len(sb)), sa, sb)


def numbers_agree(text_a: str, text_b: str) -> float:
    """Jaccard similarity of the numbers two texts state (1.0 when neither states any)."""
    na, nb = numbers(text_a), numbers(text_b)
    if not na and not nb:
        return 1.0
    return len(na & nb) / len(na | nb)


def likely_original(items: Sequence[ClusterInput]) -> ClusterInput:
    """The earliest item; among equally early (or undated) ones, the longest text."""
    far = dt.date.max
    return min(items, key=lambda it: (it.date or far, -len(it.text), it.id))


def find_copies(
    items: Sequence[ClusterInput],
    embed: SentenceEmbed | None = None,
    near_threshold: float = 0.8,
    sentence_threshold: float = 0.85,
    coverage: float = 0.6,
    min_doc_cos: float = 0.8,
) -> list[DuplicateMatch]:
    """Copies among ``items`` (typically one event's members), each pointing at its original.

    Exact and near copies come from ``DuplicateIndex``; with ``embed`` (a sentence embedder),
    pairs whose document vectors are close (raw cosine ≥ ``min_doc_cos``) are aligned
    sentence by sentence: coverage ≥ ``coverage`` with agreeing numbers makes a translation
    (different languages) or a rewrite (same language).
    """
    order = sorted(items, key=lambda it: (it.date or dt.date.max, -len(it.text), it.id))
    index = DuplicateIndex(near_threshold)
    copies: dict[str, DuplicateMatch] = {}
    for it in order:
        m = index.check(it.id, f"{it.title}\n{it.text}" if it.title else it.text)
        if m is not None:
            copies[it.id] = m
    if embed is not None and len(order) > 1:
        vecs = np.vstack([np.asarray(it.vector, dtype=np.float32) for it in order])
        sims = vecs @ vecs.T
        for j, later in enumerate(order):
            if later.id in copies:
                continue
            for i in range(j):
                earlier = order[i]
                if earlier.id in copies or sims[i, j] < min_doc_cos:
                    continue
                al = sentence_alignment(earlier.text, later.text, embed, sentence_threshold)
                if al.coverage >= coverage and numbers_agree(earlier.text, later.text) >= 0.5:
                    kind = "translation" if earlier.lang != later.lang else "rewrite"
                    copies[later.id] = DuplicateMatch(later.id, earlier.id, kind, al.coverage)
                    break
    return list(copies.values())
