"""Named entities with one identity across languages, scripts and spellings.

    from newsloom.enrich.entities import EntityRegistry, extract_entities
    registry = EntityRegistry()
    mentions = extract_entities(article.text, article.lang, registry, title=article.title)
    registry.aliases(mentions[0].entity_id)   # {"ro": {"Phenianul", ...}, "it": {...}}
    json.dumps(registry.to_dict())             # keep it across runs; EntityRegistry.from_dict

Modules: ``text`` (transliteration, keys, phonetic skeletons, similarity), ``gazetteer``
(CLDR territory and city names in 30 languages, plus the ``aliases.json`` seed), ``morph``
(lemmas and case endings), ``mentions`` (spaCy NER where a model is installed, capitalisation
rules everywhere), ``resolver`` (within-article grouping and registry linking), ``registry``.
"""

from newsloom.enrich.entities.registry import Entity, EntityRegistry
from newsloom.enrich.entities.resolver import extract_entities, resolve_name

__all__ = ["Entity", "EntityRegistry", "extract_entities", "resolve_name"]
