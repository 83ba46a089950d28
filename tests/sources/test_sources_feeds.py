"""RSS and Atom feeds: entries, ids, content choice, dates, outlet; malformed feeds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import iter_inputs

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Ziarul de Iasi</title>
  <link>https://ziarul.example.ro/</link>
  <language>ro</language>
  <item>
    <title>Bugetul a fost aprobat</title>
    <link>https://ziarul.example.ro/bugetul</link>
    <guid isPermaLink="false">zi-2024-0603-17</guid>
    <description>Pe scurt: bugetul.</description>
    <content:encoded><![CDATA[<p>Guvernul a aprobat <b>bugetul</b> marți.</p>]]></content:encoded>
    <pubDate>Mon, 03 Jun 2024 10:30:00 +0300</pubDate>
  </item>
  <item>
    <title>Only a summary</title>
    <link>https://ziarul.example.ro/scurt</link>
    <guid>https://ziarul.example.ro/scurt</guid>
    <description>Ploi &amp; vant in Moldova.</description>
  </item>
  <item>
    <title>No body at all</title>
    <link>https://ziarul.example.ro/gol</link>
  </item>
</channel>
</rss>
""".encode()

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">
  <title>Il Quotidiano</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-06-03T08:00:00Z</updated>
  <entry>
    <title>Il Consiglio approva</title>
    <link href="https://quotidiano.example.it/consiglio"/>
    <id>tag:quotidiano.example.it,2024:consiglio</id>
    <updated>2024-06-03T08:00:00+02:00</updated>
    <summary>Riassunto</summary>
    <content type="html">&lt;p&gt;La città è più sicura.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Testo semplice</title>
    <link href="https://quotidiano.example.it/testo"/>
    <id>https://quotidiano.example.it/testo</id>
    <published>2024-06-02T12:00:00Z</published>
    <content type="text">1 &lt; 2 e basta</content>
  </entry>
</feed>
""".encode()


def read(path: Path) -> list[SourceItem | SourceFailure]:
    return list(iter_inputs([str(path)]))


def short(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:16]


def test_rss_with_content_encoded_and_non_permalink_guid(tmp_path: Path) -> None:
    path = tmp_path / "ziarul.rss"
    path.write_bytes(RSS)
    first, second, third = read(path)
    assert first == SourceItem(
        origin=f"{path}#1",
        kind="html",
        content="<p>Guvernul a aprobat <b>bugetul</b> marți.</p>",
        id="zi-2024-0603-17",
        url="https://ziarul.example.ro/bugetul",
        title="Bugetul a fost aprobat",
        lang="ro",
        published="2024-06-03T07:30:00+00:00",
        outlet="Ziarul de Iasi",
        group=str(tmp_path),
    )
    # a guid that is a URL is no id of its own: the link's hash is
    assert isinstance(second, SourceItem)
    assert second.id == short("https://ziarul.example.ro/scurt")
    assert second.content == "Ploi & vant in Moldova."  # the description, as feedparser gives it
    assert second.published is None
    assert third == SourceFailure(f"{path}#3", "feed entry has no content or summary")


def test_atom_entries(tmp_path: Path) -> None:
    path = tmp_path / "quotidiano.atom"
    path.write_bytes(ATOM)
    first, second = read(path)
    assert isinstance(first, SourceItem) and isinstance(second, SourceItem)
    assert first.id == "tag:quotidiano.example.it,2024:consiglio"
    assert first.content == "<p>La città è più sicura.</p>"  # content preferred to summary
    assert first.published == "2024-06-03T06:00:00+00:00"  # from <updated>, in UTC
    assert (first.outlet, first.url, first.title) == (
        "Il Quotidiano",
        "https://quotidiano.example.it/consiglio",
        "Il Consiglio approva",
    )
    assert second.id == short("https://quotidiano.example.it/testo")
    assert second.content == "1 &lt; 2 e basta"  # plain text escaped into HTML
    assert second.published == "2024-06-02T12:00:00+00:00"


@pytest.mark.parametrize("name", ["feed.xml", "feed.rss", "feed.atom", "feed"])
def test_feed_extensions_and_sniffing(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(ATOM)
    results = read(path)
    assert [r.origin for r in results] == [f"{path}#1", f"{path}#2"]


def test_malformed_rss_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_bytes(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><<<garbage\n')
    assert read(path) == [
        SourceFailure(str(path), "malformed feed: not well-formed (invalid token) (line 2, column 29)")
    ]


def test_truncated_rss_with_nothing_recoverable_is_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "cut.rss"
    path.write_bytes(b'<rss version="2.0"><channel><title>Cut</title><item><title>Unclosed')
    [failure] = read(path)
    assert isinstance(failure, SourceFailure)
    assert failure.origin == str(path)
    assert failure.reason.startswith("malformed feed: no element found")


def test_sloppy_feed_that_parses_loosely_still_yields_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "sloppy.rss"
    path.write_bytes(
        b'<rss version="2.0"><channel><title>A & B</title><item><guid isPermaLink="false">s1</guid>'
        b"<description>Tom & Jerry</description></item></channel></rss>"
    )
    [item] = read(path)
    assert isinstance(item, SourceItem) and item.id == "s1" and "Tom" in item.content


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_bytes(b'<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>')
    assert read(path) == [SourceFailure(str(path), "not an RSS or Atom feed")]


def test_empty_and_binary_feed_files(tmp_path: Path) -> None:
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "image.rss").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert read(tmp_path) == [
        SourceFailure(str(tmp_path / "empty.xml"), "empty file"),
        SourceFailure(str(tmp_path / "image.rss"), "binary file, not text"),
    ]


def test_valid_feed_without_entries_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "quiet.rss"
    path.write_bytes(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert read(path) == []
