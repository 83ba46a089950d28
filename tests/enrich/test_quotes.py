"""Quotes and their speakers, in every usual quotation mark and in reported speech."""

from __future__ import annotations

import pytest

from newsloom.enrich.entities import EntityRegistry, extract_entities
from newsloom.enrich.quotes import SPEECH_VERBS, extract_quotes


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLOOM_SPACY", "0")


def quotes_of(text: str, lang: str, registry: EntityRegistry | None = None):
    reg = registry or EntityRegistry()
    mentions = extract_entities(text, lang, reg)
    return extract_quotes(text, lang, mentions, reg)


def only(quotes, kind="direct"):
    qs = [q for q in quotes if q.kind == kind]
    assert len(qs) == 1, qs
    return qs[0]


def test_speech_verbs_cover_the_languages():
    for lang in ("en", "de", "fr", "es", "it", "ro", "pt", "ru"):
        assert SPEECH_VERBS[lang], lang


# --- the seed sentences ------------------------------------------------------------------


def test_seed_kirby_after_his_title():
    text = (
        "Statele Unite şi-au exprimat îngrijorarea. \"Suntem în mod evident îngrijoraţi de "
        "orice relaţie de apărare emergentă între Coreea de Nord şi Rusia\", a declarat "
        "purtătorul de cuvânt al Consiliului Naţional de Securitate, John Kirby."
    )
    q = only(quotes_of(text, "ro"))
    assert q.text.startswith("Suntem în mod evident")
    assert q.speaker == "John Kirby" and q.speaker_entity_id == "per:john-kirby"
    assert text[q.start : q.start + 6] == "Suntem"


def test_seed_putin_on_television():
    text = (
        "Il presidente russo Vladimir Putin ha incontrato Kim. “La Russia rispetta tutte "
        "queste restrizioni”, ha detto Putin alla televisione di stato russa, “ma ci sono "
        "cose di cui possiamo sicuramente parlare, discutiamo e ci sono anche punti di vista”."
    )
    qs = [q for q in quotes_of(text, "it") if q.kind == "direct"]
    assert [q.speaker for q in qs] == ["Vladimir Putin", "Vladimir Putin"]
    assert qs[0].text == "La Russia rispetta tutte queste restrizioni"


def test_seed_kremlin_said():
    text = (
        "„La invitația consilierului de stat nord-coreean Kim Jong Un, Vladimir Putin va "
        "efectua o vizită de stat de bunăvoință în Republica Populară Democrată Coreea în "
        "perioada 18-19 iunie”, a spus Kremlinul."
    )
    q = only(quotes_of(text, "ro"))
    assert q.speaker == "Kremlin" and q.speaker_entity_id == "org:kremlin"


def test_continued_quotation_keeps_its_speaker():
    text = (
        "„Lista țărilor dispuse să-l întâmpine pe Putin este mai scurtă ca niciodată, dar "
        "pentru Kim Jong Un, această vizită este o victorie”, a declarat Leif-Eric Isley, "
        "profesor la Universitatea Ewha din Seul.\n\n„Acest summit nu numai că îmbunătățește "
        "poziția Coreei de Nord, dar ajută și la întărirea legitimității interne a lui Kim "
        "Jong Un”."
    )
    qs = quotes_of(text, "ro")
    assert [q.speaker for q in qs] == ["Leif-Eric Isley", "Leif-Eric Isley"]


# --- one sentence per quotation style ----------------------------------------------------

STYLES = [
    ("en", "“We are obviously concerned about this relationship,” said John Kirby.", "John Kirby"),
    ("en", '"We are obviously concerned about this relationship," John Kirby said.', "John Kirby"),
    ("en", "‘We will not hesitate to act quickly,’ said Matthew Miller.", "Matthew Miller"),
    ("de", "„Wir lassen unsere Nachbarn nicht allein“, sagte Tobias Wendland in Berlin.",
     "Tobias Wendland"),
    ("de", "»Wir lassen unsere Nachbarn nicht allein«, sagte Tobias Wendland.", "Tobias Wendland"),
    ("fr", "« Nous resterons vigilants sur la suite », a affirmé Thierry Vasseur.",
     "Thierry Vasseur"),
    ("es", "«Nunca habíamos visto algo así en cincuenta años», dijo Ioana Mărgineanu.",
     "Ioana Mărgineanu"),
    ("it", "«Adesso serve un progetto serio per restare», ha detto Giorgio Sala.",
     "Giorgio Sala"),
    ("ro", "„Este cea mai grea situație pe care am văzut-o”, a declarat Ioana Mărgineanu.",
     "Ioana Mărgineanu"),
    ("ro", "\"Putin a acceptat cu plăcere invitaţia prietenului său\", a adăugat agenţia KCNA.",
     "KCNA"),
    ("pt", "“Não vamos desistir desta luta agora”, disse Ana Souza.", "Ana Souza"),
    ("ru", "«Мы не спали двое суток подряд», заявил Иван Петров.", "Иван Петров"),
    ("en", "Jorg Brandauer said: “This is a day of joy for the whole region.”", "Jorg Brandauer"),
]


@pytest.mark.parametrize("lang,text,speaker", STYLES)
def test_quote_styles(lang, text, speaker):
    q = only(quotes_of(text, lang))
    assert q.speaker == speaker, (text, q)
    assert len(q.text.split()) >= 4


def test_unnamed_speaker_is_none():
    text = "“The water came at night and took everything,” said a resident of the village."
    q = only(quotes_of(text, "en"))
    assert q.speaker is None and q.speaker_entity_id is None


def test_scare_quotes_are_skipped_unless_governed():
    text = (
        "Putin described the talks as \"constructive\" and the deal as \"a big victory\". "
        "Kim Jong Un answered: \"Gladly.\""
    )
    qs = [q for q in quotes_of(text, "en") if q.kind == "direct"]
    assert [q.text for q in qs] == ["Gladly."]
    assert qs[0].speaker == "Kim Jong Un"


def test_pronoun_speaker_is_the_person_just_named():
    text = (
        "Romania's environment minister Ioana Margineanu spoke at the summit. "
        "“We are building so the river has room,” she told delegates."
    )
    q = only(quotes_of(text, "en"))
    assert q.speaker == "Ioana Margineanu"


# --- reported speech ---------------------------------------------------------------------

REPORTED = [
    ("ro", "Kremlinul a spus că Putin va vizita Vietnam în perioada 19-20 iunie.", "Kremlin"),
    ("ro", "Ministerul Apărării a declarat că vizita nu ar trebui să ducă la o cooperare "
           "militară mai mare.", "Ministerul Apărării"),
    ("it", "Il portavoce del Cremlino Dmitry Peskov ha spiegato che Mosca svilupperà le "
           "relazioni con la Corea del Nord.", "Dmitry Peskov"),
    ("it", "Secondo i media, ha detto Putin che la Russia resterà vicina alla Corea del Nord.",
     "Vladimir Putin"),
    ("en", "John Kirby said that the United States was concerned about the arms deal.",
     "John Kirby"),
    ("de", "Tobias Wendland sagte, dass Deutschland ein Viertel der Summe tragen werde.",
     "Tobias Wendland"),
    ("fr", "Thierry Vasseur a affirmé que les salariés resteraient vigilants cette année.",
     "Thierry Vasseur"),
    ("es", "Ioana Mărgineanu dijo que el acuerdo era un primer paso importante.",
     "Ioana Mărgineanu"),
    ("ru", "Иван Петров заявил, что спасательные службы работают на пределе сил.",
     "Иван Петров"),
]


@pytest.mark.parametrize("lang,text,speaker", REPORTED)
def test_reported_speech(lang, text, speaker):
    reg = EntityRegistry()
    if speaker == "Vladimir Putin":
        extract_entities("Vladimir Putin met Kim Jong Un in Moscow.", "en", reg)
    q = only(quotes_of(text, lang, reg), "reported")
    assert q.speaker == speaker, (text, q)


def test_reported_speech_needs_a_named_speaker():
    text = "Oficialii ucraineni spun că au numărat aproximativ 50 de astfel de rachete."
    assert [q for q in quotes_of(text, "ro") if q.kind == "reported"] == []
