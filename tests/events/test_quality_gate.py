"""Quality gate (like trafilatura's eval gate): the demo corpus and a small sample of the shared
dev data must not score below pinned values.

Raise the pins when quality improves; never lower them to make a change pass.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from newsloom.cli import demo_corpus
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import Store, open_store

pytestmark = pytest.mark.slow

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

#: BCubed F1 of the demo corpus against its gold labels, measured 2026-11-22 (session 2, time cap
#: fitted): events 0.974, storylines 1.000. (Session 1: 0.831 / 0.921.)
PINNED_EVENT_F1 = 0.95
PINNED_STORY_F1 = 0.95


def bcubed_f1(gold: dict[str, str], pred: dict[str, str]) -> float:
    """BCubed F1 of a predicted clustering against gold (every gold item; missing ones are singletons)."""
    gold_groups: dict[str, set[str]] = defaultdict(set)
    pred_groups: dict[str, set[str]] = defaultdict(set)
    for item, label in gold.items():
        gold_groups[label].add(item)
        pred_groups[pred.get(item, f"missing:{item}")].add(item)
    precision = recall = 0.0
    for item, label in gold.items():
        same_pred = pred_groups[pred.get(item, f"missing:{item}")]
        same_gold = gold_groups[label]
        correct = len(same_pred & same_gold)
        precision += correct / len(same_pred)
        recall += correct / len(same_gold)
    precision, recall = precision / len(gold), recall / len(gold)
    return 2 * precision * recall / (precision + recall)


def test_bcubed_reference_values() -> None:
    gold = {"a": "x", "b": "x", "c": "y"}
    assert bcubed_f1(gold, {"a": "1", "b": "1", "c": "2"}) == 1.0
    assert bcubed_f1(gold, {"a": "1", "b": "1", "c": "1"}) == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))


def _cluster(store: Store, inputs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    ingest(inputs, store)
    enrich_stored(store)
    cluster_stored(store)
    events, stories = {}, {}
    for article_id in store.article_ids():
        link = store.article_link(article_id)
        assert link is not None, f"{article_id} was not placed in an event"
        event = store.get_event(link.event_id)
        assert event is not None
        events[article_id], stories[article_id] = event.id, event.storyline_id or event.id
    return events, stories


def test_demo_corpus_scores_at_least_the_pinned_values(store: Store) -> None:
    gold = [json.loads(line) for line in (demo_corpus().parent / "gold.jsonl").read_text().splitlines()]
    events, stories = _cluster(store, [str(demo_corpus())])
    event_f1 = bcubed_f1({g["id"]: g["event"] for g in gold}, events)
    story_f1 = bcubed_f1({g["id"]: g["story"] for g in gold}, stories)
    assert event_f1 >= PINNED_EVENT_F1, f"event BCubed F1 fell to {event_f1:.3f}"
    assert story_f1 >= PINNED_STORY_F1, f"storyline BCubed F1 fell to {story_f1:.3f}"


#: BCubed F1 (events, storylines) of the dev samples below through the pipeline, measured 2026-11-22
#: (session 3): ECB+ 0.907 / 0.755, ITN 0.894 / 0.882; pinned 0.01 under.
PINNED_DEV_SAMPLE = {"ecbplus": (0.89, 0.74), "itn": (0.88, 0.87)}
GOLD_FIELDS = ("event", "story", "overall", "narrative")


def dev_sample(name: str) -> list[dict[str, str]]:
    """A fixed small sample of a shared dev set: ECB+ topics 1-4 (both sub-events each, ~90 full
    articles) or the ITN blurbs of the first 12 subjects (by id) that have several events."""
    path = SHARED / "bench" / "data" / {"ecbplus": "ecbplus_dev.jsonl", "itn": "itn_dev.jsonl"}[name]
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if name == "ecbplus":
        return [r for r in rows if int(r["story"]) <= 4]
    events_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        events_of[str(r["story"])].add(str(r["event"]))
    subjects = sorted(s for s, evs in events_of.items() if len(evs) >= 2)[:12]
    return [r for r in rows if str(r["story"]) in subjects]


@pytest.mark.parametrize("name", ["ecbplus", "itn"])
def test_dev_sample_scores_at_least_the_pinned_values(tmp_path: Path, name: str) -> None:
    """The whole pipeline (``newsloom run``'s stages) on real dev data, gold fields stripped; on
    SQLite only (the demo gate runs on every store under test)."""
    rows = dev_sample(name)
    store = open_store(str(tmp_path / "gate.db"))
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in GOLD_FIELDS}) + "\n" for r in rows),
                    encoding="utf-8")
    events, stories = _cluster(store, [str(path)])
    store.close()
    event_f1 = bcubed_f1({str(r["id"]): str(r["event"]) for r in rows}, events)
    story_f1 = bcubed_f1({str(r["id"]): str(r["story"]) for r in rows}, stories)
    pinned_event, pinned_story = PINNED_DEV_SAMPLE[name]
    assert event_f1 >= pinned_event, f"{name} sample: event BCubed F1 fell to {event_f1:.3f}"
    assert story_f1 >= pinned_story, f"{name} sample: storyline BCubed F1 fell to {story_f1:.3f}"


def test_seeds_dated_events_months_apart_stay_apart_in_one_storyline(store: Store, seeds_dir: Path) -> None:
    """Putin's visit (June 2024: 000 dated by its dateline, 003 by its text) is not Kim's (Sept 2023:
    001, Romanian, and 004, Italian, both dated by estimates from their texts a month apart)."""
    events, stories = _cluster(store, [str(seeds_dir)])
    by_prefix = {article_id[:3]: event for article_id, event in events.items()}
    assert by_prefix["000"] == by_prefix["003"]
    assert by_prefix["001"] == by_prefix["004"]
    assert by_prefix["001"] != by_prefix["000"]
    assert len(set(stories.values())) == 1


@pytest.mark.xfail(strict=True, reason="known: 002 has no date anywhere in it and reads closer to 001 (Kim invites "
                                       "Putin) than to the visit itself")
def test_seeds_are_one_storyline_of_two_events(store: Store, seeds_dir: Path) -> None:
    events, stories = _cluster(store, [str(seeds_dir)])
    by_prefix = {article_id[:3]: event for article_id, event in events.items()}
    assert by_prefix["001"] == by_prefix["004"]
    assert by_prefix["000"] == by_prefix["002"] == by_prefix["003"]
    assert by_prefix["001"] != by_prefix["000"]
    assert len(set(stories.values())) == 1
