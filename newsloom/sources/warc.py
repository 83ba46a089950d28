"""WARC archives (``.warc``, ``.warc.gz``): one HTML item per successful response record.

Files are streamed, never read whole, so the size cap applies to each record's payload
rather than to the archive (crawls routinely write 1 GB WARCs). warcio silently stops at a
truncated file; here gzip is decompressed by :mod:`gzip`, which notices a cut member, and
each record's declared length is checked, so truncation becomes a failure for the file
after the records read before it.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from newsloom.errors import InputError
from newsloom.model import SourceFailure, SourceItem
from newsloom.sources.decode import charset_param, decode
from newsloom.sources.ids import short_hash

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 16


class _Truncated(Exception):
    """The archive ends in the middle of something (not an EOFError: warcio eats those)."""


class _GzipReader:
    """A gzip stream whose truncation or corruption raises ``_Truncated``."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")

    def read(self, size: int = -1) -> bytes:
        try:  # read1: hand over what decompressed before a cut instead of losing it
            return self._gz.read1(size) if size and size > 0 else self._gz.read()
        except EOFError as exc:
            raise _Truncated("compressed data ends early") from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise _Truncated(f"corrupt gzip data: {exc}") from exc

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._gz.readline(size)
        except EOFError as exc:
            raise _Truncated("compressed data ends early") from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise _Truncated(f"corrupt gzip data: {exc}") from exc

    def close(self) -> None:
        self._gz.close()


def read_warc(path: str, *, max_record_bytes: int, group: str | None = None) -> Iterator[SourceItem | SourceFailure]:
    """The HTML response records of the WARC at ``path`` as items ``path#n``."""
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream: Any = _GzipReader(raw) if compressed else raw
            if not _starts_like_warc(path, compressed):
                yield SourceFailure(path, "not a WARC file: it does not start with a WARC/ record")
                return
            for n, record in enumerate(ArchiveIterator(stream), start=1):
                result = _record(record, f"{path}#{n}", max_record_bytes, group)
                if result is not None:
                    yield result
    except OSError as exc:
        yield SourceFailure(path, exc.strerror or str(exc))
    except _Truncated as exc:
        yield SourceFailure(path, f"truncated or malformed WARC: {exc}")
    except ArchiveLoadFailed as exc:
        yield SourceFailure(path, f"truncated or malformed WARC: {_first_line(exc)}")
    except Exception as exc:  # warcio fails in many ways on bad bytes
        logger.debug("warcio failed on %s", path, exc_info=True)
        yield SourceFailure(path, f"truncated or malformed WARC: {type(exc).__name__}: {exc}")


def _starts_like_warc(path: str, compressed: bool) -> bool:
    """Whether the (decompressed) file starts with ``WARC/`` (ARC files do not)."""
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as handle:
            return handle.read(5) == b"WARC/"
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _Truncated(f"corrupt gzip data: {exc}") from exc


def _record(record: Any, origin: str, max_bytes: int, group: str | None) -> SourceItem | SourceFailure | None:
    """The item for one record, a failure, or ``None`` for records that are not pages."""
    wanted = _is_html_response(record)
    try:
        body = record.content_stream().read(max_bytes + 1) if wanted else b""
    except (zlib.error, ValueError, ArchiveLoadFailed) as exc:
        _drain(record)
        return SourceFailure(origin, f"cannot decode record payload: {exc}")
    _drain(record)
    if record.length is None:
        raise _Truncated(f"record {origin.rsplit('#', 1)[1]} has no Content-Length")
    if isinstance(record.raw_stream, LimitReader) and record.raw_stream.limit > 0:
        raise _Truncated(f"record {origin.rsplit('#', 1)[1]} is cut short")
    if not wanted:
        return None
    if len(body) > max_bytes:
        return SourceFailure(origin, f"record payload over the {max_bytes}-byte limit")
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
    charset = charset_param(record.http_headers.get_header("Content-Type"))
    try:
        content = decode(body, origin, html=True, declared=charset)
    except InputError as exc:
        return SourceFailure(exc.origin, exc.reason)
    # WARC-Date is when the page was crawled, not published: published stays None.
    return SourceItem(
        origin=origin, kind="html", content=content, id=short_hash(url or origin), url=url or None, group=group
    )


def _is_html_response(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        logger.debug("skipping WARC response with status %s", status)
        return False
    media = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
    return media.strip().lower() in _HTML_TYPES


def _drain(record: Any) -> None:
    while record.raw_stream.read(_CHUNK):
        pass


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
