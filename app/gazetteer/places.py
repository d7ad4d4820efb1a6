"""Finding a place by name, country-wide: a ward or council from a few typed letters.

A reporter knows the name of their ward, town or council, rarely its region and council as the
census lists them. They type a few letters ("igogo", or keypad digits "44646" on a phone left
in numeric mode), and may add a word of the council or region to tell same-named wards apart
("kati mwanga"). Each match carries a label that says where it is: "Igogo (Nyamagana, Mwanza)".

``rank`` is pure; ``search_places`` reads the gazetteer once per process and database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from rapidfuzz import fuzz

from app.extensions import db
from app.gazetteer.matching import keypad_digits
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.names import abbreviation, compact, fold

FUZZY_CUTOFF = 80
FUZZY_MIN_LETTERS = 4


@dataclass(frozen=True)
class PlaceEntry:
    """A ward (``ward_id`` set) or a whole council, with what a search compares."""

    region_id: str
    council_id: str
    ward_id: str | None
    name: str  # the ward's or council's name, as shown
    label: str  # "Igogo (Nyamagana, Mwanza)"
    key: str  # compact(name)
    words: tuple[str, ...]  # folded words of the name
    context: tuple[str, ...]  # folded words of its council and region
    council_words: tuple[str, ...] = ()  # folded words of its council alone


def ward_label(ward: str, council: str, council_type: str, region: str,
               known_as: str | None = None) -> str:
    """Where a ward is, in a few words: "Igogo (Nyamagana, Mwanza)", "Kariakoo (Ilala, Dar es
    Salaam)"; "Kati (Arusha CC)" when the council is named after its region (the type tells
    Arusha city from Arusha district)."""
    short = known_as or council
    if fold(short) == fold(region):
        return f"{ward} ({short} {abbreviation(council_type)})"
    if set(fold(short).split()) <= set(fold(region).split()):  # Mjini in Mjini Magharibi
        return f"{ward} ({region})"
    return f"{ward} ({short}, {region})"


def council_label(council: str, council_type: str, region: str,
                  known_as: str | None = None) -> str:
    """A whole council: "Magu DC (Mwanza)", "Ilala (Dar es Salaam)", "Mwanza CC"."""
    short = known_as or f"{council} {abbreviation(council_type)}"
    if fold(council) == fold(region) and not known_as:
        return short
    return f"{short} ({region})"


def rank(typed: str, entries: Sequence[PlaceEntry], limit: int) -> list[PlaceEntry]:
    """The entries that fit what was typed, best first.

    The first words typed are the start of the name (all of it, or of a later word); any words
    after are the start of a word of its council or region. Exact names come first, then names
    that start with the letters, then a later word of the name; when that finds nothing, close
    spellings (one or two slips). Digits alone are keypad letters.
    """
    words = fold(typed).split()
    if not words or limit <= 0:
        return []
    digits = "".join(words).isdigit()
    for split in range(len(words), 0, -1):
        key = "".join(words[:split])
        extra = words[split:]
        found = _prefix_matches(key, extra, entries, digits)
        if found:
            return found[:limit]
    if digits or len(words[0]) < FUZZY_MIN_LETTERS:
        return []
    key = compact(typed)
    scored = [(max(fuzz.ratio(key, e.key), fuzz.ratio(key, e.key[: len(key)])), i)
              for i, e in enumerate(entries)]
    best = sorted((s for s in scored if s[0] >= FUZZY_CUTOFF), key=lambda s: (-s[0], s[1]))
    return [entries[i] for _, i in best[:limit]]


def _prefix_matches(key: str, extra: list[str], entries: Sequence[PlaceEntry],
                    digits: bool) -> list[PlaceEntry]:
    def enc(text: str) -> str:
        return keypad_digits(text) if digits else text

    exact, start, later = [], [], []
    by_council = bool(extra) and any(
        all(any(c.startswith(x) for c in e.council_words) for x in extra) for e in entries
        if enc(e.key).startswith(key))
    for entry in entries:
        # Words after the name say where: the council (town, district) when one fits, else
        # the region ("majengo tanga" is Majengo in Tanga city, not every Majengo of Tanga).
        context = entry.council_words if by_council else entry.context
        if extra and not all(any(c.startswith(x) for c in context) for x in extra):
            continue
        name = enc(entry.key)
        if name == key:
            exact.append(entry)
        elif name.startswith(key):
            start.append(entry)
        elif any(enc(w).startswith(key) for w in entry.words[1:]):
            later.append(entry)
    return exact + start + later


def entries_from_rows(regions: Sequence[Region], councils: Sequence[Council],
                      wards: Sequence[tuple[str, str, str]]) -> list[PlaceEntry]:
    """Build the search list: every ward ``(id, council id, name)`` and every council, sorted
    by name, then by where they are."""
    region_names = {r.id: r.name for r in regions}
    by_id = {c.id: c for c in councils}
    out: list[PlaceEntry] = []
    for c in councils:
        region = region_names[c.region_id]
        context = tuple({*fold(region).split()})
        out.append(PlaceEntry(c.region_id, c.id, None, c.known_as or c.name,
                              council_label(c.name, c.council_type, region, c.known_as),
                              compact(c.known_as or c.name),
                              tuple(fold(c.known_as or c.name).split()), context))
        if c.known_as:  # the official name finds it too
            out.append(PlaceEntry(c.region_id, c.id, None, c.name,
                                  council_label(c.name, c.council_type, region, c.known_as),
                                  compact(c.name), tuple(fold(c.name).split()), context))
    for ward_id, council_id, name in wards:
        c = by_id[council_id]
        region = region_names[c.region_id]
        council_words = tuple({*fold(c.name).split(), *fold(c.known_as or "").split()})
        context = tuple({*council_words, *fold(region).split()})
        out.append(PlaceEntry(c.region_id, c.id, ward_id, name,
                              ward_label(name, c.name, c.council_type, region, c.known_as),
                              compact(name), tuple(fold(name).split()), context,
                              council_words))
    out.sort(key=lambda e: (fold(e.name), e.ward_id is not None, fold(e.label), e.ward_id or ""))
    return out


def load_entries() -> tuple[PlaceEntry, ...]:
    """Every ward and council of the loaded gazetteer (read once per process and database)."""
    count = db.session.scalar(sa.select(sa.func.count(Ward.id))) or 0
    return _cached(str(db.engine.url), count)


@lru_cache(maxsize=4)
def _cached(url: str, count: int) -> tuple[PlaceEntry, ...]:
    regions = db.session.scalars(sa.select(Region)).all()
    councils = db.session.scalars(sa.select(Council)).all()
    wards = db.session.execute(sa.select(Ward.id, Ward.council_id, Ward.name)).all()
    return tuple(entries_from_rows(regions, councils, [tuple(w) for w in wards]))


def search_places(typed: str, limit: int = 24) -> list[PlaceEntry]:
    """Wards and councils anywhere in Tanzania that fit what was typed, best first."""
    return rank(typed, load_entries(), limit)
