"""Key phrases: language-aware candidates, lemma matching, no duplicates, corpus IDF."""
# ruff: noqa: E501  (the sample articles keep their paragraphs on one line each)

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsloom.enrich.keyphrases import KeyphraseModel, keyphrases, stopwords

EN = """Wildfire forces thousands to flee on Greek island of Rhodes

Thousands of tourists and residents were evacuated from the Greek island of Rhodes on Saturday as a wildfire spread towards coastal resorts, the fire brigade said.
The wildfire, which broke out in the mountainous centre of Rhodes five days ago, was fanned by strong winds and reached the east coast overnight.
Coast guard vessels and private boats carried more than 2,000 people from beaches near the village of Kiotari, while buses took others to schools and sports halls.
Greece's civil protection ministry said it was the largest evacuation from a wildfire in the country's history.
Tour operators cancelled flights to Rhodes and said holidaymakers already on the island would be flown home.
Firefighting aircraft from Turkey, Croatia and Slovakia joined Greek crews battling the wildfire on Sunday.
Temperatures above 40 degrees Celsius are forecast for the coming days, and the fire brigade warned that the heatwave would keep the risk of new fires high.
"""
DE = """Bahnstreik legt Fernverkehr in ganz Deutschland lahm

Die Lokführergewerkschaft GDL hat am Mittwoch den Fernverkehr der Deutschen Bahn weitgehend zum Stillstand gebracht.
Nach Angaben der Deutschen Bahn fielen rund 80 Prozent der Fernzüge aus, auch im Regionalverkehr gab es massive Einschränkungen.
Der Streik soll bis Freitagabend dauern. Die GDL fordert eine Arbeitszeitverkürzung auf 35 Stunden bei vollem Lohnausgleich.
Die Deutsche Bahn bezeichnete den Streik als unverhältnismäßig und kündigte an, vor Gericht gegen die GDL vorzugehen.
Pendler mussten auf Busse und Autos ausweichen, auf den Autobahnen rund um Frankfurt und München bildeten sich lange Staus.
GDL-Chef Claus Weselsky sagte, die Gewerkschaft sei zu weiteren Streiks bereit, falls die Bahn kein neues Angebot vorlege.
"""
ES = """Un terremoto de magnitud 6,8 sacude el sur de Marruecos

Un terremoto de magnitud 6,8 sacudió la noche del viernes el sur de Marruecos y causó más de 2.000 muertos, según el Ministerio del Interior.
El epicentro del terremoto se situó en la provincia de Al Haouz, en la cordillera del Atlas, a unos 70 kilómetros de Marrakech.
Numerosas aldeas de montaña quedaron destruidas y los equipos de rescate tenían dificultades para llegar a las zonas afectadas por carreteras bloqueadas.
En Marrakech, el terremoto dañó edificios de la medina histórica y miles de personas pasaron la noche en la calle.
El rey Mohamed VI decretó tres días de luto nacional y ordenó el despliegue de las fuerzas armadas para ayudar a los equipos de rescate.
España, Francia y Estados Unidos ofrecieron ayuda a Marruecos.
"""
FR = """La réforme des retraites adoptée par le Parlement

Le Parlement a définitivement adopté jeudi la réforme des retraites qui repousse l'âge légal de départ de 62 à 64 ans.
Le gouvernement d'Élisabeth Borne a eu recours à l'article 49.3 de la Constitution pour faire passer le texte à l'Assemblée nationale sans vote.
Les syndicats ont appelé à une nouvelle journée de grève et de manifestations contre la réforme des retraites.
À Paris, des milliers de manifestants se sont rassemblés place de la Concorde, et des heurts ont opposé des manifestants aux forces de l'ordre.
Les députés de l'opposition ont déposé deux motions de censure contre le gouvernement.
Le Conseil constitutionnel doit encore se prononcer sur la réforme des retraites.
"""
PL = """Powódź na południu Polski. Ewakuacja mieszkańców Kłodzka

Powódź po intensywnych opadach deszczu zalała w niedzielę centrum Kłodzka na Dolnym Śląsku.
Woda w Nysie Kłodzkiej przekroczyła stan alarmowy o ponad dwa metry, a służby ewakuowały setki mieszkańców.
Premier zwołał posiedzenie sztabu kryzysowego i zapowiedział pomoc dla poszkodowanych przez powódź.
W wielu miejscowościach na Dolnym Śląsku i Opolszczyźnie nie ma prądu ani wody pitnej.
Strażacy i żołnierze budują wały z worków z piaskiem, a Instytut Meteorologii ostrzega przed kolejnymi opadami deszczu.
"""

OTHER_LANGUAGES = {
    "en": (EN, {"Rhodes", "wildfire", "Greek island", "fire brigade"}),
    "de": (DE, {"Deutschen Bahn", "GDL", "Streik", "Fernverkehr"}),
    "es": (ES, {"terremoto", "Marrakech", "sur de Marruecos", "equipos de rescate"}),
    "fr": (FR, {"réforme des retraites", "Parlement", "gouvernement", "manifestants"}),
    "pl": (PL, {"Kłodzka", "powódź", "Dolnym Śląsku", "opadach deszczu"}),
}


def _split(article: str) -> tuple[str, str]:
    title, body = article.strip().split("\n", 1)
    return title, body.strip()


def _seed(seeds_dir: Path, prefix: str) -> str:
    text = next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return text.split("Articol recomandat de sport.ro")[0]  # as the cleaning stage leaves it


def _assert_clean(phrases: list[str], lang: str) -> None:
    stops = stopwords(lang)
    lowered = [p.lower() for p in phrases]
    assert len(set(lowered)) == len(lowered)
    for phrase in phrases:
        words = phrase.split()
        for edge in (words[0], words[-1]):  # a listed word may end a phrase only as a name ("Kim Jong Un")
            assert edge.lower() not in stops or edge[0].isupper(), phrase
        assert not any(ch.isdigit() for ch in phrase), phrase
    for a in lowered:  # no phrase inside another ("Kim Jong" and "Kim Jong Un")
        for b in lowered:
            assert a == b or f" {a} " not in f" {b} ", (a, b)


@pytest.mark.parametrize("lang", sorted(OTHER_LANGUAGES))
def test_other_languages(lang: str) -> None:
    article, expected = OTHER_LANGUAGES[lang]
    title, body = _split(article)
    phrases = keyphrases(body, lang, title=title)
    assert len(phrases) == 8
    _assert_clean(phrases, lang)
    assert len(expected & set(phrases)) >= 3, phrases
    assert not {"Saturday", "Mittwoch", "said", "sagte"} & set(phrases)  # weekdays and filler are not key phrases


def test_romanian_seed_names_the_people_and_the_place(seeds_dir: Path) -> None:
    phrases = keyphrases(_seed(seeds_dir, "001"), "ro")
    _assert_clean(phrases, "ro")
    assert {"Putin", "Kim Jong Un", "Coreea de Nord"} <= set(phrases)  # a name split by a stopword ("Un") is whole
    assert "Kim Jong" not in phrases
    longer = keyphrases(_seed(seeds_dir, "001"), "ro", k=20)
    assert "Vostocini" in longer
    assert not {"Getty", "Citește", "spus", "acceptat"} & set(longer)  # photo credit, link text, verbs


def test_italian_seed(seeds_dir: Path) -> None:
    phrases = keyphrases(_seed(seeds_dir, "003"), "it")
    _assert_clean(phrases, "it")
    assert {"Vietnam", "Cremlino", "Corea del Nord"} <= set(phrases)
    assert not any(p.lower().startswith(("visiterà", "effettuerà")) for p in phrases)  # inflected verbs


def test_lemmas_merge_inflected_forms() -> None:
    text = (
        "Rachetele au fost lansate noaptea. Experții au analizat rachetele. "
        "Numărul de rachete crește. Fragmente de rachetă au căzut în mare."
    )
    phrases = keyphrases(text, "ro", k=3)
    assert sum(p.lower().startswith("rachet") for p in phrases) == 1


def test_title_words_are_boosted() -> None:
    body = (
        "The council met on Tuesday. The budget was discussed at length, as were the libraries. "
        "The libraries will get new funding, the council said. Libraries across the city welcomed it."
    )
    with_title = keyphrases(body, "en", title="City budget approved", k=3)
    assert "budget" in [p.lower() for p in with_title]


def test_corpus_idf_pushes_down_what_every_article_shares(seeds_dir: Path) -> None:
    subjects = ["Putin", "Kim Jong Un", "Rusia", "Coreea de Nord", "Moscova", "Phenianul", "liderul nord-coreean"]
    topics = [
        "sancțiunile ONU",
        "războiul din Ucraina",
        "programul nuclear",
        "exporturile de cărbune",
        "turismul",
        "relațiile economice",
        "agricultura",
        "căile ferate",
        "exercițiile militare",
        "prețul petrolului",
    ]
    model = KeyphraseModel()
    for i, topic in enumerate(topics * 2):
        model.add(
            f"{subjects[i % 7]} a vorbit despre {topic}. {subjects[(i + 3) % 7]} a răspuns, iar Putin "
            f"și Kim Jong Un au discutat despre Rusia și Coreea de Nord.",
            "ro",
        )
    text = _seed(seeds_dir, "001")
    model.add(text, "ro")
    plain = keyphrases(text, "ro")
    weighted = model.extract(text, "ro")
    _assert_clean(weighted, "ro")
    assert plain[:2] == ["Putin", "Kim Jong Un"]
    assert "Vostocini" in weighted and "Vostocini" not in plain
    for common in ("Putin", "Kim Jong Un", "Coreea de Nord", "Rusia"):
        assert common not in weighted[:3]
    assert model.df(("coreea", "de", "nord")) == model.n_docs


def test_small_corpus_barely_changes_the_ranking(seeds_dir: Path) -> None:
    model = KeyphraseModel()
    text = _seed(seeds_dir, "001")
    model.add(text, "ro")
    assert model.extract(text, "ro")[:4] == keyphrases(text, "ro")[:4]


def test_degenerate_inputs() -> None:
    assert keyphrases("", "en") == []
    assert keyphrases("the and of", "en") == []
    assert keyphrases("Kremlin Kremlin Kremlin", None, k=2) == ["Kremlin"]
    assert keyphrases("Die Bahn streikt. Die Bahn steht.", "xx")  # unknown language: still works


def test_fast_enough(seeds_dir: Path) -> None:
    text = _seed(seeds_dir, "001")
    keyphrases(text, "ro")
    start = time.process_time()
    for _ in range(5):
        keyphrases(text, "ro")
    assert (time.process_time() - start) / 5 < 0.05
