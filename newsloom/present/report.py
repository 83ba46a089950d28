"""The shareable report: the whole store as one self-contained HTML file (no server, no network).

It shows the storylines (the same SVG timelines as the web pages), every event (headline,
extractive summary, who/what/where/when, coverage by language and outlet, quotes, entities —
the same digest as the event page, read from its cache when current), and every article.
Inline CSS only, no script, and a Content-Security-Policy meta tag that forbids loading anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from newsloom import __version__
from newsloom.present.digest import EventDigest, get_digest
from newsloom.present.web import views
from newsloom.present.web.catalog import Catalog
from newsloom.present.web.rendering import ReportLinks, make_env, stylesheet
from newsloom.store import Store

_env = make_env()


@dataclass
class ReportEvent:
    brief: views.EventBrief
    digest: EventDigest


@dataclass
class ReportStoryline:
    brief: views.StorylineBrief
    timeline: Markup
    events: list[views.EventBrief]


def report_context(store: Store, *, summaries: str = "coverage") -> dict[str, Any]:
    """What the report shows, as plain data (also what tests inspect).

    ``summaries`` is the method used for events without a current cached digest: ``coverage``
    (fast, the default) or ``embed`` (sentence embeddings; slower).
    """
    articles = list(store.iter_articles())
    languages = Counter(a.lang or "unknown" for a in articles)
    outlets = Counter(a.outlet or "unknown" for a in articles)
    removed = Counter(r.reason for a in articles for r in a.removed)
    dates = sorted(a.published[:10] for a in articles if a.published)
    catalog = Catalog.build(store)
    ctx = views.ViewContext(store, catalog)
    links = ReportLinks({a.id for a in articles})
    embedder = None
    if summaries == "embed":
        from newsloom.enrich.embed import get_embedder

        embedder = get_embedder()
    events: list[ReportEvent] = []
    for meta in sorted(catalog.events.values(), key=lambda m: (m.start is None, m.start, m.id)):
        digest = get_digest(store, meta.event, method=summaries, embedder=embedder, info=catalog.member_info)
        ctx.headlines[meta.id] = digest.headline.text
        events.append(ReportEvent(views.event_brief(ctx, meta, headline=False), digest))
    biggest = views.largest_event(ctx)
    storylines: list[ReportStoryline] = []
    for storyline_id in catalog.storyline_order:
        story = views.storyline_brief(ctx, catalog.storylines[storyline_id])
        timeline = views.storyline_timeline(ctx, story, links.event, max_size=biggest)
        event_briefs = [views.event_brief(ctx, catalog.events[i], headline=False)
                        for i in catalog.storylines[storyline_id].event_ids]
        storylines.append(ReportStoryline(story, timeline, event_briefs))
    standalone = [e.brief for e in events if not e.brief.storyline_id]
    return {
        "version": __version__,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "articles": articles,
        "languages": languages.most_common(),
        "outlets": outlets.most_common(),
        "removed": removed.most_common(),
        "removed_total": sum(removed.values()),
        "date_span": (dates[0], dates[-1]) if dates else None,
        "failures": store.failures(),
        "storylines": storylines,
        "events": events,
        "standalone_events": standalone,
        "links": links,
        "css": Markup(stylesheet()),
    }


def render_report(store: Store, *, summaries: str = "coverage") -> str:
    """The report as an HTML string; every value from the store is escaped."""
    return _env.get_template("report.html.j2").render(**report_context(store, summaries=summaries))


def write_report(store: Store, path: Path | str, *, summaries: str = "coverage") -> Path:
    """Write the report to ``path`` and return it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(store, summaries=summaries), encoding="utf-8")
    return target
