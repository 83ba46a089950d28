"""The one options object of the extract & clean stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanOptions:
    """Knobs of extraction and line cleaning; the defaults are what the seeds were tuned on.

    ``recurring`` holds the lines :func:`newsloom.clean.recurring.find_recurring_lines`
    found for the item's outlet (normalised or raw, either works); :func:`extract` strips
    them with reason ``recurring-in-outlet``.
    """

    keep_captions: bool = False  # keep the caption above a photo credit ("caption" otherwise)
    min_line_chars: int = 2  # a line with fewer letters/digits goes ("no-text")
    min_text_chars: int = 20  # less cleaned text than this (CJK weighted, see text_length): "no article text found"
    max_headline_chars: int = 200  # a title / teaser headline line is at most this long
    max_blurb_chars: int = 600  # a teaser blurb is one paragraph at most this long
    max_title_chars: int = 120  # a title derived from the first sentence is cut here, on a word
    html_fallback_chars: int = 200  # shorter HTML extraction than this: try the next extractor
    recurring: frozenset[str] = frozenset()
