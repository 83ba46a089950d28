"""Large pipeline state saved and loaded part by part, and the clustering order read from the
store, run against every backend under test."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_store import make_article

from newsloom import pipeline
from newsloom.model import Article, DateEstimate, Enrichment, EntityMention, day_of
from newsloom.store import ArticleFilter, Store, parts
from newsloom.store.codec import RawArray, state_chunks, state_from_bytes, state_from_pieces, state_to_bytes


def _same(a: Any, b: Any) -> bool:
    """Deep equality of plain state (dicts, lists, arrays with their dtypes)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and np.array_equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def _loaded(state: Any) -> dict[str, Any]:
    """A loaded state as plain data (its list parts read into lists)."""
    return {k: (list(v) if isinstance(v, parts.StoredList) else v) for k, v in state.items()}


# ------------------------------------------------------------------------------ codec


def test_state_chunks_stream_the_arrays_and_read_back_from_any_cut() -> None:
    big = np.arange(5000, dtype=np.float32).reshape(1000, 5)
    raw = np.arange(300, dtype=np.int64)
    state = {"n": 3, "big": big, "nested": [{"m": np.array([1, 2], dtype=np.int32)}, None],
             "raw": RawArray(np.int64, (300,), [raw[:100].tobytes(), raw[100:].tobytes()]), "s": {"x"}}
    chunks = list(state_chunks(state))
    assert any(isinstance(c, memoryview) and c.obj is not None for c in chunks)  # views of the arrays
    blob = b"".join(chunks)
    for cut in (1, 7, 4096, len(blob)):  # pieces cut anywhere, even inside the header
        back = state_from_pieces(blob[i : i + cut] for i in range(0, len(blob), cut))
        assert back["big"].dtype == np.float32 and np.array_equal(back["big"], big) and back["big"].flags.writeable
        assert np.array_equal(back["raw"], raw) and back["nested"][0]["m"].tolist() == [1, 2]
        assert back["n"] == 3 and back["s"] == {"x"} and back["nested"][1] is None
    assert _same(state_from_bytes(blob), {**state, "raw": raw})
    assert state_to_bytes({"a": np.zeros(0), "b": [1]}) == b"".join(state_chunks({"a": np.zeros(0), "b": [1]}))
    with pytest.raises(ValueError, match="ends early"):
        state_from_pieces([blob[:-1]])


def test_raw_array_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)) * 10)
    arr = RawArray.from_file(path, chunk_bytes=100)
    assert arr.shape == (2560,) and arr.dtype == np.uint8
    assert arr.materialise().tobytes() == path.read_bytes()
    with pytest.raises(ValueError, match="hold"):
        RawArray(np.uint8, (3,), [b"ab"]).materialise()


# ------------------------------------------------------------------------------ streamed save / load


def _parts(vectors: np.ndarray, path: Path, n: int) -> Iterator[tuple[str, Any]]:
    yield "version", 2
    yield "name", "x"
    yield "none", None
    yield "stats", {"df": {"a": 1, "b": 2}, "sum": np.ones(3)}
    yield "ids", iter([f"id{i}" for i in range(n)])
    yield "items", ({"k": i, "v": np.full(2, i, dtype=np.float32)} for i in range(n))
    yield "vectors", vectors
    yield "index", RawArray.from_file(path, chunk_bytes=1000)
    yield "empty", iter([])


def test_streamed_save_round_trips_in_small_rows(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 1024)
    monkeypatch.setattr(parts, "LIST_GROUP", 16)
    vectors = np.random.default_rng(0).normal(size=(200, 8)).astype(np.float32)
    path = tmp_path / "index.bin"
    path.write_bytes(np.arange(3000, dtype=np.uint16).tobytes())
    written = parts.put_state_parts(store, "big.state", _parts(vectors, path, 50))
    assert written == parts.state_size(store, "big.state") > vectors.nbytes + 6000
    rows = store.state_keys("big.state/")
    assert len(rows) > 10 and all(r.startswith("big.state/g1/") for r in rows)
    assert store.state_keys("big.state") == ["big.state", *rows]
    state = parts.get_state_parts(store, "big.state")
    assert state is not None and set(state) == {"version", "name", "none", "stats", "ids", "items", "vectors",
                                                "index", "empty"}
    assert state["version"] == 2 and state["name"] == "x" and state["none"] is None
    assert len(state["ids"]) == 50 and list(state["ids"]) == [f"id{i}" for i in range(50)]
    assert list(state["ids"]) == list(state["ids"])  # a list part can be read again
    items = list(state["items"])
    assert [i["k"] for i in items] == list(range(50)) and items[7]["v"].tolist() == [7.0, 7.0]
    assert np.array_equal(state["vectors"], vectors) and state["vectors"].dtype == np.float32
    assert state["index"].tobytes() == path.read_bytes()
    assert _same(state["stats"], {"df": {"a": 1, "b": 2}, "sum": np.ones(3)}) and list(state["empty"]) == []
    # a smaller state saved again: a new generation, and the rows of the old one are gone
    parts.put_state_parts(store, "big.state", {"version": 3, "ids": iter(["z"])})
    assert {r.split("/")[1] for r in store.state_keys("big.state/")} == {"g2"}
    again = parts.get_state_parts(store, "big.state")
    assert again is not None and again["version"] == 3 and list(again["ids"]) == ["z"] and "vectors" not in again
    assert parts.get_state_parts(store, "nothing.here") is None
    store.put_state("big.statesque", b"x")  # another key sharing the prefix is left alone
    parts.put_state_parts(store, "big.state", {"version": 4})
    assert store.get_state("big.statesque") == b"x" and store.state_keys("big.state/") == []


def test_a_save_that_fails_half_way_leaves_the_last_one(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 256)
    parts.put_state_parts(store, "k", {"a": np.arange(100), "n": 1})

    def failing() -> Iterator[tuple[str, Any]]:
        yield "a", np.arange(500)
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        parts.put_state_parts(store, "k", failing())
    state = parts.get_state_parts(store, "k")
    assert state is not None and state["n"] == 1 and np.array_equal(state["a"], np.arange(100))
    assert {r.split("/")[1] for r in store.state_keys("k/")} == {"g1", "g2"}  # g2: the failed save's rows
    parts.put_state_parts(store, "k", {"a": np.arange(3)})  # the next save clears them
    assert {r.split("/")[1] for r in store.state_keys("k/")} == {"g3"}
    state = parts.get_state_parts(store, "k")
    assert state is not None and state["a"].tolist() == [0, 1, 2]


def _put_state_parts_before_streaming(store: Store, key: str, state: dict[str, Any], part_bytes: int) -> None:
    """How states were saved before streaming (the old ``pipeline.put_state_parts``, verbatim but
    for the part size): one blob, its large top-level arrays in pieces under ``key/name/n``."""
    found: dict[str, int] = {}
    for name in sorted(state):
        value = state[name]
        if not isinstance(value, np.ndarray) or value.nbytes <= part_bytes or value.ndim == 0:
            continue
        row_bytes = max(value.nbytes // max(len(value), 1), 1)
        rows = max(part_bytes // row_bytes, 1)
        pieces = range(0, len(value), rows)
        for n, start in enumerate(pieces):
            store.put_state(f"{key}/{name}/{n}", state_to_bytes(value[start : start + rows]))
        found[name] = len(pieces)
        state[name] = None
    store.put_state(key, state_to_bytes({**state, "__parts__": found}))


def _articles(n: int, days: int, seed: int = 1) -> list[tuple[Article, Enrichment]]:
    """Enriched articles on 384-d vectors: a happening every 4 days, each on its own direction."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=384)
    dirs = [rng.normal(size=384) for _ in range(16)]
    out = []
    for k in range(n):
        d = k * days // n
        h = d // 4
        v = 3 * base + dirs[h % 16] * 1.5 + rng.normal(scale=0.3, size=384)
        v /= np.linalg.norm(v)
        aid = f"p{k:05d}"
        words = " ".join(f"w{h}x{j}" for j in range(8))
        a = Article(id=aid, origin=f"x/{aid}", kind="text", raw=words, title=f"Happening {h} report",
                    text=f"{words} report {k} outlet text", content_hash=aid, outlet=f"o{k % 5}", lang="en",
                    published=(date(2024, 1, 1) + timedelta(days=d)).isoformat())
        e = Enrichment(aid, entities=[EntityMention(f"E{h}", f"Thing {h}", "MISC", (f"Thing {h}",), 2)],
                       vector=v.astype(np.float32).tolist())
        out.append((a, e))
    return out


def _put(store: Store, rows: list[tuple[Article, Enrichment]]) -> None:
    store.put_articles([a for a, _ in rows])
    store.put_enrichments([e for _, e in rows])


def _clustered(store: Store, n: int = 120) -> None:
    _put(store, _articles(n, days=40))
    assert pipeline.cluster_stored(store, chunk_size=50) == n


def test_states_saved_before_streaming_still_load(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _clustered(store)
    clusterer, linker = pipeline.load_clustering(store)
    want_c, want_l = clusterer.snapshot(), linker.snapshot()
    for key in store.state_keys(""):  # back to how the old code left a store
        if key.startswith((pipeline.CLUSTER_STATE, pipeline.STORYLINE_STATE)):
            store.delete_state([key])
    _put_state_parts_before_streaming(store, pipeline.CLUSTER_STATE, clusterer.snapshot(), part_bytes=4096)
    store.put_state(pipeline.STORYLINE_STATE, state_to_bytes(linker.snapshot()))  # one blob, the oldest layout
    assert f"{pipeline.CLUSTER_STATE}/vectors/1" in store.state_keys(pipeline.CLUSTER_STATE)
    old_c, old_l = pipeline.load_clustering(store)
    assert _same(old_c.snapshot(), want_c) and _same(old_l.snapshot(), want_l)
    # the next save writes the streamed layout and drops the old pieces; it loads the same again
    pipeline.save_clustering(store, old_c, old_l)
    assert not [k for k in store.state_keys(f"{pipeline.CLUSTER_STATE}/") if "/g" not in k]
    new_c, new_l = pipeline.load_clustering(store)
    assert _same(new_c.snapshot(), want_c) and _same(new_l.snapshot(), want_l)
    monkeypatch.setattr(parts, "PART_BYTES", 1000)
    monkeypatch.setattr(parts, "LIST_GROUP", 5)
    pipeline.save_clustering(store, new_c, new_l)
    again_c, _ = pipeline.load_clustering(store)
    assert _same(again_c.snapshot(), want_c)


def test_snapshot_parts_are_the_snapshot(store: Store) -> None:
    _clustered(store, 80)
    clusterer, linker = pipeline.load_clustering(store)
    snap = clusterer.snapshot()
    assert snap["art_ann"].tobytes() == bytes(clusterer._art_ann.save())  # through a file: the same bytes
    assert snap["cen_ann"].tobytes() == bytes(clusterer._cen_ann.save())
    streamed = parts.get_state_parts(store, pipeline.CLUSTER_STATE)
    assert streamed is not None and _same(_loaded(streamed), snap)
    streamed = parts.get_state_parts(store, pipeline.STORYLINE_STATE)
    assert streamed is not None and _same(_loaded(streamed), linker.snapshot())


# ------------------------------------------------------------------------------ clustering order


def _order_before_streaming(store: Store, where: ArticleFilter | None) -> list[str]:
    """The clustering order as it was computed before it was held compactly (verbatim)."""
    dated: list[tuple[date, str]] = []
    undated: list[str] = []
    for article_id, day in store.article_days(where):
        d = day_of(day)
        if d is None:
            undated.append(article_id)
        else:
            dated.append((d, article_id))
    estimated: list[tuple[date, str]] = []
    for start in range(0, len(undated), 500):
        for e in store.get_enrichments(undated[start : start + 500]):
            est = e.date_estimate
            when = (day_of(est.date) if est is not None and est.confidence >= pipeline.MIN_DATE_CONFIDENCE
                    else None)
            estimated.append((when or date.max, e.article_id))
    estimated.sort()
    dated.sort()
    return [i for _, i in heapq.merge(dated, estimated)]


def test_clustering_order_is_the_order_it_was(store: Store) -> None:
    rng = np.random.default_rng(3)
    ids = [f"a{i:03d}" for i in range(300)] + ["Zed", "zed", "é-id", "z\u00e9", "\u4e2d", "a", "a0", "A"]
    rng.shuffle(ids)
    articles, enrichments = [], []
    for n, aid in enumerate(ids):
        kind = n % 7
        if kind in (0, 1, 2):  # dated, many on the same days
            published: str | None = f"2024-03-{1 + n % 5:02d}T{n % 24:02d}:00:00+00:00"
        elif kind == 3:  # the same days spelled another way (the store sorts this text apart)
            published = f"202403{1 + n % 5:02d}"
        elif kind == 4:
            published = "not a date"
        else:
            published = None
        articles.append(make_article(aid, published=published, published_source=None))
        estimate = None
        if kind == 4 or (kind == 5 and n % 2):  # a confident estimate: ties with the dated ones
            estimate = DateEstimate(f"2024-03-{1 + n % 5:02d}", 0.9, ())
        elif kind == 5:
            estimate = DateEstimate("2024-03-02", 0.1, ())  # too unsure: undated, last
        if not (kind == 6 and n % 3 == 0):  # some undated ones without an enrichment: left out
            enrichments.append(Enrichment(aid, vector=[1.0, 0.0], date_estimate=estimate))
    store.put_articles(articles)
    store.put_enrichments(enrichments)
    store.put_articles([make_article("late", published="2024-03-03", status="ingested")])
    for where in (None, ArticleFilter(status="enriched")):
        want = _order_before_streaming(store, where)
        got = pipeline.clustering_order(store, where)
        assert len(got) == len(want) and list(got) == want and got[:] == want
        assert got[5:17] == want[5:17] and got[-1] == want[-1] and got[3] == want[3]
    assert "late" in list(pipeline.clustering_order(store)) and "late" not in want
    assert list(store.iter_article_days()) == store.article_days()
    ingested = list(store.iter_article_days(ArticleFilter(status="ingested")))  # "late" and the unenriched
    assert ingested == store.article_days(ArticleFilter(status="ingested")) and ("late", "2024-03-03") in ingested
    assert list(pipeline.clustering_order(store, ArticleFilter(outlet="nobody"))) == []


def test_articles_enriched_during_a_run_wait_for_the_next(store: Store) -> None:
    rows = _articles(90, days=20)
    _put(store, rows[:60])

    class AddMidway:
        def stage(self, name: str, total: int | None = None) -> None:
            self.total = total

        def advance(self, n: int = 1) -> None:
            if store.count_articles() == 60:
                _put(store, rows[60:])  # enriched while the run goes on, dated within its span

    progress = AddMidway()
    assert pipeline.cluster_stored(store, progress=progress, chunk_size=20) == 60
    assert progress.total == 60
    assert store.count_articles(ArticleFilter(status="enriched")) == 30
    assert all(store.article_link(a.id) is None for a, _ in rows[60:])
    assert pipeline.cluster_stored(store, chunk_size=20) == 30
    assert all(store.article_link(a.id) is not None for a, _ in rows)
