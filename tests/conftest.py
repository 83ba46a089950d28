"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsloom.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("NEWSLOOM_TEST_PG"):
        backends.append("postgresql")
    return backends


@pytest.fixture(params=_backends())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each backend under test."""
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "test.db"))
    else:
        opened = open_store(os.environ["NEWSLOOM_TEST_PG"])
        reset = getattr(opened, "reset_for_tests", None)
        if reset is not None:
            reset()
    yield opened
    opened.close()


@pytest.fixture
def seeds_dir() -> Path:
    """The five real scraped seed articles, when ../shared is there."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not available")
    return SEEDS
