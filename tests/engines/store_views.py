"""What two runs of the demo corpus must agree on, read from their stores (for the engine tests)."""

from __future__ import annotations

from newsloom.store import Store


def partition(store: Store) -> set[frozenset[str]]:
    """The events as sets of article ids (event ids may differ between runs)."""
    return {frozenset(e.article_ids) for e in store.list_events() if e.article_ids}


def storylines(store: Store) -> set[frozenset[frozenset[str]]]:
    """The storylines as sets of events, each a set of article ids."""
    members = {e.id: frozenset(e.article_ids) for e in store.list_events() if e.article_ids}
    return {frozenset(members[e] for e in s.event_ids if e in members) for s in store.list_storylines()}


def entities(store: Store) -> dict[str, list[str]]:
    """Each article's canonical entity ids, in mention order."""
    found = {}
    for article_id in store.article_ids():
        enrichment = store.get_enrichment(article_id)
        assert enrichment is not None, article_id
        found[article_id] = [m.entity_id for m in enrichment.entities]
    return found
