"""The shared store: PostgreSQL, for several processes (runs, the web server) on one database.

Same contract and the same numbered-migration pattern as the SQLite store. Its tables live in
their own schema (``newsloom``), so ``reset_for_tests`` can drop them all and a database can
hold other things besides. ``MIGRATIONS[n]`` takes the schema from version n to n+1; the
versions applied are rows of ``schema_version``. Migrations run under an advisory lock, so
processes that open a new database at the same time migrate it once.

What differs from SQLite, by design of the server rather than of the contract:

* Writers run concurrently. Every write method is one transaction, retried when PostgreSQL
  aborts it for a deadlock or a serialization failure, and takes its row locks in id order so
  that two writers of overlapping batches wait for each other instead of deadlocking.
  ``put_articles`` is an ``INSERT … ON CONFLICT (id) DO UPDATE``, so two runs that both decide
  an article is new converge on one row.
* Full-text search uses a text search configuration of our own, ``newsloom_search``: the
  ``simple`` configuration (no stemming, no stop words, lower case) with the ``unaccent``
  dictionary in front, over a generated ``tsvector`` of the title (weight A) and text (weight
  B) with a GIN index, each first through ``search_text`` (``searchtext``: NFC, the marks
  ``unaccent`` leaves, final sigma). Queries go through the same steps, so they are accent- and
  case-insensitive in every script and fold as the SQLite store's ``searchtext.fold`` does.
  Snippets are cut from the original text in Python, as in SQLite.
* Enrichment vectors are stored as pgvector's ``vector`` when the server has the extension
  when the schema is created, else as ``real[]``; ``store_info`` records which
  (``vector_storage``). Either way they read back as 32-bit floats, as from SQLite.
* PostgreSQL text cannot hold NUL characters; they are dropped from text written here.
* Text columns that listings sort or filter on use the ``"C"`` collation, so orders are by
  code point, as in SQLite, whatever the database's locale.

The database must have the ``unaccent`` extension, or let this user create it (PostgreSQL 13
and later let a database owner create it: it is a trusted extension).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from newsloom.errors import StoreError
from newsloom.model import Article, ArticleLink, Enrichment, Entity, Event, SourceFailure, Storyline
from newsloom.store import codec, searchtext
from newsloom.store.base import ArticleFilter, ArticleTiming, Store, StoredFailure, follow_redirects
from newsloom.store.sqlite import now_iso

log = logging.getLogger(__name__)

T = TypeVar("T")
Cursor = psycopg.Cursor[Any]

SCHEMA = "newsloom"
SEARCH_CONFIG = "newsloom_search"
# One number for every newsloom schema on the server: migrations of one database at a time.
_MIGRATION_LOCK = 0x6E65_7773_6C6F_6F6D & 0x7FFF_FFFF_FFFF_FFFF  # "newsloom"
_WRITE_ATTEMPTS = 6
_PAGE = 500  # rows fetched per query while iterating articles


def _clustering_lock(schema: str) -> int:
    """The advisory lock key of one schema's clusterer (a signed 64-bit number): advisory locks
    are per database, and stores in other schemas of it must not wait for this one."""
    digest = hashlib.sha256(f"newsloom clustering {schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# Placeholders filled in at migration time: @VECTOR_TYPE@ (the column type of vectors),
# @VECTOR_STORAGE@ (what store_info records) and @UNACCENT@ (the unaccent dictionary).
MIGRATIONS: list[str] = [
    # 0 → 1: articles, runs, failures, enrichment, pipeline state
    """
    CREATE TABLE store_info (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO store_info (key, value) VALUES ('vector_storage', '@VECTOR_STORAGE@');
    CREATE TABLE articles (
        id TEXT COLLATE "C" PRIMARY KEY,
        origin TEXT NOT NULL,
        kind TEXT NOT NULL,
        raw TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]',
        url TEXT,
        outlet TEXT COLLATE "C",
        grp TEXT COLLATE "C",
        lang TEXT COLLATE "C",
        lang_confidence DOUBLE PRECISION,
        published TEXT,
        published_date TEXT COLLATE "C",
        published_source TEXT,
        ingested_at TEXT NOT NULL,
        status TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX articles_order ON articles ((published_date IS NULL), (COALESCE(published_date, '')), id);
    CREATE INDEX articles_lang ON articles (lang);
    CREATE INDEX articles_outlet ON articles (outlet);
    CREATE INDEX articles_status ON articles (status);
    CREATE INDEX articles_grp ON articles (grp);
    CREATE TABLE runs (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        summary TEXT
    );
    CREATE TABLE failures (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        run_id BIGINT NOT NULL REFERENCES runs (id),
        origin TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX failures_run ON failures (run_id);
    CREATE TABLE enrichments (
        article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        data TEXT NOT NULL,
        vector @VECTOR_TYPE@
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value BYTEA NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 1 → 2: entities, events, storylines, article links, full-text search
    """
    CREATE TABLE entities (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL,
        type TEXT COLLATE "C" NOT NULL,
        aliases TEXT NOT NULL DEFAULT '{}',
        article_count INTEGER NOT NULL DEFAULT 0,
        mention_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX entities_rank ON entities (article_count DESC, mention_count DESC, name);
    CREATE TABLE article_entities (
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        entity_id TEXT COLLATE "C" NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX article_entities_entity ON article_entities (entity_id);
    CREATE TABLE storylines (
        id TEXT COLLATE "C" PRIMARY KEY,
        label TEXT NOT NULL,
        event_ids TEXT NOT NULL,
        key_entities TEXT NOT NULL DEFAULT '[]',
        languages TEXT NOT NULL DEFAULT '[]',
        outlets TEXT NOT NULL DEFAULT '[]',
        first_date TEXT COLLATE "C",
        last_date TEXT COLLATE "C"
    );
    CREATE TABLE events (
        id TEXT COLLATE "C" PRIMARY KEY,
        label TEXT NOT NULL,
        first_date TEXT COLLATE "C",
        last_date TEXT COLLATE "C",
        storyline_id TEXT COLLATE "C",
        languages TEXT NOT NULL DEFAULT '[]',
        outlets TEXT NOT NULL DEFAULT '[]',
        key_entities TEXT NOT NULL DEFAULT '[]',
        merged_into TEXT COLLATE "C"
    );
    CREATE INDEX events_storyline ON events (storyline_id);
    CREATE TABLE article_events (
        article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        event_id TEXT COLLATE "C" NOT NULL,
        duplicate_of TEXT,
        translation_of TEXT
    );
    CREATE INDEX article_events_event ON article_events (event_id);
    CREATE TEXT SEARCH CONFIGURATION newsloom_search (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION newsloom_search
        ALTER MAPPING FOR word, hword, hword_part, numword, numhword WITH @UNACCENT@, pg_catalog.simple;
    ALTER TABLE articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsloom_search'::regconfig, title), 'A')
        || setweight(to_tsvector('newsloom_search'::regconfig, text), 'B')
    ) STORED;
    CREATE INDEX articles_tsv ON articles USING GIN (tsv);
    """,
    # 2 → 3: per-article latency timings, written by the watcher (newsloom watch)
    """
    CREATE TABLE article_timings (
        article_id TEXT COLLATE "C" PRIMARY KEY,
        arrived_at TEXT COLLATE "C",
        ingested_at TEXT,
        enriched_at TEXT,
        clustered_at TEXT,
        published TEXT
    );
    CREATE INDEX article_timings_arrived ON article_timings (arrived_at);
    """,
    # 3 → 4: search over search_text(title/text) — NFC, accents unaccent leaves (decomposed
    # marks, Arabic and Hebrew points) stripped, final sigma as σ — so both stores fold alike.
    searchtext.pg_search_text_function() + """;
    DROP INDEX articles_tsv;
    ALTER TABLE articles DROP COLUMN tsv;
    ALTER TABLE articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsloom_search'::regconfig, search_text(title)), 'A')
        || setweight(to_tsvector('newsloom_search'::regconfig, search_text(text)), 'B')
    ) STORED;
    CREATE INDEX articles_tsv ON articles USING GIN (tsv);
    """,
    # 4 → 5: a storyline left with no event stays as a redirect to where its events went
    """
    ALTER TABLE storylines ADD COLUMN merged_into TEXT;
    """,
]

_ARTICLE_FIELDS = (
    "id", "origin", "kind", "raw", "title", "text", "content_hash", "removed", "url", "outlet", "grp", "lang",
    "lang_confidence", "published", "published_date", "published_source", "ingested_at", "status",
)
_ARTICLE_COLUMNS = ", ".join(_ARTICLE_FIELDS)
_A_COLUMNS = ", ".join(f"a.{c}" for c in _ARTICLE_FIELDS)
_ARTICLE_ORDER = "(a.published_date IS NULL), COALESCE(a.published_date, ''), a.id"
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({', '.join(['%s'] * len(_ARTICLE_FIELDS))}) "
    "ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in _ARTICLE_FIELDS[1:])
)
# ts_rank weights for {D, C, B, A}: a title hit counts three times a text hit, as with bm25(3, 1).
_RANK_WEIGHTS = "{0.1, 0.2, 0.333, 1.0}"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)


class PostgresStore(Store):
    """A ``Store`` in a PostgreSQL database, safe to share between threads.

    ``address`` is a libpq URI (``postgresql://user:password@host:port/database``) or
    key/value string. Connections come from a small pool, so threads of one process (the web
    server) query in parallel.
    """

    def __init__(self, address: str, *, schema: str = SCHEMA, pool_size: int = 4) -> None:
        self.address = address
        self.schema = schema
        self._where_from = _redact(address)
        self._lock = threading.Lock()
        self._vector_type = "real[]"
        # Open one connection first: a wrong address fails at once, with libpq's own words,
        # instead of after the pool's retries.
        try:
            with psycopg.connect(address, autocommit=True, connect_timeout=15) as conn:
                self._configure(conn)
                self._migrate(conn)
        except psycopg.Error as exc:
            raise StoreError(f"{self._where_from}: cannot open database: {_message(exc)}") from exc
        self._pool_size = max(1, pool_size)
        self._pool = self._new_pool()
        try:
            self._pool.open(wait=True, timeout=30)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(f"{self._where_from}: cannot open database: {exc}") from exc

    # -- one clusterer at a time ----------------------------------------------------------
    @contextmanager
    def clustering_lock(self) -> Iterator[None]:
        """A session advisory lock for this schema, held on one pooled connection until the block
        ends; when another process holds it, says so and waits."""
        key = _clustering_lock(self.schema)
        try:
            with self._pool.connection() as conn:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
                if not (row and row[0]):
                    log.warning("%s: another process is placing articles in events on this store; waiting for it",
                                self._where_from)
                    conn.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    yield
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except psycopg.Error as exc:
            raise StoreError(f"{self._where_from}: clustering lock failed: {_message(exc)}") from exc
        except PoolTimeout as exc:
            raise StoreError(f"{self._where_from}: no database connection: {exc}") from exc

    # -- connections -------------------------------------------------------------------
    def _new_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        return ConnectionPool(
            self.address,
            min_size=1,
            max_size=self._pool_size,
            kwargs=self._connection_options(),
            configure=self._configure,
            open=False,
            name=f"newsloom-{id(self):x}",
        )

    def _connection_options(self) -> dict[str, Any]:
        """Autocommit and a connect timeout; ``application_name`` "newsloom" (what
        ``pg_stat_activity`` shows) unless the address names one."""
        options: dict[str, Any] = {"autocommit": True, "connect_timeout": 15}
        if "application_name" not in psycopg.conninfo.conninfo_to_dict(self.address):
            options["application_name"] = "newsloom"
        return options

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self.schema)))

    def _read(self, work: Callable[[Cursor], T]) -> T:
        """Run ``work`` on a pooled connection, outside any transaction.

        Connections are not checked when taken from the pool (that costs a round trip per
        call); a read that finds its connection dead (the server restarted) is tried once more
        on a fresh one.
        """
        for attempt in (1, 2):
            conn: psycopg.Connection[Any] | None = None
            try:
                with self._pool.connection() as conn, conn.cursor() as cur:
                    return work(cur)
            except psycopg.OperationalError as exc:
                if attempt == 1 and conn is not None and conn.broken:
                    continue
                raise StoreError(f"{self._where_from}: database read failed: {_message(exc)}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"{self._where_from}: database read failed: {_message(exc)}") from exc
            except PoolTimeout as exc:
                raise StoreError(f"{self._where_from}: no database connection: {exc}") from exc
        raise AssertionError("unreachable")

    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._read(lambda cur: cur.execute(query, params).fetchall())

    def _write(self, work: Callable[[Cursor], T]) -> T:
        """Run ``work`` in one transaction, retried when the server aborts it for a lock conflict.

        Also retried, once, when the connection dies before the commit was sent (a server
        restart, a killed backend): the server rolled the transaction back, so running it again
        on a fresh connection is the same as the retry after a conflict. A connection lost
        during the commit itself is an error: the write may or may not have been saved.
        """
        reconnected = False
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            conn: psycopg.Connection[Any] | None = None
            committing = False
            try:
                with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                    result = work(cur)
                    committing = True
                return result
            except _RETRYABLE as exc:
                if attempt == _WRITE_ATTEMPTS:
                    raise StoreError(
                        f"database write failed and was rolled back after {attempt} attempts: {_message(exc)}"
                    ) from exc
                log.debug("write conflict (%s); retrying", type(exc).__name__)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
            except psycopg.OperationalError as exc:
                if not committing and not reconnected and conn is not None and conn.broken:
                    log.warning("database connection lost during a write (%s); running it again", _message(exc))
                    reconnected = True
                    continue
                if committing:
                    raise StoreError(
                        f"database connection lost while committing; the write may not have been saved: "
                        f"{_message(exc)}"
                    ) from exc
                raise StoreError(f"database write failed and was rolled back: {_message(exc)}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"database write failed and was rolled back: {_message(exc)}") from exc
            except PoolTimeout as exc:
                raise StoreError(f"{self._where_from}: no database connection: {exc}") from exc
        raise StoreError(f"database write failed: the connection was lost on attempt {_WRITE_ATTEMPTS}")

    # -- schema ------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self._read(lambda cur: _version(cur, self.schema))

    @property
    def vector_storage(self) -> str:
        """``pgvector`` or ``real[]``: how this database stores enrichment vectors."""
        rows = self._fetch("SELECT value FROM store_info WHERE key = 'vector_storage'")
        return str(rows[0][0]) if rows else "real[]"

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        if _version(conn.cursor(), self.schema) != len(MIGRATIONS):
            while self._migrate_one(conn):
                pass
        self._vector_type = _vector_type(conn.cursor())

    def _migrate_one(self, conn: psycopg.Connection[Any]) -> bool:
        """Apply the next migration, if any, in one transaction; True when one was applied."""
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            cur.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(sql.Identifier(self.schema)))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            version = _version(cur, self.schema)
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{self._where_from}: schema version {version} is newer than this newsloom "
                    f"({len(MIGRATIONS)}); upgrade newsloom"
                )
            if version == len(MIGRATIONS):
                return False
            log.debug("migrating %s to schema version %d", self._where_from, version + 1)
            script = MIGRATIONS[version]
            if "@VECTOR_TYPE@" in script:
                storage, column_type = _ensure_vector(cur)
                script = script.replace("@VECTOR_TYPE@", column_type).replace("@VECTOR_STORAGE@", storage)
            if "@UNACCENT@" in script:
                script = script.replace("@UNACCENT@", _ensure_unaccent(cur, self._where_from))
            try:
                cur.execute(script.encode("utf-8"))
            except psycopg.Error as exc:
                raise StoreError(
                    f"{self._where_from}: migration to version {version + 1} failed: {_message(exc)}"
                ) from exc
            cur.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (%s, %s)", (version + 1, now_iso())
            )
            return True

    def reset_for_tests(self) -> None:
        """Drop every table of this store and create them anew (the test fixture's clean slate)."""
        with self._lock:
            self._pool.close()
            try:
                with psycopg.connect(self.address, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))
                    self._configure(conn)
                    self._migrate(conn)
            except psycopg.Error as exc:
                raise StoreError(f"{self._where_from}: reset failed: {_message(exc)}") from exc
            # Connections of the old pool may have prepared statements on the dropped tables.
            self._pool = self._new_pool()
            self._pool.open(wait=True, timeout=30)

    # -- runs and failures -------------------------------------------------------------
    def start_run(self, command: str) -> int:
        def work(cur: Cursor) -> int:
            row = cur.execute(
                "INSERT INTO runs (command, started_at) VALUES (%s, %s) RETURNING id", (_t(command), now_iso())
            ).fetchone()
            assert row is not None
            return int(row[0])

        return self._write(work)

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        self._write(
            lambda cur: cur.execute(
                "UPDATE runs SET finished_at = %s, summary = %s WHERE id = %s",
                (now_iso(), json.dumps(summary, ensure_ascii=False), run_id),
            )
        )

    def add_failures(self, run_id: int, failures: Sequence[SourceFailure]) -> None:
        if not failures:
            return
        at = now_iso()
        self._write(
            lambda cur: cur.executemany(
                "INSERT INTO failures (run_id, origin, reason, at) VALUES (%s, %s, %s, %s)",
                [(run_id, _t(f.origin), _t(f.reason), at) for f in failures],
            )
        )

    def failures(self, run_id: int | None = None) -> list[StoredFailure]:
        def work(cur: Cursor) -> list[StoredFailure]:
            wanted = run_id
            if wanted is None:
                row = cur.execute("SELECT MAX(id) FROM runs").fetchone()
                wanted = row[0] if row and row[0] is not None else -1
            rows = cur.execute(
                "SELECT run_id, origin, reason, at FROM failures WHERE run_id = %s ORDER BY id", (wanted,)
            ).fetchall()
            return [StoredFailure(int(r[0]), r[1], r[2], r[3]) for r in rows]

        return self._read(work)

    # -- articles ----------------------------------------------------------------------
    def article_fingerprint(self, article_id: str) -> tuple[str, str] | None:
        row = self._read(
            lambda cur: cur.execute(
                "SELECT content_hash, origin FROM articles WHERE id = %s", (article_id,)
            ).fetchone()
        )
        return (row[0], row[1]) if row else None

    def put_articles(self, articles: Sequence[Article]) -> None:
        if not articles:
            return
        # Last one wins for a repeated id, as with one upsert after another; id order makes
        # concurrent writers of overlapping batches lock rows in the same order.
        latest = {a.id: a for a in articles}
        rows = [_article_row(latest[i]) for i in sorted(latest)]
        self._write(lambda cur: cur.executemany(_UPSERT_ARTICLE, rows))

    def get_article(self, article_id: str) -> Article | None:
        row = self._read(
            lambda cur: cur.execute(
                f"SELECT {_A_COLUMNS} FROM articles a WHERE a.id = %s", (article_id,)
            ).fetchone()
        )
        return _article_from_row(row) if row else None

    def iter_articles(
        self,
        where: ArticleFilter | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[Article]:
        # Page by page (keyset on the listing order), so no connection is held between yields.
        clause, params = _where(where)
        remaining = None if limit is None or limit < 0 else limit
        after: tuple[bool, str, str] | None = None
        while remaining is None or remaining > 0:
            page = _PAGE if remaining is None else min(_PAGE, remaining)
            parts = [clause] if clause else []
            args = list(params)
            if after is not None:
                parts.append(f"({_ARTICLE_ORDER}) > (%s, %s, %s)")
                args += list(after)
            args += [page, offset if after is None else 0]
            sql_where = " WHERE " + " AND ".join(parts) if parts else ""
            rows = self._fetch(
                f"SELECT {_A_COLUMNS} FROM articles a{sql_where} ORDER BY {_ARTICLE_ORDER} LIMIT %s OFFSET %s", args
            )
            for row in rows:
                yield _article_from_row(row)
            if len(rows) < page:
                return
            last = rows[-1]
            after = (last[14] is None, last[14] or "", last[0])
            if remaining is not None:
                remaining -= len(rows)

    def article_ids(self, where: ArticleFilter | None = None) -> list[str]:
        clause, params = _where(where)
        sql_where = " WHERE " + clause if clause else ""
        rows = self._read(
            lambda cur: cur.execute(
                f"SELECT a.id FROM articles a{sql_where} ORDER BY {_ARTICLE_ORDER}", params
            ).fetchall()
        )
        return [r[0] for r in rows]

    def count_articles(self, where: ArticleFilter | None = None) -> int:
        clause, params = _where(where)
        sql_where = " WHERE " + clause if clause else ""
        row = self._read(lambda cur: cur.execute(f"SELECT COUNT(*) FROM articles a{sql_where}", params).fetchone())
        return int(row[0]) if row else 0

    def article_days(self, where: ArticleFilter | None = None) -> list[tuple[str, str | None]]:
        clause, params = _where(where)
        sql_where = " WHERE " + clause if clause else ""
        rows = self._read(
            lambda cur: cur.execute(
                f"SELECT a.id, a.published_date FROM articles a{sql_where} ORDER BY {_ARTICLE_ORDER}", params
            ).fetchall()
        )
        return [(r[0], r[1]) for r in rows]

    def iter_article_days(self, where: ArticleFilter | None = None) -> Iterator[tuple[str, str | None]]:
        # One query (one snapshot, as article_days), read through a server-side cursor a page at a time.
        clause, params = _where(where)
        sql_where = " WHERE " + clause if clause else ""
        query = f"SELECT a.id, a.published_date FROM articles a{sql_where} ORDER BY {_ARTICLE_ORDER}"
        try:
            with (self._pool.connection() as conn, conn.transaction(),
                  conn.cursor(name="newsloom_article_days") as cur):
                cur.itersize = 10_000
                cur.execute(query, params)
                for row in cur:
                    yield row[0], row[1]
        except psycopg.Error as exc:
            raise StoreError(f"{self._where_from}: database read failed: {_message(exc)}") from exc
        except PoolTimeout as exc:
            raise StoreError(f"{self._where_from}: no database connection: {exc}") from exc

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return []
        rows = self._read(
            lambda cur: cur.execute(f"SELECT {_A_COLUMNS} FROM articles a WHERE a.id = ANY(%s)", (ids,)).fetchall()
        )
        found = {r[0]: _article_from_row(r) for r in rows}
        return [found[i] for i in article_ids if i in found]

    def get_enrichments(self, article_ids: Sequence[str]) -> list[Enrichment]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return []
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT article_id, data, vector::real[] FROM enrichments WHERE article_id = ANY(%s)", (ids,)
            ).fetchall()
        )
        found = {
            r[0]: codec.enrichment_from_json(r[0], r[1], [float(x) for x in r[2]] if r[2] is not None else None)
            for r in rows
        }
        return [found[i] for i in article_ids if i in found]

    def linked_article_ids(self, article_ids: Sequence[str]) -> set[str]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return set()
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT article_id FROM article_events WHERE article_id = ANY(%s)", (ids,)
            ).fetchall()
        )
        return {r[0] for r in rows}

    def set_status(self, article_ids: Sequence[str], status: str) -> None:
        ids = sorted(set(article_ids))
        if not ids:
            return

        def work(cur: Cursor) -> None:
            _lock_articles(cur, ids)
            cur.execute("UPDATE articles SET status = %s WHERE id = ANY(%s)", (status, ids))

        self._write(work)

    def fail_articles(self, run_id: int, failed: Mapping[str, SourceFailure]) -> None:
        ids = sorted(failed)
        if not ids:
            return
        at = now_iso()

        def work(cur: Cursor) -> None:
            _lock_articles(cur, ids)
            cur.execute("UPDATE articles SET status = 'failed' WHERE id = ANY(%s)", (ids,))
            cur.executemany(
                "INSERT INTO failures (run_id, origin, reason, at) VALUES (%s, %s, %s, %s)",
                [(run_id, _t(f.origin), _t(f.reason), at) for f in failed.values()],  # in the order given
            )

        self._write(work)

    # -- enrichment --------------------------------------------------------------------
    def put_enrichments(self, enrichments: Sequence[Enrichment]) -> None:
        if not enrichments:
            return
        latest = {e.article_id: e for e in enrichments}
        ids = sorted(latest)
        cast = self._vector_type

        def work(cur: Cursor) -> None:
            # The article rows guard their enrichment: lock them first, in id order.
            _lock_articles(cur, ids)
            cur.executemany(
                "INSERT INTO enrichments (article_id, data, vector) "
                f"VALUES (%s, %s, %s::real[]::{cast}) "
                "ON CONFLICT (article_id) DO UPDATE SET data = EXCLUDED.data, vector = EXCLUDED.vector",
                [(i, codec.enrichment_to_json(latest[i]), latest[i].vector) for i in ids],
            )
            cur.execute("UPDATE articles SET status = 'enriched' WHERE id = ANY(%s)", (ids,))
            cur.execute("DELETE FROM article_entities WHERE article_id = ANY(%s)", (ids,))
            counts: dict[tuple[str, str], int] = {}
            for i in ids:
                for mention in latest[i].entities:
                    counts[(i, mention.entity_id)] = mention.count  # the last mention of an entity wins
            if counts:
                cur.executemany(
                    "INSERT INTO article_entities (article_id, entity_id, count) VALUES (%s, %s, %s)",
                    [(a, e, n) for (a, e), n in sorted(counts.items())],
                )

        self._write(work)

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        row = self._read(
            lambda cur: cur.execute(
                "SELECT data, vector::real[] FROM enrichments WHERE article_id = %s", (article_id,)
            ).fetchone()
        )
        if row is None:
            return None
        vector = [float(x) for x in row[1]] if row[1] is not None else None
        return codec.enrichment_from_json(article_id, row[0], vector)

    # -- entities ----------------------------------------------------------------------
    def put_entities(self, entities: Sequence[Entity]) -> None:
        if not entities:
            return
        latest = {e.id: e for e in entities}
        ids = sorted(latest)

        def work(cur: Cursor) -> None:
            cur.executemany(
                "INSERT INTO entities (id, name, type, aliases, article_count, mention_count) "
                "VALUES (%s, %s, %s, %s, 0, 0) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
                "type = EXCLUDED.type, aliases = EXCLUDED.aliases, article_count = 0, mention_count = 0",
                [
                    (i, _t(latest[i].name), _t(latest[i].type), json.dumps(latest[i].aliases, ensure_ascii=False))
                    for i in ids
                ],
            )
            # The counts are the store's own, from the enrichments it holds.
            cur.execute(
                "UPDATE entities e SET article_count = c.articles, mention_count = c.mentions "
                "FROM (SELECT entity_id, COUNT(*) AS articles, COALESCE(SUM(count), 0) AS mentions "
                "      FROM article_entities WHERE entity_id = ANY(%s) GROUP BY entity_id) c "
                "WHERE e.id = c.entity_id",
                (ids,),
            )

        self._write(work)

    def get_entity(self, entity_id: str) -> Entity | None:
        row = self._read(
            lambda cur: cur.execute(
                "SELECT id, name, type, aliases, article_count, mention_count FROM entities WHERE id = %s",
                (entity_id,),
            ).fetchone()
        )
        return _entity_from_row(row) if row else None

    def list_entities(
        self, *, type: str | None = None, query: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        parts: list[str] = []
        params: list[Any] = []
        if type is not None:
            parts.append("type = %s")
            params.append(type)
        if query:
            # SQLite's LIKE: % and _ are wildcards, no escape character, case folded for ASCII only.
            parts.append(
                f"(translate(name, '{_UPPER}', '{_LOWER}') LIKE translate(%s, '{_UPPER}', '{_LOWER}') ESCAPE '' "
                f"OR translate(aliases, '{_UPPER}', '{_LOWER}') LIKE translate(%s, '{_UPPER}', '{_LOWER}') ESCAPE '')"
            )
            params += [f"%{query}%", f"%{query}%"]
        clause = " WHERE " + " AND ".join(parts) if parts else ""
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT id, name, type, aliases, article_count, mention_count FROM entities"
                f"{clause} ORDER BY article_count DESC, mention_count DESC, name, id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).fetchall()
        )
        return [_entity_from_row(r) for r in rows]

    def entity_article_ids(self, entity_id: str) -> list[str]:
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT a.id FROM article_entities ae JOIN articles a ON a.id = ae.article_id "
                f"WHERE ae.entity_id = %s ORDER BY {_ARTICLE_ORDER}",
                (entity_id,),
            ).fetchall()
        )
        return [r[0] for r in rows]

    # -- events and storylines ---------------------------------------------------------
    def put_clustering(
        self, events: Sequence[Event], storylines: Sequence[Storyline], links: Sequence[ArticleLink],
        dropped_storylines: Sequence[str] = (),
    ) -> None:
        dropped = sorted(set(dropped_storylines))
        event_rows = {e.id: e for e in events}
        storyline_rows = {s.id: s for s in storylines}
        link_rows = {link.article_id: link for link in links}

        def work(cur: Cursor) -> None:
            if dropped:
                cur.execute("DELETE FROM storylines WHERE id = ANY(%s)", [dropped])
            if event_rows:
                cur.executemany(
                    "INSERT INTO events (id, label, first_date, last_date, storyline_id, languages, outlets, "
                    "key_entities, merged_into) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, first_date = EXCLUDED.first_date, "
                    "last_date = EXCLUDED.last_date, storyline_id = EXCLUDED.storyline_id, "
                    "languages = EXCLUDED.languages, outlets = EXCLUDED.outlets, "
                    "key_entities = EXCLUDED.key_entities, merged_into = EXCLUDED.merged_into",
                    [
                        (e.id, _t(e.label), e.first_date, e.last_date, e.storyline_id, _dump(e.languages),
                         _dump(e.outlets), _dump(e.key_entities), e.merged_into)
                        for e in (event_rows[i] for i in sorted(event_rows))
                    ],
                )
            if storyline_rows:
                cur.executemany(
                    "INSERT INTO storylines (id, label, event_ids, key_entities, languages, outlets, first_date, "
                    "last_date, merged_into) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, event_ids = EXCLUDED.event_ids, "
                    "key_entities = EXCLUDED.key_entities, languages = EXCLUDED.languages, "
                    "outlets = EXCLUDED.outlets, first_date = EXCLUDED.first_date, last_date = EXCLUDED.last_date, "
                    "merged_into = EXCLUDED.merged_into",
                    [
                        (s.id, _t(s.label), _dump(s.event_ids), _dump(s.key_entities), _dump(s.languages),
                         _dump(s.outlets), s.first_date, s.last_date, s.merged_into)
                        for s in (storyline_rows[i] for i in sorted(storyline_rows))
                    ],
                )
            if link_rows:
                cur.executemany(
                    "INSERT INTO article_events (article_id, event_id, duplicate_of, translation_of) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET event_id = EXCLUDED.event_id, "
                    "duplicate_of = EXCLUDED.duplicate_of, translation_of = EXCLUDED.translation_of",
                    [
                        (link.article_id, link.event_id, link.duplicate_of, link.translation_of)
                        for link in (link_rows[i] for i in sorted(link_rows))
                    ],
                )

        self._write(work)

    def get_event(self, event_id: str) -> Event | None:
        def work(cur: Cursor) -> Event | None:
            row = follow_redirects(event_id, lambda i: cur.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = %s", (i,)).fetchone(), lambda r: r[8])
            return _events_from_rows(cur, [row])[0] if row is not None else None

        return self._read(work)

    def list_events(
        self, *, storyline_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Event]:
        clause, params = "WHERE merged_into IS NULL", []
        if storyline_id is not None:
            clause += " AND storyline_id = %s"
            params.append(storyline_id)

        def work(cur: Cursor) -> list[Event]:
            rows = cur.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events {clause} "
                "ORDER BY first_date IS NULL, first_date, id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).fetchall()
            return _events_from_rows(cur, rows)

        return self._read(work)

    def get_storyline(self, storyline_id: str) -> Storyline | None:
        def work(cur: Cursor) -> Storyline | None:
            row = follow_redirects(storyline_id, lambda i: cur.execute(
                f"SELECT {_STORYLINE_COLUMNS} FROM storylines WHERE id = %s", (i,)).fetchone(), lambda r: r[8])
            return _storyline_from_row(row) if row is not None else None

        return self._read(work)

    def list_storylines(self, *, limit: int | None = None, offset: int = 0) -> list[Storyline]:
        rows = self._read(
            lambda cur: cur.execute(
                f"SELECT {_STORYLINE_COLUMNS} FROM storylines WHERE merged_into IS NULL "
                "ORDER BY json_array_length(event_ids::json) DESC, first_date ASC NULLS FIRST, id "
                "LIMIT %s OFFSET %s",
                [limit, offset],
            ).fetchall()
        )
        return [_storyline_from_row(r) for r in rows]

    def article_link(self, article_id: str) -> ArticleLink | None:
        row = self._read(
            lambda cur: cur.execute(
                "SELECT article_id, event_id, duplicate_of, translation_of FROM article_events WHERE article_id = %s",
                (article_id,),
            ).fetchone()
        )
        return ArticleLink(row[0], row[1], row[2], row[3]) if row else None

    def article_links(self, article_ids: Sequence[str]) -> dict[str, ArticleLink]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self._read(
            lambda cur: cur.execute(
                "SELECT article_id, event_id, duplicate_of, translation_of FROM article_events"
                " WHERE article_id = ANY(%s)",
                (ids,),
            ).fetchall()
        )
        return {r[0]: ArticleLink(r[0], r[1], r[2], r[3]) for r in rows}

    # -- search ------------------------------------------------------------------------
    def search(
        self, query: str, where: ArticleFilter | None = None, *, limit: int = 20, offset: int = 0,
        snippets: bool = True,
    ) -> list[tuple[Article, str]]:
        tsquery = ts_query(query)
        if not tsquery:
            return []
        clause, params = _where(where)
        extra = " AND " + clause if clause else ""

        def work(cur: Cursor) -> list[tuple[Article, str]]:
            row = cur.execute(f"SELECT to_tsquery('{SEARCH_CONFIG}', %s)", (tsquery,)).fetchone()
            normalized = row[0] if row else ""
            if not normalized:
                return []  # nothing in the query survives normalisation (e.g. only "_")
            rows = cur.execute(
                f"SELECT {_A_COLUMNS}, ts_rank(%s::real[], a.tsv, %s::tsquery, 1) AS rank "
                f"FROM articles a WHERE a.tsv @@ %s::tsquery{extra} "
                "ORDER BY rank DESC, a.id LIMIT %s OFFSET %s",
                [_RANK_WEIGHTS, normalized, normalized, *params, limit, offset],
            ).fetchall()
            return [(_article_from_row(r), "") for r in rows]

        hits = self._read(work)
        if snippets:
            # Cut from the original text, as the SQLite store does (the index is folded).
            words = searchtext.query_words(query)
            hits = [(article, searchtext.snippet(article.text, words)) for article, _ in hits]
        return hits

    # -- state -------------------------------------------------------------------------
    def get_state(self, key: str) -> bytes | None:
        row = self._read(lambda cur: cur.execute("SELECT value FROM state WHERE key = %s", (key,)).fetchone())
        return bytes(row[0]) if row else None

    def put_state(self, key: str, value: bytes | bytearray | memoryview) -> None:
        self._write(
            lambda cur: cur.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
                (key, value if isinstance(value, (bytes, bytearray, memoryview)) else bytes(value), now_iso()),
            )
        )

    def state_keys(self, prefix: str) -> list[str]:
        rows = self._fetch(
            "SELECT key FROM state WHERE substr(key, 1, %s) = %s ORDER BY key COLLATE \"C\"", (len(prefix), prefix)
        )
        return [r[0] for r in rows]

    def delete_state(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        wanted = sorted(set(keys))
        self._write(lambda cur: cur.execute("DELETE FROM state WHERE key = ANY(%s)", (wanted,)))

    def close(self) -> None:
        self._pool.close()

    # -- latency timings ---------------------------------------------------------------
    def put_timings(self, rows: Sequence[ArticleTiming]) -> None:
        if not rows:
            return
        values = sorted(
            ((_t(r.article_id), r.arrived_at, r.ingested_at, r.enriched_at, r.clustered_at, _t(r.published))
             for r in rows),
            key=lambda v: v[0] or "",
        )

        def work(cur: Cursor) -> None:
            cur.executemany(
                f"INSERT INTO article_timings ({_TIMING_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (article_id) DO UPDATE SET "
                + ", ".join(f"{c} = EXCLUDED.{c}" for c in _TIMING_COLUMNS.split(", ")[1:]),
                values,
            )

        self._write(work)

    def timings(self, since: str | None = None) -> list[ArticleTiming]:
        clause, params = ("", []) if since is None else (" WHERE arrived_at >= %s", [since])
        rows = self._fetch(
            f"SELECT {_TIMING_COLUMNS} FROM article_timings{clause} "
            "ORDER BY (arrived_at IS NULL), arrived_at, article_id",
            params,
        )
        return [ArticleTiming(*row) for row in rows]


_TIMING_COLUMNS = "article_id, arrived_at, ingested_at, enriched_at, clustered_at, published"


# -- helpers -----------------------------------------------------------------------------
_EVENT_COLUMNS = "id, label, first_date, last_date, storyline_id, languages, outlets, key_entities, merged_into"
_STORYLINE_COLUMNS = "id, label, event_ids, key_entities, languages, outlets, first_date, last_date, merged_into"


def _version(cur: Cursor, schema: str) -> int:
    exists = cur.execute("SELECT to_regclass(%s)", (f"{_quote_ident(schema)}.schema_version",)).fetchone()
    if not exists or exists[0] is None:
        return 0
    row = cur.execute(
        sql.SQL("SELECT COALESCE(MAX(version), 0) FROM {}.schema_version").format(sql.Identifier(schema))
    ).fetchone()
    return int(row[0]) if row else 0


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _extension_schema(cur: Cursor, name: str) -> str | None:
    row = cur.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        (name,),
    ).fetchone()
    return str(row[0]) if row else None


def _try_create_extension(cur: Cursor, name: str) -> str | None:
    """Create an extension in ``public`` if the server has it and we may; its schema, or None."""
    schema = _extension_schema(cur, name)
    if schema is not None:
        return schema
    available = cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", (name,)).fetchone()
    if not available:
        return None
    try:
        with cur.connection.transaction():  # a savepoint: a refusal must not abort the migration
            cur.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        log.warning("cannot create the %s extension: %s", name, _message(exc))
        return None
    return _extension_schema(cur, name)


def _ensure_unaccent(cur: Cursor, where: str) -> str:
    schema = _try_create_extension(cur, "unaccent")
    if schema is None:
        raise StoreError(
            f"{where}: the database lacks the unaccent extension and this user cannot create it; "
            "ask an administrator to run CREATE EXTENSION unaccent in this database (it ships with "
            "PostgreSQL's contrib package)"
        )
    return f"{_quote_ident(schema)}.unaccent"


def _ensure_vector(cur: Cursor) -> tuple[str, str]:
    """How vectors will be stored: pgvector's ``vector`` (any dimension) when available, else ``real[]``."""
    schema = _try_create_extension(cur, "vector")
    if schema is None:
        log.info("pgvector is not available; enrichment vectors are stored as real[]")
        return "real[]", "real[]"
    return "pgvector", f"{_quote_ident(schema)}.vector"


def _vector_type(cur: Cursor) -> str:
    """The column type of stored vectors, to cast parameters to."""
    row = cur.execute(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass('enrichments') AND a.attname = 'vector'"
    ).fetchone()
    if not row or not row[0] or row[0] == "real[]":
        return "real[]"
    schema = _extension_schema(cur, "vector") or "public"
    return f"{_quote_ident(schema)}.vector"


def _lock_articles(cur: Cursor, ids: list[str]) -> None:
    """Lock these article rows in id order, so concurrent writers queue instead of deadlocking."""
    cur.execute("SELECT id FROM articles WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", (ids,))


def _t(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; drop it."""
    return value.replace("\x00", "") if value is not None and "\x00" in value else value


def _article_row(a: Article) -> tuple[Any, ...]:
    return (
        _t(a.id), _t(a.origin), a.kind, _t(a.raw), _t(a.title), _t(a.text), a.content_hash,
        codec.removed_to_json(a.removed), _t(a.url), _t(a.outlet), _t(a.group), a.lang,
        a.lang_confidence, a.published, (a.published or "")[:10] or None,
        a.published_source, a.ingested_at or now_iso(), a.status,
    )


def _article_from_row(row: Sequence[Any]) -> Article:
    return Article(
        id=row[0],
        origin=row[1],
        kind=row[2],
        raw=row[3],
        title=row[4],
        text=row[5],
        content_hash=row[6],
        removed=codec.removed_from_json(row[7]),
        url=row[8],
        outlet=row[9],
        group=row[10],
        lang=row[11],
        lang_confidence=row[12],
        published=row[13],
        published_source=row[15],
        ingested_at=row[16],
        status=row[17],
    )


def _where(where: ArticleFilter | None) -> tuple[str, list[Any]]:
    """A condition on articles aliased ``a`` (no leading WHERE), and its parameters."""
    conditions = where.conditions() if where is not None else []
    return (" AND ".join(f"a.{column} {op} %s" for column, op, _ in conditions),
            [value for _, _, value in conditions])


def ts_query(text: str) -> str:
    """A safe tsquery from what a user typed: every word must match, the last as a prefix.

    The same words as ``sqlite.fts_query``; each is quoted, so tsquery operators in user input
    (``&``, ``|``, ``!``, ``<->``, ``:*``) are never parsed.
    """
    words = searchtext.QUERY_WORD.findall(searchtext.search_text(text))
    if not words:
        return ""
    quoted = [f"'{w}'" for w in words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entity_from_row(row: Sequence[Any]) -> Entity:
    return Entity(
        id=row[0], name=row[1], type=row[2], aliases=json.loads(row[3]),
        article_count=int(row[4]), mention_count=int(row[5]),
    )


def _events_from_rows(cur: Cursor, rows: Iterable[Sequence[Any]]) -> list[Event]:
    """Events with their member articles in listing order, in one query for all of them."""
    rows = list(rows)
    if not rows:
        return []
    members: dict[str, list[str]] = {r[0]: [] for r in rows}
    for event_id, article_id in cur.execute(
        "SELECT ae.event_id, a.id FROM article_events ae JOIN articles a ON a.id = ae.article_id "
        f"WHERE ae.event_id = ANY(%s) ORDER BY {_ARTICLE_ORDER}",
        (list(members),),
    ):
        members[event_id].append(article_id)
    return [
        Event(
            id=r[0], article_ids=members[r[0]], label=r[1], first_date=r[2], last_date=r[3], storyline_id=r[4],
            languages=json.loads(r[5]), outlets=json.loads(r[6]), key_entities=json.loads(r[7]), merged_into=r[8],
        )
        for r in rows
    ]


def _storyline_from_row(row: Sequence[Any]) -> Storyline:
    return Storyline(
        id=row[0], label=row[1], event_ids=json.loads(row[2]), key_entities=json.loads(row[3]),
        languages=json.loads(row[4]), outlets=json.loads(row[5]), first_date=row[6], last_date=row[7],
    )


def _redact(address: str) -> str:
    """The address without its password, for messages."""
    address = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", address)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", address)


def _message(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
