"""Bulk reads for streaming over a large store, run against every backend under test."""

from __future__ import annotations

from test_store import make_article

from newsloom.model import ArticleLink, DateEstimate, Enrichment, Event
from newsloom.store import ArticleFilter, Store


def test_article_days_in_listing_order(store: Store) -> None:
    store.put_articles([
        make_article("b", published="2024-06-19T10:00:00+02:00"),
        make_article("a", published="2024-06-19"),
        make_article("early", published="2023-09-13", status="enriched"),
        make_article("undated", published=None, published_source=None),
    ])
    assert store.article_days() == [("early", "2023-09-13"), ("a", "2024-06-19"), ("b", "2024-06-19"),
                                    ("undated", None)]
    assert store.article_days(ArticleFilter(status="enriched")) == [("early", "2023-09-13")]
    assert [i for i, _ in store.article_days()] == store.article_ids()


def test_get_articles_and_enrichments_in_the_order_asked(store: Store) -> None:
    store.put_articles([make_article(f"x{i}") for i in range(7)])
    est = DateEstimate("2024-06-01", 0.8, ("in June",))
    store.put_enrichments([Enrichment(f"x{i}", vector=[float(i), 0.5], date_estimate=est if i == 3 else None)
                           for i in (1, 3, 5)])
    got = store.get_articles(["x5", "missing", "x0", "x5"])
    assert [a.id for a in got] == ["x5", "x0", "x5"] and got[1] == store.get_article("x0")
    ids = [f"x{i}" for i in range(7)] + ["missing"]
    assert store.get_articles([]) == [] and store.get_enrichments([]) == []
    assert len(store.get_articles(ids * 200)) == 7 * 200  # more than one statement's worth of ids
    enr = store.get_enrichments(["x5", "x0", "x3", "x1"])
    assert [e.article_id for e in enr] == ["x5", "x3", "x1"]
    assert enr[1] == store.get_enrichment("x3") and enr[1].date_estimate is not None
    assert enr[0].vector is not None and [round(v, 3) for v in enr[0].vector] == [5.0, 0.5]


def test_linked_article_ids(store: Store) -> None:
    store.put_articles([make_article(f"y{i}") for i in range(4)])
    store.put_clustering([Event("ev000001", ["y0", "y2"])], [],
                         [ArticleLink("y0", "ev000001"), ArticleLink("y2", "ev000001")])
    assert store.linked_article_ids(["y0", "y1", "y2", "y3", "nope"]) == {"y0", "y2"}
    assert store.linked_article_ids([]) == set()
