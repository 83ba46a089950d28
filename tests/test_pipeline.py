"""The main job over real inputs: ids, idempotent re-runs, failures, learned boilerplate."""

from __future__ import annotations

import json
from pathlib import Path

from newsloom.model import SourceFailure, SourceItem
from newsloom.pipeline import content_hash, ingest
from newsloom.store import Store


def test_seeds_language_date_and_titles(store: Store, seeds_dir: Path) -> None:
    summary = ingest([str(seeds_dir)], store)
    assert summary.ok and summary.stored == 5
    by_id = {a.id[:3]: a for a in store.iter_articles()}
    assert {k: a.lang for k, a in by_id.items()} == {"000": "ro", "001": "ro", "002": "it", "003": "it", "004": "it"}
    assert by_id["000"].published == "2024-06-17"
    assert by_id["000"].published_source == "dateline"
    for key in ("001", "002", "003", "004"):
        assert by_id[key].published is None, key
    assert by_id["000"].title != "June 17, 2024"
    assert by_id["001"].title.startswith("Putin a acceptat propunerea lui Kim Jong Un")
    # the input's own id (the file stem) is the article's id
    assert "000_721f38e0835637b1" in {a.id for a in store.iter_articles()}


def test_rerun_is_a_no_op_and_changes_update(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("A headline here\n\nThe mayor opened the new bridge on Monday morning.\n")
    (folder / "b.txt").write_text("Another headline\n\nThe council approved the budget after a long debate.\n")
    first = ingest([str(folder)], store)
    assert (first.stored, first.updated, first.unchanged) == (2, 0, 0)
    second = ingest([str(folder)], store)
    assert (second.stored, second.updated, second.unchanged) == (0, 0, 2)
    (folder / "a.txt").write_text("A headline here\n\nThe mayor opened the new bridge on Tuesday.\n")
    third = ingest([str(folder)], store)
    assert (third.stored, third.updated, third.unchanged) == (0, 1, 1)
    assert "Tuesday" in store.get_article("a").text  # type: ignore[union-attr]
    assert store.count_articles() == 2


def test_same_id_from_another_file_is_kept_apart(store: Store, tmp_path: Path) -> None:
    for sub, text in (("x", "The harbour reopened after the storm passed."), ("y", "Prices of bread rose again.")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "index.txt").write_text(f"Headline {sub}\n\n{text}\n")
    summary = ingest([str(tmp_path)], store)
    assert summary.stored == 2
    ids = sorted(a.id for a in store.iter_articles())
    assert ids[0] == "index" and ids[1].startswith("index-")
    assert ingest([str(tmp_path)], store).unchanged == 2


def test_bad_input_is_reported_and_the_rest_goes_on(store: Store, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good headline\n\nA perfectly ordinary article about a town fair.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "records.jsonl").write_text(
        json.dumps({"id": "r1", "title": "Record one", "text": "The festival drew large crowds on Sunday."})
        + "\n[1, 2]\n"
    )
    summary = ingest([str(tmp_path)], store)
    assert not summary.ok
    failed = {Path(f.origin.split("#")[0]).name for f in summary.failures}
    assert failed == {"empty.txt", "broken.json", "records.jsonl"}
    assert all(f.reason for f in summary.failures)
    assert {a.id for a in store.iter_articles()} == {"good", "r1"}
    assert [f.origin for f in store.failures(summary.run_id)] == [f.origin for f in summary.failures]


def test_unknown_json_fields_are_never_kept(store: Store, tmp_path: Path) -> None:
    record = {
        "id": "j1", "title": "Bridge opens", "text": "The long-awaited bridge opened to traffic today.",
        "source": "Harbour Ledger", "published": "2025-04-03T08:00:00+02:00", "secret_field": "DO-NOT-ECHO",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    ingest([str(tmp_path)], store)
    article = store.get_article("j1")
    assert article is not None and article.outlet == "Harbour Ledger"
    assert article.published is not None and article.published.startswith("2025-04-03")
    assert article.published_source == "metadata"
    assert "DO-NOT-ECHO" not in json.dumps(article.__dict__, default=str).replace(article.raw, "")


def test_outlet_footer_is_learned_from_the_corpus(store: Store) -> None:
    titles = ["River floods old town", "Hail ruins harvest", "Tram line delayed", "Bakery wins prize"]
    bodies = [
        "The river rose two metres overnight and flooded the old town.",
        "Farmers counted their losses after the hail storm on Friday.",
        "The new tram line will open in September, the city said.",
        "A local bakery won the national bread prize this year.",
    ]
    items = [
        SourceItem(
            origin=f"feed#{i}", kind="text", id=f"s{i}", outlet="Valley Herald",
            content=f"{title}\n\n{body}\n\nValley Herald: independent local reporting since 188{i}",
        )
        for i, (title, body) in enumerate(zip(titles, bodies, strict=True))
    ]
    summary = ingest([], store, items=items)
    assert summary.removed["recurring-in-outlet"] == 4
    for article in store.iter_articles():
        assert "independent local reporting" not in article.text
        assert [r.line for r in article.removed if r.reason == "recurring-in-outlet"] == [
            f"Valley Herald: independent local reporting since 188{article.id[1]}"
        ]
    # a new article of the same outlet loses the learned footer too
    footer = "Valley Herald: independent local reporting since 1889"
    new = SourceItem(origin="feed#9", kind="text", id="s9", outlet="Valley Herald",
                     content=f"Late headline\n\nThe mayor resigned.\n\n{footer}")
    ingest([], store, items=[new])
    assert "independent local reporting" not in store.get_article("s9").text  # type: ignore[union-attr]


def test_source_failures_pass_through(store: Store) -> None:
    items = [SourceFailure("https://example.org/feed", "disallowed by robots.txt")]
    summary = ingest([], store, items=items)
    expected = [("https://example.org/feed", "disallowed by robots.txt")]
    assert [(f.origin, f.reason) for f in summary.failures] == expected


def test_content_hash_covers_metadata() -> None:
    a = SourceItem(origin="x", kind="text", content="same")
    b = SourceItem(origin="x", kind="text", content="same", published="2024-01-01")
    assert content_hash(a) != content_hash(b)
    assert content_hash(a) == content_hash(SourceItem(origin="y", kind="text", content="same"))


def test_enrich_seeds_entities_across_languages(store: Store, seeds_dir: Path) -> None:
    from newsloom.pipeline import enrich_stored, load_registry

    ingest([str(seeds_dir)], store)
    assert enrich_stored(store) == 5
    assert enrich_stored(store) == 0  # nothing left to do
    pyongyang = next(e for e in store.list_entities(query="Pyongyang") if e.name == "Pyongyang")
    assert {"ro", "it"} <= set(pyongyang.aliases)
    assert any(form.startswith("Phenian") for form in pyongyang.aliases["ro"])
    assert pyongyang.article_count == len(store.entity_article_ids(pyongyang.id)) >= 3
    kim = next(e for e in store.list_entities(type="PER") if e.name == "Kim Jong Un")
    assert kim.article_count == 5
    enrichment = store.get_enrichment("001_356e37914bdd2a92")
    assert enrichment is not None and enrichment.vector is not None and len(enrichment.vector) == 384
    speakers = {q.speaker for q in enrichment.quotes}
    assert {"John Kirby", "Vladimir Putin"} <= speakers
    assert enrichment.date_estimate is not None
    assert (enrichment.date_estimate.date or "2023-09")[:7] in {"2023-08", "2023-09", "2023-10"}
    # the registry persisted with the store
    assert len(load_registry(store)) == len(store.list_entities())


def test_reingesting_a_changed_article_re_enriches_without_double_counting(store: Store, tmp_path: Path) -> None:
    from newsloom.pipeline import enrich_stored

    path = tmp_path / "a.txt"
    path.write_text("Visit to Vienna\n\nThe mayor of Vienna, Anna Berger, met the minister in Vienna on Monday.\n")
    ingest([str(tmp_path)], store)
    enrich_stored(store)
    path.write_text("Visit to Vienna\n\nThe mayor of Vienna, Anna Berger, met the minister in Vienna on Tuesday.\n")
    ingest([str(tmp_path)], store)
    assert enrich_stored(store) == 1
    vienna = next(e for e in store.list_entities() if e.name == "Vienna")
    assert vienna.article_count == 1


def _place(store: Store, folder: Path) -> dict[str, str]:
    from newsloom.pipeline import cluster_stored, enrich_stored

    ingest([str(folder)], store)
    enrich_stored(store)
    cluster_stored(store)
    out = {}
    for article_id in store.article_ids():
        link = store.article_link(article_id)
        assert link is not None
        out[article_id[: article_id.index("-0")]] = link.event_id
    return out


def test_a_changed_article_is_placed_again_and_an_emptied_event_redirects(store: Store, tmp_path: Path) -> None:
    """An article rewritten to cover another event moves there; an event it leaves empty redirects."""
    from newsloom.cli import demo_corpus

    text = demo_corpus() / "text"
    names = {"faro": "faro-0425-fondo-danubio.txt", "gazzetta": "gazzetta-0425-fondo-danubio.txt",
             "ledger": "ledger-0424-eu-flood-fund.txt", "morgenblatt": "morgenblatt-0502-baeder-app.txt"}
    for name in names.values():
        (tmp_path / name).write_text((text / name).read_text(encoding="utf-8"), encoding="utf-8")
    before = _place(store, tmp_path)
    fund, pool_app = before["faro"], before["morgenblatt"]
    assert before["gazzetta"] == before["ledger"] == fund != pool_app
    fund_story = store.get_event(fund).storyline_id  # type: ignore[union-attr]
    pool_story = store.get_event(pool_app).storyline_id  # type: ignore[union-attr]
    assert fund_story != pool_story

    # the pool-app article is rewritten as one more report on the flood fund
    fund_report = (text / names["ledger"]).read_text(encoding="utf-8")
    (tmp_path / names["morgenblatt"]).write_text(
        "EU flood fund: what Vienna gets\n\n" + fund_report.split("\n", 2)[2] + "\nVienna will ask for its share.\n",
        encoding="utf-8",
    )
    after = _place(store, tmp_path)
    assert after["morgenblatt"] == fund
    assert {after[k] for k in ("faro", "gazzetta", "ledger")} == {fund}
    old = store.get_event(pool_app)
    assert old is not None and old.id == fund  # the emptied event's id leads to where its article went
    # the fund event keeps its storyline; the pool app's storyline, left with no event, is no longer
    # listed, and its id leads where its event went
    assert store.get_event(fund).storyline_id == fund_story  # type: ignore[union-attr]
    assert [(s.id, s.event_ids) for s in store.list_storylines()] == [(fund_story, [fund])]
    assert pool_story is not None and store.get_storyline(pool_story).id == fund_story  # type: ignore[union-attr]


def test_an_unexpected_error_on_one_input_is_a_failure_and_the_run_goes_on(store: Store, monkeypatch) -> None:
    import newsloom.pipeline as pipeline

    real = pipeline.build_article

    def fragile(item, digest, options=None):  # type: ignore[no-untyped-def]
        if item.origin == "odd.html":
            raise RecursionError("maximum recursion depth exceeded")  # e.g. a parser on a pathological page
        return real(item, digest, options)

    monkeypatch.setattr(pipeline, "build_article", fragile)
    items = [SourceItem(origin="odd.html", kind="text", id="odd", content="A page that breaks a parser."),
             SourceItem(origin="fine.txt", kind="text", id="fine", content="Headline\n\nThe council met on Monday.")]
    summary = ingest([], store, items=items)
    assert [(f.origin, f.reason) for f in summary.failures] == [
        ("odd.html", "could not be read (RecursionError: maximum recursion depth exceeded)")]
    assert store.get_article("fine") is not None and store.get_article("odd") is None
