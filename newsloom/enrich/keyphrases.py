"""Key phrases of an article, in any language that separates words with spaces.

``keyphrases(text, lang, title="", k=8)`` returns up to ``k`` phrases of one to three words
in the form the article wrote them ("cosmodromo di Vostochny", "Corea del Nord", "Kim Jong
Un"), best first, without near-duplicates. ``KeyphraseModel`` does the same with document
frequencies learned from the corpus it has seen, so that a phrase every article shares
("Corea del Nord" across a corpus about North Korea) ranks below what sets this article
apart (``add`` each article as it comes, then ``extract``; its IDF weight fades in as the
corpus grows, so with a handful of documents it behaves like ``keyphrases``). The pipeline
uses ``keyphrases``: the enrich stage's ``analyse`` holds no corpus state, so any worker can
run it, and what must name what differs, the labels of events and storylines, is weighted by
corpus rarity where the corpus statistics live (the clusterer's entity and word IDF,
``events/storylines.py``). ``KeyphraseModel`` is for a caller that holds a whole corpus.

How phrases are found and scored (YAKE-like, no training, 3-7 ms per article):

* **Candidates**: runs of one to three words inside a segment (punctuation, quotes and line
  breaks cut segments) that neither begin nor end with a stopword or a number; a linking
  word may sit inside ("visita di Stato", "Corea del Nord", "Ministry of Defence"), a
  conjunction may not ("Putin e Kim" is two phrases); a multi-word phrase must occur twice
  (a title counts as one occurrence). Stopwords come from the ``stop-words`` package (33
  languages) when installed, plus short built-in lists (the only list for English, whose
  package list holds content words such as "fire", "bill", "research"). A listed word
  written capitalised inside a sentence ("Stato", "New", the "Un" of "Kim Jong Un") is kept
  as part of a name. Weekday and month names (Babel), reporting verbs ("said", "a declarat")
  and, in Romance languages, inflected verb forms (simplemma maps them to an infinitive:
  "visiterà" → "visitare") never start or end a phrase.
* **Matching** is on lemmas (``simplemma`` in the article's language, lower case): "rachetele"
  and "rachete" are one phrase; the surface shown is the form the article used most, a
  sentence-initial capital lowered only when the word also occurs in lower case.
* **Score** of a phrase = (1 + ln count) × mean importance of its content words × a bonus
  for longer phrases × 1.6 if it is in the title (× its IDF with a model). A word's
  importance grows with its frequency, its spread over the sentences, an early first
  occurrence and being written capitalised mid-sentence (names). A phrase most of whose
  occurrences sit inside a longer candidate ("Kim Jong" inside "Kim Jong Un"), or that cuts
  a name ("președintele rus Vladimir" before "Putin"), gives way; a phrase sharing words
  with one already chosen is skipped.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Literal

_CONTEXTS: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")
__all__ = ["KeyphraseModel", "keyphrases", "stopwords"]

# Short built-in lists, used only when the stop-words package is not installed.
_BUILTIN_STOPWORDS: dict[str, str] = {
    "en": "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those he she they we you i his her their our my your who whom which what when where why how not no "
    "has have had do does did will would can could should may might must also than then there here said says "
    "about after before over under into out up down more most other some such only just very all any each both "
    "one two new last first year years day days week weeks month months time times people around",
    "ro": "a al ale ai alte acest această aceasta acesta acestei acestui ar au avea că ca care ce cel cea cei cele "
    "cu de din dintre după dar decât deci este era fi fie fost fără iar în într într-o între la le lor lui mai "
    "ne nu o pe pentru prin sa să se si și sau sub sunt spre un una unei unui va vor cum când doar foarte tot "
    "toate toți încă despre asupra astfel",
    "it": "a ad al alla alle allo ai agli anche che chi ci con col come da dal dalla dalle dai degli dei del della "
    "delle dello di e ed è era gli il in la le lo li ma mi ne nei nel nella nelle non o per più quale quando "
    "questo questa questi queste quello quella se si sono su sul sulla tra fra un una uno ha hanno essere stato "
    "stata sua suo sue suoi loro anche già poi dopo ancora molto tutto tutti",
    "fr": "a à au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur lui ma mais me même "
    "mes ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos "
    "votre vous été être avait ont sont plus aussi comme après avant",
    "es": "a al algo ante con contra de del desde donde durante e el ella ellos en entre era es esa ese esta este "
    "fue ha han hasta la las le les lo los más me mi muy no nos o para pero por que qué se sin sobre su sus "
    "también tras un una uno y ya como cuando sido ser",
    "de": "aber als am an auch auf aus bei bin bis da das dass dem den der des die doch dort du durch ein eine einem "
    "einen einer eines er es für hat hatte ich ihr im in ist ja kann mit nach nicht noch nur oder sein seine "
    "sich sie sind so über um und uns von vor war wie wir wird wurde zu zum zur rund etwa ganz",
    "pt": "a ao aos as à às com como da das de do dos e é ela ele eles em entre era foi há isso isto já mais mas me "
    "na nas no nos não o os ou para pela pelas pelo pelos por que se sem ser seu sua suas também um uma",
}
#: Words that may sit inside a phrase ("visita di Stato", "Ministry of Defence"); conjunctions may not.
_LINKING = frozenset(
    [
        "of",
        "de",
        "del",
        "della",
        "dello",
        "dei",
        "degli",
        "delle",
        "di",
        "da",
        "dal",
        "din",
        "al",
        "ale",
        "a",
        "du",
        "des",
        "von",
        "vom",
        "der",
        "do",
        "dos",
        "das",
        "la",
        "lui",
    ]
)
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?|\d+(?:[.,]\d+)*", re.UNICODE)
_SEGMENT_BREAK = re.compile(r"[\n.!?;:,()\[\]{}\"“”„«»|/…–—•·]|\s-\s|(?<=\w)['’](?=\s)")
_SENTENCE_BREAK = re.compile(r"[\n.!?…]")
_UNSPACED = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF]")


@lru_cache(maxsize=64)
def stopwords(lang: str | None) -> frozenset[str]:
    """Lower-case stopwords of ``lang`` (ISO 639-1): the stop-words package's list, else a built-in one."""
    code = (lang or "").split("-")[0].lower()
    words: set[str] = set()
    if code and code not in _OWN_LIST_ONLY:
        try:
            from stop_words import get_stop_words

            words = {w.strip().lower() for w in get_stop_words(code) if w.strip()}
        except Exception:  # not installed (ImportError), or the language is not covered (StopWordError)
            words = set()
    words |= set(_BUILTIN_STOPWORDS.get(code, "").split())
    if not words:
        words = set(_BUILTIN_STOPWORDS["en"].split())
    return frozenset(words)


#: Languages whose stop-words list holds content words ("fire", "bill", "computer", "research"):
#: for these the short built-in list is used instead.
_OWN_LIST_ONLY = frozenset({"en"})


@lru_cache(maxsize=64)
def _calendar_words(code: str) -> frozenset[str]:
    """Lower-case month and weekday names of a language (Babel's locale data)."""
    try:
        from babel import Locale
        from babel.dates import get_day_names, get_month_names

        Locale.parse(code)
    except Exception:  # unknown locale, or babel missing
        return frozenset()
    names: set[str] = set()
    for context in _CONTEXTS:
        names |= {n.lower() for n in get_month_names("wide", context=context, locale=code).values()}
        names |= {n.lower() for n in get_day_names("wide", context=context, locale=code).values()}
    return frozenset(names)


@lru_cache(maxsize=200_000)
def _lemma(token: str, lang: str) -> str:
    low = token.lower()
    if not lang:
        return low
    try:
        import simplemma

        return str(simplemma.lemmatize(low, lang=lang)).lower()
    except (ValueError, KeyError, ImportError):
        return low


#: Reporting verbs and other news filler no stopword list carries (lemmas).
_FILLER: dict[str, frozenset[str]] = {
    "en": frozenset(["say", "tell", "add", "report", "state", "accord", "announce", "claim"]),
    "ro": frozenset(
        [
            "spune",
            "declara",
            "afirma",
            "preciza",
            "anunța",
            "anunţa",
            "adăuga",
            "relata",
            "potrivi",
            "potrivit",
            "informa",
            "arăta",
            "transmite",
            "sublinia",
            "său",
            "sa",
            "sale",
            "lui",
            "două",
            "doi",
            "trei",
            "patru",
            "cinci",
        ]
    ),
    "it": frozenset(
        [
            "dire",
            "dichiarare",
            "affermare",
            "annunciare",
            "riferire",
            "aggiungere",
            "secondo",
            "spiegare",
            "sottolineare",
            "riportare",
            "due",
            "tre",
            "quattro",
            "cinque",
        ]
    ),
    "fr": frozenset(
        ["dire", "déclarer", "affirmer", "annoncer", "ajouter", "selon", "expliquer", "souligner", "indiquer"]
    ),
    "es": frozenset(
        ["decir", "declarar", "afirmar", "anunciar", "añadir", "según", "explicar", "señalar", "indicar", "informar"]
    ),
    "de": frozenset(["sagen", "erklären", "betonen", "mitteilen", "berichten", "laut", "ankündigen"]),
    "pt": frozenset(["dizer", "declarar", "afirmar", "anunciar", "acrescentar", "segundo", "explicar", "informar"]),
}
_RO_VERB_ENDINGS = (
    "at",
    "ată",
    "ați",
    "ate",
    "it",
    "ită",
    "iți",
    "ite",
    "ut",
    "ută",
    "uți",
    "ute",
    "ează",
    "eze",
    "ește",
    "ească",
    "ind",
    "ând",
    "ași",
    "ăm",
    "ăți",
)
_ROMANCE_INFINITIVE = {
    "it": ("are", "ere", "ire"),
    "es": ("ar", "er", "ir"),
    "pt": ("ar", "er", "ir"),
    "fr": ("er", "ir", "re"),
}


def _is_verb_form(low: str, lemma: str, lang: str) -> bool:
    """A reporting verb, or (Romance languages) an inflected form of an infinitive: not a phrase word."""
    if lemma in _FILLER.get(lang, ()) or low in _FILLER.get(lang, ()):
        return True
    if lang == "ro" and low != lemma and low.endswith(_RO_VERB_ENDINGS) and lemma.endswith(("a", "i", "e", "î")):
        return True  # participles and subjunctives: "acceptat", "viziteze"
    if (lang == "en" and low.endswith("ly") and len(low) > 5) or (
        lang in ("it", "es", "pt") and low.endswith("mente") and len(low) > 7
    ):
        return True  # adverbs
    endings = _ROMANCE_INFINITIVE.get(lang)
    return bool(endings and low != lemma and lemma.endswith(endings) and len(lemma) > 4)


def is_filler(word: str, lang: str | None) -> bool:
    """Whether ``word`` as written is a stopword, a weekday or month name or a reporting verb's
    base form. Unlike the phrase finder it does not lemmatise: simplemma's dictionaries take
    ~100 MB per language, which the clustering process (storyline labels) must not load."""
    low = word.lower()
    code = lang or "en"
    return low in stopwords(code) or low in _calendar_words(code) or low in _FILLER.get(code, ())


def _strip_elision(token: str) -> str:
    """``dell'Ucraina`` → ``Ucraina``, ``l’invasione`` → ``invasione`` (Romance elided articles)."""
    m = re.match(r"^(?:[^\W\d_]{1,5})['’](?=[^\W\d_]{2,})", token)
    return token[m.end() :] if m else token


@dataclass
class _Tok:
    surface: str
    low: str
    lemma: str
    stop: bool
    sentence: int
    sentence_start: bool
    capital: bool


@dataclass
class _Candidate:
    key: tuple[str, ...]
    surfaces: Counter[str] = field(default_factory=Counter)
    count: int = 0
    first: int = 0
    words: tuple[str, ...] = ()  # content lemmas
    cut: int = 0  # occurrences where a name runs on past either end ("Kim Jong" + "Un")


def _tokens(text: str, lang: str, stops: frozenset[str]) -> list[list[_Tok]]:
    """Segments (runs of tokens no punctuation cuts) of ``text``."""
    segments: list[list[_Tok]] = []
    calendar = _calendar_words(lang or "en")  # "Saturday", "giugno": dates are not key phrases
    sentence = 0
    sentence_start = True
    pos = 0
    for brk in [*_SEGMENT_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        seg: list[_Tok] = []
        for m in _TOKEN.finditer(text, pos, end):
            raw = _strip_elision(m.group(0))
            low = raw.lower()
            if low.isdigit() or not any(c.isalpha() for c in low):
                seg.append(_Tok(raw, low, low, True, sentence, sentence_start, False))
                sentence_start = False
                continue
            capital = raw[0].isupper()
            lemma = _lemma(low, lang)
            stop = low in stops or lemma in stops or len(low) < 2 or low in calendar or _is_verb_form(low, lemma, lang)
            if stop and capital and not sentence_start and low not in calendar:
                prev = seg[-1] if seg else None
                if len(low) >= 4 or (prev is not None and prev.capital and not prev.stop):
                    stop = False  # "Stato", "New", the "Un" of "Kim Jong Un": a listed word written as a name
            seg.append(_Tok(raw, low, lemma, stop, sentence, sentence_start, capital))
            sentence_start = False
        if seg:
            segments.append(seg)
        if brk is not None and _SENTENCE_BREAK.match(brk.group(0)):
            sentence += 1
            sentence_start = True
        pos = brk.end() if brk else len(text)
    return segments


def _candidates(
    segments: Sequence[list[_Tok]], max_words: int = 3
) -> tuple[dict[tuple[str, ...], _Candidate], dict[str, dict[str, float]]]:
    cands: dict[tuple[str, ...], _Candidate] = {}
    word_stats: dict[str, dict[str, float]] = defaultdict(lambda: {"tf": 0.0, "first": 1e9, "caps": 0.0})
    word_sentences: dict[str, set[int]] = defaultdict(set)
    order = 0
    lower_seen = {t.low for seg in segments for t in seg if not t.capital}
    for seg in segments:
        for i, tok in enumerate(seg):
            order += 1
            if not tok.stop:
                st = word_stats[tok.lemma]
                st["tf"] += 1
                st["first"] = min(st["first"], order)
                if tok.capital and not tok.sentence_start:
                    st["caps"] += 1
                word_sentences[tok.lemma].add(tok.sentence)
            if tok.stop:
                continue
            for n in range(1, max_words + 1):
                j = i + n
                if j > len(seg):
                    break
                gram = seg[i:j]
                last = gram[-1]
                if last.stop:
                    continue
                inner = gram[1:-1]
                if any(t.stop and t.low not in _LINKING for t in inner):
                    break  # a conjunction or other function word: no longer phrase from here
                if any(len(t.low) < 2 for t in gram) or any(a.lemma == b.lemma for a, b in pairwise(gram)):
                    continue
                key = tuple(t.lemma for t in gram)
                cand = cands.get(key)
                if cand is None:
                    cand = cands[key] = _Candidate(key, first=order, words=tuple(t.lemma for t in gram if not t.stop))
                cand.count += 1
                nxt = seg[j] if j < len(seg) else None
                prv = seg[i - 1] if i > 0 else None
                if (nxt is not None and last.capital and nxt.capital and not nxt.stop and nxt.lemma != last.lemma) or (
                    prv is not None
                    and tok.capital
                    and prv.capital
                    and not prv.stop
                    and not prv.sentence_start
                    and prv.lemma != tok.lemma
                ):
                    cand.cut += 1
                # the form shown: a sentence-initial capital says nothing, so lower-case it unless it is a name
                words = [t.surface for t in gram]
                if gram[0].sentence_start and gram[0].capital and gram[0].low in lower_seen:
                    words[0] = words[0][0].lower() + words[0][1:]
                cand.surfaces[" ".join(words)] += 1
    n_sent = max(1, max((t.sentence for seg in segments for t in seg), default=0) + 1)
    for lemma, st in word_stats.items():
        st["spread"] = len(word_sentences[lemma]) / n_sent
    return cands, word_stats


def _word_importance(st: dict[str, float]) -> float:
    tf = st["tf"]
    position = 1.0 + 1.0 / math.log(3.0 + st["first"] / 10.0)  # early first mention counts more
    caps = 1.0 + 1.0 * min(1.0, st["caps"] / max(tf, 1.0))  # names carry the story
    spread = 1.0 + st.get("spread", 0.0)
    return (1.0 + 0.5 * math.log(max(tf, 1.0))) * position * caps * spread  # the phrase count adds the rest


def _score(text: str, lang: str | None, title: str) -> list[tuple[float, str, _Candidate]]:
    code = (lang or "").split("-")[0].lower()
    stops = stopwords(code)
    body = f"{title.strip()}\n{text}" if title.strip() else text
    if _UNSPACED.search(body[:2000]) and len(_UNSPACED.findall(body[:2000])) > 200:
        return []  # scripts written without spaces need a segmenter: not handled here
    segments = _tokens(body, code, stops)
    cands, word_stats = _candidates(segments)
    title_lemmas = {t.lemma for seg in _tokens(title, code, stops) for t in seg if not t.stop} if title else set()
    # how often each phrase occurs inside a longer candidate
    inside: Counter[tuple[str, ...]] = Counter()
    for key, cand in cands.items():
        if len(key) < 2:
            continue
        for n in range(1, len(key)):
            for i in range(len(key) - n + 1):
                inside[key[i : i + n]] = max(inside[key[i : i + n]], cand.count)
    scored = []
    for key, cand in cands.items():
        if not cand.words or all(len(w) < 3 for w in cand.words):
            continue
        if inside[key] >= 0.6 * cand.count and len(key) < 3:
            continue  # "Kim Jong" nearly always inside "Kim Jong Un"
        if cand.cut >= 0.6 * cand.count:
            continue  # "președintele rus Vladimir" stops in the middle of "Vladimir Putin"
        if len(key) > 1 and cand.count < 2:
            continue  # a multi-word phrase must recur (the title counts as one occurrence)
        imp = [_word_importance(word_stats[w]) for w in cand.words]
        score = (1.0 + math.log(cand.count)) * (sum(imp) / len(imp)) * (1.0 + 0.15 * (len(cand.words) - 1))
        if title_lemmas and set(cand.words) <= title_lemmas:
            score *= 1.6
        surface = _best_surface(cand.surfaces)
        scored.append((score, surface, cand))
    scored.sort(key=lambda x: (-x[0], x[2].first))
    return scored


def _best_surface(surfaces: Counter[str]) -> str:
    return max(surfaces.items(), key=lambda kv: (kv[1], sum(c.isupper() for c in kv[0])))[0]


def _select(scored: Iterable[tuple[float, str, _Candidate]], k: int) -> list[str]:
    chosen: list[tuple[tuple[str, ...], str]] = []
    for _, surface, cand in scored:
        key = cand.key
        words = set(cand.words)
        clash = False
        for other, _s in chosen:
            other_words = set(w for w in other if w)
            shared = len(words & other_words)
            long_one = max(len(words), len(other_words)) >= 3
            if (
                _contains(other, key)
                or _contains(key, other)
                or shared >= min(2, len(words), len(other_words))
                or (shared and long_one)
            ):
                clash = True
                break
        if clash:
            continue
        chosen.append((key, surface))
        if len(chosen) == k:
            break
    return [s for _, s in chosen]


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return n <= len(longer) and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def keyphrases(text: str, lang: str | None, title: str = "", k: int = 8) -> list[str]:
    """Up to ``k`` key phrases of one article (surface forms, best first, no near-duplicates)."""
    return _select(_score(text, lang, title), k)


class KeyphraseModel:
    """Key phrases weighted by how rare each phrase is in the articles added so far.

    ``add(text, lang, title)`` counts every candidate phrase of an article once (as its lemma
    sequence, hashed into ``2**buckets_log2`` counters: a few MB however large the corpus);
    ``extract(...)`` scores like ``keyphrases`` and multiplies each phrase by its IDF,
    ``log((N + 1) / (df + 0.5))`` — near 0 for a phrase every article has. The IDF is blended
    towards 1 while the corpus is small (weight ``N / (N + prior)``), so a model that has seen
    a handful of articles barely changes the ranking. One model serves a multilingual stream:
    phrases of different languages rarely share lemmas.
    """

    def __init__(self, prior: int = 5, buckets_log2: int = 20) -> None:
        import numpy as np

        self.n_docs = 0
        self.prior = prior
        self._mask = (1 << buckets_log2) - 1
        self._df = np.zeros(1 << buckets_log2, dtype=np.int32)

    def _bucket(self, key: tuple[str, ...]) -> int:
        import zlib

        return zlib.crc32(" ".join(key).encode("utf-8")) & self._mask

    def add(self, text: str, lang: str | None, title: str = "") -> None:
        """Count the phrases of one article (each once)."""
        code = (lang or "").split("-")[0].lower()
        body = f"{title.strip()}\n{text}" if title.strip() else text
        cands, _ = _candidates(_tokens(body, code, stopwords(code)))
        buckets = {self._bucket(key) for key in cands}
        for b in buckets:
            self._df[b] += 1
        self.n_docs += 1

    def df(self, key: tuple[str, ...]) -> int:
        """How many added articles had the phrase with lemma sequence ``key``."""
        return int(self._df[self._bucket(key)])

    def idf(self, key: tuple[str, ...]) -> float:
        """The IDF weight of a phrase, blended towards 1 while the corpus is small."""
        n = self.n_docs
        raw = math.log((n + 1) / (self.df(key) + 0.5))
        blend = n / (n + self.prior)
        return (1.0 - blend) + blend * max(raw, 0.0)

    def extract(self, text: str, lang: str | None, title: str = "", k: int = 8) -> list[str]:
        """Up to ``k`` key phrases of one article, phrases rare in the corpus ahead."""
        scored = _score(text, lang, title)
        if self.n_docs:
            scored = sorted(
                ((score * self.idf(cand.key), surface, cand) for score, surface, cand in scored),
                key=lambda x: (-x[0], x[2].first),
            )
        return _select(scored, k)
