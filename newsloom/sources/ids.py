"""Short stable identifiers for documents that do not bring their own."""

from __future__ import annotations

import hashlib


def short_hash(value: str) -> str:
    """The first 16 hex digits of the SHA-1 of ``value`` (stable across runs and machines)."""
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:16]


def is_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL (as feed guids often are)."""
    return value.lower().startswith(("http://", "https://"))
