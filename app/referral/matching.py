"""Nearest first: rank the responders who can take a case. Pure, deterministic.

Closeness is administrative first (same ward, same council, same region, anywhere), because a
ward executive two kilometres away across a council border has no authority here; distance
between best-known points orders responders within a tier, and among equals (same tier, same
whole kilometre) the one with fewest open cases goes first, then the lowest id.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from app.referral.roles import ResponderRole

Point = tuple[float, float]

WARD, COUNCIL, REGION, NATIONAL = 0, 1, 2, 3


@dataclass(frozen=True)
class Site:
    """Where a case happened."""

    region_id: str
    council_id: str
    ward_id: str | None
    point: Point | None


@dataclass(frozen=True)
class Candidate:
    """A responder as matching sees them."""

    id: int
    role: ResponderRole
    region_id: str
    council_id: str | None
    ward_id: str | None
    point: Point | None
    available: bool  # on duty and confirmed
    open_cases: int = 0


def tier(site: Site, c: Candidate) -> int:
    """0 same ward, 1 same council, 2 same region, 3 elsewhere."""
    if site.ward_id is not None and c.ward_id == site.ward_id:
        return WARD
    if c.council_id == site.council_id:
        return COUNCIL
    if c.region_id == site.region_id:
        return REGION
    return NATIONAL


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def rank(site: Site, candidates: Iterable[Candidate], roles: Collection[ResponderRole], *,
         exclude: Collection[int] = (), max_tier: int = NATIONAL) -> list[Candidate]:
    """Available candidates of ``roles`` within ``max_tier``, nearest first.

    Args:
        exclude: responder ids already alerted on this case (declined, failed or waiting).
    """
    def key(c: Candidate) -> tuple[int, float, int, int]:
        km = (math.inf if site.point is None or c.point is None
              else float(round(haversine_km(site.point, c.point))))
        return (tier(site, c), km, c.open_cases, c.id)

    eligible = [c for c in candidates
                if c.available and c.role in roles and c.id not in exclude
                and tier(site, c) <= max_tier]
    return sorted(eligible, key=key)


def pick(site: Site, candidates: Iterable[Candidate], roles: Sequence[ResponderRole],
         count: int, *, exclude: Collection[int] = (),
         max_tier: int = NATIONAL) -> list[Candidate]:
    """Choose ``count`` responders: the nearest of each role in turn, then the next of each.

    A wave naming police and social welfare therefore reaches one of each before two police.
    """
    ranked = rank(site, candidates, roles, exclude=exclude, max_tier=max_tier)
    by_role = {role: [c for c in ranked if c.role is role] for role in roles}
    chosen: list[Candidate] = []
    while len(chosen) < count and any(by_role.values()):
        for role in roles:
            if by_role[role] and len(chosen) < count:
                chosen.append(by_role[role].pop(0))
    return chosen
