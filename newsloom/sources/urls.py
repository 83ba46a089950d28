"""URLs: from the command line or a ``--urls`` file, fetched and turned into items.

A feed URL yields its entries; an HTML page yields one ``html`` item whose ``url`` is the
final URL after redirects and whose id is a short hash of it; a plain-text page yields one
``text`` item. Anything else (images, PDFs, …) is a failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping

from newsloom.errors import InputError
from newsloom.model import SourceFailure, SourceItem
from newsloom.sources.decode import decode, sniff_problem
from newsloom.sources.feeds import looks_like_feed, parse_feed
from newsloom.sources.files import read_capped
from newsloom.sources.http import (
    FetchOptions,
    HttpxTransport,
    Response,
    RobotsCache,
    Transport,
    check_url,
    fetch,
)
from newsloom.sources.ids import short_hash

logger = logging.getLogger(__name__)

Result = SourceItem | SourceFailure

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_INLINE_COMMENT = re.compile(r"\s+#.*$")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
_XML_TYPES = ("text/xml", "application/xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_VAGUE_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


def looks_like_url(value: str) -> bool:
    """Whether a command-line input is a URL (``scheme://…``) rather than a path."""
    return bool(_SCHEME.match(value))


class Fetcher:
    """Fetches URLs for one run: one transport, one robots.txt cache.

    Without a transport, an :class:`HttpxTransport` is made on first use (it refuses
    redirects to private addresses too) and closed by :meth:`close`.
    """

    def __init__(self, options: FetchOptions, transport: Transport | None = None) -> None:
        self.options = options
        self._transport = transport
        self._owned: HttpxTransport | None = None
        self._robots = RobotsCache()

    def items(self, url: str) -> Iterator[Result]:
        """The items of ``url``, or one failure saying why there are none."""
        try:
            response = fetch(url, self.options, self._get_transport(), robots=self._robots)
        except InputError as exc:
            yield SourceFailure(exc.origin, exc.reason)
            return
        yield from items_from_response(url, response)

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        """The response for ``url`` (304 too, with conditional ``headers``), or ``InputError``."""
        return fetch(url, self.options, self._get_transport(), robots=self._robots, headers=headers)

    def _get_transport(self) -> Transport:
        if self._transport is None:
            options = self.options
            self._owned = HttpxTransport(check_url=lambda u: check_url(u, options))
            self._transport = self._owned
        return self._transport

    def close(self) -> None:
        """Close the transport if this fetcher made it."""
        if self._owned is not None:
            self._owned.close()


def items_from_response(origin: str, response: Response) -> Iterator[Result]:
    """Items from a fetched ``response``: feed entries, one page, or one failure."""
    media, body = response.media_type, response.body
    is_feed = (
        media in _FEED_TYPES
        or (media in _XML_TYPES and not _looks_like_html(body))
        or (media in _VAGUE_TYPES and looks_like_feed(body))
    )
    if is_feed:
        problem = sniff_problem(body)
        if problem is not None:
            yield SourceFailure(origin, problem)
            return
        yield from parse_feed(body, origin, content_type=response.header("content-type"))
        return
    if media in _HTML_TYPES or media in _XML_TYPES or (media in _VAGUE_TYPES and _looks_like_html(body)):
        kind = "html"
    elif media == "text/plain":
        kind = "text"
    else:
        yield SourceFailure(origin, f"unsupported content type {media or 'unknown'}")
        return
    try:
        text = decode(body, origin, html=kind == "html", declared=response.charset)
    except InputError as exc:
        yield SourceFailure(exc.origin, exc.reason)
        return
    yield SourceItem(
        origin=origin,
        kind="html" if kind == "html" else "text",
        content=text,
        id=short_hash(response.url),
        url=response.url,
    )


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head or b"<body" in head


def read_urls_file(path: str, *, max_file_bytes: int) -> list[str]:
    """The URLs listed in ``path``, one a line; blank lines and ``#`` comments skipped.

    Raises ``InputError`` if the file cannot be read.
    """
    text = decode(read_capped(path, max_file_bytes), path)
    urls = []
    for line in text.splitlines():
        line = _INLINE_COMMENT.sub("", line).strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls
