"""Bytes → text: BOMs, UTF-8, declared charsets, and a careful guess for the rest.

The order is: a byte-order mark wins; then strict UTF-8 (text with non-ASCII bytes that is
valid UTF-8 is almost never in another encoding); then a charset the document or the
server declared; then UTF-8 with a few bad bytes (a truncated file, a stray byte); then a
guess among single-byte code pages, ranked by whether the letters it produces belong to
one real alphabet. A guess that is not confident is refused rather than turned into
mojibake.

Policy for a truncated UTF-8 file (a multi-byte character cut at the end): it decodes,
with U+FFFD in place of the cut character, and a warning is logged.
"""

from __future__ import annotations

import codecs
import itertools
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

from newsloom.errors import InputError

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8192
"""How much of the start of a document binary detection and charset sniffing look at."""

EMPTY = "empty file"
BINARY = "binary file, not text"
UNKNOWN_ENCODING = "unknown text encoding (not UTF-8, and no confident guess)"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control bytes that never occur in text (tab, newlines, form feed and escape do).
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B} | {0x7F}
_MAX_CONTROL_RATIO = 0.05

_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

# WHATWG: documents labelled Latin-1 or ASCII are decoded as windows-1252 by every browser.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}

# Single-byte code pages tried in this order of preference (ties go to the first).
_CANDIDATES = ("cp1252", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253", "cp1254", "cp1257", "iso8859_15")

# Letters beyond a-z that each Latin-script language uses; a right decoding puts almost
# every non-ASCII letter of a text into one of these sets, a wrong one scatters them.
_LATIN_ALPHABETS = (
    "àèéìíîòóùú",  # Italian
    "àâæçéèêëîïôœùûüÿ",  # French
    "áéíñóúü",  # Spanish
    "ãõáâàçéêíóôú",  # Portuguese
    "àçèéíïòóúü",  # Catalan
    "äöüß",  # German
    "éëïöüáèó",  # Dutch
    "åäöæøéü",  # Scandinavian
    "áðéíóúýþæö",  # Icelandic
    "ăâîșțşţ",  # Romanian (comma-below and the cedilla forms of code pages)
    "ąćęłńóśźż",  # Polish
    "áčďéěíňóřšťúůýž",  # Czech
    "áäčďéíĺľňóôŕšťúýž",  # Slovak
    "áéíóöőúüű",  # Hungarian
    "čćđšž",  # Croatian, Serbian, Bosnian, Slovene
    "çğıöşüâî",  # Turkish
    "ąčęėįšųūž",  # Lithuanian
    "āčēģīķļņšūž",  # Latvian
    "äõöüšž",  # Estonian
    "çë",  # Albanian
)
# Whole scripts that count as one alphabet (first word of the Unicode character name).
_SCRIPTS = frozenset(
    {
        "CYRILLIC",
        "GREEK",
        "ARABIC",
        "HEBREW",
        "CJK",
        "HIRAGANA",
        "KATAKANA",
        "HANGUL",
        "THAI",
        "DEVANAGARI",
        "ARMENIAN",
        "GEORGIAN",
    }
)
# Non-letters that are ordinary in text; any other non-ASCII symbol hints at a wrong guess.
_TEXT_SYMBOLS = frozenset("\u00a0“”„‘’‚–—…«»‹›€£¥°§©®™·•¿¡×÷½\u200b\u2009\u202f")
_MIN_GUESS_SCORE = 0.85
_MAX_CHAOS = 0.2


def sniff_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be text (``EMPTY`` or ``BINARY``), or ``None`` if it may be."""
    if not data.strip():
        return EMPTY
    if _bom_encoding(data) is not None or _bomless_utf16(data) is not None:
        return None
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        return BINARY
    controls = sum(1 for b in head if b in _CONTROL)
    if controls / len(head) > _MAX_CONTROL_RATIO:
        return BINARY
    return None


def decode(data: bytes, origin: str, *, html: bool = False, declared: str | None = None) -> str:
    """Decode a whole document, or raise ``InputError`` naming ``origin`` and why.

    ``declared`` is a charset a transport announced (an HTTP ``Content-Type``); with
    ``html`` a ``<meta charset>`` in the document counts as a declaration too.
    """
    problem = sniff_problem(data)
    if problem is not None:
        raise InputError(origin, problem)
    text = _decode(data, origin, html=html, declared=declared)
    if not text.strip(" \t\r\n\f\v\u00a0\u200b\ufeff"):
        raise InputError(origin, EMPTY)
    return text


def _decode(data: bytes, origin: str, *, html: bool, declared: str | None) -> str:
    bom = _bom_encoding(data)
    if bom is not None:
        return data.decode(bom, errors="replace")
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_error = exc
    labels = [declared, meta_charset(data) if html else None]
    for label in labels:
        text = _decode_as(data, label)
        if text is not None:
            return text
    text = _mostly_utf8(data, first_error, origin)
    if text is not None:
        return text
    guess = guess_encoding(data)
    if guess is None:
        raise InputError(origin, UNKNOWN_ENCODING)
    logger.debug("%s: decoded as %s (guessed)", origin, guess)
    return data.decode(guess)


def charset_param(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header value, if any."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a ``<meta>`` near its start, if any."""
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    return match.group(1).decode("ascii", errors="replace") if match else None


def _decode_as(data: bytes, label: str | None) -> str | None:
    if not label:
        return None
    name = _LABEL_ALIASES.get(label.strip().lower(), label.strip())
    try:
        codec = codecs.lookup(name)
    except LookupError:
        logger.debug("unknown charset label %r ignored", label)
        return None
    if codec.name in ("utf-8", "utf-16", "utf-32"):
        return None  # already tried (UTF-8) or would have a BOM / NUL pattern
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError:
        return None


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the NUL bytes fall where mostly-Latin UTF-16 puts them."""
    head = data[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.6 * len(zeros) and others.count(0) == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if all(ch.isprintable() or ch.isspace() for ch in text[:2048]):
                return encoding
    return None


def _mostly_utf8(data: bytes, error: UnicodeDecodeError, origin: str) -> str | None:
    """UTF-8 with replacement when the bad bytes are a cut-off tail or rare strays."""
    if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
        logger.warning("%s: UTF-8 cut in the middle of the last character; replaced with U+FFFD", origin)
        return data[: error.start].decode("utf-8") + "\ufffd"
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if good < 4 * bad:
        return None
    logger.warning("%s: %d invalid UTF-8 sequence(s) replaced with U+FFFD", origin, bad)
    return text


def guess_encoding(data: bytes) -> str | None:
    """The most plausible encoding of non-UTF-8 ``data``, or ``None`` if none is confident.

    ``charset_normalizer`` proposes encodings and filters out chaotic decodings; because it
    cannot tell Latin code pages apart on short texts (Italian in cp1252 and in cp1250 look
    equally clean to it), the survivors and the usual code pages are ranked by
    :func:`alphabet_score`.
    """
    names: list[str] = list(_CANDIDATES)
    for match in from_bytes(data):
        if match.chaos <= _MAX_CHAOS and match.encoding not in names:
            names.append(match.encoding)
    best: tuple[float, str] | None = None
    for name in names:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = alphabet_score(text)
        if best is None or score > best[0]:
            best = (score, name)
    if best is None or best[0] < _MIN_GUESS_SCORE:
        return None
    return best[1]


def alphabet_score(text: str) -> float:
    """How well the non-ASCII characters of ``text`` fit one alphabet, from 0 to 1.

    The share of non-ASCII letters that belong to the best-fitting alphabet, counting odd
    symbols and control characters as misfits, and scaled down by the share of words that
    mix ASCII letters with another script (``citt`` + Cyrillic ``а`` is mojibake).
    """
    letters: list[str] = []
    misfits = 0
    for ch in text:
        if ord(ch) < 0x80:
            continue
        if unicodedata.category(ch).startswith("L"):
            lower = ch.lower()
            letters.append(lower if len(lower) == 1 else ch)
        elif ch not in _TEXT_SYMBOLS and not ch.isspace():
            misfits += 1
    if not letters:
        return 1.0 if misfits == 0 else 0.0
    fits = 0
    for alphabet in _LATIN_ALPHABETS:
        fits = max(fits, sum(1 for ch in letters if ch in alphabet))
    scripts: dict[str, int] = {}
    for ch in letters:
        script = unicodedata.name(ch, "?").split(" ")[0]
        if script in _SCRIPTS:
            scripts[script] = scripts.get(script, 0) + 1
    fits = max(fits, *scripts.values()) if scripts else fits
    coverage = fits / (len(letters) + misfits)
    words = re.findall(r"[^\W\d_]+", text)
    foreign = [w for w in words if any(ord(c) > 0x7F for c in w)]
    mixed = sum(1 for w in foreign if _mixes_scripts(w) or _odd_case(w))
    return coverage * (1 - mixed / len(foreign)) if foreign else coverage


def _odd_case(word: str) -> bool:
    """A lower-case letter followed by an upper-case one (``рТЕЪЙДЕОФ``: KOI8-R as cp1251)."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def _mixes_scripts(word: str) -> bool:
    has_ascii = any(ord(c) < 0x80 for c in word)
    has_other = any(unicodedata.name(c, "?").split(" ")[0] in _SCRIPTS for c in word)
    return has_ascii and has_other
