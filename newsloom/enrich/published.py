"""An article's publication date, from what the input declared, its URL or its dateline.

:func:`find_published` tries, in order, and stops at the first that gives a plausible date:

1. the declared value (record, feed or HTML metadata), normalised to ISO 8601 — time and UTC
   offset kept when given;
2. the URL — ``/2024/06/17/``, ``/2024-06-17-``, ``20240617``, ``/2024/jun/17/``; a URL with
   month precision only (``/2024/06/``) gives nothing;
3. a dateline at the start of the text (see below);
4. nothing: ``(None, None)``. Never the current date, never a date from further down the body
   (those are dates of events, not of publication), never a relative date ("yesterday" is
   another stage's business).

Plausible means: a real calendar date with day, month and year, not before 1990 and not after
now + 1 day.

**Dateline rule.** Only the first three non-empty lines of the text that start within its
first 300 characters are looked at (scraped text often opens with a title and the date on
the next line; ECB+ texts open with the URL, the title, then the date). Such a line is a
dateline if it is either

* *only a date*: ``June 17, 2024`` / ``17.06.2024`` / ``2024-06-17`` / ``2024年6月17日``, possibly
  with up to three label or weekday words in front (``Tuesday,``, ``marți,``, ``Published:``,
  ``Pubblicato il``, ``on``; weekday names come from dateparser's data for the language), a
  time before or after (``10:50 AM``, ``ore 10:50``, ``07:00 GMT``), a weekday after
  (``12 Mart 2020 Perşembe``) and an ``| Updated …`` / ``Last updated at …`` tail; or
* *a ``PLACE, DATE –`` prefix*: one to four capitalised words, an optional ``(AGENCY)``, a
  comma, an optional weekday, the date, then a dash, colon, full stop, ``(AGENCY)`` or the end
  of the line — ``VIENNA, June 12, 2025 –``, ``Berlin, 4. März 2025.``,
  ``MADRID, 2 de abril de 2025``, ``МОСКВА, 3 апреля 2025``.

A dateline gives a date only: its time, if any, has no known time zone.

So a first line that is an ordinary sentence with a date inside or at its end ("Putin will
visit Pyongyang on June 18, 2024.", "La 13 septembrie 2023, președintele…") is not a
dateline. Candidate spans are found with precompiled regular expressions; numeric dates are
read directly, and only a span with a month *word* is handed to ``dateparser`` (in the
article's language and English, absolute dates only, day, month and year required) — so text
without a year near its start costs a few microseconds, and words like Romanian "mai"
(more / May) or Italian "ore" never reach the date parser on their own.
"""

from __future__ import annotations

import email.utils
import functools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import regex

__all__ = [
    "date_from_url",
    "find_dateline",
    "find_published",
    "normalize_declared",
]

EARLIEST = date(1990, 1, 1)
#: Lines of the text (non-empty ones) that may hold a dateline …
DATELINE_LINES = 3
#: … provided they start within this many characters of the beginning.
DATELINE_CHARS = 300
#: Longest line prefix looked at for a dateline.
_LINE_CHARS = 200

#: Languages tried for a month name when the article's language is unknown.
_FALLBACK_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ro", "nl", "pl", "ru")
#: dateparser's name for a language where it differs from ours.
_DATEPARSER_CODES = {"no": "nb"}

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["absolute-time"],  # no relative dates, no bare timestamps
}

# Words allowed in front of a date on a date-only line (besides weekday names).
_LABEL_TEXT = """
    published posted updated last first modified on at date dated time release released
    publicat publicată actualizat actualizată pe la data
    pubblicato pubblicata aggiornato aggiornata il del
    veröffentlicht aktualisiert zuletzt am vom stand
    publié publiée mis à jour le du
    publicado publicada actualizado actualizada atualizado atualizada el em
    gepubliceerd bijgewerkt op
    opublikowano zaktualizowano aktualizacja dnia
    опубликовано обновлено от дата
    yayınlanma güncellenme tarihi
    at um à alle ore ora las в saat klo kl
"""
_LABEL_WORDS = frozenset(_LABEL_TEXT.split())

# ------------------------------------------------------------------------ regular expressions

_YEAR = r"(?:19|20)\d{2}"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|\.|º|ª)?"
_MONTH_WORD = r"\p{L}{3,12}(?:\s?\.)?"  # "June", "Jun.", "Nov ." (tokenised text)
_TEXT_DATE = (
    rf"(?:{_DAY}\s*(?:de\s+)?{_MONTH_WORD}\s*(?:de\s+|,\s*)?{_YEAR}"  # 17 June 2024, 2 de abril de 2025
    rf"(?:\s*(?:г\.|года|р\.|року))?"  # 3 апреля 2025 г.
    rf"|{_MONTH_WORD}\s+{_DAY}\s*,?\s*{_YEAR}"  # June 17, 2024
    rf"|{_YEAR}\.?\s*{_MONTH_WORD}\s*{_DAY})"  # 2025. április 3. (hu, lt)
)
_NUM_DATE = (
    rf"(?:{_YEAR}\s?(?P<s1>[-/.])\s?[01]?\d\s?(?P=s1)\s?[0-3]?\d"  # 2024-06-17, 2024/06/17
    rf"|[0-3]?\d\s?(?P<s2>[-/.])\s?[0-3]?\d\s?(?P=s2)\s?{_YEAR}"  # 17.06.2024, 06/17/2024
    rf"|{_YEAR}\s*[年년]\s*[01]?\d\s*[月월]\s*[0-3]?\d\s*[日일]?)"  # 2024年6月17日, 2024년 6월 17일
)
_DATE = rf"(?<![\p{{L}}\d])(?P<date>{_NUM_DATE}|{_TEXT_DATE})"
_TIME_CORE = (
    r"\d{1,2}\s?[:.h]\s?\d{2}(?:\s?[:.]\s?\d{2})?(?:\.\d+)?"  # 10:45, 10 : 45, 10.45, 10h45
    r"(?:\s*[AaPp]\s?\.?(?:\s?[Mm]\s?\.?)?)?"  # AM, a.m., p . m ., 5:03p
    r"(?:\s*(?:Z|(?-i:\p{Lu}{2,5})(?:\s*[+-]\s?\d{1,2}(?:\s?:?\s?\d{2})?)?|[+-]\d{2}:?\d{2}|Uhr|h)\b)?"
    r"(?:\s*\([^()\n]{1,20}\))?"  # ( GMT+05 : 00 )
)
# a time after the date: separator, an optional word ("at", "ore", "um", "alle"), the time
_TIME = rf"(?:\s*(?:,|T|-|–|—|\||/|@)?\s*(?:\p{{L}}{{1,6}}\.?\s+)?{_TIME_CORE})"
_WORD = r"\p{L}+(?:\s?\.)?(?:\s?[:,])?\s+"  # "Published: ", "Fri . , ", "on "
_LEAD = rf"(?P<lead>(?:{_WORD}){{1,3}})?(?:{_TIME_CORE}\s*[,|@]?\s*(?P<lead2>(?:{_WORD}){{1,2}})?)?"
_UPDATED = (
    r"(?:\s*[|,;(–—-]?\s*(?:last\s+|son\s+)?(?:updated|güncelleme|modified|actualizat|aggiornato|aktualisiert"
    r"|mis\s+à\s+jour|actualizado|atualizado|обновлено|zaktualizowano|bijgewerkt)\b.*)?"
)
_END = r"[\s.,;:|–—-]*$"

# a line that is only a date: [labels/weekday] [time] DATE [weekday] [time] [— updated …]
_DATE_ONLY_RE = regex.compile(
    rf"{_LEAD}{_DATE}(?P<trail>\s*,?\s*\p{{L}}+(?=\s|$))?{_TIME}?{_UPDATED}{_END}",
    regex.IGNORECASE,
)
# "PLACE (AGENCY), [weekday] DATE –"
_PLACE = r"\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Ll}{1,4}\s+)?\p{Lu}[\p{L}'’.-]*){0,3}"
_PREFIX_RE = regex.compile(
    rf"(?P<place>{_PLACE})\s*(?:\([^()\n]{{1,40}}\))?\s*,\s*"
    rf"(?P<lead>\p{{L}}+\.?,?\s+)?{_DATE}{_TIME}?"
    rf"\s*(?:\([^()\n]{{1,40}}\)\s*)?(?:[-–—:./|]|$)"
)
_URL_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}")
_NUM_DATE_RE = regex.compile(_NUM_DATE)
_DECLARED_NUM_RE = regex.compile(
    rf"(?P<date>{_NUM_DATE})(?:[ T,]+(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<sec>\d{{2}}))?)?"
)
_HAS_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_HAS_TIME_RE = re.compile(r"\d{1,2}:\d{2}")
_NUM_PARTS_RE = re.compile(r"\d+")
_SPACE_PUNCT_RE = re.compile(r"\s+([,.])")
_SPACES_RE = re.compile(r"\s+")

_MONTHS_EN = {
    m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
}
_URL_RES = (
    # /2024/06/17/, /2024-06-17-, _2024_06_17, /2024.06.17
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<s>[/_.-])(?P<m>[01]?\d)(?P=s)(?P<d>[0-3]?\d)(?!\d)"),
    # 20240617
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
    # /2024/jun/17/
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})/(?P<m>[a-z]{3})[a-z]*/(?P<d>[0-3]?\d)(?!\d)", re.I),
)
_CEDILLA = str.maketrans("şţŞŢ", "șțȘȚ")

# ------------------------------------------------------------------------ helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _plausible(value: date | datetime) -> bool:
    limit = _now() + timedelta(days=1)
    if isinstance(value, datetime):
        if value.date() < EARLIEST:
            return False
        return value <= (limit if value.tzinfo is not None else limit.replace(tzinfo=None))
    return EARLIEST <= value <= limit.date()


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d if _plausible(d) else None


def _numeric_date(span: str, lang: str | None) -> date | None:
    """Read an all-numeric date. Year first: Y-M-D. Year last: dotted is D.M.Y; with ``/`` or
    ``-`` it is M/D/Y for English, D/M/Y otherwise — unless only one reading is a real date."""
    parts = [int(p) for p in _NUM_PARTS_RE.findall(span)]
    if len(parts) != 3:
        return None
    if parts[0] >= 1000:
        return _make_date(parts[0], parts[1], parts[2])
    a, b, year = parts
    dmy = _make_date(year, b, a)
    mdy = _make_date(year, a, b)
    if dmy and mdy and dmy != mdy:
        return mdy if ("." not in span and lang == "en") else dmy
    return dmy or mdy


@functools.lru_cache(maxsize=256)
def _languages(lang: str | None) -> tuple[str, ...]:
    """The languages dateparser reads month and weekday names in: the article's and English."""
    from dateparser.data.languages_info import language_order

    if lang:
        code = _DATEPARSER_CODES.get(lang, lang)
        if code in language_order:
            return tuple(dict.fromkeys((code, "en")))
    return _FALLBACK_LANGUAGES


@functools.lru_cache(maxsize=64)
def _date_parser(languages: tuple[str, ...], keep_offset: bool = False) -> Any:
    """A cached dateparser for these languages (building one costs more than parsing)."""
    from dateparser import DateDataParser

    settings = dict(_DATEPARSER_SETTINGS)
    if keep_offset:  # a declared value's stated offset is kept, not converted away
        del settings["RETURN_AS_TIMEZONE_AWARE"]
    return DateDataParser(languages=list(languages), settings=settings)


@functools.lru_cache(maxsize=64)
def _weekday_words(languages: tuple[str, ...]) -> frozenset[str]:
    from dateparser.languages.loader import default_loader

    words: set[str] = set()
    for code in languages:
        info = default_loader.get_locale(code).info
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            words.update(w.lower().translate(_CEDILLA) for w in info.get(day, ()))
    return frozenset(words)


def _text_date(span: str, lang: str | None) -> date | None:
    """A date with a month word, through dateparser; ``None`` unless day, month and year."""
    span = _SPACE_PUNCT_RE.sub(r"\1", _SPACES_RE.sub(" ", span)).strip()
    data = _date_parser(_languages(lang)).get_date_data(span)
    if data is None or data.date_obj is None or data.period != "day":
        return None
    d = data.date_obj.date()
    return d if _plausible(d) else None


def _lead_ok(lead: str, lang: str | None) -> bool:
    """Words in front of a date may only be labels ("Published", "on") or weekday names."""
    words = [w.strip(".,:").lower().translate(_CEDILLA) for w in lead.split()]
    words = [w for w in words if w]
    if not words:
        return True
    allowed = _LABEL_WORDS | _weekday_words(_languages(lang))
    return all(w in allowed for w in words)


def _date_of(match: Any, lang: str | None) -> date | None:
    groups = match.groupdict()
    lead = " ".join(groups[g] for g in ("lead", "lead2", "trail") if groups.get(g))
    if not _lead_ok(lead, lang):
        return None
    span = match.group("date")
    if _NUM_DATE_RE.fullmatch(span):
        return _numeric_date(span, lang)
    return _text_date(span, lang)


# ------------------------------------------------------------------------ the three sources


def normalize_declared(value: str | None, lang: str | None = None) -> str | None:
    """A declared publication date as ISO 8601, or ``None`` if unreadable or implausible.

    Keeps the time, and the UTC offset when there is one: ``"Tue, 18 Jun 2024 07:00:00 GMT"``
    → ``"2024-06-18T07:00:00+00:00"``; ``"2024-06-18T09:00:00+02:00"`` as it is;
    ``"2024-06-18"`` → ``"2024-06-18"``; ``"18.06.2024"``, ``"June 18, 2024"`` → ``"2024-06-18"``.
    A value without a day (``"2024-06"``) is not a date.
    """
    if not value:
        return None
    v = value.strip()
    if not v:
        return None
    parsed = _parse_declared(v, lang)
    if parsed is None or not _plausible(parsed):
        return None
    if isinstance(parsed, datetime):
        if not _HAS_TIME_RE.search(v) and not v.isdigit():
            return parsed.date().isoformat()
        return parsed.replace(microsecond=0).isoformat()
    return parsed.isoformat()


def _parse_declared(v: str, lang: str | None) -> date | datetime | None:
    if v.isdigit():
        if len(v) == 8:  # 20240618
            return _make_date(int(v[:4]), int(v[4:6]), int(v[6:]))
        if len(v) in (10, 13):  # Unix time, seconds or milliseconds
            seconds = int(v) / (1000 if len(v) == 13 else 1)
            return datetime.fromtimestamp(seconds, tz=UTC)
        return None
    if len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        pass
    m = _DECLARED_NUM_RE.fullmatch(v)
    if m is not None:
        d = _numeric_date(m.group("date"), lang)
        if d is None or m.group("h") is None:
            return d
        try:
            return datetime(d.year, d.month, d.day, int(m.group("h")), int(m.group("mi")), int(m.group("sec") or 0))
        except ValueError:
            return None
    try:  # RFC 822 / 2822, as in RSS: "Tue, 18 Jun 2024 07:00:00 GMT"
        return email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        pass
    data = _date_parser(_languages(lang), keep_offset=True).get_date_data(v)
    if data is None or data.date_obj is None or data.period != "day":
        return None
    parsed: datetime = data.date_obj
    return parsed


def date_from_url(url: str | None) -> str | None:
    """``YYYY-MM-DD`` from a URL's path or query, or ``None`` (also for month-only URLs)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    where = parts.path + ("?" + parts.query if parts.query else "")
    if not _URL_YEAR_RE.search(where):
        return None
    for pattern in _URL_RES:
        for m in pattern.finditer(where):
            month = m.group("m")
            month_n = _MONTHS_EN.get(month.lower(), 0) if month.isalpha() else int(month)
            d = _make_date(int(m.group("y")), month_n, int(m.group("d")))
            if d is not None:
                return d.isoformat()
    return None


def find_dateline(text: str, lang: str | None = None) -> str | None:
    """``YYYY-MM-DD`` of the text's dateline, or ``None`` (see the module's rule)."""
    head = text[: DATELINE_CHARS + _LINE_CHARS]
    if not _HAS_YEAR_RE.search(head):
        return None
    offset, seen = 0, 0
    for raw in head.split("\n"):
        start, offset = offset, offset + len(raw) + 1
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if start >= DATELINE_CHARS or seen >= DATELINE_LINES:
            break
        seen += 1
        line = line[:_LINE_CHARS]
        if not _HAS_YEAR_RE.search(line):
            continue
        for pattern in (_DATE_ONLY_RE, _PREFIX_RE):
            m = pattern.fullmatch(line) if pattern is _DATE_ONLY_RE else pattern.match(line)
            if m is not None:
                d = _date_of(m, lang)
                if d is not None:
                    return d.isoformat()
    return None


def find_published(
    text: str,
    *,
    url: str | None = None,
    lang: str | None = None,
    declared: str | None = None,
    declared_source: str | None = None,
) -> tuple[str | None, str | None]:
    """``(ISO 8601 date or datetime, source)`` of the article's publication, or ``(None, None)``.

    ``source`` is ``declared_source`` (default ``"metadata"``) for a usable ``declared`` value,
    then ``"url"``, then ``"dateline"``. ``lang`` (ISO 639-1) is the language month names are
    read in, besides English.
    """
    found = normalize_declared(declared, lang)
    if found is not None:
        return found, declared_source or "metadata"
    found = date_from_url(url)
    if found is not None:
        return found, "url"
    found = find_dateline(text, lang)
    if found is not None:
        return found, "dateline"
    return None, None
