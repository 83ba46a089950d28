"""Publication date: declared values, URLs, datelines, and what must not count as one."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsloom.enrich import published
from newsloom.enrich.published import date_from_url, find_dateline, find_published, normalize_declared

SEED_LANGS = {"000": "ro", "001": "ro", "002": "it", "003": "it", "004": "it"}


def _seed(seeds_dir: Path, prefix: str) -> str:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _plain(text: str, lang: str | None = None) -> tuple[str | None, str | None]:
    return find_published(text, url=None, lang=lang, declared=None, declared_source=None)


# ----------------------------------------------------------------------------- seeds


def test_seed_000_dateline(seeds_dir: Path) -> None:
    assert _plain(_seed(seeds_dir, "000"), "ro") == ("2024-06-17", "dateline")
    assert _plain(_seed(seeds_dir, "000"), None) == ("2024-06-17", "dateline")


@pytest.mark.parametrize("prefix", ["001", "002", "003", "004"])
def test_seeds_without_publication_date(seeds_dir: Path, prefix: str) -> None:
    # their body dates ("în 2019", "il 18 e 19 giugno", "nel settembre 2023") are events
    assert _plain(_seed(seeds_dir, prefix), SEED_LANGS[prefix]) == (None, None)


def test_seed_000_without_its_dateline_has_none(seeds_dir: Path) -> None:
    # "La 13 septembrie 2023, ..." opens the first paragraph: an event date, not a dateline
    body = _seed(seeds_dir, "000").split("\n", 1)[1].lstrip()
    assert body.startswith("La 13 septembrie 2023")
    assert _plain(body, "ro") == (None, None)


# ----------------------------------------------------------------------------- datelines

DATELINES = [
    ("June 17, 2024\n\nText of the article.", "en", "2024-06-17"),
    ("17 June 2024\nText.", "en", "2024-06-17"),
    ("VIENNA, June 12, 2025 – The agency said on Thursday ...", "en", "2025-06-12"),
    ("BUCUREȘTI, 3 aprilie 2025 – Guvernul a aprobat ...", "ro", "2025-04-03"),
    ("Berlin, 4. März 2025. Die Bundesregierung hat ...", "de", "2025-03-04"),
    ("PARIS, 5 mars 2025 — Le gouvernement a annoncé ...", "fr", "2025-03-05"),
    ("MADRID, 2 de abril de 2025\nEl Gobierno aprobó ...", "es", "2025-04-02"),
    ("MADRID, 2 de abril de 2025 (EFE).- El Gobierno aprobó ...", "es", "2025-04-02"),
    ("ROMA, 12 aprile 2025 - Il governo ha approvato ...", "it", "2025-04-12"),
    ("МОСКВА, 3 апреля 2025 – Президент России ...", "ru", "2025-04-03"),
    ("17.06.2024\nText.", "de", "2024-06-17"),
    ("2024-06-17\nText.", "en", "2024-06-17"),
    # a title, then the date line
    ("Putin visits Pyongyang\nPublished: June 17, 2024 10:45 AM\nText.", "en", "2024-06-17"),
    ("Putin vizitează Phenianul\nmarți, 18 iunie 2024, ora 10:45\nText.", "ro", "2024-06-18"),
    ("Putin a Pyongyang\nPubblicato il 12 aprile 2025 alle 12:30\nTesto.", "it", "2025-04-12"),
    ("Lyon : une voiture incendiée\npublié le 26/03/2020 à 01:38\nTexte.", "fr", "2020-03-26"),
    ("Titel\n10. Februar 2020, 14:54 Uhr\nText.", "de", "2020-02-10"),
    ("Başlık\n 12 Mart 2020 Perşembe 22:39 \nMetin.", "tr", "2020-03-12"),
    ("标题\n2024年6月17日\n正文", "zh", "2024-06-17"),
    ("NEW YORK, June 12, 2025 (Reuters) - Stocks rose ...", "en", "2025-06-12"),
    ("WASHINGTON (AP), June 12, 2025 — The Senate ...", "en", "2025-06-12"),
    ("Rio de Janeiro, 2 de abril de 2025 - O governo ...", "pt", "2025-04-02"),
    # US numeric order only for English, day first elsewhere
    ("Title\n06/17/2024\nText.", "en", "2024-06-17"),
    ("Title\n03/04/2024\nText.", "en", "2024-03-04"),
    ("Titre\n03/04/2024\nTexte.", "fr", "2024-04-03"),
    # tokenised text as in ECB+: URL line, title, date
    ("http : / / x . com / a\nLohan checks into rehab\nMay 03 , 2013\nText .", "en", "2013-05-03"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), DATELINES)
def test_dateline_forms(text: str, lang: str, expected: str) -> None:
    assert find_published(text, url=None, lang=lang, declared=None, declared_source=None) == (expected, "dateline")


NOT_DATELINES = [
    # Romanian "mai" = more / May, "marți" = Tuesday: no date
    ("Mai sunt doar trei zile până la alegeri.\nText.", "ro"),
    ("Mai sunt doar trei zile până pe 13 mai 2025, când se votează.\nText.", "ro"),
    ("Marți, liderii s-au întâlnit la Moscova.\nText.", "ro"),
    # Italian "ore" (hours)
    ("Alle ore 12 il presidente ha parlato per 2025 secondi.\nTesto.", "it"),
    # an ordinary first sentence that ends with a date
    ("Putin will visit Pyongyang on June 18, 2024.\nMore text.", "en"),
    ("Il presidente russo arriverà in Corea del Nord il 18 giugno 2024\nTesto.", "it"),
    # a title with a date in it is not a dateline
    ("Elections in Ukraine 17 June 2024\nText.", "en"),
    # month precision only, or no year
    ("iunie 2024\nText.", "ro"),
    ("LONDON, June 12 (Reuters) - Stocks rose.", "en"),
    # relative dates are another stage's business
    ("Yesterday\nText.", "en"),
    ("ieri, 10:45\nText.", "ro"),
    # a date-only line too far down is not a dateline
    ("Title\nSubtitle\nAnother line\n17 June 2024\nText.", "en"),
    ("A" * 320 + "\n17 June 2024\nText.", "en"),
    # not a real date
    ("31.02.2024\nText.", "de"),
]


@pytest.mark.parametrize(("text", "lang"), NOT_DATELINES)
def test_not_datelines(text: str, lang: str) -> None:
    assert find_dateline(text, lang) is None
    assert _plain(text, lang) == (None, None)


def test_dateparser_only_sees_candidates(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("dateparser called without a candidate")

    monkeypatch.setattr(published, "_date_parser", boom)
    for prefix in ("001", "002", "003", "004"):
        assert _plain(_seed(seeds_dir, prefix), SEED_LANGS[prefix]) == (None, None)
    assert _plain("Mai sunt doar trei zile până la vot.", "ro") == (None, None)
    # numeric datelines never need it either
    assert _plain("17.06.2024\nText", "de") == ("2024-06-17", "dateline")


def test_plain_text_path_is_fast(seeds_dir: Path) -> None:
    texts = [_seed(seeds_dir, p) for p in ("001", "002", "003", "004")]
    texts += ["Putin will visit Pyongyang on June 18, 2024.\n" + "Text. " * 300]
    _plain(texts[0], "ro")  # warm-up
    n = 0
    start = time.perf_counter()
    for _ in range(100):
        for text in texts:
            _plain(text, "it")
            n += 1
    per_article = (time.perf_counter() - start) / n
    assert per_article < 0.001, f"{per_article * 1000:.3f} ms per article"


# ----------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/2024/06/17/putin-visits-pyongyang/", "2024-06-17"),
        ("https://example.com/world/2024-06-17-putin-visits-pyongyang", "2024-06-17"),
        ("https://example.com/world/putin-pyongyang-20240617.html", "2024-06-17"),
        ("https://www.theguardian.com/world/2024/jun/17/putin-north-korea", "2024-06-17"),
        ("https://example.com/news?date=2024-06-17&id=5", "2024-06-17"),
        ("https://example.com/2024/06/putin-visits-pyongyang/", None),  # month only
        ("https://example.com/article/12345678", None),
        ("https://example.com/2024/13/45/x", None),
        ("https://example.com/2099/01/01/x", None),  # future
        ("https://2024.example.com/putin", None),  # host, not path
        ("not a url", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_url_source_and_order() -> None:
    url = "https://example.com/2024/06/18/story"
    assert find_published("June 17, 2024\nText", url=url, lang="en", declared=None, declared_source=None) == (
        "2024-06-18",
        "url",
    )
    # a month-only URL leaves it to the dateline
    month_url = "https://example.com/2024/06/story"
    assert find_published("June 17, 2024\nText", url=month_url, lang="en", declared=None, declared_source=None) == (
        "2024-06-17",
        "dateline",
    )


# ----------------------------------------------------------------------------- declared


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 18 Jun 2024 07:00:00 GMT", "2024-06-18T07:00:00+00:00"),
        ("Tue, 18 Jun 2024 09:00:00 +0200", "2024-06-18T09:00:00+02:00"),
        ("2024-06-18T09:00:00+02:00", "2024-06-18T09:00:00+02:00"),
        ("2024-06-18T07:00:00Z", "2024-06-18T07:00:00+00:00"),
        ("2024-06-18T07:00:00.123456+00:00", "2024-06-18T07:00:00+00:00"),
        ("2024-06-18 07:00", "2024-06-18T07:00:00"),
        ("2024-06-18", "2024-06-18"),
        ("  2024-06-18  ", "2024-06-18"),
        ("20240618", "2024-06-18"),
        ("18.06.2024", "2024-06-18"),
        ("18.06.2024 10:30", "2024-06-18T10:30:00"),
        ("June 18, 2024", "2024-06-18"),
        ("1718694000", "2024-06-18T07:00:00+00:00"),
        ("2024-06", None),  # no day
        ("June 2024", None),
        ("yesterday", None),
        ("not a date", None),
        ("", None),
        (None, None),
        ("2024-02-30", None),
        ("2099-01-01", None),  # future
        ("1985-05-05", None),  # before 1990
        ("Mon, 01 Jan 1970 00:00:00 GMT", None),
    ],
)
def test_normalize_declared(value: str | None, expected: str | None) -> None:
    assert normalize_declared(value) == expected


def test_declared_in_article_language() -> None:
    assert normalize_declared("18 iunie 2024", "ro") == "2024-06-18"
    assert normalize_declared("18 giugno 2024, 10:45", "it") == "2024-06-18T10:45:00"


def test_declared_source_and_fallthrough() -> None:
    text = "June 17, 2024\nText"
    url = "https://example.com/2024/06/16/story"
    got = find_published(text, url=url, lang="en", declared="2024-06-18T07:00:00Z", declared_source="html")
    assert got == ("2024-06-18T07:00:00+00:00", "html")
    got = find_published(text, url=url, lang="en", declared="2024-06-18", declared_source=None)
    assert got == ("2024-06-18", "metadata")
    # an unusable declared value falls through to the URL, then to the dateline
    assert find_published(text, url=url, lang="en", declared="soon", declared_source="html") == ("2024-06-16", "url")
    assert find_published(text, url=None, lang="en", declared="2099-01-01", declared_source="html") == (
        "2024-06-17",
        "dateline",
    )


def test_future_limit_is_now_plus_one_day() -> None:
    now = datetime.now(UTC)
    assert normalize_declared(now.date().isoformat()) == now.date().isoformat()
    soon = (now + timedelta(hours=12)).replace(microsecond=0)
    assert normalize_declared(soon.isoformat()) == soon.isoformat()
    later = (now + timedelta(days=2)).date().isoformat()
    assert normalize_declared(later) is None
    assert find_dateline(f"{later}\nText", "en") is None


def test_nothing_found() -> None:
    assert find_published("", url=None, lang=None, declared=None, declared_source=None) == (None, None)
    got = find_published("Just text.", url="https://example.com/story", lang="en", declared="", declared_source="html")
    assert got == (None, None)
