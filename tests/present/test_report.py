"""The one-file HTML report: storylines, events and articles, from the same digest and timeline code."""

from __future__ import annotations

import re
from pathlib import Path

from fixture_store import XSS

from newsloom.present import digest as dg
from newsloom.present.report import render_report, report_context, write_report
from newsloom.store import Store, open_store


def test_report_shows_storylines_events_and_articles(fixture_store: Store, tmp_path: Path) -> None:
    path = write_report(fixture_store, tmp_path / "out" / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.count('<section class="card storyline-card"') == 2
    assert html.count('<svg class="timeline"') == 2  # the same SVG timeline as the web pages
    assert html.count('<section class="card event"') == 6
    assert html.count('<tr id="a-') == 19
    assert "EU pledges €200 million in flood aid for Romania" in html
    assert "Україна та Польща підписали угоду про транзит газу" in html
    assert "Κλειστή η Ακρόπολη λόγω καύσωνα" in html or "Heatwave shuts the Acropolis in Athens" in html
    assert 'href="#e-ev-aid"' in html and 'id="e-ev-aid"' in html and 'href="#a-en-aid-1"' in html
    assert "↳ translation" in html and "↳ duplicate" in html
    assert "Events in no storyline" in html


def test_report_is_self_contained_and_inert(fixture_store: Store) -> None:
    html = render_report(fixture_store)
    assert "<script" not in html.lower()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html.replace('href="https://danube-herald', ""))
    assert '<link rel="stylesheet"' not in html and "<style>" in html
    assert "@import" not in html and "url(" not in html
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_reuses_cached_digests(fixture_store: Store) -> None:
    event = fixture_store.get_event("ev-gas")
    assert event is not None
    cached = dg.get_digest(fixture_store, event)
    cached.headline.text = "A headline from the cache"
    dg.save_digest(fixture_store, cached)
    context = report_context(fixture_store)
    gas = next(e for e in context["events"] if e.brief.id == "ev-gas")
    assert gas.digest.headline.text == "A headline from the cache"
    assert "A headline from the cache" in render_report(fixture_store)


def test_report_of_an_empty_store(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "empty.db")) as store:
        html = render_report(store)
    assert "No storylines yet" in html and "No events yet" in html and "<script" not in html.lower()
