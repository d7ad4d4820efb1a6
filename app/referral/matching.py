"""Nearest first: rank the responders who can take a case. Pure, deterministic.

Closeness is administrative first (same ward, same council, same region, anywhere), because a
ward executive two kilometres away across a council border has no authority here; distance
between best-known points orders responders within a tier, and among equals (same tier, same
whole kilometre) the one with fewest open cases goes first, then the lowest id.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

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
    return _take_turns({role: [c for c in ranked if c.role is role] for role in roles},
                       roles, count)


def _take_turns(by_role: dict[ResponderRole, list[Candidate]], roles: Sequence[ResponderRole],
                count: int) -> list[Candidate]:
    queues = {role: list(found) for role, found in by_role.items()}
    chosen: list[Candidate] = []
    while len(chosen) < count and any(queues.values()):
        for role in roles:
            if queues[role] and len(chosen) < count:
                chosen.append(queues[role].pop(0))
    return chosen


@dataclass
class Directory:
    """Available candidates filed by role and by ward, council and region.

    Ranking all 50,000 responders of the country for every wave took ~1.5 s per case
    (docs/PERFORMANCE.md); a wave needs a handful, and the tiers put the case's own ward,
    council and region first, so only those drawers are opened, and the whole country only
    when they hold too few. Candidate ids are assumed unique (they are primary keys).
    """

    by_ward: dict[tuple[ResponderRole, str | None], list[Candidate]] = field(
        default_factory=lambda: defaultdict(list))
    by_council: dict[tuple[ResponderRole, str | None], list[Candidate]] = field(
        default_factory=lambda: defaultdict(list))
    by_region: dict[tuple[ResponderRole, str], list[Candidate]] = field(
        default_factory=lambda: defaultdict(list))
    by_role: dict[ResponderRole, list[Candidate]] = field(
        default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> Directory:
        d = cls()
        for c in candidates:
            if c.available:
                d.by_ward[(c.role, c.ward_id)].append(c)
                d.by_council[(c.role, c.council_id)].append(c)
                d.by_region[(c.role, c.region_id)].append(c)
                d.by_role[c.role].append(c)
        return d

    def drawer(self, site: Site, role: ResponderRole, reach: int) -> list[Candidate]:
        """Available candidates of ``role`` holding every one of tier ``reach`` (and some
        nearer ones, which ``nearest`` drops)."""
        if reach == WARD:
            return self.by_ward.get((role, site.ward_id), []) if site.ward_id is not None else []
        if reach == COUNCIL:
            return self.by_council.get((role, site.council_id), [])
        if reach == REGION:
            return self.by_region.get((role, site.region_id), [])
        return self.by_role.get(role, [])

    def nearest(self, site: Site, role: ResponderRole, count: int, *,
                exclude: Collection[int] = (), max_tier: int = NATIONAL) -> list[Candidate]:
        """The first ``count`` of ``rank`` for one role, a tier at a time: every candidate
        of a nearer tier ranks before any of a farther one, so only the tiers needed are
        read, and within one only its best are sorted. Distances are worked out once per
        point (most responders share their ward's or council's)."""
        km_of: dict[Point, float] = {}

        def key(c: Candidate) -> tuple[float, int, int]:
            if site.point is None or c.point is None:
                return (math.inf, c.open_cases, c.id)
            km = km_of.get(c.point)
            if km is None:
                km = km_of[c.point] = float(round(haversine_km(site.point, c.point)))
            return (km, c.open_cases, c.id)

        found: list[Candidate] = []
        for reach in range(max_tier + 1):
            fresh = [c for c in self.drawer(site, role, reach)
                     if c.id not in exclude and tier(site, c) == reach]
            found.extend(heapq.nsmallest(count - len(found), fresh, key=key))
            if len(found) >= count:
                break
        return found

    def suffices(self, site: Site, roles: Sequence[ResponderRole], count: int, *,
                 exclude: Collection[int] = (), max_tier: int = NATIONAL) -> bool:
        """Whether every role has ``count`` candidates within ``max_tier``: then a wider
        reach would choose exactly the same people."""
        return all(len(self.nearest(site, role, count, exclude=exclude, max_tier=max_tier))
                   >= count for role in roles)


def pick_from(site: Site, directory: Directory, roles: Sequence[ResponderRole], count: int,
              *, exclude: Collection[int] = (), max_tier: int = NATIONAL) -> list[Candidate]:
    """``pick`` over a ``Directory``: the same people in the same order, reading only the
    drawers near the case."""
    by_role = {role: directory.nearest(site, role, count, exclude=exclude, max_tier=max_tier)
               for role in roles}
    return _take_turns(by_role, roles, count)
