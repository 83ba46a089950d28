"""Local files and folders: walking, the size cap, and dispatch by extension or content.

Folders are walked recursively in name order, skipping hidden files and folders (names
starting with a dot) and files whose extension no reader supports. A file without an
extension is sniffed: WARC, feed, JSON, JSON Lines, HTML or else plain text.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path

from newsloom.errors import InputError
from newsloom.model import SourceFailure, SourceItem
from newsloom.sources.decode import BINARY, SNIFF_BYTES, decode, sniff_problem
from newsloom.sources.feeds import looks_like_feed, parse_feed
from newsloom.sources.jsonl import parse_json, parse_jsonl
from newsloom.sources.warc import read_warc

logger = logging.getLogger(__name__)

Result = SourceItem | SourceFailure

_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
}
_HTML_START = re.compile(rb"<(!doctype\s+html|html|head|body|p|div|article|meta)[\s>]", re.I)


def file_format(path: str) -> str | None:
    """The reader for ``path`` by its extension; ``"sniff"`` if it has none, else ``None``.

    Formats: ``text``, ``html``, ``json``, ``jsonl``, ``feed``, ``warc``.
    """
    name = os.path.basename(path).lower()
    if name.endswith(".warc.gz"):
        return "warc"
    suffix = Path(name).suffix
    if not suffix:
        return "sniff"
    return _BY_SUFFIX.get(suffix)


def iter_path(path: str, *, max_file_bytes: int) -> Iterator[Result]:
    """The items of a file, or of every supported file under a folder."""
    try:
        info = os.stat(path)
    except OSError as exc:
        yield SourceFailure(path, os_reason(exc))
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk(path, max_file_bytes, ancestors=frozenset(), seen=set())
        return
    fmt = file_format(path)
    if fmt is None:
        yield SourceFailure(path, f"unsupported file type '{Path(path).suffix.lower()}'")
        return
    yield from read_file(path, fmt, max_file_bytes=max_file_bytes, explicit=True)


def _walk(
    folder: str, max_file_bytes: int, *, ancestors: frozenset[tuple[int, int]], seen: set[tuple[int, int]]
) -> Iterator[Result]:
    try:
        info = os.stat(folder)
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        yield SourceFailure(folder, os_reason(exc))
        return
    key = (info.st_dev, info.st_ino)
    if key in ancestors:
        yield SourceFailure(folder, "directory loop: a link leads back to an enclosing folder")
        return
    if key in seen:
        logger.debug("skipping %s: already walked through another link", folder)
        return
    seen.add(key)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        full = os.path.join(folder, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(full, max_file_bytes, ancestors=ancestors | {key}, seen=seen)
            continue
        fmt = file_format(full)
        if fmt is None:
            logger.debug("skipping %s: unsupported extension", full)
            continue
        yield from read_file(full, fmt, max_file_bytes=max_file_bytes, explicit=False)


def read_file(path: str, fmt: str, *, max_file_bytes: int, explicit: bool = True) -> Iterator[Result]:
    """The items of one file read as ``fmt`` (see :func:`file_format`)."""
    group = str(Path(path).parent)
    stem = Path(path).stem
    if fmt == "warc":
        try:
            _check_regular(path)
        except InputError as exc:
            yield SourceFailure(exc.origin, exc.reason)
            return
        yield from read_warc(path, max_record_bytes=max_file_bytes, group=group)
        return
    try:
        data = read_capped(path, max_file_bytes)
    except InputError as exc:
        yield SourceFailure(exc.origin, exc.reason)
        return
    if fmt == "sniff":
        fmt = sniff_format(data)
        if fmt == "binary" and not explicit:
            logger.debug("skipping %s: binary file without extension", path)
            return
        if fmt == "warc":
            yield from read_warc(path, max_record_bytes=max_file_bytes, group=group)
            return
    try:
        if fmt == "feed":
            problem = sniff_problem(data)
            if problem is not None:
                raise InputError(path, problem)
            yield from parse_feed(data, path, group=group)
            return
        text = decode(data, path, html=fmt == "html")
    except InputError as exc:
        yield SourceFailure(exc.origin, exc.reason)
        return
    if fmt == "json":
        yield from parse_json(text, path, stem=stem, group=group)
    elif fmt == "jsonl":
        yield from parse_jsonl(text, path, stem=stem, group=group)
    else:
        yield SourceItem(origin=path, kind="html" if fmt == "html" else "text", content=text, id=stem, group=group)


def sniff_format(data: bytes) -> str:
    """What a file without extension holds: a format of :func:`file_format` or ``binary``."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\x1f\x8b"):
        try:
            inflated = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            inflated = b""
        return "warc" if inflated.startswith(b"WARC/") else "binary"
    if head.startswith(b"WARC/"):
        return "warc"
    if sniff_problem(head) == BINARY:
        return "binary"
    if looks_like_feed(head):
        return "feed"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return _json_flavour(data)
    if _HTML_START.search(head[:2048]):
        return "html"
    return "text"


def _json_flavour(data: bytes) -> str:
    """``jsonl`` when the first line is a whole JSON value and more lines follow."""
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) < 2:
        return "json"
    try:
        json.loads(lines[0])
    except ValueError:
        return "json"
    return "jsonl"


def read_capped(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, or ``InputError`` if it is over ``limit``.

    The size is checked before reading, so a huge file is never loaded.
    """
    info = _check_regular(path)
    if info.st_size > limit:
        raise InputError(path, too_large(info.st_size, limit))
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from exc
    if len(data) > limit:  # grew since stat
        raise InputError(path, too_large(len(data), limit))
    return data


def _check_regular(path: str) -> os.stat_result:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, os.strerror(errno.EISDIR))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "not a regular file")
    return info


def too_large(size: int, limit: int) -> str:
    """``too large: 61.2 MB > 50 MB limit``."""
    shown, cap = human_size(size), human_size(limit)
    if shown == cap:  # 50.000001 MB rounds to the limit: be exact
        shown, cap = f"{size} bytes", f"{limit} bytes"
    return f"too large: {shown} > {cap} limit"


def human_size(size: int) -> str:
    """A byte count in decimal units: ``61.2 MB``, ``50 MB``, ``512 bytes``."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def os_reason(exc: OSError) -> str:
    """The operating system's words for ``exc`` (``No such file or directory``)."""
    return exc.strerror or str(exc)
