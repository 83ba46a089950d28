"""Line-level cleaning of article text a scraper (or trafilatura) already produced.

The text is read as lines grouped into paragraphs (blank-line separated; when the text has
no blank lines every line is its own paragraph). Each step below marks lines as removed with
a reason code; kept lines are never rewritten except for whitespace and HTML debris:

1. whitespace normalised, HTML entities decoded, HTML debris stripped (``p>``, ``</div>``,
   a leading ``strong>``); lines that were nothing but debris go       → ``html-debris``
2. lines an outlet repeats in all its articles (``CleanOptions.recurring``) → ``recurring-in-outlet``
3. every line classified against the vocabulary table (``vocab.py``)
4. teaser blocks: a marker ("Citește și", "Leggi anche", "READ …") and the headlines after it.
   When everything from the marker to the end is teaser-shaped (headline lines, headlines
   repeated twice in a row, other markers, and one blurb after a headline when the headline
   was repeated or the blurb is cut short) the whole tail goes; otherwise the marker and the
   headline lines right after it                                      → ``teaser``
5. a comment-section heading with at least as much text before it as after it takes the
   rest with it                                                       → ``comments``
6. remaining marker lines go with their category's reason; a photo credit takes its caption
   (the line above it in its paragraph, or a one-line paragraph above it that places people
   in the picture, "(left)"), unless ``keep_captions``         → ``photo-credit``, ``caption``
7. the title: the first line when it looks like a headline ("title | subtitle" keeps the
   title), never a dateline; else the first sentence, cut on a word. Its copies near the
   top and a section label under it go              → ``duplicate-title``, ``section-label``
8. any later repeat of a kept line                                   → ``duplicate-line``
9. lines with (almost) no letters or digits                          → ``no-text``

Reason codes, all of them: ``teaser``, ``comments``, ``navigation``, ``share``, ``author-box``,
``advertisement``, ``cookie-notice``, ``newsletter``, ``footer``, ``photo-credit``, ``caption``,
``html-debris``, ``recurring-in-outlet``, ``duplicate-title``, ``section-label``,
``duplicate-line``, ``no-text``.
"""

from __future__ import annotations

import html as html_lib
import itertools
import re
from dataclasses import dataclass, field

from newsloom.clean.options import CleanOptions
from newsloom.clean.recurring import RECURRING_REASON, normalise_line
from newsloom.clean.vocab import AGENCIES, VOCABULARY
from newsloom.model import RemovedLine

# reason codes recorded in ``RemovedLine.reason``, by the line category that causes them
REASONS: dict[str, str] = {
    "teaser": "teaser",
    "read_more": "teaser",
    "teaser_by": "teaser",
    "comments": "comments",
    "comment_ui": "comments",
    "comment_form": "comments",
    "navigation": "navigation",
    "share": "share",
    "author": "author-box",
    "ads": "advertisement",
    "cookie": "cookie-notice",
    "newsletter": "newsletter",
    "footer": "footer",
    "credit": "photo-credit",
}
HTML_DEBRIS = "html-debris"
CAPTION = "caption"
DUPLICATE_TITLE = "duplicate-title"
DUPLICATE_LINE = "duplicate-line"
SECTION_LABEL = "section-label"
NO_TEXT = "no-text"


# ---------------------------------------------------------------- the compiled vocabulary


# Romanian is written with comma-below ș ț and, by older software, with cedilla ş ţ


def _fold(text: str) -> str:
    return text.casefold().replace("ş", "ș").replace("ţ", "ț")


def _comma_below(text: str) -> str:
    return text.replace("ş", "ș").replace("ţ", "ț").replace("Ş", "Ș").replace("Ţ", "Ț")


def _phrases(category: str) -> list[str]:
    """The phrases of one category in all languages, casefolded, longest first."""
    found = {_fold(p) for table in VOCABULARY.values() for p in table.get(category, ())}
    return sorted(found, key=lambda p: (-len(p), p))


def _alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p) for p in phrases)


_EXACT: dict[str, str] = {}
for _category in ("teaser", "read_more", "comments", "comment_ui", "navigation", "share", "author", "ads"):
    for _phrase in _phrases(_category):
        _EXACT.setdefault(_phrase, _category)

_TEASERS = sorted(set(_phrases("teaser")) | set(_phrases("read_more")), key=lambda p: (-len(p), p))
_TEASER_INLINE = re.compile(rf"^(?:{_alternation(_TEASERS)})\s*(?:[:|»›]|[-–—]\s|\.\.\.|…)\s*\S")
_TEASERS_UPPER = sorted({p.upper() for p in _TEASERS}, key=len, reverse=True)
_TEASER_UPPER = re.compile(rf"^(?:{_alternation(_TEASERS_UPPER)})[\s:]+\S")
_TEASER_BY = re.compile(rf"^(?:{_alternation(_phrases('teaser_by'))})\s+\S.{{0,60}}$")
_SHARE_ON = re.compile(rf"^(?:{_alternation(_phrases('share_on'))})\b")
_COMMENT_FORM = re.compile(rf"^(?:{_alternation(_phrases('comment_form'))})")
_COMMENT_COUNT = re.compile(r"^\d+\s+")
_COMMENT_THOUGHTS = re.compile(r"^\d+\s+(?:thoughts? on|responses? to|repl(?:y|ies) to)\b")
_COOKIE = tuple(_phrases("cookie"))
_NEWS_NOUN = tuple(_phrases("newsletter_noun"))
_NEWS_VERB = tuple(_phrases("newsletter_verb"))
_FOOTER = tuple(_phrases("footer"))


def _contains(text: str, phrases: tuple[str, ...]) -> bool:
    return any(p in text for p in phrases)
_COPYRIGHT_START = re.compile(r"^(?:©|\(c\)\s|copyright\b)")
_SECTIONS = frozenset(_phrases("sections"))
_AGENCIES = sorted({a.casefold() for a in AGENCIES}, key=len, reverse=True)
_AGENCY = re.compile(rf"(?<!\w)(?:{_alternation(_AGENCIES)})(?!\w)")
_CAPTION_MARK = re.compile(rf"\(\s*(?:{_alternation(_phrases('caption_marks'))})\s*\)")
_CREDIT_WORDS = frozenset(w for p in _phrases("credit_words") for w in p.split())
_CONNECTORS = frozenset({"by", "via", "and", "di", "von", "par", "por", "door", "de", "und", "e", "și", "si"})
_CREDIT_PREFIX = re.compile(r"^\(?\s*((?:\w+\s+){0,2}\w+)\s*[:©]\s*\S")
_PHOTO_BY = re.compile(r"^\(?(?:photo|foto|bild|image|picture|fotó)s?\s+(?:by|di|von|de|par|por|door)\b")
_MONTHS = frozenset(_phrases("months"))
_DATE_TOKENS = (
    _MONTHS | frozenset(_phrases("weekdays")) | frozenset(w for p in _phrases("date_words") for w in p.split())
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_ANY_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
_ORDINAL = re.compile(r"^\d{1,2}(?:st|nd|rd|th|er|e|º|ª)?$")

# ---------------------------------------------------------------- text normalisation

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff]")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TAG_NAMES = (
    r"p|div|span|strong|b|em|i|u|a|br|hr|h[1-6]|li|ul|ol|blockquote|figure|figcaption|section|"
    r"article|small|sup|sub|img|font|center|table|tr|td|th|tbody|thead|header|footer|nav|aside|"
    r"main|label|button|iframe|noscript|time|cite|q|mark|del|ins|s|strike"
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|h[1-6]|li|ul|ol|blockquote|figure|figcaption|section|article|table|tr|td|th|"
    r"tbody|thead|header|footer|nav|aside|main|center|iframe|noscript)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_INLINE_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_HALF_TAG_START = re.compile(rf"^(?:/?(?:{_TAG_NAMES})/?>\s*)+", re.IGNORECASE)
_HALF_TAG_END = re.compile(rf"\s*</?(?:{_TAG_NAMES})(?:\s[^<>]*)?$", re.IGNORECASE)
_EDGES = " \t-–—•·*>»›|:;.,…!?\"'“”„«()[]"
_CLOSERS = " \"'”’»)]"


def _ws(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _strip_debris(line: str) -> tuple[str, list[str]]:
    """``line`` without HTML tags and tag fragments, and the fragments taken out."""
    debris: list[str] = []

    def take(match: re.Match[str], repl: str) -> str:
        debris.append(match.group(0).strip())
        return repl

    if "<" in line or ">" in line:
        line = _HTML_COMMENT.sub(lambda m: take(m, " "), line)
        line = _BLOCK_TAG.sub(lambda m: take(m, " "), line)
        line = _INLINE_TAG.sub(lambda m: take(m, ""), line)
        line = _HALF_TAG_START.sub(lambda m: take(m, ""), line)
        line = _HALF_TAG_END.sub(lambda m: take(m, ""), line)
    return _ws(line), [d for d in debris if d]


_NOT_ALNUM = re.compile(r"[\W_]+")
_ALNUM = re.compile(r"[^\W_]")


def _key(text: str) -> str:
    """Comparison form for duplicates: letters and digits only, casefolded."""
    return _NOT_ALNUM.sub("", text.casefold())


def _has_text(text: str, at_least: int) -> bool:
    """Does ``text`` hold at least ``at_least`` letters or digits?"""
    return sum(1 for _ in itertools.islice(_ALNUM.finditer(text), at_least)) >= at_least


def _marker_key(text: str) -> str:
    return " ".join(_fold(text).split()).strip(_EDGES)


def _ends_sentence(text: str) -> bool:
    tail = text.rstrip(_CLOSERS)
    if tail.endswith(("...", "…")):
        return False
    return tail.endswith((".", ":", ";"))


def _truncated(text: str) -> bool:
    """A blurb cut short: ends in an ellipsis or with no final punctuation at all."""
    tail = text.rstrip(_CLOSERS)
    return tail.endswith(("...", "…")) or (bool(tail) and tail[-1].isalnum())


def headline_part(text: str) -> str:
    """The title in "title | subtitle" (or "Section | Title"), without a final period."""
    head, sep, rest = text.partition(" | ")
    if sep and len(head.split()) < 3 and len(head) < len(rest):
        return headline_part(rest)
    return _strip_period(head.strip())


def _strip_period(text: str) -> str:
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


_SENTENCE_END = re.compile(r"[.!?]+[\"'”’»)]*\s+")


def first_sentence(text: str, limit: int) -> str:
    """The first sentence of ``text``, cut at ``limit`` characters on a word boundary."""
    sentence = text
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() :].lstrip("\"'“„«(")
        before = text[: match.start()].rsplit(" ", 1)[-1]
        abbreviation = "." in before or (len(before) <= 2 and before[:1].isupper())  # U.S., Dr.
        if following[:1].isupper() and not abbreviation:
            sentence = text[: match.end()].strip()
            break
    if len(sentence) <= limit:
        return _strip_period(sentence)
    cut = sentence[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return cut + "…"


def is_dateline(text: str) -> bool:
    """A line that is only a date ("June 17, 2024", "Pubblicato il 17 giugno 2024 alle 10:30")."""
    if len(text) > 80:
        return False
    low = text.casefold()
    tokens = re.findall(r"\w+", low)
    if not tokens:
        return False
    numeric = bool(_NUMERIC_DATE.search(low))
    has_year = numeric or any(_YEAR.match(t) for t in tokens)
    has_month = numeric or any(t in _MONTHS for t in tokens)
    allowed = all(t.isdigit() or _ORDINAL.match(t) or t in _DATE_TOKENS for t in tokens)
    return has_year and has_month and allowed


def _is_credit(text: str, low: str) -> bool:
    """A photo-credit line: "Getty", "Colaboratori |. Getty Images |", "Foto: Reuters"."""
    if len(text) > 100:
        return False
    words = len(text.split())
    if _ends_sentence(text) and words >= 8:
        return False
    if _PHOTO_BY.match(low):
        return True
    prefix = _CREDIT_PREFIX.match(low)
    if prefix and words - len(prefix.group(1).split()) <= 7:  # "Foto: <a headline>" is a kicker, no credit
        prefix_words = prefix.group(1).split()
        if all(w in _CREDIT_WORDS for w in prefix_words) and not all(w in _CONNECTORS for w in prefix_words):
            return True
    rest = _AGENCY.sub(" ", low)
    if rest == low:
        return False
    return all(w in _CREDIT_WORDS for w in re.findall(r"\w+", rest))


def classify(text: str) -> tuple[str, bool]:
    """The vocabulary category of one line (``"text"`` for article text, ``"dateline"``)
    and whether it is a teaser marker that carries its headline on the same line."""
    if len(text) > 600:  # longer than anything the vocabulary matches
        return "text", False
    low = " ".join(_fold(text).split())
    mkey = low.strip(_EDGES)
    if not mkey:
        return "text", False
    n = len(text)
    if n <= 400 and _COMMENT_FORM.match(mkey):
        return "comment_form", False
    if _contains(low, _COOKIE):
        return "cookie", False
    if n <= 300 and _contains(low, _NEWS_NOUN) and _contains(low, _NEWS_VERB):
        return "newsletter", False
    if _is_credit(text, low) or (n <= 80 and low.startswith("©") and not _ANY_YEAR.search(low)):
        return "credit", False  # "© Reuters", "© Marcel Burkhardt"; "© 2024 Foo" is a footer
    if n <= 200 and (_contains(low, _FOOTER) or (n <= 150 and _COPYRIGHT_START.match(low))):
        return "footer", False
    category = _EXACT.get(mkey)
    if category is None and (_EXACT.get(_COMMENT_COUNT.sub("", mkey)) == "comments" or _COMMENT_THOUGHTS.match(mkey)):
        category = "comments"  # "3 Comments", "12 thoughts on …"
    if category is not None:
        return category, False
    if n <= 300 and (_TEASER_INLINE.match(mkey) or _TEASER_UPPER.match(_comma_below(text))):
        return "teaser", True
    if _TEASER_BY.match(mkey):
        return "teaser_by", False
    if len(mkey) <= 60 and _SHARE_ON.match(mkey):
        return "share", False
    if is_dateline(text):
        return "dateline", False
    return "text", False


# ---------------------------------------------------------------- the cleaner


@dataclass
class _Line:
    text: str
    para: int
    kind: str = "text"
    inline: bool = False
    reason: str | None = None
    debris: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.reason is None


@dataclass
class CleanedText:
    """What :func:`clean_text` returns: the title, the kept lines, and what went."""

    title: str
    text: str
    removed: list[RemovedLine]


def clean_text(text: str, title: str | None = None, options: CleanOptions | None = None) -> CleanedText:
    """Clean article text line by line (see the module docstring for the steps).

    ``title`` is a title the input declared (a feed's or the page's); without one the
    title is read from the text. The title line stays in the text once.
    """
    opts = options or CleanOptions()
    lines, blank_separated = _split(text)
    if opts.recurring:
        recurring = {normalise_line(line) for line in opts.recurring}
        for ln in lines:
            if ln.live and normalise_line(ln.text) in recurring:
                ln.reason = RECURRING_REASON
    for ln in lines:
        if ln.live:
            ln.kind, ln.inline = classify(ln.text)
    _teaser_blocks(lines, opts)
    _comment_tail(lines)
    if not opts.keep_captions:
        _captions(lines, opts)
    for ln in lines:
        if ln.live and ln.kind in REASONS:
            ln.reason = REASONS[ln.kind]
    found_title = _title(lines, title, blank_separated, opts)
    _duplicates(lines)
    for ln in lines:
        if ln.live and not _has_text(ln.text, opts.min_line_chars):
            ln.reason = NO_TEXT
    removed: list[RemovedLine] = []
    for ln in lines:
        removed.extend(RemovedLine(fragment, HTML_DEBRIS) for fragment in ln.debris)
        if ln.reason is not None:
            removed.append(RemovedLine(ln.text, ln.reason))
    kept = "\n".join(ln.text for ln in lines if ln.live)
    return CleanedText(title=found_title, text=kept, removed=removed)


def _split(text: str) -> tuple[list[_Line], bool]:
    """The non-blank lines, and whether the text separates paragraphs with blank lines."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [_ws(raw) for raw in raw_lines]
    first = next((i for i, s in enumerate(stripped) if s), 0)
    last = max((i for i, s in enumerate(stripped) if s), default=0)
    blank_separated = any(not s for s in stripped[first:last])
    lines: list[_Line] = []
    para = 0
    for line in stripped:
        if not line:
            para += 1
            continue
        if not blank_separated:
            para += 1
        decoded = _ws(_ENTITY.sub(lambda m: html_lib.unescape(m.group(0)), line)) if "&" in line else line
        cleaned, debris = _strip_debris(decoded)
        if cleaned:
            lines.append(_Line(cleaned, para, debris=debris))
        else:  # nothing but debris ("p>", "</div>", "&nbsp;")
            lines.append(_Line(line, para, reason=HTML_DEBRIS))
    return lines, blank_separated


def _headline_like(text: str, opts: CleanOptions) -> bool:
    return len(text) <= opts.max_headline_chars and not _ends_sentence(text)


def _live_after(lines: list[_Line], i: int) -> list[int]:
    return [j for j in range(i + 1, len(lines)) if lines[j].live]


def _teaser_blocks(lines: list[_Line], opts: CleanOptions) -> None:
    for i, ln in enumerate(lines):
        if not (ln.live and ln.kind in ("teaser", "teaser_by")):
            continue
        if _is_teaser_tail(lines, i, opts):
            for tail in lines[i:]:
                if tail.live:
                    tail.reason = REASONS.get(tail.kind, "teaser")
            return
        ln.reason = "teaser"
        if ln.inline:
            continue
        after = _live_after(lines, i)
        same = [j for j in after if lines[j].para == ln.para]
        if same:
            for j in same:
                if lines[j].kind != "text" or not _headline_like(lines[j].text, opts):
                    break
                lines[j].reason = "teaser"
            continue
        alone = not any(lines[j].live and lines[j].para == ln.para for j in range(i))
        if alone and after:
            nxt = [j for j in after if lines[j].para == lines[after[0]].para]
            if len(nxt) <= 3 and all(lines[j].kind == "text" and _headline_like(lines[j].text, opts) for j in nxt):
                for j in nxt:
                    lines[j].reason = "teaser"


def _is_teaser_tail(lines: list[_Line], start: int, opts: CleanOptions) -> bool:
    """Is everything from ``start`` to the end a block of teasers?

    Allowed: marker lines of any kind, headline-like lines, and after a headline one
    blurb, when the headline was repeated twice in a row (seed 001) or the blurb is cut short.
    """
    headline: str | None = None  # key of the last headline, until its blurb came
    repeated = False
    previous: str | None = None
    for j in range(start, len(lines)):
        ln = lines[j]
        if not ln.live:
            continue
        if ln.kind != "text":
            headline, previous = None, None
            continue
        k = _key(ln.text)
        if _headline_like(ln.text, opts):
            repeated = k == previous
            headline, previous = k, k
            continue
        if headline is not None and len(ln.text) <= opts.max_blurb_chars and (repeated or _truncated(ln.text)):
            headline, previous = None, None
            continue
        return False
    return True


def _comment_tail(lines: list[_Line]) -> None:
    """A comment-section heading in the second half of the text takes the rest with it."""
    for i, ln in enumerate(lines):
        if not (ln.live and ln.kind == "comments"):
            continue
        before = sum(len(x.text) for x in lines[:i] if x.live and x.kind == "text")
        after = sum(len(x.text) for x in lines[i + 1 :] if x.live and x.kind == "text")
        if before >= after:
            for tail in lines[i:]:
                if tail.live:
                    tail.reason = REASONS.get(tail.kind, "comments")
            return


def _captions(lines: list[_Line], opts: CleanOptions) -> None:
    """The caption above a photo credit: the line right above it in the same paragraph
    (seed 001), or a one-line paragraph right above it that places people in the picture,
    "(left)", "(dreapta)" (seed 000)."""
    live = [i for i, ln in enumerate(lines) if ln.live]
    for pos, i in enumerate(live):
        if lines[i].kind != "credit" or pos < 2:  # live[0] is the title, never a caption
            continue
        cand = lines[live[pos - 1]]
        if cand.kind != "text" or len(cand.text) > opts.max_blurb_chars:
            continue
        same_para = cand.para == lines[i].para
        own_para = not same_para and sum(1 for j in live if lines[j].para == cand.para) == 1
        if (same_para and len(cand.text) <= 300) or (own_para and _CAPTION_MARK.search(_fold(cand.text))):
            cand.reason = CAPTION


def _looks_like_title(lines: list[_Line], live: list[int], pos: int, blank_separated: bool, opts: CleanOptions) -> bool:
    """A headline: short and not ending with a period, or ending with one but followed by a
    blank line. Under a dateline only a line without any final punctuation counts."""
    first = lines[live[pos]]
    end = first.text.rstrip(_CLOSERS)
    if len(first.text) > opts.max_headline_chars or end.endswith((":", ";")):
        return False
    if pos > 0:
        return not end.endswith((".", "!", "?"))
    if not end.endswith(".") or end.endswith(("...", "…")):
        return True
    following = live[pos + 1] if pos + 1 < len(live) else None
    return blank_separated and (following is None or lines[following].para != first.para)


def _title(lines: list[_Line], declared: str | None, blank_separated: bool, opts: CleanOptions) -> str:
    live = [i for i, ln in enumerate(lines) if ln.live]
    pos = 0
    while pos < len(live) and lines[live[pos]].kind == "dateline":
        pos += 1  # a leading dateline stays in the text, for the date stage, and is no title
    if pos == len(live):
        return declared or ""
    first = lines[live[pos]]
    if declared:
        title = declared
    elif _looks_like_title(lines, live, pos, blank_separated, opts):
        title = headline_part(first.text)
    else:
        title = first_sentence(first.text, opts.max_title_chars)
    # the line carrying the title (alone or as "title | subtitle") near the top stays once
    window = live[pos : pos + 7]
    title_keys = {_key(title)}
    carrier = next(
        (j for j in window if _key(lines[j].text) in title_keys or _key(headline_part(lines[j].text)) in title_keys),
        None,
    )
    if carrier is None:
        return title
    title_keys.add(_key(lines[carrier].text))
    rest = [j for j in window if j > carrier]
    if rest:
        label = lines[rest[0]]
        followed_by_copy = len(rest) > 1 and _key(lines[rest[1]].text) in title_keys
        if (
            label.kind == "text"
            and len(label.text.split()) <= 4
            and not _ends_sentence(label.text)
            and not any(ch.isdigit() for ch in label.text)  # a time or date under the title stays
            and (_marker_key(label.text) in _SECTIONS or followed_by_copy)
        ):
            label.reason = SECTION_LABEL
    for j in rest:
        if lines[j].live and _key(lines[j].text) in title_keys:
            lines[j].reason = DUPLICATE_TITLE
    return title


def _duplicates(lines: list[_Line]) -> None:
    seen: set[str] = set()
    for ln in lines:
        if not ln.live:
            continue
        k = _key(ln.text)
        if not k:
            continue
        if k in seen:
            ln.reason = DUPLICATE_LINE
        seen.add(k)
