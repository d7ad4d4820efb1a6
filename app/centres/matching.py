"""Which centres can take a child, nearest first. Pure: no database, no clock."""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.referral.matching import NATIONAL, Point, Site, haversine_km

#: What a placement needs unless the lead says otherwise: somewhere for the child to stay.
NEEDED_SERVICE = "shelter"


@dataclass(frozen=True)
class CentreInfo:
    id: int
    region_id: str
    council_id: str | None
    ward_id: str | None
    point: Point | None
    services: frozenset[str]
    takes: frozenset[str]  # "girls", "boys"; empty when not known
    age_min: int | None  # None when not known
    age_max: int | None
    free: int
    reachable: bool  # has a confirmed, on-duty contact


@dataclass(frozen=True)
class Need:
    """What the lead said about the child: ``sex`` "girls"/"boys" and ``age`` when known."""

    sex: str | None = None
    age: int | None = None
    service: str = NEEDED_SERVICE


def _tier(site: Site, c: CentreInfo) -> int:
    if site.ward_id is not None and c.ward_id == site.ward_id:
        return 0
    if c.council_id is not None and c.council_id == site.council_id:
        return 1
    if c.region_id == site.region_id:
        return 2
    return NATIONAL


def fits(c: CentreInfo, need: Need) -> bool:
    """Free place, reachable by SMS, offers the service, takes this child. A centre whose
    intake is not known is not offered for a child the lead described: nobody should carry a
    child to a door that may stay shut."""
    ages_fit = (need.age is None or (c.age_min is not None and c.age_max is not None
                                     and c.age_min <= need.age <= c.age_max))
    return (c.free > 0 and c.reachable and need.service in c.services
            and (need.sex is None or need.sex in c.takes) and ages_fit)


def rank_centres(site: Site, centres: list[CentreInfo], need: Need, *,
                 exclude: frozenset[int] = frozenset()) -> list[CentreInfo]:
    """Centres that fit, nearest first (same ward, council, region, then by distance)."""
    def key(c: CentreInfo) -> tuple[int, float, int]:
        km = (math.inf if site.point is None or c.point is None
              else float(round(haversine_km(site.point, c.point))))
        return (_tier(site, c), km, c.id)

    return sorted((c for c in centres if c.id not in exclude and fits(c, need)), key=key)


_SEX_WORDS = {"girl": "girls", "girls": "girls", "msichana": "girls", "wasichana": "girls",
              "f": "girls", "boy": "boys", "boys": "boys", "mvulana": "boys",
              "wavulana": "boys", "m": "boys"}
_AGE_WORDS = {"age", "umri", "miaka", "years"}


def parse_need(words: str) -> tuple[Need, int | None]:
    """Read ``MAHALI <case>``'s tail: an optional choice number first, then optional words
    for the child ("msichana", "boy", "umri 14" / "age 14"). Returns (need, choice)."""
    tokens = [t.strip(".,;:").lower() for t in words.split()]
    choice: int | None = None
    sex: str | None = None
    age: int | None = None
    if tokens and tokens[0].isdigit() and len(tokens[0]) <= 2:
        choice = int(tokens.pop(0))
    it = iter(tokens)
    for token in it:
        if token in _SEX_WORDS:
            sex = _SEX_WORDS[token]
        elif token in _AGE_WORDS:
            nxt = next(it, "")
            if nxt.isdigit():
                age = int(nxt)
    return Need(sex=sex, age=age), choice
