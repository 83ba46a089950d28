"""What only the PostgreSQL store has to get right: concurrent writers, migrations, fidelity to SQLite.

Runs when ``NEWSLOOM_TEST_PG`` names a database (``eval "$(bash scripts/postgres.sh)"`` starts
a throwaway one); the shared contract tests in ``test_store.py`` run against it too.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_store import make_article

from newsloom.errors import StoreError
from newsloom.model import Enrichment, Entity, EntityMention, SourceItem
from newsloom.store import ArticleFilter, open_store
from newsloom.store.sqlite import SQLiteStore

PG = os.environ.get("NEWSLOOM_TEST_PG", "")
pytestmark = pytest.mark.skipif(not PG, reason="NEWSLOOM_TEST_PG is not set (eval \"$(bash scripts/postgres.sh)\")")

if PG:
    import psycopg

    from newsloom.store import postgres
    from newsloom.store.postgres import MIGRATIONS, PostgresStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg() -> Iterator[PostgresStore]:
    store = PostgresStore(PG)
    store.reset_for_tests()
    yield store
    store.close()


# -- schema --------------------------------------------------------------------------------
def test_schema_versions_and_vector_storage(pg: PostgresStore) -> None:
    assert pg.schema_version == len(MIGRATIONS)
    assert pg.vector_storage in {"pgvector", "real[]"}
    pg.put_articles([make_article("a1")])
    pg.put_enrichments([Enrichment("a1", vector=[0.1, -2.5, 3.0])])
    with PostgresStore(PG) as again:  # reopening migrates nothing and keeps data
        assert again.get_article("a1") is not None
        assert again.get_enrichment("a1").vector == pytest.approx([0.1, -2.5, 3.0])  # type: ignore[union-attr]
    with psycopg.connect(PG, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM newsloom.schema_version ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        conn.execute("INSERT INTO newsloom.schema_version VALUES (%s, 'later')", (len(MIGRATIONS) + 5,))
    try:
        with pytest.raises(StoreError, match="newer than this newsloom"):
            PostgresStore(PG)
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute("DELETE FROM newsloom.schema_version WHERE version > %s", (len(MIGRATIONS),))


def test_open_store_and_bad_addresses(pg: PostgresStore) -> None:
    with open_store(PG) as store:
        assert isinstance(store, PostgresStore)
    with open_store(PG.replace("postgresql://", "postgres://", 1)) as store:
        assert isinstance(store, PostgresStore)
    wrong = PG.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match="cannot open database") as info:
        open_store(wrong)
    if ":newsloom@" in PG:  # the password never shows in messages
        assert ":newsloom@" not in str(info.value)


def test_migrations_race_once(pg: PostgresStore) -> None:
    """Several processes opening a new database at once migrate it once."""
    schema = "newsloom_race"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait()
        try:
            opened.append(PostgresStore(PG, schema=schema, pool_size=1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        assert all(s.schema_version == len(MIGRATIONS) for s in opened)
        opened[0].put_articles([make_article("x")])
        assert opened[1].get_article("x") is not None
        assert pg.get_article("x") is None  # a schema of its own
    finally:
        for s in opened:
            s.close()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# -- fidelity to SQLite --------------------------------------------------------------------
def _random_corpus(seed: int, n: int) -> list:
    rng = random.Random(seed)
    # No Ł or ß: unaccent folds them (Łódź → lodz, Straße → strasse), FTS5 does not; see below.
    words = ["Président", "président", "Phenian", "Pyongyang", "Știri", "Lodz", "Ελλάδα", "Пхеньян",
             "flood", "Flooding", "tunnel", "Tünnel", "crème", "brûlée", "vote", "budget", "x_y", "42", "2024"]
    articles = []
    for i in range(n):
        published = rng.choice([None, f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "2023-12-31T23:00:00+02:00"])
        articles.append(make_article(
            f"id{i:03d}" if rng.random() < 0.8 else f"ID-{i}",
            title=" ".join(rng.choices(words, k=3)),
            text="\n".join(" ".join(rng.choices(words, k=12)) for _ in range(3)),
            lang=rng.choice(["en", "fr", "de", None]),
            outlet=rng.choice(["Daily Test", "Le Monde", None, "zeta", "Zeta"]),
            group=rng.choice([None, "g1", "g2"]),
            status=rng.choice(["ingested", "enriched"]),
            published=published,
            published_source="metadata" if published else None,
        ))
    return articles


def test_same_answers_as_sqlite(pg: PostgresStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "_PAGE", 7)  # page boundaries inside every listing below
    lite = SQLiteStore(tmp_path / "ref.db")
    corpus = _random_corpus(7, 60)
    for store in (lite, pg):
        store.put_articles(corpus[:40])
        store.put_articles(corpus[30:])
    filters = [None, ArticleFilter(lang="fr"), ArticleFilter(outlet="zeta"), ArticleFilter(since="2024-03-01"),
               ArticleFilter(until="2024-05-15", status="enriched"), ArticleFilter(group="g1", lang="en")]
    for where in filters:
        assert [a.id for a in pg.iter_articles(where)] == [a.id for a in lite.iter_articles(where)], where
        assert pg.article_ids(where) == lite.article_ids(where), where
        assert pg.count_articles(where) == lite.count_articles(where), where
        for limit, offset in ((5, 0), (7, 3), (20, 10), (None, 13), (0, 0)):
            ours = [a.id for a in pg.iter_articles(where, limit=limit, offset=offset)]
            theirs = [a.id for a in lite.iter_articles(where, limit=limit, offset=offset)]
            assert ours == theirs, (where, limit, offset)
    assert list(pg.iter_articles()) == list(lite.iter_articles())
    queries = ["president", "PRÉSIDENT", "lodz", "stiri", "ȘTIRI", "pyong", "Пхень", "ΕΛΛΆΔΑ", "tunnel", "brulee creme",
               "x_y", "42", "flood", "floo", "_", "fl' | !x", "tunnel & (vote", "vote:*", "nothing-here"]
    for query in queries:
        ours = {a.id for a, _ in pg.search(query, limit=100)}
        theirs = {a.id for a, _ in lite.search(query, limit=100)}
        assert ours == theirs, query
        assert {a.id for a, _ in pg.search(query, ArticleFilter(lang="fr"), limit=100)} == {
            a.id for a, _ in lite.search(query, ArticleFilter(lang="fr"), limit=100)
        }, query
    mention = EntityMention("e1", "Łódź", "LOC", ("Lodz",), 2)
    entities = [Entity("e1", "Łódź", "LOC", {"pl": ["Łódź"], "en": ["Lodz"]}), Entity("e2", "zeta", "ORG"),
                Entity("e3", "Zeta", "ORG", {"de": ["ZETA 100%"]}), Entity("e4", "Alpha", "PER")]
    for store in (lite, pg):
        store.put_enrichments([Enrichment(a.id, entities=[mention]) for a in corpus[:5]])
        store.put_entities(entities)
    for kwargs in ({}, {"type": "ORG"}, {"query": "zet"}, {"query": "LODZ"}, {"query": "łÓdź"}, {"query": "%"},
                   {"query": "a_p"}, {"limit": 2, "offset": 1}):
        assert pg.list_entities(**kwargs) == lite.list_entities(**kwargs), kwargs  # type: ignore[arg-type]
    assert pg.entity_article_ids("e1") == lite.entity_article_ids("e1")
    lite.close()


def test_search_folds_more_than_fts5(pg: PostgresStore) -> None:
    """unaccent folds letters that FTS5's remove_diacritics keeps: a superset of SQLite's hits."""
    pg.put_articles([make_article("pl", title="Łódź", text="Die Straße."), make_article("en", title="Lodz")])
    assert {a.id for a, _ in pg.search("lodz")} == {"pl", "en"}
    assert {a.id for a, _ in pg.search("łódź")} == {"pl", "en"}
    assert [a.id for a, _ in pg.search("strasse")] == ["pl"]
    pg.put_articles([make_article("el", title="Ελλάδα")])  # FTS5 keeps Greek accents too
    assert [a.id for a, _ in pg.search("ελλαδα")] == ["el"]


def test_search_ranks_title_hits_first_and_snippets(pg: PostgresStore) -> None:
    long_text = " ".join(f"word{i}" for i in range(60)) + " the flood came at night " + " ".join(
        f"tail{i}" for i in range(60)
    )
    pg.put_articles([
        make_article("in-text", title="Weather", text=long_text),
        make_article("in-title", title="Flood in the valley", text="Nothing else here."),
    ])
    hits = pg.search("flood")
    assert [a.id for a, _ in hits] == ["in-title", "in-text"]
    snippet = dict((a.id, s) for a, s in hits)["in-text"]
    assert "\x02flood\x03" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet.split()) <= 20
    assert [a.id for a, _ in pg.search("flood", limit=1, offset=1)] == ["in-text"]


def test_nul_characters_are_dropped(pg: PostgresStore) -> None:
    pg.put_articles([make_article("nul", title="A\x00B", text="te\x00xt", raw="r\x00")])
    article = pg.get_article("nul")
    assert article is not None and (article.title, article.text, article.raw) == ("AB", "text", "r")


def _own_connections(name: str) -> str:
    """PG's address with an ``application_name`` of its own: this test's backends, and no one else's."""
    return PG + ("&" if "?" in PG else "?") + f"application_name={name}"


def _kill_backends(name: str) -> int:
    with psycopg.connect(PG, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


def test_connections_say_they_are_newsloom(pg: PostgresStore) -> None:
    names = pg._fetch("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
    assert names == [("newsloom",)]


def test_survives_dropped_connections() -> None:
    """A server restart (here: the store's backends killed, and only those: other users of the
    database, such as a benchmark, keep theirs) costs no call an error."""
    name = f"newsloom-test-{uuid.uuid4().hex[:8]}"
    store = PostgresStore(_own_connections(name))
    try:
        store.reset_for_tests()
        store.put_articles([make_article("before")])
        assert _kill_backends(name) >= 1
        assert store.get_article("before") is not None
        for _ in range(3):  # the pool may hold several dead connections
            store.put_articles([make_article("after")])
        assert store.count_articles() == 2
    finally:
        store.close()


def test_a_write_whose_connection_dies_before_the_commit_runs_again(pg: PostgresStore) -> None:
    attempts: list[int] = []

    def work(cur: psycopg.Cursor) -> str:
        attempts.append(1)
        cur.execute("INSERT INTO state (key, value, updated_at) VALUES ('k', 'v', 'now')")
        if len(attempts) == 1:
            cur.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # the server drops us mid-transaction
        return "done"

    assert pg._write(work) == "done"
    assert len(attempts) == 2 and pg.get_state("k") == b"v"  # rolled back once, written once


def test_lock_conflicts_are_retried(pg: PostgresStore) -> None:
    attempts: list[int] = []

    def work(cur: psycopg.Cursor) -> str:
        attempts.append(1)
        cur.execute("INSERT INTO state (key, value, updated_at) VALUES ('k', 'v', 'now')")
        if len(attempts) < 3:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return "done"

    assert pg._write(work) == "done"
    assert len(attempts) == 3
    assert pg.get_state("k") == b"v"  # the aborted attempts left nothing behind


# -- concurrency ---------------------------------------------------------------------------
def test_threads_share_one_store(pg: PostgresStore) -> None:
    """The web server's case: one store, many threads reading and writing at once."""
    ids = [f"t{i:03d}" for i in range(240)]
    errors: list[BaseException] = []
    run_ids: list[int] = []
    barrier = threading.Barrier(6)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        mine = ids[seed * 40 : seed * 40 + 120]  # overlaps the next writer's by 80
        barrier.wait()
        try:
            run_ids.append(pg.start_run(f"writer {seed}"))
            for start in range(0, len(mine), 16):
                batch = mine[start : start + 16]
                rng.shuffle(batch)
                pg.put_articles([make_article(i, text=f"Text {i} from {seed}") for i in batch])
                pg.set_status(batch, "enriched")
                pg.put_state(f"w{seed}", str(start).encode())
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        barrier.wait()
        try:
            for _ in range(30):
                listed = list(pg.iter_articles(limit=50))
                assert len({a.id for a in listed}) == len(listed)
                pg.search("text")
                pg.count_articles(ArticleFilter(status="enriched"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    expected = ids[: 3 * 40 + 120]
    assert pg.article_ids() == sorted(expected)
    assert pg.count_articles(ArticleFilter(status="enriched")) == len(expected)
    assert len(set(run_ids)) == 4
    assert {pg.get_state(f"w{s}") for s in range(4)} == {b"112"}


def _items(numbers: range) -> list[SourceItem]:
    return [
        SourceItem(
            origin=f"/feeds/item-{n}.txt",
            kind="text",
            content=f"Harbour council story {n}\n\nThe council met on the harbour about plan {n}. "
            f"It voted on budget line {n * 7} and the bridge repairs that follow.",
            outlet=f"Outlet {n % 3}",
        )
        for n in numbers
    ]


def _ingest_in_process(address: str, numbers: range, barrier: multiprocessing.synchronize.Barrier) -> None:
    from newsloom.engines import LocalEngine
    from newsloom.pipeline import RunOptions, ingest

    items = _items(numbers)
    with open_store(address) as store:
        barrier.wait()
        ingest([], store, RunOptions(batch_size=8), items=items, engine=LocalEngine(1))


def test_processes_ingest_overlapping_items_at_once(pg: PostgresStore) -> None:
    """Two pipelines, same database, overlapping inputs released at the same instant."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    ranges = [range(0, 300), range(100, 400), range(200, 500)]
    workers = [context.Process(target=_ingest_in_process, args=(PG, r, barrier)) for r in ranges]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    stored = list(pg.iter_articles())
    origins = [a.origin for a in stored]
    assert sorted(origins) == sorted(f"/feeds/item-{n}.txt" for n in range(500))  # each once, none missing
    from newsloom.pipeline import content_hash

    assert {a.id for a in stored} == {content_hash(i)[:16] for i in _items(range(500))}
    assert len(pg.failures()) == 0


def _write_folder(folder: Path, numbers: range) -> None:
    folder.mkdir(parents=True)
    topics = ["flood defences", "tunnel fire", "harbour budget", "museum opening", "rail strike"]
    for n in numbers:
        topic = topics[n % len(topics)]
        (folder / f"story-{n:03d}.txt").write_text(
            f"Story {n} about the {topic}\n\n"
            f"Officials said on Monday that the {topic} plan number {n} would go ahead.\n\n"
            f"Residents of district {n % 7} asked for more time to study the {topic} proposal {n}.\n",
            encoding="utf-8",
        )


@pytest.mark.slow
def test_two_newsloom_runs_on_one_database(pg: PostgresStore, tmp_path: Path) -> None:
    """`newsloom run` twice at once, as two users would, on overlapping folders."""
    folders = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    for i, folder in enumerate(folders):
        _write_folder(folder, range(i * 12, i * 12 + 12))
    env = {**os.environ, "NEWSLOOM_DB": PG}
    command = [sys.executable, "-m", "newsloom", "run", "--no-report", "--json", "--batch-size", "4"]
    runs = [
        subprocess.Popen([*command, str(folders[0]), str(folders[1])], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([*command, str(folders[1]), str(folders[2])], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outputs]
    assert all(s["failed"] == 0 for s in summaries)
    expected = sorted(str(p) for folder in folders for p in folder.glob("*.txt"))
    stored = list(pg.iter_articles())
    assert sorted(a.origin for a in stored) == expected  # each file once, none missing
    assert sorted(a.id for a in stored) == [f"story-{n:03d}" for n in range(36)]  # no suffixed copies
    assert {a.status for a in stored} == {"clustered"}  # run ingests, enriches and clusters
    assert all(pg.get_enrichment(a.id) is not None for a in stored)
    assert pg.count_articles() == 36
    assert len({s["run_id"] for s in summaries}) == 2


def test_clustering_locks_of_two_schemas_do_not_wait_for_each_other(pg: PostgresStore) -> None:
    """Advisory locks are per database: each schema's store (a benchmark's, a test's) locks its own."""
    other = PostgresStore(PG, schema="newsloom_lock_other", pool_size=1)
    try:
        with pg.clustering_lock():
            entered = threading.Event()

            def take() -> None:
                with other.clustering_lock():
                    entered.set()

            thread = threading.Thread(target=take)
            thread.start()
            assert entered.wait(10)  # not blocked by the lock held on the default schema
            thread.join(10)
    finally:
        other.close()
