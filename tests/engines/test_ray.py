"""The Ray engine on a local Ray cluster (2 CPUs): same results as in process, same failures.

Skipped, with the reason, where Ray is not installed (``pip install 'newsloom[ray]'``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'newsloom[ray]'")

from newsloom.cli import demo_corpus
from newsloom.engines import LocalEngine, RayEngine
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import Store, open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BAD_INPUTS = ROOT / "tests" / "data" / "bad_inputs"


@pytest.fixture(scope="module")
def engine() -> Iterator[RayEngine]:
    """One local Ray cluster of 2 CPUs for the module; small chunks and windows to exercise both."""
    import ray.cloudpickle

    # Workers cannot import this test module: ship its helpers by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with RayEngine(workers=2, chunk=3, window=4) as started:
        yield started


def _square(x: int) -> int:
    return x * x


def _fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError(f"bad item {x}")
    return x


class _Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:  # cannot be rebuilt from its args
        super().__init__(f"{a}/{b}")


def _fail_unpicklable(x: int) -> int:
    raise _Unpicklable("x", str(x))


class _Doubler:
    """A per-worker function, as ``map_batches`` builds it once per actor."""

    def __call__(self, batch: list[int]) -> list[int]:
        return [2 * x for x in batch]


def test_map_keeps_input_order_across_chunks_and_windows(engine: RayEngine) -> None:
    # 20 items → 7 chunks of 3 → 2 Ray Data datasets of ≤ 4 chunks, finished out of order.
    assert list(engine.map(_square, range(20))) == [x * x for x in range(20)]
    assert list(engine.map(_square, [])) == []


def test_map_batches_keeps_batches_whole_and_in_order(engine: RayEngine) -> None:
    batches = [list(range(i, i + size)) for i, size in enumerate([1, 5, 2, 7, 3, 4, 1, 6])]
    assert list(engine.map_batches(_Doubler, batches)) == list(LocalEngine().map_batches(_Doubler, batches))


def test_worker_exception_is_raised_as_itself(engine: RayEngine) -> None:
    with pytest.raises(ValueError, match="bad item 7") as caught:
        list(engine.map(_fail_on_seven, range(9)))
    assert any("raised in a Ray worker" in note for note in getattr(caught.value, "__notes__", []))
    with pytest.raises(RuntimeError, match="_Unpicklable"):
        list(engine.map(_fail_unpicklable, range(3)))


def _run(store: Store, db: str, engine: LocalEngine | RayEngine) -> None:
    summary = ingest([str(demo_corpus())], store, engine=engine)
    assert summary.ok and summary.stored >= 60
    enrich_stored(store, engine=engine)
    if isinstance(engine, RayEngine):
        assert engine.cluster_stored(store, db) == summary.stored
    else:
        cluster_stored(store)


def _partition(store: Store) -> set[frozenset[str]]:
    return {frozenset(e.article_ids) for e in store.list_events() if e.article_ids}


def _storylines(store: Store) -> set[frozenset[frozenset[str]]]:
    members = {e.id: frozenset(e.article_ids) for e in store.list_events() if e.article_ids}
    return {frozenset(members[e] for e in s.event_ids if e in members) for s in store.list_storylines()}


def test_demo_corpus_gives_the_same_events_as_in_process(engine: RayEngine, tmp_path: Path) -> None:
    local_db, ray_db = str(tmp_path / "local.db"), str(tmp_path / "ray.db")
    with open_store(local_db) as local, open_store(ray_db) as remote, RayEngine(workers=2) as defaults:
        _run(local, local_db, LocalEngine())
        _run(remote, ray_db, defaults)  # on the module's cluster, with the CLI's chunk and window
        assert remote.count_articles() == local.count_articles()
        for article_id in local.article_ids():
            mine, theirs = local.get_enrichment(article_id), remote.get_enrichment(article_id)
            assert mine is not None and theirs is not None
            assert [m.entity_id for m in theirs.entities] == [m.entity_id for m in mine.entities], article_id
        events = _partition(local)
        assert len(events) > 10
        assert _partition(remote) == events  # the same article groups
        assert _storylines(remote) == _storylines(local)


def test_cli_bad_input_is_named_and_exits_1_under_ray(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in sorted(p.name for p in (demo_corpus() / "text").iterdir())[:3]:
        shutil.copy(demo_corpus() / "text" / name, corpus / name)
    shutil.copy(BAD_INPUTS / "empty_markup.html", corpus / "empty_markup.html")  # fails in extract, on a worker
    shutil.copy(BAD_INPUTS / "empty.txt", corpus / "empty.txt")  # fails while reading, on the driver
    result = subprocess.run(
        [sys.executable, "-m", "newsloom", "run", str(corpus), "--engine", "ray", "--json", "--no-report"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["stored"] == 3 and summary["failed"] == 2
    failed = {Path(f["origin"]).name: f["reason"] for f in summary["failures"]}
    assert set(failed) == {"empty_markup.html", "empty.txt"}
    assert failed["empty_markup.html"] == "no article text found"  # found on a Ray worker
    assert "no article text found" in result.stderr  # the line naming it
    assert summary["clustered"] == 3 and summary["events"] >= 1


def test_ray_address_needs_the_ray_engine(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsloom", "run", "--demo", "--ray-address", "127.0.0.1:6379"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "--engine ray" in result.stderr


def test_watch_runs_its_per_article_work_on_ray(engine: RayEngine, tmp_path: Path) -> None:
    from newsloom.stream import Watcher

    corpus = tmp_path / "inbox"
    corpus.mkdir()
    for name in sorted(p.name for p in (demo_corpus() / "text").iterdir())[:4]:
        shutil.copy(demo_corpus() / "text" / name, corpus / name)
    with open_store(str(tmp_path / "watch.db")) as store:
        reports = Watcher([str(corpus)], store, engine=engine).run(once=True)
        assert sum(r.clustered for r in reports) == 4
        assert all(store.article_link(a) is not None for a in store.article_ids())
        assert len(store.timings()) == 4  # arrival → event latency recorded per article


def test_watch_ray_address_needs_the_ray_engine(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsloom", "watch", str(tmp_path), "--once", "--ray-address", "127.0.0.1:6379"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "--engine ray" in result.stderr
