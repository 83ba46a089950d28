"""Engines without Ray: the in-process ``map_batches``, and the error when Ray is missing."""

from __future__ import annotations

import sys

import pytest

from newsloom.engines import LocalEngine, RayEngine
from newsloom.errors import ConfigError


class _Counting:
    made = 0

    def __init__(self) -> None:
        type(self).made += 1

    def __call__(self, batch: list[int]) -> list[int]:
        return [x + 1 for x in batch]


def test_local_map_batches_makes_the_function_once_and_keeps_order() -> None:
    _Counting.made = 0
    assert list(LocalEngine().map_batches(_Counting, [[1, 2], [3], [4, 5, 6]])) == [[2, 3], [4], [5, 6, 7]]
    assert _Counting.made == 1
    assert list(LocalEngine().map_batches(_Counting, [])) == []
    assert _Counting.made == 1  # nothing to do, nothing loaded


def test_ray_engine_without_ray_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    with pytest.raises(ConfigError, match=r"pip install 'newsloom\[ray\]'"):
        RayEngine().start()


# -- the Ray engine's own logic, without a cluster ---------------------------------------------
def test_unreachable_ray_address_is_a_config_error_at_once() -> None:
    import socket
    import time

    from newsloom.engines.ray import _probe

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nothing listens there
    started = time.monotonic()
    with pytest.raises(ConfigError, match=rf"cannot reach the Ray cluster at 127\.0\.0\.1:{port}: .*ray start --head"):
        _probe(f"127.0.0.1:{port}", timeout=2)
    with pytest.raises(ConfigError, match="cannot reach"):
        _probe(f"ray://127.0.0.1:{port}", timeout=2)
    assert time.monotonic() - started < 10
    _probe("auto", timeout=2)  # no host and port: left to Ray
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        _probe(f"127.0.0.1:{listening.getsockname()[1]}", timeout=2)  # answers: no error


def test_clustering_actor_placement() -> None:
    from newsloom.engines.ray import CLUSTERING_RESOURCE, clustering_options

    # SQLite is a file on the driver's machine: pinned to the driver's node, no CPU taken from the workers
    assert clustering_options("/data/news.db", "node-1", {"CPU": 8}) == {"num_cpus": 0, "scheduling_strategy": "node-1"}
    pg = "postgresql://u:p@db/news"
    assert clustering_options(pg, "node-1", {"CPU": 8}) == {"num_cpus": 0}  # anywhere
    assert clustering_options(pg, "node-1", {"CPU": 8, CLUSTERING_RESOURCE: 1.0}) == {
        "num_cpus": 0, "resources": {CLUSTERING_RESOURCE: 0.01},  # on the node set aside (and sized) for it
    }


def test_worker_on_another_newsloom_version_says_so() -> None:
    from newsloom import __version__
    from newsloom.engines.ray import PoolWorker

    assert PoolWorker(__version__).mismatch == ""
    assert "install the same version on every node" in PoolWorker("0.0.0-other").mismatch


def test_worker_sends_errors_back_to_be_raised_as_themselves() -> None:
    from newsloom.engines.ray import PoolWorker, _describe, _unpack

    worker = PoolWorker("x")

    def explode(batch: list[int]) -> list[int]:
        raise KeyError(batch[0])

    worker.functions["k"] = explode  # as built by its factory
    with pytest.raises(KeyError) as caught:
        _unpack(worker.run("k", [], [7]))
    assert any("raised in a Ray worker" in note for note in caught.value.__notes__)
    worker.functions["k"] = lambda batch: batch
    assert _unpack(worker.run("k", [], [1, 2])) == [1, 2] and worker.batches == 2

    class _Task:
        def __init__(self, origin: str) -> None:
            self.item = type("Item", (), {"origin": origin})()

    described = _describe([_Task(f"in/{n}.html") for n in range(7)])
    assert described == "7 inputs (in/0.html, in/1.html, in/2.html, in/3.html, in/4.html, …)"


def test_ray_workers_needs_the_ray_engine(tmp_path: object) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "newsloom", "watch", str(tmp_path), "--once", "--ray-workers", "2"],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "--ray-workers needs --engine ray" in " ".join(result.stderr.split())
    with pytest.raises(ConfigError, match="at least 1"):
        RayEngine(workers=0)
