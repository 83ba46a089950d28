"""String normalisation for entity names: transliteration, keys, phonetic skeletons, similarity.

Everything here is pure and cheap; the resolver calls it for every mention.

* ``translit`` turns Cyrillic (ru/uk/bg/sr) and Greek into Latin with a small table.
* ``norm`` is the matching key: transliterated, diacritics stripped, casefolded, hyphens and
  apostrophes turned into spaces, whitespace collapsed ("Kim Jong-un" → "kim jong un").
* ``phonetic`` rewrites spellings that sound alike across languages to one form
  ("Vostochny", "Wostotschny", "Vostocini" → "vostocini"/"vostocni"; "Pjöngjang", "Pyongyang"
  → "piongiang"), and ``skeleton`` keeps its first letter and its consonants.
* ``jaro_winkler`` and ``trigram_jaccard`` compare two keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g",
    # Serbian / Macedonian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
    # Belarusian
    "ў": "u",
}
_GREEK_DIGRAPHS = {
    "ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng",
    "τσ": "ts", "τζ": "tz",
}
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}
# Latin letters that NFKD does not decompose.
_LATIN_EXTRA = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
    "ı": "i", "ħ": "h", "ŧ": "t",
}

_NON_LATIN_RE = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]")
_GREEK_DIGRAPH_RE = re.compile("|".join(sorted(_GREEK_DIGRAPHS, key=len, reverse=True)))


def has_non_latin(text: str) -> bool:
    """True when ``text`` has Greek or Cyrillic letters."""
    return bool(_NON_LATIN_RE.search(text))


def strip_accents(text: str) -> str:
    """Remove combining marks (ș → s, ö → o), keeping case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _map_case(src: str, out: str) -> str:
    if not out:
        return out
    if src.isupper():
        return out[0].upper() + out[1:] if len(src) == 1 else out.upper()
    return out


def translit(text: str) -> str:
    """Cyrillic and Greek to Latin letters, keeping capitalisation; other text unchanged."""
    if not has_non_latin(text):
        return text
    text = strip_accents(text)  # Greek tonos, Cyrillic й stays (NFKD splits it: handle below)
    text = unicodedata.normalize("NFC", text)

    def greek_digraph(m: re.Match[str]) -> str:
        return _GREEK_DIGRAPHS[m.group(0)]

    # digraphs on the lowercase text only: capitalised digraphs are rare at word starts
    out: list[str] = []
    i = 0
    low = text.lower()
    while i < len(text):
        two = low[i : i + 2]
        if two in _GREEK_DIGRAPHS:
            rep = _GREEK_DIGRAPHS[two]
            out.append(rep.capitalize() if text[i].isupper() else rep)
            i += 2
            continue
        ch = text[i]
        lo = low[i]
        if lo in _CYRILLIC:
            out.append(_map_case(ch, _CYRILLIC[lo]))
        elif lo in _GREEK:
            out.append(_map_case(ch, _GREEK[lo]))
        elif lo == "и" or lo == "\u0438":
            out.append("i")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_SPACE_RE = re.compile(r"[\s\-‐‑‒–—_'’‘`´.·]+")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Matching key: Latin letters, no diacritics, casefolded, separators as single spaces."""
    t = translit(text)
    t = strip_accents(t).casefold()
    t = "".join(_LATIN_EXTRA.get(c, c) for c in t)
    t = _SPACE_RE.sub(" ", t)
    return t.strip()


def compact(text: str) -> str:
    """``norm`` without any spaces: "Kim Jong-un" and "Kim Jongun" agree."""
    return norm(text).replace(" ", "")


# "C" stands for the affricates (ch, tsch, ts, Italian/Romanian ci/ce), "S" for sh.
_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "C"), ("sch", "S"), ("tch", "C"), ("zh", "i"), ("ch", "C"), ("sh", "S"),
    ("cz", "C"), ("sz", "S"), ("kh", "k"), ("ph", "f"), ("th", "t"), ("gh", "g"), ("ck", "k"),
    ("ts", "C"), ("tz", "C"), ("dj", "i"), ("w", "v"), ("q", "k"), ("x", "ks"), ("y", "i"),
    ("j", "i"), ("ou", "u"), ("ie", "i"), ("ei", "i"), ("ii", "i"), ("ee", "i"), ("oo", "u"),
    ("ci", "Ci"), ("ce", "Ce"), ("s", "S"), ("z", "S"),
)
_PHONETIC_RE = re.compile("|".join(re.escape(a) for a, _ in _PHONETIC_RULES))
_PHONETIC_MAP = dict(_PHONETIC_RULES)
_DOUBLE_RE = re.compile(r"(.)\1+")
_VOWELS = set("aeiou")


@lru_cache(maxsize=65536)
def phonetic(text: str) -> str:
    """A spelling-insensitive form of one name (per word, spaces kept)."""
    words = []
    for word in norm(text).split():
        w = _PHONETIC_RE.sub(lambda m: _PHONETIC_MAP[m.group(0)], word)
        w = w.replace("c", "k")  # hard c: Cremlino → kremlino (soft ones are "C" by now)
        w = w.replace("h", "") if len(w) > 2 else w
        w = w.replace("Ci", "C").replace("C", "c").replace("S", "s")
        w = _DOUBLE_RE.sub(r"\1", w)
        words.append(w)
    return " ".join(words)


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """First letter and consonants of ``phonetic`` (per word): "Vostochny" → "vstcn"."""
    out = []
    for word in phonetic(text).split():
        if not word:
            continue
        rest = "".join(c for c in word[1:] if c not in _VOWELS)
        out.append(word[0] + _DOUBLE_RE.sub(r"\1", rest))
    return " ".join(out)


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in [0, 1]."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(la, lb) // 2 - 1
    window = max(window, 0)
    a_flags = [False] * la
    b_flags = [False] * lb
    matches = 0
    for i, ca in enumerate(a):
        lo = max(0, i - window)
        hi = min(i + window + 1, lb)
        for j in range(lo, hi):
            if not b_flags[j] and b[j] == ca:
                a_flags[i] = b_flags[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions = 0
    k = 0
    for i in range(la):
        if a_flags[i]:
            while not b_flags[k]:
                k += 1
            if a[i] != b[k]:
                transpositions += 1
            k += 1
    m = float(matches)
    jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3
    prefix = 0
    for ca, cb in zip(a[:4], b[:4], strict=False):
        if ca != cb:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def trigrams(text: str) -> set[str]:
    t = f"  {text} "
    return {t[i : i + 3] for i in range(len(t) - 2)}


def trigram_jaccard(a: str, b: str) -> float:
    """Jaccard overlap of padded character trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def slug(text: str) -> str:
    """An id-friendly form: "Kim Jong Un" → "kim-jong-un"."""
    return re.sub(r"[^a-z0-9]+", "-", norm(text)).strip("-") or "x"


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is Latin (accents allowed)."""
    return not has_non_latin(text)


_COARSE_RULES: tuple[tuple[str, str], ...] = (
    ("dzh", "j"), ("tsch", "c"), ("sch", "s"), ("tch", "c"), ("dz", "j"), ("zh", "j"),
    ("kh", "h"), ("ch", "k"), ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("th", "t"),
    ("gh", "g"), ("ck", "k"), ("ce", "se"), ("ci", "si"), ("ge", "je"), ("gi", "ji"),
    ("q", "k"), ("x", "ks"), ("w", "v"), ("y", "j"), ("z", "s"), ("c", "k"),
)
_COARSE_RE = re.compile("|".join(re.escape(a) for a, _ in _COARSE_RULES))
_COARSE_MAP = dict(_COARSE_RULES)


@lru_cache(maxsize=65536)
def coarse(text: str) -> str:
    """A very forgiving per-word consonant key for names crossing scripts: "Céline
    Marchetti" and "Селин Маркетти" → "sln mrkt"; "Ioana Mărgineanu" and "Иоана
    Мэрджиняну" → "i mrjnn". Only ever used together with agreeing context."""
    out = []
    for word in norm(text).split():
        w = _COARSE_RE.sub(lambda m: _COARSE_MAP[m.group(0)], word)
        w = w.replace("h", "") if len(w) > 1 else w
        w = re.sub(r"(?<=[bcdfgklmnprstv])j", "", w)  # palatalisation: "ня", "nj"
        if not w:
            continue
        rest = "".join(c for c in w[1:] if c not in "aeiou")
        out.append(w[0] + _DOUBLE_RE.sub(r"\1", rest))
    return " ".join(out)
