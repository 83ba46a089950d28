"""One record per article, as JSON Lines or CSV, for other tools to read."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from newsloom.model import Article
from newsloom.store import Store

#: Columns every export carries.
BASE_FIELDS = (
    "id", "source", "outlet", "lang", "title", "text", "published", "published_source", "url",
)
#: Columns of an article placed in an event, then of an enriched one.
LINK_FIELDS = ("event", "story", "duplicate_of", "translation_of")
ENRICHMENT_FIELDS = ("entities", "quotes", "keyphrases", "date_estimate", "embedded_lead_chars")
#: The CSV header: every column a record can have, so a first article that is not enriched or
#: not placed yet does not decide the columns for the rest (its cells stay empty).
CSV_FIELDS = BASE_FIELDS + LINK_FIELDS + ENRICHMENT_FIELDS


def article_record(store: Store, article: Article) -> dict[str, Any]:
    """The export record of one article."""
    record: dict[str, Any] = {
        "id": article.id,
        "source": article.origin,
        "outlet": article.outlet,
        "lang": article.lang,
        "title": article.title,
        "text": article.text,
        "published": article.published,
        "published_source": article.published_source,
        "url": article.url,
    }
    link = store.article_link(article.id)
    if link is not None:
        event = store.get_event(link.event_id)
        record["event"] = event.id if event else link.event_id
        record["story"] = event.storyline_id if event else None
        record["duplicate_of"] = link.duplicate_of
        record["translation_of"] = link.translation_of
    enrichment = store.get_enrichment(article.id)
    if enrichment is not None:
        record["entities"] = [
            {"id": e.entity_id, "name": e.name, "type": e.type, "surface": list(e.surface), "count": e.count}
            for e in enrichment.entities
        ]
        record["quotes"] = [
            {"text": q.text, "speaker": q.speaker, "speaker_id": q.speaker_entity_id, "kind": q.kind}
            for q in enrichment.quotes
        ]
        record["keyphrases"] = enrichment.keyphrases
        estimate = enrichment.date_estimate
        record["date_estimate"] = (
            {"date": estimate.date, "confidence": estimate.confidence, "evidence": list(estimate.evidence)}
            if estimate
            else None
        )
        record["embedded_lead_chars"] = enrichment.lead_chars
    return record


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write one JSON object a line; return how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write a CSV with a header; nested values are JSON-encoded in their cell."""
    writer = csv.DictWriter(out, fieldnames=list(CSV_FIELDS), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
            for k, v in record.items()
        })
        count += 1
    return count


def export(store: Store, fmt: str, out: TextIO) -> int:
    """Export every stored article in ``fmt`` (``jsonl`` or ``csv``) to ``out``."""
    records = (article_record(store, a) for a in store.iter_articles())
    if fmt == "jsonl":
        return write_jsonl(records, out)
    if fmt == "csv":
        return write_csv(records, out)
    raise ValueError(f"unknown export format {fmt!r}: use jsonl or csv")
