"""The SVG timeline and language colours shared by the pages and the report."""

from __future__ import annotations

import re
from datetime import date

from newsloom.present.web.timeline import LANG_COLORS, TimelineItem, lang_color, legend, swatch, timeline_svg


def item(i: str, day: str, size: int = 3, langs: list[tuple[str, int]] | None = None, **kw: object) -> TimelineItem:
    return TimelineItem(i, date.fromisoformat(day), None, size, langs or [("en", size)], f"event {i}",
                        f"/events/{i}", **kw)  # type: ignore[arg-type]


def test_language_colours_are_stable_and_distinct() -> None:
    assert lang_color("en") == LANG_COLORS["en"] == lang_color("en-GB")
    assert lang_color("xx") == lang_color("xx")
    assert re.fullmatch(r"#[0-9a-f]{6}", lang_color("xx"))
    assert len({lang_color(code) for code in LANG_COLORS}) == len(LANG_COLORS)
    assert lang_color(None) == lang_color("unknown")
    assert 'fill="#4e79a7"' in str(swatch("en"))
    assert "ru" in str(legend(["ru"]))


def test_sizes_follow_coverage_and_colours_follow_languages() -> None:
    svg, layout = timeline_svg([
        item("a", "2024-06-10", 1),
        item("b", "2024-06-20", 16, [("en", 8), ("ru", 8)]),
    ])
    assert layout.positions["b"][2] > layout.positions["a"][2]
    assert layout.positions["a"][0] < layout.positions["b"][0]
    text = str(svg)
    assert text.count("<path") == 2  # two pie slices for the bilingual event
    assert lang_color("ru") in text and 'href="/events/b"' in text


def test_labels_and_titles_are_escaped() -> None:
    svg, _ = timeline_svg([TimelineItem("x<", date(2024, 1, 1), None, 2, [("en", 2)], "<script>alert(1)</script>",
                                        '/events/x"><script>')])
    text = str(svg)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'href="/events/x&#34;&gt;&lt;script&gt;"' in text


def test_overlapping_events_go_to_separate_lanes() -> None:
    items = [item(str(n), "2024-06-10") for n in range(3)] + [item("late", "2025-06-10")]
    _, layout = timeline_svg(items)
    ys = {layout.positions[str(n)][1] for n in range(3)}
    assert len(ys) == 3 and layout.lanes == 3


def test_ticks_are_iso_dates() -> None:
    svg, _ = timeline_svg([item("a", "2024-01-10"), item("b", "2024-09-10")])
    ticks = re.findall(r'class="tl-tick"[^>]*>([^<]+)<', str(svg))
    assert ticks and all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", t) for t in ticks)
    short, _ = timeline_svg([item("a", "2024-06-10"), item("b", "2024-06-12")])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t) for t in re.findall(r'class="tl-tick"[^>]*>([^<]+)<', str(short)))


def test_empty_and_dimmed() -> None:
    svg, layout = timeline_svg([])
    assert "no dated events" in str(svg) and layout.lanes == 0
    dimmed, _ = timeline_svg([item("a", "2024-06-10", dim=True)])
    assert 'class="tl-event dim"' in str(dimmed)
    assert "style=" not in str(dimmed)  # nothing the Content-Security-Policy would block


def test_labels_stay_inside_the_svg_at_both_ends() -> None:
    """Events at the first and last day carry long labels (Latin, Greek, Cyrillic): none is clipped."""
    long_labels = {
        "first": "Καύσωνας κλείνει την Ακρόπολη για τους επισκέπτες",
        "first-b": "WIDE MMMM WWWW LABEL AT THE START OF THE AXIS",
        "last": "Переговоры о зерновом коридоре возобновились в Стамбуле",
        "last-b": "Ministrul a anunțat măsuri noi pentru fermieri",
        "middle": "A label in the middle of the timeline",
    }
    days = {"first": "2024-01-01", "first-b": "2024-01-02", "last": "2024-12-31", "last-b": "2024-12-30",
            "middle": "2024-06-15"}
    items = [TimelineItem(i, date.fromisoformat(days[i]), None, 5, [("el", 5)], label, f"/events/{i}")
             for i, label in long_labels.items()]
    # an event that starts on the first day and lasts almost to the end: no room after its bar
    items.append(TimelineItem("long", date(2024, 1, 1), date(2024, 12, 20), 2, [("ru", 2)],
                              "Длинная история с начала года до декабря", "/events/long"))
    for width, compact in ((960, False), (640, False), (420, True), (320, True)):
        svg, layout = timeline_svg(items, width=width, compact=compact, labels=True)
        assert layout.labels and ({"first", "last"} <= set(layout.labels) or compact), (width, layout.labels)
        for event_id, (left, right) in layout.labels.items():
            assert 0 <= left < right <= width, (width, event_id, left, right)
        for x, anchor, text in re.findall(r'class="tl-label" x="([\d.-]+)" y="[\d.]+" text-anchor="(\w+)">([^<]*)<',
                                          str(svg)):
            assert 0 <= float(x) <= width, (width, text)
            assert anchor in {"start", "end"}
        # the first event's label is after its dot, the last one's before it
        if "last" in layout.labels:
            assert layout.labels["first"][0] > layout.positions["first"][0]
            assert layout.labels["last"][1] < layout.positions["last"][0]
