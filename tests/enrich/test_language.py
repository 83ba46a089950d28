"""Language identification: seeds, short titles, hints, degenerate input."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsloom.enrich.language import (
    SURE,
    detect_language,
    detect_languages_batch,
    detection_text,
    normalize_language_code,
)

SEED_LANGS = {"000": "ro", "001": "ro", "002": "it", "003": "it", "004": "it"}


def _seed(seeds_dir: Path, prefix: str) -> str:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", sorted(SEED_LANGS))
def test_seeds(seeds_dir: Path, prefix: str) -> None:
    lang, conf = detect_language(_seed(seeds_dir, prefix))
    assert lang == SEED_LANGS[prefix]
    assert conf > 0.95


def test_seed_002_with_an_english_sentence_is_italian(seeds_dir: Path) -> None:
    text = _seed(seeds_dir, "002")
    assert "According to russo news outlets" in text
    assert detect_language(text)[0] == "it"
    # the paragraph that holds the English sentence, alone, is still Italian
    paragraph = next(p for p in text.split("\n") if p.startswith("According to"))
    assert detect_language(paragraph)[0] == "it"


def test_seed_titles(seeds_dir: Path) -> None:
    for prefix, expected in SEED_LANGS.items():
        text = _seed(seeds_dir, prefix)
        # first line that is a real title (002 opens with the "Salta al contenuto" skip link)
        title = next(line for line in text.split("\n") if len(line) > 40)[:120]
        assert detect_language(title)[0] == expected, title


TITLES = {
    "en": "Putin arrives in North Korea for a rare visit as ties deepen",
    "de": "Putin reist zu einem seltenen Staatsbesuch nach Nordkorea",
    "fr": "Poutine arrive en Corée du Nord pour une visite rarissime",
    "es": "Putin llega a Corea del Norte en una visita poco habitual",
    "it": "Putin arriva in Corea del Nord per una visita storica",
    "ro": "Putin a ajuns în Coreea de Nord pentru o vizită rară",
    "ru": "Путин прибыл в Северную Корею с редким визитом",
    "uk": "Путін прибув до Північної Кореї з рідкісним візитом",
    "el": "Ο Πούτιν έφτασε στη Βόρεια Κορέα για σπάνια επίσκεψη",
    "pt": "Putin chega à Coreia do Norte para uma visita rara",
    "pl": "Putin przybył do Korei Północnej z rzadką wizytą",
    "tr": "Putin nadir bir ziyaret için Kuzey Kore'ye geldi",
    "nl": "Poetin komt aan in Noord-Korea voor een zeldzaam bezoek",
    "bg": "Путин пристигна в Северна Корея на рядко посещение",
    "cs": "Putin přiletěl do Severní Koreje na vzácnou návštěvu",
    "hu": "Putyin ritka látogatásra érkezett Észak-Koreába",
    "ar": "بوتين يصل إلى كوريا الشمالية في زيارة نادرة",
    "zh": "普京抵达朝鲜进行罕见访问",
    "ja": "プーチン大統領が北朝鮮に到着した",
    "ko": "푸틴 대통령 북한 도착",
}


@pytest.mark.parametrize(("expected", "title"), sorted(TITLES.items()))
def test_short_titles(expected: str, title: str) -> None:
    lang, conf = detect_language(title)
    assert lang == expected
    assert 0.0 < conf <= 1.0


def test_romanian_without_diacritics() -> None:
    assert detect_language("Putin a acceptat propunerea lui Kim Jong Un. Ce va face presedintele rus")[0] == "ro"
    assert detect_language("Presedintele rus a spus ca va vizita Coreea de Nord saptamana viitoare")[0] == "ro"
    long = (
        "Presedintele rus Vladimir Putin va vizita Coreea de Nord marti si miercuri, a spus Kremlinul, "
        "o vizita rara care subliniaza parteneriatul in plina dezvoltare al Moscovei cu statul izolat. "
        "Liderul nord-coreean i-a intins o invitatie lui Putin cand a vizitat Orientul Indepartat al Rusiei."
    )
    assert detect_language(long) == ("ro", pytest.approx(1.0, abs=0.05))


@pytest.mark.parametrize(
    "text", ["", "   \n\t", "12345 678", "2024-06-17 10:45", "— … !!! ???", "https://example.com/2024/06"]
)
def test_no_letters(text: str) -> None:
    assert detect_language(text) == (None, 0.0)
    assert detect_language(text, hint="en") == (None, 0.0)


def test_hint_decides_only_when_unsure() -> None:
    # a bare name: the detectors cannot tell, the page's language can
    _, conf = detect_language("Putin")
    assert conf < SURE
    assert detect_language("Putin", hint="ro")[0] == "ro"
    assert detect_language("Donald Trump", hint="en-US")[0] == "en"
    # a clear text keeps its language whatever the hint says
    assert detect_language(TITLES["de"], hint="en-US")[0] == "de"
    with_hint, without = detect_language(TITLES["ro"], hint="it"), detect_language(TITLES["ro"])
    assert with_hint[0] == without[0] == "ro" and abs(with_hint[1] - without[1]) < 0.01


def test_hint_does_not_overrule_a_clear_long_text(seeds_dir: Path) -> None:
    assert detect_language(_seed(seeds_dir, "001"), hint="en")[0] == "ro"
    assert detect_language(_seed(seeds_dir, "003"), hint="en-US")[0] == "it"


def test_hint_unusable_is_ignored() -> None:
    assert detect_language("Putin", hint="x-default") == detect_language("Putin")
    assert detect_language("Putin", hint="") == detect_language("Putin")


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("pt_BR", "pt"),
        ("ro-RO", "ro"),
        ("ita", "it"),
        ("rum", "ro"),
        ("deu", "de"),
        ("nb-NO", "no"),
        ("iw", "he"),
        ("zh-Hant-TW", "zh"),
        ("x-default", None),
        ("", None),
        (None, None),
        ("zz", None),
        ("12", None),
    ],
)
def test_normalize_language_code(tag: str | None, code: str | None) -> None:
    assert normalize_language_code(tag) == code


def test_detection_text_drops_urls_markup_and_digits() -> None:
    raw = "Vezi https://www.example.com/a/b?x=1 și <b>foto</b> &nbsp; strong> 12.000 de oameni, scrie ion@example.ro"
    clean = detection_text(raw)
    assert "http" not in clean and "example" not in clean
    assert "<" not in clean and ">" not in clean and "&nbsp;" not in clean
    assert not any(ch.isdigit() for ch in clean)
    assert clean == "Vezi și foto de oameni, scrie"


def test_batch_matches_single_calls(seeds_dir: Path) -> None:
    texts = [_seed(seeds_dir, p) for p in sorted(SEED_LANGS)] + list(TITLES.values()) + ["", "42", "Putin"]
    hints = [None] * (len(texts) - 1) + ["ro"]
    assert detect_languages_batch(texts, hints) == [detect_language(t, h) for t, h in zip(texts, hints, strict=True)]
    with pytest.raises(ValueError):
        detect_languages_batch(["a"], [None, None])


def test_all_caps_title() -> None:
    assert detect_language("PUTIN ARRIVA IN COREA DEL NORD PER UNA VISITA STORICA")[0] == "it"


def test_script_outside_linguas_set_falls_back_to_py3langid() -> None:
    # Thai and Georgian are not among lingua's languages: lingua abstains, py3langid answers
    assert detect_language("ปูตินเดินทางถึงเกาหลีเหนือเพื่อเยือนอย่างเป็นทางการ")[0] == "th"
    assert detect_language("პუტინი ჩრდილოეთ კორეაში ჩავიდა")[0] == "ka"


def test_confidence_stays_a_probability() -> None:
    for text, hint in [("Putin", "ro"), ("Donald Trump", "en"), ("Salta al contenuto", "it"), ("Bank", "sw")]:
        _, conf = detect_language(text, hint=hint)
        assert 0.0 <= conf <= 1.0
