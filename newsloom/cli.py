"""The ``newsloom`` command: a thin shell over the library."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from newsloom import __version__
from newsloom.engines import Engine, LocalEngine, RayEngine
from newsloom.enrich.embed import get_embedder
from newsloom.enrich.entities import EntityRegistry
from newsloom.errors import NewsloomError
from newsloom.events.features import ClusterInput
from newsloom.model import SourceFailure, SourceItem
from newsloom.pipeline import (
    RunOptions,
    RunSummary,
    cluster_stored,
    comparison_inputs,
    enrich_stored,
    ingest,
    load_registry,
    stored_comparison_input,
)
from newsloom.present import export as export_mod
from newsloom.present.report import write_report
from newsloom.store import ArticleFilter, Store, open_store

app = typer.Typer(
    name="newsloom",
    help="Turn news articles in any language into events, storylines and who said what.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console()
err = Console(stderr=True)
log = logging.getLogger("newsloom")

DB_OPTION = typer.Option("newsloom.db", "--db", help="Store: a SQLite file, or postgresql://…", envvar="NEWSLOOM_DB")

ENGINE_OPTION = typer.Option(
    "local", "--engine", metavar="local|ray",
    help="Where per-article work runs: 'local' (this process and a process pool) or 'ray' "
    "(workers on a Ray cluster; needs newsloom's 'ray' extra).",
)
RAY_ADDRESS_OPTION = typer.Option(
    None, "--ray-address", metavar="ADDR",
    help="With --engine ray: the address of a running Ray cluster; without it a local one is started.",
)
RAY_WORKERS_OPTION = typer.Option(
    None, "--ray-workers", metavar="N", min=1,
    help="With --engine ray: at most N worker processes, one CPU each (default: every CPU of the cluster). "
    "A watch keeps its workers until it ends: leave CPUs for other jobs on a shared cluster.",
)


def _count(n: int, noun: str) -> str:
    """``1 event``, ``3 events``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def redact(address: str) -> str:
    """A store address fit to print: any password in it replaced by ***."""
    return re.sub(r"(://[^:/@]+:)[^/]*@", r"\1***@", address)


def _setup_logging(quiet: bool, verbose: bool = False) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], format="%(message)s", force=True)
    logging.getLogger("newsloom").setLevel(level)


def _open(db: str) -> Store:
    try:
        return open_store(db)
    except NewsloomError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


class _Bar:
    """The pipeline's progress, drawn as a rich progress bar on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


def demo_corpus() -> Path:
    """The folder of the demo corpus shipped inside the package."""
    return Path(str(resources.files("newsloom") / "demo" / "corpus"))


@app.command()
def run(
    paths: list[str] = typer.Argument(None, help="Files, folders (searched recursively), feed or page URLs."),
    db: str = DB_OPTION,
    urls: Path | None = typer.Option(None, "--urls", help="A file with one URL a line to fetch."),
    demo: bool = typer.Option(False, "--demo", help="Run on the demo corpus shipped with newsloom."),
    retry_failed: bool = typer.Option(
        False, "--retry-failed",
        help="Enrich again the articles parked as failed (their enrichment killed a worker); "
        "otherwise one is tried again only when its input changes.",
    ),
    report: Path = typer.Option(Path("newsloom-report.html"), "--report", help="Where to write the HTML report."),
    no_report: bool = typer.Option(False, "--no-report", help="Do not write the HTML report."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow fetching from private and loopback addresses."
    ),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Articles written per transaction."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors and the final counts."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step."),
    engine_name: str = ENGINE_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
    ray_workers: int | None = RAY_WORKERS_OPTION,
) -> None:
    """Ingest, clean and store articles, then print a summary and write the report.

    Exits with status 1 when any input failed; everything else is still processed and stored.
    An article whose enrichment kills its worker (Ray) is such a failure, parked as failed.
    """
    _setup_logging(quiet or as_json, verbose)
    inputs = list(paths or [])
    if demo:
        inputs.append(str(demo_corpus()))
    if not inputs and urls is None and not retry_failed:
        err.print("[red]error:[/red] nothing to read: give files, folders or URLs, --urls FILE, or --demo")
        raise typer.Exit(2)
    options = RunOptions(batch_size=batch_size, urls_file=str(urls) if urls else None)
    options.fetch.allow_private = allow_private
    with _open(db) as store, _engine(engine_name, ray_address, ray_workers) as engine:
        progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True, disable=quiet or as_json,
        )
        with progress:
            bar = _Bar(progress)
            summary = ingest(inputs, store, options, progress=bar, engine=engine, command=" ".join(sys.argv[1:]))
            if retry_failed:
                store.set_status(store.article_ids(ArticleFilter(status="failed")), "ingested")
            failed_before = len(summary.failures)
            summary.extra["enriched"] = enrich_stored(
                store, progress=bar, engine=engine, run_id=summary.run_id, failures=summary.failures
            )
            if len(summary.failures) > failed_before:  # parked in enrichment: the run's row counts them too
                store.finish_run(summary.run_id, summary.to_dict())
            summary.extra["entities"] = len(store.list_entities())
            if isinstance(engine, RayEngine):
                summary.extra["clustered"] = engine.cluster_stored(store, db, progress=bar)
            else:
                summary.extra["clustered"] = cluster_stored(store, progress=bar)
            summary.extra["events"] = len(store.list_events())
            summary.extra["storylines"] = len(store.list_storylines())
            summary.extra["parked"] = store.count_articles(ArticleFilter(status="failed"))
        if not no_report:
            write_report(store, report)
            summary.extra["report"] = str(report)
        if as_json:
            out.print_json(data=summary.to_dict())
        else:
            _print_summary(summary, store, quiet)
    if not summary.ok:
        raise typer.Exit(1)


@contextmanager
def _engine(
    name: str, ray_address: str | None, ray_workers: int | None = None, *, persistent: bool = False
) -> Iterator[Engine]:
    """The engine ``run`` and ``watch`` use; a Ray engine's workers (and local cluster) stop when the command ends.

    ``persistent`` (``watch``): the Ray workers, and the models they load, are kept between
    cycles; otherwise (``run``) Ray Data starts them per job.

    A bad choice (unknown engine, ``--ray-address`` or ``--ray-workers`` without ``--engine ray``,
    Ray missing, a cluster address that does not answer, workers that cannot start) exits with
    status 2; a worker that died twice on the same batch, with status 1.
    """
    if name not in ("local", "ray"):
        err.print(f"[red]error:[/red] unknown engine {name!r}: use local or ray")
        raise typer.Exit(2)
    for given, option in ((ray_address, "--ray-address"), (ray_workers, "--ray-workers")):
        if given and name != "ray":
            err.print(f"[red]error:[/red] {option} needs --engine ray")
            raise typer.Exit(2)
    if name != "ray":
        yield LocalEngine()
        return
    from newsloom.engines.ray import WorkerLost, WorkerStartError

    try:
        engine = RayEngine(ray_address, workers=ray_workers, persistent=persistent).start()
    except NewsloomError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    try:
        yield engine
    except (WorkerLost, WorkerStartError) as exc:  # the cluster, not the inputs: no traceback
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2 if isinstance(exc, WorkerStartError) else 1) from exc
    finally:
        engine.close()


def _print_summary(summary: RunSummary, store: Store, quiet: bool) -> None:
    total = store.count_articles()
    line = (
        f"{summary.stored} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(summary.failures)} failed; {total} articles in the store"
    )
    if summary.extra.get("parked"):
        line += f", {summary.extra['parked']} of them parked as failed (newsloom articles --status failed)"
    if quiet:
        out.print(line)
        return
    out.print(f"[bold]newsloom[/bold] run {summary.run_id}: {line}")
    if summary.languages or summary.outlets:
        table = Table(title="Processed in this run", show_edge=False)
        table.add_column("language")
        table.add_column("articles", justify="right")
        table.add_column("outlet")
        table.add_column("articles", justify="right")
        langs = summary.languages.most_common()
        outlets = summary.outlets.most_common()
        for i in range(max(len(langs), len(outlets))):
            lang, n_lang = langs[i] if i < len(langs) else ("", "")
            outlet, n_out = outlets[i] if i < len(outlets) else ("", "")
            table.add_row(lang, str(n_lang), outlet, str(n_out))
        out.print(table)
    if summary.removed:
        removed = ", ".join(f"{reason} {n}" for reason, n in summary.removed.most_common())
        out.print(f"Cleaning removed {sum(summary.removed.values())} lines: {removed}")
    if summary.dated:
        dated = ", ".join(f"{source} {n}" for source, n in summary.dated.most_common())
        out.print(f"Publication dates from: {dated}")
    if summary.extra.get("enriched"):
        out.print(
            f"Understood {summary.extra['enriched']} articles: entities, quotes, key phrases, dates, vectors; "
            f"{summary.extra['entities']} canonical entities in the store"
        )
    if summary.extra.get("storylines"):
        out.print(f"{summary.extra['events']} events in {summary.extra['storylines']} storylines; the largest:")
        for storyline in store.list_storylines(limit=5):
            out.print(
                f"  {storyline.label}  [dim]{_span(storyline.first_date, storyline.last_date)} · "
                f"{_count(len(storyline.event_ids), 'event')} · {' '.join(storyline.languages)}[/dim]",
                highlight=False, soft_wrap=True,
            )
    for failure in summary.failures:
        out.print(f"[red]failed[/red] {failure.origin}: {failure.reason}")
    if "report" in summary.extra:
        out.print(f"Report: {summary.extra['report']}")


@app.command()
def articles(
    db: str = DB_OPTION,
    lang: str | None = typer.Option(None, "--lang", help="Only this language (ISO 639-1)."),
    outlet: str | None = typer.Option(None, "--outlet", help="Only this outlet."),
    since: str | None = typer.Option(None, "--since", help="Published on or after this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Published on or before this date (YYYY-MM-DD)."),
    status: str | None = typer.Option(
        None, "--status", metavar="STATUS",
        help="Only articles in this status: ingested, enriched, clustered, or failed (parked: enriching it "
        "killed a worker; see run --retry-failed).",
    ),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List stored articles, oldest first, with filters."""
    where = ArticleFilter(lang=lang, outlet=outlet, since=since, until=until, status=status)
    with _open(db) as store:
        found = list(store.iter_articles(where, limit=limit))
        if as_json:
            for a in found:
                sys.stdout.write(json.dumps(
                    {"id": a.id, "outlet": a.outlet, "lang": a.lang, "published": a.published, "title": a.title,
                     "status": a.status, "origin": a.origin},
                    ensure_ascii=False) + "\n")
            return
        table = Table(show_edge=False)
        for column in ("id", "published", "lang", "outlet", "title"):
            table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
        for a in found:
            table.add_row(a.id, (a.published or "")[:10], a.lang or "", a.outlet or "", a.title)
        out.print(table)
        out.print(f"{len(found)} of {store.count_articles(where)} articles")


@app.command()
def show(
    article_id: str = typer.Argument(..., help="An article's or an event's id."),
    db: str = DB_OPTION,
    removed: bool = typer.Option(False, "--removed", help="Also show the lines cleaning removed, with why."),
    as_json: bool = typer.Option(False, "--json", help="Print the article as JSON."),
) -> None:
    """Show one article (metadata, understanding, cleaned text, removed lines) or one event (its coverage)."""
    with _open(db) as store:
        article = store.get_article(article_id)
        if article is None:
            _show_event(store, article_id, as_json)
            return
        record = export_mod.article_record(store, article)
        if removed:
            record["removed"] = [{"line": r.line, "reason": r.reason} for r in article.removed]
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            return
        out.print(f"[bold]{article.title}[/bold]", markup=True, highlight=False)
        meta = [
            ("id", article.id), ("outlet", article.outlet), ("language", article.lang),
            ("published", f"{article.published} (from {article.published_source})" if article.published else None),
            ("url", article.url), ("source", article.origin), ("status", article.status),
        ]
        for key, value in meta:
            if value:
                out.print(f"[dim]{key}:[/dim] {value}", highlight=False)
        _print_enrichment(record)
        out.print()
        out.print(article.text, markup=False, highlight=False, soft_wrap=True)
        if removed:
            out.print()
            out.print(f"[bold]Removed by cleaning ({len(article.removed)} lines)[/bold]")
            for r in article.removed:
                out.print(f"  [{r.reason}] {r.line}", markup=False, highlight=False, soft_wrap=True)


def _print_enrichment(record: dict[str, Any]) -> None:
    if "entities" not in record:
        out.print("[dim]not enriched yet[/dim]")
        return
    estimate = record["date_estimate"]
    if estimate and estimate["date"]:
        out.print(
            f"[dim]date from content:[/dim] {estimate['date']} (confidence {estimate['confidence']:.2f}; "
            f"{'; '.join(estimate['evidence'][:3])})", highlight=False, markup=True, soft_wrap=True,
        )
    if record["keyphrases"]:
        out.print(f"[dim]key phrases:[/dim] {', '.join(record['keyphrases'])}", highlight=False, soft_wrap=True)
    if record["entities"]:
        out.print("[dim]entities:[/dim]")
        for e in record["entities"]:
            surface = ", ".join(s for s in e["surface"] if s != e["name"])
            out.print(
                f"  {e['type']:<4} {e['name']}" + (f"  ← {surface}" if surface else "") + f"  ×{e['count']}",
                markup=False, highlight=False, soft_wrap=True,
            )
    if record["quotes"]:
        out.print("[dim]quotes:[/dim]")
        for q in record["quotes"]:
            out.print(f"  {q['speaker'] or 'unknown'}: “{q['text']}”", markup=False, highlight=False, soft_wrap=True)


@app.command()
def entities(
    db: str = DB_OPTION,
    type: str | None = typer.Option(None, "--type", help="Only PER, ORG, LOC or MISC."),
    query: str | None = typer.Option(None, "--query", "-q", help="Name or alias contains this."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List canonical entities with their counts, types and the languages they were named in."""
    with _open(db) as store:
        found = store.list_entities(type=type.upper() if type else None, query=query, limit=limit)
        if as_json:
            for e in found:
                sys.stdout.write(json.dumps(
                    {"id": e.id, "name": e.name, "type": e.type, "articles": e.article_count,
                     "mentions": e.mention_count, "aliases": e.aliases}, ensure_ascii=False) + "\n")
            return
        table = Table(show_edge=False)
        for column in ("name", "type", "articles", "mentions", "languages", "aliases"):
            table.add_column(column, overflow="fold", justify="right" if column in ("articles", "mentions") else "left")
        for e in found:
            aliases = sorted({a for forms in e.aliases.values() for a in forms} - {e.name})
            table.add_row(e.name, e.type, str(e.article_count), str(e.mention_count), " ".join(sorted(e.aliases)),
                          ", ".join(aliases[:8]) + (" …" if len(aliases) > 8 else ""))
        out.print(table)


@app.command()
def events(
    db: str = DB_OPTION,
    storyline: str | None = typer.Option(None, "--storyline", help="Only the events of this storyline."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List events: size, languages, outlets, date span and label, oldest first."""
    with _open(db) as store:
        if storyline is not None:  # a storyline whose events went to another resolves to that one
            resolved = store.get_storyline(storyline)
            storyline = resolved.id if resolved is not None else storyline
        found = store.list_events(storyline_id=storyline, limit=limit)
        if as_json:
            for e in found:
                sys.stdout.write(json.dumps(
                    {"id": e.id, "label": e.label, "articles": len(e.article_ids), "languages": e.languages,
                     "outlets": e.outlets, "first_date": e.first_date, "last_date": e.last_date,
                     "storyline": e.storyline_id, "key_entities": e.key_entities}, ensure_ascii=False) + "\n")
            return
        table = Table(show_edge=False)
        for column in ("id", "dates", "articles", "languages", "outlets", "label"):
            table.add_column(column, overflow="fold", justify="right" if column == "articles" else "left")
        for e in found:
            table.add_row(e.id, _span(e.first_date, e.last_date), str(len(e.article_ids)), " ".join(e.languages),
                          str(len(e.outlets)), e.label)
        out.print(table)


@app.command()
def storylines(
    db: str = DB_OPTION,
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List storylines, largest first, each with its events in date order."""
    with _open(db) as store:
        found = store.list_storylines(limit=limit)
        if as_json:
            for s in found:
                sys.stdout.write(json.dumps(
                    {"id": s.id, "label": s.label, "events": s.event_ids, "key_entities": s.key_entities,
                     "languages": s.languages, "outlets": s.outlets, "first_date": s.first_date,
                     "last_date": s.last_date}, ensure_ascii=False) + "\n")
            return
        for s in found:
            out.print(f"[bold]{s.id}[/bold]  {s.label}  [dim]{_span(s.first_date, s.last_date)} · "
                      f"{_count(len(s.event_ids), 'event')} · {' '.join(s.languages)} · "
                      f"{_count(len(s.outlets), 'outlet')}[/dim]",
                      highlight=False, soft_wrap=True)
            for event_id in s.event_ids:
                event = store.get_event(event_id)
                if event is not None:
                    out.print(f"   {_span(event.first_date, event.last_date):<23} {event.id}  "
                              f"{len(event.article_ids):>3} articles  {event.label}", markup=False, highlight=False,
                              soft_wrap=True)


def _span(first: str | None, last: str | None) -> str:
    if not first:
        return "undated"
    return first if not last or last == first else f"{first} – {last}"


def _show_event(store: Store, event_id: str, as_json: bool) -> None:
    event = store.get_event(event_id)
    if event is None:
        err.print(f"[red]error:[/red] no article or event with id {event_id!r}")
        raise typer.Exit(1)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for article_id in event.article_ids:
        article = store.get_article(article_id)
        if article is None:
            continue
        link = store.article_link(article_id)
        copy_of = link.duplicate_of or link.translation_of if link else None
        entry = {"id": article.id, "title": article.title, "published": article.published,
                 "duplicate_of": link.duplicate_of if link else None,
                 "translation_of": link.translation_of if link else None, "folded": copy_of is not None}
        groups.setdefault((article.lang or "unknown", article.outlet or "unknown"), []).append(entry)
    if as_json:
        sys.stdout.write(json.dumps({
            "id": event.id, "label": event.label, "storyline": event.storyline_id, "first_date": event.first_date,
            "last_date": event.last_date, "key_entities": event.key_entities,
            "coverage": [{"lang": lang, "outlet": outlet, "articles": items}
                         for (lang, outlet), items in sorted(groups.items())]}, ensure_ascii=False, indent=2) + "\n")
        return
    independent = sum(1 for items in groups.values() for i in items if not i["folded"])
    out.print(f"[bold]{event.label}[/bold]", highlight=False)
    out.print(f"[dim]{event.id} · {_span(event.first_date, event.last_date)} · {len(event.article_ids)} articles, "
              f"{independent} independent · storyline {event.storyline_id}[/dim]", highlight=False)
    if event.key_entities:
        out.print(f"[dim]key entities:[/dim] {', '.join(event.key_entities)}", highlight=False, soft_wrap=True)
    for (lang, outlet), items in sorted(groups.items()):
        out.print(f"[bold]{lang}[/bold] · {outlet}", highlight=False)
        for item in items:
            note = (f"  (copy of {item['duplicate_of']})" if item["duplicate_of"]
                    else f"  (translation of {item['translation_of']})" if item["translation_of"] else "")
            out.print(f"   {(item['published'] or '')[:10]:<10} {item['id']}  {item['title']}{note}",
                      markup=False, highlight=False, soft_wrap=True)


@app.command()
def compare(
    first: str | None = typer.Argument(None, help="A file, or the id of a stored article."),
    second: str | None = typer.Argument(None, help="A file, or the id of a stored article."),
    db: str = DB_OPTION,
    pairs: Path | None = typer.Option(None, "--pairs", help='JSONL of {"pair_id", "text1", "text2", …} to score.'),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where --pairs writes its scores."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Is this the same event? A score in [0, 1], a yes/no and the evidence; or many pairs with --pairs."""
    from newsloom.events.compare import compare as compare_pair

    _setup_logging(quiet=True)
    if pairs is not None:
        _compare_pairs(pairs, output)
        return
    if first is None or second is None:
        err.print("[red]error:[/red] give two files or stored ids, or --pairs FILE")
        raise typer.Exit(2)
    inputs, registry = _comparison_inputs([first, second], db)
    result = compare_pair(inputs[0], inputs[1], embed=get_embedder().embed)
    verdict: dict[str, Any] = {
        "a": inputs[0].id, "b": inputs[1].id, "score": round(result.score, 4), "same": result.same,
        "shared_entities": [registry.name(entity_id) or entity_id for entity_id, _ in result.shared_entities],
        "aligned_sentences": [{"a": a, "b": b, "similarity": round(sim, 3)} for a, b, sim in result.aligned],
        "dates": [d.isoformat() if d else None for d in result.dates[:2]],
        "days_apart": result.dates[2],
    }
    if as_json:
        sys.stdout.write(json.dumps(verdict, ensure_ascii=False, indent=2) + "\n")
        return
    answer = "[green]same event[/green]" if result.same else "[yellow]different events[/yellow]"
    out.print(f"{answer}  score {result.score:.2f}")
    if verdict["shared_entities"]:
        out.print(f"[dim]shared entities (rarest first):[/dim] {', '.join(verdict['shared_entities'][:12])}",
                  highlight=False, soft_wrap=True)
    out.print(f"[dim]dates:[/dim] {verdict['dates'][0] or 'unknown'} / {verdict['dates'][1] or 'unknown'}",
              highlight=False)
    for pair in verdict["aligned_sentences"][:5]:
        out.print(f"[dim]aligned ({pair['similarity']}):[/dim] {pair['a']}  ⇄  {pair['b']}", highlight=False,
                  soft_wrap=True)


def _comparison_inputs(refs: list[str], db: str) -> tuple[list[ClusterInput], EntityRegistry]:
    """Stored ids from the store; anything else read as a file through the normal sources.

    Files are resolved against the store's entity registry when there is a store, so they
    share entities with stored articles; the registry returned names the evidence.
    """
    from newsloom.sources import iter_inputs

    registry = EntityRegistry()
    found: list[ClusterInput | None] = [None] * len(refs)
    if Path(db).exists() or db.startswith(("postgresql://", "postgres://")):
        with _open(db) as store:
            registry = load_registry(store)
            for i, ref in enumerate(refs):
                if not Path(ref).exists():
                    found[i] = stored_comparison_input(store, ref)
    items: list[SourceItem] = []
    for i, ref in enumerate(refs):
        if found[i] is not None:
            continue
        read = [x for x in iter_inputs([ref]) if isinstance(x, SourceItem)] if Path(ref).exists() else []
        if not read:
            err.print(f"[red]error:[/red] {ref}: neither a readable file nor an enriched article in {db}")
            raise typer.Exit(1)
        items.append(read[0])
    built = iter(comparison_inputs(items, registry))
    result: list[ClusterInput] = []
    for i in range(len(refs)):
        entry = found[i] or next(built)
        if isinstance(entry, SourceFailure):
            err.print(f"[red]error:[/red] {entry.origin}: {entry.reason}")
            raise typer.Exit(1)
        result.append(entry)
    return result, registry


def _compare_pairs(path: Path, output: Path | None) -> None:
    from newsloom.events.compare import compare_many

    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            records.append((str(record["pair_id"]), record))
        except (ValueError, KeyError, TypeError) as exc:
            err.print(f"[red]error:[/red] {path}#{number}: not a pair record ({exc})")
            raise typer.Exit(1) from exc
    items = []
    for pair_id, record in records:
        for side in ("1", "2"):
            title = record.get(f"title{side}") or ""
            body = str(record.get(f"text{side}") or "")
            items.append(SourceItem(origin=f"{path}#{pair_id}/{side}", kind="text", id=f"{pair_id}/{side}",
                                    content=f"{title}\n\n{body}" if title else body, lang=record.get(f"lang{side}")))
    built = comparison_inputs(items)
    good = [(built[2 * i], built[2 * i + 1]) for i in range(len(records))]
    usable = [(a, b) for a, b in good if isinstance(a, ClusterInput) and isinstance(b, ClusterInput)]
    verdicts = iter(compare_many(usable))
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    failed = 0
    try:
        for (pair_id, _), (a, b) in zip(records, good, strict=True):
            if isinstance(a, ClusterInput) and isinstance(b, ClusterInput):
                verdict = next(verdicts)
                row = {"pair_id": pair_id, "score": round(verdict.score, 4), "same": verdict.same}
            else:
                failed += 1
                reason = next(x.reason for x in (a, b) if isinstance(x, SourceFailure))
                row = {"pair_id": pair_id, "score": None, "same": None, "error": reason}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if output:
            handle.close()
    if output:
        err.print(f"scored {len(records) - failed} pairs to {output}" + (f"; {failed} failed" if failed else ""))
    if failed:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    db: str = DB_OPTION,
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
) -> None:
    """Write one record per article (id, source, outlet, lang, title, text, published, …)."""
    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]error:[/red] unknown format {fmt!r}: use jsonl or csv")
        raise typer.Exit(2)
    with _open(db) as store:
        if output is None:
            count = export_mod.export(store, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = export_mod.export(store, fmt, handle)
            err.print(f"wrote {count} articles to {output}")


@app.command()
def report(
    db: str = DB_OPTION,
    output: Path = typer.Option(Path("newsloom-report.html"), "--output", "-o", help="The HTML file to write."),
) -> None:
    """Write everything in the store as one self-contained HTML file to share."""
    with _open(db) as store:
        write_report(store, output)
    err.print(f"wrote {output}")


@app.command()
def serve(
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost only by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None, "--token", envvar="NEWSLOOM_TOKEN",
        help="Bearer token for ingest; required to ingest when --host is not a loopback address.",
    ),
    max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", min=0.001, help="Largest request body (upload)."),
    summaries: str = typer.Option(
        "embed", "--summaries", help="Event summaries: embed (sentence embeddings, computed in the background) "
        "or coverage (entities and key phrases only)."
    ),
    refresh: float = typer.Option(10.0, "--refresh", min=0, help="Seconds between checks for store changes."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request."),
) -> None:
    """Serve the storylines, events, articles, entities, search, ingest and the HTTP API (/api/docs)."""
    if summaries not in ("embed", "coverage"):
        err.print(f"[red]error:[/red] unknown --summaries {summaries!r}: use embed or coverage")
        raise typer.Exit(2)
    _setup_logging(False, verbose)
    try:
        from newsloom.present.web.app import WebConfig
        from newsloom.present.web.server import run_server
    except ImportError as exc:
        err.print(f"[red]error:[/red] the web app needs fastapi and uvicorn: {exc}")
        raise typer.Exit(2) from exc
    _open(db).close()  # fail early, with the usual message, on a store that cannot be opened
    config = WebConfig(
        db=db, host=host, port=port, token=token or None, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        summaries="embed" if summaries == "embed" else "coverage", refresh_seconds=refresh,
    )
    err.print(f"newsloom serving {redact(db)} on http://{'[' + host + ']' if ':' in host else host}:{port}/")
    run_server(config, log_level="info" if verbose else "warning")


@app.command()
def watch(
    paths: list[str] = typer.Argument(..., help="Folders (searched recursively), files, feed URLs to watch."),
    db: str = DB_OPTION,
    interval: float | None = typer.Option(
        None, "--interval", min=0.05, help="Seconds between polls (default: 60 for URLs, 5 for folders)."
    ),
    once: bool = typer.Option(False, "--once", help="Run one cycle and exit."),
    max_files: int = typer.Option(
        100, "--max-files", min=1,
        help="New or changed files read per folder per cycle (a backlog waits its turn; not with --once).",
    ),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow fetching from private and loopback addresses."
    ),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Articles written per transaction."),
    latency_target: float | None = typer.Option(
        None, "--latency-target", min=0.5, metavar="SECONDS",
        help="Keep arrival → event under this when the stream outruns the machine, by embedding "
             "less of each article (a shorter lead: events sooner, a little less accurate; "
             "see docs/deploy.md). Default: always the full lead.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step, and idle cycles."),
    engine_name: str = ENGINE_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
    ray_workers: int | None = RAY_WORKERS_OPTION,
) -> None:
    """Watch folders and feeds; run new and changed inputs through the pipeline as they come.

    Stops after the current cycle on Ctrl-C or SIGTERM (exit 0). With --once, runs one cycle and
    exits with status 1 when any input failed.
    """
    import threading

    from newsloom.stream import StopOnSignal, Watcher

    _setup_logging(quiet, verbose)
    options = RunOptions(batch_size=batch_size)
    options.fetch.allow_private = allow_private
    with _open(db) as store, _engine(engine_name, ray_address, ray_workers, persistent=True) as engine:
        watcher = Watcher(paths, store, options, interval=interval, max_files=None if once else max_files,
                          engine=engine, latency_target=latency_target)
        stop = threading.Event()
        with StopOnSignal(stop):
            reports = watcher.run(once=once, stop=stop)
    if once and any(r.failed for r in reports):
        raise typer.Exit(1)


@app.command()
def stats(
    db: str = DB_OPTION,
    since: str | None = typer.Option(None, "--since", help="Only articles that arrived at or after this ISO time."),
    as_json: bool = typer.Option(False, "--json", help="Print the statistics as JSON."),
) -> None:
    """Latency of watched articles (arrival → stored → event; publication → event) and throughput."""
    from newsloom.stream import latency_stats, normalize_since, short_lead_waiting

    try:
        since_key = normalize_since(since) if since else None
    except ValueError as exc:
        err.print(f"[red]error:[/red] --since: not an ISO date or time: {since}")
        raise typer.Exit(2) from exc
    with _open(db) as store:
        result = latency_stats(store.timings(since_key))
        result["short_lead_waiting"] = len(short_lead_waiting(store))
    if as_json:
        out.print_json(data=result)
        return
    table = Table(title=f"{result['articles']} articles, {result['clustered']} placed in events")
    for column in ("latency (s)", "count", "p50", "p95", "max"):
        table.add_column(column, justify="left" if column.startswith("latency") else "right")
    for name, label in (
        ("arrival_to_stored", "arrival → stored"),
        ("arrival_to_event", "arrival → event"),
        ("publication_to_event", "publication → event"),
    ):
        row = result[name]
        table.add_row(label, str(row["count"]), *(_fmt_seconds(row[k]) for k in ("p50", "p95", "max")))
    out.print(table)
    rate = result["throughput_per_second"]
    out.print(
        f"throughput: {rate:.2f} articles/s over {result['window_seconds']:.1f} s" if rate is not None
        else "throughput: n/a (no article placed in an event yet)"
    )
    if result["short_lead_waiting"]:
        out.print(f"{result['short_lead_waiting']} articles embedded from a shorter lead to keep up, "
                  "to be embedded again from the full lead when the watch is idle")


def _fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _version(value: bool) -> None:
    if value:
        out.print(f"newsloom {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Turn news articles in any language into events, storylines and who said what."""


if __name__ == "__main__":  # pragma: no cover
    app()
