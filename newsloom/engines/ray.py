"""The Ray engine: per-article work on Ray actors, event clustering in one actor.

``newsloom run --engine ray`` and ``newsloom watch --engine ray`` (``--ray-address ADDR`` for a
running cluster). The pipeline is the same as in-process (``newsloom.pipeline``); only where the
pure, batchable functions run changes: extract & clean (``_build``) and ``enrich.analyse.analyse``
(key phrases, date estimate, embedding) run on actors, one per CPU of the cluster (at most
``workers``), each building the function once (the embedder loads in its ``__init__``). Two ways:

* batch jobs (``run``; the default): Ray Data ``map_batches`` over a callable class, the input
  cut into windows of ``window`` batches, each one dataset whose actors start with it and end
  with it (so models load once per worker per window);
* ``persistent=True`` (``watch``): a pool of worker actors created when the engine first has
  work and kept until it closes; a worker keeps each function it built, so a ``watch`` loads its
  models once, not every cycle. Batches stream through the pool, a few per worker in flight.
  (Measured on the 2-core machine: enrichment in a ``run`` was ~20 % faster on Ray Data with
  the same CPU time per batch; cause not found, so batch jobs keep Ray Data.)

Either way results come back to the driver in input order, so an endless input never sits in
memory whole; the driver keeps ids, runs ``resolve`` (the corpus entity registry lives there)
and writes to the store, one transaction per batch. Event clustering (``run``) runs in one
stateful actor (:class:`ClusterWorker`) beside the store: it holds the store connection and
runs the pipeline's own clustering phase (``pipeline.cluster_stored``), so both engines give
the same events. ``watch`` clusters on the driver.

Failures: an exception raised by the work itself comes back and is raised on the driver as
itself, with the worker's traceback and the batch's inputs as notes (bad inputs are
``SourceFailure`` results, not exceptions: the run names them and goes on). A worker that dies
(killed, out of memory, a crash in a parser) is restarted and its batch tried once more; after a
second death the batch's inputs are run one at a time, alone on the workers, and an input that
kills its worker on its own is given to the caller's ``lost(input, reason)`` (the pipeline makes
it a failure naming the input); the others give their results as usual. Without ``lost``, such a
batch raises :class:`WorkerLost` naming its inputs. Under Ray Data (``run``) a window whose
worker died is finished the same way on a pool of new workers (Ray Data alone would restart
the worker and retry that input for ever). Ray's own notice of a worker's death is a warning
in this module's log (stderr), never on stdout, which is left to results (``run --json``). An
address that does not answer is a ``ConfigError`` within ``connect_timeout`` seconds, not a hang.

Ray is imported only when the engine starts: the rest of newsloom never needs it
(``pip install 'newsloom[ray]'``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import ipaddress
import logging
import os
import pickle
import re
import socket
import threading
import time
import traceback
import warnings
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from newsloom.engines.local import WorkerLost, _name
from newsloom.errors import ConfigError

if TYPE_CHECKING:
    from newsloom.pipeline import Progress
    from newsloom.store import Store

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "pip install 'newsloom[ray]'"
#: A custom Ray resource: a node that offers it (``ray start --resources='{"newsloom_clustering": 1}'``)
#: gets the clustering actor of runs on a PostgreSQL store (give it the memory; see docs/deploy.md).
CLUSTERING_RESOURCE = "newsloom_clustering"
#: Batches queued per worker: one running, one waiting, so a worker never idles between batches.
DEPTH = 2
#: Functions a worker keeps built (models loaded); the least recently used goes first.
KEEP_FUNCTIONS = 4
#: How often to say so while no worker has started (the cluster's CPUs are held by other jobs).
WAIT_WARNING_SECONDS = 30.0
#: How often a batch that found its worker restarting (after another batch killed it) is sent again.
UNAVAILABLE_RETRIES = 3
#: How long to wait for a worker that died to answer again before giving up on the pool.
RESTART_TIMEOUT = 120.0
#: How long the pool that takes over a Ray Data window waits for the dead window's CPUs to be free.
FREE_CPU_WAIT = 5.0
#: How often a pool waiting for results asks the cluster whether a worker's node has died.
NODE_CHECK_SECONDS = 5.0

log = logging.getLogger(__name__)


class WorkerStartError(ConfigError):
    """A Ray worker could not start, or runs another newsloom version than the driver."""


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or a ``ConfigError`` naming the fix."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError(f"the Ray engine needs Ray with Ray Data, which is not installed: {INSTALL_HINT}") from exc
    return ray


class RayEngine:
    """Maps functions over Ray actors; use as a context manager.

    ``address`` connects to a running cluster (``HOST:PORT`` of ``ray start --head``,
    ``ray://HOST:PORT`` for Ray Client, or ``auto``); without it a local cluster of ``workers``
    CPUs (default: all cores) is started and stopped with the engine. One actor per CPU of the
    cluster, at most ``workers``. ``chunk`` inputs go to a worker at a time in ``map``. Batch
    jobs run on Ray Data, ``window`` batches a dataset; with ``persistent`` the actors are a pool
    kept for the engine's life (it grows when nodes join between calls), for ``watch``.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int | None = None,
        chunk: int = 16,
        window: int = 64,
        persistent: bool = False,
        connect_timeout: float = 10.0,
    ) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(f"Ray workers must be at least 1, not {workers}")
        self.address = address
        self.workers = workers
        self.chunk = chunk
        self.window = window
        self.persistent = persistent
        self.connect_timeout = connect_timeout
        self._ray: Any = None
        self._started_cluster = False
        self._pool: _Pool | None = None
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
                _probe(self.address, self.connect_timeout)
                # The port answers, but Ray retries for minutes when it is not a Ray head's: say so.
                slow = threading.Timer(3 * self.connect_timeout, log.warning, args=(
                    "still connecting to the Ray cluster at %s: is that the head's address and GCS port "
                    "(`ray start --head --port 6379`), and does this machine run the same Ray version?",
                    self.address,
                ))
                slow.daemon = True
                slow.start()
                try:
                    ray.init(address=self.address, **quiet)
                except (ConnectionError, RuntimeError, ValueError) as exc:
                    raise ConfigError(f"cannot connect to the Ray cluster at {self.address}: {exc}") from exc
                finally:
                    slow.cancel()
            else:
                ray.init(address="local", num_cpus=self.workers or os.cpu_count() or 1, **quiet)
                self._started_cluster = True
            logging.getLogger("ray").setLevel(logging.WARNING)
        _keep_stdout_clean()
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
        if self._pool is not None:
            self._pool.close()
            self._pool = None
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
        """How many worker actors run a job: one per CPU of the cluster (at most ``workers``)."""
        cpus = int(self.start()._ray.cluster_resources().get("CPU", 1))
        return max(1, min(cpus, self.workers) if self.workers else cpus)

    # -- the Engine protocol ---------------------------------------------------------------
    def map(self, fn: Callable[[T], R], items: Iterable[T], lost: Callable[[T, str], R] | None = None) -> Iterator[R]:
        """``fn`` over ``items`` on the cluster, ``chunk`` items a call; results in input order.

        ``lost(item, reason)`` stands for the result of an item that kills its worker (see
        ``map_batches``).
        """
        for results in self.map_batches(partial(_Each, fn), _chunked(items, self.chunk), lost=lost):
            yield from results

    def map_batches(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """``make()`` once per worker, then each batch through it; results in input order.

        With ``persistent`` the workers, and what ``make()`` built, are kept for the engine's
        life. An exception in a worker is raised here as itself (when it can be sent back) with
        the worker's traceback and the batch as notes, as the in-process engine would raise it.
        With ``lost``, ``make()``'s function must give one result per input: a batch whose worker
        died twice is run input by input, and an input that kills its worker on its own gets
        ``lost(input, reason)`` as its result; without it, that batch raises ``WorkerLost``.
        """
        if self.persistent:
            yield from self._workers().run(make, batches, lost)
            return
        self.start()
        stream = iter(batches)
        while window := list(islice(stream, self.window)):
            yield from self._run_window(make, window, lost)

    def _run_window(
        self, make: Callable[[], Callable[[list[T]], list[R]]], window: list[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        """One Ray Data dataset of ``window`` batches; its actors start and end with it.

        Ray Data would restart a worker that dies and retry its batch for ever: here the first
        death ends the dataset, and the window's batches not yet back go through a pool of new
        workers (``_Pool``: one more try, then input by input), which finds the input that kills them.
        """
        ray = self._ray
        rows = [{"seq": i, "batch": pickle.dumps(batch, protocol=5)} for i, batch in enumerate(window)]
        with warnings.catch_warnings():  # Ray 2.60 (pinned) has no named parameter for restarts yet
            warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
            dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
                _worker_class(make),
                batch_size=1,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=min(self.pool_size, len(rows))),
                num_cpus=1,
                # Ray Data's default restarts a dead worker and retries its batch for ever; a worker
                # kept restarting would also hold its CPU after the dataset failed, which the pool
                # that takes over needs
                max_restarts=0,
            )
        # Workers finish out of order; keep what arrives early until its turn comes.
        pending: dict[int, bytes] = {}
        expected = 0
        died = ""
        try:
            for row in dataset.iter_rows():
                pending[int(row["seq"])] = row["result"]
                while expected in pending:
                    yield _unpack(pickle.loads(pending.pop(expected)), window[expected])
                    expected += 1
        except ray.exceptions.RayActorError as exc:
            died = _death_detail(exc) or type(exc).__name__
        if died:
            log.warning("a Ray worker died in a batch job (%s): its batches not yet done go through new workers",
                        died)
            del dataset
            gc.collect()  # Ray Data lets its workers go when nothing refers to them: their CPUs are needed now
            rest = [i for i in range(expected, len(window)) if i not in pending]
            pool = _Pool(ray)
            pool.grow(self._room(min(self.pool_size, len(rest))))
            try:
                results = pool.run(make, [window[i] for i in rest], lost)
                for i in range(expected, len(window)):
                    yield _unpack(pickle.loads(pending.pop(i)), window[i]) if i in pending else next(results)
                expected = len(window)
            finally:
                pool.close()
        if pending or expected != len(window):
            raise RuntimeError(f"Ray returned {expected} of {len(window)} batches")

    def _room(self, wanted: int) -> int:
        """How many new workers to start, up to ``wanted`` and at least one: the CPUs free now,
        waited for up to ``FREE_CPU_WAIT`` s. A worker that dies restarts on a free CPU; one
        more worker still waiting for a CPU would take it and leave the restart (and the batches
        queued on it) waiting for ever, e.g. while a Ray Data worker of the dead window (kept
        alive by whatever still refers to it) holds another CPU."""
        deadline = time.monotonic() + FREE_CPU_WAIT
        while True:
            free = int(self._ray.available_resources().get("CPU", 0))
            if free >= wanted or time.monotonic() >= deadline:
                return max(1, min(wanted, free))
            time.sleep(0.2)

    def warm(self, make: Callable[[], Any]) -> None:
        """With ``persistent``: start the workers and have each build ``make()`` now, without waiting.

        A ``watch`` calls this before its first cycle, so the first articles do not wait for
        the models to load. Without ``persistent`` there is nothing to keep: nothing happens.
        """
        if self.persistent:
            self._workers().warm(make)

    def worker_stats(self) -> list[dict[str, Any]]:
        """Each worker's process id, node, functions built (by key) and batches run."""
        pool = self._pool
        if pool is None:
            return []
        return list(self._ray.get([actor.stats.remote() for actor in pool.actors]))

    @property
    def workers_created(self) -> int:
        """How many worker actors this engine has created (the pool's size, unless nodes joined)."""
        return self._pool.created if self._pool is not None else 0

    def _workers(self) -> _Pool:
        self.start()
        if self._pool is None:
            self._pool = _Pool(self._ray)
        self._pool.grow(self.pool_size)
        return self._pool

    # -- event clustering ------------------------------------------------------------------
    def cluster_stored(self, store: Store, db: str | None, progress: Progress | None = None) -> int:
        """Run the clustering phase in the cluster's clustering actor; return how many articles it placed.

        ``db`` is the store's address as the actor can open it (a PostgreSQL URL, or a SQLite
        path, in which case the actor is placed on this machine, as for a PostgreSQL server
        only this machine reaches: see ``clustering_options``). Without one (an in-memory
        store), or with such a store through Ray Client (it is on this machine, the cluster is
        not), the phase runs here.
        """
        from newsloom.pipeline import cluster_stored

        if db is None or db == ":memory:" or (_on_this_machine(db) and self._is_client()):
            return cluster_stored(store, progress=progress)
        if progress is not None:
            progress.stage("clustering events (Ray actor)")
        placed, _seconds = self._ray_get(self.cluster_actor(db).cluster.remote())
        return int(placed)

    def cluster_actor(self, db: str) -> Any:
        """The one clustering actor of this engine (created on first use; see ``clustering_options``)."""
        ray = self.start()._ray
        if self._cluster_actor is None:
            if not _is_postgres(db):
                db = os.path.abspath(db.removeprefix("sqlite:///"))
            options = clustering_options(
                db, ray.get_runtime_context().get_node_id(), ray.cluster_resources()
            )
            if "scheduling_strategy" in options:
                from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

                node = options["scheduling_strategy"]
                options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node, soft=False)
            self._cluster_actor = ray.remote(ClusterWorker).options(**options).remote(db)
        return self._cluster_actor

    def _is_client(self) -> bool:
        return bool(self.address and self.address.startswith("ray://"))

    def _ray_get(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, Exception):
                raise cause from exc
            raise


def clustering_options(db: str, node_id: str, resources: dict[str, float]) -> dict[str, Any]:
    """Where the clustering actor goes, as Ray actor options.

    No CPU is reserved: the phases run one after another, so it works while the workers are
    idle, and a reservation would take a CPU from them. A SQLite store is a file on this
    machine: the actor is pinned to this node (``scheduling_strategy`` holds the node id; the
    caller makes it a ``NodeAffinitySchedulingStrategy``); so is it for a PostgreSQL server at
    an address only this machine reaches (``localhost``, a loopback IP, a Unix socket), which
    on another node would be that node's own. Otherwise, with PostgreSQL, it may run anywhere,
    and goes to a node that offers the ``newsloom_clustering`` resource when one does (the
    clustering state grows with the active window: that node should have the memory).
    """
    options: dict[str, Any] = {"num_cpus": 0}
    if _on_this_machine(db):
        options["scheduling_strategy"] = node_id
    elif resources.get(CLUSTERING_RESOURCE, 0) > 0:
        options["resources"] = {CLUSTERING_RESOURCE: 0.01}  # a share: several drivers may use the node
    return options


class _RayNotices:
    """Takes the place of Ray's ``print_to_stdstream`` on the driver: its notices (the raylet's
    "A worker died or was killed …") go to this module's log as warnings, anything else Ray
    prints there (worker output, when a caller's ``ray.init`` forwards it) to stderr; stdout
    is left to the results (``run --json``)."""

    def __init__(self, original: Callable[..., None]) -> None:
        self.original = original

    def __call__(self, data: dict[str, Any], ignore_prefix: bool) -> None:
        if data.get("pid") == "raylet":
            for line in data.get("lines", []):
                log.warning("Ray: %s", str(line).rstrip())
            return
        self.original({**data, "is_err": True}, ignore_prefix)


def _keep_stdout_clean() -> None:
    """Send what Ray prints on the driver's stdout to the log and stderr instead (once per process).

    Ray 2.60 has no option for it: the driver's thread that listens for errors (a worker's
    death) prints them on stdout with ``ray._private.worker.print_to_stdstream``, looked up at
    each call, which ``_RayNotices`` wraps here. ``log_to_driver=False`` only stops worker output.
    """
    try:
        from ray._private import worker
    except ImportError:  # a Ray without it prints as it likes
        return
    original = getattr(worker, "print_to_stdstream", None)
    if callable(original) and not isinstance(original, _RayNotices):
        worker.print_to_stdstream = _RayNotices(original)


def _is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def _on_this_machine(db: str) -> bool:
    """Whether only this machine can open the store ``db``: a SQLite file, or a PostgreSQL URL
    whose hosts (``host=`` parameters too) are all loopback names or addresses or Unix sockets
    (no host, or a directory)."""
    if not _is_postgres(db):
        return True
    parts = urlsplit(db)
    hosts = parse_qs(parts.query).get("host") or [parts.netloc.rpartition("@")[2]]
    return all(_is_local_host(host) for entry in hosts for host in entry.split(","))


def _is_local_host(host: str) -> bool:
    host = unquote(host).strip()
    if host.startswith("["):  # [IPv6]:port
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:  # name:port
        host = host.partition(":")[0]
    if not host or host.startswith("/") or host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: another node resolves it as well
        return False


def _probe(address: str, timeout: float) -> None:
    """Raise a ``ConfigError`` unless ``address``'s host and port accept a TCP connection.

    ``ray.init`` retries an unreachable address for minutes; this answers in ``timeout``
    seconds. ``auto`` and addresses without a port are left to Ray.
    """
    target = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not host:
        return
    host = host.strip("[]")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise ConfigError(
            f"cannot reach the Ray cluster at {address}: {reason} after {timeout:g} s "
            "(is `ray start --head` running there, and is the port open to this machine?)"
        ) from exc


class _Pool:
    """Worker actors that live as long as the engine, and the batches streamed through them."""

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self.actors: list[Any] = []
        self.created = 0
        self._starting: dict[Any, Any] = {}  # info() ref → actor not yet known to be up
        self._started: list[Any] = []  # the workers up and running
        self._nodes: list[str] = []  # the node each started worker runs on
        self._free: list[int] = []  # free slots of each started worker (of DEPTH)
        self._down: set[int] = set()  # started workers whose node died: given no work
        self._rejoin: dict[Any, int] = {}  # info() ref → down worker, answered once Ray restarts it
        self._nodes_checked = 0.0
        self._factories: dict[str, Any] = {}  # key → ObjectRef of the pickled factory
        self._waiting_since: float | None = None

    def grow(self, size: int) -> None:
        from newsloom import __version__

        worker = self.ray.remote(PoolWorker).options(
            num_cpus=1, max_restarts=-1, max_task_retries=1, max_concurrency=1
        )
        while len(self.actors) < size:
            actor = worker.remote(__version__)
            self.actors.append(actor)
            self._starting[actor.info.remote()] = actor
            self.created += 1

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors.clear()
        self._starting.clear()
        self._started.clear()
        self._nodes.clear()
        self._free.clear()
        self._down.clear()
        self._rejoin.clear()

    def _key(self, make: Callable[[], Any]) -> tuple[str, Any]:
        from ray import cloudpickle

        blob = cloudpickle.dumps(make)
        key = hashlib.sha256(blob).hexdigest()[:20]
        if key not in self._factories:
            self._factories[key] = self.ray.put(blob)
        return key, self._factories[key]

    def warm(self, make: Callable[[], Any]) -> None:
        key, ref = self._key(make)
        for actor in self.actors:
            actor.load.remote(key, [ref])  # queued before any batch: runs as soon as the actor is up

    def _check_started(self, timeout: float | None) -> None:
        """Give the workers that have started their slots; wait up to ``timeout`` for one."""
        if not self._starting:
            return
        done, _ = self.ray.wait(list(self._starting), num_returns=len(self._starting), timeout=0)
        if not done and timeout:
            done, _ = self.ray.wait(list(self._starting), num_returns=1, timeout=timeout)
        for ref in done:
            actor = self._starting.pop(ref)
            try:
                info = self.ray.get(ref)
            except self.ray.exceptions.RayError as exc:
                raise WorkerStartError(
                    f"a Ray worker could not start: {_first_line(exc)}. Every node needs the same newsloom "
                    f"as this machine ({INSTALL_HINT}, with its other extras)"
                ) from exc
            if info.get("mismatch"):
                raise WorkerStartError(f"Ray node {info['node']}: {info['mismatch']}")
            self._started.append(actor)
            self._nodes.append(str(info.get("node", "")))
            self._free.append(DEPTH)

    def run(
        self, make: Callable[[], Callable[[list[T]], list[R]]], batches: Iterable[list[T]],
        lost: Callable[[T, str], R] | None = None,
    ) -> Iterator[list[R]]:
        key, factory = self._key(make)
        stream = iter(batches)
        running: dict[Any, tuple[int, int, list[T]]] = {}  # ref → (worker, position, batch)
        done: dict[int, Any] = {}  # results that came back before their turn
        try:
            yield from self._stream(key, factory, stream, running, done, lost)
        finally:  # finished, failed or abandoned: what is still queued keeps its worker's slot
            for worker, _position, _batch in running.values():
                self._free[worker] += 1

    def _stream(
        self, key: str, factory: Any, stream: Iterator[list[T]],
        running: dict[Any, tuple[int, int, list[T]]], done: dict[int, Any],
        lost: Callable[[T, str], R] | None,
    ) -> Iterator[list[R]]:
        ray = self.ray
        exhausted = False
        sent = returned = 0
        resent: dict[int, int] = {}
        suspect: deque[tuple[int, list[T]]] = deque()  # batches whose worker died: run input by input
        orphans: deque[tuple[int, list[T]]] = deque()  # batches of a worker whose node died: send again
        while True:
            self._check_started(timeout=None)
            self._check_rejoined()
            if suspect and not running:  # nothing else on the pool: a death now is that input's doing
                position, dead = suspect.popleft()
                done[position] = (self._one_by_one(key, factory, dead, lost), dead)
            # at most DEPTH batches queued per worker, and as many again waiting for their turn here
            while not suspect and (worker := self._least_busy()) is not None and (
                    orphans or (not exhausted and sent - returned < DEPTH * 2 * max(len(self.actors), 1))):
                if orphans:
                    position, batch = orphans.popleft()
                else:
                    next_batch = next(stream, None)
                    if next_batch is None:
                        exhausted = True
                        break
                    position, batch = sent, next_batch
                    sent += 1
                self._free[worker] -= 1
                running[self._started[worker].run.remote(key, [factory], batch)] = (worker, position, batch)
            while returned in done:
                result, batch = done.pop(returned)
                returned += 1
                yield _unpack(result, batch)
            if exhausted and not running and not done and not suspect and not orphans:
                return
            if suspect and not running:
                continue
            if not running:  # no worker has started yet: the cluster's CPUs are busy elsewhere
                self._wait_for_workers()
                continue
            self._waiting_since = None
            # a worker that comes up meanwhile gets work at once (its info() answer ends the wait too)
            finished, _ = ray.wait([*running, *self._starting, *self._rejoin], num_returns=1,
                                   timeout=NODE_CHECK_SECONDS)
            orphans.extend(self._orphaned(running))
            for ref in finished:
                if ref not in running:
                    continue  # a worker started: _check_started gives it its slots
                worker, position, batch = running.pop(ref)
                self._free[worker] += 1
                try:
                    done[position] = (ray.get(ref), batch)
                except ray.exceptions.RayActorError as exc:
                    if lost is not None:  # this batch killed its worker, or was queued behind one that did
                        log.warning("a Ray worker died running a batch of %s: running its inputs one at a time",
                                    _describe(batch))
                        suspect.append((position, batch))
                        continue
                    if not isinstance(exc, ray.exceptions.ActorUnavailableError):
                        raise WorkerLost(
                            f"a Ray worker died twice running a batch of {_describe(batch)}: {_first_line(exc)}"
                        ) from exc
                    # queued behind a batch that killed the worker, and Ray's own retry came while
                    # it was still restarting: not this batch's fault, so it goes again (bounded)
                    resent[position] = resent.get(position, 0) + 1
                    if resent[position] > UNAVAILABLE_RETRIES:
                        raise WorkerLost(
                            f"a Ray worker died twice running a batch of {_describe(batch)}: {_first_line(exc)}"
                        ) from exc
                    time.sleep(0.5 * resent[position])
                    self._free[worker] -= 1
                    running[self._started[worker].run.remote(key, [factory], batch)] = (worker, position, batch)
                except ray.exceptions.RayTaskError as exc:  # e.g. the batch could not be unpickled there
                    _raise_cause(exc, batch)

    def _one_by_one(
        self, key: str, factory: Any, batch: list[T], lost: Callable[[T, str], R] | None
    ) -> tuple[Any, ...]:
        """A batch whose worker died, run input by input with nothing else on the pool.

        An input whose worker dies under it now (twice: Ray retries once) gets ``lost(input,
        reason)``; the others their results. A work error is the batch's result, as usual.
        """
        assert lost is not None
        results: list[Any] = []
        for item in batch:
            try:
                outcome = self.ray.get(self._answering().run.remote(key, [factory], [item]))
            except self.ray.exceptions.RayActorError as exc:
                log.debug("%s: its worker died under it alone", _name(item))  # the caller's lost() reports it
                results.append(lost(item, f"Ray: {_death_detail(exc)}"))
                continue
            except self.ray.exceptions.RayTaskError as exc:
                _raise_cause(exc, [item])
            if outcome[0] != "ok":
                return tuple(outcome)
            results.extend(outcome[1])
        return ("ok", results)

    def _answering(self) -> Any:
        """A started worker that answers now (one that died is waited for while Ray restarts it)."""
        deadline = time.monotonic() + RESTART_TIMEOUT
        while True:
            for worker, actor in enumerate(self._started):
                if worker in self._down:
                    continue
                try:
                    self.ray.get(actor.info.remote(), timeout=5.0)
                except (self.ray.exceptions.RayActorError, self.ray.exceptions.GetTimeoutError):
                    continue
                return actor
            if time.monotonic() > deadline:
                raise WorkerLost(f"no Ray worker answers {RESTART_TIMEOUT:.0f} s after one died")
            time.sleep(0.5)

    def _least_busy(self) -> int | None:
        """The started worker with the most free slots, not on a dead node; None when none has one."""
        ready = [w for w in range(len(self._free)) if self._free[w] > 0 and w not in self._down]
        return max(ready, key=self._free.__getitem__) if ready else None

    def _orphaned(self, running: dict[Any, tuple[int, int, list[T]]]) -> list[tuple[int, list[T]]]:
        """Take back the batches of workers whose node has died (asked every ``NODE_CHECK_SECONDS``).

        Ray keeps such a worker restarting until a node has a CPU for it, and its batches wait
        for it meanwhile, maybe for ever: they go to the other workers instead, and the worker
        gets work again once it answers (restarted elsewhere).
        """
        now = time.monotonic()
        if now - self._nodes_checked < NODE_CHECK_SECONDS:
            return []
        self._nodes_checked = now
        try:
            dead = {str(n.get("NodeID")) for n in self.ray.nodes() if not n.get("Alive", True)}
        except Exception:  # the check is best effort: the wait goes on without it
            log.debug("could not list the Ray cluster's nodes", exc_info=True)
            return []
        for worker, node in enumerate(self._nodes):
            if node in dead and worker not in self._down:
                log.warning("Ray node %s died: its worker's batches go to the other workers", node[:12])
                self._down.add(worker)
        for worker in self._down - set(self._rejoin.values()):  # one question at a time, per check
            self._rejoin[self._started[worker].info.remote()] = worker
        taken: list[tuple[int, list[T]]] = []
        for ref, (worker, position, batch) in list(running.items()):
            if worker in self._down:
                del running[ref]
                self._free[worker] += 1
                with contextlib.suppress(Exception):
                    self.ray.cancel(ref)
                taken.append((position, batch))
        return sorted(taken, key=lambda entry: entry[0])

    def _check_rejoined(self) -> None:
        """Give work again to a down worker that answers (Ray restarted it on a live node)."""
        if not self._rejoin:
            return
        answered, _ = self.ray.wait(list(self._rejoin), num_returns=len(self._rejoin), timeout=0)
        for ref in answered:
            worker = self._rejoin.pop(ref)
            try:
                info = self.ray.get(ref)
            except self.ray.exceptions.RayError:  # died again: the next node check asks again
                continue
            self._nodes[worker] = str(info.get("node", ""))
            self._down.discard(worker)
            log.info("a Ray worker is back on node %s", self._nodes[worker][:12])

    def _wait_for_workers(self) -> None:
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        self._check_started(timeout=WAIT_WARNING_SECONDS)
        if not self._started and time.monotonic() - self._waiting_since >= WAIT_WARNING_SECONDS:
            log.warning(
                "waiting for Ray workers: none of %d has started after %.0f s "
                "(other jobs may hold the cluster's CPUs)", len(self.actors), time.monotonic() - self._waiting_since,
            )


class PoolWorker:
    """A worker actor: builds each function it is given once (models load then) and keeps it."""

    def __init__(self, driver_version: str) -> None:
        from newsloom import __version__

        self.mismatch = (
            f"newsloom {__version__} here, {driver_version} on the driver: install the same version on every node"
            if __version__ != driver_version else ""
        )
        self.functions: OrderedDict[str, Callable[[Any], Any]] = OrderedDict()
        self.loads: Counter[str] = Counter()
        self.batches = 0

    def info(self) -> dict[str, Any]:
        import ray

        return {"pid": os.getpid(), "node": ray.get_runtime_context().get_node_id(), "mismatch": self.mismatch}

    def load(self, key: str, factory: list[Any]) -> None:
        try:
            self._function(key, factory)
        except Exception:  # the first batch builds it again and sends the error back
            log.debug("building %s failed", key, exc_info=True)

    def run(self, key: str, factory: list[Any], batch: list[Any]) -> tuple[Any, ...]:
        self.batches += 1
        try:
            return ("ok", self._function(key, factory)(batch))
        except Exception as exc:  # sent back and raised on the driver
            return _pack_error(exc)

    def stats(self) -> dict[str, Any]:
        import ray

        return {
            "pid": os.getpid(), "node": ray.get_runtime_context().get_node_id(),
            "loads": dict(self.loads), "batches": self.batches,
        }

    def _function(self, key: str, factory: list[Any]) -> Callable[[Any], Any]:
        if key in self.functions:
            self.functions.move_to_end(key)
            return self.functions[key]
        import ray
        from ray import cloudpickle

        # the factory comes inside a list, so Ray hands over its reference, fetched only here, once
        make = cloudpickle.loads(ray.get(factory[0]))
        function = make()
        self.loads[key] += 1
        self.functions[key] = function
        while len(self.functions) > KEEP_FUNCTIONS:
            self.functions.popitem(last=False)
        return function


class _BatchWorker:
    """The callable class Ray Data runs: ``make()`` once per actor, then one pickled batch a row."""

    def __init__(self, make: Callable[[], Callable[[list[Any]], list[Any]]]) -> None:
        self.fn = make()

    def __call__(self, rows: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        results = []
        for blob in rows["batch"]:
            try:
                outcome: tuple[Any, ...] = ("ok", self.fn(pickle.loads(blob)))
            except Exception as exc:  # sent back and raised on the driver
                outcome = _pack_error(exc)
            results.append(pickle.dumps(outcome, protocol=5))
        return {"seq": rows["seq"], "result": np.array(results, dtype=object)}


def _worker_class(make: Callable[[], Callable[[list[Any]], list[Any]]]) -> type[_BatchWorker]:
    """A ``_BatchWorker`` with ``make`` built in: Ray ships the class, not constructor arguments."""

    class BatchWorker(_BatchWorker):
        def __init__(self) -> None:
            super().__init__(make)

    return BatchWorker


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
        from newsloom.pipeline import cluster_stored

        start = time.perf_counter()
        placed = cluster_stored(self.store, batch_size=batch_size)
        return placed, time.perf_counter() - start


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


def _describe(batch: list[Any], most: int = 5) -> str:
    """The inputs of a batch, by origin where they have one (a pipeline task, an article)."""
    names = [_name(entry) for entry in batch]
    shown = ", ".join(names[:most])
    return f"{len(batch)} inputs ({shown}{', …' if len(names) > most else ''})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _death_detail(exc: BaseException, most: int = 300) -> str:
    """What Ray says of a worker's death, in one line: its exit detail where it gives one."""
    text = re.sub(r"^The actor [0-9a-f]+ is unavailable: ", "", " ".join(str(exc).split()))
    _, found, detail = text.partition("Worker exit detail: ")
    text = (detail if found else text).split(" The task may or may not have been executed")[0]
    return text if len(text) <= most else text[: most - 1] + "…"


def _raise_cause(exc: BaseException, batch: list[Any]) -> NoReturn:
    """A Ray task error's own cause (when it has one), noted with the batch it ran."""
    cause = getattr(exc, "cause", None)
    if not isinstance(cause, Exception):
        raise exc
    cause.add_note(f"while running a batch of {_describe(batch)} on a Ray worker")
    raise cause from exc


def _pack_error(exc: Exception) -> tuple[Any, ...]:
    remote = "".join(traceback.format_exception(exc))
    try:
        blob = pickle.dumps(exc, protocol=5)
        pickle.loads(blob)  # some exceptions cannot be rebuilt from their args
    except Exception:
        return ("error", None, remote)
    return ("error", blob, remote)


def _unpack(result: tuple[Any, ...], batch: list[Any] | None = None) -> Any:
    """A worker's result, or its exception raised here with the worker's traceback (and the batch) as notes."""
    status, *payload = result
    if status == "ok":
        return payload[0]
    exc_blob, remote = payload
    exc = pickle.loads(exc_blob) if exc_blob is not None else RuntimeError(remote.strip().splitlines()[-1])
    exc.add_note(f"raised in a Ray worker:\n{remote}")
    if batch is not None:
        exc.add_note(f"while running a batch of {_describe(batch)}")
    raise exc
