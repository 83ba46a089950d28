"""Large pipeline state saved and loaded part by part (the clusterer and storyline linker).

``put_state_parts(store, key, parts)`` takes the state as ``(name, value)`` pairs, which a
generator may build one at a time, and writes each before it asks for the next:

* a scalar (None, bool, number, string) goes into the *head*, the row under ``key``;
* an iterator is a list, encoded ``LIST_GROUP`` items at a time;
* anything else (a dict, a list, a numpy array or a :class:`~newsloom.store.codec.RawArray`)
  is encoded on its own, arrays straight from their memory.

Every encoded part is cut into rows of at most ``PART_BYTES`` under ``key/GEN/name/n``, and the
head, written last, names the generation ``GEN`` and what each part holds; rows of other
generations (an earlier save, one that stopped half-way, the older layout) are deleted after
it. So a save holds one part at a time besides the live state, and a save that fails leaves the
previous one readable.

``get_state_parts(store, key)`` returns a read-only mapping that reads a part when it is asked
for (each time it is asked for: take it once) and decodes arrays into their own memory a row at
a time; a list part comes as an iterable read group by group. It also reads the two earlier
layouts: one blob under ``key``, and one blob whose large top-level arrays were saved apart in
pieces under ``key/name/n`` (``"__parts__"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

import numpy as np

from newsloom.store.base import Store
from newsloom.store.codec import RawArray, state_chunks, state_from_bytes, state_from_pieces, state_to_bytes

#: Rows of a saved part hold at most this many bytes.
PART_BYTES = 8 << 20
#: A list part is encoded this many items at a time.
LIST_GROUP = 4096
LAYOUT = 3
_GENERATION = re.compile(r"g(\d+)$")


def put_state_parts(store: Store, key: str, parts: Iterable[tuple[str, Any]] | Mapping[str, Any]) -> int:
    """Save the state given as ``(name, value)`` pairs under ``key``, part by part (see the
    module docstring); returns the bytes written."""
    items = iter(parts.items()) if isinstance(parts, Mapping) else iter(parts)
    gen = _new_generation(store, key)
    inline: dict[str, Any] = {}
    described: dict[str, dict[str, Any]] = {}
    written = 0
    for name, value in items:
        if value is None or isinstance(value, (bool, int, float, str)):
            inline[name] = value
            continue
        prefix = f"{key}/{gen}/{name}/"
        if isinstance(value, Iterator):
            groups: list[int] = []
            count = 0
            while group := list(islice(value, LIST_GROUP)):
                count += len(group)
                rows, size = _write_rows(store, prefix, sum(groups), state_chunks(group))
                groups.append(rows)
                written += size
                del group
            described[name] = {"kind": "list", "groups": groups, "count": count}
        else:
            rows, size = _write_rows(store, prefix, 0, state_chunks(value))
            described[name] = {"kind": "value", "rows": rows}
            written += size
        del value  # released before the next part is built
    head = state_to_bytes({**inline, "__streamed__": {"layout": LAYOUT, "gen": gen, "parts": described}})
    store.put_state(key, head)
    own = f"{key}/{gen}/"
    store.delete_state([k for k in store.state_keys(f"{key}/") if not k.startswith(own)])
    return written + len(head)


def get_state_parts(store: Store, key: str) -> Mapping[str, Any] | None:
    """The state saved under ``key`` (any layout), or None when nothing is saved there."""
    blob = store.get_state(key)
    if not blob:
        return None
    head = state_from_bytes(blob)
    del blob
    if isinstance(head, dict) and "__streamed__" in head:
        return StoredState(store, key, head)
    if not isinstance(head, dict):
        raise ValueError(f"saved state {key} is not a mapping")
    for name, count in dict(head.pop("__parts__", {})).items():  # the layout before streaming
        head[name] = _legacy_array(store, key, name, int(count))
    return head


def _legacy_array(store: Store, key: str, name: str, count: int) -> np.ndarray:
    """An array the earlier layout saved in ``count`` pieces of equal rows (the last one fewer),
    copied piece by piece into one array (not gathered and then concatenated: one copy, not two)."""
    out: np.ndarray | None = None
    filled = 0
    for n in range(count):
        blob = store.get_state(f"{key}/{name}/{n}")
        if blob is None:
            raise ValueError(f"saved state {key} lacks part {n} of {name}")
        piece = np.asarray(state_from_bytes(blob))
        del blob
        if out is None:
            out = np.empty((len(piece) * count, *piece.shape[1:]), dtype=piece.dtype)
        if filled + len(piece) > len(out):  # not written by the earlier code: gather as it comes
            out = np.concatenate([out[:filled], piece])
        else:
            out[filled : filled + len(piece)] = piece
        filled += len(piece)
    return np.empty(0) if out is None else out[:filled]


def state_size(store: Store, key: str) -> int:
    """Bytes the state saved under ``key`` takes in the store (its head and every row it reads)."""
    blob = store.get_state(key)
    if not blob:
        return 0
    head = state_from_bytes(blob)
    total = len(blob)
    if isinstance(head, dict) and "__streamed__" in head:
        rows = [f"{key}/{head['__streamed__']['gen']}/{name}/{n}"
                for name, desc in head["__streamed__"]["parts"].items() for n in range(_row_count(desc))]
    elif isinstance(head, dict):
        rows = [f"{key}/{name}/{n}" for name, count in dict(head.get("__parts__", {})).items() for n in range(count)]
    else:
        rows = []
    return total + sum(len(store.get_state(r) or b"") for r in rows)


class StoredState(Mapping[str, Any]):
    """A state saved by ``put_state_parts``, each part read from the store when asked for."""

    def __init__(self, store: Store, key: str, head: dict[str, Any]) -> None:
        meta = head.pop("__streamed__")
        if int(meta.get("layout", 0)) != LAYOUT:
            raise ValueError(f"saved state {key} has layout {meta.get('layout')}, not {LAYOUT}")
        self._store, self._key = store, key
        self._inline = head
        self._parts: dict[str, dict[str, Any]] = dict(meta["parts"])
        self._prefix = f"{key}/{meta['gen']}/"

    def __getitem__(self, name: str) -> Any:
        if name in self._inline:
            return self._inline[name]
        desc = self._parts[name]
        if desc["kind"] == "list":
            return StoredList(self, name, [int(g) for g in desc["groups"]], int(desc["count"]))
        return state_from_pieces(self._rows(name, 0, int(desc["rows"])))

    def __iter__(self) -> Iterator[str]:
        yield from self._inline
        yield from self._parts

    def __len__(self) -> int:
        return len(self._inline) + len(self._parts)

    def _rows(self, name: str, start: int, count: int) -> Iterator[bytes]:
        for n in range(start, start + count):
            row = self._store.get_state(f"{self._prefix}{name}/{n}")
            if row is None:
                raise ValueError(f"saved state {self._key} lacks row {n} of {name}")
            yield row


class StoredList(Iterable[Any]):
    """A list part of a saved state: iterating reads it group by group (each time)."""

    def __init__(self, state: StoredState, name: str, groups: list[int], count: int) -> None:
        self._state, self._name, self._groups, self._count = state, name, groups, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        start = 0
        for rows in self._groups:
            yield from state_from_pieces(self._state._rows(self._name, start, rows))
            start += rows


def _row_count(desc: dict[str, Any]) -> int:
    return sum(int(g) for g in desc["groups"]) if desc["kind"] == "list" else int(desc["rows"])


def _new_generation(store: Store, key: str) -> str:
    """A generation no row under ``key/`` uses (so the saved state's own rows are never touched)."""
    used = [int(m.group(1)) for k in store.state_keys(f"{key}/")
            if (m := _GENERATION.match(k[len(key) + 1 :].split("/", 1)[0]))]
    return f"g{max(used, default=0) + 1}"


def _write_rows(store: Store, prefix: str, first: int, chunks: Iterable[bytes | bytearray | memoryview]
                ) -> tuple[int, int]:
    """Write the bytes of ``chunks`` in rows of at most ``PART_BYTES`` under ``prefix + n`` from
    ``n = first``; returns how many rows and bytes. Small chunks are gathered, large ones cut
    into views (never copied whole)."""
    limit = max(int(PART_BYTES), 1)
    n = first
    size = 0
    buf = bytearray()
    for chunk in chunks:
        view = memoryview(chunk).cast("B")
        size += len(view)
        if len(buf) + len(view) <= limit:
            buf += view
            continue
        take = limit - len(buf)
        if buf:
            buf += view[:take]
            store.put_state(f"{prefix}{n}", buf)
            n += 1
            buf = bytearray()
            view = view[take:]
        while len(view) >= limit:
            store.put_state(f"{prefix}{n}", view[:limit])
            n += 1
            view = view[limit:]
        buf += view
        del view, chunk
    if buf or n == first:
        store.put_state(f"{prefix}{n}", buf)
        n += 1
    return n - first, size


__all__ = ["LIST_GROUP", "PART_BYTES", "RawArray", "StoredList", "StoredState", "get_state_parts",
           "put_state_parts", "state_size"]
