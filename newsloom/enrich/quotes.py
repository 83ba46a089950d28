"""Quotations and who said them, in any language.

``extract_quotes(text, lang, mentions, registry)`` finds

* direct quotes in every usual mark — „…” „…“ “…” «…» ‹…› ‘…’ "…" and the seeds' mixtures —
  skipping scare quotes (1–3 words) unless a speech verb governs them;
* clear reported speech: "X said that …", "a declarat X că …", "ha detto che …",
  "sagte, dass …", "a affirmé que …", "dijo que …", "заявил, что …" (only with a named speaker).

The speaker is looked for around the quote: after it in the same sentence ("…”, a declarat
purtătorul de cuvânt al Consiliului, John Kirby"), before it ("Putin ha detto: “…”"); a person
is preferred over an organisation or place in the same stretch ("a spus Kremlinul" → Kremlin
when no person is named). Names are resolved to the article's entities (``mentions``, from
``extract_entities``) and through the registry; a quote whose paragraph only continues the
previous one's quotation inherits its speaker. Otherwise the speaker is ``None``.
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsloom.enrich.entities import EntityRegistry, resolve_name
from newsloom.model import EntityMention, Quote

# Speech verbs and attribution phrases per language, normalised (casefolded, no diacritics).
# "pre" phrases put the speaker after them and the quote after that ("according to X, …").
SPEECH_VERBS: dict[str, tuple[str, ...]] = {
    "en": (
        "said", "says", "say", "told", "tells", "stated", "states", "added", "adds", "declared",
        "announced", "warned", "explained", "noted", "insisted", "claimed", "replied",
        "wrote", "argued", "admitted", "confirmed", "stressed", "remarked", "recalled",
        "promised", "asked", "answered", "tweeted", "commented", "continued", "called", "described", "hailed",
        "welcomed", "praised", "urged", "vowed", "conceded", "acknowledged", "spoke of",
        "summed up", "recounted",
    ),
    "de": (
        "sagte", "sagt", "sagten", "erklarte", "erklart", "erklarten", "betonte", "betont",
        "meinte", "meint", "warnte", "warnt", "fugte hinzu", "so", "berichtete", "versicherte",
        "sprach", "kundigte an", "teilte mit", "bestatigte", "raumte ein", "unterstrich",
        "forderte", "kritisierte", "nannte", "ergänzte", "erganzte", "bezeichnete", "lobte",
        "sprach von", "mahnte", "gab zu", "raumte ein",
    ),
    "fr": (
        "a dit", "a declare", "a affirme", "a ajoute", "a explique", "a souligne", "a averti",
        "a indique", "a precise", "a assure", "a estime", "a annonce", "a confie", "a reconnu",
        "a insiste", "a rappele", "a promis", "a lance", "a martele", "dit", "declare",
        "affirme", "explique", "ajoute", "souligne", "estime", "assure", "precise", "indique",
        "a-t-il dit", "a-t-elle dit", "a-t-il declare", "a-t-elle declare", "a-t-il ajoute",
        "a-t-elle ajoute", "a-t-il explique", "a-t-elle explique", "a-t-il affirme",
        "a-t-elle affirme", "a-t-il souligne", "a-t-elle souligne", "a-t-il assure",
        "a-t-elle assure", "a-t-il precise", "a-t-elle precise", "a-t-il averti",
        "a-t-elle averti", "a-t-il indique", "a-t-elle indique", "a salue", "a qualifie",
        "a decrit", "a juge", "a denonce", "a appele", "a reagi", "a confirme", "a admis",
        "a commente", "a resume", "a justifie", "se rejouit", "s'est rejoui", "s'est rejouie",
        "a temoigne", "a raconte", "raconte", "confie", "a deplore", "deplore", "a regrette",
        "regrette", "a parle de", "a evoque",
    ),
    "es": (
        "dijo", "afirmo", "declaro", "explico", "anadio", "aseguro", "senalo", "advirtio",
        "indico", "comento", "subrayo", "insistio", "reconocio", "manifesto", "ha dicho",
        "ha afirmado", "ha declarado", "ha explicado", "ha asegurado", "ha senalado", "dice",
        "afirma", "asegura", "explica", "anade", "sostuvo", "agrego", "prometio", "relato",
        "califico", "describio", "celebro", "pidio", "definio", "admitio", "confeso",
        "hablo de", "resumio", "lamento", "conto",
    ),
    "it": (
        "ha detto", "ha dichiarato", "ha affermato", "ha aggiunto", "ha spiegato",
        "ha sottolineato", "ha avvertito", "ha riferito", "ha annunciato", "ha ammesso",
        "ha risposto", "ha precisato", "ha assicurato", "ha osservato", "ha commentato",
        "ha ribadito", "ha dichiarato", "ha raccontato", "ha promesso", "ha confermato",
        "dice", "dichiara", "afferma", "spiega", "aggiunge", "sottolinea", "avverte",
        "ha detto a", "disse", "dichiaro", "affermo", "avrebbe detto", "ha scritto",
        "fu riportato", "e stato riportato", "ha insistito", "ha chiesto", "ha ricordato",
        "ha definito", "ha descritto", "ha salutato", "ha chiamato", "ha ammonito",
        "ha parlato di", "ha commentato", "ha raccontato", "racconta", "commenta",
    ),
    "ro": (
        "a declarat", "a spus", "a afirmat", "a adaugat", "a explicat", "a subliniat",
        "a avertizat", "a precizat", "a anuntat", "a relatat", "a transmis", "a mentionat",
        "a comentat", "a aratat", "a sustinut", "a insistat", "a recunoscut", "a promis",
        "a mai spus", "a mai declarat", "a mai adaugat", "a scris", "a raspuns", "a apreciat",
        "spune", "declara", "afirma", "sustine", "explica", "precizeaza", "a dat asigurari",
        "a reiterat", "a estimat", "a transmis", "spun", "au declarat", "au spus",
        "a calificat", "a numit", "a descris", "a salutat", "a cerut", "a admis",
        "a vorbit despre", "a povestit", "a rezumat", "s-a bucurat", "a deplans",
    ),
    "pt": (
        "disse", "afirmou", "declarou", "explicou", "acrescentou", "ressaltou", "destacou",
        "garantiu", "alertou", "diz", "afirma", "declara", "explica", "sublinhou", "admitiu",
        "comentou", "referiu", "indicou",
    ),
    "ru": (
        "заявил", "заявила", "заявили", "сказал", "сказала", "сказали", "отметил", "отметила",
        "добавил", "добавила", "подчеркнул", "подчеркнула", "сообщил", "сообщила", "сообщили",
        "пояснил", "пояснила", "говорит", "считает", "признал", "признала", "предупредил",
        "предупредила", "рассказал", "рассказала", "заверил", "заверила", "уточнил", "уточнила",
        "назвал", "назвала", "назвали", "признался", "призналась", "призвал", "призвала",
    ),
    "el": (
        "δηλωσε", "ειπε", "ανεφερε", "τονισε", "προσθεσε", "εξηγησε", "υπογραμμισε", "σημειωσε",
        "δηλωνει", "λεει", "προειδοποιησε", "διαβεβαιωσε", "χαρακτηρισε", "αποκαλεσε",
    ),
}
# Phrases after which the speaker is named, then the quote: "according to X", "potrivit lui X".
SOURCE_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("according to",),
    "de": ("laut", "nach angaben von", "zufolge"),
    "fr": ("selon", "d'apres"),
    "es": ("segun",),
    "it": ("secondo",),
    "ro": ("potrivit", "potrivit lui", "conform", "in opinia lui", "dupa spusele lui"),
    "pt": ("segundo", "de acordo com"),
    "ru": ("по словам", "по мнению", "как сообщил", "как заявил"),
    "el": ("συμφωνα με",),
}
# "that" words introducing reported speech.
THAT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("that",), "de": ("dass",), "fr": ("que", "qu"), "es": ("que",), "it": ("che",),
    "ro": ("ca",), "pt": ("que",), "ru": ("что",), "el": ("οτι", "πως"),
}
_PRO_DROP = {"it", "es", "ro", "pt", "el", "ru"}
# Third-person pronouns and role nouns standing for a person named earlier (normalised).
_PRONOUNS = frozenset(
    ["he", "she", "er", "sie", "il", "elle", "lui", "lei", "ella", "el", "ea", "он", "она", "αυτος", "αυτη", "ele"]
)
_ROLE_WORDS = frozenset(
    """minister ministrul ministra ministro ministre ministerin ministru ministrului president
        presedintele presidente presidenta prasident prasidentin presidente spokesman
        spokeswoman spokesperson sprecher sprecherin portavoce purtatorul portavoz porte-parole
        director directorul directora direttore directrice direktor direktorin chief executive
        ceo chef chefin mayor primarul sindaco maire alcalde alcaldesa burgermeister
        burgermeisterin premierul premier cancelarul chancellor kanzler kanzlerin leader
        liderul lider capo seful officials oficialul министр министра президент глава мэр
        представитель υπουργος υπουργος πρωθυπουργος εκπροσωπος""".split()
)

# opening mark → closing marks accepted for it
_PAIRS: dict[str, str] = {
    "„": "”“\"", "“": "”“", "«": "»", "»": "«", "‹": "›", "‘": "’", '"': '"”', "”": "”",
    "‚": "’‘",
}
_OPEN_RE = re.compile(r"[„“«‹‘\"‚”»]")
_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
_SENT_END_RE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÝĂÂÎȘȚŞŢА-ЯЁΑ-Ω„“«\"])|\n")


def _fold_char(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    base = base.casefold()
    return base[0] if len(base) == 1 else (c.casefold()[:1] or c)


def _fold(text: str) -> str:
    """Casefold and strip diacritics character by character (offsets are preserved)."""
    return "".join(_fold_char(c) if ord(c) > 127 or c.isupper() else c for c in text)


def _verbs_re(lang: str | None, table: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    langs = [lang] if lang in table else list(table)
    words: set[str] = set()
    for code in langs:
        words.update(table[code])
    if lang in table and lang != "en":
        words.update(table["en"])  # English wire copy shows up everywhere
    alts = sorted((_fold(w) for w in words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")


_CACHE: dict[tuple[str | None, str], re.Pattern[str]] = {}


def _pattern(lang: str | None, kind: str) -> re.Pattern[str]:
    key = (lang, kind)
    if key not in _CACHE:
        table = {"verbs": SPEECH_VERBS, "source": SOURCE_PHRASES, "that": THAT_WORDS}[kind]
        _CACHE[key] = _verbs_re(lang, table)
    return _CACHE[key]


@dataclass
class _Span:
    start: int
    end: int
    mention: EntityMention


@lru_cache(maxsize=20_000)
def _surface_pattern(surface: str) -> re.Pattern[str]:
    # not inside a compound: "EU" is not in "EU-Krisenkommissarin"
    return re.compile(r"(?<![\w-])" + re.escape(surface) + r"(?![\w]|-\w)")


def _mention_spans(text: str, mentions: Sequence[EntityMention]) -> list[_Span]:
    """Where the article's entity mentions occur (longest surface wins, no overlaps)."""
    cands: list[tuple[int, int, EntityMention]] = []
    for em in mentions:
        for surface in em.surface:
            if not surface:
                continue
            for m in _surface_pattern(surface).finditer(text):
                cands.append((m.start(), m.end(), em))
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[_Span] = []
    last_end = -1
    for s, e, em in cands:
        if s >= last_end:
            out.append(_Span(s, e, em))
            last_end = e
    return out


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENT_END_RE.finditer(text, 0, pos):
        start = m.end()
    nxt = _SENT_END_RE.search(text, pos)
    end = nxt.start() if nxt else len(text)
    return start, end


def _find_direct(text: str) -> list[tuple[int, int, str]]:
    """(inner start, inner end, opening mark) of quoted spans, not crossing paragraphs."""
    out: list[tuple[int, int, str]] = []
    i = 0
    n = len(text)
    while i < n:
        m = _OPEN_RE.search(text, i)
        if not m:
            break
        mark = m.group(0)
        start = m.end()
        # a closing-looking mark glued to the previous word is not an opener
        if mark in "”»" and m.start() > 0 and not text[m.start() - 1].isspace():
            i = start
            continue
        if mark == "‘" and start < n and not text[start].isalpha():
            i = start
            continue
        closers = _PAIRS[mark]
        j = start
        close = -1
        while j < n:
            c = text[j]
            if c == "\n" and text[j : j + 2] == "\n\n":
                break
            if c in closers:
                # an apostrophe-like ’ inside a word does not close ‘
                if c == "’" and j + 1 < n and text[j + 1].isalpha():
                    j += 1
                    continue
                close = j
                break
            j += 1
        if close == -1 or close == start:
            i = start
            continue
        out.append((start, close, mark))
        i = close + 1
    return out


class _Attributor:
    def __init__(
        self,
        text: str,
        lang: str | None,
        mentions: Sequence[EntityMention],
        registry: EntityRegistry,
    ) -> None:
        self.text = text
        self.folded = _fold(text)
        self.lang = lang
        self.mentions = mentions
        self.registry = registry
        self.spans = _mention_spans(text, mentions)
        self.verbs = _pattern(lang, "verbs")
        self.sources = _pattern(lang, "source")

    def _spans_in(self, a: int, b: int) -> list[_Span]:
        return [s for s in self.spans if s.start >= a and s.end <= b]

    @staticmethod
    def _pick(spans: list[_Span]) -> _Span | None:
        if not spans:
            return None
        people = [s for s in spans if s.mention.type == "PER"]
        if people:
            return people[0]
        orgs = [s for s in spans if s.mention.type in {"ORG", "MISC"}]
        return (orgs or spans)[0]

    def _fallback_name(self, a: int, b: int) -> tuple[str | None, str | None]:
        """A capitalised name right after a speech verb that the entity list missed."""
        m = re.match(r"\s*,?\s*((?:[A-ZÀ-ÝĂÂÎȘȚŞŢА-ЯЁΑ-Ω][\w’'-]+\s?){2,3})", self.text[a:b])
        if not m:
            return None, None
        name = m.group(1).strip()
        ent = resolve_name(name, self.lang, self.registry)
        if ent is not None:
            return ent.name, ent.id
        return name, None

    def speaker_after(
        self, a: int, b: int, quote_start: int | None = None
    ) -> tuple[bool, EntityMention | None, int]:
        """Attribution in text[a:b] after a quote: (verb found, speaker, verb position)."""
        seg = self.folded[a:b]
        vm = self.verbs.search(seg)
        if not vm:
            return False, None, -1
        v_start, v_end = a + vm.start(), a + vm.end()
        # speaker after the verb ("a declarat X"), else before it (", X said")
        after = self._spans_in(v_end, b)
        before = self._spans_in(a, v_start)
        head_words = _WORD_RE.findall(self.folded[v_end:b])[:3]
        pick: _Span | None = None
        if after and len(_WORD_RE.findall(self.text[v_end : after[0].start])) <= 1:
            pick = after[0]  # "a spus Kremlinul", "said John Kirby"
            if pick.mention.type == "LOC" and head_words and head_words[0] in _ROLE_WORDS:
                pick = None
        if pick is None and after:
            people = [s for s in after[:3] if s.mention.type == "PER"]
            pick = people[0] if people else None
        if pick is None and before:
            pick = self._pick(before[-2:])
        lead_words = _WORD_RE.findall(self.folded[a:v_start])[-2:]
        if pick is None and (
            (head_words and (head_words[0] in _PRONOUNS or head_words[0] in _ROLE_WORDS))
            or any(w in _PRONOUNS or w in _ROLE_WORDS for w in lead_words)
        ):
            # "she told delegates", "a declarat ministrul": the person being written about
            person = self.last_person_before(a if quote_start is None else quote_start)
            return True, person, v_end
        if pick is None and after and after[0].mention.type in {"PER", "ORG"}:
            pick = after[0]
        return True, pick.mention if pick else None, v_end

    def speaker_before(self, a: int, b: int) -> tuple[bool, EntityMention | None]:
        """Attribution in text[a:b] before a quote ("X ha detto: …", "according to X, …")."""
        seg = self.folded[a:b]
        found = False
        pick: _Span | None = None
        for pat in (self.verbs, self.sources):
            matches = list(pat.finditer(seg))
            if not matches:
                continue
            found = True
            vm = matches[-1]
            v_start, v_end = a + vm.start(), a + vm.end()
            before = self._spans_in(a, v_start)
            after = self._spans_in(v_end, b)
            if pat is self.sources:
                pick = self._pick(after[:2])
            else:
                pick = self._pick(before) if before else self._pick(after[:2])
            if pick:
                break
        return found, pick.mention if pick else None

    def last_person_before(self, pos: int, window: int = 600) -> EntityMention | None:
        people = [s for s in self.spans if s.end <= pos and s.start >= pos - window
                  and s.mention.type == "PER"]
        return people[-1].mention if people else None


def _quote(text: str, speaker: EntityMention | None, kind: str, start: int) -> Quote:
    return Quote(
        text=text,
        speaker=speaker.name if speaker else None,
        speaker_entity_id=speaker.entity_id if speaker else None,
        kind=kind,  # type: ignore[arg-type]
        start=start,
    )


def extract_quotes(
    text: str,
    lang: str | None,
    mentions: Sequence[EntityMention],
    registry: EntityRegistry,
) -> list[Quote]:
    """Direct quotes and clear reported speech in ``text``, each with its speaker or ``None``."""
    att = _Attributor(text, lang, mentions, registry)
    quotes: list[Quote] = []
    prev: tuple[int, Quote] | None = None  # (end offset, quote) of the last direct quote
    direct = _find_direct(text)
    for idx, (s, e, _mark) in enumerate(direct):
        inner = text[s:e].strip()
        words = _WORD_RE.findall(inner)
        if not words:
            continue
        sent_start, sent_end = _sentence_bounds(text, s - 1)
        sent_end = max(sent_end, _sentence_bounds(text, e)[1]) if e < len(text) else sent_end
        # windows bounded by neighbouring quotes
        next_open = direct[idx + 1][0] - 1 if idx + 1 < len(direct) else len(text)
        prev_close = direct[idx - 1][1] + 1 if idx > 0 else 0
        post_a, post_b = e + 1, min(sent_end, next_open, e + 1 + 220)
        if text[e - 1 : e] in ".!?" or text[e : e + 1] in ".!?":
            # the quote ends its sentence: an attribution can still follow on the same line
            nxt = re.match(r"[”“\"»]?\s*[.!?]?\s*[,–—-]", text[e:])
            if not nxt:
                post_b = min(post_b, e + 1)
        pre_a, pre_b = max(sent_start, prev_close, s - 1 - 220), s - 1
        found_post, sp_post, v_end = att.speaker_after(post_a, max(post_a, post_b), s - 1)
        found_pre, sp_pre = att.speaker_before(pre_a, max(pre_a, pre_b))
        if not found_post and not found_pre and post_b <= e + 1:
            # "“…” Lo ha annunciato il portavoce X." / "„…” A declarat X.": the next sentence
            # opens with the attribution
            nxt_a = e + 1
            nxt_b = _sentence_bounds(text, min(len(text) - 1, e + 3))[1]
            head = att.folded[nxt_a : nxt_a + 25]
            vm = att.verbs.search(head)
            if vm and len(_WORD_RE.findall(head[: vm.start()])) <= 2:
                found_post, sp_post, v_end = att.speaker_after(nxt_a, nxt_b, s - 1)
        if len(words) <= 3 and not _governs(text, att, s, e):
            continue  # a scare quote
        speaker = sp_post or sp_pre
        if speaker is None and found_post and lang in _PRO_DROP:
            # "“…”, ha affermato." with no subject: the person the text is about
            tail = att.folded[v_end : max(v_end, post_b)]
            if not re.search(r"\w", tail[:40]):
                speaker = att.last_person_before(s)
        if speaker is None and not (found_post or found_pre) and prev is not None:
            # a paragraph that only continues the previous paragraph's quotation
            para_start = text.rfind("\n", 0, s - 1) + 1
            between = text[prev[0] : para_start]
            if not text[para_start : s - 1].strip() and between.count("\n\n") <= 1 and (
                between.strip() == "" or "\n" in between
            ):
                speaker = next(
                    (m for m in mentions if m.entity_id == prev[1].speaker_entity_id), None
                )
        q = _quote(inner, speaker, "direct", s)
        if speaker is None and found_post:
            name, eid = att._fallback_name(v_end, max(v_end, post_b))
            if name:
                q = Quote(inner, name, eid, "direct", s)
        if any(o.text == q.text for o in quotes):
            continue  # a repeated title or pull quote
        quotes.append(q)
        prev = (e + 1, q)
    quotes.extend(_reported(text, att, direct))
    quotes.sort(key=lambda q: q.start)
    return quotes


def _governs(text: str, att: _Attributor, s: int, e: int) -> bool:
    """A speech verb directly introduces or follows a short quote: `a spus: „Da”`, `“No”, he
    said`."""
    before = att.folded[max(0, s - 60) : s - 1]
    if before.rstrip().endswith(":"):
        return True
    vm = list(att.verbs.finditer(before))
    if vm and len(_WORD_RE.findall(before[vm[-1].end() :])) == 0:
        return True
    after = att.folded[e + 1 : e + 60]
    vm2 = att.verbs.search(after)
    return bool(vm2 and not _WORD_RE.findall(after[: vm2.start()]))


def _reported(text: str, att: _Attributor, direct: list[tuple[int, int, str]]) -> list[Quote]:
    """"X a declarat că …", "ha detto Putin che …", "X said that …" with a named speaker."""
    that = _pattern(att.lang, "that")
    out: list[Quote] = []
    inside = [(s - 1, e + 1) for s, e, _ in direct]
    for vm in att.verbs.finditer(att.folded):
        v_start, v_end = vm.start(), vm.end()
        if vm.group(0) == "so":
            continue  # German "so" attributes direct quotes only ("so dass" is not speech)
        if any(a <= v_start < b for a, b in inside):
            continue
        sent_start, sent_end = _sentence_bounds(text, v_start)
        # the "that" word within a few words after the verb (and the speaker between)
        tail = att.folded[v_end : min(sent_end, v_end + 80)]
        tm = that.search(tail)
        if not tm:
            continue
        gap = tail[: tm.start()]
        if len(_WORD_RE.findall(gap)) > 6:
            continue
        clause_start = v_end + tm.end()
        clause = text[clause_start:sent_end].strip(" ,")
        if len(_WORD_RE.findall(clause)) < 4:
            continue
        if any(a <= clause_start < b for a, b in inside):
            continue
        between = att._spans_in(v_end, v_end + tm.start())
        before = att._spans_in(max(sent_start, v_start - 120), v_start)
        pick = att._pick(between) or (att._pick(before[-2:]) if before else None)
        if pick is None:
            continue
        # the speaker must be the subject: right before the verb or right after it
        if pick in before:
            tween = text[pick.end : v_start]
            if len(_WORD_RE.findall(tween)) > 4:
                continue
        out.append(_quote(clause, pick.mention, "reported", clause_start))
    return out
