"""Entity and quote benchmark: canonical entities per article (P/R/F1) and quote speakers.

    PYTHONPATH=. python bench/entity_bench.py [--spacy] [--no-demo] [--verbose] [--json F]

Data
* the five real seed articles in ``/work/shared/seeds`` with the hand labels of
  ``tests/data/seed_entities.json`` (cleaned as that file says: 001 cut at "Articol recomandat
  de sport.ro", lines starting "READ" dropped);
* the demo corpus ``newsloom/demo`` (64 articles in 8 languages) with ``gold_entities.jsonl``
  and ``gold_quotes.jsonl``, read and cleaned by the product's own ``sources``/``clean``;
  the language comes from ``gold.jsonl`` (language detection is not measured here).

Scoring, per article, micro-averaged: a gold entity is found when a predicted entity has the
same canonical name after normalisation (``norm``: no diacritics, casefolded) or when one of
the gold surface forms is among the predicted entity's surface forms; matching is one-to-one.
Gold entities marked ``optional`` count neither as misses nor, when predicted, as false
positives. Every other predicted entity is a false positive (types are reported, not scored).

Cross-article identity: for gold entities seen in several articles, the share of article
pairs whose matched predictions carry the same ``entity_id`` (split), and the share of
predicted ids that hold two different gold entities (false merges).

Quotes: a gold quote (first 40 characters, without marks) is found when a predicted quote
starts with it (normalised); the speaker is right when it is the predicted entity matched to
the gold speaker in that article, or the same normalised name, or both are ``None``.
Accuracy is over all gold quotes (a missed quote counts as wrong).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsloom.enrich.entities.text import norm  # noqa: E402

SEEDS = Path("/work/shared/seeds")
SEED_GOLD = ROOT / "tests" / "data" / "seed_entities.json"
DEMO = ROOT / "newsloom" / "demo"


def clean_seed(text: str, rules: dict[str, str]) -> str:
    cut = rules.get("cut_from")
    if cut and cut in text:
        text = text[: text.index(cut)]
    prefix = rules.get("drop_line_prefix")
    if prefix:
        text = "\n".join(line for line in text.split("\n") if not line.startswith(prefix))
    return text


def load_seeds() -> list[dict[str, Any]]:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    out = []
    for art in gold["articles"]:
        path = SEEDS / f"{art['id']}.txt"
        if not path.exists():
            continue
        text = clean_seed(path.read_text(encoding="utf-8"), gold.get("clean", {}))
        out.append({"id": art["id"], "lang": art["lang"], "title": "", "text": text,
                    "entities": art["entities"], "quotes": art.get("quotes")})
    return out


def load_demo() -> list[dict[str, Any]]:
    ents_path = DEMO / "gold_entities.jsonl"
    if not ents_path.exists():
        return []
    from newsloom.clean import extract
    from newsloom.sources import iter_inputs

    gold_ents = {}
    for line in ents_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            gold_ents[d["id"]] = d["entities"]
    langs = {}
    for line in (DEMO / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            langs[d["id"]] = d.get("lang")
    quotes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    qpath = DEMO / "gold_quotes.jsonl"
    if qpath.exists():
        for line in qpath.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                quotes[d["id"]].append(d)
    out = []
    for item in iter_inputs([str(DEMO / "corpus")]):
        if not hasattr(item, "content"):
            continue
        aid = item.id or Path(item.origin.split("#")[0]).stem
        if aid not in gold_ents:
            continue
        try:
            ex = extract(item)
        except Exception as exc:  # report, go on
            print(f"  ! {aid}: {exc}", file=sys.stderr)
            continue
        out.append({"id": aid, "lang": langs.get(aid) or ex.lang_hint, "title": ex.title,
                    "text": ex.text, "entities": gold_ents[aid], "quotes": quotes.get(aid, [])})
    out.sort(key=lambda a: a["id"])
    return out


def _keys(names: list[str] | tuple[str, ...]) -> set[str]:
    return {norm(n) for n in names if n}


def match_article(gold: list[dict[str, Any]], pred: list[Any]) -> dict[str, Any]:
    """One-to-one matching of gold entities to predicted EntityMentions."""
    pairs: list[tuple[int, int, int]] = []  # (score, gi, pi)
    for gi, g in enumerate(gold):
        gname = norm(g["name"])
        gsurf = _keys(g.get("surface", []))
        for pi, p in enumerate(pred):
            score = 0
            if norm(p.name) == gname:
                score += 10
            overlap = len(gsurf & _keys(p.surface))
            score += overlap
            if score:
                pairs.append((score, gi, pi))
    pairs.sort(reverse=True)
    g_used: dict[int, int] = {}
    p_used: set[int] = set()
    for _score, gi, pi in pairs:
        if gi in g_used or pi in p_used:
            continue
        g_used[gi] = pi
        p_used.add(pi)
    tp = fn = fp = 0
    misses, extras = [], []
    for gi, g in enumerate(gold):
        if g.get("optional"):
            continue
        if gi in g_used:
            tp += 1
        else:
            fn += 1
            misses.append(g["name"])
    for pi, p in enumerate(pred):
        if pi in p_used:
            continue
        fp += 1
        extras.append(f"{p.name}{list(p.surface)[:3]}")
    return {"tp": tp, "fp": fp, "fn": fn, "map": g_used, "misses": misses, "extras": extras}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def identity_scores(links: list[tuple[str, str]]) -> tuple[float, float, int, int]:
    """links: (gold canonical, predicted entity id) per matched article entity."""
    by_gold: dict[str, list[str]] = defaultdict(list)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for g, p in links:
        by_gold[norm(g)].append(p)
        by_pred[p].add(norm(g))
    same = total = 0
    for ids in by_gold.values():
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                total += 1
                same += ids[i] == ids[j]
    merged = sum(1 for gs in by_pred.values() if len(gs) > 1)
    return (same / total if total else 1.0), (merged / len(by_pred) if by_pred else 0.0), \
        total, merged


def run(articles: list[dict[str, Any]], label: str, verbose: bool) -> dict[str, Any]:
    from newsloom.enrich.entities import EntityRegistry, extract_entities
    from newsloom.enrich.quotes import extract_quotes

    # warm-up pass with a throwaway registry: loads simplemma dictionaries and spaCy models,
    # so that the timed pass below measures steady-state per-article cost
    t_cold = time.perf_counter()
    warm = EntityRegistry()
    for art in articles:
        ents = extract_entities(art["text"], art["lang"], warm, title=art.get("title", ""))
        extract_quotes(art["text"], art["lang"], ents, warm)
    t_cold = time.perf_counter() - t_cold
    registry = EntityRegistry()
    per_lang: dict[str, list[int]] = {}
    tp = fp = fn = 0
    links: list[tuple[str, str]] = []
    q_total = q_found = q_right = 0
    q_pred_total = 0
    t_ent = t_q = 0.0
    chars = 0
    for art in articles:
        t0 = time.perf_counter()
        pred = extract_entities(art["text"], art["lang"], registry, title=art.get("title", ""))
        t1 = time.perf_counter()
        quotes = extract_quotes(art["text"], art["lang"], pred, registry)
        t2 = time.perf_counter()
        t_ent += t1 - t0
        t_q += t2 - t1
        chars += len(art["text"])
        m = match_article(art["entities"], pred)
        tp, fp, fn = tp + m["tp"], fp + m["fp"], fn + m["fn"]
        lang_counts = per_lang.setdefault(art["lang"] or "und", [0, 0, 0])
        lang_counts[0] += m["tp"]
        lang_counts[1] += m["fp"]
        lang_counts[2] += m["fn"]
        for gi, pi in m["map"].items():
            g = art["entities"][gi]
            if not g.get("optional"):
                links.append((g["name"], pred[pi].entity_id))
        if verbose and (m["misses"] or m["extras"]):
            print(f"  {art['id']} [{art['lang']}] miss={m['misses']} extra={m['extras']}")
        gold_q = art.get("quotes") or []
        q_pred_total += len(quotes)
        gold_name_to_pred = {
            norm(art["entities"][gi]["name"]): pred[pi].entity_id for gi, pi in m["map"].items()
        }
        for gq in gold_q:
            q_total += 1
            key = norm(gq["quote"])[:30]
            hit = next((q for q in quotes if norm(q.text).startswith(key)), None)
            if hit is None:
                if verbose:
                    print(f"    quote missed: {gq['quote']!r} ({gq['speaker']})")
                continue
            q_found += 1
            want = gq.get("speaker")
            if want is None:
                ok = hit.speaker is None
            else:
                ok = (hit.speaker_entity_id is not None
                      and gold_name_to_pred.get(norm(want)) == hit.speaker_entity_id) or (
                    hit.speaker is not None and norm(hit.speaker) == norm(want))
            q_right += ok
            if verbose and not ok:
                print(f"    speaker wrong: {gq['quote']!r}: gold={want} pred={hit.speaker}")
    p, r, f = prf(tp, fp, fn)
    split_ok, merge_rate, pairs, merged = identity_scores(links)
    if verbose:
        by_gold: dict[str, set[str]] = defaultdict(set)
        by_pred: dict[str, set[str]] = defaultdict(set)
        for g, pid in links:
            by_gold[g].add(pid)
            by_pred[pid].add(g)
        for g, ids in sorted(by_gold.items()):
            if len(ids) > 1:
                print(f"  split: {g} -> {sorted(ids)}")
        for pid, gs in sorted(by_pred.items()):
            if len(gs) > 1:
                print(f"  merged: {pid} <- {sorted(gs)}")
    n = max(1, len(articles))
    res = {
        "label": label, "articles": len(articles), "tp": tp, "fp": fp, "fn": fn,
        "precision": p, "recall": r, "f1": f,
        "same_id_pairs": split_ok, "pairs": pairs, "false_merge_ids": merged,
        "false_merge_rate": merge_rate,
        "quotes_gold": q_total, "quotes_found": q_found, "quotes_speaker_right": q_right,
        "quote_accuracy": (q_right / q_total) if q_total else None,
        "quotes_predicted": q_pred_total,
        "ms_per_article_entities": 1000 * t_ent / n, "ms_per_article_quotes": 1000 * t_q / n,
        "chars_per_article": chars / n, "registry_entities": len(registry),
        "ms_per_article_first_pass": 1000 * t_cold / n,
        "f1_by_lang": {lang: round(prf(*c)[2], 3) for lang, c in sorted(per_lang.items())},
    }
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spacy", action="store_true", help="also use spaCy NER for en/fr")
    ap.add_argument("--no-spacy", action="store_true", help="rules only (the default)")
    ap.add_argument("--no-demo", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    os.environ["NEWSLOOM_SPACY"] = "1" if args.spacy and not args.no_spacy else "0"

    t0 = time.perf_counter()
    from newsloom.enrich.entities.gazetteer import get_gazetteer

    get_gazetteer()
    t_gaz = time.perf_counter() - t0
    from newsloom.enrich.entities.mentions import spacy_model

    t1 = time.perf_counter()
    loaded = [lang for lang in ("en", "fr") if spacy_model(lang) is not None]
    t_spacy = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer build {t_gaz:.2f}s; spaCy models {loaded or 'none'} load {t_spacy:.2f}s; "
          f"max RSS after loading {rss:.0f} MB")

    results = []
    seeds = load_seeds()
    print(f"\n== seeds ({len(seeds)} articles)")
    results.append(run(seeds, "seeds", args.verbose))
    if not args.no_demo:
        demo = load_demo()
        if demo:
            print(f"\n== demo corpus ({len(demo)} articles)")
            results.append(run(demo, "demo", args.verbose))
    print()
    for res in results:
        qa = res["quote_accuracy"]
        qline = (f"quotes: {res['quotes_found']}/{res['quotes_gold']} found, speaker accuracy "
                 f"{qa:.3f} ({res['quotes_predicted']} predicted)") if qa is not None else \
            "quotes: no gold"
        print(f"{res['label']:6s} P={res['precision']:.3f} R={res['recall']:.3f} "
              f"F1={res['f1']:.3f} (tp={res['tp']} fp={res['fp']} fn={res['fn']}); "
              f"cross-article same-id {res['same_id_pairs']:.3f} of {res['pairs']} pairs, "
              f"false-merge ids {res['false_merge_ids']}; {qline}; "
              f"{res['ms_per_article_entities']:.1f} ms/article entities + "
              f"{res['ms_per_article_quotes']:.1f} ms quotes warm "
              f"(first pass incl. lazy loads {res['ms_per_article_first_pass']:.1f} ms; "
              f"{res['chars_per_article']:.0f} chars/article)")
        print(f"       F1 by language: {res['f1_by_lang']}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS {rss:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
