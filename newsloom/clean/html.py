"""Article text and page metadata out of HTML.

The text comes from a cascade of plain functions, each tried only while the text so far is
shorter than ``CleanOptions.html_fallback_chars``; a later one wins only with more text:

1. :func:`trafilatura_text` — ``trafilatura.bare_extraction`` (main-content detection,
   comments excluded);
2. :func:`baseline_text` — ``trafilatura.baseline`` (JSON-LD article bodies, ``<article>``,
   ``<p>`` elements, then the whole body);
3. :func:`paragraph_text` — every ``<p>`` outside navigation, header, footer, aside and forms
   (unless broken markup nested the article inside one of them).

Metadata (title, canonical URL, site name, date) comes from trafilatura's metadata
extraction in the same call. Dates: htmldate is told ``extensive_search=False`` (no free-text
guessing over the page: only the page's metadata, date elements and URL) and
``original_date=True`` (publication, not last modification); nothing is ever filled in
from the current date. Site names trafilatura derives from the URL's host are dropped: only
a name the page declares counts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree

from newsloom.clean.lines import headline_part
from newsloom.clean.options import CleanOptions

LOGGER = logging.getLogger(__name__)

DATE_PARAMS: dict[str, Any] = {"extensive_search": False, "original_date": True}

_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)", re.IGNORECASE)
_URL_HOST = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")
_NOT_TEXT = ("script", "style", "noscript", "template")
_CHROME = ("nav", "header", "footer", "aside", "form")


@dataclass(frozen=True)
class HtmlPage:
    """What a page yields: text (one paragraph a line) and the metadata it declares."""

    text: str
    title: str | None = None
    url: str | None = None  # canonical URL the page declares
    sitename: str | None = None
    date: str | None = None  # ISO date from the page's metadata
    lang: str | None = None  # <html lang>
    method: str = "none"  # which extractor of the cascade produced the text


def trafilatura_text(html: str) -> tuple[str, Any]:
    """trafilatura's main-content text and its metadata ``Document`` (or ``None``)."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            date_extraction_params=DATE_PARAMS,
        )
    except Exception as err:  # a third-party extractor on arbitrary pages: fall back, never stop
        LOGGER.warning("trafilatura failed: %s", err)
        return "", None
    if doc is None:
        return "", None
    return getattr(doc, "text", None) or "", doc


def baseline_text(html: str) -> str:
    """trafilatura's baseline extractor: JSON-LD bodies, ``<article>``, ``<p>``, the body."""
    try:
        return trafilatura.baseline(html)[1]
    except Exception as err:  # see trafilatura_text
        LOGGER.warning("trafilatura baseline failed: %s", err)
        return ""


def paragraph_text(html: str) -> str:
    """The text of every ``<p>`` outside navigation, header, footer, aside and forms."""
    try:
        tree = trafilatura.load_html(html)
    except Exception as err:  # see trafilatura_text
        LOGGER.warning("lxml could not parse the page: %s", err)
        return ""
    if tree is None:
        return ""
    etree.strip_elements(tree, *_NOT_TEXT, with_tail=False)
    # page chrome goes, unless broken markup left the article inside it (an <article>, or
    # most of the page's paragraphs)
    total = sum(1 for _ in tree.iter("p"))
    chrome = [el for el in tree.iter(*_CHROME) if el.find(".//article") is None]
    for el in chrome:
        if el.getparent() is not None and 2 * sum(1 for _ in el.iter("p")) <= total:
            el.drop_tree()
    paragraphs = (" ".join(p.text_content().split()) for p in tree.iter("p"))
    return "\n".join(p for p in paragraphs if p)


FALLBACKS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("baseline", baseline_text),
    ("paragraphs", paragraph_text),
)


def extract_html(html: str, options: CleanOptions | None = None) -> HtmlPage:
    """Text and declared metadata of one page; ``text`` is empty when nothing was found."""
    opts = options or CleanOptions()
    text, doc = trafilatura_text(html)
    method = "trafilatura" if text else "none"
    for name, fallback in FALLBACKS:
        if len(text) >= opts.html_fallback_chars:
            break
        alternative = fallback(html)
        if len(alternative.strip()) > len(text.strip()):
            text, method = alternative, name
    if doc is None:  # trafilatura found no text: still read the page's metadata
        try:
            doc = trafilatura.extract_metadata(html, date_config=DATE_PARAMS)
        except Exception as err:  # see trafilatura_text
            LOGGER.warning("trafilatura metadata failed: %s", err)
    url = getattr(doc, "url", None) or None
    sitename = _declared_sitename(getattr(doc, "sitename", None), url)
    lang = _HTML_LANG.search(html[:20000])
    return HtmlPage(
        text=text,
        title=_clean_title(getattr(doc, "title", None), sitename),
        url=url,
        sitename=sitename,
        date=getattr(doc, "date", None) or None,
        lang=lang.group(1).replace("_", "-").lower() if lang else None,
        method=method,
    )


def _declared_sitename(sitename: str | None, url: str | None) -> str | None:
    """The site name unless it is only trafilatura's fallback, the URL's host."""
    if not sitename:
        return None
    host = _URL_HOST.match(url or "")
    if host and sitename == host.group(1):
        return None
    return sitename.strip() or None


def _clean_title(title: str | None, sitename: str | None) -> str | None:
    """A page title without its " | Site name" tail."""
    if not title:
        return None
    title = " ".join(title.split())
    if sitename:
        for sep in _TITLE_SEPARATORS:
            suffix = sep + sitename
            if title.casefold().endswith(suffix.casefold()) and len(title) > len(suffix):
                title = title[: -len(suffix)]
                break
    return headline_part(title) or None
