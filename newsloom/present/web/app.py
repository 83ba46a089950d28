"""The web app: server-rendered pages and a JSON API under ``/api`` over one store.

``create_app(WebConfig(db=...))`` builds it; ``newsloom serve`` runs it with uvicorn.

Security, from the start, because scraped content is hostile:

- every template autoescapes; SVG and highlighted text are built with ``markupsafe.escape``;
  links to articles' own URLs only when they are http(s);
- a strict Content-Security-Policy (scripts, styles and images from this origin only, no
  inline script or style), ``nosniff``, ``frame-ancestors 'none'``, no referrer;
- the write endpoint (ingest) needs ``Authorization: Bearer TOKEN`` unless the server is bound
  to a loopback address; cross-site browser requests to it are refused (CSRF), and when bound
  to loopback only loopback ``Host`` headers are served (DNS rebinding);
- request bodies are capped (``max_upload_bytes``, default 50 MB → 413);
- uploads go to a fresh temp folder under server-chosen names; static files are served from
  memory by name; no path from a request reaches the file system.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from newsloom import __version__

from . import views
from .catalog import CatalogHolder, Filters, StoreProvider
from .ingest import BadInput, IngestJob, IngestManager, Runner, TooLarge, check_urls, save_uploads
from .rendering import WebLinks, stylesheet, web_env
from .worker import DigestWorker

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class WebConfig:
    """How the server runs."""

    db: str = "newsloom.db"
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    summaries: Literal["embed", "coverage"] = "embed"
    refresh_seconds: float = 10.0
    warm: bool = True  # compute every event's digest in the background, so lists show its headline
    allowed_hosts: list[str] | None = None  # None: loopback names when bound to loopback, else any

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def hosts(self) -> set[str] | None:
        if self.allowed_hosts is not None:
            return {h.lower() for h in self.allowed_hosts}
        if self.loopback:
            return {*LOOPBACK_NAMES, self.host.strip("[]").lower()}
        return None

    @property
    def writable(self) -> bool:
        return self.loopback or bool(self.token)


# -- middleware ------------------------------------------------------------------------


class _BodyTooLarge(Exception):
    pass


def _error_body(status: int, detail: str) -> bytes:
    return json.dumps({"detail": detail, "status": status}).encode()


class SecurityMiddleware:
    """Host check, body size cap and security headers, as plain ASGI (cheap on every request)."""

    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app = app
        self.config = config

    async def _plain(self, send: Send, status: int, detail: str) -> None:
        body = _error_body(status, detail)
        await send({
            "type": "http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        *SECURITY_HEADERS],
        })
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        allowed = self.config.hosts
        if allowed is not None:
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]", 1)[0]
            if name.lower() not in allowed:
                await self._plain(send, 400, "unknown Host header")
                return
        limit = self.config.max_upload_bytes
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                await self._plain(send, 400, "bad Content-Length")
                return
            if too_big:
                await self._plain(send, 413, f"request body larger than {limit} bytes")
                return
        state = {"received": 0, "exceeded": False, "started": False}

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    raise _BodyTooLarge()
            return message

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state["exceeded"]:
                    state["started"] = True
                    await self._plain(send, 413, f"request body larger than {limit} bytes")
                    return
                state["started"] = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif message["type"] == "http.response.body" and state["exceeded"]:
                return
            await send(message)

        try:
            await self.app(scope, counted_receive, secured_send)
        except _BodyTooLarge:
            if not state["started"]:
                await self._plain(send, 413, f"request body larger than {limit} bytes")
        except Exception:
            log.exception("unhandled error on %s", scope.get("path"))
            if not state["started"]:
                await self._plain(send, 500, "internal error")


# -- application state -----------------------------------------------------------------


@dataclass
class ServerStatus:
    version: str
    articles: int
    events: int
    storylines: int
    catalog_built_at: str
    catalog_build_ms: float
    digests_warmed: int
    digests_embedded: int
    digests_pending: int
    embedding_summaries: str  # "on", or why not
    ingest_running: int
    writable: bool


@dataclass
class AppState:
    config: WebConfig
    provider: StoreProvider
    catalog: CatalogHolder
    ingest: IngestManager
    worker: DigestWorker
    headlines: dict[str, str]
    static: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    facets_cache: dict[int, views.Facets] = field(default_factory=dict)

    def context(self) -> views.ViewContext:
        return views.ViewContext(
            self.provider.get(), self.catalog.get(), on_digest=self.worker.seen, headlines=self.headlines
        )

    def facets(self, ctx: views.ViewContext) -> views.Facets:
        key = id(ctx.catalog)
        found = self.facets_cache.get(key)
        if found is None:
            found = views.facets(ctx)
            self.facets_cache.clear()
            self.facets_cache[key] = found
        return found


def _load_static() -> dict[str, tuple[bytes, str]]:
    web = resources.files("newsloom.present.web") / "static"
    return {
        "newsloom.css": (stylesheet().encode("utf-8"), "text/css; charset=utf-8"),
        "app.js": ((web / "app.js").read_bytes(), "text/javascript; charset=utf-8"),
        "favicon.svg": ((web / "favicon.svg").read_bytes(), "image/svg+xml"),
    }


# -- parameters ------------------------------------------------------------------------


def _day(value: str | None, name: str) -> str | None:
    """An ISO date from a query parameter ("" is no date); anything else is a 422."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise RequestValidationError([{
        "type": "value_error", "loc": ["query", name], "msg": f"{name} must be a date as YYYY-MM-DD",
    }])


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@dataclass
class FilterParams:
    since: str | None
    until: str | None
    lang: str | None
    outlet: str | None
    entity: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "lang": self.lang, "outlet": self.outlet,
                "entity": self.entity}


def filter_params(
    since: Annotated[str | None, Query(description="Published on or after (YYYY-MM-DD)", max_length=32)] = None,
    until: Annotated[str | None, Query(description="Published on or before (YYYY-MM-DD)", max_length=32)] = None,
    lang: Annotated[str | None, Query(description="Language code, e.g. en, ru", max_length=20)] = None,
    outlet: Annotated[str | None, Query(description="Outlet name", max_length=300)] = None,
    entity: Annotated[str | None, Query(description="Entity id (or a name to look up)", max_length=300)] = None,
) -> FilterParams:
    return FilterParams(_day(since, "since"), _day(until, "until"), _opt(lang), _opt(outlet), _opt(entity))


Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="How many to skip")]
Sort = Annotated[Literal["recent", "largest", "oldest"], Query(description="Order")]


def _entity_name(ctx: views.ViewContext, entity_id: str | None) -> str | None:
    found = ctx.entity(entity_id) if entity_id else None
    return found.name if found else None


def _filters(ctx: views.ViewContext, params: FilterParams) -> Filters:
    try:
        entity = views.resolve_entity(ctx.store, params.entity)
    except views.NotFound as exc:
        raise HTTPException(422, str(exc)) from exc
    return Filters(params.since, params.until, params.lang, params.outlet, entity)


# -- the app ---------------------------------------------------------------------------


INGEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                  "description": "Files in any format the pipeline reads"},
                        "urls": {"type": "string", "description": "Article or feed URLs, one a line"},
                        "feed": {"type": "string", "description": "One feed URL"},
                    },
                }
            }
        },
    }
}


def create_app(config: WebConfig, *, runner: Runner | None = None) -> FastAPI:
    """The FastAPI application over the store at ``config.db``."""
    provider = StoreProvider(config.db)
    holder = CatalogHolder(provider, refresh_seconds=config.refresh_seconds)
    headlines: dict[str, str] = {}
    worker = DigestWorker(provider, holder, headlines, embed=config.summaries == "embed")
    if config.warm:
        holder.on_change = lambda catalog: log.info("warming %d digests", worker.warm(catalog.events))

    def refreshed() -> None:
        holder.refresh(provider.get())

    manager = IngestManager(config.db, runner=runner, on_done=refreshed)
    state = AppState(config, provider, holder, manager, worker, headlines, _load_static())
    env = web_env()
    links = WebLinks()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        await run_in_threadpool(holder.get)
        yield

        def shutdown() -> None:  # background threads first: never close a connection in use
            holder.stop()
            manager.shutdown()
            worker.stop()
            provider.close_all()

        await run_in_threadpool(shutdown)

    app = FastAPI(
        title="newsloom",
        version=__version__,
        description="Events, storylines, who said what and how outlets cover them, over one newsloom store.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.newsloom = state
    app.add_middleware(SecurityMiddleware, config=config)

    # -- rendering and errors ----------------------------------------------------------
    def page(template: str, *, status: int = 200, active: str = "", **values: Any) -> HTMLResponse:
        html = env.get_template(template).render(
            version=__version__, links=links, active=active, title=values.pop("title", "newsloom"), **values
        )
        return HTMLResponse(html, status_code=status)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api")

    def error(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": detail, "status": status}, status_code=status, headers=headers)
        headings = {400: "Bad request", 401: "Unauthorised", 403: "Forbidden", 404: "Not found",
                    413: "Too large", 422: "Invalid parameters", 500: "Error"}
        message = detail if isinstance(detail, str) else "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg', '')}" for e in detail
        ) if isinstance(detail, list) else str(detail)
        return page("error.html.j2", status=status, title=headings.get(status, "Error"), code=status,
                    heading=headings.get(status, "Error"), message=message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
        return error(request, 422, jsonable_encoder(errors))

    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, exc: views.NotFound) -> Response:
        return error(request, 404, str(exc))

    # -- static ------------------------------------------------------------------------
    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        found = state.static.get(name)
        if found is None:
            raise HTTPException(404, "no such file")
        return Response(found[0], media_type=found[1], headers={"cache-control": "public, max-age=3600"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        body, media = state.static["favicon.svg"]
        return Response(body, media_type=media)

    # -- pages -------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        params: Annotated[FilterParams, Depends(filter_params)],
        sort: Sort = "recent", limit: Limit = 20, offset: Offset = 0,
    ) -> HTMLResponse:
        ctx = state.context()
        filters = _filters(ctx, params)
        listing = views.storylines(ctx, filters, sort=sort, limit=limit, offset=offset)
        biggest = views.largest_event(ctx)
        timelines = {
            s.id: views.storyline_timeline(ctx, s, links.event, compact=True, max_size=biggest, label_top=4)
            for s in listing.items
        }
        entity_name = _entity_name(ctx, filters.entity)
        return page("storylines.html.j2", active="storylines", title="Storylines", page=listing,
                    facets=state.facets(ctx), timelines=timelines, params={**params.as_dict(), "sort": sort},
                    sorts=views.SORTS, filtered=filters.active(), entity_name=entity_name)

    @app.get("/storylines/{storyline_id:path}", response_class=HTMLResponse, include_in_schema=False,
             response_model=None)
    def storyline_page(storyline_id: str, params: Annotated[FilterParams, Depends(filter_params)]) -> Response:
        ctx = state.context()
        detail = views.storyline_detail(ctx, storyline_id, _filters(ctx, params))
        if detail.storyline.id != storyline_id:
            return RedirectResponse(links.storyline(detail.storyline.id) or "/", status_code=307)
        labels = {e.id: e.headline for e in detail.events}
        timeline = views.storyline_timeline(ctx, detail.storyline, links.event, labels=labels)
        return page("storyline.html.j2", active="storylines", title=detail.storyline.label, detail=detail,
                    timeline=timeline)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(
        params: Annotated[FilterParams, Depends(filter_params)],
        sort: Sort = "recent", limit: Limit = 20, offset: Offset = 0,
    ) -> HTMLResponse:
        ctx = state.context()
        filters = _filters(ctx, params)
        listing = views.events(ctx, filters, sort=sort, limit=limit, offset=offset)
        labels = {
            s: views.storyline_brief(ctx, ctx.catalog.storylines[s]).label
            for s in {e.storyline_id for e in listing.items if e.storyline_id}
            if s in ctx.catalog.storylines
        }
        return page("events.html.j2", active="events", title="Events", page=listing, facets=state.facets(ctx),
                    params={**params.as_dict(), "sort": sort}, sorts=views.SORTS, filtered=filters.active(),
                    storyline_labels=labels, entity_name=None)

    @app.get("/events/{event_id:path}", response_class=HTMLResponse, include_in_schema=False, response_model=None)
    def event_page(event_id: str) -> Response:
        ctx = state.context()
        detail = views.event_detail(ctx, event_id)
        if detail.event.id != event_id:
            return RedirectResponse(links.event(detail.event.id) or "/", status_code=307)
        timeline: Markup | None = None
        if detail.storyline is not None:
            brief = detail.storyline
            brief.matching_events = [detail.event.id]
            timeline = views.storyline_timeline(ctx, brief, links.event, compact=True, width=420)
        pending = state.worker.pending(detail.event.id)
        return page("event.html.j2", active="events", title=detail.digest.headline.text, detail=detail,
                    timeline=timeline, pending=pending)

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(
        params: Annotated[FilterParams, Depends(filter_params)], limit: Limit = 50, offset: Offset = 0,
    ) -> HTMLResponse:
        ctx = state.context()
        filters = _filters(ctx, params)
        listing = views.articles(ctx, filters, limit=limit, offset=offset)
        entity_name = _entity_name(ctx, filters.entity)
        return page("articles.html.j2", active="articles", title="Articles", page=listing, facets=state.facets(ctx),
                    params=params.as_dict(), filtered=filters.active(), entity_name=entity_name)

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        ctx = state.context()
        detail = views.article_detail(ctx, article_id)
        paragraphs = views.highlight_paragraphs(detail.paragraphs, detail.entities, links.entity)
        return page("article.html.j2", active="articles", title=detail.article.title or detail.article.id,
                    detail=detail, paragraphs=paragraphs)

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(
        q: Annotated[str | None, Query(max_length=200)] = None,
        type: Annotated[str | None, Query(max_length=10)] = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> HTMLResponse:
        ctx = state.context()
        listing = views.entities(ctx, query=_opt(q), type=_opt(type), limit=limit, offset=offset)
        return page("entities.html.j2", active="entities", title="Entities", page=listing,
                    params={"q": q, "type": type})

    @app.get("/entities/{entity_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str) -> HTMLResponse:
        ctx = state.context()
        detail = views.entity_detail(ctx, entity_id)
        timeline = views.entity_timeline(ctx, detail, links.event)
        return page("entity.html.j2", active="entities", title=detail.entity.name, detail=detail, timeline=timeline)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        params: Annotated[FilterParams, Depends(filter_params)],
        q: Annotated[str | None, Query(max_length=500)] = None, limit: Limit = 20, offset: Offset = 0,
    ) -> HTMLResponse:
        ctx = state.context()
        filters = _filters(ctx, params)
        results = views.search(ctx, q.strip(), filters, limit=limit, offset=offset) if q and q.strip() else None
        entity_name = _entity_name(ctx, filters.entity)
        return page("search.html.j2", active="search", title=f"Search: {q}" if q else "Search", results=results,
                    facets=state.facets(ctx), params={**params.as_dict(), "q": q}, q=q, entity_name=entity_name)

    @app.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
    def ingest_page() -> HTMLResponse:
        return page("ingest.html.j2", active="ingest", title="Ingest", jobs=manager.recent(),
                    max_upload_mb=round(config.max_upload_bytes / 1024 / 1024, 1),
                    token_required=bool(config.token) and not config.loopback, writable=config.writable)

    @app.post("/ingest", include_in_schema=False)
    async def ingest_form(request: Request) -> Response:
        form = await request.form(max_files=200, max_fields=20)
        try:
            token = form.get("token")
            authorize_write(request, config, token if isinstance(token, str) and token else None)
            job = await accept_ingest(form)
        finally:
            await form.close()
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)

    @app.get("/ingest/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(job_id: str) -> HTMLResponse:
        job = manager.get(job_id)
        if job is None:
            raise HTTPException(404, f"no ingest job {job_id!r}")
        return page("job.html.j2", active="ingest", title=f"Ingest {job.id}", job=job)

    # -- API ---------------------------------------------------------------------------
    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        spec = app.openapi()
        return page("apidocs.html.j2", active="api", title="API", spec=spec, operations=_operations(spec))

    @app.get("/api/storylines", tags=["storylines"], summary="Storylines with their counts, filtered and paged")
    def api_storylines(
        params: Annotated[FilterParams, Depends(filter_params)],
        sort: Sort = "recent", limit: Limit = 20, offset: Offset = 0,
    ) -> views.StorylineList:
        ctx = state.context()
        return views.storylines(ctx, _filters(ctx, params), sort=sort, limit=limit, offset=offset)

    @app.get("/api/storylines/{storyline_id:path}", tags=["storylines"],
             summary="One storyline and its events in date order",
             description="The id of a storyline whose events all went to another resolves to that one "
                         "(see requested_id).",
             responses={404: {"description": "Unknown id"}})
    def api_storyline(
        storyline_id: str, params: Annotated[FilterParams, Depends(filter_params)]
    ) -> views.StorylineDetail:
        ctx = state.context()
        return views.storyline_detail(ctx, storyline_id, _filters(ctx, params))

    @app.get("/api/events", tags=["events"], summary="Events, filtered and paged")
    def api_events(
        params: Annotated[FilterParams, Depends(filter_params)],
        storyline: Annotated[str | None, Query(max_length=300, description="Only this storyline's events")] = None,
        sort: Sort = "recent", limit: Limit = 20, offset: Offset = 0,
    ) -> views.EventList:
        ctx = state.context()
        live_storyline = views.resolve_storyline(ctx, storyline) if storyline else None
        if storyline and live_storyline is None:
            raise HTTPException(404, f"no storyline {storyline!r}")
        return views.events(ctx, _filters(ctx, params), storyline_id=live_storyline, sort=sort, limit=limit,
                            offset=offset)

    @app.get("/api/events/{event_id:path}", tags=["events"],
             summary="One event: headline, summary, who/what/where/when, coverage, quotes, entities",
             description="The id of an event merged into another resolves to that one (see requested_id).",
             responses={404: {"description": "Unknown id"}})
    def api_event(event_id: str) -> views.EventDetail:
        return views.event_detail(state.context(), event_id)

    @app.get("/api/articles", tags=["articles"], summary="Articles, oldest first, filtered and paged")
    def api_articles(
        params: Annotated[FilterParams, Depends(filter_params)], limit: Limit = 50, offset: Offset = 0,
    ) -> views.ArticleList:
        ctx = state.context()
        return views.articles(ctx, _filters(ctx, params), limit=limit, offset=offset)

    @app.get("/api/articles/{article_id:path}", tags=["articles"],
             summary="One article: cleaned text, removed lines, entities, quotes, its event and storyline",
             responses={404: {"description": "Unknown id"}})
    def api_article(article_id: str) -> views.ArticleDetail:
        return views.article_detail(state.context(), article_id)

    @app.get("/api/entities", tags=["entities"], summary="Entities by how many articles name them")
    def api_entities(
        q: Annotated[str | None, Query(max_length=200, description="Part of a name or alias")] = None,
        type: Annotated[Literal["PER", "ORG", "LOC", "MISC"] | None, Query(description="Entity type")] = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> views.EntityList:
        return views.entities(state.context(), query=_opt(q), type=type, limit=limit, offset=offset)

    @app.get("/api/entities/{entity_id:path}", tags=["entities"],
             summary="One entity: aliases across languages, its events and storylines over time",
             responses={404: {"description": "Unknown id"}})
    def api_entity(entity_id: str) -> views.EntityDetail:
        return views.entity_detail(state.context(), entity_id)

    @app.get("/api/search", tags=["search"],
             summary="Full-text search across languages (accent- and case-insensitive)",
             description="Snippets come as plain text with hit offsets, and as escaped HTML with <mark>. "
             f"The total is exact up to {views.SEARCH_CAP} hits (total_capped says when there are more).")
    def api_search(
        q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find")],
        params: Annotated[FilterParams, Depends(filter_params)], limit: Limit = 20, offset: Offset = 0,
    ) -> views.SearchResults:
        ctx = state.context()
        return views.search(ctx, q, _filters(ctx, params), limit=limit, offset=offset)

    @app.get("/api/facets", tags=["search"], summary="Counts for the filters: languages, outlets, top entities")
    def api_facets() -> views.Facets:
        ctx = state.context()
        return state.facets(ctx)

    @app.get("/api/status", tags=["status"], summary="The server: catalog snapshot, background digests, ingest")
    def api_status() -> ServerStatus:
        catalog = holder.get()
        return ServerStatus(
            version=__version__,
            articles=len(catalog.articles),
            events=len(catalog.events),
            storylines=len(catalog.storylines),
            catalog_built_at=datetime.fromtimestamp(catalog.built_at, UTC).replace(microsecond=0).isoformat(),
            catalog_build_ms=catalog.build_ms,
            digests_warmed=worker.warmed,
            digests_embedded=worker.embedded,
            digests_pending=worker.pending_count(),
            embedding_summaries=worker.disabled_reason or "on",
            ingest_running=sum(1 for j in manager.recent(100) if j.state in ("queued", "running")),
            writable=config.writable,
        )

    @app.post("/api/ingest", tags=["ingest"], status_code=202, openapi_extra=INGEST_BODY,
              summary="Upload files and/or URLs into the ingest pipeline; poll the job for progress",
              description="Needs Authorization: Bearer TOKEN unless the server is bound to localhost.",
              responses={401: {"description": "Token missing"}, 403: {"description": "Token wrong, or ingest "
                         "disabled"}, 413: {"description": "Upload too large"}, 422: {"description": "Nothing "
                         "to ingest, or a bad URL"}})
    async def api_ingest(request: Request) -> IngestJob:
        authorize_write(request, config, None)
        form = await request.form(max_files=200, max_fields=20)
        try:
            return await accept_ingest(form)
        finally:
            await form.close()

    @app.get("/api/ingest", tags=["ingest"], summary="Recent ingest jobs, newest first")
    def api_jobs() -> list[IngestJob]:
        return manager.recent(100)

    @app.get("/api/ingest/{job_id}", tags=["ingest"], summary="Progress and summary of one ingest job",
             responses={404: {"description": "Unknown job"}})
    def api_job(job_id: str) -> IngestJob:
        job = manager.get(job_id)
        if job is None:
            raise HTTPException(404, f"no ingest job {job_id!r}")
        return job

    async def accept_ingest(form: Any) -> IngestJob:
        uploads = [
            (item.filename, item.file) for item in form.getlist("files")
            if isinstance(item, UploadFile) and (item.filename or (item.size or 0) > 0)
        ]
        lines = [*str(form.get("urls") or "").splitlines(), str(form.get("feed") or "")]
        try:
            urls = check_urls(lines)
        except BadInput as exc:
            raise HTTPException(422, str(exc)) from exc
        if not uploads and not urls:
            raise HTTPException(422, "nothing to ingest: upload files or give URLs")
        try:
            folder, paths, shown = await run_in_threadpool(save_uploads, uploads, config.max_upload_bytes)
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        return manager.submit(folder, paths, shown, urls)

    # the catch-all 404 for unknown pages keeps the HTML/JSON split of the other errors
    return app


def authorize_write(request: Request, config: WebConfig, form_token: str | None) -> None:
    """Refuse cross-site writes, then apply the token rules (see the module docstring)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise HTTPException(403, "cross-site requests cannot write")
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("host", "").lower()
        if origin == "null" or urlsplit(origin).netloc.lower() != host:
            raise HTTPException(403, "cross-origin requests cannot write")
    supplied: str | None = None
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(401, "use Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"})
        supplied = value.strip()
    elif form_token:
        supplied = form_token
    if config.token:
        if supplied is None:
            if config.loopback:
                return
            raise HTTPException(401, "this server needs a token: Authorization: Bearer TOKEN",
                                headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(supplied.encode(), config.token.encode()):
            raise HTTPException(403, "wrong token")
        return
    if not config.loopback:
        raise HTTPException(403, "ingest is disabled: this server is not bound to localhost and has no --token")


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's operations, flattened for the docs page."""
    out: list[dict[str, Any]] = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind = schema.get("type") or "/".join(
                    str(s.get("type", s.get("enum", s.get("$ref", "")))) for s in schema.get("anyOf", [])
                )
                if "enum" in schema:
                    kind = " | ".join(str(v) for v in schema["enum"])
                params.append({"name": p["name"], "where": p.get("in", ""), "type": kind,
                               "required": p.get("required", False), "description": p.get("description", "")})
            ok = op.get("responses", {}).get("200") or op.get("responses", {}).get("202") or {}
            ref = ok.get("content", {}).get("application/json", {}).get("schema", {})
            schema_name = ref.get("$ref", "").rsplit("/", 1)[-1] or (
                "list[" + ref.get("items", {}).get("$ref", "").rsplit("/", 1)[-1] + "]" if ref.get("items") else ""
            )
            out.append({
                "id": op.get("operationId", f"{method}-{path}"), "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": op.get("description", ""), "params": params,
                "responses": sorted(op.get("responses", {})), "schema": schema_name,
            })
    return out


__all__ = ["WebConfig", "authorize_write", "create_app", "is_loopback"]
