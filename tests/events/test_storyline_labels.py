"""Labels of events and storylines are read by people: one language, words that are not names, accents kept."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from eventsynth import DIM, Topics, make_params

from newsloom.events.cluster import EventClusterer
from newsloom.events.features import normalise_token
from newsloom.events.storylines import StorylineLinker, _headline_words
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import Store


def test_headline_words_keep_accents_and_letters() -> None:
    words = _headline_words(["Η χελώνα καρέτα στη Ζάκυνθο", "Открытый космос", "Crue du Danube à Brăila"])
    assert {"χελώνα", "ζάκυνθο", "открытый", "brăila"} <= set(words)
    assert "открытыи" not in words  # й is a letter of its own, not и with an accent


def test_headline_words_count_once_per_headline_and_skip_short_words_and_numbers() -> None:
    words = _headline_words(["Flood flood 2025 in Brăila", "Flood relief"])
    assert words["flood"] == 2
    assert "2025" not in words and "in" not in words


def _multilingual_storyline(topics: Topics) -> tuple[EventClusterer, StorylineLinker, int]:
    """One event about the Dresden plant, its headlines in German, French and English."""
    c = EventClusterer(make_params(retire_after_days=30), dim=DIM)
    c.retire_min_active = 0
    ents = {"loc:dresden": 2.0, "per:veltrix": 3.0}
    heads = [
        ("de", "Veltrix baut Chipfabrik in Dresden"),
        ("de", "Chipfabrik in Dresden: Veltrix investiert Milliarden"),
        ("fr", "Veltrix construira une usine de puces à Dresde"),
        ("fr", "Dresde accueillera l'usine de Veltrix"),
        ("en", "Veltrix to build chip plant in Dresden"),
    ]
    c.add([dataclasses.replace(topics.article(0, day=0, entities=ents, title=h), lang=lang) for lang, h in heads])
    linker = StorylineLinker(c.params, dim=DIM)
    linker.update(c)
    (key,) = [int(s.id[2:]) for s in linker.storylines(c)]
    return c, linker, key


def _label_words(label: str) -> list[str]:
    return label.split(" · ")[2:]  # after the two entities


def test_label_words_are_of_one_language_and_never_spell_an_entity(topics: Topics) -> None:
    c, linker, key = _multilingual_storyline(topics)
    label = linker.label(key, c, names={"loc:dresden": "Dresden", "per:veltrix": "Veltrix"})
    assert label.startswith("Veltrix · Dresden · ")
    words = _label_words(label)
    # English is read by the interface, so its headline gives the words; "dresde", the
    # French spelling of an entity already named, is not a word of the label
    assert words and set(words) <= {"build", "chip", "plant"}


def test_label_words_of_retired_events_keep_their_language(topics: Topics) -> None:
    c, linker, key = _multilingual_storyline(topics)
    c.add([topics.article(5, day=40)])  # stream time moves on: the Dresden event retires
    linker.update(c)
    assert not linker._stories[key].events and linker._stories[key].frozen
    words = _label_words(linker.label(key, c, names={"loc:dresden": "Dresden", "per:veltrix": "Veltrix"}))
    assert words and set(words) <= {"build", "chip", "plant"}


def test_without_english_the_commonest_language_labels(topics: Topics) -> None:
    c = EventClusterer(make_params(), dim=DIM)
    heads = [("de", "Hochwasser an der Donau"), ("de", "Donau: Hochwasser steigt"), ("fr", "Crue du Danube")]
    c.add([dataclasses.replace(topics.article(0, title=h), lang=lang) for lang, h in heads])
    linker = StorylineLinker(c.params, dim=DIM)
    linker.update(c)
    (summary,) = linker.storylines(c)
    assert "hochwasser" in summary.label and "crue" not in summary.label


def test_an_event_is_labelled_by_a_headline_in_the_label_language(topics: Topics) -> None:
    c, _, _ = _multilingual_storyline(topics)
    (event,) = c.ids
    assert c.label_headline(event) == "Veltrix to build chip plant in Dresden"
    french = EventClusterer(make_params(label_language="fr"), dim=DIM)
    spanish = EventClusterer(make_params(label_language="es"), dim=DIM)
    for clusterer in (french, spanish):
        clusterer.add([dataclasses.replace(topics.article(0, title=t), lang=lang)
                       for lang, t in [("fr", "Dresde accueillera l'usine"), ("de", "Chipfabrik in Dresden")]])
    assert french.label_headline(french.ids[0]) == "Dresde accueillera l'usine"
    # no Spanish headline: the one nearest the event's centroid, whatever its language
    assert spanish.label_headline(spanish.ids[0]) in {"Dresde accueillera l'usine", "Chipfabrik in Dresden"}


def test_label_words_never_spell_an_entity_in_another_language(topics: Topics) -> None:
    c = EventClusterer(make_params(), dim=DIM)
    ents = {"loc:north-korea": 3.0, "per:vladimir-putin": 3.0}
    heads = ["Putin visiterà la Corea del Nord", "La Corea del Nord accoglie Putin", "Corea, vertice storico"]
    c.add([dataclasses.replace(topics.article(0, entities=ents, title=h), lang="it") for h in heads])
    linker = StorylineLinker(c.params, dim=DIM)
    linker.update(c)
    (key,) = [int(s.id[2:]) for s in linker.storylines(c)]
    names = {"loc:north-korea": "North Korea", "per:vladimir-putin": "Vladimir Putin"}
    assert "corea" in linker.label(key, c, names=names)  # its Italian name, unknown to the label
    known = {"loc:north-korea": ("North Korea", "Corea del Nord", "Coreea de Nord")}
    label = linker.label(key, c, names=names, spellings=lambda e: known.get(e, ()))
    assert "corea" not in label.lower().replace("north korea", "")
    assert "vertice" in label  # what is left is the headlines' own words


def test_a_run_labels_storylines_without_entity_spellings(store: Store, seeds_dir: Path) -> None:
    ingest([str(seeds_dir)], store)
    enrich_stored(store)
    cluster_stored(store)
    (story,) = store.list_storylines()
    words = {normalise_token(w) for w in story.label.split(" · ")[3:]}
    assert words and not words & {"corea", "coreea", "ucraina", "ucrainei", "russia", "rusia", "putin", "kim"}


def test_labels_never_lemmatise(topics: Topics, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # simplemma's dictionaries take ~100 MB a language: the clustering process must not load them
    import newsloom.enrich.keyphrases as kp

    def no_lemmas(token: str, lang: str) -> str:
        raise AssertionError(f"lemmatised {token!r} ({lang})")

    monkeypatch.setattr(kp, "_lemma", no_lemmas)
    c, linker, key = _multilingual_storyline(topics)
    assert linker.label(key, c)
    (summary,) = linker.storylines(c)
    assert summary.label
