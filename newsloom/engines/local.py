"""The in-process engine, which spreads work over a local process pool once a run is big enough."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Modules the worker processes import once, before any work arrives.
PRELOAD = ["newsloom.pipeline"]


class Engine(Protocol):
    """Maps a function over inputs, yielding results in input order."""

    def map(self, fn: Callable[[T], R], items: Iterable[T], lost: Callable[[T, str], R] | None = None) -> Iterator[R]:
        """``fn`` over ``items``; ``lost(item, reason)`` is the result of an item whose worker
        process died running it, where the engine survives that (Ray; ``reason`` is what the
        engine knows of the death); without it, it raises."""
        ...

    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """Apply ``make()`` to each batch, in order; ``make`` runs once per worker (it loads models).
        ``lost`` as for ``map``: then ``make()``'s function gives one result per input."""
        ...


class LocalEngine:
    """Runs the first ``warmup`` inputs here, the rest on ``workers`` processes (if more than one).

    Small runs never pay for starting processes; large ones use every core. Workers come from
    a ``forkserver``, so they start from a clean interpreter with ``PRELOAD`` imported and
    inherit no threads or open connections from the caller. At most ``workers × 4`` chunks
    are in flight, so memory stays bounded on an endless stream.
    """

    def __init__(self, workers: int | None = None, *, warmup: int = 128, chunk: int = 16) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.warmup = warmup
        self.chunk = chunk

    def map(self, fn: Callable[[T], R], items: Iterable[T], lost: Callable[[T, str], R] | None = None) -> Iterator[R]:
        """``fn`` over ``items``. ``lost`` is not used: a crash here ends the run (an exception
        is ``fn``'s to handle; the pipeline's makes it a failure naming the input)."""
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
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            window: deque[Future[list[R]]] = deque()
            chunks = _chunks(stream, self.chunk, first)
            for chunk in chunks:
                window.append(pool.submit(_apply, fn, chunk))
                if len(window) >= self.workers * 4:
                    yield from window.popleft().result()
            while window:
                yield from window.popleft().result()


    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """In this process: the work is model inference, which already uses every core. ``lost``
        is not used (as for ``map``)."""
        fn: Callable[[list[T]], list[R]] | None = None
        for batch in batches:
            if fn is None:  # nothing loads when there is nothing to do
                fn = make()
            yield fn(batch)


def _chunks(stream: Iterator[T], size: int, first: list[T]) -> Iterator[list[T]]:
    yield first
    while chunk := list(islice(stream, size)):
        yield chunk


def _apply(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(item) for item in chunk]
