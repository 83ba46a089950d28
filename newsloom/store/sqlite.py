"""The embedded default store: one SQLite file, WAL journal, schema migrations.

The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a database from
version n to n+1, so a file written by any earlier version opens and upgrades in place.
"""

from __future__ import annotations

import fcntl
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsloom.errors import StoreError
from newsloom.model import Article, ArticleLink, Enrichment, Entity, Event, SourceFailure, Storyline
from newsloom.store import codec, searchtext
from newsloom.store.base import ArticleFilter, ArticleTiming, Store, StoredFailure, follow_redirects

log = logging.getLogger(__name__)

MIGRATIONS: list[str] = [
    # 0 → 1: articles, runs, failures, enrichment, pipeline state
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        kind TEXT NOT NULL,
        raw TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]',
        url TEXT,
        outlet TEXT,
        grp TEXT,
        lang TEXT,
        lang_confidence REAL,
        published TEXT,
        published_date TEXT,
        published_source TEXT,
        ingested_at TEXT NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX articles_lang ON articles(lang);
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_published ON articles(published_date);
    CREATE INDEX articles_status ON articles(status);
    CREATE INDEX articles_grp ON articles(grp);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        summary TEXT
    );
    CREATE TABLE failures (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        origin TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX failures_run ON failures(run_id);
    CREATE TABLE enrichments (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        data TEXT NOT NULL,
        vector BLOB
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 1 → 2: entities, events, storylines, article links, full-text search
    """
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '{}',
        article_count INTEGER NOT NULL DEFAULT 0,
        mention_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE article_entities (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX article_entities_entity ON article_entities(entity_id);
    CREATE TABLE storylines (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        event_ids TEXT NOT NULL,
        key_entities TEXT NOT NULL DEFAULT '[]',
        languages TEXT NOT NULL DEFAULT '[]',
        outlets TEXT NOT NULL DEFAULT '[]',
        first_date TEXT,
        last_date TEXT
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        first_date TEXT,
        last_date TEXT,
        storyline_id TEXT,
        languages TEXT NOT NULL DEFAULT '[]',
        outlets TEXT NOT NULL DEFAULT '[]',
        key_entities TEXT NOT NULL DEFAULT '[]',
        merged_into TEXT
    );
    CREATE INDEX events_storyline ON events(storyline_id);
    CREATE TABLE article_events (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        duplicate_of TEXT,
        translation_of TEXT
    );
    CREATE INDEX article_events_event ON article_events(event_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts(rowid, title, text) SELECT rowid, title, text FROM articles;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    """,
    # 2 → 3: per-article latency timings, written by the watcher (newsloom watch)
    """
    CREATE TABLE article_timings (
        article_id TEXT PRIMARY KEY,
        arrived_at TEXT,
        ingested_at TEXT,
        enriched_at TEXT,
        clustered_at TEXT,
        published TEXT
    );
    CREATE INDEX article_timings_arrived ON article_timings(arrived_at);
    """,
    # 3 → 4: search over a folded copy of title and text (searchtext.fold: accents of every
    # script, case, ß, final sigma), so Greek ά finds α as Latin é finds e. The index holds only
    # the folded tokens (contentless); snippets are cut from the original text. A change to
    # fold() needs a migration that rebuilds articles_fts like this one.
    """
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_delete;
    DROP TRIGGER articles_fts_update;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='', tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
    );
    INSERT INTO articles_fts(rowid, title, text)
        SELECT rowid, newsloom_fold(title), newsloom_fold(text) FROM articles;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text)
            VALUES (new.rowid, newsloom_fold(new.title), newsloom_fold(new.text));
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, newsloom_fold(old.title), newsloom_fold(old.text));
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, newsloom_fold(old.title), newsloom_fold(old.text));
        INSERT INTO articles_fts(rowid, title, text)
            VALUES (new.rowid, newsloom_fold(new.title), newsloom_fold(new.text));
    END;
    """,
    # 4 → 5: a storyline left with no event (its events all went to another one) stays as a
    # redirect, as a merged event does, so a link to it keeps working
    """
    ALTER TABLE storylines ADD COLUMN merged_into TEXT;
    """,
]

_ARTICLE_COLUMNS = (
    "id, origin, kind, raw, title, text, content_hash, removed, url, outlet, grp, lang, "
    "lang_confidence, published, published_date, published_source, ingested_at, status"
)


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class SQLiteStore(Store):
    """A ``Store`` in one SQLite file (``:memory:`` for tests)."""

    def __init__(self, path: str | Path = "newsloom.db") -> None:
        self.path = str(path)
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from exc
        self._lock = threading.RLock()
        self._cluster_lock = threading.Lock()
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA busy_timeout = 30000")
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        # The search index's triggers fold title and text through this (schema version 4 on).
        self._conn.create_function("newsloom_fold", 1, _fold_or_none, deterministic=True)
        self._migrate()

    # -- one clusterer at a time ----------------------------------------------------------
    @contextmanager
    def clustering_lock(self) -> Iterator[None]:
        """An exclusive ``flock`` on ``<database>-cluster.lock`` beside the database file
        (threads of this process share one store, and share its lock)."""
        if self.path == ":memory:":
            yield
            return
        with self._cluster_lock, open(f"{self.path}-cluster.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- schema ------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this newsloom "
                f"({len(MIGRATIONS)}); upgrade newsloom"
            )
        for target in range(version, len(MIGRATIONS)):
            log.debug("migrating %s to schema version %d", self.path, target + 1)
            # executescript commits any open transaction first, so the script carries its own.
            with self._lock:
                try:
                    self._conn.executescript(
                        "BEGIN IMMEDIATE;" + MIGRATIONS[target]
                        + f";PRAGMA user_version = {target + 1};COMMIT;"
                    )
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise StoreError(f"{self.path}: migration to version {target + 1} failed: {exc}") from exc

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._lock)

    # -- runs and failures -------------------------------------------------------------
    def start_run(self, command: str) -> int:
        with self._transaction():
            cursor = self._conn.execute(
                "INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, now_iso())
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        with self._transaction():
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (now_iso(), json.dumps(summary, ensure_ascii=False), run_id),
            )

    def add_failures(self, run_id: int, failures: Sequence[SourceFailure]) -> None:
        at = now_iso()
        with self._transaction():
            self._conn.executemany(
                "INSERT INTO failures (run_id, origin, reason, at) VALUES (?, ?, ?, ?)",
                [(run_id, f.origin, f.reason, at) for f in failures],
            )

    def failures(self, run_id: int | None = None) -> list[StoredFailure]:
        if run_id is None:
            row = self._conn.execute("SELECT MAX(id) FROM runs").fetchone()
            run_id = row[0] if row and row[0] is not None else -1
        rows = self._conn.execute(
            "SELECT run_id, origin, reason, at FROM failures WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        ).fetchall()
        return [StoredFailure(r["run_id"], r["origin"], r["reason"], r["at"]) for r in rows]

    # -- articles ----------------------------------------------------------------------
    def article_fingerprint(self, article_id: str) -> tuple[str, str] | None:
        row = self._conn.execute(
            "SELECT content_hash, origin FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_articles(self, articles: Sequence[Article]) -> None:
        placeholders = ", ".join("?" * 18)
        rows = [
            (
                a.id, a.origin, a.kind, a.raw, a.title, a.text, a.content_hash,
                codec.removed_to_json(a.removed), a.url, a.outlet, a.group, a.lang,
                a.lang_confidence, a.published, (a.published or "")[:10] or None,
                a.published_source, a.ingested_at or now_iso(), a.status,
            )
            for a in articles
        ]
        updates = ", ".join(f"{c} = excluded.{c}" for c in _ARTICLE_COLUMNS.split(", ")[1:])
        with self._transaction():
            # An upsert, not INSERT OR REPLACE: REPLACE deletes without firing the FTS triggers.
            self._conn.executemany(
                f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({placeholders}) "
                f"ON CONFLICT(id) DO UPDATE SET {updates}",
                rows,
            )

    def get_article(self, article_id: str) -> Article | None:
        row = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _article_from_row(row) if row else None

    def iter_articles(
        self,
        where: ArticleFilter | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[Article]:
        clause, params = _where(where)
        sql = (
            f"SELECT {_ARTICLE_COLUMNS} FROM articles{clause} "
            "ORDER BY published_date IS NULL, published_date, id LIMIT ? OFFSET ?"
        )
        cursor = self._conn.execute(sql, [*params, -1 if limit is None else limit, offset])
        for row in cursor:
            yield _article_from_row(row)

    def article_ids(self, where: ArticleFilter | None = None) -> list[str]:
        clause, params = _where(where)
        rows = self._conn.execute(
            f"SELECT id FROM articles{clause} ORDER BY published_date IS NULL, published_date, id", params
        ).fetchall()
        return [r[0] for r in rows]

    def count_articles(self, where: ArticleFilter | None = None) -> int:
        clause, params = _where(where)
        return int(self._conn.execute(f"SELECT COUNT(*) FROM articles{clause}", params).fetchone()[0])

    def article_days(self, where: ArticleFilter | None = None) -> list[tuple[str, str | None]]:
        clause, params = _where(where)
        rows = self._conn.execute(
            f"SELECT id, published_date FROM articles{clause} ORDER BY published_date IS NULL, published_date, id",
            params,
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def iter_article_days(self, where: ArticleFilter | None = None) -> Iterator[tuple[str, str | None]]:
        clause, params = _where(where)
        cursor = self._conn.execute(
            f"SELECT id, published_date FROM articles{clause} ORDER BY published_date IS NULL, published_date, id",
            params,
        )
        try:
            while rows := cursor.fetchmany(10_000):
                yield from ((r[0], r[1]) for r in rows)
        finally:
            cursor.close()

    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        found: dict[str, Article] = {}
        for chunk in _chunks(article_ids):
            rows = self._conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update((r["id"], _article_from_row(r)) for r in rows)
        return [found[i] for i in article_ids if i in found]

    def get_enrichments(self, article_ids: Sequence[str]) -> list[Enrichment]:
        found: dict[str, Enrichment] = {}
        for chunk in _chunks(article_ids):
            rows = self._conn.execute(
                f"SELECT article_id, data, vector FROM enrichments WHERE article_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            for r in rows:
                found[r[0]] = codec.enrichment_from_json(r[0], r[1], codec.vector_from_bytes(r[2]))
        return [found[i] for i in article_ids if i in found]

    def linked_article_ids(self, article_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(article_ids):
            rows = self._conn.execute(
                f"SELECT article_id FROM article_events WHERE article_id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            out.update(r[0] for r in rows)
        return out

    def set_status(self, article_ids: Sequence[str], status: str) -> None:
        with self._transaction():
            self._conn.executemany(
                "UPDATE articles SET status = ? WHERE id = ?", [(status, i) for i in article_ids]
            )

    def fail_articles(self, run_id: int, failed: Mapping[str, SourceFailure]) -> None:
        at = now_iso()
        with self._transaction():
            self._conn.executemany("UPDATE articles SET status = 'failed' WHERE id = ?", [(i,) for i in failed])
            self._conn.executemany(
                "INSERT INTO failures (run_id, origin, reason, at) VALUES (?, ?, ?, ?)",
                [(run_id, f.origin, f.reason, at) for f in failed.values()],
            )

    # -- enrichment --------------------------------------------------------------------
    def put_enrichments(self, enrichments: Sequence[Enrichment]) -> None:
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO enrichments (article_id, data, vector) VALUES (?, ?, ?)",
                [
                    (e.article_id, codec.enrichment_to_json(e), codec.vector_to_bytes(e.vector))
                    for e in enrichments
                ],
            )
            self._conn.executemany(
                "UPDATE articles SET status = 'enriched' WHERE id = ?",
                [(e.article_id,) for e in enrichments],
            )
            self._conn.executemany(
                "DELETE FROM article_entities WHERE article_id = ?", [(e.article_id,) for e in enrichments]
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO article_entities (article_id, entity_id, count) VALUES (?, ?, ?)",
                [(e.article_id, m.entity_id, m.count) for e in enrichments for m in e.entities],
            )

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        row = self._conn.execute(
            "SELECT data, vector FROM enrichments WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        return codec.enrichment_from_json(article_id, row[0], codec.vector_from_bytes(row[1]))

    # -- entities ----------------------------------------------------------------------
    def put_entities(self, entities: Sequence[Entity]) -> None:
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO entities (id, name, type, aliases, article_count, mention_count) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.name, e.type, json.dumps(e.aliases, ensure_ascii=False), 0, 0)
                    for e in entities
                ],
            )
            self._conn.executemany(
                "UPDATE entities SET article_count = (SELECT COUNT(*) FROM article_entities WHERE entity_id = ?), "
                "mention_count = (SELECT COALESCE(SUM(count), 0) FROM article_entities WHERE entity_id = ?) "
                "WHERE id = ?",
                [(e.id, e.id, e.id) for e in entities],
            )

    def get_entity(self, entity_id: str) -> Entity | None:
        row = self._conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return _entity_from_row(row) if row else None

    def list_entities(
        self, *, type: str | None = None, query: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        parts, params = [], []
        if type is not None:
            parts.append("type = ?")
            params.append(type)
        if query:
            parts.append("(name LIKE ? OR aliases LIKE ?)")
            params += [f"%{query}%", f"%{query}%"]
        clause = " WHERE " + " AND ".join(parts) if parts else ""
        rows = self._conn.execute(
            f"SELECT * FROM entities{clause} ORDER BY article_count DESC, mention_count DESC, name "
            "LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset],
        ).fetchall()
        return [_entity_from_row(r) for r in rows]

    def entity_article_ids(self, entity_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT ae.article_id FROM article_entities ae JOIN articles a ON a.id = ae.article_id "
            "WHERE ae.entity_id = ? ORDER BY a.published_date IS NULL, a.published_date, a.id",
            (entity_id,),
        ).fetchall()
        return [r[0] for r in rows]

    # -- events and storylines ---------------------------------------------------------
    def put_clustering(
        self, events: Sequence[Event], storylines: Sequence[Storyline], links: Sequence[ArticleLink],
        dropped_storylines: Sequence[str] = (),
    ) -> None:
        with self._transaction():
            self._conn.executemany("DELETE FROM storylines WHERE id = ?", [(sid,) for sid in dropped_storylines])
            self._conn.executemany(
                "INSERT OR REPLACE INTO events (id, label, first_date, last_date, storyline_id, languages, "
                "outlets, key_entities, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.label, e.first_date, e.last_date, e.storyline_id, _dump(e.languages),
                     _dump(e.outlets), _dump(e.key_entities), e.merged_into)
                    for e in events
                ],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO storylines (id, label, event_ids, key_entities, languages, outlets, "
                "first_date, last_date, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.label, _dump(s.event_ids), _dump(s.key_entities), _dump(s.languages),
                     _dump(s.outlets), s.first_date, s.last_date, s.merged_into)
                    for s in storylines
                ],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO article_events (article_id, event_id, duplicate_of, translation_of) "
                "VALUES (?, ?, ?, ?)",
                [(link.article_id, link.event_id, link.duplicate_of, link.translation_of) for link in links],
            )

    def get_event(self, event_id: str) -> Event | None:
        row = follow_redirects(event_id, lambda i: self._conn.execute("SELECT * FROM events WHERE id = ?", (i,))
                               .fetchone(), lambda r: r["merged_into"])
        return self._event_from_row(row) if row is not None else None

    def list_events(
        self, *, storyline_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Event]:
        clause, params = "WHERE merged_into IS NULL", []
        if storyline_id is not None:
            clause += " AND storyline_id = ?"
            params.append(storyline_id)
        rows = self._conn.execute(
            f"SELECT * FROM events {clause} ORDER BY first_date IS NULL, first_date, id LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset],
        ).fetchall()
        return [self._event_from_row(r) for r in rows]

    def _event_from_row(self, row: sqlite3.Row) -> Event:
        members = self._conn.execute(
            "SELECT ae.article_id FROM article_events ae JOIN articles a ON a.id = ae.article_id "
            "WHERE ae.event_id = ? ORDER BY a.published_date IS NULL, a.published_date, a.id",
            (row["id"],),
        ).fetchall()
        return Event(
            id=row["id"], article_ids=[m[0] for m in members], label=row["label"],
            first_date=row["first_date"], last_date=row["last_date"], storyline_id=row["storyline_id"],
            languages=json.loads(row["languages"]), outlets=json.loads(row["outlets"]),
            key_entities=json.loads(row["key_entities"]), merged_into=row["merged_into"],
        )

    def get_storyline(self, storyline_id: str) -> Storyline | None:
        row = follow_redirects(storyline_id, lambda i: self._conn.execute(
            "SELECT * FROM storylines WHERE id = ?", (i,)).fetchone(), lambda r: r["merged_into"])
        return _storyline_from_row(row) if row is not None else None

    def list_storylines(self, *, limit: int | None = None, offset: int = 0) -> list[Storyline]:
        rows = self._conn.execute(
            "SELECT * FROM storylines WHERE merged_into IS NULL "
            "ORDER BY json_array_length(event_ids) DESC, first_date, id LIMIT ? OFFSET ?",
            [-1 if limit is None else limit, offset],
        ).fetchall()
        return [_storyline_from_row(r) for r in rows]

    def article_link(self, article_id: str) -> ArticleLink | None:
        row = self._conn.execute("SELECT * FROM article_events WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        return ArticleLink(row["article_id"], row["event_id"], row["duplicate_of"], row["translation_of"])

    def article_links(self, article_ids: Sequence[str]) -> dict[str, ArticleLink]:
        out: dict[str, ArticleLink] = {}
        for chunk in _chunks(list(dict.fromkeys(article_ids))):
            rows = self._conn.execute(
                f"SELECT * FROM article_events WHERE article_id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            out.update((r["article_id"], ArticleLink(r["article_id"], r["event_id"], r["duplicate_of"],
                                                     r["translation_of"])) for r in rows)
        return out

    # -- search ------------------------------------------------------------------------
    def search(
        self, query: str, where: ArticleFilter | None = None, *, limit: int = 20, offset: int = 0,
        snippets: bool = True,
    ) -> list[tuple[Article, str]]:
        words = searchtext.query_words(query)
        match = _fts_match(words)
        if not match:
            return []
        clause, params = _where(where)
        clause = clause.replace(" WHERE ", " AND ", 1)
        columns = ", ".join(f"a.{c}" for c in _ARTICLE_COLUMNS.split(", "))
        rows = self._conn.execute(
            f"SELECT {columns} "
            f"FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            f"WHERE articles_fts MATCH ?{clause.replace('published_date', 'a.published_date')} "
            "ORDER BY bm25(articles_fts, 3.0, 1.0) LIMIT ? OFFSET ?",
            [match, *params, limit, offset],
        ).fetchall()
        # The index holds folded text: the snippet is cut from the original, as stored.
        return [(_article_from_row(r), searchtext.snippet(r["text"], words) if snippets else "") for r in rows]

    # -- state -------------------------------------------------------------------------
    def get_state(self, key: str) -> bytes | None:
        row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def put_state(self, key: str, value: bytes | bytearray | memoryview) -> None:
        with self._transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO state (key, value, updated_at) VALUES (?, ?, ?)",
                (key, value, now_iso()),
            )

    def state_keys(self, prefix: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT key FROM state WHERE substr(key, 1, ?) = ? ORDER BY key", (len(prefix), prefix)
        ).fetchall()
        return [r[0] for r in rows]

    def delete_state(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        with self._transaction():
            self._conn.executemany("DELETE FROM state WHERE key = ?", [(k,) for k in keys])

    def close(self) -> None:
        self._conn.close()

    # -- latency timings ---------------------------------------------------------------
    def put_timings(self, rows: Sequence[ArticleTiming]) -> None:
        with self._transaction():
            self._conn.executemany(
                f"INSERT OR REPLACE INTO article_timings ({_TIMING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [(r.article_id, r.arrived_at, r.ingested_at, r.enriched_at, r.clustered_at, r.published) for r in rows],
            )

    def timings(self, since: str | None = None) -> list[ArticleTiming]:
        clause, params = ("", []) if since is None else (" WHERE arrived_at >= ?", [since])
        rows = self._conn.execute(
            f"SELECT {_TIMING_COLUMNS} FROM article_timings{clause} "
            "ORDER BY arrived_at IS NULL, arrived_at, article_id",
            params,
        ).fetchall()
        return [ArticleTiming(*tuple(r)) for r in rows]


_TIMING_COLUMNS = "article_id, arrived_at, ingested_at, enriched_at, clustered_at, published"


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"database write failed and was rolled back: {exc}") from exc


def _chunks(ids: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    """``ids`` in lists of at most ``size`` (SQLite caps the parameters of one statement)."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _where(where: ArticleFilter | None) -> tuple[str, list[Any]]:
    """`` WHERE …`` (or nothing) for an article filter, and its parameters."""
    conditions = where.conditions() if where is not None else []
    if not conditions:
        return "", []
    return (" WHERE " + " AND ".join(f"{column} {op} ?" for column, op, _ in conditions),
            [value for _, _, value in conditions])


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        origin=row["origin"],
        kind=row["kind"],
        raw=row["raw"],
        title=row["title"],
        text=row["text"],
        content_hash=row["content_hash"],
        removed=codec.removed_from_json(row["removed"]),
        url=row["url"],
        outlet=row["outlet"],
        group=row["grp"],
        lang=row["lang"],
        lang_confidence=row["lang_confidence"],
        published=row["published"],
        published_source=row["published_source"],
        ingested_at=row["ingested_at"],
        status=row["status"],
    )


def fts_query(text: str) -> str:
    """A safe FTS5 query from what a user typed: every word must match, the last as a prefix.

    The words are folded as the index is (``searchtext.fold``). Quoting each word keeps FTS5
    operators and punctuation in user input from being parsed.
    """
    return _fts_match(searchtext.query_words(text))


def _fts_match(words: Sequence[str]) -> str:
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else searchtext.fold(text)


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entity_from_row(row: sqlite3.Row) -> Entity:
    return Entity(
        id=row["id"], name=row["name"], type=row["type"], aliases=json.loads(row["aliases"]),
        article_count=row["article_count"], mention_count=row["mention_count"],
    )


def _storyline_from_row(row: sqlite3.Row) -> Storyline:
    return Storyline(
        id=row["id"], label=row["label"], event_ids=json.loads(row["event_ids"]),
        key_entities=json.loads(row["key_entities"]), languages=json.loads(row["languages"]),
        outlets=json.loads(row["outlets"]), first_date=row["first_date"], last_date=row["last_date"],
    )
