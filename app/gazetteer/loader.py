"""Load the shipped gazetteer files into the database (idempotent, bulk).

The files in ``data/`` are read, checked and compared with the rows already stored: new rows
are inserted, changed rows updated, identical rows left alone, all in a few statements. Rows
that are no longer in the files are kept, because cases point at them by id.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.gazetteer.cache import forget_cached_places
from app.gazetteer.matching import parse_coordinate
from app.gazetteer.models import Council, GazetteerVersion, Region, Ward
from app.gazetteer.names import COUNCIL_TYPES, compact, fold

DATA_DIR = Path(__file__).parent / "data"
REGIONS_FILE = "tz_regions.csv"
COUNCILS_FILE = "tz_councils_2022.csv"
WARDS_FILE = "tz_wards_2022.csv"
ALIASES_FILE = "place_aliases.csv"


class GazetteerDataError(ValueError):
    """A gazetteer file is missing, malformed or inconsistent (the message names file and line)."""


@dataclass(frozen=True)
class LoadResult:
    """What a load found in the files and what it changed in the database."""

    regions: int
    councils: int
    wards: int
    added: int
    updated: int

    def __str__(self) -> str:
        return (f"{self.regions} regions, {self.councils} councils, {self.wards} wards "
                f"({self.added} added, {self.updated} updated)")


def load_gazetteer(data_dir: Path = DATA_DIR) -> LoadResult:
    """Insert or update regions, councils and wards from the files in ``data_dir``.

    Running it twice changes nothing the second time. The caller commits.

    Raises:
        GazetteerDataError: a file is missing or a row is invalid; nothing was written.
    """
    regions, councils, wards = read_gazetteer(data_dir)
    added = updated = 0
    for model, rows in ((Region, regions), (Council, councils), (Ward, wards)):
        new, changed = _upsert(model, rows)
        added, updated = added + new, updated + changed
    stamp = db.session.get(GazetteerVersion, 1)
    if stamp is None:
        db.session.add(GazetteerVersion(id=1, version=1, changed_at=utcnow()))
    elif added or updated:
        stamp.version += 1  # every web process reads the places again within seconds
        stamp.changed_at = utcnow()
    db.session.flush()
    forget_cached_places()
    return LoadResult(len(regions), len(councils), len(wards), added, updated)


Row = dict[str, Any]


def read_gazetteer(data_dir: Path = DATA_DIR) -> tuple[list[Row], list[Row], list[Row]]:
    """Read and check the files; return region, council and ward rows as column dicts.

    Raises:
        GazetteerDataError: a file is missing or a row is invalid.
    """
    region_alts, council_known_as = _read_aliases(data_dir / ALIASES_FILE)

    regions: dict[str, Row] = {}
    for where, rec in _records(data_dir / REGIONS_FILE):
        region_id = _required(rec, "iso3166_2", where)
        _unique(regions, region_id, where)
        name = _required(rec, "nbs2022_name", where)
        alts = [rec.get("iso_english_name", "").strip(), *region_alts.pop(region_id, [])]
        regions[region_id] = {
            "id": region_id, "name": name, "pcode": rec.get("hdx_nbs_pcode") or None,
            "lat": _coordinate(rec, "lat", where), "lon": _coordinate(rec, "lon", where),
            "alt_names": "|".join(a for a in dict.fromkeys(alts) if a and a != name),
        }

    councils: dict[str, Row] = {}
    for where, rec in _records(data_dir / COUNCILS_FILE):
        council_id = _required(rec, "council_id", where)
        _unique(councils, council_id, where)
        region = _parent(regions, _required(rec, "iso3166_2", where), "region", where)
        council_type = _required(rec, "council_type", where)
        if council_type not in COUNCIL_TYPES:
            raise GazetteerDataError(f"{where}: unknown council_type {council_type!r} "
                                     f"(expected one of {', '.join(COUNCIL_TYPES)})")
        name = _required(rec, "council_name", where)
        if compact(name) == compact(region["name"]):
            name = region["name"]  # NBS writes "Dar Es Salaam" for the council: use one spelling
        councils[council_id] = {
            "id": council_id, "region_id": region["id"], "name": name,
            "council_type": council_type, "known_as": council_known_as.pop(council_id, None),
            "lat": _coordinate(rec, "seat_lat", where), "lon": _coordinate(rec, "seat_lon", where),
        }

    wards: dict[str, Row] = {}
    for where, rec in _records(data_dir / WARDS_FILE):
        ward_id = _required(rec, "ward_id", where)
        _unique(wards, ward_id, where)
        council = _parent(councils, _required(rec, "council_id", where), "council", where)
        if rec.get("iso3166_2") and rec["iso3166_2"] != council["region_id"]:
            raise GazetteerDataError(
                f"{where}: ward {ward_id} says region {rec['iso3166_2']} "
                f"but its council {council['id']} is in {council['region_id']}")
        name = _required(rec, "ward_name", where)
        wards[ward_id] = {"id": ward_id, "council_id": council["id"], "name": name,
                          "search_key": fold(name), "lat": None, "lon": None}

    leftover = [*region_alts, *council_known_as]
    if leftover:
        raise GazetteerDataError(f"{ALIASES_FILE}: aliases for unknown ids: {', '.join(leftover)}")
    return list(regions.values()), list(councils.values()), list(wards.values())


def _upsert(model: type[Region | Council | Ward], rows: Sequence[Row]) -> tuple[int, int]:
    """Insert missing rows and update changed ones by primary key; return (added, updated)."""
    if not rows:
        return 0, 0
    columns = list(rows[0])
    stored = {
        values[0]: dict(zip(columns, values, strict=True))
        for values in db.session.execute(sa.select(*(getattr(model, c) for c in columns)))
    }
    new = [row for row in rows if row["id"] not in stored]
    changed = [row for row in rows if row["id"] in stored and stored[row["id"]] != row]
    if new:
        db.session.execute(sa.insert(model), new)
    if changed:
        db.session.execute(sa.update(model), changed)
    return len(new), len(changed)


def _read_aliases(path: Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    region_alts: dict[str, list[str]] = {}
    council_known_as: dict[str, str] = {}
    for where, rec in _records(path):
        kind, place_id = _required(rec, "kind", where), _required(rec, "id", where)
        alias = _required(rec, "alias", where)
        if kind == "region":
            region_alts.setdefault(place_id, []).append(alias)
        elif kind == "council":
            if place_id in council_known_as:
                raise GazetteerDataError(f"{where}: council {place_id} already has an alias")
            council_known_as[place_id] = alias
        else:
            raise GazetteerDataError(f"{where}: kind must be region or council, not {kind!r}")
    return region_alts, council_known_as


def _records(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("file:line", record) for each data row of a UTF-8 CSV file."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for record in reader:
                yield f"{path.name}:{reader.line_num}", {
                    k: (v or "").strip() for k, v in record.items() if k is not None}
    except FileNotFoundError:
        raise GazetteerDataError(f"missing gazetteer file {path}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GazetteerDataError(f"{path.name}: not a readable UTF-8 CSV file ({exc})") from None


def _required(record: dict[str, str], column: str, where: str) -> str:
    value = record.get(column, "")
    if not value:
        raise GazetteerDataError(f"{where}: column {column!r} is empty or missing")
    return value


def _unique(seen: dict[str, Row], key: str, where: str) -> None:
    if key in seen:
        raise GazetteerDataError(f"{where}: duplicate id {key}")


def _parent(rows: dict[str, Row], key: str, kind: str, where: str) -> Row:
    try:
        return rows[key]
    except KeyError:
        raise GazetteerDataError(f"{where}: unknown {kind} {key}") from None


def _coordinate(record: dict[str, str], column: str, where: str) -> float | None:
    try:
        return parse_coordinate(record.get(column, ""), column)
    except ValueError as exc:
        raise GazetteerDataError(f"{where}: {exc}") from None
