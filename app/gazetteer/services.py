"""Read-only gazetteer lookups for USSD, SMS and referral.

Everything is keyed by id; names are only for people. Names repeat (Kondoa DC and Kondoa TC,
256 ward names in several councils), so a lookup by name is always made inside a parent and
either finds exactly one place or raises an error that lists the choices or suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from app.extensions import db
from app.gazetteer.matching import Point, distance_km, first_point, rank_typed
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.names import (
    COUNCIL_TYPES,
    compact,
    council_label_of,
    fold,
    split_council_type,
)

__all__ = [
    "COUNCIL_TYPES",
    "AmbiguousNameError",
    "GazetteerLookupError",
    "Place",
    "Point",
    "UnknownPlaceError",
    "best_point",
    "council_label",
    "councils_of",
    "distance_km",
    "find_council",
    "find_region",
    "find_ward",
    "fold",
    "list_regions",
    "place_label",
    "require_region",
    "resolve_place",
    "search_wards",
    "wards_of",
]

P = TypeVar("P", Region, Council, Ward)

SUGGESTION_LIMIT = 5
SUGGESTION_CUTOFF = 70  # rapidfuzz WRatio; below this a "did you mean" is more noise than help


class GazetteerLookupError(LookupError):
    """A place name could not be resolved to exactly one place."""

    def __init__(self, message: str, *, kind: str, name: str) -> None:
        super().__init__(message)
        self.kind = kind  #: "region", "council" or "ward"
        self.name = name  #: what was typed


class UnknownPlaceError(GazetteerLookupError):
    """No place has that name; ``suggestions`` holds the closest names, best first."""

    def __init__(self, message: str, *, kind: str, name: str,
                 suggestions: Sequence[Region | Council | Ward] = ()) -> None:
        super().__init__(message, kind=kind, name=name)
        self.suggestions = list(suggestions)


class AmbiguousNameError(GazetteerLookupError):
    """Several places have that name; ``choices`` lists them (councils differ by type)."""

    def __init__(self, message: str, *, kind: str, name: str,
                 choices: Sequence[Region | Council | Ward]) -> None:
        super().__init__(message, kind=kind, name=name)
        self.choices = list(choices)


@dataclass(frozen=True)
class Place:
    """A resolved location: always a region and council, a ward when one was given."""

    region: Region
    council: Council
    ward: Ward | None = None


# -- listing -----------------------------------------------------------------------------------

def list_regions() -> list[Region]:
    """Return all regions, alphabetically."""
    return _sorted(db.session.scalars(sa.select(Region)).all())


def councils_of(region_id: str) -> list[Council]:
    """Return the councils of a region sorted by name, then type (Kondoa DC before Kondoa TC).

    The name is the one shown first in the label, so "Ilala (Dar es Salaam CC)" sorts as Ilala.
    """
    rows = db.session.scalars(sa.select(Council).where(Council.region_id == region_id)).all()
    return sorted(rows, key=lambda c: (fold(c.known_as or c.name), c.council_type, c.id))


def wards_of(council_id: str) -> list[Ward]:
    """Return the wards of a council, alphabetically."""
    return _sorted(db.session.scalars(sa.select(Ward).where(Ward.council_id == council_id)).all())


def _sorted(places: Sequence[P]) -> list[P]:
    return sorted(places, key=lambda p: (fold(p.name), p.name, p.id))


# -- labels ------------------------------------------------------------------------------------

def council_label(council: Council) -> str:
    """Return the menu label: "Kondoa (DC)", "Arusha (CC)", "Ilala (Dar es Salaam CC)"."""
    return council_label_of(council.name, council.council_type, council.known_as)


def place_label(region: Region | None, council: Council | None, ward: Ward | None) -> str:
    """Return a short label for SMS, most specific first: "Kariakoo, Ilala (Dar es Salaam CC)".

    The region is left out when the council label already names it ("Kaloleni, Arusha (CC)").
    """
    parts = [ward.name] if ward is not None else []
    if council is not None:
        parts.append(council_label(council))
    if region is not None and (council is None or fold(region.name) not in fold(parts[-1])):
        parts.append(region.name)
    return ", ".join(parts)


# -- lookups by name ---------------------------------------------------------------------------

def find_region(name: str) -> Region | None:
    """Return the region with that name, ISO code ("TZ-02") or other name ("Coast", "DSM").

    Word order does not count either: "Unguja Kaskazini" is Kaskazini Unguja.
    """
    keys = _region_keys(name)
    if not compact(name):
        return None
    code = name.strip().upper()  # ids match exactly: "TZ07" is a census p-code, not TZ-07
    for region in db.session.scalars(sa.select(Region)):
        names = [region.name, *filter(None, region.alt_names.split("|"))]
        if code == region.id or any(keys & _region_keys(n) for n in names):
            return region
    return None


def require_region(name: str) -> Region:
    """Like :func:`find_region`, but an unknown name raises.

    Raises:
        UnknownPlaceError: no region fits; ``suggestions`` has close ones.
    """
    region = find_region(name)
    if region is None:
        suggestions = _suggest(fold(name), list_regions(),
                               lambda r: [r.name, *r.alt_names.split("|")])
        raise UnknownPlaceError(_unknown_message("region", name, "in Tanzania", suggestions,
                                                 lambda r: r.name),
                                kind="region", name=name, suggestions=suggestions)
    return region


def _region_keys(name: str) -> set[str]:
    """Keys that ignore spacing ("daressalaam") and word order ("kaskazini unguja")."""
    return {compact(name), " ".join(sorted(fold(name).split()))}


def find_council(region: Region | str, name: str) -> Council:
    """Return the council of ``region`` called ``name``.

    The name may carry its type: "Kondoa TC", "Kondoa (DC)", "Kondoa Town Council",
    "Manispaa ya Temeke"; a council id ("TZ-03-C002") works too. A type that fits no council
    of that name is ignored when the name alone is unique.

    Raises:
        AmbiguousNameError: a bare name fits several councils (e.g. "Kondoa": DC and TC).
        UnknownPlaceError: no council of the region fits; ``suggestions`` has close ones.
    """
    region_id = region if isinstance(region, str) else region.id
    councils = councils_of(region_id)
    where = f"in region {region_id}" if isinstance(region, str) else f"in {region.name}"
    exact = [c for c in councils if c.id == name.strip().upper()] or \
        [c for c in councils if compact(council_label(c)) == compact(name)]
    if exact:
        return exact[0]
    whole = compact(name)
    bare, council_type = split_council_type(name)
    candidates = [(whole, None)]
    if council_type is not None and bare:
        # The type only tells same-named councils apart: "Ilala MC" (its name until 2021)
        # still finds Ilala, now a city council, when no Ilala MC exists.
        candidates += [(compact(bare), council_type), (compact(bare), None)]
    for key, wanted_type in candidates:
        if not key:
            continue
        found = [c for c in councils
                 if key in {compact(c.name), compact(c.known_as or "")}
                 and wanted_type in (None, c.council_type)]
        if len(found) == 1:
            return found[0]
        if found:
            labels = ", ".join(council_label(c) for c in found)
            raise AmbiguousNameError(f"{name.strip()!r} {where} could be: {labels}",
                                     kind="council", name=name, choices=found)
    suggestions = _suggest(bare or fold(name), councils,
                           lambda c: [c.name, c.known_as or ""])
    raise UnknownPlaceError(_unknown_message("council", name, where, suggestions, council_label),
                            kind="council", name=name, suggestions=suggestions)


def find_ward(council: Council | str, name: str) -> Ward:
    """Return the ward of ``council`` called ``name`` (or with that id, "W01116").

    Raises:
        AmbiguousNameError: several wards of the council fold to the same name.
        UnknownPlaceError: no ward fits; ``suggestions`` has close ones.
    """
    council_id = council if isinstance(council, str) else council.id
    where = f"in council {council_id}" if isinstance(council, str) else \
        f"in {council_label(council)}"
    wards = wards_of(council_id)
    key = compact(name)
    found = [w for w in wards if w.id == name.strip().upper()] or \
        [w for w in wards if key and compact(w.search_key) == key]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousNameError(f"{name.strip()!r} {where} could be: "
                                 f"{', '.join(f'{w.name} ({w.id})' for w in found)}",
                                 kind="ward", name=name, choices=found)
    suggestions = _suggest(fold(name), wards, lambda w: [w.search_key])
    raise UnknownPlaceError(_unknown_message("ward", name, where, suggestions, lambda w: w.name),
                            kind="ward", name=name, suggestions=suggestions)


def resolve_place(region: str, council: str, ward: str | None = None) -> Place:
    """Resolve three typed names (e.g. a responder CSV row) to places, top down.

    Raises:
        UnknownPlaceError, AmbiguousNameError: ``kind`` says which of the three names failed.
    """
    found_region = require_region(region)
    found_council = find_council(found_region, council)
    found_ward = find_ward(found_council, ward) if ward and ward.strip() else None
    return Place(found_region, found_council, found_ward)


def _suggest(typed: str, places: Sequence[P], names: Callable[[P], list[str]]) -> list[P]:
    """Return the places whose names are closest to ``typed``, best first, without repeats."""
    if not typed:
        return []
    choices = {(i, n): fold(n) for i, place in enumerate(places) for n in names(place) if n}
    scored = process.extract(fold(typed), choices, scorer=fuzz.WRatio,
                             score_cutoff=SUGGESTION_CUTOFF, limit=None)
    best: dict[int, float] = {}
    for _, score, (index, _name) in scored:
        best[index] = max(score, best.get(index, 0))
    ranked = sorted(best, key=lambda i: (-best[i], fold(places[i].name), places[i].id))
    return [places[i] for i in ranked[:SUGGESTION_LIMIT]]


def _unknown_message(kind: str, name: str, where: str, suggestions: Sequence[P],
                     label: Callable[[P], str]) -> str:
    message = f"no {kind} called {name.strip()!r} {where}"
    if suggestions:
        message += "; did you mean: " + ", ".join(label(s) for s in suggestions)
    return message


# -- keypad search -----------------------------------------------------------------------------

def search_wards(council_id: str, typed: str, limit: int = 6) -> list[Ward]:
    """Return the wards of a council that best fit the first letters someone typed.

    Best first: names starting with the letters ("kari" → Kariakoo), then a later word starting
    with them ("ngombe" → Boma la Ng'ombe), then close spellings ("kariyakoo" → Kariakoo).
    Digits only ("5274") are read as keypad letters (K-A-R-I), for phones left in numeric mode.
    """
    wards = wards_of(council_id)
    return [wards[i] for i in rank_typed(typed, [w.name for w in wards], limit)]


# -- coordinates -------------------------------------------------------------------------------

def best_point(ward: Ward | None = None, council: Council | None = None,
               region: Region | None = None) -> Point | None:
    """Return the most precise known (lat, lon) for a place, or None.

    Wards have no coordinates of their own in the 2022 data, so a ward's best point is its
    council's seat, else its region's point. The seats and region points are approximate (a
    GeoNames town of the council's name; a region point up to 210 km from the capital): good
    for "nearest responder" fallbacks, not for distances inside a council.
    """
    if ward is not None:
        council = council or ward.council
    if council is not None:
        region = region or council.region
    return first_point(ward, council, region)
