"""Turning records into storable values and back, shared by every backend."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

import numpy as np

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


def state_to_bytes(state: Any) -> bytes:
    """Serialise pipeline state (JSON values and numpy arrays) without pickle.

    Pickle would run code from a tampered database; this format only ever yields data. Arrays
    are stored as raw bytes after a JSON header (no base64, one copy: large states stay cheap).
    """
    arrays: list[np.ndarray] = []
    head = json.dumps(_encode(state, arrays), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    parts: list[bytes | memoryview] = [_BINARY_MAGIC, len(head).to_bytes(8, "little"), head]
    parts += [np.ascontiguousarray(a).reshape(-1).view(np.uint8).data for a in arrays]
    return b"".join(parts)


def state_from_bytes(blob: bytes) -> Any:
    """The inverse of :func:`state_to_bytes` (also reads the earlier all-JSON format)."""
    if not blob.startswith(_BINARY_MAGIC):
        return _decode(json.loads(blob), None)
    start = len(_BINARY_MAGIC) + 8
    end = start + int.from_bytes(blob[len(_BINARY_MAGIC) : start], "little")
    return _decode(json.loads(blob[start:end]), (memoryview(blob), end))


def _encode(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
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


def _decode(value: Any, raw: tuple[memoryview, int] | None) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            dtype = np.dtype(value["dtype"])
            if isinstance(value["__ndarray__"], str):  # the all-JSON format
                data = base64.b64decode(value["__ndarray__"])
                return np.frombuffer(data, dtype=dtype).reshape(value["shape"]).copy()
            if raw is None:
                raise ValueError("state refers to raw array bytes it does not hold")
            buf, base = raw
            count = int(np.prod(value["shape"], dtype=np.int64))
            start = base + int(value["at"])
            view = buf[start : start + count * dtype.itemsize]
            return np.frombuffer(view, dtype=dtype).reshape(value["shape"]).copy()
        if "__set__" in value:
            return {_decode(v, raw) for v in value["__set__"]}
        return {k: _decode(v, raw) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, raw) for v in value]
    return value
