"""Sources: turn files, folders, feeds, archives and URLs into ``SourceItem``s.

:func:`iter_inputs` is the entry point. It yields one ``SourceItem`` per document and one
``SourceFailure`` per input (or record inside a container) that cannot be read, and never
raises for bad input. Modules, one per concern:

- ``files``: walking folders, the size cap, dispatch by extension or content
- ``decode``: bytes to text (BOMs, UTF-8, declared charsets, a careful guess)
- ``jsonl``: JSON and JSON Lines records
- ``warc``: WARC archives
- ``feeds``: RSS and Atom
- ``http``: transports and polite, safe fetching
- ``urls``: URLs and ``--urls`` files
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from newsloom.errors import InputError
from newsloom.model import SourceFailure, SourceItem
from newsloom.sources.files import iter_path
from newsloom.sources.http import (
    FetchOptions,
    HttpxTransport,
    MockTransport,
    Response,
    RobotsCache,
    Transport,
    fetch,
)
from newsloom.sources.urls import Fetcher, looks_like_url, read_urls_file

__all__ = [
    "FetchOptions",
    "HttpxTransport",
    "MockTransport",
    "Response",
    "RobotsCache",
    "Transport",
    "fetch",
    "iter_inputs",
]

logger = logging.getLogger(__name__)


def iter_inputs(
    paths: Sequence[str],
    *,
    urls_file: str | None = None,
    options: FetchOptions | None = None,
    transport: Transport | None = None,
) -> Iterator[SourceItem | SourceFailure]:
    """Every document in ``paths`` (files, folders, URLs) and then in ``urls_file``.

    Inputs are read in the order given, folders in sorted order; the URLs of ``urls_file``
    come last. ``transport`` defaults to a real :class:`HttpxTransport`, made only if a URL
    is to be fetched.
    """
    if isinstance(paths, str):  # one path, not a sequence of one-character paths
        paths = [paths]
    options = options or FetchOptions()
    fetcher = Fetcher(options, transport)
    try:
        for path in paths:
            if looks_like_url(path):
                yield from fetcher.items(path)
            else:
                yield from iter_path(path, max_file_bytes=options.max_file_bytes)
        if urls_file is not None:
            try:
                urls = read_urls_file(urls_file, max_file_bytes=options.max_file_bytes)
            except InputError as exc:
                yield SourceFailure(exc.origin, exc.reason)
                return
            for url in urls:
                yield from fetcher.items(url)
    finally:
        fetcher.close()
