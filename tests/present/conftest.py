"""Fixtures for the presentation tests: a realistic store file, and the web app over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_store import build_store

from newsloom.store import Store, open_store


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end tests in a real headless Chromium")


@pytest.fixture
def fixture_db(tmp_path: Path) -> str:
    """A SQLite file filled with the multilingual fixture."""
    path = str(tmp_path / "web.db")
    with open_store(path) as store:
        build_store(store)
    return path


@pytest.fixture
def fixture_store(fixture_db: str) -> Iterator[Store]:
    with open_store(fixture_db) as store:
        yield store


@pytest.fixture
def make_client(fixture_db: str) -> Iterator[Callable[..., Any]]:
    """A factory of TestClients over the fixture store: ``make_client(token=..., host=...)``."""
    pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install fastapi uvicorn python-multipart)")
    from fastapi.testclient import TestClient

    from newsloom.present.web.app import WebConfig, create_app

    opened: list[Any] = []

    def make(base_url: str = "http://127.0.0.1", **overrides: Any) -> Any:
        settings: dict[str, Any] = {"db": fixture_db, "summaries": "coverage", "refresh_seconds": 0.0, "warm": False}
        settings.update(overrides)
        runner = settings.pop("runner", None)
        client = TestClient(create_app(WebConfig(**settings), runner=runner), base_url=base_url)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    """The app bound to 127.0.0.1 without a token (the default for ``newsloom serve``)."""
    return make_client()
