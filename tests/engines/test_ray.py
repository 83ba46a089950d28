"""The Ray engine on a local Ray cluster (2 CPUs): same results as in process, same failures.

Skipped, with the reason, where Ray is not installed (``pip install 'newsloom[ray]'``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'newsloom[ray]'")

from store_views import entities as _entities  # tests/engines/store_views.py
from store_views import partition as _partition
from store_views import storylines as _storylines

from newsloom.cli import demo_corpus
from newsloom.engines import LocalEngine, RayEngine
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import Store, open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BAD_INPUTS = ROOT / "tests" / "data" / "bad_inputs"


@pytest.fixture(scope="module")
def engine() -> Iterator[RayEngine]:
    """One local Ray cluster of 2 CPUs for the module (Ray Data, as ``run`` uses it); small chunks
    and windows to exercise both."""
    import ray.cloudpickle

    # Workers cannot import this test module: ship its helpers by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with RayEngine(workers=2, chunk=3, window=4) as started:
        yield started


@pytest.fixture
def pool(engine: RayEngine) -> Iterator[RayEngine]:
    """A persistent pool of 2 workers on the module's cluster, as ``watch`` uses it; its workers
    hold both CPUs until the test ends, so no Ray Data job may run meanwhile."""
    with RayEngine(workers=2, chunk=3, persistent=True) as started:
        yield started


@pytest.fixture(params=["engine", "pool"])
def either(request: pytest.FixtureRequest) -> RayEngine:
    """Each way the engine runs work: Ray Data (``run``), the persistent pool (``watch``)."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


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


def test_map_keeps_input_order_across_chunks_and_windows(either: RayEngine) -> None:
    # 20 items → 7 chunks of 3 over 2 workers (Ray Data: 2 datasets of ≤ 4 chunks), finished out of order.
    assert list(either.map(_square, range(20))) == [x * x for x in range(20)]
    assert list(either.map(_square, [])) == []


def _slow_on_even(batch: list[int]) -> list[int]:
    import time

    time.sleep(0.2 if batch[0] % 2 == 0 else 0.0)
    return batch


def test_pool_streams_a_bounded_number_of_batches(pool: RayEngine) -> None:
    """An endless input: results come as they are due, and only a few batches are taken ahead."""
    from newsloom.engines.ray import DEPTH

    taken = 0

    def endless() -> Iterator[list[int]]:
        nonlocal taken
        while True:
            taken += 1
            yield [taken - 1]

    results = pool.map_batches(lambda: _slow_on_even, endless())
    assert [next(results) for _ in range(6)] == [[n] for n in range(6)]
    assert taken <= 6 + DEPTH * 2 * pool.pool_size
    results.close()  # abandoned half-way: the workers' slots come back
    assert list(pool.map_batches(lambda: _slow_on_even, [[n] for n in range(8)])) == [[n] for n in range(8)]


def test_map_batches_keeps_batches_whole_and_in_order(either: RayEngine) -> None:
    batches = [list(range(i, i + size)) for i, size in enumerate([1, 5, 2, 7, 3, 4, 1, 6])]
    assert list(either.map_batches(_Doubler, batches)) == list(LocalEngine().map_batches(_Doubler, batches))


def test_worker_exception_is_raised_as_itself(either: RayEngine) -> None:
    with pytest.raises(ValueError, match="bad item 7") as caught:
        list(either.map(_fail_on_seven, range(9)))
    assert any("raised in a Ray worker" in note for note in getattr(caught.value, "__notes__", []))
    assert "while running a batch of 3 inputs (int, int, int)" in caught.value.__notes__  # which batch
    with pytest.raises(RuntimeError, match="_Unpicklable"):
        list(either.map(_fail_unpicklable, range(3)))


def _run(store: Store, db: str, engine: LocalEngine | RayEngine) -> None:
    summary = ingest([str(demo_corpus())], store, engine=engine)
    assert summary.ok and summary.stored >= 60
    enrich_stored(store, engine=engine)
    if isinstance(engine, RayEngine):
        assert engine.cluster_stored(store, db) == summary.stored
    else:
        cluster_stored(store)


@pytest.fixture(scope="module")
def local_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo corpus run in process on SQLite: what the Ray runs must match."""
    db = str(tmp_path_factory.mktemp("local") / "local.db")
    with open_store(db) as local:
        _run(local, db, LocalEngine())
        assert len(_partition(local)) > 10
        yield local


def test_demo_corpus_gives_the_same_events_as_in_process(engine: RayEngine, local_demo: Store, tmp_path: Path) -> None:
    ray_db = str(tmp_path / "ray.db")
    with open_store(ray_db) as remote:
        small = engine.chunk, engine.window
        engine.chunk, engine.window = RayEngine().chunk, RayEngine().window
        try:
            _run(remote, ray_db, engine)  # with the CLI's chunk and window
        finally:
            engine.chunk, engine.window = small
        assert remote.count_articles() == local_demo.count_articles()
        assert _entities(remote) == _entities(local_demo)
        assert _partition(remote) == _partition(local_demo)  # the same article groups
        assert _storylines(remote) == _storylines(local_demo)


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


def test_watch_runs_its_per_article_work_on_ray(pool: RayEngine, tmp_path: Path) -> None:  # one cycle
    from newsloom.stream import Watcher

    corpus = tmp_path / "inbox"
    corpus.mkdir()
    for name in sorted(p.name for p in (demo_corpus() / "text").iterdir())[:4]:
        shutil.copy(demo_corpus() / "text" / name, corpus / name)
    with open_store(str(tmp_path / "watch.db")) as store:
        reports = Watcher([str(corpus)], store, engine=pool).run(once=True)
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


def test_watch_keeps_its_workers_and_models_across_cycles(pool: RayEngine, tmp_path: Path) -> None:
    """Several cycles, new files before each: the same worker processes throughout, each model
    built at most once per worker (the engine's workers outlive the cycles), every article placed."""
    import threading

    from newsloom.stream import Watcher

    texts = sorted((demo_corpus() / "text").iterdir())[:9]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    size = pool.pool_size
    pool.warm(_Doubler)  # the pool exists (other tests may have made it already)
    created = pool.workers_created
    before = {s["pid"]: s["loads"] for s in pool.worker_stats()}
    assert len(before) == size
    with open_store(str(tmp_path / "watch.db")) as store:
        watcher = Watcher([str(inbox)], store, engine=pool, interval=0.05)
        reports = []
        for start in range(0, len(texts), 3):  # three cycles of three new articles
            for path in texts[start : start + 3]:
                shutil.copy(path, inbox / path.name)
            stop = threading.Event()
            stop.set()  # one cycle: run() warms the engine first, as the CLI's watch does
            reports += watcher.run(stop=stop)
        assert [r.inputs for r in reports] == [3, 3, 3]
        assert [r.clustered for r in reports] == [3, 3, 3]
        assert store.count_articles() == 9
        assert all(store.article_link(a) is not None for a in store.article_ids())
        assert len(store.timings()) == 9
    after = {s["pid"]: s["loads"] for s in pool.worker_stats()}
    assert pool.workers_created == created  # no worker started again
    assert set(after) == set(before)  # the same processes
    for pid, loads in after.items():
        for key, count in loads.items():
            assert count - before[pid].get(key, 0) <= 1, (pid, key)  # built once (or kept from before)
    enrich_key = pool._workers()._key(_analyse_factory())[0]
    assert all(loads.get(enrich_key) == 1 for loads in after.values())  # every worker holds the model, loaded once


def _analyse_factory() -> object:
    from functools import partial

    from newsloom.enrich.analyse import EnrichOptions
    from newsloom.pipeline import _Analyse

    return partial(_Analyse, EnrichOptions())


@dataclass
class _Input:
    origin: str
    n: int


def _die_on_three(item: _Input) -> int:
    import os

    if item.n == 3:
        os._exit(1)  # the worker process dies, as when the kernel kills it for memory
    return item.n


def test_a_worker_that_dies_is_replaced_and_the_batch_named(pool: RayEngine) -> None:
    from newsloom.engines.ray import WorkerLost

    named = r"died twice running a batch of 3 inputs \(feed/3.txt, feed/4.txt, feed/5.txt\)"
    with pytest.raises(WorkerLost, match=named):
        list(pool.map(_die_on_three, [_Input(f"feed/{n}.txt", n) for n in range(6)]))
    assert list(pool.map(_square, range(7))) == [x * x for x in range(7)]  # restarted, still serving


def _die_on_int_three(x: int) -> int:
    import os

    if x == 3:
        os._exit(1)
    return x


def _lose(x: int, reason: str) -> int:
    assert reason.startswith("Ray: "), reason  # what Ray says of the death; the caller words the failure
    return -x


def test_an_input_that_kills_its_worker_is_lost_alone(either: RayEngine) -> None:
    """Its batch's other inputs, and the batches queued behind it, still give their results:
    the pool (``watch``) and Ray Data (``run``, which alone would retry it for ever) alike."""
    assert list(either.map(_die_on_int_three, range(8), lost=_lose)) == [0, 1, 2, -3, 4, 5, 6, 7]
    assert list(either.map(_square, range(5))) == [x * x for x in range(5)]  # still serving


def _build_or_die(attempts: str, task: object) -> object:
    """Extract & clean, except that a file named poison* kills the worker process (as a crash in a
    parser would), after noting the attempt in ``attempts``."""
    import os

    from newsloom.pipeline import _build

    if os.path.basename(task.item.origin).startswith("poison"):  # type: ignore[attr-defined]
        with open(attempts, "a") as noted:
            noted.write("x")
        os._exit(1)
    return _build(task)  # type: ignore[arg-type]


class _Poisoned:
    """The engine, with extract & clean swapped for ``_build_or_die``; the rest as it is."""

    def __init__(self, engine: RayEngine, attempts: Path) -> None:
        self.engine, self.attempts = engine, str(attempts)

    def map(self, fn: Any, items: Any, lost: Any = None) -> Any:
        from functools import partial

        from newsloom.pipeline import _build

        assert fn is _build
        return self.engine.map(partial(_build_or_die, self.attempts), items, lost=lost)

    def map_batches(self, make: Any, batches: Any, lost: Any = None) -> Any:
        return self.engine.map_batches(make, batches, lost=lost)

    def warm(self, make: Any) -> None:
        self.engine.warm(make)


def _attempts(path: Path) -> int:
    return len(path.read_text()) if path.exists() else 0


def test_watch_fails_an_input_that_kills_its_worker_once(pool: RayEngine, tmp_path: Path) -> None:
    """The poison file is failed by name, its batch's good files are stored and clustered, and no
    later poll (nor a watcher started again on the store) tries it again until it changes."""
    from newsloom.stream import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    texts = sorted((demo_corpus() / "text").iterdir())
    for path in texts[:4]:  # with chunk=3 the poison shares a batch with good files
        shutil.copy(path, inbox / path.name)
    shutil.copy(texts[4], inbox / "poison.txt")
    attempts = tmp_path / "attempts"
    engine = _Poisoned(pool, attempts)
    with open_store(str(tmp_path / "watch.db")) as store:
        watcher = Watcher([str(inbox)], store, engine=engine)
        [first] = watcher.run(once=True)
        assert (first.inputs, first.stored, first.failed, first.clustered) == (5, 4, 1, 4)
        [failure] = first.failures
        assert failure.origin == str(inbox / "poison.txt")
        assert failure.reason.startswith("worker process died while processing it (Ray: ")
        assert [(f.origin, f.reason) for f in store.failures()] == [(failure.origin, failure.reason)]
        assert sorted(Path(a.origin).name for a in store.iter_articles()) == sorted(p.name for p in texts[:4])
        assert all(store.article_link(a) is not None for a in store.article_ids())
        tried = _attempts(attempts)
        assert tried >= 1

        shutil.copy(texts[5], inbox / texts[5].name)  # a new file: the next poll reads it, not the poison
        [second] = watcher.run(once=True)
        assert (second.inputs, second.stored, second.failed) == (1, 1, 0)
        again = Watcher([str(inbox)], store, engine=engine)
        [restarted] = again.run(once=True)  # what was seen, the poison too, is kept in the store
        assert (restarted.inputs, restarted.failed) == (0, 0)
        assert _attempts(attempts) == tried  # never sent again

        with open(inbox / "poison.txt", "a") as poison:
            poison.write("\nUpdated.\n")
        [changed] = again.run(once=True)  # a changed file is read again, as any changed file is
        assert (changed.inputs, changed.failed) == (1, 1)
        assert _attempts(attempts) > tried
        assert store.count_articles() == 5


def test_cli_watch_once_names_an_input_that_kills_its_worker_and_exits_1(
    pool: RayEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging
    from contextlib import contextmanager

    from typer.testing import CliRunner

    import newsloom.cli as cli

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    texts = sorted((demo_corpus() / "text").iterdir())
    for path in texts[:2]:
        shutil.copy(path, inbox / path.name)
    shutil.copy(texts[2], inbox / "poison.txt")

    @contextmanager
    def poisoned(*args: object, **kwargs: object) -> Iterator[_Poisoned]:
        yield _Poisoned(pool, tmp_path / "attempts")

    monkeypatch.setattr(cli, "_engine", poisoned)
    root = logging.getLogger()
    handlers, level = root.handlers[:], logging.getLogger("newsloom").level
    try:
        result = CliRunner().invoke(cli.app, ["watch", str(inbox), "--once", "--db", str(tmp_path / "w.db")])
    finally:  # the command set up logging for its own process
        root.handlers[:] = handlers
        logging.getLogger("newsloom").setLevel(level)
    assert result.exit_code == 1, result.output
    output = "".join(result.output.split())  # the log wraps long paths anywhere
    assert f"{inbox}/poison.txt:workerprocessdiedwhileprocessingit(Ray:" in output
    assert "cycle1:3newinputs,1failed;stored2" in output
    with open_store(str(tmp_path / "w.db")) as store:
        assert store.count_articles() == 2


class _AnalyseOrDie:
    """Enrichment, except that an article from a file named poison* kills the worker process (as a
    crash in a model would), after noting the attempt in ``attempts``."""

    def __init__(self, attempts: str, make: Any) -> None:
        self.attempts, self.analyse = attempts, make()

    def __call__(self, articles: list[Any]) -> list[Any]:
        import os

        for article in articles:
            if os.path.basename(article.origin).startswith("poison"):
                with open(self.attempts, "a") as noted:
                    noted.write("x")
                os._exit(1)
        return self.analyse(articles)  # type: ignore[no-any-return]


class _PoisonedEnrichment:
    """The engine, with enrichment swapped for ``_AnalyseOrDie``; extract & clean as they are."""

    def __init__(self, engine: RayEngine, attempts: Path) -> None:
        self.engine, self.attempts = engine, str(attempts)

    def map(self, fn: Any, items: Any, lost: Any = None) -> Any:
        return self.engine.map(fn, items, lost=lost)

    def map_batches(self, make: Any, batches: Any, lost: Any = None) -> Any:
        from functools import partial

        return self.engine.map_batches(partial(_AnalyseOrDie, self.attempts, make), batches, lost=lost)

    def warm(self, make: Any) -> None:
        from functools import partial

        self.engine.warm(partial(_AnalyseOrDie, self.attempts, make))


def _inbox_with_poison(folder: Path, good: int) -> list[Path]:
    """``good`` demo texts and one more as poison.txt in ``folder``; the good ones' sources."""
    folder.mkdir()
    texts = sorted((demo_corpus() / "text").iterdir())
    for path in texts[:good]:
        shutil.copy(path, folder / path.name)
    shutil.copy(texts[good], folder / "poison.txt")
    return texts


def test_run_parks_an_article_whose_enrichment_kills_its_worker(engine: RayEngine, tmp_path: Path) -> None:
    """Ray Data (``run``): the other articles are enriched and clustered; the poison is parked as
    failed with its input named, and no later run enriches it again."""
    from newsloom.enrich.analyse import EnrichOptions
    from newsloom.model import SourceFailure
    from newsloom.store import ArticleFilter

    corpus = tmp_path / "corpus"
    texts = _inbox_with_poison(corpus, 5)
    attempts = tmp_path / "attempts"
    poisoned = _PoisonedEnrichment(engine, attempts)
    with open_store(str(tmp_path / "run.db")) as store:
        summary = ingest([str(corpus)], store, engine=poisoned)  # type: ignore[arg-type]
        assert summary.ok and summary.stored == 6
        failures: list[SourceFailure] = []
        # batches of 2: the poison shares one with a good article, and a window with others
        enriched = enrich_stored(store, EnrichOptions(batch_size=2), engine=poisoned,  # type: ignore[arg-type]
                                 run_id=summary.run_id, failures=failures)
        assert enriched == 5
        [failure] = failures
        assert failure.origin == str(corpus / "poison.txt")
        assert failure.reason.startswith("worker process died while enriching it (Ray: "), failure.reason
        assert [(f.origin, f.reason) for f in store.failures(summary.run_id)] == [(failure.origin, failure.reason)]
        [parked] = store.iter_articles(ArticleFilter(status="failed"))
        assert parked.origin == failure.origin and store.get_enrichment(parked.id) is None
        assert cluster_stored(store) == 5
        clustered = store.iter_articles(ArticleFilter(status="clustered"))
        assert sorted(Path(a.origin).name for a in clustered) == sorted(p.name for p in texts[:5])
        tried = _attempts(attempts)
        assert tried >= 1

        again = ingest([str(corpus)], store, engine=poisoned)  # type: ignore[arg-type]
        assert again.ok and again.unchanged == 6
        assert enrich_stored(store, engine=poisoned) == 0  # type: ignore[arg-type]
        assert _attempts(attempts) == tried  # never sent again
        assert store.get_article(parked.id).status == "failed"  # type: ignore[union-attr]


def test_watch_parks_an_article_whose_enrichment_kills_its_worker(pool: RayEngine, tmp_path: Path) -> None:
    """The pool (``watch``): the cycle names the poison as failed and clusters the rest; no later
    cycle, nor a watcher started again, enriches it again until its file changes."""
    from newsloom.store import ArticleFilter
    from newsloom.stream import Watcher

    inbox = tmp_path / "inbox"
    texts = _inbox_with_poison(inbox, 4)
    attempts = tmp_path / "attempts"
    engine = _PoisonedEnrichment(pool, attempts)
    with open_store(str(tmp_path / "watch.db")) as store:
        watcher = Watcher([str(inbox)], store, engine=engine)  # type: ignore[arg-type]
        [first] = watcher.run(once=True)
        assert (first.inputs, first.stored, first.failed, first.enriched, first.clustered) == (5, 5, 1, 4, 4)
        [failure] = first.failures
        assert failure.origin == str(inbox / "poison.txt")
        assert failure.reason.startswith("worker process died while enriching it (Ray: "), failure.reason
        assert [(f.origin, f.reason) for f in store.failures()] == [(failure.origin, failure.reason)]
        assert [a.origin for a in store.iter_articles(ArticleFilter(status="failed"))] == [failure.origin]
        assert store.count_articles(ArticleFilter(status="clustered")) == 4
        tried = _attempts(attempts)
        assert tried >= 1

        shutil.copy(texts[5], inbox / texts[5].name)
        [second] = watcher.run(once=True)
        assert (second.inputs, second.failed, second.enriched, second.clustered) == (1, 0, 1, 1)
        [restarted] = Watcher([str(inbox)], store, engine=engine).run(once=True)  # type: ignore[arg-type]
        assert (restarted.inputs, restarted.failed, restarted.enriched) == (0, 0, 0)
        assert _attempts(attempts) == tried  # never sent again

        with open(inbox / "poison.txt", "a") as poison:
            poison.write("\nUpdated.\n")
        [changed] = watcher.run(once=True)  # a new version of it is tried again
        assert (changed.inputs, changed.updated, changed.failed, changed.enriched) == (1, 1, 1, 0)
        assert _attempts(attempts) > tried
        assert store.count_articles(ArticleFilter(status="failed")) == 1


def test_cli_run_exits_1_for_a_parked_article_and_retries_it_only_when_asked(
    engine: RayEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging
    from contextlib import contextmanager

    from typer.testing import CliRunner

    import newsloom.cli as cli

    corpus = tmp_path / "corpus"
    _inbox_with_poison(corpus, 2)
    attempts = tmp_path / "attempts"

    @contextmanager
    def poisoned(*args: object, **kwargs: object) -> Iterator[_PoisonedEnrichment]:
        yield _PoisonedEnrichment(engine, attempts)

    monkeypatch.setattr(cli, "_engine", poisoned)

    def newsloom(*args: str) -> tuple[int, dict[str, Any]]:
        root = logging.getLogger()
        handlers, level = root.handlers[:], logging.getLogger("newsloom").level
        try:
            result = CliRunner().invoke(cli.app, [*args, "--db", str(tmp_path / "r.db"), "--json", "--no-report"])
        finally:  # the command set up logging for its own process
            root.handlers[:] = handlers
            logging.getLogger("newsloom").setLevel(level)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        try:  # nothing but the summary: Ray's notice of a worker's death ("A worker died …") is logged
            return result.exit_code, json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"stdout is not just the JSON summary:\n{result.stdout}")

    code, summary = newsloom("run", str(corpus))
    assert code == 1
    assert (summary["stored"], summary["enriched"], summary["clustered"], summary["parked"]) == (3, 2, 2, 1)
    assert summary["failures"] == [{"origin": str(corpus / "poison.txt"), "reason": summary["failures"][0]["reason"]}]
    assert summary["failures"][0]["reason"].startswith("worker process died while enriching it (Ray: ")
    tried = _attempts(attempts)
    listed = CliRunner().invoke(cli.app, ["articles", "--status", "failed", "--json", "--db", str(tmp_path / "r.db")])
    assert [json.loads(line)["origin"] for line in listed.stdout.splitlines()] == [str(corpus / "poison.txt")]

    code, summary = newsloom("run", str(corpus))  # nothing new, nothing tried again: a clean run
    assert (code, summary["unchanged"], summary["enriched"], summary["failed"], summary["parked"]) == (0, 3, 0, 0, 1)
    assert _attempts(attempts) == tried

    code, summary = newsloom("run", "--retry-failed")  # asked for: tried again (and parked again)
    assert (code, summary["failed"], summary["parked"]) == (1, 1, 1)
    assert _attempts(attempts) > tried


def test_ray_notices_go_to_the_log_not_stdout(
    engine: RayEngine, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """What Ray's driver thread prints (a worker's death, as the raylet reports it; worker output)
    reaches the log and stderr, never stdout (``run --json`` prints only the summary there)."""
    import logging

    from ray._private import worker

    from newsloom.engines.ray import _keep_stdout_clean

    death = "A worker died or was killed while executing a task by an unexpected system error. Worker PID: 12345"
    with caplog.at_level(logging.WARNING, logger="newsloom.engines.ray"):
        worker.print_to_stdstream({"lines": [death], "pid": "raylet", "is_err": False}, ignore_prefix=False)
        worker.print_to_stdstream({"lines": ["hello from 4242"], "pid": 4242, "is_err": False}, ignore_prefix=False)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [r.getMessage() for r in caplog.records] == [f"Ray: {death}"]
    assert "hello from 4242" in captured.err
    _keep_stdout_clean()  # as by another engine in this process: wrapped once
    assert not isinstance(worker.print_to_stdstream.original, type(worker.print_to_stdstream))  # type: ignore[attr-defined]


def test_cli_unreachable_ray_address_fails_fast(tmp_path: Path) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nothing listens there
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "newsloom", "run", "--demo", "--engine", "ray", "--ray-address", f"127.0.0.1:{port}",
         "--no-report"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot reach the Ray cluster at 127.0.0.1" in " ".join(result.stderr.split())
    assert time.monotonic() - started < 60


# -- Ray with PostgreSQL -----------------------------------------------------------------------
PG = os.environ.get("NEWSLOOM_TEST_PG", "")
needs_pg = pytest.mark.skipif(not PG, reason="NEWSLOOM_TEST_PG is not set (eval \"$(bash scripts/postgres.sh)\")")


def _fresh_pg() -> Store:
    store = open_store(PG)
    store.reset_for_tests()  # type: ignore[attr-defined]
    return store


def _newsloom(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSLOOM_DB"}
    return subprocess.Popen([sys.executable, "-m", "newsloom", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@needs_pg
def test_cli_ray_on_postgresql_gives_the_same_events_as_in_process(local_demo: Store, tmp_path: Path) -> None:
    with _fresh_pg() as pg:
        run = _newsloom("run", "--demo", "--engine", "ray", "--db", PG, "--json", "--no-report", cwd=tmp_path)
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err
        summary = json.loads(out)
        assert summary["stored"] == local_demo.count_articles() == summary["clustered"]
        assert _entities(pg) == _entities(local_demo)
        assert _partition(pg) == _partition(local_demo)
        assert _storylines(pg) == _storylines(local_demo)


@needs_pg
def test_two_ray_runs_at_once_on_postgresql_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    """Two drivers, each with a Ray worker, on overlapping halves of the demo corpus, one database."""
    texts = sorted((demo_corpus() / "text").iterdir())
    halves = [tmp_path / "a", tmp_path / "b"]
    for folder, chosen in zip(halves, (texts[: len(texts) * 2 // 3], texts[len(texts) // 3 :]), strict=True):
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
    with _fresh_pg() as pg:
        runs = [
            _newsloom("run", str(folder), "--engine", "ray", "--ray-workers", "1", "--db", PG, "--json",
                      "--no-report", "--batch-size", "8", cwd=tmp_path)
            for folder in halves
        ]
        outputs = [r.communicate(timeout=900) for r in runs]
        for r, (_out, err) in zip(runs, outputs, strict=True):
            assert r.returncode == 0, err
        assert all(json.loads(out)["failed"] == 0 for out, _ in outputs)
        stored = list(pg.iter_articles())
        names = sorted(Path(a.origin).name for a in stored)
        assert names == sorted(p.name for p in texts)  # each file once, none missing
        assert {a.status for a in stored} == {"clustered"}
        placed = [a for e in pg.list_events() for a in e.article_ids]
        assert sorted(placed) == sorted(a.id for a in stored)  # every article in exactly one event
