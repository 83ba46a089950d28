"""The shareable report: the whole store as one self-contained HTML file (no server, no network)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from newsloom import __version__
from newsloom.store import Store

_env = Environment(
    loader=PackageLoader("newsloom.present", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def report_context(store: Store) -> dict[str, Any]:
    """What the report shows, as plain data (also what tests inspect)."""
    articles = list(store.iter_articles())
    languages = Counter(a.lang or "unknown" for a in articles)
    outlets = Counter(a.outlet or "unknown" for a in articles)
    removed = Counter(r.reason for a in articles for r in a.removed)
    dates = sorted(a.published[:10] for a in articles if a.published)
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
    }


def render_report(store: Store) -> str:
    """The report as an HTML string; every value from the store is escaped."""
    return _env.get_template("report.html.j2").render(**report_context(store))


def write_report(store: Store, path: Path | str) -> Path:
    """Write the report to ``path`` and return it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(store), encoding="utf-8")
    return target
