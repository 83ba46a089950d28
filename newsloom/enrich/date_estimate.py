"""The date an article is about, inferred from its words when metadata says nothing.

``estimate_date(text, lang)`` reads the date expressions of a text and returns a
``DateEstimate``: an ISO date, a confidence in [0, 1] and the evidence it rests on — or
``DateEstimate(None, 0.0, evidence)`` when the text does not support a date. It is kept apart
from the metadata date (publication date, URL, dateline), which another stage handles; pass
``published`` when one is known and it anchors yearless and relative expressions.

How it works
------------
1. **Candidate spans, by regular expressions per language.** Month and weekday names come
   from Babel's locale data (any language Babel knows), with and without diacritics. The
   forms found: full dates ("13 septembrie 2023", "June 17, 2024"), day ranges ("18-19
   iunie", "18 e 19 giugno"), month and year ("nel settembre 2023"), a month alone ("in
   settembre"), parts of a year or month ("all'inizio del 2024", "alla fine del 2023", "da
   metà luglio"), a year after a preposition ("nel 2000", "în 2019"), a month relative to
   the article's own year ("în septembrie anul trecut", "in settembre dell'anno precedente"),
   a duration since a well-known event ("un an și jumătate" of the war in Ukraine, "a year and
   a half after the invasion began"), numeric dates (parsed by ``dateparser`` in the
   article's language, which knows whether the locale writes day or month first), and
   weekdays ("marți și miercuri", "il mercoledì"). False hits are filtered: a month name that
   is also a common word (Romanian/French/German "mai", English "may", "march") counts only
   next to a day or a year; a bare number is never a year.
2. **Tense and cues per sentence.** A sentence is *future* when it has a future marker of its
   language ("va", "vor", "urmează să"; Italian "-rà", "-ranno"; "will"; "wird"...), *current*
   when it says "this week", "today" and the like, *historical* when it says "the last time",
   "for the first time since"; otherwise past or neutral.
3. **Years for yearless dates.** In order of trust: ``published``; the article's year implied
   by a relative month that matches an explicit one ("septembrie anul trecut" next to "13
   septembrie 2023" → the article is from 2024); a date anchored on a known event; the latest
   year the text states ("all'inizio del 2024" → "il 18 e 19 giugno" is June 2024). A weekday
   named with a date must agree with it (18 June 2024 is a Tuesday: "marți" agrees).
4. **Choosing.** Future, current and anchored dates vote for the article's time; dates in
   past or neutral sentences only bound it from below and back it up when they agree;
   historical ones are ignored. Votes within 45 days form a cluster; the heaviest cluster
   wins (ties go to the later), and its earliest future/current date is the answer.
   Confidence = precision of the evidence (a day, a month) × how the year was found × the
   share of the votes that agree, plus a little for each independent agreement (weekday,
   "this week", repeated mention). When only past dates exist, the latest full date in the
   lead is returned with low confidence; when nothing fixes the year, the answer is unknown.
   Read it as: >= 0.6 the text states the date (explicit year, or a year fixed two ways);
   0.3-0.6 inferred (a duration from an anchor event, a year taken from the latest one the
   text mentions); < 0.3 a weak hint only (a lone past date, a lone stated year).
5. **Boilerplate tails.** Dates after the point where a text turns into a block of short or
   repeated lines in its last part (teaser headlines, "read also" lists, comment boxes) count
   only when the body itself has none, and then weakly: a scraped page's teasers from a
   later month must not move the date of its article.

Anchor events (``ANCHORS``) are a small, documented table of data — the mechanism (duration
+ anchor) is general; add an event by adding a row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from newsloom.model import DateEstimate

_CONTEXTS: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")
__all__ = ["ANCHORS", "AnchorEvent", "estimate_date"]

# --------------------------------------------------------------------------- anchor events


@dataclass(frozen=True)
class AnchorEvent:
    """A well-known event that texts count time from ("a year and a half after the invasion")."""

    name: str
    date: dt.date
    #: every pattern must match in the sentence (or the one before) for the anchor to apply
    patterns: tuple[str, ...]


ANCHORS: tuple[AnchorEvent, ...] = (
    AnchorEvent(
        "Russia's full-scale invasion of Ukraine",
        dt.date(2022, 2, 24),
        (
            r"ucrain|ukrain|ucrân|украин|україн",
            r"invazi|invasi|invasion|invasión|invasão|вторжени|războ|razbo|guerr|\bwar\b|krieg|"
            r"offensiv|agresiun|aggressi|війн|войн",
        ),
    ),
    AnchorEvent(
        "COVID-19 declared a pandemic by the WHO",
        dt.date(2020, 3, 11),
        (r"covid|coronavirus|sars-cov|коронавирус", r"pandemi|пандеми"),
    ),
    AnchorEvent(
        "Hamas attack on Israel",
        dt.date(2023, 10, 7),
        (r"hamas|хамас", r"israel|израил|ізраїл", r"atac|attac|attack|angriff|ataque|massacr|нападени"),
    ),
)

# --------------------------------------------------------------------------- language data
# Only cue words live here; month and weekday names come from Babel.


@dataclass(frozen=True)
class _Lang:
    future: str = ""  # regex: a future (or scheduled) marker
    current: str = ""  # regex: "this week", "today"...
    historical: str = ""  # regex: "the last time", "for the first time since"...
    target: str = (
        ""  # regex of words right before a date that make it a deadline ("by", "until"), not the article's time
    )
    prev_year: str = ""  # regex after a month name: "of last year"
    part_start: str = ""
    part_mid: str = ""
    part_end: str = ""
    year_preps: str = ""  # prepositions that make a following 4-digit number a year
    numbers: dict[str, int] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # word -> "y" | "m" | "w" | "d"
    half: str = ""  # "and a half"
    more_than: str = ""
    almost: str = ""
    since: str = ""  # connector before a duration: "for", "since"
    after: str = ""  # connector after a duration: "after"
    ago: str = ""  # "ago": the duration counts back from now, not from an anchor
    ambiguous_months: frozenset[str] = frozenset()
    conj: str = ""  # "and" between two days


_COMMON_CONJ = r"-|–|—|/|&"

LANGS: dict[str, _Lang] = {
    "en": _Lang(
        future=r"\bwill\b|\w'll\b|\bshall\b|\bis (?:due|set|scheduled|expected|to)\b|"
        r"\bare (?:due|set|scheduled|expected|to)\b|\bplans? to\b|"
        r"\bgoing to\b|\bupcoming\b|\bnext (?:week|month|year)\b|\btomorrow\b",
        current=r"\bthis (?:week|month|weekend)\b|\btoday\b|\btonight\b|\bcurrently\b|\bnow\b",
        historical=r"\blast time\b|\bprevious(?:ly)?\b|\bfor the first time since\b|\bfounded\b|\bback in\b|\bhistor",
        target=r"by|by the end of|until|till|no later than",
        prev_year=r"\s+(?:of\s+)?(?:last|the previous|the preceding)\s+year",
        part_start=r"early|beginning|start",
        part_mid=r"mid|middle",
        part_end=r"late|end",
        year_preps=r"in|since|by|of|from|until|during|early|late|mid",
        numbers={
            "a": 1,
            "an": 1,
            "one": 1,
            "two": 2,
            "three": 3,
            "four": 4,
            "five": 5,
            "six": 6,
            "seven": 7,
            "eight": 8,
            "nine": 9,
            "ten": 10,
            "eleven": 11,
            "twelve": 12,
        },
        units={
            "year": "y",
            "years": "y",
            "month": "m",
            "months": "m",
            "week": "w",
            "weeks": "w",
            "day": "d",
            "days": "d",
        },
        half=r"\s+and\s+a\s+half",
        more_than=r"more\s+than|over|upwards\s+of",
        almost=r"almost|nearly|close\s+to",
        since=r"for|since",
        after=r"after|into|since",
        ago=r"ago|earlier|before",
        ambiguous_months=frozenset({"may", "march"}),
        conj=r"and|to",
    ),
    "ro": _Lang(
        future=r"\bva\b|\bvor\b|\bvom\b|\bvei\b|\bo să\b|\bo sa\b|\burmează să\b|\burmeaza sa\b|\bviitoare\b|\bmâine\b|"
        r"\bmaine\b|\bprogramat|\bpreconiz",
        current=r"\bsăptămâna (?:aceasta|asta)\b|\baceastă săptămână\b|\bastăzi\b|\bazi\b|\bîn prezent\b|\bacum\b",
        historical=r"\bultima (?:dată|data|oară|oara)\b|\bprima (?:dată|oară) (?:de la|din)\b|\bfondat|\binfiinţat|"
        r"\bînfiinţat|\bînfiintat|\bfinalizat",
        target=r"până (?:în|la)|pana (?:in|la)|până la sfârșitul|pana la sfarsitul",
        prev_year=r"\s+(?:a|al)?\s*(?:anul(?:ui)?\s+(?:trecut|precedent|anterior))",
        part_start=r"începutul|inceputul|debutul",
        part_mid=r"mijlocul",
        part_end=r"sfârșitul|sfârşitul|sfarsitul|finalul",
        year_preps=r"în|in|din|anul|anului|până în|pana in|după|dupa|lui",
        numbers={
            "un": 1,
            "o": 1,
            "unu": 1,
            "doi": 2,
            "două": 2,
            "doua": 2,
            "trei": 3,
            "patru": 4,
            "cinci": 5,
            "șase": 6,
            "şase": 6,
            "sase": 6,
            "șapte": 7,
            "şapte": 7,
            "sapte": 7,
            "opt": 8,
            "nouă": 9,
            "noua": 9,
            "zece": 10,
            "unsprezece": 11,
            "doisprezece": 12,
        },
        units={
            "an": "y",
            "ani": "y",
            "lună": "m",
            "luna": "m",
            "luni": "m",
            "săptămână": "w",
            "săptămâni": "w",
            "saptamana": "w",
            "saptamani": "w",
            "zi": "d",
            "zile": "d",
        },
        half=r"\s+(?:și|şi|si)\s+jumătate|\s+(?:și|şi|si)\s+jumatate",
        more_than=r"(?:mai\s+(?:bine\s+)?de|peste)",
        almost=r"aproape|circa",
        since=r"de|de\s+la|timp\s+de",
        after=r"după|dupa|de\s+la",
        ago=r"în\s+urmă|in\s+urma",
        ambiguous_months=frozenset({"mai"}),
        conj=r"și|şi|si|la",
    ),
    "it": _Lang(
        future=r"\b\w+(?:erà|irà|arà|rrà|ranno|remo)\b|\bsarà\b|\bsaranno\b|\bsi prevede\b|\bè previst|"
        r"\bprevist[oa] per\b|\bprossim[oaie]\b|\bdomani\b|\bin programma\b|\bdovrebbe\b",
        current=r"\bquesta settimana\b|\bquesto mese\b|\boggi\b|\battualmente\b|\bin questi giorni\b",
        historical=r"\bl['’]ultima volta\b|\bper la prima volta da\b|\bfondat[oa]\b|\bnel lontano\b|\bstoric",
        target=r"entro|entro il|entro la|fino al|fino a",
        prev_year=r"\s+(?:dell['’]anno|del(?:l['’])?\s*anno)\s+(?:precedente|scorso|passato)|\s+scorso",
        part_start=r"inizio|primi\s+mesi|principio",
        part_mid=r"metà|meta",
        part_end=r"fine|ultimi\s+mesi",
        year_preps=r"nel|del|dal|al|entro il|nell['’]anno|dell['’]anno|fino al|il",
        numbers={
            "un": 1,
            "uno": 1,
            "una": 1,
            "due": 2,
            "tre": 3,
            "quattro": 4,
            "cinque": 5,
            "sei": 6,
            "sette": 7,
            "otto": 8,
            "nove": 9,
            "dieci": 10,
            "undici": 11,
            "dodici": 12,
        },
        units={
            "anno": "y",
            "anni": "y",
            "mese": "m",
            "mesi": "m",
            "settimana": "w",
            "settimane": "w",
            "giorno": "d",
            "giorni": "d",
        },
        half=r"\s+e\s+mezzo",
        more_than=r"oltre|più\s+di|piu\s+di",
        almost=r"quasi|circa",
        since=r"da|per",
        after=r"dopo|dall['’]|dal|dalla",
        ago=r"fa\b|prima\b",
        ambiguous_months=frozenset(),
        conj=r"e|ed|al",
    ),
    "fr": _Lang(
        future=r"\bva\b|\bvont\b|\b\w+(?:era|eront|ira|iront|dra|dront|rra|rront)\b|\baura\b|\bprochain|\bdemain\b|"
        r"\bdoit\b|\bdevrait\b",
        current=r"\bcette semaine\b|\bce mois-ci\b|\baujourd['’]hui\b|\bactuellement\b",
        historical=r"\bla dernière fois\b|\bpour la première fois depuis\b|\bfondé|\bà l['’]époque\b",
        target=r"d['’]ici|d['’]ici à|d['’]ici la|jusqu['’]en|jusqu['’]à",
        prev_year=r"\s+(?:de\s+)?l['’]année\s+(?:dernière|précédente|passée)|\s+dernier",
        part_start=r"début|debut",
        part_mid=r"mi|milieu",
        part_end=r"fin",
        year_preps=r"en|depuis|de|d['’]ici|dès|avant|après",
        numbers={
            "un": 1,
            "une": 1,
            "deux": 2,
            "trois": 3,
            "quatre": 4,
            "cinq": 5,
            "six": 6,
            "sept": 7,
            "huit": 8,
            "neuf": 9,
            "dix": 10,
            "onze": 11,
            "douze": 12,
        },
        units={
            "an": "y",
            "ans": "y",
            "année": "y",
            "années": "y",
            "mois": "m",
            "semaine": "w",
            "semaines": "w",
            "jour": "d",
            "jours": "d",
        },
        half=r"\s+et\s+demie?",
        more_than=r"plus\s+d['’]|plus\s+de",
        almost=r"près\s+de|presque",
        since=r"depuis|pendant",
        after=r"après",
        ago=r"il\s+y\s+a",
        ambiguous_months=frozenset({"mai"}),
        conj=r"et|au",
    ),
    "es": _Lang(
        future=r"\b\w+(?:ará|erá|irá|arán|erán|irán|aremos|eremos|iremos)\b|\bva a\b|\bvan a\b|\bpróxim|\bmañana\b",
        current=r"\besta semana\b|\beste mes\b|\bhoy\b|\bactualmente\b",
        historical=r"\bla última vez\b|\bpor primera vez desde\b|\bfundad",
        target=r"para|hasta|antes de",
        prev_year=r"\s+del\s+año\s+(?:pasado|anterior)|\s+pasado",
        part_start=r"principios|comienzos|inicios",
        part_mid=r"mediados",
        part_end=r"finales|fines",
        year_preps=r"en|desde|de|del|hasta",
        numbers={
            "un": 1,
            "uno": 1,
            "una": 1,
            "dos": 2,
            "tres": 3,
            "cuatro": 4,
            "cinco": 5,
            "seis": 6,
            "siete": 7,
            "ocho": 8,
            "nueve": 9,
            "diez": 10,
            "once": 11,
            "doce": 12,
        },
        units={
            "año": "y",
            "años": "y",
            "mes": "m",
            "meses": "m",
            "semana": "w",
            "semanas": "w",
            "día": "d",
            "días": "d",
        },
        half=r"\s+y\s+medio",
        more_than=r"más\s+de",
        almost=r"casi|cerca\s+de",
        since=r"desde\s+hace|durante|desde",
        after=r"después\s+de|tras",
        ago=r"hace\b",
        ambiguous_months=frozenset(),
        conj=r"y|al",
    ),
    "de": _Lang(
        future=r"\bwird\b|\bwerden\b|\bsoll\b|\bsollen\b|\bnächste[nmr]?\b|\bmorgen\b|\bgeplant\b",
        current=r"\bdiese[rn]? woche\b|\bdiesen monat\b|\bheute\b|\bderzeit\b|\bzurzeit\b",
        historical=r"\bzuletzt\b|\bletztmals\b|\bzum ersten mal seit\b|\bgegründet\b|\bdamals\b",
        target=r"bis|bis zum|bis spätestens",
        prev_year=r"\s+(?:des\s+)?(?:vorjahres|letzten\s+jahres|vergangenen\s+jahres)",
        part_start=r"anfang|beginn",
        part_mid=r"mitte",
        part_end=r"ende",
        year_preps=r"im|seit|bis|von|vor|jahr|ab",
        numbers={
            "ein": 1,
            "einem": 1,
            "einen": 1,
            "eine": 1,
            "zwei": 2,
            "drei": 3,
            "vier": 4,
            "fünf": 5,
            "sechs": 6,
            "sieben": 7,
            "acht": 8,
            "neun": 9,
            "zehn": 10,
            "elf": 11,
            "zwölf": 12,
            "anderthalb": 1,
            "eineinhalb": 1,
        },
        units={
            "jahr": "y",
            "jahre": "y",
            "jahren": "y",
            "monat": "m",
            "monate": "m",
            "monaten": "m",
            "woche": "w",
            "wochen": "w",
            "tag": "d",
            "tage": "d",
            "tagen": "d",
        },
        half=r"(?!)",  # "anderthalb"/"eineinhalb" are handled as a number word of 1.5 below
        more_than=r"mehr\s+als|über",
        almost=r"fast|knapp|beinahe",
        since=r"seit",
        after=r"nach",
        ago=r"vor\b",
        ambiguous_months=frozenset({"mai"}),
        conj=r"und|bis",
    ),
    "pt": _Lang(
        future=r"\b\w+(?:ará|erá|irá|arão|erão|irão)\b|\bvai\b|\bvão\b|\bpróxim|\bamanhã\b",
        current=r"\besta semana\b|\beste mês\b|\bhoje\b|\batualmente\b",
        historical=r"\ba última vez\b|\bpela primeira vez desde\b|\bfundad",
        target=r"até|até o|até ao",
        prev_year=r"\s+do\s+ano\s+(?:passado|anterior)|\s+passado",
        part_start=r"início|inicio|começo",
        part_mid=r"meados",
        part_end=r"final|fim|finais",
        year_preps=r"em|desde|de|do|até",
        numbers={
            "um": 1,
            "uma": 1,
            "dois": 2,
            "duas": 2,
            "três": 3,
            "quatro": 4,
            "cinco": 5,
            "seis": 6,
            "sete": 7,
            "oito": 8,
            "nove": 9,
            "dez": 10,
            "onze": 11,
            "doze": 12,
        },
        units={
            "ano": "y",
            "anos": "y",
            "mês": "m",
            "meses": "m",
            "semana": "w",
            "semanas": "w",
            "dia": "d",
            "dias": "d",
        },
        half=r"\s+e\s+meio",
        more_than=r"mais\s+de",
        almost=r"quase|cerca\s+de",
        since=r"há|desde|durante",
        after=r"depois\s+d[oae]|após",
        ago=r"atrás",
        ambiguous_months=frozenset(),
        conj=r"e|a",
    ),
}
_FALLBACK_LANGS = ("en", "ro", "it", "fr", "es", "de", "pt")
_ONE_AND_HALF = {"anderthalb", "eineinhalb"}

# --------------------------------------------------------------------------- helpers


def _fold(s: str) -> str:
    """Lowercase without diacritics (ş and ș alike)."""
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))


def _fold_aligned(text: str) -> str:
    """``_fold`` character by character, so that offsets in the result are offsets in ``text``."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch.lower())
            continue
        folded = _fold(ch)
        out.append(folded[0] if folded else ch)
    return "".join(out)


def _alt(words: Iterable[str]) -> str:
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in uniq)


@dataclass(frozen=True)
class _Tables:
    lang: str
    cues: tuple[_Lang, ...]
    months: dict[str, int]  # folded name -> month number (wide forms, >= 3 letters)
    abbrevs: dict[str, int]  # folded abbreviation -> month (only with a day and a year)
    weekdays: dict[str, int]  # folded name -> Monday=0
    ambiguous: frozenset[str]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    numeric: re.Pattern[str]
    part_year: re.Pattern[str]
    prep_year: re.Pattern[str]
    weekday_re: re.Pattern[str]
    duration: re.Pattern[str]
    future: re.Pattern[str] | None
    current: re.Pattern[str] | None
    historical: re.Pattern[str] | None
    target: re.Pattern[str] | None
    prev_year: re.Pattern[str] | None
    part_words: tuple[tuple[str, re.Pattern[str]], ...]
    numbers: dict[str, int]
    units: dict[str, str]
    since: re.Pattern[str] | None
    after: re.Pattern[str] | None
    ago: re.Pattern[str] | None
    more_than: re.Pattern[str] | None
    almost: re.Pattern[str] | None


_EXTRACTION_FIELDS = (
    "prev_year",
    "part_start",
    "part_mid",
    "part_end",
    "year_preps",
    "half",
    "more_than",
    "almost",
    "since",
    "after",
    "ago",
    "conj",
    "target",
)


def _folded(cue: _Lang) -> _Lang:
    """The fields matched against folded text, folded (they hold words and lowercase regex syntax only)."""
    from dataclasses import replace

    changes: dict[str, object] = {f: _fold(getattr(cue, f)) for f in _EXTRACTION_FIELDS}
    changes["numbers"] = {_fold(k): v for k, v in cue.numbers.items()}
    changes["units"] = {_fold(k): v for k, v in cue.units.items()}
    return replace(cue, **changes)  # type: ignore[arg-type]


def _opt(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern, re.IGNORECASE) if pattern else None


def _joined(parts: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in parts if p)


@lru_cache(maxsize=32)
def _tables(lang: str | None) -> _Tables:
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_day_names, get_month_names

    code = (lang or "").split("-")[0].split("_")[0].lower()
    codes = [code] if code in LANGS else []
    if not code:
        codes = list(_FALLBACK_LANGS)
    cues = tuple(LANGS[c] for c in codes)
    locales = list(codes)
    if code and code not in LANGS:
        locales = [code]
    months: dict[str, int] = {}
    abbrevs: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for loc in locales:
        try:
            Locale.parse(loc)
        except (UnknownLocaleError, ValueError):
            continue
        for context in _CONTEXTS:
            for n, name in get_month_names("wide", context=context, locale=loc).items():
                months[_fold(name)] = int(n)
            for n, name in get_month_names("abbreviated", context=context, locale=loc).items():
                ab = _fold(name).rstrip(".")
                if len(ab) >= 3:
                    abbrevs[ab] = int(n)
            for n, name in get_day_names("wide", context=context, locale=loc).items():
                weekdays[_fold(name)] = int(n)
    for extra in ("en",) if "en" not in locales else ():  # English datelines turn up in every language
        for context in _CONTEXTS:
            for n, name in get_month_names("wide", context=context, locale=extra).items():
                months.setdefault(_fold(name), int(n))
    ambiguous = frozenset(w for c in cues for w in c.ambiguous_months) | {"may", "march"}
    fcues = [_folded(c) for c in cues]
    month_alt = _alt(list(months) + list(abbrevs))
    conj = _joined([_COMMON_CONJ] + [c.conj for c in fcues])
    day = r"(?:[0-3]?\d)(?:\.|º|°|er|st|nd|rd|th)?"
    # "18-19 iunie 2024", "18 e 19 giugno", "13 septembrie 2023", "settembre 2023", "settembre"
    day_month = re.compile(
        rf"(?<![\w\d])(?:(?P<d1>{day})(?:\s*(?:{conj})\s*(?P<d2>{day}))?\s+(?:de\s+|del\s+|of\s+)?)?"
        rf"(?P<month>{month_alt})(?![\w])\.?(?:,?\s+(?:de\s+|del\s+|din\s+|of\s+)?(?P<year>(?:1[5-9]|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    # "June 17, 2024", "June 18-19"
    month_day = re.compile(
        rf"(?<![\w\d])(?P<month>{month_alt})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*(?:{conj})\s*(?P<d2>[0-3]?\d))?"
        rf"(?![\d:])(?:,?\s+(?P<year>(?:1[5-9]|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    numeric = re.compile(r"(?<![\d.,/])(?:[0-3]?\d[./-][01]?\d[./-](?:19|20)\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d)(?![\d])")
    part_words = []
    for kind, attr in (("start", "part_start"), ("mid", "part_mid"), ("end", "part_end")):
        pat = _joined([getattr(c, attr) for c in fcues])
        if pat:
            part_words.append((kind, re.compile(rf"(?:^|[^\w])(?:{pat})(?:[^\w]|$)", re.IGNORECASE)))
    part_alt = _joined([_joined([c.part_start, c.part_mid, c.part_end]) for c in fcues]) or "(?!)"
    part_year = re.compile(
        rf"(?<![\w])(?P<part>{part_alt})(?![\w])[^\d\n.;:!?]{{0,22}}?(?<![\d])(?P<year>(?:1[5-9]|20)\d\d)(?!\d)",
        re.IGNORECASE,
    )
    preps = _joined([c.year_preps for c in fcues]) or "(?!)"
    prep_year = re.compile(
        rf"(?<![\w])(?:{preps})(?:\s+|['’])(?P<year>(?:1[5-9]|20)\d\d)(?![\d%,.]\d|\d|\s*(?:%|km|m\b|kg|ore|de\s+\w))",
        re.IGNORECASE,
    )
    weekday_re = re.compile(rf"(?<![\w])(?P<wd>{_alt(weekdays) or '(?!)'})(?![\w])", re.IGNORECASE)
    numbers = {k: v for c in fcues for k, v in c.numbers.items()}
    units = {k: v for c in fcues for k, v in c.units.items()}
    num_alt = _alt(numbers) or "(?!)"
    unit_alt = _alt(units) or "(?!)"
    half = _joined([c.half for c in fcues]) or "(?!)"
    more_than = _joined([c.more_than for c in fcues])
    almost = _joined([c.almost for c in fcues])
    duration = re.compile(
        rf"(?<![\w])(?:(?P<mod>{_joined([more_than, almost]) or '(?!)'})\s+)?(?P<num>\d{{1,2}}|{num_alt})\s+"
        rf"(?P<unit>{unit_alt})(?![\w])(?P<half>{half})?",
        re.IGNORECASE,
    )
    return _Tables(
        lang=code,
        cues=cues,
        months=months,
        abbrevs=abbrevs,
        weekdays=weekdays,
        ambiguous=ambiguous,
        day_month=day_month,
        month_day=month_day,
        numeric=numeric,
        part_year=part_year,
        prep_year=prep_year,
        weekday_re=weekday_re,
        duration=duration,
        future=_opt(_joined([c.future for c in cues])),
        current=_opt(_joined([c.current for c in cues])),
        historical=_opt(_joined([c.historical for c in cues])),
        target=_opt(rf"(?<![\w])(?:{_joined([c.target for c in fcues])})(?:\s+(?:the|la|il|le|el|o|lui|de))?\s*$")
        if any(c.target for c in fcues)
        else None,
        prev_year=_opt(_joined([c.prev_year for c in fcues])),
        part_words=tuple(part_words),
        numbers=numbers,
        units=units,
        since=_opt(_joined([c.since for c in fcues])),
        after=_opt(_joined([c.after for c in fcues])),
        ago=_opt(_joined([c.ago for c in fcues])),
        more_than=_opt(more_than),
        almost=_opt(almost),
    )


# --------------------------------------------------------------------------- mentions


@dataclass
class _Mention:
    start: int
    text: str
    kind: str  # date | month | yearpart | year | relmonth | anchor
    sentence: int
    tense: str  # future | current | past | historical
    year: int | None = None
    month: int | None = None
    day: int | None = None
    part: str | None = None  # start | mid | end
    weight: float = 1.0  # lowered in a boilerplate tail
    tail: bool = False
    target: bool = False
    anchor_date: dt.date | None = None  # for kind == "anchor": the date the text is at
    anchor_note: str = ""
    resolved: dt.date | None = None
    resolved_by: str = ""
    strength: float = 0.0  # how the year was found (1 explicit ... 0.5 latest stated year)

    @property
    def granularity(self) -> str:
        if self.kind == "date":
            return "day"
        if self.kind in ("month", "relmonth", "anchor"):
            return "month"
        if self.kind == "yearpart":
            return "season"
        return "year"


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    tense: str
    weekdays: set[int]


_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|\n+")


def _sentences(text: str, ftext: str, t: _Tables) -> list[_Sentence]:
    out: list[_Sentence] = []
    pos = 0
    for m in [*_SENT_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            out.append(_Sentence(pos, end, chunk, _tense(chunk, t), _weekdays(ftext[pos:end], t)))
        pos = m.end() if m else len(text)
    return out


def _tense(sentence: str, t: _Tables) -> str:
    if t.historical and t.historical.search(sentence):
        return "historical"
    if t.future and _future(sentence, t.future):
        return "future"
    if t.current and t.current.search(sentence):
        return "current"
    return "past"


#: Words the future patterns catch that are not verbs in the future ("però" = but).
_NOT_FUTURE = frozenset({"però", "perciò", "extra", "opera"})


def _future(sentence: str, pattern: re.Pattern[str]) -> bool:
    return any(m.group(0).lower() not in _NOT_FUTURE for m in pattern.finditer(sentence))


def _weekdays(sentence: str, t: _Tables) -> set[int]:
    """Weekdays named in a folded sentence (Monday = 0)."""
    found = set()
    for m in t.weekday_re.finditer(sentence):
        name = m.group("wd")
        if name in t.weekdays:
            found.add(t.weekdays[name])
    return found


def _tail_start(text: str) -> int:
    """Where a trailing block of short or repeated lines (teasers, link lists) begins, or len(text).

    Looked for only in the second half: from the first short line after which at least 4 of
    the next 6 non-empty lines are short (< 140 characters) or repeat the line before.
    """
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((pos, raw.strip()))
        pos += len(raw) + 1
    half = len(text) * 0.5
    for i, (offset, line) in enumerate(lines):
        if offset < half or len(line) >= 100:
            continue
        window = lines[i : i + 6]
        if len(window) < 4:
            break
        short = sum(1 for j, (_, ln) in enumerate(window) if len(ln) < 140 or (j and ln == window[j - 1][1]))
        repeated = sum(1 for j in range(1, len(window)) if window[j][1] == window[j - 1][1])
        if short >= 4 and (repeated or short >= 5):
            return offset
    return len(text)


def _sentence_of(sentences: Sequence[_Sentence], offset: int) -> int:
    for i, s in enumerate(sentences):
        if s.start <= offset < s.end:
            return i
    return len(sentences) - 1


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a < e and s < b for s, e in spans)


def _part_before(text: str, start: int, t: _Tables) -> str | None:
    window = text[max(0, start - 22) : start]
    best: tuple[int, str] | None = None
    for kind, pat in t.part_words:
        for m in pat.finditer(window):
            if best is None or m.end() > best[0]:
                best = (m.end(), kind)
    return best[1] if best else None


@lru_cache(maxsize=4096)
def _parse_numeric(span: str, lang: str) -> dt.date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", span):
        try:
            return dt.date.fromisoformat(span)
        except ValueError:
            return None
    import dateparser

    languages = [lang] if lang else None
    try:
        parsed = dateparser.parse(span, languages=languages, settings={"STRICT_PARSING": True})
    except Exception:  # dateparser raises on unknown languages
        parsed = dateparser.parse(span, settings={"STRICT_PARSING": True})
    return parsed.date() if parsed else None


def _mentions(text: str, ftext: str, sentences: Sequence[_Sentence], t: _Tables, tail: int) -> list[_Mention]:
    """Date expressions of ``text``, matched on its folded copy ``ftext`` (same offsets)."""
    found: list[_Mention] = []
    spans: list[tuple[int, int]] = []

    def add(m: _Mention, a: int, b: int) -> None:
        s = sentences[m.sentence]
        m.tense = s.tense
        if m.start >= tail:
            m.tail, m.weight = True, 0.2
        if t.target and t.target.search(ftext[max(s.start, a - 28) : a]):
            m.target = True
        found.append(m)
        spans.append((a, b))

    # numeric dates: dateparser knows the locale's day/month order
    for m in t.numeric.finditer(ftext):
        parsed = _parse_numeric(text[m.start() : m.end()], t.lang)
        if parsed:
            si = _sentence_of(sentences, m.start())
            add(
                _Mention(m.start(), text[m.start() : m.end()], "date", si, "", parsed.year, parsed.month, parsed.day),
                m.start(),
                m.end(),
            )
    # month names, day first then month first
    named = [m for pattern in (t.day_month, t.month_day) for m in pattern.finditer(ftext)]
    named.sort(key=lambda m: (m.start() - m.end(), m.start()))  # longest first
    taken: list[tuple[int, int]] = []
    for m in named:
        a, b = m.span()
        if _overlaps(spans, a, b) or _overlaps(taken, a, b):
            continue
        name = _fold(m.group("month")).rstrip(".")
        d1 = m.group("d1")
        year = int(m.group("year")) if m.group("year") else None
        if name in t.months:
            month = t.months[name]
        elif name in t.abbrevs and d1 and year:
            month = t.abbrevs[name]
        else:
            continue
        if name in t.ambiguous and not (d1 or year):
            continue  # "mai" = more, "may" = modal
        day = int(re.sub(r"\D", "", d1)) if d1 else None
        if day is not None and not 1 <= day <= 31:
            continue
        si = _sentence_of(sentences, a)
        if day is not None:
            mention = _Mention(a, text[a:b].strip(), "date", si, "", year, month, day)
        else:
            mention = _Mention(a, text[a:b].strip(), "month", si, "", year, month)
            mention.part = _part_before(ftext, a, t)
        if year is None and t.prev_year:
            rel = t.prev_year.match(ftext, b)
            if rel:
                mention.kind = "relmonth"
                mention.text = text[a : rel.end()].strip()
                b = rel.end()
        taken.append((a, b))
        add(mention, a, b)
    # parts of a year: "all'inizio del 2024"
    for m in t.part_year.finditer(ftext):
        a, b = m.span()
        if _overlaps(spans, m.start("year"), m.end("year")):
            continue
        part = next((k for k, p in t.part_words if p.search(f" {m.group('part')} ")), "mid")
        si = _sentence_of(sentences, a)
        add(_Mention(a, text[a:b], "yearpart", si, "", int(m.group("year")), part=part), a, b)
    # a year after a preposition: "nel 2000"
    for m in t.prep_year.finditer(ftext):
        a, b = m.span()
        if _overlaps(spans, m.start("year"), m.end("year")):
            continue
        si = _sentence_of(sentences, a)
        add(_Mention(a, text[a:b], "year", si, "", int(m.group("year"))), a, b)
    # durations since a known event: "un an și jumătate" + the war in Ukraine
    for m in t.duration.finditer(ftext):
        anchored = _anchored(ftext, m, sentences, t)
        if anchored:
            si = _sentence_of(sentences, m.start())
            date, note = anchored
            mention = _Mention(m.start(), text[m.start() : m.end()], "anchor", si, "", date.year, date.month, date.day)
            mention.anchor_date, mention.anchor_note = date, note
            add(mention, m.start(), m.end())
    for mention in found:
        if mention.kind == "anchor":
            mention.tense = "current"  # "for a year and a half now" describes the article's present
    return sorted(found, key=lambda x: x.start)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, mo = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, mo + 1, min(day.day, 28))


def _anchored(ftext: str, m: re.Match[str], sentences: Sequence[_Sentence], t: _Tables) -> tuple[dt.date, str] | None:
    """The date a duration counted from a known event points at ("un an și jumătate" of the war)."""
    num_word = m.group("num").lower()
    if num_word.isdigit():
        number = float(num_word)
    elif num_word in _ONE_AND_HALF:
        number = 1.5
    else:
        number = float(t.numbers.get(num_word, t.numbers.get(_fold(num_word), 0)))
    if not number:
        return None
    if m.group("half"):
        number += 0.5
    unit = t.units.get(m.group("unit").lower()) or t.units.get(_fold(m.group("unit")))
    if unit is None:
        return None
    months = {"y": number * 12, "m": number, "w": number / 4.35, "d": number / 30.4}[unit]
    if months < 1:
        return None
    si = _sentence_of(sentences, m.start())
    sentence = sentences[si]
    after = ftext[m.end() : m.end() + 30]
    before = ftext[max(sentence.start, m.start() - 25) : m.start()]
    if t.ago and t.ago.match(after.lstrip()):
        return None  # "two years ago": counted from now, not from an event
    connected = bool(t.after and t.after.match(after.lstrip())) or bool(
        t.since and re.search(rf"(?:{t.since.pattern})\s*$", before, re.IGNORECASE)
    )
    mod = m.group("mod")
    if not connected and mod and t.more_than and t.more_than.fullmatch(mod.strip()):
        # "de mai bine de un an": the connector precedes the modifier
        connected = bool(t.since and re.search(rf"(?:{t.since.pattern})\s*$", before, re.IGNORECASE))
    if not connected:
        return None
    scope = sentence.text
    for anchor in ANCHORS:
        if all(re.search(p, scope, re.IGNORECASE) for p in anchor.patterns):
            shift = 0
            if mod and t.more_than and t.more_than.fullmatch(mod.strip()):
                shift = 1
            elif mod and t.almost and t.almost.fullmatch(mod.strip()):
                shift = -1
            date = _add_months(anchor.date, round(months) + shift)
            phrase = sentence.text[m.start() - sentence.start : m.end() - sentence.start].strip()
            note = f"{anchor.name} ({anchor.date.isoformat()}) + {phrase!r}"
            return date, note
    return None


# --------------------------------------------------------------------------- resolution


def _first_on_or_after(month: int, day: int, floor: dt.date) -> dt.date:
    for year in (floor.year, floor.year + 1):
        try:
            cand = dt.date(year, month, min(day, 28) if month == 2 and day > 28 else day)
        except ValueError:
            continue
        if cand >= floor:
            return cand
    return dt.date(floor.year + 1, month, min(day, 28))


def _last_on_or_before(month: int, day: int, ceiling: dt.date) -> dt.date:
    for year in (ceiling.year, ceiling.year - 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            cand = dt.date(year, month, 28)
        if cand <= ceiling:
            return cand
    return dt.date(ceiling.year - 1, month, min(day, 28))


_PART_MONTH = {"start": 2, "mid": 6, "end": 11}
_PART_DAY = {"start": 5, "mid": 15, "end": 25}


def _start_of(m: _Mention) -> dt.date | None:
    """The earliest day an explicit-year mention can mean."""
    if m.year is None:
        return None
    if m.kind == "date" and m.month and m.day:
        return dt.date(m.year, m.month, m.day)
    if m.kind == "month" and m.month:
        return dt.date(m.year, m.month, 1)
    if m.kind == "yearpart":
        return dt.date(m.year, {"start": 1, "mid": 4, "end": 9}[m.part or "mid"], 1)
    return dt.date(m.year, 1, 1)


def _explicit_date(m: _Mention) -> dt.date | None:
    if m.year is None:
        return None
    if m.kind == "date" and m.month and m.day:
        return dt.date(m.year, m.month, m.day)
    if m.kind == "month" and m.month:
        return dt.date(m.year, m.month, _PART_DAY.get(m.part or "", 15))
    if m.kind == "yearpart":
        return dt.date(m.year, _PART_MONTH[m.part or "mid"], 15)
    return None


def _resolve(mentions: list[_Mention], published: dt.date | None, evidence: list[str]) -> None:
    body = [m for m in mentions if not m.tail] or mentions
    # explicit years
    for m in mentions:
        d = _explicit_date(m)
        if d is not None:
            m.resolved, m.resolved_by, m.strength = d, "explicit", 1.0
        elif m.kind == "anchor" and m.anchor_date:
            m.resolved, m.resolved_by, m.strength = m.anchor_date, "anchor", 0.6
    # the article's year implied by "September of last year" next to an explicit September
    article_year: int | None = None
    for m in body:
        if m.kind != "relmonth":
            continue
        same = [
            o for o in body if o is not m and o.month == m.month and o.year is not None and o.kind in ("date", "month")
        ]
        if same:
            article_year = max(o.year for o in same if o.year is not None) + 1
            evidence.append(f"year {article_year}: {m.text!r} is the month of {same[0].text!r}, a year back")
            m.resolved = dt.date(article_year - 1, m.month or 1, 15)
            m.resolved_by, m.strength = "relative year", 0.9
        elif published:
            m.resolved = dt.date(published.year - 1, m.month or 1, 15)
            m.resolved_by, m.strength = "relative to published", 1.0
    anchors = [m.anchor_date for m in body if m.kind == "anchor" and m.anchor_date and m.tense != "historical"]
    stated = [m for m in body if m.year is not None and m.tense != "historical" and m.kind != "anchor"]
    floor = max((d for d in (_start_of(m) for m in stated) if d), default=None)
    # how much to trust the latest stated year: more when other mentions sit close to it
    floor_strength = 0.0
    if floor is not None:
        near = sum(1 for m in stated if m.year is not None and floor.year - m.year <= 1)
        floor_strength = 0.7 if near >= 2 else 0.3
    for m in mentions:
        if m.resolved is not None or m.month is None or m.kind not in ("date", "month"):
            continue
        day = m.day or _PART_DAY.get(m.part or "", 15)
        if published:
            ref = published
            cand = _first_on_or_after(m.month, day, ref - dt.timedelta(days=182))
            m.resolved, m.resolved_by, m.strength = cand, f"near published {published.isoformat()}", 1.0
        elif article_year is not None:
            m.resolved = dt.date(article_year, m.month, min(day, 28) if m.month == 2 else day)
            m.resolved_by, m.strength = f"article year {article_year}", 0.9
        elif anchors:
            ref = max(anchors)
            if m.tense in ("future", "current"):
                cand = _first_on_or_after(m.month, day, ref - dt.timedelta(days=31))
            else:
                cand = _last_on_or_before(m.month, day, ref + dt.timedelta(days=31))
            m.resolved, m.resolved_by, m.strength = cand, f"anchored time {ref.isoformat()}", 0.55
        elif floor is not None:
            m.resolved = _first_on_or_after(m.month, day, floor)
            m.resolved_by, m.strength = f"latest stated time {floor.isoformat()}", floor_strength


# --------------------------------------------------------------------------- choosing


@dataclass
class _Vote:
    date: dt.date
    weight: float
    mention: _Mention
    current: bool


_GRANULARITY_BASE = {"day": 0.85, "month": 0.65, "season": 0.4, "year": 0.3}


def _votes(mentions: Sequence[_Mention]) -> list[_Vote]:
    votes = []
    for m in mentions:
        if m.resolved is None or m.tense == "historical" or m.target or m.kind == "year":
            continue
        current = m.tense in ("future", "current") or m.kind == "anchor"
        base = {"day": 1.0, "month": 0.7, "season": 0.4, "year": 0.2}[m.granularity]
        weight = base * m.weight * (1.0 if current else 0.5)
        votes.append(_Vote(m.resolved, weight, m, current))
    return votes


def _clusters(votes: Sequence[_Vote], window: int = 45) -> list[list[_Vote]]:
    ordered = sorted(votes, key=lambda v: v.date)
    groups: list[list[_Vote]] = []
    for v in ordered:
        if groups and (v.date - groups[-1][0].date).days <= window:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def _describe(m: _Mention) -> str:
    how = f" (year: {m.resolved_by})" if m.resolved_by not in ("explicit", "") else ""
    where = " [tail]" if m.tail else ""
    return f"{m.tense} {m.text!r} -> {m.resolved.isoformat() if m.resolved else '?'}{how}{where}"


def estimate_date(text: str, lang: str | None, *, published: str | None = None, title: str = "") -> DateEstimate:
    """The date the article is at, inferred from its content (see the module notes).

    ``lang`` is an ISO 639-1 code (``None``: try the seven languages with cue words);
    ``published`` an ISO date that anchors yearless and relative dates when known.
    Returns ``DateEstimate(None, 0.0, evidence)`` when the text does not support a date.
    """
    t = _tables(lang)
    full = f"{title.strip()}\n{text}" if title.strip() else text
    tail = _tail_start(full)
    ffull = _fold_aligned(full)
    sentences = _sentences(full, ffull, t)
    evidence: list[str] = []
    if not sentences:
        return DateEstimate(None, 0.0, ("no text",))
    pub: dt.date | None = None
    if published:
        try:
            pub = dt.date.fromisoformat(published[:10])
        except ValueError:
            pub = None
    mentions = _mentions(full, ffull, sentences, t, tail)
    _resolve(mentions, pub, evidence)
    for m in mentions:
        if m.tense == "historical":
            evidence.append(f"ignored (historical): {m.text!r}")
        elif m.target:
            evidence.append(f"ignored (deadline): {m.text!r}")
    votes = _votes(mentions)
    body_votes = [v for v in votes if not v.mention.tail]
    if body_votes:
        if len(body_votes) < len(votes):
            evidence.append(f"ignored {len(votes) - len(body_votes)} date(s) in the boilerplate tail")
        votes = body_votes
    unresolved = [m for m in mentions if m.resolved is None and m.kind in ("date", "month", "relmonth")]
    for m in unresolved[:3]:
        evidence.append(f"no year for {m.text!r}")
    if not votes:
        return DateEstimate(None, 0.0, tuple(evidence) or ("no date expressions",))

    current = [v for v in votes if v.current]
    if not current:
        return _past_only(votes, len(full), evidence)
    groups = _clusters(votes)
    scored = []
    for g in groups:
        cur = [v for v in g if v.current]
        if not cur:
            continue
        scored.append((sum(v.weight for v in g), g[-1].date, g))
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    support, _, best = scored[0]
    chosen = min((v for v in best if v.current), key=lambda v: (-v.weight, v.date))
    earliest = min(v.date for v in best if v.current and v.weight >= chosen.weight * 0.99)
    total = sum(v.weight for v in current)
    # dates the text reports as past but later than the chosen time contradict it
    later_past = sum(v.weight for v in votes if not v.current and (v.date - best[-1].date).days > 60)
    other_current = total - sum(v.weight for v in best if v.current)
    agreement = support / (support + other_current + later_past)
    base = _GRANULARITY_BASE[chosen.mention.granularity]
    strength = max(v.mention.strength for v in best if v.current)
    confidence = base * strength * agreement
    bonus = 0.0
    cur_mentions = {(v.mention.text, v.date) for v in best if v.current}
    if len(cur_mentions) > 1 or len(best) > 1:
        bonus += 0.05
        evidence.append(f"{len(best)} date mentions agree")
    weekday_hits = _weekday_agreement(best, sentences)
    if weekday_hits:
        bonus += 0.1
        evidence.append(f"weekday agrees: {weekday_hits}")
    if any(v.mention.tense == "current" for v in best) or (
        sentences and sentences[0].tense in ("current", "future") and title.strip()
    ):
        bonus += 0.05
    if pub is not None:
        gap = abs((pub - earliest).days)
        if gap <= 31:
            bonus += 0.05
            evidence.append(f"agrees with published {pub.isoformat()}")
        elif gap > 365:
            confidence *= 0.6
            evidence.append(f"disagrees with published {pub.isoformat()}")
    confidence = min(0.95, confidence + bonus * min(1.0, confidence * 2))
    lines = [f"chosen ({chosen.mention.granularity}): {_describe(chosen.mention)}"]
    lines += [f"agrees: {_describe(v.mention)}" for v in best if v is not chosen][:4]
    lines += [f"other: {_describe(v.mention)}" for g in groups if g is not best for v in g][:4]
    if chosen.mention.kind == "anchor":
        lines.append(f"anchor: {chosen.mention.anchor_note}")
    if confidence < 0.15:
        return DateEstimate(None, 0.0, tuple(["too weak: " + lines[0], *lines[1:], *evidence]))
    return DateEstimate(earliest.isoformat(), round(confidence, 3), tuple(lines + evidence))


def _past_only(votes: Sequence[_Vote], length: int, evidence: list[str]) -> DateEstimate:
    """Only past or neutral dates: the latest full date stated in the lead, weakly, else unknown."""
    lead = [
        v
        for v in votes
        if v.mention.granularity == "day" and v.mention.strength >= 1.0 and v.mention.start < max(600, length * 0.3)
    ]
    if not lead:
        notes = [f"past only: {_describe(v.mention)}" for v in votes][:4]
        return DateEstimate(None, 0.0, tuple(["only past dates, none fixes the article's time", *notes, *evidence]))
    best = max(lead, key=lambda v: v.date)
    later = [v for v in votes if (v.date - best.date).days > 60]
    confidence = 0.35 if not later else 0.2
    return DateEstimate(
        best.date.isoformat(),
        confidence,
        tuple([f"chosen (latest full date in the lead): {_describe(best.mention)}", *evidence]),
    )


def _weekday_agreement(group: Sequence[_Vote], sentences: Sequence[_Sentence]) -> str:
    """Weekdays named in the sentences of the chosen dates (or the ones around) that match them."""
    hits = []
    for v in group:
        if v.mention.granularity != "day" or not v.current:
            continue
        si = v.mention.sentence
        names = set()
        for j in range(max(0, si - 3), min(len(sentences), si + 1)):
            if sentences[j].tense in ("future", "current"):
                names |= sentences[j].weekdays
        if v.date.weekday() in names:
            hits.append(f"{v.date.isoformat()} is a {v.date.strftime('%A')}")
    return ", ".join(sorted(set(hits)))
