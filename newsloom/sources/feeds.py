"""RSS and Atom feeds: one item per entry, through feedparser."""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources.ids import is_url, short_hash

logger = logging.getLogger(__name__)

_FEED_ROOT = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(rss|feed|RDF)[\s>/]")
_HTML_ROOT = re.compile(rb"<html[\s>]", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` starts like an RSS, RDF or Atom document (and not like HTML)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in head[:4]:  # UTF-16/32 XML: decode the head to look at it
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    page = _HTML_ROOT.search(head)
    return page is None or page.start() > feed.start()


def parse_feed(
    data: bytes, origin: str, *, group: str | None = None, content_type: str | None = None
) -> Iterator[SourceItem | SourceFailure]:
    """The entries of the feed in ``data``; one failure if it is not a feed at all.

    Entries are ``origin#n`` (n from 1). A feed that feedparser could only read loosely
    still yields the entries it recovered, unless none of them has content, in which case
    the whole feed is reported as malformed.
    """
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # a parser crash on hostile input is bad input
        logger.debug("feedparser crashed on %s", origin, exc_info=True)
        yield SourceFailure(origin, f"malformed feed: {type(exc).__name__}: {exc}")
        return
    problem = _malformation(parsed)
    if not parsed.get("version") and not parsed.entries:
        yield SourceFailure(origin, problem or "not an RSS or Atom feed")
        return
    feed = parsed.get("feed", {})
    outlet = _text(feed.get("title"))
    lang = _text(feed.get("language"))
    results = [
        _entry(entry, f"{origin}#{n}", outlet=outlet, lang=lang, group=group)
        for n, entry in enumerate(parsed.entries, start=1)
    ]
    if problem is not None and not any(isinstance(r, SourceItem) for r in results):
        yield SourceFailure(origin, problem)
        return
    if problem is not None:
        logger.warning("%s: %s; read loosely", origin, problem)
    if not results:
        logger.info("%s: feed has no entries", origin)
    yield from results


def _malformation(parsed: Any) -> str | None:
    """Why the feed is not well-formed XML, or ``None`` (encoding quibbles do not count)."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):
        return f"malformed feed: {exc.getMessage()} (line {exc.getLineNumber()}, column {exc.getColumnNumber()})"
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None
    return f"malformed feed: {exc}" if exc else None


def _entry(
    entry: Any, origin: str, *, outlet: str | None, lang: str | None, group: str | None
) -> SourceItem | SourceFailure:
    content = _content(entry)
    if content is None:
        return SourceFailure(origin, "feed entry has no content or summary")
    link = _text(entry.get("link"))
    guid = _text(entry.get("id"))
    if guid and not is_url(guid):
        item_id = guid
    elif link or guid:
        item_id = short_hash(link or guid or "")
    else:
        item_id = short_hash(origin)
    return SourceItem(
        origin=origin,
        kind="html",
        content=content,
        id=item_id,
        url=link,
        title=_text(entry.get("title")),
        lang=lang,
        published=_published(entry),
        outlet=outlet,
        group=group,
    )


def _content(entry: Any) -> str | None:
    """``content:encoded`` / Atom ``content`` (HTML preferred), else the summary, as HTML."""
    blocks: list[Mapping[str, Any]] = [b for b in entry.get("content") or [] if _text(b.get("value"))]
    blocks.sort(key=lambda b: str(b.get("type", "")).lower() not in _HTML_TYPES)
    if blocks:
        return _as_html(str(blocks[0]["value"]), str(blocks[0].get("type", "")))
    summary = _text(entry.get("summary"))
    if summary:
        detail = entry.get("summary_detail") or {}
        return _as_html(summary, str(detail.get("type", "text/html")))
    return None


def _as_html(value: str, media_type: str) -> str:
    return html.escape(value, quote=False) if media_type.lower() == "text/plain" else value


def _published(entry: Any) -> str | None:
    """The entry's date as ISO 8601 in UTC (feedparser normalises to UTC)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
