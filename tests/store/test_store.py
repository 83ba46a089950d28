"""The Store contract, run against every backend under test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsloom.errors import StoreError
from newsloom.model import (
    Article,
    DateEstimate,
    Enrichment,
    EntityMention,
    Quote,
    RemovedLine,
    SourceFailure,
    Storyline,
)
from newsloom.store import ArticleFilter, Store, open_store
from newsloom.store.sqlite import MIGRATIONS, SQLiteStore


def make_article(article_id: str, **overrides: object) -> Article:
    fields: dict[str, object] = {
        "id": article_id,
        "origin": f"/data/{article_id}.txt",
        "kind": "text",
        "raw": f"raw {article_id}",
        "title": f"Title {article_id}",
        "text": f"Body of {article_id}.\nSecond paragraph.",
        "content_hash": f"hash-{article_id}",
        "removed": [RemovedLine("Read also: x", "marker")],
        "outlet": "Daily Test",
        "lang": "en",
        "lang_confidence": 0.99,
        "published": "2024-06-17",
        "published_source": "dateline",
        "ingested_at": "2026-01-01T00:00:00+00:00",
    }
    fields.update(overrides)
    return Article(**fields)  # type: ignore[arg-type]


def test_article_round_trip(store: Store) -> None:
    article = make_article("a1", title="Știri din București «Пхеньян»")
    store.put_articles([article])
    loaded = store.get_article("a1")
    assert loaded == article
    assert store.article_fingerprint("a1") == ("hash-a1", "/data/a1.txt")
    assert store.article_fingerprint("missing") is None
    assert store.get_article("missing") is None


def test_filters_and_order(store: Store) -> None:
    store.put_articles([
        make_article("late", published="2024-06-19T10:00:00+02:00"),
        make_article("early", published="2023-09-13", lang="ro", outlet="Cronica"),
        make_article("undated", published=None, published_source=None),
    ])
    assert [a.id for a in store.iter_articles()] == ["early", "late", "undated"]
    assert [a.id for a in store.iter_articles(ArticleFilter(lang="ro"))] == ["early"]
    assert [a.id for a in store.iter_articles(ArticleFilter(outlet="Daily Test"))] == ["late", "undated"]
    assert [a.id for a in store.iter_articles(ArticleFilter(since="2024-01-01"))] == ["late"]
    assert [a.id for a in store.iter_articles(ArticleFilter(until="2024-06-19"))] == ["early", "late"]
    assert store.count_articles() == 3
    assert store.count_articles(ArticleFilter(lang="en")) == 2
    assert [a.id for a in store.iter_articles(limit=1, offset=1)] == ["late"]


def test_replace_and_status(store: Store) -> None:
    store.put_articles([make_article("a1")])
    store.put_articles([make_article("a1", text="New text", content_hash="h2")])
    assert store.count_articles() == 1
    assert store.get_article("a1").text == "New text"  # type: ignore[union-attr]
    store.set_status(["a1"], "clustered")
    assert [a.id for a in store.iter_articles(ArticleFilter(status="clustered"))] == ["a1"]


def test_enrichment_round_trip(store: Store) -> None:
    store.put_articles([make_article("a1")])
    enrichment = Enrichment(
        article_id="a1",
        entities=[EntityMention("e1", "Pyongyang", "LOC", ("Phenian", "Phenianul"), 2)],
        quotes=[Quote("We will always be with Russia", "Kim Jong Un", "e2", "direct", 10)],
        keyphrases=["state visit"],
        date_estimate=DateEstimate("2024-06-18", 0.8, ("18-19 iunie", "anul trecut")),
        vector=[0.25, -0.5, 1.0],
        lead_chars=300,
    )
    store.put_enrichments([enrichment])
    assert store.get_enrichment("a1") == enrichment
    assert store.get_article("a1").status == "enriched"  # type: ignore[union-attr]
    assert store.get_enrichment("a2") is None


def test_runs_failures_and_state(store: Store) -> None:
    first = store.start_run("run a")
    store.add_failures(first, [SourceFailure("bad.json", "malformed JSON: line 1")])
    store.finish_run(first, {"stored": 0})
    second = store.start_run("run b")
    assert second > first
    assert store.failures() == []
    assert [(f.origin, f.reason) for f in store.failures(first)] == [("bad.json", "malformed JSON: line 1")]
    assert store.get_state("registry") is None
    store.put_state("registry", b"\x00\x01")
    store.put_state("registry", b"\x02")
    assert store.get_state("registry") == b"\x02"


def test_failed_articles_are_parked_with_their_failure(store: Store) -> None:
    store.put_articles([make_article("a1"), make_article("a2"), make_article("a3")])
    run = store.start_run("run")
    why = "worker process died while enriching it (Ray: killed)"
    store.fail_articles(run, {"a3": SourceFailure("/data/a3.txt", why), "a1": SourceFailure("/data/a1.txt", why)})
    assert store.article_ids(ArticleFilter(status="failed")) == ["a1", "a3"]
    assert store.article_ids(ArticleFilter(status="ingested")) == ["a2"]  # the next phase does not see them
    assert store.count_articles(ArticleFilter(status="failed")) == 2
    assert [(f.run_id, f.origin, f.reason) for f in store.failures(run)] == [
        (run, "/data/a3.txt", why), (run, "/data/a1.txt", why)
    ]
    store.fail_articles(run, {})
    store.put_articles([make_article("a1", text="Changed.", content_hash="h2")])  # a new version: tried again
    assert store.get_article("a1").status == "ingested"  # type: ignore[union-attr]


def test_failed_batch_stores_nothing(store: Store) -> None:
    store.put_articles([make_article("kept")])
    broken = make_article("b2", title=None)  # NOT NULL violated
    with pytest.raises(StoreError):
        store.put_articles([make_article("b1"), broken])
    assert [a.id for a in store.iter_articles()] == ["kept"]


def test_sqlite_schema_versions(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    with SQLiteStore(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        store.put_articles([make_article("a1")])
    with SQLiteStore(path) as store:  # reopening migrates nothing and keeps data
        assert store.get_article("a1") is not None
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this newsloom"):
        SQLiteStore(path)


def test_open_store_addresses(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        assert isinstance(store, SQLiteStore)
    assert (tmp_path / "x.db").exists()


def test_entities_and_their_articles(store: Store) -> None:
    from newsloom.model import Entity

    store.put_articles([make_article("a1", published="2024-06-18"), make_article("a2", published="2023-09-13")])
    mention = EntityMention("pyongyang", "Pyongyang", "LOC", ("Phenian",), 3)
    store.put_enrichments([Enrichment("a1", entities=[mention]), Enrichment("a2", entities=[mention])])
    store.put_entities([
        Entity("pyongyang", "Pyongyang", "LOC", {"ro": ["Phenian", "Phenianul"], "it": ["Pyongyang"]}, 2, 6),
        Entity("kremlin", "Kremlin", "ORG", {"it": ["Cremlino"]}, 1, 1),
    ])
    assert store.get_entity("pyongyang").aliases["ro"] == ["Phenian", "Phenianul"]  # type: ignore[union-attr]
    assert [e.id for e in store.list_entities()] == ["pyongyang", "kremlin"]
    assert [e.id for e in store.list_entities(type="ORG")] == ["kremlin"]
    assert [e.id for e in store.list_entities(query="Cremlino")] == ["kremlin"]
    assert store.entity_article_ids("pyongyang") == ["a2", "a1"]
    store.put_enrichments([Enrichment("a1")])  # re-enrichment replaces the article's mentions
    assert store.entity_article_ids("pyongyang") == ["a2"]


def test_clustering_round_trip_and_redirect(store: Store) -> None:
    from newsloom.model import ArticleLink, Event

    store.put_articles([make_article(i, published=d) for i, d in (("a", "2024-06-18"), ("b", "2024-06-17"),
                                                                  ("c", "2023-09-13"))])
    events = [
        Event("e-pact", ["a", "b"], "Putin in Pyongyang", "2024-06-17", "2024-06-18", "s1", ["ro", "it"], ["X"]),
        Event("e-vostochny", ["c"], "Kim at Vostochny", "2023-09-13", "2023-09-13", "s1", ["it"], ["Y"]),
        Event("e-old", [], "merged away", merged_into="e-pact"),
    ]
    storyline = Storyline("s1", ["e-vostochny", "e-pact"], "Russia–North Korea", ["Pyongyang"], ["it", "ro"],
                          ["X", "Y"], "2023-09-13", "2024-06-18")
    links = [ArticleLink("a", "e-pact"), ArticleLink("b", "e-pact", duplicate_of="a"), ArticleLink("c", "e-vostochny")]
    store.put_clustering(events, [storyline], links)
    pact = store.get_event("e-pact")
    assert pact is not None and pact.article_ids == ["b", "a"] and pact.languages == ["ro", "it"]
    assert store.get_event("e-old").id == "e-pact"  # type: ignore[union-attr]
    assert store.get_event("nope") is None
    assert [e.id for e in store.list_events()] == ["e-vostochny", "e-pact"]
    assert [e.id for e in store.list_events(storyline_id="s1")] == ["e-vostochny", "e-pact"]
    assert store.get_storyline("s1") == storyline
    assert [s.id for s in store.list_storylines()] == ["s1"]
    assert store.article_link("b") == ArticleLink("b", "e-pact", "a", None)
    assert store.article_link("zzz") is None
    assert store.article_links(["b", "zzz", "c", "b"]) == {
        "b": ArticleLink("b", "e-pact", "a", None), "c": ArticleLink("c", "e-vostochny")}
    assert store.article_links([]) == {}
    # a storyline left with no event is deleted in the same write that moves its events
    moved = Event("e-vostochny", ["c"], "Kim at Vostochny", "2023-09-13", "2023-09-13", "s2", ["it"], ["Y"])
    store.put_clustering([moved], [Storyline("s2", ["e-vostochny"], "Kim")], [], dropped_storylines=["s1"])
    assert store.get_storyline("s1") is None and [s.id for s in store.list_storylines()] == ["s2"]
    # ... or, when its events went to another storyline, becomes a redirect there (followed along a chain)
    store.put_clustering([], [Storyline("s3", ["e-vostochny"], "Kim"), Storyline("s2", [], merged_into="s3"),
                              Storyline("s0", [], merged_into="s2")], [])
    assert store.get_storyline("s2").id == store.get_storyline("s0").id == "s3"  # type: ignore[union-attr]
    assert [s.id for s in store.list_storylines()] == ["s3"]
    store.put_clustering([], [Storyline("s4", [], merged_into="s5"), Storyline("s5", [], merged_into="s4")], [])
    assert store.get_storyline("s4") is None  # a loop leads nowhere


def test_search_is_accent_insensitive_and_safe(store: Store) -> None:
    store.put_articles([
        make_article("ro", title="Vizita la Phenian", text="Președintele rus a sosit în capitala nord-coreeană.",
                     lang="ro"),
        make_article("it", title="Visita a Pyongyang", text="Il presidente è atterrato la sera.", lang="it"),
    ])
    hits = store.search("presedintele")
    assert [a.id for a, _ in hits] == ["ro"]
    assert "\x02" in hits[0][1]
    assert [a.id for a, _ in store.search("PYONG")] == ["it"]  # prefix, any case
    assert [a.id for a, _ in store.search("atterrato", ArticleFilter(lang="ro"))] == []
    assert [a.id for a, _ in store.search('rus" (capitala* -')] == ["ro"]  # FTS5 syntax in input is inert
    assert store.search("OR NEAR") == []  # operators are words that must match
    assert store.search("") == []
    store.put_articles([make_article("it", title="Visita a Pyongyang", text="Testo cambiato.", lang="it")])
    assert store.search("atterrato") == []
    assert [a.id for a, _ in store.search("cambiato")] == ["it"]


def _found(store: Store, query: str) -> set[str]:
    return {a.id for a, _ in store.search(query, limit=50)}


def test_search_folds_greek_accents_and_final_sigma(store: Store) -> None:
    store.put_articles([
        make_article("el", title="Καύσωνας στην Ακρόπολη", text="Η Ελλάς κλείνει τον χώρο έως τις 5 Μαΐου.",
                     lang="el"),
        make_article("el-plain", title="ακροπολη", text="χωρις τονους", lang="el"),
    ])
    for query in ("ακροπολη", "Ακρόπολη", "ΑΚΡΌΠΟΛΗ", "ΑΚΡΟΠ"):
        assert _found(store, query) == {"el", "el-plain"}, query
    assert _found(store, "μαιου") == _found(store, "ΜΑΐΟΥ") == {"el"}  # ΐ: dialytika and tonos
    assert _found(store, "ΕΛΛΑΣ") == _found(store, "ελλας") == _found(store, "Ελλάς") == {"el"}  # ς = σ
    assert _found(store, "τονου") == {"el-plain"}  # unaccented text found by an accented query below too
    assert _found(store, "τόνους") == {"el-plain"}
    hits = dict((a.id, s) for a, s in store.search("ακροπολη καυσωνας χωρο"))
    assert set(hits) == {"el"}
    assert "\x02χώρο\x03" in hits["el"]  # snippets show the original text, accents and all


def test_search_keeps_russian_short_i_and_folds_yo(store: Store) -> None:
    """й is a letter of its own to a Russian reader (мой ≠ мои); ё is written е most of the time."""
    store.put_articles([
        make_article("moi", title="Мой дом", text="Йод и край.", lang="ru"),
        make_article("moi-pl", title="Мои дома", text="Иод и краи.", lang="ru"),
        make_article("yolka", title="Ёлка на площади", text="Зелёная ёлка.", lang="ru"),
        make_article("elka", title="Елка в парке", text="Зеленая елка.", lang="ru"),
        make_article("stress", title="Приве\u0301т", text="Ударе\u0301ние в словаре.", lang="ru"),
    ])
    assert _found(store, "мой") == {"moi"}
    assert _found(store, "МОИ") == {"moi-pl"}
    assert _found(store, "край") == {"moi"} and _found(store, "краи") == {"moi-pl"}
    assert _found(store, "йод") == {"moi"} and _found(store, "иод") == {"moi-pl"}
    assert _found(store, "елка") == _found(store, "ёлка") == _found(store, "ЁЛКА") == {"yolka", "elka"}
    assert _found(store, "зеленая") == {"yolka", "elka"}
    assert _found(store, "привет") == {"stress"}  # a stress mark is an accent
    assert _found(store, "ударение") == {"stress"}


def test_search_folds_romanian_comma_and_cedilla(store: Store) -> None:
    store.put_articles([
        make_article("comma", title="Știri din București", text="Țara și orașul.", lang="ro"),
        make_article("cedilla", title="Ştiri din Bucureşti", text="Ţara şi oraşul.", lang="ro"),
        make_article("plain", title="Stiri din Bucuresti", text="Tara si orasul.", lang="ro"),
    ])
    for query in ("stiri", "știri", "ştiri", "ȘTIRI", "ŞTIRI", "bucureşti", "bucurești", "țara", "ţara", "orasul"):
        assert _found(store, query) == {"comma", "cedilla", "plain"}, query


def test_search_folds_german_sharp_s_and_accents_both_ways(store: Store) -> None:
    store.put_articles([
        make_article("de", title="Die Straße", text="Große Müller-Gruppe.", lang="de"),
        make_article("ch", title="Die Strasse", text="Grosse Muller-Gruppe.", lang="de"),
        make_article("fr", title="Le café de l'Élysée", text="Un été à Noël.", lang="fr"),
        make_article("en", title="Cafe near the Elysee", text="Summer at Noel.", lang="en"),
    ])
    for query in ("strasse", "straße", "STRASSE", "große", "grosse", "müller", "muller", "MÜLLER"):
        assert _found(store, query) == {"de", "ch"}, query
    assert _found(store, "elysee") == _found(store, "Élysée") == _found(store, "ÉLYSÉE") == {"fr", "en"}
    assert _found(store, "café") == _found(store, "cafe") == {"fr", "en"}
    assert _found(store, "noël") == _found(store, "noel") == {"fr", "en"}
    snippet = dict((a.id, s) for a, s in store.search("gross"))["de"]
    assert "\x02Große\x03" in snippet


def test_sqlite_migration_folds_an_existing_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database written before schema version 4 gets its search index rebuilt, folded."""
    from newsloom.store import sqlite as sqlite_store

    path = tmp_path / "old.db"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:3])
    with SQLiteStore(path) as old:
        old.put_articles([make_article("el", title="Ακρόπολη", text="Η Ελλάς.", lang="el")])
        assert old.schema_version == 3
    monkeypatch.undo()
    with SQLiteStore(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 4
        assert _found(store, "ακροπολη") == _found(store, "ελλας") == {"el"}
        store.put_articles([make_article("el", title="Άλλος τίτλος", text="Κείμενο.", lang="el")])
        assert _found(store, "ακροπολη") == set() and _found(store, "αλλος") == {"el"}


def test_sqlite_migration_keeps_storylines_and_adds_their_redirects(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A database written before schema version 5 keeps its storylines and can store redirects."""
    from newsloom.store import sqlite as sqlite_store

    path = tmp_path / "old.db"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:4])
    with SQLiteStore(path) as old:
        assert old.schema_version == 4
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO storylines (id, label, event_ids) VALUES ('s1', 'Kim', '[\"e1\"]')")
    conn.close()
    monkeypatch.undo()
    with SQLiteStore(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 5
        assert store.get_storyline("s1") == Storyline("s1", ["e1"], "Kim")
        store.put_clustering([], [Storyline("s2", ["e1"], "Kim"), Storyline("s1", [], merged_into="s2")], [])
        assert store.get_storyline("s1").id == "s2"  # type: ignore[union-attr]


def test_state_codec_round_trips_arrays_without_pickle() -> None:
    import numpy as np

    from newsloom.store.codec import state_from_bytes, state_to_bytes

    state = {"ids": ["a", "b"], "vectors": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.int64(4),
             "seen": {"x", "y"}, "nested": [{"m": np.array([1, 2], dtype=np.int32)}], "none": None}
    blob = state_to_bytes(state)
    assert b"__ndarray__" in blob and not blob.startswith(b"\x80")  # JSON, not a pickle
    back = state_from_bytes(blob)
    assert back["ids"] == ["a", "b"] and back["n"] == 4 and back["seen"] == {"x", "y"} and back["none"] is None
    assert back["vectors"].dtype == np.float32 and back["vectors"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["nested"][0]["m"].tolist() == [1, 2]


def test_clustering_lock_lets_one_process_in_at_a_time(store: Store) -> None:
    """A second store on the same database (as a second `newsloom run` would open) waits its turn."""
    import threading
    import time

    from newsloom.store import open_store

    address = getattr(store, "path", None) or store.address
    other = open_store(address)
    order: list[str] = []
    holding = threading.Event()

    def second() -> None:
        holding.wait(5)
        with other.clustering_lock():
            order.append("second in")

    thread = threading.Thread(target=second)
    thread.start()
    with store.clustering_lock():
        holding.set()
        time.sleep(0.3)
        order.append("first out")
    thread.join(10)
    other.close()
    assert order == ["first out", "second in"]
    with store.clustering_lock():  # released: it can be taken again
        pass
