"""Turning records into storable values and back, shared by every backend."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import numpy.typing as npt

from newsloom.model import DateEstimate, Enrichment, EntityMention, Quote, RemovedLine


def removed_to_json(removed: list[RemovedLine]) -> str:
    return json.dumps([[r.line, r.reason] for r in removed], ensure_ascii=False)


def removed_from_json(text: str | None) -> list[RemovedLine]:
    return [RemovedLine(line, reason) for line, reason in json.loads(text or "[]")]


def enrichment_to_json(enrichment: Enrichment) -> str:
    """Everything but the vector, which backends store natively."""
    data: dict[str, Any] = {
        "entities": [asdict(e) for e in enrichment.entities],
        "quotes": [asdict(q) for q in enrichment.quotes],
        "keyphrases": enrichment.keyphrases,
        "date_estimate": asdict(enrichment.date_estimate) if enrichment.date_estimate else None,
        "lead_chars": enrichment.lead_chars,
    }
    return json.dumps(data, ensure_ascii=False)


def enrichment_from_json(article_id: str, text: str, vector: list[float] | None) -> Enrichment:
    data = json.loads(text)
    estimate = data.get("date_estimate")
    return Enrichment(
        article_id=article_id,
        entities=[
            EntityMention(**{**e, "surface": tuple(e["surface"])}) for e in data.get("entities", [])
        ],
        quotes=[Quote(**q) for q in data.get("quotes", [])],
        keyphrases=list(data.get("keyphrases", [])),
        date_estimate=(
            DateEstimate(**{**estimate, "evidence": tuple(estimate["evidence"])}) if estimate else None
        ),
        vector=vector,
        lead_chars=data.get("lead_chars"),
    )


def vector_to_bytes(vector: list[float] | None) -> bytes | None:
    if vector is None:
        return None
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(blob: bytes | None) -> list[float] | None:
    if blob is None:
        return None
    return np.frombuffer(blob, dtype=np.float32).tolist()


#: Binary state: this magic, the length of a JSON header (8 bytes, little-endian), the header,
#: then the raw bytes of every array it refers to (``{"__ndarray__": n, ...}``), in order.
_BINARY_MAGIC = b"NLSTATE2"


class RawArray:
    """An array given by its dtype, shape and raw bytes (C order), chunk by chunk.

    The state encoders take it wherever they take a numpy array: a streamed save writes the
    chunks as they come, so an array that lives elsewhere (a file, such as a saved ANN index, or
    rows built a batch at a time) never has to be whole in memory. The chunks are read once.
    """

    __slots__ = ("chunks", "dtype", "shape")

    def __init__(self, dtype: npt.DTypeLike, shape: Sequence[int], chunks: Iterable[bytes | bytearray | memoryview]):
        self.dtype = np.dtype(dtype)
        self.shape = tuple(int(s) for s in shape)
        self.chunks = chunks

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], chunk_bytes: int = 8 << 20) -> RawArray:
        """The bytes of a file as a uint8 array, read ``chunk_bytes`` at a time when the chunks are."""
        size = os.path.getsize(path)

        def read() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while chunk := f.read(chunk_bytes):
                    yield chunk

        return cls(np.uint8, (size,), read())

    def materialise(self) -> npt.NDArray[Any]:
        """The whole array in memory (reads the chunks)."""
        out = np.empty(self.shape, dtype=self.dtype)
        flat = out.reshape(-1).view(np.uint8)
        pos = 0
        for chunk in self.chunks:
            view = memoryview(chunk).cast("B")
            if pos + len(view) > len(flat):
                raise ValueError("raw array chunks hold more bytes than its shape")
            flat[pos : pos + len(view)] = np.frombuffer(view, dtype=np.uint8)
            pos += len(view)
        if pos != len(flat):
            raise ValueError(f"raw array chunks hold {pos} bytes, its shape {len(flat)}")
        return out


def state_to_bytes(state: Any) -> bytes:
    """Serialise pipeline state (JSON values and numpy arrays) without pickle.

    Pickle would run code from a tampered database; this format only ever yields data. Arrays
    are stored as raw bytes after a JSON header (no base64, one copy: large states stay cheap).
    """
    return b"".join(list(state_chunks(state)))


def state_chunks(state: Any) -> Iterator[bytes | bytearray | memoryview]:
    """The bytes of :func:`state_to_bytes`, chunk by chunk: the header, then each array's bytes as
    a view of the array (or the chunks of a :class:`RawArray`), so nothing is copied whole."""
    arrays: list[npt.NDArray[Any] | RawArray] = []
    head = json.dumps(_encode(state, arrays), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    yield _BINARY_MAGIC + len(head).to_bytes(8, "little") + head
    del head
    while arrays:
        a = arrays.pop(0)
        if isinstance(a, RawArray):
            written = 0
            for chunk in a.chunks:
                written += memoryview(chunk).nbytes
                yield chunk
            if written != a.nbytes:
                raise ValueError(f"raw array chunks hold {written} bytes, its shape {a.nbytes}")
        elif a.nbytes:
            yield np.ascontiguousarray(a).reshape(-1).view(np.uint8).data
        del a


def state_from_bytes(blob: bytes) -> Any:
    """The inverse of :func:`state_to_bytes` (also reads the earlier all-JSON format)."""
    if not blob.startswith(_BINARY_MAGIC):
        return _decode(json.loads(blob), None)
    start = len(_BINARY_MAGIC) + 8
    end = start + int.from_bytes(blob[len(_BINARY_MAGIC) : start], "little")
    return _decode(json.loads(blob[start:end]), _BlobArrays(memoryview(blob), end))


def state_from_pieces(pieces: Iterable[bytes]) -> Any:
    """The inverse of :func:`state_chunks`, from the bytes cut into pieces at any points: each
    array is read straight into its own memory, so at most one piece is held besides the value."""
    stream = _Stream(pieces)
    magic = stream.read(len(_BINARY_MAGIC))
    if magic != _BINARY_MAGIC:  # the all-JSON format: no arrays to stream
        return state_from_bytes(magic + stream.read_rest())
    size = int.from_bytes(stream.read(8), "little")
    value = _decode(json.loads(stream.read(size)), _StreamArrays(stream))
    if not stream.at_end():
        raise ValueError("saved state holds bytes after its last array")
    return value


class _BlobArrays:
    """Arrays of a state held whole in memory: copied out of the blob."""

    def __init__(self, buf: memoryview, base: int) -> None:
        self.buf, self.base = buf, base

    def array(self, desc: dict[str, Any]) -> npt.NDArray[Any]:
        dtype = np.dtype(desc["dtype"])
        count = int(np.prod(desc["shape"], dtype=np.int64))
        start = self.base + int(desc["at"])
        view = self.buf[start : start + count * dtype.itemsize]
        return np.frombuffer(view, dtype=dtype).reshape(desc["shape"]).copy()


class _StreamArrays:
    """Arrays of a state read from a stream, in the order they were written."""

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream
        self.offset = 0  # bytes of the array section read so far

    def array(self, desc: dict[str, Any]) -> npt.NDArray[Any]:
        at = int(desc["at"])
        if at < self.offset:
            raise ValueError("saved state refers to its arrays out of order")
        self.stream.skip(at - self.offset)
        out = np.empty(desc["shape"], dtype=np.dtype(desc["dtype"]))
        flat = out.reshape(-1).view(np.uint8)
        self.stream.read_into(flat)
        self.offset = at + len(flat)
        return out


class _Stream:
    """Bytes read in order from a sequence of pieces (one piece held at a time)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._cur = memoryview(b"")

    def _next(self) -> bool:
        for piece in self._pieces:
            if len(piece):
                self._cur = memoryview(piece).cast("B")
                return True
        self._cur = memoryview(b"")
        return False

    def read_into(self, out: npt.NDArray[np.uint8]) -> None:
        pos = 0
        while pos < len(out):
            if not len(self._cur) and not self._next():
                raise ValueError("saved state ends early")
            n = min(len(self._cur), len(out) - pos)
            out[pos : pos + n] = np.frombuffer(self._cur[:n], dtype=np.uint8)
            self._cur = self._cur[n:]
            pos += n

    def read(self, n: int) -> bytes:
        out = np.empty(n, dtype=np.uint8)
        self.read_into(out)
        return out.tobytes()

    def skip(self, n: int) -> None:
        if n:
            self.read(n)

    def read_rest(self) -> bytes:
        parts = [bytes(self._cur)]
        while self._next():
            parts.append(bytes(self._cur))
        self._cur = memoryview(b"")
        return b"".join(parts)

    def at_end(self) -> bool:
        return not len(self._cur) and not self._next()


def _encode(value: Any, arrays: list[npt.NDArray[Any] | RawArray]) -> Any:
    if isinstance(value, (np.ndarray, RawArray)):
        offset = sum(a.nbytes for a in arrays)
        arrays.append(value)
        return {"__ndarray__": len(arrays) - 1, "at": offset, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"__set__": [_encode(v, arrays) for v in sorted(value, key=repr)]}
    return value


def _decode(value: Any, raw: _BlobArrays | _StreamArrays | None) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            dtype = np.dtype(value["dtype"])
            if isinstance(value["__ndarray__"], str):  # the all-JSON format
                data = base64.b64decode(value["__ndarray__"])
                return np.frombuffer(data, dtype=dtype).reshape(value["shape"]).copy()
            if raw is None:
                raise ValueError("state refers to raw array bytes it does not hold")
            return raw.array(value)
        if "__set__" in value:
            return {_decode(v, raw) for v in value["__set__"]}
        return {k: _decode(v, raw) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, raw) for v in value]
    return value
