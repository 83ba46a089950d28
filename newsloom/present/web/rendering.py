"""One Jinja environment factory for the web pages and the static report.

Autoescaping is on for every template (and for strings); values from the store only reach the
page through it, through ``markupsafe.escape`` in the SVG and highlighting code, or through
``safe_url``, which lets only http(s) links through.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Protocol
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .timeline import lang_color, legend, swatch


class Links(Protocol):
    """Where a reference to a storyline, event, article or entity points (None: nowhere)."""

    def storyline(self, storyline_id: str) -> str | None: ...

    def event(self, event_id: str) -> str | None: ...

    def article(self, article_id: str) -> str | None: ...

    def entity(self, entity_id: str) -> str | None: ...


def _seg(value: str) -> str:
    return quote(value, safe="")


class WebLinks:
    """Links between the web app's pages."""

    def storyline(self, storyline_id: str) -> str | None:
        return f"/storylines/{_seg(storyline_id)}"

    def event(self, event_id: str) -> str | None:
        return f"/events/{_seg(event_id)}"

    def article(self, article_id: str) -> str | None:
        return f"/articles/{_seg(article_id)}"

    def entity(self, entity_id: str) -> str | None:
        return f"/entities/{_seg(entity_id)}"


class ReportLinks:
    """Anchors inside the one-file report (it has no entity pages)."""

    def __init__(self, article_ids: set[str] | None = None) -> None:
        self._articles = article_ids

    def storyline(self, storyline_id: str) -> str | None:
        return f"#s-{_seg(storyline_id)}"

    def event(self, event_id: str) -> str | None:
        return f"#e-{_seg(event_id)}"

    def article(self, article_id: str) -> str | None:
        if self._articles is not None and article_id not in self._articles:
            return None
        return f"#a-{_seg(article_id)}"

    def entity(self, entity_id: str) -> str | None:
        return None


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no ``javascript:`` links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def things(count: int, word: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles`` (``plural`` for irregular words)."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def date10(value: str | None) -> str:
    return (value or "")[:10]


@lru_cache(maxsize=256)
def lang_name(code: str | None) -> str:
    """The English name of a language code ("ru" → "Russian"), or the code itself."""
    if not code or code == "unknown":
        return "unknown language"
    try:
        from babel import Locale

        name = Locale("en").languages.get(code.split("-")[0])
    except Exception:  # babel missing or an odd code: the code will do
        name = None
    return str(name) if name else code


def query_string(params: dict[str, object], **changes: object) -> str:
    """``?a=1&b=2`` from ``params`` with ``changes`` applied (None and "" dropped)."""
    merged = {**params, **changes}
    pairs = [(k, str(v)) for k, v in merged.items() if v is not None and v != ""]
    return "?" + urlencode(pairs) if pairs else ""


def stylesheet() -> str:
    """The one stylesheet, served by the web app and inlined in the report."""
    return (resources.files("newsloom.present") / "templates" / "newsloom.css").read_text(encoding="utf-8")


def make_env(*extra: BaseLoader) -> Environment:
    """A Jinja environment over ``extra`` loaders and the shared templates, autoescaping everything."""
    env = Environment(
        loader=ChoiceLoader([*extra, PackageLoader("newsloom.present", "templates")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        swatch=swatch,
        lang_color=lang_color,
        lang_name=lang_name,
        safe_url=safe_url,
        date10=date10,
        things=things,
        seg=_seg,
    )
    env.globals.update(legend=legend, query_string=query_string)
    return env


def web_env() -> Environment:
    return make_env(PackageLoader("newsloom.present.web", "templates"))


__all__ = [
    "Links",
    "Markup",
    "ReportLinks",
    "WebLinks",
    "date10",
    "lang_name",
    "make_env",
    "query_string",
    "safe_url",
    "stylesheet",
    "web_env",
]
