"""Extract & clean: one ``SourceItem`` in, its title, clean text and metadata out.

    extract(item, options) -> Extracted

HTML goes through :mod:`newsloom.clean.html` (trafilatura, then fallbacks) and the text it
yields through the same line cleaner as plain text (:mod:`newsloom.clean.lines`). Lines that
recur across an outlet's articles are found by :mod:`newsloom.clean.recurring` over a
corpus and passed back in ``CleanOptions.recurring``. Every line taken out is kept in
``Extracted.removed`` with a reason code (``lines.REASONS`` and the constants next to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from newsloom.clean.html import HtmlPage, extract_html
from newsloom.clean.lines import CleanedText, clean_text
from newsloom.clean.options import CleanOptions
from newsloom.clean.recurring import find_recurring_lines, normalise_line, strip_lines
from newsloom.errors import InputError
from newsloom.model import RemovedLine, SourceItem

__all__ = [
    "CleanOptions",
    "CleanedText",
    "Extracted",
    "HtmlPage",
    "clean_text",
    "extract",
    "extract_html",
    "find_recurring_lines",
    "normalise_line",
    "strip_lines",
]


#: Han, kana, Hangul, Thai, Lao, Myanmar, Khmer: scripts written without spaces, where one
#: character carries about what a Latin word-part does.
_DENSE = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]")
#: How many Latin characters one character of a dense script counts as: Chinese takes about a
#: third as many characters as English for the same content, so a one-line Chinese news brief
#: ("西蒂韦尼·兰布卡就任斐济总理。", 15 characters) is text, not an empty page.
DENSE_CHAR_WEIGHT = 3


def text_length(text: str) -> int:
    """Length of ``text`` for the "is there any article text" check, dense scripts weighted."""
    return len(text) + (DENSE_CHAR_WEIGHT - 1) * len(_DENSE.findall(text))


@dataclass
class Extracted:
    """One item's article: title, cleaned body and the metadata the input declared."""

    title: str
    text: str  # cleaned body, paragraphs separated by "\n"
    removed: list[RemovedLine]  # every line taken out, with a short reason code
    url: str | None  # canonical URL if the page declares one, else the item's url
    outlet: str | None  # site name the HTML declares (og:site_name etc.), else the item's
    published: str | None  # ISO 8601 from the input's own metadata or the page's metadata
    published_source: str | None  # "metadata" (input record / feed) | "html" (page metadata)
    lang_hint: str | None  # the record's lang, else <html lang>


def extract(item: SourceItem, options: CleanOptions | None = None) -> Extracted:
    """Extract and clean one item; ``InputError`` when no article text remains."""
    opts = options or CleanOptions()
    page = extract_html(item.content, opts) if _is_html(item) else None
    body = page.text if page else item.content
    cleaned = clean_text(body, title=item.title or (page.title if page else None), options=opts)
    if text_length(cleaned.text) < opts.min_text_chars:
        raise InputError(item.origin, "no article text found")
    published, source = _iso(item.published), "metadata"
    if published is None and page is not None and page.date:
        published, source = page.date, "html"
    return Extracted(
        title=cleaned.title,
        text=cleaned.text,
        removed=cleaned.removed,
        url=(page.url if page else None) or item.url,
        outlet=(page.sitename if page else None) or item.outlet,
        published=published,
        published_source=source if published else None,
        lang_hint=item.lang or (page.lang if page else None),
    )


def _is_html(item: SourceItem) -> bool:
    """HTML by kind, or a "text" item that is really a saved page."""
    if item.kind == "html":
        return True
    head = item.content.lstrip()[:100].lower()
    return head.startswith(("<!doctype html", "<html"))


def _iso(value: str | None) -> str | None:
    """A declared date as ISO 8601 (feeds also write RFC 2822); ``None`` if unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return None
