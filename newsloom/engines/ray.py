"""The Ray engine: per-article work on a Ray cluster through Ray Data, event clustering in one actor.

``newsloom run --engine ray [--ray-address ADDR]``. The pipeline is the same as in-process
(``newsloom.pipeline``); only where the pure, batchable functions run changes:

* extract & clean (``_build``) and ``enrich.analyse.analyse`` (key phrases, date estimate,
  embedding) run as Ray Data ``map_batches`` over a callable class, one actor per CPU of the
  cluster; the actor creates its function once (the embedder loads in ``__init__``);
* results come back to the driver in input order; the driver keeps ids, runs ``resolve``
  (the corpus entity registry lives there) and writes to the store, one transaction per batch;
* event clustering runs in one stateful actor (:class:`ClusterWorker`) beside the store: it
  holds the store connection and runs the pipeline's own clustering phase
  (``pipeline.cluster_stored``: enriched articles in time order, batch by batch, into the
  ``EventClusterer`` and ``StorylineLinker``), so both engines give the same events.

The input stream is cut into windows of ``window`` batches, each one Ray Data dataset, so an
endless stream never sits in memory whole. Ray is imported only when the engine starts: the
rest of newsloom never needs it (``pip install 'newsloom[ray]'``).
"""

from __future__ import annotations

import logging
import os
import pickle
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from newsloom.errors import ConfigError

if TYPE_CHECKING:
    from newsloom.pipeline import Progress
    from newsloom.store import Store

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "pip install 'newsloom[ray]'"
log = logging.getLogger(__name__)


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or a ``ConfigError`` naming the fix."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError(f"the Ray engine needs Ray with Ray Data, which is not installed: {INSTALL_HINT}") from exc
    return ray


class RayEngine:
    """Maps functions over a Ray cluster with Ray Data; use as a context manager.

    ``address`` connects to a running cluster (``ray start --head`` / ``ray://…``); without
    it a local cluster of ``workers`` CPUs (default: all cores) is started and stopped with
    the engine. ``chunk`` inputs go to a worker at a time in ``map``; ``window`` batches
    make one Ray Data dataset.
    """

    def __init__(
        self, address: str | None = None, *, workers: int | None = None, chunk: int = 16, window: int = 64
    ) -> None:
        self.address = address
        self.workers = workers
        self.chunk = chunk
        self.window = window
        self._ray: Any = None
        self._started_cluster = False
        self._cluster_actor: Any = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> RayEngine:
        if self._ray is not None:
            return self
        ray = import_ray()
        if not ray.is_initialized():
            # Errors only while starting: no banner, no token-auth notice; warnings again after.
            quiet = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
            if self.address:
                ray.init(address=self.address, **quiet)
            else:
                ray.init(address="local", num_cpus=self.workers or os.cpu_count() or 1, **quiet)
                self._started_cluster = True
            logging.getLogger("ray").setLevel(logging.WARNING)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "progress bars disabled"
        self._ray = ray
        return self

    def close(self) -> None:
        if self._ray is None:
            return
        if self._cluster_actor is not None:
            self._ray.kill(self._cluster_actor)
            self._cluster_actor = None
        if self._started_cluster:
            self._ray.shutdown()
            self._started_cluster = False
        self._ray = None

    def __enter__(self) -> RayEngine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pool_size(self) -> int:
        """How many actors run a ``map_batches``: one per CPU of the cluster (at most ``workers``)."""
        cpus = int(self.start()._ray.cluster_resources().get("CPU", 1))
        return max(1, min(cpus, self.workers) if self.workers else cpus)

    # -- the Engine protocol ---------------------------------------------------------------
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items`` on the cluster, ``chunk`` items a call; results in input order."""
        for results in self.map_batches(partial(_Each, fn), _chunked(items, self.chunk)):
            yield from results

    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]]
    ) -> Iterator[list[R]]:
        """``make()`` once per actor, then each batch through it; results in input order.

        An exception in a worker is raised here as itself (when it can be sent back) with the
        worker's traceback as a note, as the in-process engine would raise it.
        """
        self.start()
        stream = iter(batches)
        while window := list(islice(stream, self.window)):
            yield from self._run_window(make, window)

    def _run_window(self, make: Callable[[], Callable[[list[T]], list[R]]], window: list[list[T]]) -> Iterator[list[R]]:
        ray = self._ray
        rows = [{"seq": i, "batch": pickle.dumps(batch, protocol=5)} for i, batch in enumerate(window)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            _worker_class(make),
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(self.pool_size, len(rows))),
            num_cpus=1,
        )
        # Workers finish out of order; keep what arrives early until its turn comes.
        pending: dict[int, bytes] = {}
        expected = 0
        for row in dataset.iter_rows():
            pending[int(row["seq"])] = row["result"]
            while expected in pending:
                yield _unpack(pending.pop(expected))
                expected += 1
        if pending or expected != len(window):
            raise RuntimeError(f"Ray returned {expected} of {len(window)} batches")

    # -- event clustering ------------------------------------------------------------------
    def cluster_stored(self, store: Store, db: str | None, progress: Progress | None = None) -> int:
        """Run the clustering phase in the cluster's clustering actor; return how many articles it placed.

        ``db`` is the store's address as the actor can open it (a PostgreSQL URL, or a SQLite
        path, in which case the actor is placed on this machine). Without one (an in-memory
        store) the phase runs here.
        """
        from newsloom.pipeline import cluster_stored

        if db is None or db == ":memory:":
            return cluster_stored(store, progress=progress)
        if progress is not None:
            progress.stage("clustering events (Ray actor)")
        placed, _seconds = self._ray_get(self.cluster_actor(db).cluster.remote())
        return int(placed)

    def cluster_actor(self, db: str) -> Any:
        """The one clustering actor of this engine (created on first use, on this node for SQLite)."""
        ray = self.start()._ray
        if self._cluster_actor is None:
            # No CPU reserved: the phases run one after another, so the actor works while the Ray
            # Data pools are idle, and a reservation held between phases would shrink those pools.
            options: dict[str, Any] = {"num_cpus": 0}
            if not db.startswith(("postgresql://", "postgres://")):
                from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

                db = os.path.abspath(db.removeprefix("sqlite:///"))
                node = ray.get_runtime_context().get_node_id()
                options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node, soft=False)
            self._cluster_actor = ray.remote(ClusterWorker).options(**options).remote(db)
        return self._cluster_actor

    def _ray_get(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, Exception):
                raise cause from exc
            raise


class ClusterWorker:
    """The clustering actor: holds the store and places enriched articles into events, in time order.

    One per engine, so every batch goes through one ``EventClusterer`` in time order, as in
    process. The clustering itself is ``pipeline.cluster_stored``, unchanged.
    """

    def __init__(self, db: str) -> None:
        from newsloom.store import open_store

        self.store = open_store(db)

    def cluster(self, batch_size: int = 64) -> tuple[int, float]:
        """Cluster what is enriched and not yet placed; return (articles placed, seconds taken)."""
        import time

        from newsloom.pipeline import cluster_stored

        start = time.perf_counter()
        placed = cluster_stored(self.store, batch_size=batch_size)
        return placed, time.perf_counter() - start


class _BatchWorker:
    """The callable class Ray Data runs: ``make()`` once per actor, then one pickled batch a row."""

    def __init__(self, make: Callable[[], Callable[[list[Any]], list[Any]]]) -> None:
        self.fn = make()

    def __call__(self, rows: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        results = []
        for blob in rows["batch"]:
            try:
                results.append(pickle.dumps(("ok", self.fn(pickle.loads(blob))), protocol=5))
            except Exception as exc:  # sent back and raised on the driver
                results.append(_pack_error(exc))
        return {"seq": rows["seq"], "result": np.array(results, dtype=object)}


def _worker_class(make: Callable[[], Callable[[list[Any]], list[Any]]]) -> type[_BatchWorker]:
    """A ``_BatchWorker`` with ``make`` built in: Ray ships the class, not constructor arguments."""

    class BatchWorker(_BatchWorker):
        def __init__(self) -> None:
            super().__init__(make)

    return BatchWorker


class _Each:
    """``fn`` applied to each input of a chunk."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, chunk: list[Any]) -> list[Any]:
        return [self.fn(item) for item in chunk]


def _chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    stream = iter(items)
    while chunk := list(islice(stream, size)):
        yield chunk


def _pack_error(exc: Exception) -> bytes:
    remote = "".join(traceback.format_exception(exc))
    try:
        blob = pickle.dumps(exc, protocol=5)
        pickle.loads(blob)  # some exceptions cannot be rebuilt from their args
    except Exception:
        return pickle.dumps(("error", None, remote), protocol=5)
    return pickle.dumps(("error", blob, remote), protocol=5)


def _unpack(blob: bytes) -> Any:
    status, *payload = pickle.loads(blob)
    if status == "ok":
        return payload[0]
    exc_blob, remote = payload
    exc = pickle.loads(exc_blob) if exc_blob is not None else RuntimeError(remote.strip().splitlines()[-1])
    exc.add_note(f"raised in a Ray worker:\n{remote}")
    raise exc
