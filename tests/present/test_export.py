"""Exports: one record per article, as JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from newsloom.model import Article, Enrichment
from newsloom.present.export import CSV_FIELDS, export
from newsloom.store import Store, open_store


def _article(article_id: str, title: str) -> Article:
    return Article(
        id=article_id, origin=f"in/{article_id}.txt", kind="text", raw=title, title=title, text=title + ".",
        content_hash=f"hash-{article_id}", outlet="Herald", lang="en", published="2024-06-10T08:00:00+00:00",
        published_source="metadata",
    )


def test_every_record_fits_the_csv_header(fixture_store: Store) -> None:
    out = io.StringIO()
    count = export(fixture_store, "jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(records) > 0
    assert all(set(r) <= set(CSV_FIELDS) for r in records)  # a new field must be given a CSV column
    assert any("event" in r for r in records) and any("event" not in r for r in records)


def test_a_first_article_without_event_or_enrichment_does_not_drop_columns(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "x.db")) as store:
        store.put_articles([_article("a-pending", "Ferry service resumes"), _article("b-done", "Storm hits coast")])
        store.put_enrichments([Enrichment(article_id="b-done", keyphrases=["storm"], lead_chars=150)])
        out = io.StringIO()
        assert export(store, "csv", out) == 2
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert list(rows) == ["a-pending", "b-done"]
    assert rows["a-pending"]["keyphrases"] == "" and rows["a-pending"]["embedded_lead_chars"] == ""
    assert json.loads(rows["b-done"]["keyphrases"]) == ["storm"]
    assert rows["b-done"]["embedded_lead_chars"] == "150"


def test_an_empty_store_exports_a_header_only(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "x.db")) as store:
        out = io.StringIO()
        assert export(store, "csv", out) == 0
    assert out.getvalue().strip().split(",") == list(CSV_FIELDS)
