"""The local process pool survives an input that kills its worker (a crash in a parser, killed, out of memory).

The functions the workers run live at module level here: the forkserver's children import this
module by name (pytest puts its folder on ``sys.path``, which the forkserver is given).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsloom.engines import LocalEngine
from newsloom.engines.local import WorkerLost

#: No test here should take longer; a hang fails it instead of stalling the suite.
DEADLINE = 120.0


@contextmanager
def deadline(seconds: float = DEADLINE) -> Iterator[None]:
    """Fail with ``TimeoutError`` after ``seconds`` (pytest-timeout is not a dependency); again every
    5 s after that, so a wait in clean-up is interrupted too."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds:g} s: the pool hangs")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 5.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class _Input:
    origin: str
    n: int


#: n → how its worker dies: ``exit`` (``os._exit(3)``) or ``segv`` (SIGSEGV, as a crash in lxml would).
POISON = {5: "exit", 37: "segv", 38: "exit", 90: "segv"}


def _work(item: _Input) -> tuple[int, int]:
    """The input's square and the process that computed it; a poison kills that process."""
    how = POISON.get(item.n)
    if how == "exit":
        os._exit(3)
    if how == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    return item.n * item.n, os.getpid()


def _lose(item: _Input, reason: str) -> tuple[int, int]:
    return -item.n, 0


def _inputs(count: int) -> list[_Input]:
    return [_Input(f"feed/{n}.txt", n) for n in range(count)]


def test_an_input_that_kills_its_worker_is_lost_alone_and_the_rest_kept_in_order() -> None:
    """Four poisons, two in one chunk and others windows apart: each is lost with how it died,
    every other input gives its result, in order, computed on a pool (not in this process)."""
    reasons: dict[int, str] = {}

    def lose(item: _Input, reason: str) -> tuple[int, int]:
        reasons[item.n] = reason
        return _lose(item, reason)

    engine = LocalEngine(2, warmup=0, chunk=4)  # a window of 8 chunks (32 inputs): the poisons span three
    with deadline():
        results = list(engine.map(_work, _inputs(100), lost=lose))
    assert [value for value, _pid in results] == [-n if n in POISON else n * n for n in range(100)]
    assert reasons == {
        5: "local process pool: exit code 3",
        37: "local process pool: killed by signal SIGSEGV",
        38: "local process pool: exit code 3",
        90: "local process pool: killed by signal SIGSEGV",
    }
    pids = [pid for n, (_value, pid) in enumerate(results) if n not in POISON]
    assert all(pid != os.getpid() for pid in pids)
    first, last = set(pids[:5]), {pid for n, (_value, pid) in enumerate(results) if n > 90}
    assert last and not first & last  # the rest of the stream ran on a new pool


def _square(x: int) -> int:
    return x * x


def test_the_pool_keeps_serving_after_a_death() -> None:
    engine = LocalEngine(2, warmup=0, chunk=4)
    with deadline():
        results = [value for value, _pid in engine.map(_work, _inputs(10), lost=_lose)]
        assert results == [-5 if n == 5 else n * n for n in range(10)]
        assert list(engine.map(_square, range(40))) == [x * x for x in range(40)]


def test_a_death_keeps_the_window_bounded() -> None:
    """An endless input: results come as they are due, across a death, with only the window taken ahead."""
    taken = 0

    def endless() -> Iterator[_Input]:
        nonlocal taken
        while True:
            taken += 1
            yield _Input(f"feed/{taken - 1}.txt", taken - 1)

    engine = LocalEngine(2, warmup=0, chunk=4)
    with deadline():
        results = engine.map(_work, endless(), lost=_lose)
        try:
            got = [next(results)[0] for _ in range(60)]  # past the poisons 5, 37 and 38
        finally:
            results.close()  # abandoned: the pool shuts down without running what is queued
    assert got == [-n if n in POISON else n * n for n in range(60)]
    assert taken <= 60 + engine.workers * 4 * engine.chunk + engine.chunk


def test_without_lost_the_input_that_killed_its_worker_is_named() -> None:
    engine = LocalEngine(2, warmup=0, chunk=4)
    results = engine.map(_work, _inputs(30))
    with deadline():
        assert [next(results)[0] for _ in range(4)] == [0, 1, 4, 9]  # the chunks before its own come first
        named = r"a worker process died running feed/5\.txt \(local process pool: exit code 3\)"
        with pytest.raises(WorkerLost, match=named):
            next(results)
        results.close()


def _fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError(f"bad item {x}")
    return x


def test_an_exception_in_the_work_is_raised_as_itself() -> None:
    with deadline(), pytest.raises(ValueError, match="bad item 7"):
        list(LocalEngine(2, warmup=0, chunk=4).map(_fail_on_seven, range(40), lost=lambda x, reason: -x))


# -- the pipeline: a file whose extraction kills its worker ------------------------------------
def _build_or_die(task: Any) -> Any:
    """Extract & clean, except that a file named poison* kills the worker process, as a crash in a parser would."""
    from newsloom.pipeline import _build

    if os.path.basename(task.item.origin).startswith("poison"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return _build(task)


class _Poisoned:
    """A local engine that runs ``_build_or_die`` for extract & clean; the rest as it is."""

    def __init__(self) -> None:
        self.engine = LocalEngine(2, warmup=0, chunk=2)

    def map(self, fn: Any, items: Any, lost: Any = None) -> Any:
        from newsloom.pipeline import _build

        assert fn is _build
        return self.engine.map(_build_or_die, items, lost=lost)

    def map_batches(self, make: Any, batches: Any, lost: Any = None) -> Any:
        return self.engine.map_batches(make, batches, lost=lost)


def _corpus(folder: Path, good: int, poison: int = 1) -> list[str]:
    """``good`` demo texts and ``poison`` more named poison*.txt; the good ones' names."""
    from newsloom.cli import demo_corpus

    folder.mkdir()
    texts = sorted((demo_corpus() / "text").iterdir())
    for path in texts[:good]:
        shutil.copy(path, folder / path.name)
    for n in range(poison):
        shutil.copy(texts[good + n], folder / f"poison{n}.txt")
    return [p.name for p in texts[:good]]


@pytest.mark.slow
def test_ingest_fails_a_file_that_kills_its_worker_and_stores_the_rest(tmp_path: Path) -> None:
    from newsloom.pipeline import ingest
    from newsloom.store import open_store

    good = _corpus(tmp_path / "corpus", 9, poison=2)
    with deadline(), open_store(str(tmp_path / "run.db")) as store:
        summary = ingest([str(tmp_path / "corpus")], store, engine=_Poisoned())  # type: ignore[arg-type]
        assert not summary.ok and summary.stored == 9
        assert sorted((Path(f.origin).name, f.reason) for f in summary.failures) == [
            (f"poison{n}.txt", "worker process died while processing it (local process pool: killed by signal SIGSEGV)")
            for n in range(2)
        ]
        assert sorted(Path(a.origin).name for a in store.iter_articles()) == sorted(good)
        assert [Path(f.origin).name for f in store.failures(summary.run_id)] == ["poison0.txt", "poison1.txt"]


@pytest.mark.slow
def test_cli_run_names_a_file_that_kills_its_worker_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import newsloom.cli as cli

    good = _corpus(tmp_path / "corpus", 5)

    @contextmanager
    def poisoned(*args: object, **kwargs: object) -> Iterator[_Poisoned]:
        yield _Poisoned()

    monkeypatch.setattr(cli, "_engine", poisoned)
    root = logging.getLogger()
    handlers, level = root.handlers[:], logging.getLogger("newsloom").level
    try:
        with deadline(300):
            result = CliRunner().invoke(cli.app, [
                "run", str(tmp_path / "corpus"), "--db", str(tmp_path / "r.db"), "--json", "--no-report",
            ])
    finally:  # the command set up logging for its own process
        root.handlers[:] = handlers
        logging.getLogger("newsloom").setLevel(level)
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["stored"] == len(good) and summary["failed"] == 1
    assert summary["failures"] == [{
        "origin": str(tmp_path / "corpus" / "poison0.txt"),
        "reason": "worker process died while processing it (local process pool: killed by signal SIGSEGV)",
    }]
    assert summary["clustered"] == len(good)
    assert f"{tmp_path}/corpus/poison0.txt:workerprocessdied" in "".join(result.stderr.split())  # the line naming it
