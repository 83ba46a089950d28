"""Bytes to text: BOMs, UTF-8, code pages, declared charsets, binary and empty input."""

from __future__ import annotations

import codecs

import pytest

from newsloom.errors import InputError
from newsloom.sources.decode import BINARY, EMPTY, UNKNOWN_ENCODING, decode, guess_encoding, sniff_problem

ROMANIAN = "Preşedintele României a declarat marţi că ţara îşi va întări apărarea în următorii ani."
ROMANIAN_COMMA = "Președintele României a declarat marți că țara își va întări apărarea."
POLISH = "Prezydent powiedział we wtorek, że rząd zwiększy wydatki na obronność. Żółć gęślą jaźń."
ITALIAN = "Il presidente ha detto che la città è più sicura e che l'università riaprirà lunedì."
FRENCH = "L'été dernier, le ministre a annoncé à Genève une réforme très attendue."
GERMAN = "Der Bürgermeister äußerte sich über die Straße – „schön“, sagte er."
SPANISH = "El Gobierno anunció el miércoles una reducción de impuestos. ¿Qué pasará mañana?"
RUSSIAN = "Президент России заявил во вторник, что правительство увеличит расходы."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ROMANIAN, "cp1250"),
        (ROMANIAN, "iso8859_2"),
        (POLISH, "cp1250"),
        (ITALIAN, "latin-1"),
        (ITALIAN, "cp1252"),
        (FRENCH, "latin-1"),
        (GERMAN, "cp1252"),
        (SPANISH, "latin-1"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
    ],
)
def test_code_pages_come_out_right(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), "doc.txt") == text


def test_guess_tells_italian_latin1_from_czech_cp1250() -> None:
    # charset_normalizer alone calls this cp1250 ("cittŕ", "č"); the alphabet ranking fixes it
    assert guess_encoding(ITALIAN.encode("latin-1")) == "cp1252"
    assert guess_encoding(POLISH.encode("cp1250")) == "cp1250"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_decide_and_are_dropped(bom: bytes, encoding: str) -> None:
    text = decode(bom + ROMANIAN_COMMA.encode(encoding), "doc.txt")
    assert text == ROMANIAN_COMMA


def test_utf16_without_bom_is_recognised_not_called_binary() -> None:
    data = GERMAN.encode("utf-16-le")
    assert sniff_problem(data) is None
    assert decode(data, "doc.txt") == GERMAN


def test_strict_utf8_wins() -> None:
    assert decode(ROMANIAN_COMMA.encode(), "doc.txt") == ROMANIAN_COMMA


def test_truncated_utf8_decodes_with_a_replacement_character() -> None:
    data = "Ştiri din ţară".encode()[:-1]  # the 2-byte "ă" cut after its first byte
    assert decode(data, "doc.txt") == "Ştiri din ţar\ufffd"


def test_a_stray_bad_byte_in_utf8_is_replaced_not_guessed_as_mojibake() -> None:
    data = ("Știri: " + ROMANIAN_COMMA).encode() + b" \xff " + "țară și pâine.".encode()
    text = decode(data, "doc.txt")
    assert "Președintele" in text
    assert "\ufffd" in text


def test_meta_charset_is_respected_in_html(monkeypatch: pytest.MonkeyPatch) -> None:
    page = f'<html><head><meta charset="macintosh"></head><body><p>{FRENCH}</p></body></html>'
    data = page.encode("mac_roman")

    def no_guessing(data: bytes) -> None:
        return None

    monkeypatch.setattr("newsloom.sources.decode.guess_encoding", no_guessing)
    assert FRENCH in decode(data, "page.html", html=True)
    # the declaration is what made it readable: without it there is nothing confident to go on
    with pytest.raises(InputError) as caught:
        decode(data.replace(b'charset="macintosh"', b""), "page.html", html=True)
    assert caught.value.reason == UNKNOWN_ENCODING


def test_http_equiv_content_type_counts_as_meta_charset() -> None:
    page = f'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>{RUSSIAN}</p>'
    assert RUSSIAN in decode(page.encode("koi8_r"), "page.html", html=True)


def test_declared_charset_from_transport() -> None:
    assert decode(ROMANIAN.encode("iso8859_2"), "u", declared="iso-8859-2") == ROMANIAN


def test_valid_utf8_beats_a_contrary_declaration() -> None:
    page = f'<meta charset="iso-8859-1"><p>{ROMANIAN_COMMA}</p>'
    assert ROMANIAN_COMMA in decode(page.encode(), "page.html", html=True)


def test_meta_charset_ignored_outside_html() -> None:
    text = 'meta? <meta charset="koi8-r"> ' + ITALIAN
    assert decode(text.encode("latin-1"), "doc.txt") == text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        b"text then a NUL\x00 byte",
        bytes(range(1, 32)) * 10,
    ],
)
def test_binary_content_is_refused(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        decode(data, "img.txt")
    assert caught.value.reason == BINARY
    assert caught.value.origin == "img.txt"


@pytest.mark.parametrize(
    "data", [b"", b"  \n\t\r\n ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")]
)
def test_empty_and_whitespace_only_are_refused(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        decode(data, "e.txt")
    assert caught.value.reason == EMPTY


def test_undecidable_bytes_are_refused_not_turned_into_mojibake() -> None:
    data = bytes(range(0x80, 0x100)) * 4  # every high byte, no language at all
    with pytest.raises(InputError) as caught:
        decode(data, "noise.txt")
    assert caught.value.reason == UNKNOWN_ENCODING
