"""The Ray engine on a real multi-node Ray cluster: two raylets, each with its own object store.

``ray.cluster_utils.Cluster`` starts, on this one machine, a head node and a second node of one
CPU each (so a pool of two workers needs both), the second offering the ``newsloom_clustering``
resource. The CLI runs as its own process against the cluster's address, as on a real cluster;
where its actors ran is read from the cluster's GCS afterwards. Skipped, with the reason, where
Ray is not installed (``pip install 'newsloom[ray]'``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'newsloom[ray]'")

from store_views import entities as _entities  # tests/engines/store_views.py
from store_views import partition as _partition
from store_views import storylines as _storylines

from newsloom.cli import demo_corpus
from newsloom.engines import LocalEngine, RayEngine
from newsloom.engines.ray import CLUSTERING_RESOURCE, _on_this_machine, clustering_options
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import ArticleFilter, Store, open_store

pytestmark = pytest.mark.slow

PG = os.environ.get("NEWSLOOM_TEST_PG", "")
needs_pg = pytest.mark.skipif(not PG, reason="NEWSLOOM_TEST_PG is not set (eval \"$(bash scripts/postgres.sh)\")")
OBJECT_STORE = 150 * 1024 * 1024  # per node: enough for the demo corpus, small enough for CI
#: Ray Data's actors of ``run``; the pool's of ``watch``; the clustering actor of ``run``.
DATA_WORKER, POOL_WORKER, CLUSTER_WORKER = "MapWorker(MapBatches(BatchWorker))", "PoolWorker", "ClusterWorker"


@dataclass
class TwoNodes:
    cluster: Any  # ray.cluster_utils.Cluster
    head: str  # node ids (hex)
    second: str
    ip: str  # the nodes' address (this machine's)

    @property
    def address(self) -> str:
        return str(self.cluster.address)

    @property
    def nodes(self) -> set[str]:
        return {self.head, self.second}


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[TwoNodes]:
    """One cluster for the module: a head and a second node (separate raylets and object stores)."""
    import ray.cloudpickle
    from ray.cluster_utils import Cluster

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this module
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": OBJECT_STORE, "include_dashboard": False},
    )
    try:
        second = cluster.add_node(
            num_cpus=1, object_store_memory=OBJECT_STORE, resources={CLUSTERING_RESOURCE: 1}
        )
        cluster.wait_for_nodes()
        head = cluster.head_node
        assert head is not None
        yield TwoNodes(cluster, head.node_id, second.node_id, head.node_ip_address)
    finally:
        if ray.is_initialized():  # a test's engine connected this process: the cluster cannot go under it
            ray.shutdown()
        cluster.shutdown()


class _Forwarder:
    """Plain TCP from ``host``:(a free port) to ``target``, both ways, a thread per direction."""

    def __init__(self, host: str, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server((host, 0))
        self.port = self.server.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
                upstream = socket.create_connection(self.target)
            except OSError:  # closed
                return
            self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.server.close()
        for sock in self.open:
            sock.close()


@pytest.fixture(scope="module")
def pg_on_the_network(two_nodes: TwoNodes) -> Iterator[str]:
    """The test PostgreSQL (it listens on loopback only) under this machine's network address, as
    a database server every node reaches: a URL the clustering actor may open on any node."""
    if not PG:
        pytest.skip("NEWSLOOM_TEST_PG is not set (eval \"$(bash scripts/postgres.sh)\")")
    if _on_this_machine(f"postgresql://{two_nodes.ip}/x"):
        pytest.skip(f"the Ray nodes' address {two_nodes.ip} is a loopback address")
    url = urlsplit(PG)
    forwarder = _Forwarder(two_nodes.ip, (url.hostname or "127.0.0.1", url.port or 5432))
    try:
        netloc = f"{url.netloc.rpartition('@')[0]}@{two_nodes.ip}:{forwarder.port}"
        yield urlunsplit(url._replace(netloc=netloc))
    finally:
        forwarder.close()


# -- what ran where, from the cluster's GCS -------------------------------------------------------
# (Ray's state API, ray.util.state, needs the dashboard, which ray[data] does not install.)
@dataclass
class Job:
    driver_node: str
    actors: list[tuple[str, str, str]]  # (class, state, node) of each actor the job created

    def nodes(self, cls: str) -> list[str]:
        return sorted(node for name, _state, node in self.actors if name == cls)

    def states(self, *classes: str) -> set[str]:
        return {state for name, state, _node in self.actors if name in classes}


def _job(two_nodes: TwoNodes, driver_pid: int, wait: float = 15.0) -> Job:
    """The Ray job whose driver was process ``driver_pid`` (ended): its driver's node and its
    actors, once newsloom's are recorded dead (a kill reaches the GCS a moment later), or ``wait``
    seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        job = _read_job(two_nodes, driver_pid)
        if job.states(DATA_WORKER, POOL_WORKER, CLUSTER_WORKER) <= {"DEAD"} or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def _read_job(two_nodes: TwoNodes, driver_pid: int) -> Job:
    import ray
    from ray.core.generated import gcs_pb2

    state = two_nodes.cluster.global_state
    table = state._connect_and_get_accessor().get_job_table(
        skip_submission_job_info_field=True, skip_is_running_tasks_field=True
    )
    jobs = map(gcs_pb2.JobTableData.FromString, table)  # type: ignore[attr-defined]  # generated protobuf
    [job] = [j for j in jobs if j.driver_pid == driver_pid]
    actors = state.actor_table(None, job_id=ray.JobID(job.job_id))
    return Job(
        job.driver_address.node_id.hex(),
        [(a["ActorClassName"], a["State"], a["Address"]["NodeID"]) for a in actors.values()],
    )


def _newsloom(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """The CLI in its own process (a Ray driver of its own); its result and process id."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSLOOM_DB"}
    with subprocess.Popen([sys.executable, "-m", "newsloom", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            out, err = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        return subprocess.CompletedProcess(process.args, process.wait(), out, err), process.pid


# -- what the runs must match: the demo corpus in process (as tests/engines/test_ray.py compares) --
@pytest.fixture(scope="module")
def local_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo corpus run in process on SQLite."""
    db = str(tmp_path_factory.mktemp("local") / "local.db")
    with open_store(db) as local:
        summary = ingest([str(demo_corpus())], local, engine=LocalEngine())
        assert summary.ok and summary.stored >= 60
        enrich_stored(local, engine=LocalEngine())
        cluster_stored(local)
        assert len(_partition(local)) > 10
        yield local


def _same_as_in_process(store: Store, local: Store, summary: dict[str, Any]) -> None:
    assert summary["stored"] == summary["enriched"] == summary["clustered"] == local.count_articles()
    assert (summary["failed"], summary["parked"]) == (0, 0)
    assert store.count_articles(ArticleFilter(status="clustered")) == local.count_articles()
    assert _entities(store) == _entities(local)
    assert _partition(store) == _partition(local)  # the same article groups
    assert _storylines(store) == _storylines(local)
    assert summary["events"] == len(store.list_events())


# -- the engine itself, this process its driver: work really runs on both nodes --------------------
def _where(x: int) -> tuple[int, str]:
    import time

    import ray

    time.sleep(0.3)  # long enough that no worker takes every input before the other is up
    return x, ray.get_runtime_context().get_node_id()


def test_engine_runs_work_on_both_nodes(two_nodes: TwoNodes) -> None:
    """Ray Data (``run``) and the persistent pool (``watch``): one worker per node, both given
    inputs, results in input order. (This process stays a driver until the module ends.)"""
    with RayEngine(two_nodes.address, chunk=1, window=16) as engine:
        assert engine.pool_size == 2  # one CPU on each node
        results = list(engine.map(_where, range(16)))
        assert [x for x, _node in results] == list(range(16))
        assert {node for _x, node in results} == two_nodes.nodes
    with RayEngine(two_nodes.address, chunk=1, persistent=True) as pool:
        results = list(pool.map(_where, range(16)))
        assert [x for x, _node in results] == list(range(16))
        assert {node for _x, node in results} == two_nodes.nodes
        stats = pool.worker_stats()
        assert sorted(s["node"] for s in stats) == sorted(two_nodes.nodes)  # one worker a node
        assert all(s["batches"] > 0 for s in stats)
        assert sum(s["batches"] for s in stats) == 16


def test_only_a_store_on_this_machine_pins_the_clustering_actor() -> None:
    """A PostgreSQL server at a loopback address or Unix socket is this machine's alone: the
    clustering actor goes beside it, as for a SQLite file; a network name may be opened anywhere."""
    for here in ("/data/news.db", "postgresql://u:p@localhost/news", "postgres://u@127.0.0.1:5433/news",
                 "postgresql://u@[::1]:5432/news", "postgresql:///news", "postgresql://%2Fvar%2Frun%2Fpg/news",
                 "postgresql:///news?host=/var/run/postgresql", "postgresql://u@localhost:5432,127.0.0.2:5433/news"):
        assert _on_this_machine(here), here
        assert clustering_options(here, "node-1", {CLUSTERING_RESOURCE: 1}) == {
            "num_cpus": 0, "scheduling_strategy": "node-1"}
    for anywhere in ("postgresql://u:p@db.internal/news", "postgresql://u@10.0.0.5:5432/news",
                     "postgresql://u@[2001:db8::1]/news", "postgresql:///news?host=db.internal",
                     "postgresql://u@localhost,db.internal/news"):
        assert not _on_this_machine(anywhere), anywhere
        assert "scheduling_strategy" not in clustering_options(anywhere, "node-1", {})


def _node_of(actor: Any) -> str:
    import ray

    return str(ray.get(actor.__ray_call__.remote(lambda _self: ray.get_runtime_context().get_node_id())))


def test_clustering_actor_placement(two_nodes: TwoNodes, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """With SQLite (or PostgreSQL at a loopback address) the clustering actor is pinned to the
    driver's node, every time (an actor with no placement of its own lands on either node: Ray
    spreads them), even though the other node offers the clustering resource; with PostgreSQL
    at a network address it goes to the node that offers that resource."""
    import ray

    with RayEngine(two_nodes.address) as engine:
        driver = ray.get_runtime_context().get_node_id()
        assert driver == two_nodes.head  # a driver on a machine with several nodes joins the head
        for db in [str(tmp_path / f"{n}.db") for n in range(3)] + ([PG] * 2 if PG else []):
            assert _node_of(engine.cluster_actor(db)) == driver, db
            engine.close()  # the actor goes with the engine; the next start makes a new one
            engine.start()
        if PG and not _on_this_machine(f"postgresql://{two_nodes.ip}/"):  # else pg_on_the_network skips
            assert _node_of(engine.cluster_actor(request.getfixturevalue("pg_on_the_network"))) == two_nodes.second


# -- the CLI on the cluster ----------------------------------------------------------------------------
def test_cli_run_on_two_nodes_with_sqlite(two_nodes: TwoNodes, local_demo: Store, tmp_path: Path) -> None:
    """The same events as in process; per-article work on both nodes; the clustering actor, which
    opens the SQLite file, on the driver's node even though the other node offers the clustering
    resource; every actor of the run gone when it ends."""
    db = tmp_path / "ray.db"
    result, pid = _newsloom("run", "--demo", "--engine", "ray", "--ray-address", two_nodes.address,
                            "--db", str(db), "--json", "--no-report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    try:
        summary = json.loads(result.stdout)  # nothing but the summary on stdout
    except ValueError:
        pytest.fail(f"stdout is not just the JSON summary:\n{result.stdout}")
    with open_store(str(db)) as store:
        _same_as_in_process(store, local_demo, summary)

    job = _job(two_nodes, pid)
    assert job.driver_node == two_nodes.head  # a driver on a machine with several nodes joins the head
    assert set(job.nodes(DATA_WORKER)) == two_nodes.nodes  # extraction and enrichment on both nodes
    assert job.nodes(CLUSTER_WORKER) == [job.driver_node]  # one clustering actor, beside the SQLite file
    assert job.states(DATA_WORKER, CLUSTER_WORKER) == {"DEAD"}  # the run let its workers go
    assert POOL_WORKER not in {name for name, _state, _node in job.actors}


@needs_pg
def test_cli_run_on_two_nodes_with_postgresql(
    two_nodes: TwoNodes, pg_on_the_network: str, local_demo: Store, tmp_path: Path
) -> None:
    """With PostgreSQL at a network address the clustering actor runs on the node that offers
    the clustering resource, not the driver's: the store is reached from another node's process,
    and the events are the same."""
    with open_store(PG) as pg:
        pg.reset_for_tests()  # type: ignore[attr-defined]
        result, pid = _newsloom("run", "--demo", "--engine", "ray", "--ray-address", two_nodes.address,
                                "--db", pg_on_the_network, "--json", "--no-report", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        _same_as_in_process(pg, local_demo, json.loads(result.stdout))

    job = _job(two_nodes, pid)
    assert job.driver_node == two_nodes.head
    assert set(job.nodes(DATA_WORKER)) == two_nodes.nodes
    assert job.nodes(CLUSTER_WORKER) == [two_nodes.second]  # the node with `newsloom_clustering`
    assert job.states(DATA_WORKER, CLUSTER_WORKER) == {"DEAD"}


def test_cli_watch_once_on_two_nodes(two_nodes: TwoNodes, tmp_path: Path) -> None:
    """``watch --once``: a pool of one worker per node, every article stored and placed in the
    same events as an in-process watch of the same folder; the pool is gone when the watch ends."""
    from newsloom.stream import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    texts = sorted((demo_corpus() / "text").iterdir())[:10]
    for path in texts:
        shutil.copy(path, inbox / path.name)
    db = tmp_path / "watch.db"
    result, pid = _newsloom("watch", str(inbox), "--once", "--engine", "ray", "--ray-address", two_nodes.address,
                            "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cycle 1: 10 new inputs, 0 failed" in " ".join(result.stderr.split())

    job = _job(two_nodes, pid)
    assert job.nodes(POOL_WORKER) == sorted(two_nodes.nodes)  # one worker a node, none started again
    assert job.states(POOL_WORKER) == {"DEAD"}  # closed with the watch
    assert not job.nodes(CLUSTER_WORKER) and not job.nodes(DATA_WORKER)  # a watch clusters on its driver

    with open_store(str(db)) as store, open_store(str(tmp_path / "local.db")) as local:
        assert sorted(Path(a.origin).name for a in store.iter_articles()) == [p.name for p in texts]
        assert store.count_articles(ArticleFilter(status="clustered")) == 10
        assert all(store.article_link(a) is not None for a in store.article_ids())
        assert len(store.timings()) == 10  # arrival → event recorded per article
        [report] = Watcher([str(inbox)], local, engine=LocalEngine()).run(once=True)
        assert report.clustered == 10
        assert _entities(store) == _entities(local)
        assert _partition(store) == _partition(local)
        assert _storylines(store) == _storylines(local)
