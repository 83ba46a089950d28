"""The server-rendered pages: what each shows, links between them, errors as pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi")


def test_storylines_home(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Ukraine–Poland gas transit" in html and "Floods along the Danube" in html
    assert html.count('<svg class="timeline compact"') == 2
    assert 'href="/events/ev-gas"' in html and 'href="/storylines/s-danube"' in html
    assert 'name="since"' in html and 'name="entity"' in html and 'name="outlet"' in html
    assert "Київський вісник" in html  # outlets in the filter, Cyrillic intact
    only_greek = client.get("/", params={"lang": "el"}).text
    assert "Ukraine–Poland gas transit" in only_greek and "Floods along the Danube" not in only_greek
    by_entity = client.get("/", params={"entity": "e-eu"}).text
    assert "Floods along the Danube" in by_entity and "gas transit</a>" not in by_entity
    assert 'class="tl-event dim"' in by_entity  # events outside the filter are dimmed, not hidden


def test_storyline_page(client: Any) -> None:
    html = client.get("/storylines/s-gas").text
    assert "<h1>Ukraine–Poland gas transit</h1>" in html
    assert html.count('class="tl-label"') == 2  # the full timeline labels its events
    assert re.search(r"2024-06-12.*?href=\"/events/ev-gas\"", html, re.S)
    assert "Новости Востока" in html and "Αθηναϊκά Νέα" in html


def test_event_page(client: Any) -> None:
    html = client.get("/events/ev-gas").text
    assert '<h1 class="headline"' in html
    assert html.count('<ol class="summary">') == 1
    assert re.findall(r'<li lang="(\w+)">', html)  # summary sentences carry their language
    for heading in ("Who", "What", "Where", "When", "Coverage by language and outlet", "Quotes", "Entities"):
        assert f">{heading}<" in html
    assert "Це історичний день для енергетичної безпеки регіону" in html
    assert 'href="/entities/e-kovalenko"' in html and 'href="/articles/uk-gas-1"' in html
    assert 'href="/storylines/s-gas"' in html


def test_event_page_folds_copies(client: Any) -> None:
    html = client.get("/events/ev-flood").text
    assert "↳ duplicate" in html and 'href="/articles/ro-flood-copy"' in html
    aid = client.get("/events/ev-aid").text
    assert "↳ translation" in aid


def test_merged_event_redirects(client: Any) -> None:
    response = client.get("/events/ev-gas-old", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/events/ev-gas"
    response = client.get("/storylines/s-gas-old", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/storylines/s-gas"


def test_article_page(client: Any) -> None:
    html = client.get("/articles/uk-gas-1").text
    assert '<a class="ent ent-LOC" href="/entities/e-kyiv" title="Kyiv (LOC)">Києві</a>' in html
    assert '<a class="ent ent-PER" href="/entities/e-kovalenko"' in html
    assert 'href="/events/ev-gas"' in html and 'href="/storylines/s-gas"' in html
    assert 'href="https://kyiv-visnyk.example/gaz" rel="noopener noreferrer nofollow"' in html
    flood = client.get("/articles/en-flood-1").text
    assert '<details class="removed-toggle"' in flood
    assert "Read also: Ten tips for a rainy summer" in flood and "recurring-in-outlet" in flood
    copy = client.get("/articles/ro-flood-copy").text
    assert "A copy of" in copy and 'href="/articles/ro-flood-1"' in copy
    loose = client.get("/articles/de-loose-1").text
    assert "Pegel der Donau sinkt langsam" in loose


def test_lists(client: Any) -> None:
    events = client.get("/events").text
    assert events.count('class="title"') == 6
    articles = client.get("/articles", params={"limit": 5}).text
    assert articles.count("<tr><td>") == 5 and 'rel="next"' in articles and "offset=5" in articles
    assert "1–5 of 19" in articles
    entities = client.get("/entities", params={"q": "Πολ"}).text  # Greek alias
    assert 'href="/entities/e-poland"' in entities


def test_entity_page(client: Any) -> None:
    html = client.get("/entities/e-ukraine").text
    assert "Україна" in html and "Ουκρανίας" in html and "Украина · Украиной" in html
    assert '<svg class="timeline"' in html
    assert 'href="/events/ev-gas"' in html and 'href="/storylines/s-gas"' in html
    assert 'href="/?entity=e-ukraine"' in html


def test_search_page(client: Any) -> None:
    html = client.get("/search", params={"q": "Galati", "lang": "ro"}).text
    assert "<mark>Galați</mark>" in html
    assert html.count('class="snippet"') == 3
    assert 'value="Galati"' in html
    assert client.get("/search").status_code == 200  # the empty form


def test_ingest_page(client: Any) -> None:
    html = client.get("/ingest").text
    assert 'enctype="multipart/form-data"' in html and 'name="files"' in html and 'name="urls"' in html
    assert 'name="token"' not in html  # bound to 127.0.0.1: no token needed


def test_errors_are_pages(client: Any) -> None:
    missing = client.get("/events/nope")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "no event" in missing.text
    assert client.get("/no/such/page").status_code == 404
    bad = client.get("/articles", params={"since": "2024-02-30"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_static_files(client: Any) -> None:
    css = client.get("/static/newsloom.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "system-ui" in css.text and "http" not in css.text  # no web fonts, no remote anything
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/favicon.ico").status_code == 200


def test_pages_load_nothing_from_elsewhere(client: Any) -> None:
    for url in ("/", "/events/ev-gas", "/articles/en-flood-1", "/entities/e-kyiv", "/search?q=gas", "/ingest",
                "/api/docs"):
        html = client.get(url).text
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        external = [r for r in refs if r.startswith(("http:", "https:", "//")) and "example" not in r]
        assert external == [], (url, external)
