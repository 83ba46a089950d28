"""The in-process engine, which spreads work over a local process pool once a run is big enough."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

from newsloom.errors import NewsloomError

T = TypeVar("T")
R = TypeVar("R")

#: Modules the worker processes import once, before any work arrives.
PRELOAD = ["newsloom.pipeline"]

log = logging.getLogger(__name__)


class WorkerLost(NewsloomError):
    """A worker process died running work, with no ``lost`` to stand for its result; names the input(s)."""


class Engine(Protocol):
    """Maps a function over inputs, yielding results in input order."""

    def map(self, fn: Callable[[T], R], items: Iterable[T], lost: Callable[[T, str], R] | None = None) -> Iterator[R]:
        """``fn`` over ``items``; ``lost(item, reason)`` is the result of an item whose worker
        process died running it (``reason`` is what the engine knows of the death). Both engines
        survive that in their worker processes; without ``lost``, they raise ``WorkerLost``. Work
        the local engine runs in the calling process (its warm-up) dies with that process."""
        ...

    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """Apply ``make()`` to each batch, in order; ``make`` runs once per worker (it loads models).
        ``lost`` as for ``map`` (Ray; the local engine runs batches in the calling process):
        then ``make()``'s function gives one result per input."""
        ...


class LocalEngine:
    """Runs the first ``warmup`` inputs here, the rest on ``workers`` processes (if more than one).

    Small runs never pay for starting processes; large ones use every core. Workers come from
    a ``forkserver``, so they start from a clean interpreter with ``PRELOAD`` imported and
    inherit no threads or open connections from the caller. At most ``workers × 4`` chunks
    are in flight, so memory stays bounded on an endless stream. A worker that dies (a crash
    in a parser, killed, out of memory) breaks the pool: a new one takes over, and the inputs
    of the chunks not yet back run again one a task, so that only an input that kills a
    worker on its own is lost (see ``map``).
    """

    def __init__(self, workers: int | None = None, *, warmup: int = 128, chunk: int = 16) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.warmup = warmup
        self.chunk = chunk

    def map(self, fn: Callable[[T], R], items: Iterable[T], lost: Callable[[T, str], R] | None = None) -> Iterator[R]:
        """``fn`` over ``items``, results in input order (an exception is ``fn``'s to handle; the
        pipeline's makes it a failure naming the input).

        When a worker process dies, the inputs of every chunk not yet back run again on a new
        pool, one a task, at most one per worker at a time; those that were running when a worker
        died again then run alone. An input whose worker dies under it alone gets ``lost(input,
        reason)`` as its result (``reason``: its exit code or signal); without ``lost``, its
        chunk raises ``WorkerLost`` naming it when its turn comes. Then the stream goes on, on the
        new pool. Inputs run in this process (the first ``warmup``, or all of a run too small for
        a pool) are not protected: a crash there ends the run.
        """
        stream = iter(items)
        for item in islice(stream, self.warmup):
            yield fn(item)
        if self.workers <= 1:
            yield from map(fn, stream)
            return
        first = list(islice(stream, self.chunk))
        if len(first) < self.chunk:  # too little left to be worth a pool
            yield from map(fn, first)
            return
        pool = _Pool(self.workers)
        window: deque[tuple[list[T], Future[list[R]]]] = deque()
        try:
            for chunk in _chunks(stream, self.chunk, first):
                window.append((chunk, pool.submit(_apply, fn, chunk)))
                if len(window) >= self.workers * 4:
                    yield from _oldest(pool, fn, window, lost)
            while window:
                yield from _oldest(pool, fn, window, lost)
        finally:
            pool.close()

    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """In this process: the work is model inference, which already uses every core. ``lost``
        is not used: a crash here ends the run."""
        fn: Callable[[list[T]], list[R]] | None = None
        for batch in batches:
            if fn is None:  # nothing loads when there is nothing to do
                fn = make()
            yield fn(batch)


def _oldest(
    pool: _Pool, fn: Callable[[T], R], window: deque[tuple[list[T], Future[list[R]]]],
    lost: Callable[[T, str], R] | None,
) -> list[R]:
    """The results of the oldest chunk in flight, taken off the window; a broken pool is replaced first."""
    try:
        results = window[0][1].result()
    except BrokenProcessPool:
        _recover(pool, fn, window, lost)
        results = window[0][1].result()
    window.popleft()
    return results


def _recover(
    pool: _Pool, fn: Callable[[T], R], window: deque[tuple[list[T], Future[list[R]]]],
    lost: Callable[[T, str], R] | None,
) -> None:
    """A worker died: replace the pool, and give every chunk not yet back its results input by input."""
    reason = pool.renew()
    unfinished = [n for n, (_chunk, future) in enumerate(window) if _broken(future)]
    items = [item for n in unfinished for item in window[n][0]]
    log.warning("a worker process died (%s): the %d inputs not yet back run again, one a task", reason, len(items))
    outcomes = iter(_isolate(pool, fn, items, lost))
    for n in unfinished:
        chunk = window[n][0]
        window[n] = (chunk, _gather([next(outcomes) for _ in chunk]))


class _Pool:
    """A forkserver process pool that a new one replaces when a worker dies and breaks it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(self.size, mp_context=context)

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        """``fn(*args)`` on a worker; on a pool already broken, a future that failed as the others did."""
        try:
            return self.executor.submit(fn, *args)
        except BrokenProcessPool as exc:
            failed: Future[R] = Future()
            failed.set_exception(exc)
            return failed

    def renew(self) -> str:
        """Replace the broken pool with a new one; return how its worker died, as far as known."""
        # the executor's own record of its processes: their exit codes are known once it has shut down
        processes: list[BaseProcess] = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()
        return _death(processes)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _isolate(pool: _Pool, fn: Callable[[T], R], items: list[T], lost: Callable[[T, str], R] | None) -> list[Future[R]]:
    """``fn`` over ``items``, one a task and at most one per worker in flight, as futures that are done.

    When a worker dies, the inputs in flight then run again alone, one after another: an
    input whose worker dies under it alone gets ``lost(input, reason)`` (or ``WorkerLost``).
    """
    outcomes: list[Future[R] | None] = [None] * len(items)
    todo = deque(range(len(items)))
    running: dict[Future[R], int] = {}
    while todo or running:
        while todo and len(running) < pool.size:
            n = todo.popleft()
            running[pool.submit(fn, items[n])] = n
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        if not any(_broken(future) for future in finished):
            for future in finished:
                outcomes[running.pop(future)] = future
            continue
        pool.renew()
        suspects = sorted(n for future, n in running.items() if _broken(future))
        for future, n in running.items():
            if not _broken(future):  # finished before the death
                outcomes[n] = future
        running.clear()
        for n in suspects:
            outcomes[n] = _alone(pool, fn, items[n], lost)
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(items)
    return done


def _alone(pool: _Pool, fn: Callable[[T], R], item: T, lost: Callable[[T, str], R] | None) -> Future[R]:
    """``fn(item)`` with nothing else on the pool: a death now is this input's doing."""
    future = pool.submit(fn, item)
    wait([future])
    if not _broken(future):
        return future
    reason = pool.renew()
    log.debug("%s: its worker died under it alone (%s)", _name(item), reason)  # the caller's lost() reports it
    outcome: Future[R] = Future()
    if lost is None:
        outcome.set_exception(WorkerLost(f"a worker process died running {_name(item)} ({reason})"))
    else:
        outcome.set_result(lost(item, reason))
    return outcome


def _broken(future: Future[Any]) -> bool:
    """Whether a future of a pool that broke never got its result (its worker died, or another's did)."""
    return not future.done() or future.cancelled() or isinstance(future.exception(), BrokenProcessPool)


def _gather(outcomes: list[Future[R]]) -> Future[list[R]]:
    """One chunk's result from its inputs' futures, all done: their results, or the first exception."""
    gathered: Future[list[R]] = Future()
    for outcome in outcomes:
        if (exc := outcome.exception()) is not None:
            gathered.set_exception(exc)
            return gathered
    gathered.set_result([outcome.result() for outcome in outcomes])
    return gathered


def _death(processes: list[BaseProcess]) -> str:
    """How a broken pool's worker died: ``local process pool: exit code N`` or ``…: killed by signal NAME``.

    The pool terminates its other workers (SIGTERM) once one has died, so another exit status
    is the one that broke it.
    """
    codes = [p.exitcode for p in processes if p.exitcode is not None]
    own = [code for code in codes if code != -signal.SIGTERM] or codes
    if not own:
        return "local process pool"
    code = own[0]
    if code >= 0:
        return f"local process pool: exit code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = str(-code)
    return f"local process pool: killed by signal {name}"


def _chunks(stream: Iterator[T], size: int, first: list[T]) -> Iterator[list[T]]:
    yield first
    while chunk := list(islice(stream, size)):
        yield chunk


def _apply(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(item) for item in chunk]


def _name(entry: Any) -> str:
    """An input by its origin where it has one (a pipeline task, an article), else by its type."""
    origin = getattr(entry, "origin", None) or getattr(getattr(entry, "item", None), "origin", None)
    return str(origin) if origin else type(entry).__name__
