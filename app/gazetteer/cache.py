"""The places, in memory: read once per process, read again when the version stamp moves.

Regions, councils and wards change once a census, yet every USSD hop lists some of them. A
process keeps plain, read-only copies (never ORM objects, which belong to one session) and
compares the stamp ``gazetteer_versions.version`` at most every ``RECHECK_SECONDS``; ``linda
gazetteer load`` raises the stamp when it changes a place, so every web process on every
machine shows the new places within that time, without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.gazetteer.matching import first_point, rank_typed
from app.gazetteer.models import Council, GazetteerVersion, Region, Ward
from app.gazetteer.names import council_label_of, fold, short_council_labels

#: How stale a process's copy may be after a load, at most.
RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Listed:
    """A place as a menu lists it: its id and the label people read."""

    id: str
    label: str
    short: str | None = None  # a shorter label for a crowded list ("Handeni DC")


@dataclass(frozen=True)
class PlaceRow:
    """What an SMS and the matcher need of one place: its name, council type and everyday
    name (councils only), and its coordinates when known (``matching.first_point`` reads
    them as it reads the models')."""

    name: str
    lat: float | None = None
    lon: float | None = None
    council_type: str | None = None
    known_as: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: menus cache labels per copy
class Places:
    """Every place, sorted as the menus list them (the order of ``services.*_of``), and each
    by id (``region_rows`` etc.) for the referral's texts and distances."""

    version: int
    regions: tuple[Listed, ...]
    councils: Mapping[str, tuple[Listed, ...]]  # by region id
    wards: Mapping[str, tuple[Listed, ...]]  # by council id
    region_rows: Mapping[str, PlaceRow] = field(default_factory=dict)
    council_rows: Mapping[str, PlaceRow] = field(default_factory=dict)
    ward_rows: Mapping[str, PlaceRow] = field(default_factory=dict)
    #: Every known point, by ("region" | "council" | "ward", id).
    points: Mapping[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def search_wards(self, council_id: str, typed: str, limit: int) -> list[Listed]:
        """The wards of a council that fit what was typed, best first (``rank_typed``)."""
        wards = self.wards.get(council_id, ())
        return [wards[i] for i in rank_typed(typed, [w.label for w in wards], limit)]


_lock = threading.Lock()
_cached: dict[str, tuple[Places, float]] = {}  # by database URL: tests and benches use several


def current_version() -> int:
    """The stamp in the database (0 before the first load)."""
    return db.session.scalar(
        sa.select(GazetteerVersion.version).where(GazetteerVersion.id == 1)) or 0


def cached_places() -> Places:
    """This process's copy of the places, read again if the stamp moved since it was made."""
    key = db.engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _lock:
        entry = _cached.get(key)
    if entry is not None and now - entry[1] < RECHECK_SECONDS:
        return entry[0]
    version = current_version()
    places = entry[0] if entry is not None and entry[0].version == version else _read(version)
    with _lock:
        _cached[key] = (places, now)
    return places


def forget_cached_places() -> None:
    """Drop this process's copies (after a load in this process, and in tests)."""
    with _lock:
        _cached.clear()


def _read(version: int) -> Places:
    regions = sorted(db.session.execute(sa.select(Region.id, Region.name, Region.lat,
                                                  Region.lon)).all(),
                     key=lambda r: (fold(r.name), r.name, r.id))
    region_rows = {r.id: PlaceRow(r.name, r.lat, r.lon) for r in regions}
    by_region: dict[str, list[Any]] = {}
    rows = db.session.execute(sa.select(Council.id, Council.region_id, Council.name,
                                        Council.council_type, Council.known_as,
                                        Council.lat, Council.lon)).all()
    council_rows = {c.id: PlaceRow(c.name, c.lat, c.lon, c.council_type, c.known_as)
                    for c in rows}
    for c in sorted(rows, key=lambda c: (fold(c.known_as or c.name), c.council_type, c.id)):
        by_region.setdefault(c.region_id, []).append(c)
    councils: dict[str, list[Listed]] = {}
    for region_id, listed in by_region.items():
        shorts = short_council_labels([(c.name, c.council_type, c.known_as) for c in listed])
        councils[region_id] = [Listed(c.id, council_label_of(c.name, c.council_type, c.known_as),
                                      short) for c, short in zip(listed, shorts, strict=True)]
    wards: dict[str, list[Listed]] = {}
    rows = db.session.execute(sa.select(Ward.id, Ward.council_id, Ward.name, Ward.lat,
                                        Ward.lon)).all()
    ward_rows = {w.id: PlaceRow(w.name, w.lat, w.lon) for w in rows}
    for w in sorted(rows, key=lambda w: (fold(w.name), w.name, w.id)):
        wards.setdefault(w.council_id, []).append(Listed(w.id, w.name))
    return Places(version, tuple(Listed(r.id, r.name) for r in regions),
                  {k: tuple(v) for k, v in councils.items()},
                  {k: tuple(v) for k, v in wards.items()},
                  region_rows, council_rows, ward_rows,
                  {(kind, pid): point
                   for kind, rows in (("region", region_rows), ("council", council_rows),
                                      ("ward", ward_rows))
                   for pid, row in rows.items() if (point := first_point(row)) is not None})
