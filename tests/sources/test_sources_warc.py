"""WARC archives: HTML responses become items; truncation and garbage become failures."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import FetchOptions, iter_inputs

WarcMaker = Callable[..., Path]  # the make_warc fixture of conftest.py


def page(text: str) -> bytes:
    return f"<html><head><title>T</title></head><body><p>{text}</p></body></html>".encode()


def read(path: Path, **kwargs: object) -> list[SourceItem | SourceFailure]:
    return list(iter_inputs([str(path)], **kwargs))  # type: ignore[arg-type]


def test_one_good_response_record(tmp_path: Path, make_warc: WarcMaker) -> None:
    url = "https://news.example.com/2024/06/budget"
    path = make_warc(tmp_path / "crawl.warc", [(url, "200 OK", "text/html; charset=utf-8", page("Budget passed."))])
    [item] = read(path)
    assert isinstance(item, SourceItem)
    assert item.origin == f"{path}#2"  # record 1 is the warcinfo
    assert item.kind == "html"
    assert item.url == url
    assert item.id == hashlib.sha1(url.encode()).hexdigest()[:16]
    assert item.published is None  # WARC-Date is the crawl date, not the publication date
    assert "<p>Budget passed.</p>" in item.content


def test_only_successful_html_responses_count(tmp_path: Path, make_warc: WarcMaker) -> None:
    records = [
        ("https://x.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("https://x.example/missing", "404 Not Found", "text/html", page("Not found")),
        ("https://x.example/moved", "301 Moved Permanently", "text/html", page("Moved")),
        ("https://x.example/data.json", "200 OK", "application/json", b'{"a": 1}'),
        ("https://x.example/story", "200 OK", "application/xhtml+xml", page("The story.")),
    ]
    path = make_warc(tmp_path / "mixed.warc.gz", records, gzip=True)
    results = read(path)
    assert [r.url for r in results if isinstance(r, SourceItem)] == ["https://x.example/story"]
    assert len(results) == 1


def test_charset_from_the_http_header(tmp_path: Path, make_warc: WarcMaker) -> None:
    body = "<p>Preşedintele a declarat marţi că ţara îşi va întări apărarea.</p>".encode("cp1250")
    path = make_warc(tmp_path / "ro.warc", [("https://z.ro/a", "200 OK", "text/html; charset=windows-1250", body)])
    [item] = read(path)
    assert isinstance(item, SourceItem)
    assert "Preşedintele a declarat marţi că ţara" in item.content


def test_binary_or_empty_html_record_is_a_record_failure(tmp_path: Path, make_warc: WarcMaker) -> None:
    records = [
        ("https://x.example/empty", "200 OK", "text/html", b"   "),
        ("https://x.example/ok", "200 OK", "text/html", page("Fine.")),
    ]
    path = make_warc(tmp_path / "c.warc", records)
    empty, ok = read(path)
    assert empty == SourceFailure(f"{path}#2", "empty file")
    assert isinstance(ok, SourceItem) and ok.origin == f"{path}#3"


def test_truncated_gzip_warc_keeps_the_records_before_the_cut(tmp_path: Path, make_warc: WarcMaker) -> None:
    records = [(f"https://x.example/{n}", "200 OK", "text/html", page(f"Story {n}.") * 20) for n in range(3)]
    whole = make_warc(tmp_path / "whole.warc.gz", records, gzip=True).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) - 100])
    results = read(cut)
    assert [r.url for r in results if isinstance(r, SourceItem)] == ["https://x.example/0", "https://x.example/1"]
    assert results[-1] == SourceFailure(str(cut), "truncated or malformed WARC: compressed data ends early")


def test_truncated_plain_warc_is_a_failure(tmp_path: Path, make_warc: WarcMaker) -> None:
    records = [(f"https://x.example/{n}", "200 OK", "text/html", page(f"Story {n}.") * 20) for n in range(2)]
    whole = make_warc(tmp_path / "whole.warc", records).read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: len(whole) - 300])
    results = read(cut)
    assert [r.url for r in results if isinstance(r, SourceItem)] == ["https://x.example/0"]
    assert results[-1] == SourceFailure(str(cut), "truncated or malformed WARC: record 3 is cut short")


def test_garbage_named_warc_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_bytes(b"this is not an archive\n" * 5)
    [failure] = read(path)
    assert isinstance(failure, SourceFailure)
    assert failure.origin == str(path)
    assert failure.reason == "not a WARC file: it does not start with a WARC/ record"


def test_gzip_that_is_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(b"\x1f\x8bnot really compressed at all")
    [failure] = read(path)
    assert isinstance(failure, SourceFailure) and failure.reason.startswith("truncated or malformed WARC")


def test_record_over_the_size_cap_fails_alone(tmp_path: Path, make_warc: WarcMaker) -> None:
    records = [
        ("https://x.example/big", "200 OK", "text/html", page("x" * 5000)),
        ("https://x.example/small", "200 OK", "text/html", page("small")),
    ]
    path = make_warc(tmp_path / "big.warc", records)
    big, small = read(path, options=FetchOptions(max_file_bytes=1000))
    assert big == SourceFailure(f"{path}#2", "record payload over the 1000-byte limit")
    assert isinstance(small, SourceItem) and small.url == "https://x.example/small"


def test_extensionless_warc_gz_is_sniffed(tmp_path: Path, make_warc: WarcMaker) -> None:
    made = make_warc(tmp_path / "made.warc.gz", [("https://x.example/s", "200 OK", "text/html", page("S"))], gzip=True)
    path = tmp_path / "crawl-0001"
    made.rename(path)
    [item] = read(path)
    assert isinstance(item, SourceItem) and item.url == "https://x.example/s"
