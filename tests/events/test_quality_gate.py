"""Quality gate (like trafilatura's eval gate): the demo corpus must not score below pinned values.

Raise the pins when quality improves; never lower them to make a change pass.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from newsloom.cli import demo_corpus
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import Store

pytestmark = pytest.mark.slow

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


def test_seeds_dated_events_months_apart_stay_apart_in_one_storyline(store: Store, seeds_dir: Path) -> None:
    """Putin's visit (June 2024: 000 dated by its dateline, 003 by its text) is not Kim's (Sept 2023: 001)."""
    events, stories = _cluster(store, [str(seeds_dir)])
    by_prefix = {article_id[:3]: event for article_id, event in events.items()}
    assert by_prefix["000"] == by_prefix["003"]
    assert by_prefix["001"] != by_prefix["000"]
    assert by_prefix["004"] != by_prefix["000"]
    assert len(set(stories.values())) == 1


@pytest.mark.xfail(strict=True, reason="known: 002 has no date and reads closer to 001 (Kim invites Putin) than to "
                                       "the visit; 004 (Italian) scores below the join threshold against 001")
def test_seeds_are_one_storyline_of_two_events(store: Store, seeds_dir: Path) -> None:
    events, stories = _cluster(store, [str(seeds_dir)])
    by_prefix = {article_id[:3]: event for article_id, event in events.items()}
    assert by_prefix["001"] == by_prefix["004"]
    assert by_prefix["000"] == by_prefix["002"] == by_prefix["003"]
    assert by_prefix["001"] != by_prefix["000"]
    assert len(set(stories.values())) == 1
