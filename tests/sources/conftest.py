"""Fixtures for the sources tests: the bad-input corpus, WARC writing, offline fetching."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsloom.sources import FetchOptions

BAD_INPUTS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
PUBLIC_IP = "93.184.216.34"

# (target URI, HTTP status line, content type, body); None as URI means a warcinfo record
WarcRecord = tuple[str, str, str, bytes]
WarcMaker = Callable[..., Path]


def write_warc(path: Path, records: Sequence[WarcRecord], *, gzip: bool) -> Path:
    """A WARC at ``path``: a warcinfo record, then one response record per entry."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsloom-tests"}))
        for uri, status, content_type, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
            )
    return path


def page(text: str) -> bytes:
    """A small HTML page around ``text`` (UTF-8)."""
    return f"<html><head><title>T</title></head><body><p>{text}</p></body></html>".encode()


@pytest.fixture
def make_warc() -> WarcMaker:
    """``make_warc(path, records, gzip=False)`` writes a WARC (see ``write_warc``)."""

    def make(path: Path, records: Sequence[WarcRecord], gzip: bool = False) -> Path:
        return write_warc(path, records, gzip=gzip)

    return make


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    """The committed bad inputs plus the generated ones, next to good files, in one folder."""
    folder = tmp_path / "bad"
    shutil.copytree(BAD_INPUTS, folder)
    (folder / "png_header.txt").write_bytes(PNG_HEADER + bytes(range(256)))
    with open(folder / "too_big.txt", "wb") as big:
        big.truncate(61_200_000)  # sparse: instant, and takes no disk space
    articles = [
        ("https://news.example.com/a", "200 OK", "text/html; charset=utf-8", page("First archived story.")),
        ("https://news.example.com/b", "200 OK", "text/html; charset=utf-8", page("Second archived story.")),
        ("https://news.example.com/c", "200 OK", "text/html; charset=utf-8", page("Third archived story.")),
    ]
    whole = write_warc(tmp_path / "whole.warc.gz", articles, gzip=True).read_bytes()
    (folder / "truncated.warc.gz").write_bytes(whole[: len(whole) - 200])
    write_warc(folder / "good.warc", articles[:1], gzip=False)
    (folder / "good.txt").write_text("A perfectly fine article about the harvest.\n", encoding="utf-8")
    return folder


@pytest.fixture
def sleeps() -> list[float]:
    """Where the fake ``sleep`` of ``offline_options`` records the delays asked for."""
    return []


@pytest.fixture
def offline_options(sleeps: list[float]) -> Callable[..., FetchOptions]:
    """``offline_options(**overrides)``: FetchOptions that never sleep nor touch DNS.

    Every host resolves to a public address unless ``resolve`` is overridden.
    """

    def make(**overrides: object) -> FetchOptions:
        options = FetchOptions(sleep=sleeps.append, resolve=lambda host: [PUBLIC_IP])
        for name, value in overrides.items():
            setattr(options, name, value)
        return options

    return make
