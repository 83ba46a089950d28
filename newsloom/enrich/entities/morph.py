"""Base forms of inflected names: simplemma lemmas plus suffix stripping per language.

``variants("Phenianului", "ro")`` → ["Phenianului", "Phenian", ...]: the resolver tries each
form against the gazetteer, the registry and the other mentions of the article, and keeps the
first that is known. Stripped forms that match nothing are never used as names.
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

import itertools
from functools import lru_cache

from newsloom.enrich.entities.lexicon import CONNECTORS

_SIMPLEMMA_LANGS = frozenset(
    """bg ca cs cy da de el en es et fa fi fr ga gd gl gv hbs hi hu hy id is it ka la lb lt lv
        mk ms nb nl nn pl pt ro ru se sk sl sq sv sw tl tr uk""".split()
)

# (suffix, replacement), tried longest first. Applied to the lowercase word.
_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "ro": (
        ("ului", ""), ("ilor", "ile"), ("elor", "ele"), ("iei", "ia"), ("lui", ""), ("lor", "le"),
        ("ul", ""), ("ei", "a"), ("ii", "ia"), ("ii", "a"), ("le", ""), ("a", ""),
    ),
    "de": (("es", ""), ("s", ""), ("en", ""), ("n", "")),
    "ru": (
        ("ого", ""), ("ому", ""), ("ой", "а"), ("ою", "а"), ("ым", ""), ("ом", ""), ("ем", ""),
        ("ы", "а"), ("и", "а"), ("у", "а"), ("е", "а"), ("е", ""), ("у", ""), ("а", ""),
        ("ю", "я"),
    ),
    "pl": (("owi", ""), ("em", ""), ("ie", ""), ("u", ""), ("a", ""), ("y", "a"), ("i", "a")),
    "cs": (("ovi", ""), ("em", ""), ("u", ""), ("a", ""), ("y", "a"), ("e", "a")),
}
_SUFFIXES["uk"] = _SUFFIXES["ru"] + (("і", "а"),)
_SUFFIXES["bg"] = (("ът", ""), ("та", ""), ("то", ""), ("а", ""))
_SUFFIXES["sr"] = _SUFFIXES["ru"]
_SUFFIXES["hr"] = _SUFFIXES["cs"]
_SUFFIXES["sk"] = _SUFFIXES["cs"]


def _recase(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=100_000)
def _lemma(word: str, lang: str) -> str:
    import simplemma

    try:
        return str(simplemma.lemmatize(word, lang=lang))
    except Exception:
        return word


@lru_cache(maxsize=100_000)
def token_variants(word: str, lang: str | None) -> tuple[str, ...]:
    """``word`` first, then its lemma and suffix-stripped forms (distinct, recased)."""
    out = [word]
    if not lang or len(word) < 4 or word.isupper():
        return tuple(out)
    low = word.lower()
    if lang in _SIMPLEMMA_LANGS:
        lemma = _lemma(low, lang)
        if lemma and lemma != low and len(lemma) >= 3:
            out.append(_recase(word, lemma))
    for suffix, repl in _SUFFIXES.get(lang, ()):
        if low.endswith(suffix) and len(low) - len(suffix) + len(repl) >= 3:
            out.append(_recase(word, low[: len(low) - len(suffix)] + repl))
    seen: set[str] = set()
    return tuple(v for v in out if not (v in seen or seen.add(v)))  # type: ignore[func-returns-value]


def variants(words: tuple[str, ...], lang: str | None, limit: int = 16) -> list[str]:
    """Forms of a (multi-word) name: the surface first, then per-word base-form combinations."""
    per_word = [
        (w,) if w.casefold() in CONNECTORS else token_variants(w, lang) for w in words
    ]
    out: list[str] = []
    # the all-lemma form right after the surface: "Coreei de Nord" → "Coreea de Nord"
    firsts = [v[1] if len(v) > 1 else v[0] for v in per_word]
    for combo in itertools.chain(
        [tuple(v[0] for v in per_word), tuple(firsts)], itertools.product(*per_word)
    ):
        form = " ".join(combo)
        if form not in out:
            out.append(form)
        if len(out) >= limit:
            break
    return out


# Languages whose names take case endings or articles glued to them.
_INFLECTING = frozenset("ro de ru uk bg sr hr pl cs sk sl lt lv et fi hu el".split())


def lemma_form(words: tuple[str, ...], lang: str | None) -> str | None:
    """The name with each inflected word replaced by its simplemma lemma, when that only
    strips an ending ("Washingtonul" → "Washington", "Kremlinul" → "Kremlin"); else None."""
    if not lang or lang not in _INFLECTING or lang not in _SIMPLEMMA_LANGS:
        return None
    out = []
    changed = False
    for w in words:
        if w.casefold() in CONNECTORS or len(w) < 4 or w.isupper():
            out.append(w)
            continue
        low = w.lower()
        if lang == "de":
            # German lemmas keep noun capitals: only a capitalised lemma is a name's base
            lemma = _lemma(w, lang)
            if not lemma[:1].isupper():
                out.append(w)
                continue
            lemma = lemma.lower()
        else:
            lemma = _lemma(low, lang)
        if lemma and lemma != low and len(lemma) >= 3 and low.startswith(lemma[:-1]) and len(
            lemma
        ) < len(low):
            out.append(_recase(w, lemma))
            changed = True
        else:
            out.append(w)
    return " ".join(out) if changed else None
