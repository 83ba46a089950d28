"""Accent- and case-insensitive search text, the same for every script and both stores.

``fold`` is what the SQLite store indexes (a normalised copy of title and text in FTS5) and what
it turns a query into; ``snippet`` marks the hits in the *original* text, so users see what the
article says, not the folded copy. The PostgreSQL store indexes through ``unaccent`` and runs
``search_text`` (in Python for queries, as the SQL function ``search_text`` for the index) in
front of it, so both stores fold alike.

What folds, and why:

* Unicode compatibility forms (NFKD): ligatures (ﬁ → fi), full-width and superscript forms.
* Accents and other diacritics, in every script: é → e, ά → α, ΐ → ι, ș and ş → s, ț and ţ → t,
  Arabic harakat and Hebrew points, stress marks on Cyrillic vowels (приве́т → привет).
* Case, by Unicode case folding: ß → ss, final sigma ς → σ (so ΕΛΛΆΣ finds Ελλάς).
* Letters with a stroke that Unicode does not decompose, as PostgreSQL's ``unaccent`` does:
  ł → l, ø → o, đ → d, æ → ae, œ → oe, þ → th …

What does not fold: Cyrillic letters whose mark makes a letter of its own. Russian й is not и
with an accent but another letter (мой "my" vs мои "my", plural; край "edge" vs краи), so a
Russian reader searching "мой" does not want "мои", and й stays й; likewise Ukrainian ї and й,
Belarusian ў, Macedonian ѓ and ќ, and the letters of other Cyrillic alphabets with a breve,
diaeresis or macron (ӑ, ӧ, ӱ …), which ``unaccent`` also keeps. The exception is ё: Russian
text writes it as е most of the time (ёлка and елка are the same word), so a Russian reader
expects "елка" to find "ёлка" and the other way round: ё → е. Macedonian ѐ and ѝ are stressed
е and и, and fold to them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

# Combining marks that are accents: the combining diacritics blocks, Cyrillic titlo and
# friends, Hebrew points and Arabic harakat. Other scripts' marks (Indic vowel signs, kana
# voicing) are parts of letters and stay.
STRIPPED_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_STRIPPED = re.compile(f"[{STRIPPED_MARKS}]")

# What ``unaccent`` keeps and we fold too (PostgreSQL's search_text translates these first).
PG_TRANSLATE_FROM = "ѐѝЀЍςϐϑϕϖϰϱϲϵϹ"
PG_TRANSLATE_TO = "еиЕИσβθφπκρσεσ"

_FOLDED_CYRILLIC = set("ёЁѐЀѝЍ")
# Precomposed Cyrillic letters whose mark makes another letter (й, ї, ў, ѓ, ќ, ӑ, ӧ …).
_KEPT = "".join(
    ch for ch in map(chr, range(0x400, 0x530))
    if unicodedata.category(ch)[0] == "L" and ch not in _FOLDED_CYRILLIC
    and _STRIPPED.search(unicodedata.normalize("NFD", ch))
)
# Letters that do not decompose but that readers (and unaccent) treat as a base letter.
_LETTERS = {
    "æ": "ae", "ð": "d", "ø": "o", "þ": "th", "đ": "d", "ħ": "h", "ı": "i", "ĸ": "q", "ł": "l", "ŋ": "n",
    "œ": "oe", "ŧ": "t", "ƀ": "b", "ƒ": "f", "ɨ": "i", "ƶ": "z", "ǥ": "g", "ȼ": "c", "ɇ": "e", "ɉ": "j",
    "ɍ": "r", "ɏ": "y", "ŀ": "l",
}
_LETTERS_RE = re.compile(f"[{''.join(_LETTERS)}]")
_PLACEHOLDER = 0xF0000  # supplementary private use: kept characters wait there during NFKD
# Marks that belong to a word (every combining mark), for cutting text into words.
_WORD_MARKS = "".join(
    f"{chr(a)}-{chr(b)}" for a, b in (
        (0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A), (0x064B, 0x065F),
        (0x0670, 0x0670), (0x06D6, 0x06ED), (0x0900, 0x0DFF), (0x0E31, 0x0E4E), (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0x3099, 0x309A), (0xFE20, 0xFE2F),
    )
)
QUERY_WORD = re.compile(rf"[\w{_WORD_MARKS}]+")
_TOKEN = re.compile(rf"(?:[^\W_]|[{_WORD_MARKS}])+")


@functools.cache
def _kept() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[str, str]]:
    """What NFKD must not touch: the kept letters, and symbols with a compatibility form (™, №, …)."""
    symbols = [
        ch for ch in map(chr, range(0xA0, 0x10000))
        if unicodedata.category(ch)[0] not in "LNMC" and unicodedata.decomposition(ch).startswith("<")
    ]
    kept = list(_KEPT) + symbols
    hide = {ch: chr(_PLACEHOLDER + i) for i, ch in enumerate(kept)}
    show = {chr(_PLACEHOLDER + i): ch.lower() for i, ch in enumerate(kept)}
    return (re.compile(f"[{''.join(map(re.escape, kept))}]"), hide,
            re.compile(f"[{chr(_PLACEHOLDER)}-{chr(_PLACEHOLDER + len(kept) - 1)}]"), show)


def fold(text: str) -> str:
    """``text`` for matching: no accents, case folded (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text.lower()
    kept, hide, placeholders, show = _kept()
    text = kept.sub(lambda m: hide[m.group()], text)
    text = _STRIPPED.sub("", unicodedata.normalize("NFKD", text)).casefold()
    text = _LETTERS_RE.sub(lambda m: _LETTERS[m.group()], text)
    return placeholders.sub(lambda m: show[m.group()], text)


def search_text(text: str) -> str:
    """What PostgreSQL's ``search_text`` SQL function does, before ``unaccent`` and ``lower``."""
    text = _STRIPPED.sub("", unicodedata.normalize("NFC", text))
    return text.translate(str.maketrans(PG_TRANSLATE_FROM, PG_TRANSLATE_TO))


def pg_search_text_function(schema_qualified_name: str = "search_text") -> str:
    """The SQL of PostgreSQL's ``search_text(text)``: the same as ``search_text`` above."""
    return (
        f"CREATE FUNCTION {schema_qualified_name}(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $fn$ SELECT translate(regexp_replace(normalize(t, NFC), '[{STRIPPED_MARKS}]', '', 'g'), "
        f"'{PG_TRANSLATE_FROM}', '{PG_TRANSLATE_TO}') $fn$"
    )


def query_words(query: str) -> list[str]:
    """The folded words of what a user typed (the last one is matched as a prefix)."""
    return QUERY_WORD.findall(fold(query))


@functools.lru_cache(maxsize=1 << 16)
def _fold_token(token: str) -> str:
    return fold(token)


_SNIPPET_TOKENS = 16
_LOOKAHEAD = 64  # tokens scanned past the first hit for a better window


def snippet(text: str, words: Sequence[str], *, size: int = _SNIPPET_TOKENS) -> str:
    """About ``size`` words of ``text`` around the best hit of ``words``, hits between \\x02 and \\x03.

    ``words`` come from ``query_words``; the last is a prefix. Like FTS5's ``snippet()``: "…"
    where the text is cut; the start of the text when only the title matched.
    """
    terms: list[str] = []
    for word in words:
        terms.extend(_TOKEN.findall(word))
    prefix = terms[-1] if terms else ""
    exact = set(terms[:-1])
    spans: list[tuple[int, int]] = []
    hits: list[tuple[int, str]] = []
    folded_text = fold(text)
    if not any(term in folded_text for term in terms):  # only the title matched: the lead
        for match in _TOKEN.finditer(text):
            spans.append(match.span())
            if len(spans) > size:
                break
    else:
        cache: dict[str, str | None] = {}
        for match in _TOKEN.finditer(text):
            index = len(spans)
            spans.append(match.span())
            token = match.group()
            if token in cache:
                term = cache[token]
            else:
                folded = _fold_token(token)
                term = folded if folded in exact else (prefix if prefix and folded.startswith(prefix) else None)
                cache[token] = term
            if term is not None:
                hits.append((index, term))
                if index >= hits[0][0] + _LOOKAHEAD:
                    break
            elif hits and index >= hits[0][0] + _LOOKAHEAD:
                break
    if not spans:
        return text[:200]
    best = 0
    if hits:
        best_score = (-1, -1)
        for index, _ in hits:
            start = max(0, index - 3)
            window = [t for i, t in hits if start <= i < start + size]
            score = (len(set(window)), len(window))
            if score > best_score:
                best, best_score = start, score
    end = min(len(spans), best + size)
    marked = {i for i, _ in hits if best <= i < end}
    out: list[str] = ["…"] if best > 0 else []
    cursor = spans[best][0]
    for i in range(best, end):
        a, b = spans[i]
        out.append(text[cursor:a])
        out.append(f"\x02{text[a:b]}\x03" if i in marked else text[a:b])
        cursor = b
    if _TOKEN.search(text, spans[end - 1][1]):
        out.append("…")
    return "".join(out)
