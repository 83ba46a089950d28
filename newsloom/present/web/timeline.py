"""Server-side SVG timelines and language colours, shared by the web pages and the report.

A timeline places events on a date axis, sizes each by its coverage (number of articles) and
colours it by language: one pie slice per language, proportional to that language's articles.
Every string that reaches the SVG goes through ``markupsafe.escape``; the output uses only
presentation attributes (no ``style``), so it passes a strict Content-Security-Policy.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from markupsafe import Markup, escape

from newsloom.model import day_of

#: Fixed colours for common languages (a muted, colour-blind-aware palette); others are hashed.
LANG_COLORS: dict[str, str] = {
    "en": "#4e79a7",
    "fr": "#f28e2b",
    "de": "#e15759",
    "es": "#59a14f",
    "it": "#76b7b2",
    "ru": "#b07aa1",
    "uk": "#edc948",
    "ro": "#ff9da7",
    "pl": "#9c755f",
    "el": "#1b9e9e",
    "pt": "#8cd17d",
    "nl": "#d37295",
    "bg": "#a0cbe8",
    "sr": "#86bcb6",
    "tr": "#d4a6c8",
    "ar": "#fabfd2",
    "zh": "#b6992d",
    "ja": "#499894",
    "cs": "#e17c05",
    "hu": "#5f4690",
}
UNKNOWN_COLOR = "#9aa3ad"


def lang_color(lang: str | None) -> str:
    """The colour of a language, the same on every page and in the report."""
    if not lang or lang == "unknown":
        return UNKNOWN_COLOR
    key = lang.lower().split("-")[0]
    if key in LANG_COLORS:
        return LANG_COLORS[key]
    hue = int(hashlib.sha1(key.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.45)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def swatch(lang: str | None, size: int = 10) -> Markup:
    """A small coloured dot for a language (inline SVG, no inline style)."""
    half = size / 2
    return Markup(
        f'<svg class="swatch" width="{size}" height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true">'
        f'<circle cx="{half}" cy="{half}" r="{half}" fill="{lang_color(lang)}"/></svg>'
    )


parse_day = day_of  # the date part of an ISO date or datetime, or None


@dataclass
class TimelineItem:
    """One event on a timeline."""

    id: str
    start: date
    end: date | None
    size: int
    langs: Sequence[tuple[str, int]]
    label: str
    href: str | None = None
    dim: bool = False
    extra: str = ""  # more tooltip text


@dataclass
class TimelineLayout:
    """Where everything went; returned with the SVG so tests can check the geometry."""

    width: int
    height: int
    lanes: int
    positions: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # id → (x, y, r)
    labels: dict[str, tuple[float, float]] = field(default_factory=dict)  # id → (left, right) of its label


LABEL_FONT_PX = 11.5  # .tl-label in newsloom.css
_NARROW = frozenset(" iljtfrI.,:;'!|()[]-")
_WIDE = frozenset("mwMW@%")


def text_width(text: str, font_px: float = LABEL_FONT_PX) -> float:
    """A generous estimate of ``text``'s rendered width in a sans-serif font (SVG has no measure)."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.32
        elif ch in _WIDE:
            ems += 0.9
        elif ord(ch) >= 0x2E80:  # CJK and other full-width characters
            ems += 1.0
        elif ch.isupper():
            ems += 0.72
        elif ch.isascii():
            ems += 0.56
        else:  # Cyrillic, Greek, accented Latin …: a little wider than ASCII
            ems += 0.62
    return ems * font_px


def _fit(text: str, room: float) -> str:
    """``text``, cut with … until its estimated width fits ``room`` ("" when even a stub does not)."""
    if text_width(text) <= room:
        return text
    while len(text) > 4:
        text = text[:-1]
        cut = text.rstrip() + "…"
        if text_width(cut) <= room:
            return cut
    return ""


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ticks(first: date, last: date, max_ticks: int) -> list[tuple[date, str]]:
    span = (last - first).days
    ticks: list[tuple[date, str]] = []
    if span <= 16:
        step = max(1, math.ceil(span / max_ticks))
        day = first
        while day <= last:
            ticks.append((day, day.isoformat()))
            day += timedelta(days=step)
    elif span <= 120:
        day = first + timedelta(days=(7 - first.weekday()) % 7)  # Mondays
        step = max(1, math.ceil(span / 7 / max_ticks))
        while day <= last:
            ticks.append((day, day.isoformat()))
            day += timedelta(days=7 * step)
    elif span <= 365 * 4:
        months = (last.year - first.year) * 12 + last.month - first.month
        step = max(1, math.ceil(months / max_ticks))
        year, month = first.year, first.month + 1
        index = 0
        while True:
            if month > 12:
                year, month = year + 1, month - 12
            day = date(year, month, 1)
            if day > last:
                break
            if index % step == 0:
                ticks.append((day, f"{year:04d}-{month:02d}"))
            index += 1
            month += 1
    else:
        step = max(1, math.ceil((last.year - first.year) / max_ticks))
        for year in range(first.year + 1, last.year + 1, step):
            ticks.append((date(year, 1, 1), f"{year:04d}"))
    return ticks


def _pie(cx: float, cy: float, r: float, langs: Sequence[tuple[str, int]]) -> str:
    total = sum(n for _, n in langs if n > 0)
    shares = [(lang, n) for lang, n in langs if n > 0]
    if total <= 0 or len(shares) <= 1:
        lang = shares[0][0] if shares else None
        return f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="{lang_color(lang)}"/>'
    parts: list[str] = []
    angle = -math.pi / 2
    for lang, n in shares:
        sweep = 2 * math.pi * n / total
        x0, y0 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x1, y1 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
        large = 1 if sweep > math.pi else 0
        parts.append(
            f'<path d="M{_fmt(cx)} {_fmt(cy)}L{_fmt(x0)} {_fmt(y0)}A{_fmt(r)} {_fmt(r)} 0 {large} 1 '
            f'{_fmt(x1)} {_fmt(y1)}Z" fill="{lang_color(lang)}"/>'
        )
        angle += sweep
    return "".join(parts)


def timeline_svg(
    items: Sequence[TimelineItem],
    *,
    width: int = 960,
    max_size: int | None = None,
    compact: bool = False,
    title: str = "",
    domain: tuple[date, date] | None = None,
    labels: bool | None = None,
    label_top: int | None = None,
) -> tuple[Markup, TimelineLayout]:
    """An SVG timeline of ``items``; ``max_size`` fixes the size scale across several timelines.

    With ``labels`` (the default for full-size timelines) each event carries its label, beside
    the dot, truncated; events are stacked in lanes so that dots and labels do not overlap.
    """
    labels = (not compact or bool(label_top)) if labels is None else labels
    r_min, r_max = (3.0, 12.0) if compact else (4.0, 20.0)
    lane_h = 2 * r_max + 4
    max_chars = 30 if compact else 38
    ranked = sorted(items, key=lambda i: (-i.size, i.start, i.id))
    labelled = {i.id for i in (ranked[:label_top] if label_top else ranked)} if labels else set()
    margin_x, top, axis_h = r_max + 6, 6.0, 26.0
    if not items:
        height = int(top + lane_h + axis_h)
        empty = (
            f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-label="empty timeline">'
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="tl-empty">no dated events</text></svg>'
        )
        return Markup(empty), TimelineLayout(width, height, 0)
    first = domain[0] if domain else min(i.start for i in items)
    last = domain[1] if domain else max(i.end or i.start for i in items)
    span_days = (last - first).days
    pad = max(1, round(span_days * 0.03)) if span_days else 3
    first, last = first - timedelta(days=pad), last + timedelta(days=pad)
    total_days = max(1, (last - first).days)
    biggest = max_size or max(i.size for i in items) or 1

    def x_of(day: date) -> float:
        return margin_x + (width - 2 * margin_x) * (day - first).days / total_days

    def r_of(size: int) -> float:
        return r_min + (r_max - r_min) * math.sqrt(min(size, biggest) / biggest)

    max_lanes = (4 if labels else 3) if compact else (8 if labels else 6)
    lane_ends: list[float] = []
    placed: list[tuple[TimelineItem, float, float, int, str, float, str]] = []
    for item in sorted(items, key=lambda i: (i.start, -i.size, i.id)):
        x, r = x_of(item.start), r_of(item.size)
        left, right = x - r, max(x + r, x_of(item.end) if item.end else x)
        text, label_x, anchor = "", 0.0, "start"
        if item.id in labelled and item.label:
            text = item.label if len(item.label) <= max_chars else item.label[: max_chars - 1].rstrip() + "…"
            # Labels stay inside the viewBox: after the dot (and its duration bar) when there is
            # room, else before it, else on the roomier side, shortened to fit.
            room_right, room_left = width - 4 - (right + 4), x - r - 4 - 4
            if text_width(text) > room_right and (text_width(text) <= room_left or room_left > room_right):
                text = _fit(text, room_left)
                label_x, anchor = x - r - 4, "end"
                left = label_x - text_width(text) if text else left
            else:
                text = _fit(text, room_right)
                label_x, anchor = right + 4, "start"
                right = label_x + text_width(text) if text else right
        lane = next((n for n, end in enumerate(lane_ends) if end + 6 <= left), None)
        if lane is None and text and len(lane_ends) >= max_lanes:  # no room for the label: the dot alone
            text, left, right = "", x - r, max(x + r, x_of(item.end) if item.end else x)
            lane = next((n for n, end in enumerate(lane_ends) if end + 2 <= left), None)
        if lane is None:
            if len(lane_ends) < max_lanes + (0 if text or compact else 4):
                lane_ends.append(-1e9)
                lane = len(lane_ends) - 1
            else:
                lane = min(range(len(lane_ends)), key=lambda n: lane_ends[n])
        lane_ends[lane] = max(lane_ends[lane], right)
        placed.append((item, x, r, lane, text, label_x, anchor))
    lanes = len(lane_ends)
    height = int(top + lanes * lane_h + axis_h)
    axis_y = top + lanes * lane_h + 4
    layout = TimelineLayout(width, height, lanes)
    label = title or f"Timeline of {len(items)} events, {first + timedelta(days=pad)} to {last - timedelta(days=pad)}"
    out: list[str] = [
        f'<svg class="timeline{" compact" if compact else ""}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{escape(label)}">',
        f'<line class="tl-axis" x1="{_fmt(margin_x)}" y1="{_fmt(axis_y)}" x2="{_fmt(width - margin_x)}" '
        f'y2="{_fmt(axis_y)}" stroke="#b8c0ca" stroke-width="1"/>',
    ]
    min_label_gap = 70.0
    last_label_x = -1e9
    for day, text in _ticks(first, last, 6 if compact else 9):
        x = x_of(day)
        out.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(top)}" x2="{_fmt(x)}" y2="{_fmt(axis_y + 4)}" '
            f'stroke="#e3e8ee" stroke-width="1"/>'
        )
        if x - last_label_x >= min_label_gap and x + 30 <= width:
            out.append(
                f'<text class="tl-tick" x="{_fmt(x)}" y="{_fmt(axis_y + 17)}" text-anchor="middle">'
                f"{escape(text)}</text>"
            )
            last_label_x = x
    for item, x, r, lane, text, label_x, anchor in placed:
        cy = top + lane * lane_h + lane_h / 2
        layout.positions[item.id] = (x, cy, r)
        total = sum(n for _, n in item.langs)
        langs = ", ".join(f"{lang} {n}" for lang, n in item.langs)
        dates = item.start.isoformat() + (f" – {item.end.isoformat()}" if item.end and item.end != item.start else "")
        tip = f"{dates} · {item.label} · {total or item.size} articles ({langs})" + (
            f" · {item.extra}" if item.extra else ""
        )
        group = [f'<g class="tl-event{" dim" if item.dim else ""}" data-event="{escape(item.id)}">']
        if item.href:
            group.append(f'<a href="{escape(item.href)}">')
        group.append(f"<title>{escape(tip)}</title>")
        if item.end and item.end > item.start:
            group.append(
                f'<line x1="{_fmt(x)}" y1="{_fmt(cy)}" x2="{_fmt(x_of(item.end))}" y2="{_fmt(cy)}" '
                f'stroke="#9aa3ad" stroke-width="2" stroke-linecap="round"/>'
            )
        group.append(_pie(x, cy, r, item.langs or [("unknown", item.size)]))
        group.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="none" stroke="#ffffff" stroke-width="1"/>'
        )
        if text:
            extent = text_width(text)
            layout.labels[item.id] = (label_x - extent, label_x) if anchor == "end" else (label_x, label_x + extent)
            group.append(
                f'<text class="tl-label" x="{_fmt(label_x)}" y="{_fmt(cy + 4)}" text-anchor="{anchor}">'
                f"{escape(text)}</text>"
            )
        if item.href:
            group.append("</a>")
        group.append("</g>")
        out.append("".join(group))
    out.append("</svg>")
    return Markup("".join(out)), layout


def legend(langs: Sequence[str]) -> Markup:
    """A row of language swatches with their codes."""
    parts = [
        f'<span class="legend-item">{swatch(lang)} {escape(lang)}</span>' for lang in langs
    ]
    return Markup('<span class="legend">' + "".join(parts) + "</span>")
