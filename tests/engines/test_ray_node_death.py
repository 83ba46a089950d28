"""A Ray worker node dying in the middle of a map loses no input.

Each test starts its own two-node ``ray.cluster_utils.Cluster`` (a head and a second node of one
CPU each, so a pool of two workers needs both), maps over inputs that take a while, and removes
the second node without warning once results are coming back. Both ways the engine runs work are
tested: Ray Data (``run``) and the persistent worker pool (``watch``). Its own module, so that no
other cluster is connected to this process. Skipped where Ray is not installed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'newsloom[ray]'")

from newsloom.engines import RayEngine

pytestmark = pytest.mark.slow

OBJECT_STORE = 150 * 1024 * 1024
#: Far longer than the map takes with the node declared dead after ~4 s (20–45 s measured).
MAP_DEADLINE = 180.0
#: The GCS declares a silent node dead after ~3 missed health checks of 1 s (default: 5 of 3 s).
FAST_HEALTH_CHECKS = {
    "health_check_initial_delay_ms": 1000,
    "health_check_period_ms": 1000,
    "health_check_failure_threshold": 3,
}


def _where(x: int) -> tuple[int, str]:
    import time

    import ray

    time.sleep(0.25)
    return x, ray.get_runtime_context().get_node_id()


@pytest.fixture
def cluster() -> Iterator[tuple[Any, Any]]:
    """A head and a second node; yields (cluster, second node)."""
    import ray
    import ray.cloudpickle
    from ray.cluster_utils import Cluster

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this module
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": OBJECT_STORE, "include_dashboard": False,
                        "_system_config": FAST_HEALTH_CHECKS},
    )
    try:
        second = cluster.add_node(num_cpus=1, object_store_memory=OBJECT_STORE)
        cluster.wait_for_nodes()
        yield cluster, second
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()


@pytest.mark.parametrize("persistent", [False, True], ids=["ray-data", "worker-pool"])
def test_a_node_dying_mid_map_loses_no_input(
    cluster: tuple[Any, Any], persistent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    import ray

    ray_cluster, second = cluster
    inputs = list(range(48))
    results: list[tuple[int, str]] = []
    killer = threading.Thread(target=ray_cluster.remove_node, args=(second,), kwargs={"allow_graceful": False})
    with caplog.at_level("WARNING", logger="newsloom"), \
            RayEngine(ray_cluster.address, chunk=1, window=8, persistent=persistent) as engine:
        assert engine.pool_size == 2
        failed: list[BaseException] = []

        def consume() -> None:
            try:  # no ``lost``: an input whose result never came back would raise WorkerLost here
                for result in engine.map(_where, inputs):
                    results.append(result)
                    if len(results) == 6:  # both workers are busy with the inputs after these
                        killer.start()
            except BaseException as exc:  # re-raised below, in the test's thread
                failed.append(exc)

        mapping = threading.Thread(target=consume, daemon=True)
        mapping.start()
        mapping.join(timeout=MAP_DEADLINE)  # a pool that waits for the dead node hangs: fail, don't hang CI
        assert not mapping.is_alive(), f"the map hung after the node died ({len(results)} results)"
        if failed:
            raise failed[0]
        killer.join(timeout=60)
        alive = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert [x for x, _node in results] == inputs  # every input once, in order
    assert second.node_id not in alive  # the node really died during the map
    if persistent:  # the pool's worker there had taken inputs; Ray ran its unfinished one again
        assert second.node_id in {node for _x, node in results}
    else:  # Ray Data's actor there died with batches; the engine sent them to new workers
        assert any("died" in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
