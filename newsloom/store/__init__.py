"""Storage backends behind one ``Store`` interface, chosen by the address given.

``open_store("newsloom.db")`` (or any path, or ``sqlite:///path``) gives the embedded SQLite
store; ``open_store("postgresql://…")`` the shared PostgreSQL store.
"""

from __future__ import annotations

from newsloom.errors import ConfigError
from newsloom.store.base import ArticleFilter, Store, StoredFailure

__all__ = ["ArticleFilter", "Store", "StoredFailure", "open_store"]


def open_store(address: str) -> Store:
    """Open the store at ``address``: a file path, ``sqlite:///PATH`` or ``postgresql://…``."""
    if address.startswith(("postgresql://", "postgres://")):
        try:
            from newsloom.store.postgres import PostgresStore
        except ImportError as exc:
            raise ConfigError("the PostgreSQL store needs psycopg: pip install 'newsloom[pg]'") from exc
        return PostgresStore(address)
    if address.startswith("sqlite:///"):
        address = address[len("sqlite:///") :]
    from newsloom.store.sqlite import SQLiteStore

    return SQLiteStore(address)
