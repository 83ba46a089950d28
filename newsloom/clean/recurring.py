"""Lines that recur across the articles of one outlet: site footers, bylines, slogans.

A line is boilerplate for an outlet when it stands in many of that outlet's articles. But
copies of one wire story, or an article and its translation, share their sentences for a
good reason, so articles that share more than half of their lines with each other are first
collapsed into one (connected components) and counted once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from newsloom.model import RemovedLine

RECURRING_REASON = "recurring-in-outlet"

_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def normalise_line(line: str) -> str:
    """The form lines are compared in: casefolded, whitespace collapsed, every digit a 0."""
    return _DIGIT.sub("0", _SPACE.sub(" ", line.casefold()).strip())


def find_recurring_lines(
    docs: Mapping[str, Sequence[str]],
    min_docs: int = 3,
    min_share: float = 0.3,
    max_chars: int = 300,
) -> set[str]:
    """The normalised lines that recur in the articles of one outlet.

    ``docs`` maps article id → its lines, all from one outlet or scrape folder. A line is
    returned when, after near-duplicate articles are collapsed, it occurs in at least
    ``min_docs`` articles and in at least ``min_share`` of them. Only lines shorter than
    ``max_chars`` qualify: long paragraphs are content even when repeated.
    """
    line_sets = [
        {key for line in lines if (key := normalise_line(line)) and len(key) < max_chars} for lines in docs.values()
    ]
    groups = _near_duplicate_groups(line_sets)
    counts: Counter[str] = Counter()
    for group in groups:
        counts.update(set().union(*(line_sets[i] for i in group)))
    n = len(groups)
    return {line for line, c in counts.items() if c >= min_docs and c >= min_share * n}


def _near_duplicate_groups(line_sets: list[set[str]]) -> list[list[int]]:
    """Connected components of "shares more than half of its lines with the other".

    "More than half of their lines" is read for each of the two, so of the larger one.
    Candidate pairs come from each article's rarest ``len // 2 + 1`` lines: a near duplicate
    shares more than half of the article's lines, so at least one of those. Lines every
    article carries (the footers this module looks for) are never rare, so the pairs stay
    few even for large outlets.
    """
    holders: dict[str, list[int]] = {}
    for i, lines in enumerate(line_sets):
        for line in lines:
            holders.setdefault(line, []).append(i)
    parent = list(range(len(line_sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for i, lines in enumerate(line_sets):
        rarest = sorted(lines, key=lambda line: (len(holders[line]), line))[: len(lines) // 2 + 1]
        for line in rarest:
            for j in holders[line]:
                pair = (min(i, j), max(i, j))
                if i == j or pair in checked:
                    continue
                checked.add(pair)
                a, b = line_sets[i], line_sets[j]
                if 2 * len(a & b) > max(len(a), len(b)):
                    parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(line_sets)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def strip_lines(text: str, lines: set[str] | frozenset[str]) -> tuple[str, list[RemovedLine]]:
    """``text`` without the lines whose normalised form is in ``lines``, and what went."""
    wanted = {normalise_line(line) for line in lines}
    kept: list[str] = []
    removed: list[RemovedLine] = []
    for line in text.split("\n"):
        if line.strip() and normalise_line(line) in wanted:
            removed.append(RemovedLine(line.strip(), RECURRING_REASON))
        else:
            kept.append(line)
    return "\n".join(kept), removed
