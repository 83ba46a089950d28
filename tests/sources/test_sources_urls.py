"""URLs through iter_inputs: pages, feeds, --urls files, failures, all via MockTransport."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import FetchOptions, MockTransport, Response, iter_inputs

Options = Callable[..., FetchOptions]
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    b'<item><guid isPermaLink="false">w-1</guid><link>https://wire.example/1</link>'
    b"<description>First wire story</description></item>"
    b'<item><guid isPermaLink="false">w-2</guid><link>https://wire.example/2</link>'
    b"<description>Second wire story</description></item></channel></rss>"
)


def short(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:16]


def html(url: str, text: str, charset: str = "utf-8") -> Response:
    body = f"<html><body><p>{text}</p></body></html>".encode(charset)
    return Response(url, 200, {"Content-Type": f"text/html; charset={charset}"}, body)


def test_html_url_is_one_item_with_the_final_url(offline_options: Options) -> None:
    transport = MockTransport({"http://news.example/s": html("https://www.news.example/s", "Stire")})
    [item] = iter_inputs(["http://news.example/s"], options=offline_options(), transport=transport)
    assert item == SourceItem(
        origin="http://news.example/s",
        kind="html",
        content="<html><body><p>Stire</p></body></html>",
        id=short("https://www.news.example/s"),
        url="https://www.news.example/s",
    )


def test_page_charset_from_the_content_type_header(offline_options: Options) -> None:
    url = "https://ziar.example/ro"
    transport = MockTransport({url: html(url, "Preşedintele a declarat marţi că ţara", "cp1250")})
    [item] = iter_inputs([url], options=offline_options(), transport=transport)
    assert isinstance(item, SourceItem) and "Preşedintele a declarat marţi că ţara" in item.content


def test_feed_url_yields_its_entries(offline_options: Options) -> None:
    url = "https://wire.example/rss"
    transport = MockTransport({url: Response(url, 200, {"Content-Type": "application/rss+xml"}, RSS)})
    results = list(iter_inputs([url], options=offline_options(), transport=transport))
    assert [(r.origin, r.id, r.outlet) for r in results if isinstance(r, SourceItem)] == [
        (f"{url}#1", "w-1", "Wire"),
        (f"{url}#2", "w-2", "Wire"),
    ]


def test_feed_served_as_generic_xml_or_without_type_is_sniffed(offline_options: Options) -> None:
    urls = ["https://a.example/feed", "https://b.example/feed"]
    transport = MockTransport(
        {
            urls[0]: Response(urls[0], 200, {"Content-Type": "text/xml"}, RSS),
            urls[1]: Response(urls[1], 200, {}, RSS),
        }
    )
    results = list(iter_inputs(urls, options=offline_options(), transport=transport))
    assert [r.origin for r in results] == [f"{urls[0]}#1", f"{urls[0]}#2", f"{urls[1]}#1", f"{urls[1]}#2"]


def test_unsupported_content_type_is_a_failure(offline_options: Options) -> None:
    url = "https://x.example/photo"
    transport = MockTransport({url: Response(url, 200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff")})
    assert list(iter_inputs([url], options=offline_options(), transport=transport)) == [
        SourceFailure(url, "unsupported content type image/jpeg")
    ]


def test_empty_page_is_a_failure(offline_options: Options) -> None:
    url = "https://x.example/blank"
    transport = MockTransport({url: Response(url, 200, {"Content-Type": "text/html"}, b"  \n")})
    assert list(iter_inputs([url], options=offline_options(), transport=transport)) == [
        SourceFailure(url, "empty file")
    ]


def test_urls_file_with_comments_blank_lines_and_failures(tmp_path: Path, offline_options: Options) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# morning reading list\n"
        "\n"
        "https://a.example/one\n"
        "   # indented comment\n"
        "https://b.example/two   # trailing comment\n"
        "ftp://c.example/three\n"
        "https://d.example/gone\n",
        encoding="utf-8",
    )
    transport = MockTransport(
        {
            "https://a.example/one": html("https://a.example/one", "One"),
            "https://b.example/two": html("https://b.example/two", "Two"),
            "https://d.example/gone": Response("https://d.example/gone", 410),
        }
    )
    results = list(iter_inputs([], urls_file=str(urls), options=offline_options(), transport=transport))
    assert [(r.origin, type(r).__name__) for r in results] == [
        ("https://a.example/one", "SourceItem"),
        ("https://b.example/two", "SourceItem"),
        ("ftp://c.example/three", "SourceFailure"),
        ("https://d.example/gone", "SourceFailure"),
    ]
    assert results[2].reason == "unsupported URL scheme 'ftp' (only http and https)"  # type: ignore[union-attr]
    assert results[3].reason == "HTTP 410 Gone"  # type: ignore[union-attr]
    assert not any("#" in call or "comment" in call for call in transport.calls)


def test_missing_urls_file_is_a_failure_and_paths_still_come_through(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("text", encoding="utf-8")
    missing = tmp_path / "urls.txt"
    results = list(iter_inputs([str(good)], urls_file=str(missing), transport=MockTransport({})))
    assert isinstance(results[0], SourceItem)
    assert results[1] == SourceFailure(str(missing), "No such file or directory")


def test_files_and_urls_mixed_in_order(tmp_path: Path, offline_options: Options) -> None:
    first = tmp_path / "first.txt"
    first.write_text("first", encoding="utf-8")
    last = tmp_path / "last.txt"
    last.write_text("last", encoding="utf-8")
    url = "https://x.example/mid"
    transport = MockTransport({url: html(url, "mid")})
    results = list(iter_inputs([str(first), url, str(last)], options=offline_options(), transport=transport))
    assert [r.origin for r in results] == [str(first), url, str(last)]


def test_fetch_failures_become_source_failures(offline_options: Options) -> None:
    robots = Response("https://x.example/robots.txt", 200, {}, b"User-agent: *\nDisallow: /\n")
    urls = ["https://x.example/a", "http://10.0.0.1/admin", "https://y.example/down"]
    transport = MockTransport(
        {
            "https://x.example/robots.txt": robots,
            "https://y.example/down": ConnectionError("Connection refused"),
        }
    )
    results = list(iter_inputs(urls, options=offline_options(retries=1), transport=transport))
    assert results == [
        SourceFailure("https://x.example/a", "disallowed by robots.txt"),
        SourceFailure("http://10.0.0.1/admin", "refusing private address 10.0.0.1 of 10.0.0.1 (allow_private is off)"),
        SourceFailure("https://y.example/down", "Connection refused (gave up after 2 attempts)"),
    ]


def test_no_transport_is_made_without_urls(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("offline", encoding="utf-8")
    # no transport given and none needed: nothing may try to reach the network
    assert [r.origin for r in iter_inputs([str(path)])] == [str(path)]
