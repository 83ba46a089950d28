"""Bounded memory and delta writes: the active window of the clusterer and linker, and the
pipeline writing only what changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path

import numpy as np
import pytest
from eventsynth import DIM, Topics, make_params

from newsloom.events import cluster as cluster_module
from newsloom.events.cluster import EventClusterer
from newsloom.events.duplicates import DuplicateIndex
from newsloom.events.features import ClusterInput
from newsloom.events.storylines import StorylineLinker
from newsloom.model import Article, Enrichment, EntityMention
from newsloom.pipeline import cluster_stored, clustering_records, load_clustering
from newsloom.store import Store, open_store, parts


def _stream(topics: Topics, days: int, per_day: int, happening_days: int = 5) -> list[ClusterInput]:
    """A dated stream: a new happening every ``happening_days``, topics recurring only after 200 days."""
    out = []
    for d in range(days):
        h = d // happening_days
        for _ in range(per_day):
            out.append(topics.article(h % 40, day=d, entities={f"e{h}": 2.0, "common": 1.0}))
    return out


def _windowed(days: int = 30, min_active: int = 0) -> EventClusterer:
    c = EventClusterer(make_params(retire_after_days=days), dim=DIM)
    c.retire_min_active = min_active
    return c


def test_retirement_keeps_the_clusterer_bounded_on_a_long_stream(topics: Topics) -> None:
    c = _windowed()
    linker = StorylineLinker(c.params, dim=DIM)
    items = _stream(topics, days=500, per_day=10)
    most_held = most_rows = 0
    for s in range(0, len(items), 50):
        c.add(items[s : s + 50])
        linker.update(c)
        c.commit()
        linker.commit()
        most_held, most_rows = max(most_held, len(c)), max(most_rows, c.rows)
    assert len(items) == 5000
    # ~35 days × 10 articles are active at any time; rows are compacted once dead ones outnumber them
    assert most_held <= 450
    assert most_rows <= most_held + 1024 + 100
    assert len(c.ids) < 100  # events too
    snap = c.snapshot()
    assert len(snap["article_ids"]) == len(c) <= 450
    assert len(snap["events"]) == len(c.ids)
    # the linker keeps only storylines active in the last STORY_RETIRE_DAYS (365) of stream time:
    # of the 100 happenings, the ~73 of the last year, frozen, plus the live ones
    frozen = sum(len(s.frozen) for s in linker._stories.values())
    assert 50 <= frozen <= 80 and frozen + len(c.ids) < 100


def test_a_retired_event_is_not_joined(topics: Topics) -> None:
    def run(days: int) -> tuple[EventClusterer, str, str]:
        t = Topics()
        c = _windowed(days)
        first = c.add([t.article(0, day=0), t.article(0, day=1)])
        c.add([t.article(5, day=40)])  # stream time moves 40 days on
        old = first["a1"]
        late = c.add([t.article(0, day=1)])  # a late article on the first happening
        return c, old, late["a4"]

    c, old, late = run(days=0)  # no window: the late article joins its happening
    assert late == old
    c, old, late = run(days=30)
    assert old in c.retiring() and late != old
    assert c.knows("a1")  # until the retirement is committed
    c.commit()
    assert not c.knows("a1") and not c.knows("a2") and c.knows("a4")
    assert old not in c.ids and c.retiring() == []
    assert old not in c.nearest_events(c.centroid(late), k=10)


def _retired_happening(days: int = 30) -> tuple[EventClusterer, Topics, list[ClusterInput], str]:
    """A clusterer whose first happening (topic 0, days 0–1) has retired and been committed."""
    t = Topics()
    c = EventClusterer(make_params(retire_after_days=days, max_gap_days=21), dim=DIM)
    c.retire_min_active = 0
    first = [t.article(0, day=0), t.article(0, day=1)]
    old = c.add(first)["a1"]
    c.add([t.article(5, day=40)])  # stream time moves 40 days on: the happening retires
    c.commit()
    assert not c.knows("a1")
    return c, t, first, old


def test_a_late_article_reopens_its_retired_event(topics: Topics) -> None:
    c, t, first, old = _retired_happening()
    late = t.article(0, day=2, aid="late")
    other = t.article(9, day=2, aid="other")  # late too, but on nothing that retired
    present = t.article(0, day=40, aid="present")  # the same topic today: far past the event's reach
    assert c.archived_candidates([late]) == [old]
    assert c.archived_candidates([other]) == [old]  # the only retired event in its reach: scored, then turned down
    assert c.archived_candidates([present]) == []
    assert not c.reopen(old, [])  # nothing to reopen it with: no row is made
    assert not c.knows("a1") and len(c) == 1
    assert c.reopen(old, first)
    assert not c.reopen(old, first)  # already open
    placed = c.add([late, other])
    assert placed["late"] == old and placed["other"] != old
    assert c.members(old) == ["a1", "a2", "late"]
    c.retire_reopened()
    assert old in c.retiring() and old in c.changed_events()
    assert [link[:2] for link in c.changed_links()] == [("late", old), ("other", placed["other"])]
    assert c.reopened() == {old: (2, {"en": 2}, {})}
    c.commit()
    assert not c.knows("late") and c.reopened() == {}
    assert c.archived_candidates([t.article(0, day=3)]) == [old]  # retired again, findable again


def test_an_undated_article_reopens_the_retired_event_it_is_about(topics: Topics) -> None:
    # an import's undated articles are placed after all its dated ones, when the events of
    # their days may have retired: they search the retired events too, by their vector alone
    c, t, first, old = _retired_happening()
    undated = t.article(0, day=None, aid="undated")
    assert c.archived_candidates([undated]) == [old]
    assert c.reopen(old, first)
    assert c.add([undated])["undated"] == old
    c.retire_reopened()
    assert c.members(old) == ["a1", "a2", "undated"] and old in c.retiring()


def test_a_reopened_event_outlives_retirement_sweeps_until_sent_back(topics: Topics) -> None:
    # A reopened event is as idle as when it retired: the sweep after any batch of the step (here
    # one that moves stream time a day on) used to retire it again before the late articles of
    # the later batches could join it. Seen at 100k: the first step of a backfill lost every
    # event it reopened.
    c, t, first, old = _retired_happening()
    late = t.article(0, day=2, aid="late")
    assert c.archived_candidates([late]) == [old] and c.reopen(old, first)
    c.add([t.article(5, day=41, aid="today")])  # a new stream day: the sweep runs
    assert old in c.ids and old not in c.retiring()
    assert c.add([late])["late"] == old
    c.retire_reopened()
    assert old in c.retiring()


def test_a_late_article_counts_in_its_storyline(topics: Topics) -> None:
    t = Topics()
    c = EventClusterer(make_params(retire_after_days=30, max_gap_days=21), dim=DIM)
    c.retire_min_active = 0
    linker = StorylineLinker(c.params, dim=DIM)
    first = [t.article(0, day=0), t.article(0, day=1)]
    old = c.add(first)["a1"]
    c.add([t.article(5, day=40)])
    linker.update(c)
    story = linker.frozen_storyline_of(old)  # linked, then frozen as it retired
    assert story is not None
    c.commit()
    linker.commit()
    (before,) = linker.storyline_summaries(c, [int(story[2:])])
    late = dataclasses.replace(t.article(0, day=3, aid="late"), lang="fr", outlet="late.example")
    assert c.archived_candidates([late]) == [old]
    assert c.reopen(old, first)
    c.add([late])
    c.retire_reopened()
    linker.update(c)
    assert linker.frozen_storyline_of(old) == story  # the event's record keeps its storyline
    assert story in linker.changed_storylines(c.changed_events())
    (after,) = linker.storyline_summaries(c, [int(story[2:])])
    assert after.event_ids == before.event_ids == [old]
    assert after.article_count == before.article_count + 1
    assert after.languages == {"en": 2, "fr": 1} and after.outlets == {"late.example": 1}
    assert linker.span(story, c) == (dt.date(2024, 1, 1), dt.date(2024, 1, 4))
    c.commit()
    linker.commit()
    linker.update(c)  # nothing left to count twice
    (again,) = linker.storyline_summaries(c, [int(story[2:])])
    assert again.article_count == after.article_count


def test_an_event_emptied_after_reopening_leaves_its_storyline() -> None:
    t = Topics()
    c = EventClusterer(make_params(retire_after_days=30, max_gap_days=21), dim=DIM)
    c.retire_min_active = 0
    linker = StorylineLinker(c.params, dim=DIM)
    lone = t.article(3, day=0, aid="x", entities={"lonely": 2.0})
    pair = [t.article(0, day=0), t.article(0, day=1)]
    placed = c.add([lone, *pair])
    gone, kept = placed["x"], placed[pair[0].id]
    c.add([t.article(5, day=40)])
    linker.update(c)
    gone_story, kept_story = linker.frozen_storyline_of(gone), linker.frozen_storyline_of(kept)
    assert gone != kept and gone_story != kept_story
    c.commit()
    linker.commit()
    # "x" is rewritten to report the pair's happening: both events come back, it moves
    rewritten = t.article(0, day=0, aid="x")
    assert kept in c.archived_candidates([rewritten])
    assert c.reopen(gone, [lone]) and c.reopen(kept, pair)
    assert c.withdraw("x") == gone
    assert c.add([rewritten])["x"] == kept
    c.retire_reopened()
    c.redirect_dropped(gone, kept)
    linker.update(c)
    assert c.resolve(gone) == kept and c.retiring() == [kept]
    assert gone_story not in linker.ids  # its only event is gone ...
    # ... to the kept event: its id redirects to that event's storyline (a link to it keeps working)
    assert linker.storyline_redirects() == {gone_story: kept_story} and linker.dropped_storylines() == []
    again = StorylineLinker.restore(linker.snapshot(), c, c.params)
    assert again.storyline_redirects() == {gone_story: kept_story}
    (story,) = linker.storyline_summaries(c, [int(kept_story[2:])])  # type: ignore[index]
    assert story.event_ids == [kept] and story.article_count == 3


def test_a_late_article_meets_only_the_retired_events_named_for_it(topics: Topics) -> None:
    c, t, first, old = _retired_happening()
    late = t.article(0, day=2, aid="late")
    copy = dataclasses.replace(first[0], id="copy")  # an exact copy of a member of the retired event
    assert c.reopen(old, first)  # reopened for some other article of the batch
    placed = c.add([late, copy])
    assert placed["late"] != old and placed["copy"] != old  # neither asked for it
    assert c.copies() == {}


def test_a_reopened_event_nothing_joined_is_not_rewritten(topics: Topics) -> None:
    c, t, first, old = _retired_happening()
    assert c.reopen(old, first)
    c.add([t.article(9, day=2)])
    c.retire_reopened()
    assert old in c.retiring() and old not in c.changed_events()


def test_the_archive_survives_a_snapshot_and_forgets_after_a_year(topics: Topics) -> None:
    c, t, first, old = _retired_happening()
    late = t.article(0, day=2, aid="late")
    restored = EventClusterer.restore(c.snapshot())
    assert restored.archived_candidates([late]) == [old]
    assert restored.reopen(old, first) and restored.add([late])["late"] == old
    again = EventClusterer.restore(restored.snapshot())  # saved while the event is open
    assert again.reopened() == restored.reopened() == {old: (2, {"en": 2}, {})}
    again.retire_reopened()
    assert again.retiring() == [old] and old in again.changed_events()
    for day in (200, 380, 420):  # stream time passes ARCHIVE_DAYS after the event
        c.add([t.article(7, day=day)])
        c.commit()
    assert c.archived_candidates([late]) == []
    assert not c.reopen(old, first)


def test_reopening_can_be_switched_off_and_never_outlives_the_storyline() -> None:
    from newsloom.events import storylines

    assert cluster_module.ARCHIVE_DAYS <= storylines.STORY_RETIRE_DAYS
    t = Topics()
    c = EventClusterer(make_params(retire_after_days=30, max_gap_days=21, reopen_within_days=0), dim=DIM)
    c.retire_min_active = 0
    first = [t.article(0, day=0), t.article(0, day=1)]
    old = c.add(first)["a1"]
    c.add([t.article(5, day=40)])
    c.commit()
    assert c.archived_candidates([t.article(0, day=2)]) == [] and not c.reopen(old, first)


def test_snapshot_restore_round_trips_with_retirement(topics: Topics) -> None:
    items = _stream(topics, days=120, per_day=6)
    a = _windowed()
    for s in range(0, 360, 40):
        a.add(items[s : s + 40])
        a.commit()
    a.add(items[360:400])  # leave some events retiring and some changes uncommitted
    b = EventClusterer.restore(a.snapshot())
    assert b.retiring() == a.retiring() and b.changed_events() == a.changed_events()
    assert b.changed_links() == a.changed_links() and len(b) == len(a) and b.now == a.now
    for s in range(400, len(items), 40):
        assert a.add(items[s : s + 40]) == b.add(items[s : s + 40])
        assert a.retiring() == b.retiring()
        a.commit()
        b.commit()
    assert a.assignments() == b.assignments()
    assert a.redirects == b.redirects
    assert len(b) < len(items) / 2


def test_duplicate_index_forgets_removed_texts() -> None:
    idx = DuplicateIndex(0.8)
    text = "the quick brown fox jumps over the lazy dog near the river bank today"
    assert idx.check("a", text) is None
    assert idx.check("b", text + " again") is not None  # near copy of a
    idx.remove("a")
    assert idx.check("c", text) is None  # neither exact nor near any more
    back = DuplicateIndex.from_state(idx.to_state())
    assert back.check("d", text) is not None and back.check("d", text).original == "c"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- pipeline

BIG = 384


def _articles(n: int, days: int, seed: int = 1) -> list[tuple[Article, Enrichment]]:
    """Enriched articles on 384-d vectors: a happening every 4 days, each on its own direction."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=BIG)
    dirs = [rng.normal(size=BIG) for _ in range(64)]
    out = []
    for k in range(n):
        d = k * days // n
        h = d // 4
        v = 3 * base + dirs[h % 64] * 1.5 + rng.normal(scale=0.3, size=BIG)
        v /= np.linalg.norm(v)
        day = dt.date(2024, 1, 1) + dt.timedelta(days=d)
        aid = f"p{k:05d}"
        words = " ".join(f"w{h}x{j}" for j in range(8))
        a = Article(id=aid, origin=f"x/{aid}", kind="text", raw=words, title=f"Happening {h} report",
                    text=f"{words} report {k} outlet text", content_hash=aid, outlet=f"o{k % 5}", lang="en",
                    published=day.isoformat())
        e = Enrichment(aid, entities=[EntityMention(f"E{h}", f"Thing {h}", "MISC", (f"Thing {h}",), 2),
                                      EntityMention(f"T{h % 7}", f"Topic {h % 7}", "MISC", (f"Topic {h % 7}",), 1)],
                       vector=v.astype(np.float32).tolist())
        out.append((a, e))
    return out


def _put(store: object, rows: list[tuple[Article, Enrichment]]) -> None:
    store.put_articles([a for a, _ in rows])  # type: ignore[attr-defined]
    store.put_enrichments([e for _, e in rows])  # type: ignore[attr-defined]


def _store_view(store: object, article_ids: list[str]) -> tuple[dict[str, tuple], dict[str, tuple]]:
    links = {}
    events: dict[str, tuple] = {}
    for aid in article_ids:
        link = store.article_link(aid)  # type: ignore[attr-defined]
        assert link is not None, aid
        ev = store.get_event(link.event_id)  # type: ignore[attr-defined]
        links[aid] = (ev.id, link.duplicate_of, link.translation_of)
        events[ev.id] = (tuple(sorted(ev.article_ids)), ev.label, ev.first_date, ev.last_date,
                         tuple(ev.languages), tuple(sorted(ev.outlets)))
    return links, events


def test_delta_writes_keep_the_store_equal_to_a_full_write(tmp_path: Path) -> None:
    rows = _articles(300, days=60)
    store = open_store(str(tmp_path / "delta.db"))
    for part in (rows[:120], rows[120:200], rows[200:]):  # run, then add more, twice
        _put(store, part)
        cluster_stored(store, chunk_size=32)
    cluster_stored(store)  # a run with nothing new changes nothing
    clusterer, linker = load_clustering(store)
    events, storylines, links = clustering_records(store, clusterer, linker)  # the full write
    assert len(links) == len(rows)
    for link in links:
        assert store.article_link(link.article_id) == link
    for ev in events:
        got = store.get_event(ev.id)
        assert got is not None
        if ev.merged_into is not None:
            assert got.id == clusterer.resolve(ev.id)
            continue
        assert (got.label, got.first_date, got.last_date, got.storyline_id, got.languages, got.outlets) == (
            ev.label, ev.first_date, ev.last_date, ev.storyline_id, ev.languages, ev.outlets)
        assert sorted(got.article_ids) == sorted(ev.article_ids)
    assert {e.id for e in store.list_events()} == {e.id for e in events if e.merged_into is None}
    for s in storylines:
        got_s = store.get_storyline(s.id)
        assert got_s is not None
        assert (got_s.event_ids, got_s.first_date, got_s.last_date) == (s.event_ids, s.first_date, s.last_date)
    store.close()


def test_streamed_run_with_retirement_matches_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "RETIRE_MIN_ACTIVE", 0)
    monkeypatch.setattr(parts, "PART_BYTES", 4096)  # the saved state in many small rows
    monkeypatch.setattr(parts, "LIST_GROUP", 7)  # and its lists in many small groups
    rows = _articles(400, days=200)
    chunked = open_store(str(tmp_path / "chunked.db"))
    _put(chunked, rows)
    assert cluster_stored(chunked, chunk_size=40, save_every=100) == len(rows)
    clusterer, _ = load_clustering(chunked)
    assert len(clusterer) < len(rows) / 3  # most articles retired from memory ...
    links, events = _store_view(chunked, [a.id for a, _ in rows])  # ... and every one is in the store
    # the same stream clustered by one process that never retires anything
    monkeypatch.setattr(cluster_module, "RETIRE_MIN_ACTIVE", 10**9)
    whole = open_store(str(tmp_path / "whole.db"))
    _put(whole, rows)
    cluster_stored(whole, chunk_size=10**6)
    links2, events2 = _store_view(whole, [a.id for a, _ in rows])
    # happenings are 4 days long and 30 days apart from their topic's next one: the window changes nothing
    assert {tuple(sorted(m)) for m, *_ in events.values()} == {tuple(sorted(m)) for m, *_ in events2.values()}
    assert events == events2 and links == links2
    # the storylines of the retired events stay readable, with every event
    for sid in {chunked.get_event(e).storyline_id for e in events}:
        s = chunked.get_storyline(sid)
        assert s is not None and s.event_ids and all(chunked.get_event(e) is not None for e in s.event_ids)
    chunked.close()
    whole.close()


def test_a_backfill_joins_the_retired_events_of_its_days(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(cluster_module, "RETIRE_MIN_ACTIVE", 0)
    rows = _articles(400, days=200)
    late = [r for k, r in enumerate(rows) if k % 7 == 3 and k < 200]  # a tenth of the first 100 days, held back
    held = {a.id for a, _ in late}
    _put(store, [r for r in rows if r[0].id not in held])
    cluster_stored(store, chunk_size=40)
    before = {a.id: store.article_link(a.id) for a, _ in rows if a.id not in held}
    stories_before = {e.id: e.storyline_id for e in store.list_events()}
    clusterer, _ = load_clustering(store)
    assert not any(clusterer.knows(a.id) for a, _ in rows[:200])  # the first 100 days have retired
    _put(store, late)
    with caplog.at_level(logging.INFO, logger="newsloom.pipeline"):
        assert cluster_stored(store, chunk_size=40) == len(late)
    assert f"late articles: {len(late)} joined" in caplog.text  # the run says what the backfill did
    happening = {a.id: a.title for a, _ in rows}  # "Happening 7 report"
    for aid, link in before.items():  # nothing already placed moved
        assert store.article_link(aid) == link
    for a, _ in late:
        link = store.article_link(a.id)
        assert link is not None
        event = store.get_event(link.event_id)
        assert event is not None and event.id in stories_before  # an event that existed, retired ...
        assert any(happening[m] == a.title for m in event.article_ids if m != a.id)  # ... of its happening
        assert a.id in event.article_ids and event.first_date <= a.published <= event.last_date  # type: ignore[operator]
        assert event.storyline_id == stories_before[event.id]
        story = store.get_storyline(event.storyline_id)
        assert story is not None and event.id in story.event_ids
        assert story.first_date <= event.first_date  # type: ignore[operator]
    clusterer, _ = load_clustering(store)
    assert not any(clusterer.knows(a.id) for a, _ in late)  # the reopened events retired again


def test_an_article_changed_after_its_event_retired_is_placed_again(store: Store,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "RETIRE_MIN_ACTIVE", 0)
    rows = _articles(400, days=200)
    _put(store, rows)
    cluster_stored(store, chunk_size=40)
    (moved, _), (model, model_enrichment) = rows[10], rows[20]  # happenings 1 and 2 (days 5 and 10)
    old_event, new_event = (store.article_link(a.id).event_id for a in (moved, model))  # type: ignore[union-attr]
    assert old_event != new_event and not load_clustering(store)[0].knows(moved.id)  # both retired
    # its text now reports happening 2
    changed = dataclasses.replace(model, id=moved.id, origin=moved.origin, content_hash="changed")
    _put(store, [(changed, dataclasses.replace(model_enrichment, article_id=moved.id))])
    store.set_status([moved.id], "enriched")
    assert cluster_stored(store, chunk_size=40) == 1
    assert store.article_link(moved.id).event_id == new_event  # type: ignore[union-attr]
    old, new = store.get_event(old_event), store.get_event(new_event)
    assert old is not None and new is not None
    assert moved.id not in old.article_ids and moved.id in new.article_ids
    assert old.storyline_id and new.storyline_id
    clusterer, _ = load_clustering(store)
    assert not clusterer.knows(moved.id)  # both events retired again


def test_an_article_edited_after_its_event_retired_stays_in_it(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "RETIRE_MIN_ACTIVE", 0)
    rows = _articles(400, days=200)
    _put(store, rows)
    cluster_stored(store, chunk_size=40)
    edited, enrichment = rows[10]
    event = store.article_link(edited.id).event_id  # type: ignore[union-attr]
    members = store.get_event(event).article_ids  # type: ignore[union-attr]
    assert not load_clustering(store)[0].knows(edited.id)  # retired
    fixed = dataclasses.replace(edited, text=edited.text + " (corrected)", content_hash="edited")
    _put(store, [(fixed, enrichment)])
    store.set_status([edited.id], "enriched")
    assert cluster_stored(store, chunk_size=40) == 1
    assert store.article_link(edited.id).event_id == event  # type: ignore[union-attr]
    assert sorted(store.get_event(event).article_ids) == sorted(members)  # type: ignore[union-attr]


def test_vectors_resize_in_place_and_keep_their_rows(topics: Topics, monkeypatch) -> None:
    """Growing and compacting reallocate the vector array in place; the rows and the results are
    those of copying into a new array, and a live view of the array (a snapshot being read)
    makes them copy instead of moving memory under it."""
    items = _stream(topics, days=300, per_day=10)
    vectors = {item.id: np.asarray(item.vector, dtype=np.float32) for item in items}

    def run() -> tuple[EventClusterer, dict[str, str]]:
        c = _windowed()
        out: dict[str, str] = {}
        for s in range(0, len(items), 50):
            out.update(c.add(items[s : s + 50]))
            c.commit()
        return c, out

    in_place, got = run()
    assert in_place.rows < len(items)  # retired rows were compacted away
    for article_id, i in in_place._pos.items():
        assert np.array_equal(in_place._vec[i], vectors[article_id])

    monkeypatch.setattr(EventClusterer, "resize_in_place", False)
    _, expected = run()
    assert got == expected
    monkeypatch.undo()

    view = in_place._vec[: len(in_place._ids)]
    before = view.copy()
    in_place._grow(len(in_place._vec) + 1)  # refused in place while the view is alive: a copy
    assert np.array_equal(view, before) and len(in_place._vec) > len(view)
