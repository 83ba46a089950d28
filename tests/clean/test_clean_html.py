"""HTML extraction: text without page chrome, declared metadata, fallbacks, robustness."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import newsloom.clean.html as html_mod
from newsloom.clean import extract, extract_html
from newsloom.errors import InputError
from newsloom.model import SourceItem

BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "html"

PARAGRAPHS = [
    "Russian President Vladimir Putin arrived in Pyongyang late on Tuesday for his first visit to North Korea "
    "in 24 years, state media reported, as the two countries deepen their military cooperation.",
    "Kim Jong Un greeted Putin at the airport, and the two leaders embraced before riding together in a "
    "motorcade through the capital, whose streets were decorated with Russian flags and portraits of Putin.",
    "Washington and Seoul accuse North Korea of supplying Russia with artillery shells and ballistic missiles "
    "for its war in Ukraine, which both Moscow and Pyongyang deny.",
    "The two leaders are expected to sign a partnership agreement on Wednesday, the Kremlin said, without "
    "giving details about what the document would contain.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Putin lands in Pyongyang | Daily Example</title>
<meta property="og:site_name" content="Daily Example">
<meta property="og:title" content="Putin lands in Pyongyang">
<meta property="article:published_time" content="2024-06-18T21:30:00+00:00">
<link rel="canonical" href="https://www.example.com/world/putin-lands-in-pyongyang">
</head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience on our site.
<button>Accept all</button></p></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport and Leisure</a></li><li><a href="/weather">Weather forecast</a></li></ul></nav></header>
<main>
<article>
<h1>Putin lands in Pyongyang</h1>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<p>Read also: Kim visits Russia's far east by armoured train</p>
<p>{PARAGRAPHS[2]}</p>
<p>{PARAGRAPHS[3]}</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Storm hits the coast overnight</a></li>
<li><a href="/b">Local team wins the cup final</a></li></ul></aside>
</main>
<footer><p>© 2024 Daily Example Ltd. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body>
</html>
"""


def test_article_page_text_and_metadata() -> None:
    result = extract(SourceItem(origin="page.html", kind="html", content=PAGE))
    lines = result.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    for chrome in (
        "Sport and Leisure",
        "Weather forecast",
        "We use cookies",
        "Accept all",
        "Storm hits the coast",
        "All rights reserved",
        "Privacy policy",
        "Read also",
    ):
        assert chrome not in result.text
    assert result.title == "Putin lands in Pyongyang"
    assert result.outlet == "Daily Example"
    assert result.url == "https://www.example.com/world/putin-lands-in-pyongyang"
    assert result.published == "2024-06-18"
    assert result.published_source == "html"
    assert result.lang_hint == "en-gb"


def test_record_metadata_wins_over_the_page() -> None:
    item = SourceItem(
        origin="feed.xml#3",
        kind="html",
        content=PAGE,
        url="https://feed.example.org/item/3",
        title="Putin arrives in North Korea",
        lang="en",
        published="Tue, 18 Jun 2024 21:45:00 GMT",
    )
    result = extract(item)
    assert result.published == "2024-06-18T21:45:00+00:00"
    assert result.published_source == "metadata"
    assert result.title == "Putin arrives in North Korea"
    assert result.lang_hint == "en"
    assert result.url == "https://www.example.com/world/putin-lands-in-pyongyang"  # canonical still wins


def test_page_without_declarations_falls_back_to_the_item() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = f"<html><head><title>x</title></head><body><article>{body}</article></body></html>"
    item = SourceItem(origin="p.html", kind="html", content=page, url="https://news.example.net/a/1", outlet="Example")
    result = extract(item)
    assert result.url == "https://news.example.net/a/1"
    assert result.outlet == "Example"
    assert result.published is None and result.published_source is None
    assert result.lang_hint is None


def test_saved_page_given_as_text_is_read_as_html() -> None:
    result = extract(SourceItem(origin="page.txt", kind="text", content=PAGE))
    assert PARAGRAPHS[0] in result.text.split("\n")
    assert "<p>" not in result.text


@pytest.mark.parametrize(
    "page",
    [
        "",
        "<html><body></body></html>",
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body>",
    ],
)
def test_page_without_article_text_is_an_input_error(page: str) -> None:
    with pytest.raises(InputError) as err:
        extract(SourceItem(origin="empty.html", kind="html", content=page))
    assert err.value.origin == "empty.html"
    assert err.value.reason == "no article text found"


def test_text_without_article_text_is_an_input_error() -> None:
    with pytest.raises(InputError):
        extract(SourceItem(origin="x.txt", kind="text", content="Skip to content\n\nBack To Top\n\np>\n"))


def test_fallback_cascade(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_mod, "trafilatura_text", lambda html: ("", None))
    page = extract_html(PAGE)
    assert page.method == "baseline"
    assert PARAGRAPHS[0] in page.text
    assert page.url == "https://www.example.com/world/putin-lands-in-pyongyang"  # metadata read anyway
    monkeypatch.setattr(html_mod, "FALLBACKS", (("baseline", lambda html: ""), ("paragraphs", html_mod.paragraph_text)))
    page = extract_html(PAGE)
    assert page.method == "paragraphs"
    lines = page.text.split("\n")
    assert [line for line in lines if line in PARAGRAPHS] == PARAGRAPHS
    assert "Sport and Leisure" not in page.text and "All rights reserved" not in page.text  # nav, footer
    # what the <p> collection lets through, the line cleaner takes out
    result = extract(SourceItem(origin="page.html", kind="html", content=PAGE))
    assert result.text.split("\n") == PARAGRAPHS
    assert {(r.line, r.reason) for r in result.removed} == {
        ("We use cookies to improve your experience on our site. Accept all", "cookie-notice"),
        ("Read also: Kim visits Russia's far east by armoured train", "teaser"),
    }


def test_paragraph_fallback_drops_chrome_but_not_a_misnested_article() -> None:
    broken = (
        "<html><body><nav><p>Home page menu entry</p></nav>"
        "<aside class='sidebar'><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></aside>"
        "<footer><p>Imprint and contact</p></footer></body></html>"
    )
    text = html_mod.paragraph_text(broken)
    assert text.split("\n") == PARAGRAPHS


@pytest.mark.skipif(not BENCH.is_dir(), reason="shared/bench/html not present")
def test_bench_pages_robustness(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="trafilatura")  # it warns on every short page
    pages = sorted(BENCH.glob("*.html"))
    assert len(pages) == 150
    with_text = 0
    for path in pages:
        content = path.read_bytes().decode("utf-8", errors="replace")
        try:
            result = extract(SourceItem(origin=str(path), kind="html", content=content))
        except InputError:
            continue
        # the text contract: one paragraph a line, no empty or padded lines
        assert all(line and line == line.strip() for line in result.text.split("\n"))
        if len(result.text) >= 200:
            with_text += 1
    assert with_text >= 0.9 * len(pages)


def test_a_one_line_chinese_brief_is_article_text() -> None:
    """Fifteen Han characters say as much as a Latin sentence; they are not an empty page."""
    got = extract(SourceItem(origin="zh.txt", kind="text", content="克罗地亚正式启用欧元，并加入申根区。", lang="zh"))
    assert "申根区" in got.text
    with pytest.raises(InputError):  # a couple of characters still are not
        extract(SourceItem(origin="zh2.txt", kind="text", content="首页。", lang="zh"))
