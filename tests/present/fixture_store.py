"""A small, realistic store for the presentation tests, built only through the public Store methods.

Two storylines (floods along the Danube; a gas transit deal, reported in Ukrainian, Russian,
Polish, Greek and English), a standalone event in Greek and English, duplicate and translation
links, enrichments with entities (surface forms as they occur in the texts) and quotes, removed
boilerplate, two articles not yet clustered, and one hostile article whose title is
``<script>alert(1)</script>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from newsloom.model import (
    Article,
    ArticleLink,
    DateEstimate,
    Enrichment,
    Entity,
    EntityMention,
    Event,
    Quote,
    RemovedLine,
    Storyline,
)
from newsloom.present.digest import tokens
from newsloom.store import Store

XSS = "<script>alert(1)</script>"


@dataclass(frozen=True)
class A:
    id: str
    lang: str
    outlet: str
    published: str
    title: str
    text: str
    url: str | None = None
    removed: tuple[tuple[str, str], ...] = ()


ARTICLES: list[A] = [
    # --- storyline s-danube, event ev-flood (2024-06-10 … 11)
    A("en-flood-1", "en", "Danube Herald", "2024-06-10T08:00:00+00:00",
      "Danube bursts its banks in eastern Romania",
      "The Danube burst its banks near Galați on Monday after days of heavy rain, flooding hundreds of homes.\n"
      "Emergency crews evacuated more than 2,000 people from low-lying districts of Galați overnight.\n"
      "\"We have never seen the river this high in June,\" said Ana Popescu, Romania's interior minister.\n"
      "Forecasters expect the water level to peak on Wednesday before slowly falling.",
      url="https://danube-herald.example/2024/06/10/flood",
      removed=(("Read also: Ten tips for a rainy summer", "marker"), ("Share this article", "recurring-in-outlet"))),
    A("ro-flood-1", "ro", "Gazeta Dunării", "2024-06-10T09:30:00+03:00",
      "Dunărea a ieșit din matcă la Galați",
      "Dunărea a ieșit din matcă la Galați luni, după mai multe zile de ploi abundente.\n"
      "Peste 2.000 de oameni au fost evacuați peste noapte din cartierele joase ale orașului.\n"
      "Ministrul de interne Ana Popescu a declarat că apele nu au fost niciodată atât de mari în iunie.\n"
      "Nivelul Dunării ar urma să atingă vârful miercuri.",
      url="https://gazeta-dunarii.example/inundatii-galati",
      removed=(("Citește și: Vremea în weekend", "marker"),)),
    A("ro-flood-copy", "ro", "Știri Est", "2024-06-10T11:00:00+03:00",
      "Dunărea a ieșit din matcă la Galați",
      "Dunărea a ieșit din matcă la Galați luni, după mai multe zile de ploi abundente.\n"
      "Peste 2.000 de oameni au fost evacuați peste noapte din cartierele joase ale orașului.\n"
      "Ministrul de interne Ana Popescu a declarat că apele nu au fost niciodată atât de mari în iunie."),
    A("de-flood-1", "de", "Donau Kurier", "2024-06-11T07:15:00+02:00",
      "Donau tritt in Rumänien über die Ufer",
      "Die Donau ist bei Galați über die Ufer getreten und hat Hunderte Häuser überflutet.\n"
      "Mehr als 2.000 Menschen wurden in der Nacht aus tief gelegenen Vierteln in Sicherheit gebracht.\n"
      "Innenministerin Ana Popescu sagte, der Fluss sei im Juni noch nie so hoch gewesen."),
    # --- event ev-aid (2024-06-14)
    A("en-aid-1", "en", "Danube Herald", "2024-06-14T10:00:00+00:00",
      "EU pledges €200 million in flood aid for Romania",
      "The European Union pledged €200 million in emergency aid for flooded regions along the Danube.\n"
      "Ursula von der Leyen announced the package in Brussels on Friday after talks with Romanian officials.\n"
      "\"No region should face a disaster like this alone,\" von der Leyen told reporters.\n"
      "The money will fund temporary housing and repairs to dykes near Galați.",
      url="https://danube-herald.example/2024/06/14/eu-aid"),
    A("fr-aid-1", "fr", "Le Quotidien", "2024-06-14T12:00:00+02:00",
      "L'UE promet 200 millions d'euros d'aide après les inondations en Roumanie",
      "L'Union européenne a promis 200 millions d'euros d'aide d'urgence aux régions inondées le long du Danube.\n"
      "Ursula von der Leyen a annoncé l'enveloppe vendredi à Bruxelles.\n"
      "Les fonds financeront des logements temporaires et la réparation des digues près de Galați."),
    A("ro-aid-tr", "ro", "Gazeta Dunării", "2024-06-14T15:00:00+03:00",
      "UE promite 200 de milioane de euro ajutor pentru inundații",
      "Uniunea Europeană a promis 200 de milioane de euro ajutor de urgență pentru regiunile inundate de Dunăre.\n"
      "Ursula von der Leyen a anunțat pachetul vineri la Bruxelles.\n"
      "Banii vor finanța locuințe temporare și repararea digurilor de lângă Galați."),
    # --- event ev-xss (2024-06-20): hostile content
    A("xss-1", "en", "Evil <b>Outlet</b>", "2024-06-20T09:00:00+00:00", XSS,
      "A hostile page about the Danube: <img src=x onerror=alert(2)> and <script>alert(3)</script>.\n"
      "It still mentions Galați so it joins the flood storyline.",
      url="javascript:alert(4)"),
    # --- storyline s-gas, event ev-gas (2024-06-12)
    A("uk-gas-1", "uk", "Київський вісник", "2024-06-12T10:00:00+03:00",
      "Україна та Польща підписали угоду про транзит газу",
      "Україна та Польща підписали в Києві угоду про транзит газу на п'ять років.\n"
      "Угоду підписали міністерка енергетики Олена Коваленко та її польський колега Марек Новак.\n"
      "«Це історичний день для енергетичної безпеки регіону», — заявила Олена Коваленко.\n"
      "Нафтогаз розпочне постачання вже в липні.",
      url="https://kyiv-visnyk.example/gaz"),
    A("ru-gas-1", "ru", "Новости Востока", "2024-06-12T12:00:00+03:00",
      "Украина и Польша подписали соглашение о транзите газа",
      "Украина и Польша подписали в Киеве соглашение о транзите газа сроком на пять лет.\n"
      "Документ подписали министр энергетики Елена Коваленко и польский министр Марек Новак.\n"
      "Поставки через Нафтогаз начнутся в июле."),
    A("pl-gas-1", "pl", "Gazeta Wschodnia", "2024-06-12T13:00:00+02:00",
      "Polska i Ukraina podpisały umowę o tranzycie gazu",
      "Polska i Ukraina podpisały w Kijowie pięcioletnią umowę o tranzycie gazu.\n"
      "„To dobra wiadomość dla całego regionu” – powiedział minister Marek Nowak.\n"
      "Dostawy rozpoczną się w lipcu."),
    A("en-gas-1", "en", "Danube Herald", "2024-06-12T14:00:00+00:00",
      "Ukraine and Poland sign five-year gas transit deal",
      "Ukraine and Poland signed a five-year gas transit agreement in Kyiv on Wednesday.\n"
      "Energy minister Olena Kovalenko called it a historic day for the region's energy security.\n"
      "Naftogaz will start deliveries in July."),
    # --- event ev-prices (2024-06-20 … 21)
    A("en-prices-1", "en", "Market Wire", "2024-06-20T09:00:00+00:00",
      "Gas prices fall after Ukraine–Poland deal",
      "European gas prices fell 4% on Thursday after the transit deal between Ukraine and Poland.\n"
      "Traders said the agreement eased fears of shortages next winter."),
    A("el-prices-1", "el", "Αθηναϊκά Νέα", "2024-06-21T10:00:00+03:00",
      "Πτώση στις τιμές του φυσικού αερίου μετά τη συμφωνία Ουκρανίας–Πολωνίας",
      "Οι τιμές του φυσικού αερίου στην Ευρώπη υποχώρησαν κατά 4% μετά τη συμφωνία μεταξύ Ουκρανίας και Πολωνίας.\n"
      "Σύμφωνα με τους αναλυτές, η συμφωνία μειώνει τους φόβους για ελλείψεις τον χειμώνα."),
    A("ru-prices-1", "ru", "Новости Востока", "2024-06-21T11:00:00+03:00",
      "Цены на газ в Европе снизились после сделки Украины и Польши",
      "Цены на газ в Европе снизились на 4% после соглашения между Украиной и Польшей.\n"
      "Трейдеры говорят, что сделка снизила опасения дефицита зимой."),
    # --- standalone event ev-heat (no storyline)
    A("el-heat-1", "el", "Αθηναϊκά Νέα", "2024-06-13T08:00:00+03:00",
      "Κλειστή η Ακρόπολη λόγω καύσωνα",
      "Η Ακρόπολη έκλεισε το μεσημέρι λόγω του καύσωνα που πλήττει την Αθήνα.\n"
      "«Η ασφάλεια των επισκεπτών είναι προτεραιότητα», δήλωσε η υπουργός Μαρία Παπαδοπούλου."),
    A("en-heat-1", "en", "Market Wire", "2024-06-13T09:00:00+00:00",
      "Heatwave shuts the Acropolis in Athens",
      "Greek authorities closed the Acropolis at midday as a heatwave hit Athens.\n"
      "Culture minister Maria Papadopoulou said visitor safety came first."),
    # --- not clustered yet
    A("de-loose-1", "de", "Donau Kurier", "2024-07-01T08:00:00+02:00",
      "Pegel der Donau sinkt langsam",
      "Der Pegel der Donau sinkt langsam. In Galați beginnen die Aufräumarbeiten."),
    A("en-loose-1", "en", "Market Wire", "2024-07-02T08:00:00+00:00",
      "Café owners in Galați count the cost",
      "Café owners along the Danube promenade in Galați said the flood cost them a month of trade."),
]


def ent(entity_id: str, name: str, type_: str, *surface: str, count: int = 1) -> EntityMention:
    return EntityMention(entity_id, name, type_, tuple(surface), count)


DANUBE = ("e-danube", "Danube", "LOC")
GALATI = ("e-galati", "Galați", "LOC")
POPESCU = ("e-popescu", "Ana Popescu", "PER")
EU = ("e-eu", "European Union", "ORG")
VDL = ("e-vdl", "Ursula von der Leyen", "PER")
UKRAINE = ("e-ukraine", "Ukraine", "LOC")
POLAND = ("e-poland", "Poland", "LOC")
KOVALENKO = ("e-kovalenko", "Olena Kovalenko", "PER")
NOWAK = ("e-nowak", "Marek Nowak", "PER")
NAFTOGAZ = ("e-naftogaz", "Naftogaz", "ORG")
KYIV = ("e-kyiv", "Kyiv", "LOC")
ATHENS = ("e-athens", "Athens", "LOC")
ACROPOLIS = ("e-acropolis", "Acropolis", "LOC")
PAPADOPOULOU = ("e-papadopoulou", "Maria Papadopoulou", "PER")

MENTIONS: dict[str, list[tuple[tuple[str, str, str], tuple[str, ...]]]] = {
    "en-flood-1": [(DANUBE, ("Danube",)), (GALATI, ("Galați",)), (POPESCU, ("Ana Popescu",))],
    "ro-flood-1": [(DANUBE, ("Dunărea", "Dunării")), (GALATI, ("Galați",)), (POPESCU, ("Ana Popescu",))],
    "ro-flood-copy": [(DANUBE, ("Dunărea",)), (GALATI, ("Galați",)), (POPESCU, ("Ana Popescu",))],
    "de-flood-1": [(DANUBE, ("Donau",)), (GALATI, ("Galați",)), (POPESCU, ("Ana Popescu",))],
    "en-aid-1": [(EU, ("European Union",)), (VDL, ("Ursula von der Leyen", "von der Leyen")), (DANUBE, ("Danube",)),
                 (GALATI, ("Galați",))],
    "fr-aid-1": [(EU, ("Union européenne",)), (VDL, ("Ursula von der Leyen",)), (DANUBE, ("Danube",)),
                 (GALATI, ("Galați",))],
    "ro-aid-tr": [(EU, ("Uniunea Europeană",)), (VDL, ("Ursula von der Leyen",)), (DANUBE, ("Dunăre",)),
                  (GALATI, ("Galați",))],
    "xss-1": [(DANUBE, ("Danube",)), (GALATI, ("Galați",))],
    "uk-gas-1": [(UKRAINE, ("Україна",)), (POLAND, ("Польща",)), (KYIV, ("Києві",)),
                 (KOVALENKO, ("Олена Коваленко",)), (NOWAK, ("Марек Новак",)), (NAFTOGAZ, ("Нафтогаз",))],
    "ru-gas-1": [(UKRAINE, ("Украина",)), (POLAND, ("Польша",)), (KYIV, ("Киеве",)),
                 (KOVALENKO, ("Елена Коваленко",)), (NOWAK, ("Марек Новак",)), (NAFTOGAZ, ("Нафтогаз",))],
    "pl-gas-1": [(UKRAINE, ("Ukraina",)), (POLAND, ("Polska",)), (KYIV, ("Kijowie",)), (NOWAK, ("Marek Nowak",))],
    "en-gas-1": [(UKRAINE, ("Ukraine",)), (POLAND, ("Poland",)), (KYIV, ("Kyiv",)), (KOVALENKO, ("Olena Kovalenko",)),
                 (NAFTOGAZ, ("Naftogaz",))],
    "en-prices-1": [(UKRAINE, ("Ukraine",)), (POLAND, ("Poland",))],
    "el-prices-1": [(UKRAINE, ("Ουκρανίας",)), (POLAND, ("Πολωνίας",))],
    "ru-prices-1": [(UKRAINE, ("Украиной",)), (POLAND, ("Польшей",))],
    "el-heat-1": [(ACROPOLIS, ("Ακρόπολη",)), (ATHENS, ("Αθήνα",)), (PAPADOPOULOU, ("Μαρία Παπαδοπούλου",))],
    "en-heat-1": [(ACROPOLIS, ("Acropolis",)), (ATHENS, ("Athens",)), (PAPADOPOULOU, ("Maria Papadopoulou",))],
    "de-loose-1": [(DANUBE, ("Donau",)), (GALATI, ("Galați",))],
    "en-loose-1": [(DANUBE, ("Danube",)), (GALATI, ("Galați",))],
}

QUOTES: dict[str, list[tuple[str, tuple[str, str, str] | None, str]]] = {
    "en-flood-1": [("We have never seen the river this high in June", POPESCU, "direct")],
    "ro-flood-1": [("apele nu au fost niciodată atât de mari în iunie", POPESCU, "reported")],
    "en-aid-1": [("No region should face a disaster like this alone", VDL, "direct")],
    "uk-gas-1": [("Це історичний день для енергетичної безпеки регіону", KOVALENKO, "direct")],
    "pl-gas-1": [("To dobra wiadomość dla całego regionu", NOWAK, "direct")],
    "el-heat-1": [("Η ασφάλεια των επισκεπτών είναι προτεραιότητα", PAPADOPOULOU, "direct")],
    "en-prices-1": [("the agreement eased fears of shortages next winter", None, "reported")],
}

KEYPHRASES: dict[str, list[str]] = {
    "en-flood-1": ["flooding", "evacuated", "water level"],
    "ro-flood-1": ["inundații", "evacuați"],
    "de-flood-1": ["Hochwasser", "überflutet"],
    "en-aid-1": ["emergency aid", "€200 million", "dykes"],
    "fr-aid-1": ["aide d'urgence", "200 millions d'euros"],
    "uk-gas-1": ["транзит газу", "енергетична безпека"],
    "en-gas-1": ["gas transit", "energy security"],
    "en-prices-1": ["gas prices"],
}

ALIASES: dict[str, dict[str, list[str]]] = {
    "e-danube": {"en": ["Danube"], "ro": ["Dunărea", "Dunării", "Dunăre"], "de": ["Donau"], "fr": ["Danube"]},
    "e-galati": {"ro": ["Galați"], "en": ["Galați", "Galati"], "de": ["Galați"]},
    "e-popescu": {"en": ["Ana Popescu"], "ro": ["Ana Popescu"], "de": ["Ana Popescu"]},
    "e-eu": {"en": ["European Union", "EU"], "fr": ["Union européenne", "UE"], "ro": ["Uniunea Europeană", "UE"]},
    "e-vdl": {"en": ["Ursula von der Leyen", "von der Leyen"], "fr": ["Ursula von der Leyen"]},
    "e-ukraine": {"en": ["Ukraine"], "uk": ["Україна"], "ru": ["Украина", "Украиной"], "pl": ["Ukraina"],
                  "el": ["Ουκρανίας"]},
    "e-poland": {"en": ["Poland"], "pl": ["Polska"], "uk": ["Польща"], "ru": ["Польша", "Польшей"], "el": ["Πολωνίας"]},
    "e-kovalenko": {"en": ["Olena Kovalenko"], "uk": ["Олена Коваленко"], "ru": ["Елена Коваленко"]},
    "e-nowak": {"pl": ["Marek Nowak"], "uk": ["Марек Новак"], "ru": ["Марек Новак"]},
    "e-naftogaz": {"en": ["Naftogaz"], "uk": ["Нафтогаз"], "ru": ["Нафтогаз"]},
    "e-kyiv": {"en": ["Kyiv"], "uk": ["Києві"], "ru": ["Киеве"], "pl": ["Kijowie"]},
    "e-athens": {"en": ["Athens"], "el": ["Αθήνα"]},
    "e-acropolis": {"en": ["Acropolis"], "el": ["Ακρόπολη"]},
    "e-papadopoulou": {"en": ["Maria Papadopoulou"], "el": ["Μαρία Παπαδοπούλου"]},
}

EVENTS: list[tuple[str, str, list[str], str | None]] = [
    ("ev-flood", "Danube bursts its banks at Galați", ["en-flood-1", "ro-flood-1", "ro-flood-copy", "de-flood-1"],
     "s-danube"),
    ("ev-aid", "EU flood aid for Romania", ["en-aid-1", "fr-aid-1", "ro-aid-tr"], "s-danube"),
    ("ev-xss", XSS, ["xss-1"], "s-danube"),
    ("ev-gas", "Ukraine–Poland gas transit deal", ["uk-gas-1", "ru-gas-1", "pl-gas-1", "en-gas-1"], "s-gas"),
    ("ev-prices", "Gas prices fall", ["en-prices-1", "el-prices-1", "ru-prices-1"], "s-gas"),
    ("ev-heat", "Acropolis closed by heatwave", ["el-heat-1", "en-heat-1"], None),
]

LINKS: dict[str, tuple[str | None, str | None]] = {
    "ro-flood-copy": ("ro-flood-1", None),  # duplicate_of
    "ro-aid-tr": (None, "en-aid-1"),  # translation_of
}


def build_store(store: Store) -> dict[str, object]:
    """Fill ``store``; returns handy ids for the tests."""
    by_id = {a.id: a for a in ARTICLES}
    store.put_articles([
        Article(
            id=a.id, origin=f"fixture/{a.id}.txt", kind="text", raw=a.text, title=a.title, text=a.text,
            content_hash=f"hash-{a.id}", removed=[RemovedLine(line, reason) for line, reason in a.removed],
            url=a.url, outlet=a.outlet, lang=a.lang, lang_confidence=0.97, published=a.published,
            published_source="metadata", ingested_at="2024-07-03T00:00:00+00:00",
        )
        for a in ARTICLES
    ])
    enrichments = []
    counts: dict[str, tuple[int, int]] = {}
    for article_id, mentions in MENTIONS.items():
        text = by_id[article_id].text
        ems = []
        for (eid, name, type_), surface in mentions:
            n = max(1, sum(text.count(s) for s in surface))
            ems.append(ent(eid, name, type_, *surface, count=n))
            arts, total = counts.get(eid, (0, 0))
            counts[eid] = (arts + 1, total + n)
        quotes = [
            Quote(q, who[1] if who else None, who[0] if who else None, kind, max(0, text.find(q[:12])))  # type: ignore[arg-type]
            for q, who, kind in QUOTES.get(article_id, [])
        ]
        enrichments.append(Enrichment(
            article_id=article_id, entities=ems, quotes=quotes, keyphrases=KEYPHRASES.get(article_id, []),
            date_estimate=DateEstimate(by_id[article_id].published[:10], 0.8, ("dateline",)),
        ))
    store.put_enrichments(enrichments)
    names = {e[0]: e for e in (DANUBE, GALATI, POPESCU, EU, VDL, UKRAINE, POLAND, KOVALENKO, NOWAK, NAFTOGAZ, KYIV,
                                ATHENS, ACROPOLIS, PAPADOPOULOU)}
    store.put_entities([
        Entity(eid, names[eid][1], names[eid][2], ALIASES.get(eid, {}), counts[eid][0], counts[eid][1])
        for eid in names
    ])
    events = []
    links = []
    for event_id, label, members, storyline in EVENTS:
        dates = sorted(by_id[m].published[:10] for m in members)
        events.append(Event(
            id=event_id, article_ids=members, label=label, first_date=dates[0], last_date=dates[-1],
            storyline_id=storyline, languages=sorted({by_id[m].lang for m in members}),
            outlets=sorted({by_id[m].outlet for m in members}),
            key_entities=[eid for (eid, _, _), _ in MENTIONS[members[0]]][:3],
        ))
        for member in members:
            dup, tr = LINKS.get(member, (None, None))
            links.append(ArticleLink(member, event_id, dup, tr))
    # An event merged into ev-gas: its id must redirect.
    events.append(Event(id="ev-gas-old", article_ids=[], label="old", merged_into="ev-gas"))
    storylines = [
        Storyline("s-danube", ["ev-flood", "ev-aid", "ev-xss"], "Floods along the Danube",
                  ["e-danube", "e-galati", "e-eu"], ["de", "en", "fr", "ro"],
                  ["Danube Herald", "Donau Kurier", "Gazeta Dunării", "Le Quotidien", "Știri Est"],
                  "2024-06-10", "2024-06-20"),
        Storyline("s-gas", ["ev-gas", "ev-prices"], "Ukraine–Poland gas transit",
                  ["e-ukraine", "e-poland", "e-naftogaz"], ["el", "en", "pl", "ru", "uk"],
                  ["Danube Herald", "Gazeta Wschodnia", "Market Wire", "Київський вісник", "Новости Востока",
                   "Αθηναϊκά Νέα"], "2024-06-12", "2024-06-21"),
        # A storyline whose events all went to s-gas: its id must redirect.
        Storyline("s-gas-old", [], merged_into="s-gas"),
    ]
    store.put_clustering(events, storylines, links)
    return {
        "articles": [a.id for a in ARTICLES],
        "events": [e[0] for e in EVENTS],
        "storylines": ["s-danube", "s-gas"],
        "entities": list(names),
    }


class FakeEmbedder:
    """Deterministic bag-of-words vectors: sentences sharing words are close."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls += 1
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in tokens(text):
                rows[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return np.asarray(rows / norms, dtype=np.float32)
