"""Place and organisation names in many languages, from CLDR (through babel) and a small seed.

* Territories: every country and a few regions in each of ``LOCALES``, mapped to the English
  CLDR name ("Coreea de Nord", "Corea del Nord", "Nordkorea", "КНДР" → "North Korea").
* Cities: the CLDR exemplar city of every time zone in each locale, mapped to the English
  name taken from the zone id ("Phenian", "Pjöngjang", "Пхеньян" → "Pyongyang").
* ``aliases.json`` beside this package: organisations, official long names and acronyms CLDR
  does not carry. It is a seed: inflected and respelled forms reach it through the resolver.

Nothing is downloaded: babel ships CLDR. The index is built once per process (≈0.4 s).
"""

# ruff: noqa: SIM905  (word lists read best as one string)

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsloom.enrich.entities.lexicon import GENITIVE_CONNECTORS
from newsloom.enrich.entities.text import jaro_winkler, norm, phonetic, skeleton

LOCALES = """en de fr es it ro pt ru uk bg sr el pl nl tr cs sk hu sv da nb fi ca hr sl lt lv et sq mk
    be""".split()

# Territory codes that are organisations, and region codes worth knowing as places.
_ORG_TERRITORIES = {"UN", "EU"}
_REGIONS = {"002", "009", "019", "142", "150", "003", "005", "013", "145", "030", "035", "034"}
_SKIP_TERRITORIES = {"ZZ", "QO", "EZ", "XA", "XB", "001"}

ALIASES_PATH = Path(__file__).resolve().parent.parent / "aliases.json"

ANY_LOCALE = "*"  # a seed alias: a name in every language

_ACRONYM_RE = re.compile(r"^[A-ZА-ЯЁ]{2,6}$")


@dataclass(frozen=True)
class GazEntry:
    """One known name: its English canonical form, type and where it came from."""

    name: str
    type: str  # LOC | ORG | PER | MISC
    source: str  # seed | territory | city


def acronym_key(surface: str) -> str | None:
    """``"U.S."`` → ``"US"``; ``None`` unless the surface is an all-capitals acronym."""
    s = surface.replace(".", "").replace(" ", "")
    return s if _ACRONYM_RE.match(s) else None


class Gazetteer:
    """Name → entry index, exact on ``norm`` keys, case-sensitive for acronyms."""

    def __init__(self) -> None:
        self._by_key: dict[str, GazEntry] = {}
        self._by_acronym: dict[str, GazEntry] = {}
        self._by_skeleton: dict[str, list[tuple[str, GazEntry]]] = {}
        self._locales: dict[str, set[str]] = {}  # key → the locales that spell a name so
        self.names: dict[str, GazEntry] = {}  # English name → entry

    def add(self, alias: str, entry: GazEntry, *, overwrite: bool = False, locale: str = ANY_LOCALE) -> None:
        """Index ``alias`` for ``entry``; ``locale``: the language whose name it is."""
        self.names.setdefault(entry.name, entry)
        acr = acronym_key(alias)
        if acr and len(alias.replace(".", "")) <= 6:
            if overwrite or acr not in self._by_acronym:
                self._by_acronym[acr] = entry
            return
        key = norm(alias)
        if len(key) < 3:
            return
        self._locales.setdefault(key, set()).add(locale)
        if overwrite or key not in self._by_key:
            self._by_key[key] = entry
            if " " not in key and len(key) >= 5:
                self._by_skeleton.setdefault(skeleton(alias), []).append((phonetic(alias), entry))

    def lookup(self, surface: str) -> GazEntry | None:
        """The entry for ``surface`` (exact on the normalised key, or an exact acronym)."""
        acr = acronym_key(surface)
        if acr is not None:
            hit = self._by_acronym.get(acr)
            if hit is not None:
                return hit
            if len(acr) <= 3:
                return None
        return self._by_key.get(norm(surface))

    def native(self, surface: str, lang: str | None) -> bool:
        """Whether ``surface`` is a name in ``lang`` (or English, or the seed) rather than only in
        another language: Latvian "Čada" (Chad) must not claim Spanish "Cada" ("each")."""
        if acronym_key(surface) is not None:
            return True
        locales = self._locales.get(norm(surface), set())
        return not lang or bool(locales & {lang, "en", ANY_LOCALE})

    def lookup_fuzzy(self, surface: str, threshold: float = 0.92) -> GazEntry | None:
        """A one-word name spelled another way ("Cremlino" ~ "Kremlin"): same consonant
        skeleton and Jaro-Winkler ≥ ``threshold`` on the phonetic form."""
        key = norm(surface)
        if " " in key or len(key) < 6 or len(skeleton(surface)) < 4:
            return None
        ph = phonetic(surface)
        best: tuple[float, GazEntry] | None = None
        for other_ph, entry in self._by_skeleton.get(skeleton(surface), ()):
            score = jaro_winkler(ph, other_ph)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, entry)
        return best[1] if best else None

    def is_english_name(self, name: str) -> bool:
        return name in self.names


def _short_forms(name: str) -> list[str]:
    """"Statele Unite ale Americii" → ["Statele Unite"]: a territory name without its "of X"."""
    words = name.split()
    for i, w in enumerate(words):
        if i >= 2 and w.casefold() in GENITIVE_CONNECTORS | {"ale", "of", "d'"}:
            return [" ".join(words[:i])]
    return []


def _city_from_zone(zone: str) -> str | None:
    if zone.startswith(("Etc/", "SystemV/")) or "/" not in zone:
        return None
    city = zone.rsplit("/", 1)[1].replace("_", " ")
    if city in {"Unknown", "Kiev"}:
        return None if city == "Unknown" else "Kyiv"
    return city


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use."""
    from babel import Locale

    gaz = Gazetteer()
    # Seed first: it names the canonical entities for organisations and long forms.
    with open(ALIASES_PATH, encoding="utf-8") as fh:
        seed = json.load(fh)
    for item in seed.get("entities", []):
        entry = GazEntry(item["name"], item["type"], "seed")
        gaz.add(item["name"], entry, overwrite=True)
        for alias in item.get("aliases", []):
            gaz.add(alias, entry, overwrite=True)

    english = Locale("en")
    en_territories = english.territories
    en_zones = english.time_zones
    territory_entries: dict[str, GazEntry] = {}
    for code, name in en_territories.items():
        if code in _SKIP_TERRITORIES:
            continue
        if not (len(code) == 2 and code.isalpha()) and code not in _REGIONS:
            continue
        kind = "ORG" if code in _ORG_TERRITORIES else "LOC"
        existing = gaz.lookup(name)
        territory_entries[code] = existing or GazEntry(name, kind, "territory")

    city_entries: dict[str, GazEntry] = {}
    for zone in Locale("ru").time_zones:  # the fullest list of zones
        if not isinstance(zone, str):
            continue
        city = _city_from_zone(zone)
        if city is None:
            continue
        en_city = en_zones.get(zone, {}).get("city") or city
        city_entries[zone] = GazEntry(en_city, "LOC", "city")

    for lang in LOCALES:
        try:
            loc = Locale.parse(lang)
        except Exception:  # pragma: no cover - babel ships all of these
            continue
        territories = loc.territories
        for code, entry in territory_entries.items():
            name = territories.get(code)
            if not name:
                continue
            gaz.add(name, entry, locale=lang)
            for short in _short_forms(name):
                gaz.add(short, entry, locale=lang)
        zones = loc.time_zones
        for zone, entry in city_entries.items():
            city = zones.get(zone, {}).get("city")
            gaz.add(entry.name, entry, locale="en")
            if city:
                gaz.add(city, entry, locale=lang)
    return gaz
