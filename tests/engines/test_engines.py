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
