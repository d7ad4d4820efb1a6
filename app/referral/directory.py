"""The responder directory: CSV import (all-or-nothing, idempotent) and export.

Rows are keyed by phone number. A row whose number is new becomes a new, unconfirmed
responder who gets one SMS asking them to reply ANZA/START; until that reply they receive no
alerts. Responders missing from a file are kept (the file may cover one council only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa

from app.csvrows import ImportFileError, read_rows
from app.extensions import db
from app.gazetteer import services as gz
from app.gazetteer.matching import parse_coordinate
from app.gazetteer.models import Council, Region, Ward
from app.phone import InvalidPhoneError, normalise_phone
from app.privacy import phone_hash
from app.referral.models import Responder
from app.referral.reoffer import became_available
from app.referral.roles import ResponderRole, parse_role
from app.referral.texts import text
from app.sms.services import queue_sms
from app.staff.services import audit

HEADER: Final = ("name", "phone", "role", "region", "council", "ward", "languages", "on_duty")
OPTIONAL: Final = ("lat", "lon")
#: Export adds these after the contract's columns; import ignores them.
EXPORT_EXTRA: Final = ("confirmed", "last_verified")
LANGUAGE_SETS: Final = {"sw": "sw", "en": "en", "sw;en": "sw;en", "en;sw": "en;sw"}


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    phone: str
    role: ResponderRole
    region_id: str
    council_id: str | None
    ward_id: str | None
    languages: str
    on_duty: bool
    lat: float | None
    lon: float | None

    def fields(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "region_id": self.region_id,
                "council_id": self.council_id, "ward_id": self.ward_id,
                "languages": self.languages, "language": self.languages.split(";")[0],
                "on_duty": self.on_duty, "lat": self.lat, "lon": self.lon}


@dataclass
class ImportSummary:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0


def parse_csv(content: str) -> list[Row]:
    """Check every row of a responder CSV against the contract and the gazetteer.

    Raises:
        ImportFileError: any row is bad; every bad row is listed, nothing is returned.
    """
    rows, errors = read_rows(
        content, HEADER, _parse_row, lambda row: row.phone,
        lambda row, first: f"phone {row.phone} is already on line {first}",
        header_hint=" (optionally ,lat,lon)")
    if errors:
        raise ImportFileError(errors)
    if not rows:
        raise ImportFileError(["line 2: the file has a header but no responders"])
    return rows


def parse_record(rec: dict[str, str], line: int = 1) -> Row:
    """One responder typed into a form, checked by the same rules as a CSV row.

    Raises:
        ValueError: the first problem, in the words the CSV import uses.
    """
    return _parse_row(line, {k: (v or "").strip() for k, v in rec.items()})


def _parse_row(line: int, rec: dict[str, str]) -> Row:
    if not rec.get("name"):
        raise ValueError("name is empty")
    phone = parse_phone(rec.get("phone", ""))
    role = parse_role(rec.get("role", ""))
    region, council, ward = _resolve(rec.get("region", ""), rec.get("council", ""),
                                     rec.get("ward", ""))
    languages = LANGUAGE_SETS.get(rec.get("languages", "").lower().replace(" ", ""))
    if languages is None:
        raise ValueError(f"languages {rec.get('languages')!r} must be sw, en or sw;en")
    on_duty = {"yes": True, "no": False}.get(rec.get("on_duty", "").lower())
    if on_duty is None:
        raise ValueError(f"on_duty {rec.get('on_duty')!r} must be yes or no")
    lat, lon = parse_coordinate(rec.get("lat", ""), "lat"), parse_coordinate(rec.get("lon", ""),
                                                                              "lon")
    if (lat is None) != (lon is None):
        raise ValueError("give both lat and lon, or neither")
    return Row(line, rec["name"], phone, role, region, council, ward, languages, on_duty,
               lat, lon)


def parse_phone(raw: str) -> str:
    """E.164 form of a phone cell.

    Raises:
        ValueError: not a Tanzanian number; the message says how to write one.
    """
    try:
        return normalise_phone(raw)
    except InvalidPhoneError:
        raise ValueError(f"phone {raw!r} is not a Tanzanian phone number "
                         "(write 0712345678 or +255712345678)") from None


def _resolve(region: str, council: str, ward: str) -> tuple[str, str | None, str | None]:
    """Region, council and ward ids of a CSV row's place (council and ward may be empty).

    Raises:
        ValueError: a name is unknown or ambiguous; the message carries the suggestions.
    """
    if not region:
        raise ValueError("region is empty")
    if ward and not council:
        raise ValueError("a ward needs its council")
    try:
        if not council:
            found = gz.find_region(region)
            if found is None:
                gz.resolve_place(region, "")  # raises the region error with suggestions
            assert found is not None  # noqa: S101 - resolve_place raised otherwise
            return found.id, None, None
        place = gz.resolve_place(region, council, ward or None)
    except gz.GazetteerLookupError as exc:
        raise ValueError(str(exc)) from None
    return place.region.id, place.council.id, place.ward.id if place.ward else None


#: Shared with other CSV directories (protection centres) so every file reads places alike.
resolve_place_ids = _resolve


def import_responders(rows: Iterable[Row], *, actor: str, added_by: str) -> ImportSummary:
    """Add new responders, update changed ones, leave the same ones alone; audit the import."""
    summary = ImportSummary()
    for row in rows:
        existing = db.session.scalar(
            sa.select(Responder).where(Responder.phone_hash == phone_hash(row.phone)))
        wanted = row.fields()
        if existing is None:
            responder = Responder(**wanted)
            responder.phone = row.phone
            db.session.add(responder)
            db.session.flush()
            ask_confirmation(responder, added_by)
            summary.added.append(responder.id)
            continue
        changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
        if not changed:
            summary.unchanged += 1
            continue
        was_available = existing.can_receive_alerts
        for key, value in changed.items():
            setattr(existing, key, value)
        summary.updated.append(existing.id)
        if existing.can_receive_alerts and not was_available:
            became_available(existing)  # back on duty: cases nobody took may now reach them
    audit(actor, "responders.import", "responder", None, added=summary.added,
          updated=summary.updated, unchanged=summary.unchanged)
    return summary


def ask_confirmation(responder: Responder, added_by: str) -> None:
    """The one SMS a new number gets: who added it, as what, and to reply ANZA/START."""
    if responder.confirm_sms_id is not None:
        return
    lang = responder.language
    body = text(lang, "confirm", who=added_by, role=text(lang, f"role.{responder.role.value}"))
    responder.confirm_sms_id = queue_sms(responder.phone, body, purpose="confirm",
                                         ref_kind="responder", ref_id=responder.id).id


def export_rows(responders: Iterable[Responder] | None = None) -> list[dict[str, str]]:
    """Every responder (or those given) as a CSV row that imports back unchanged."""
    out = []
    if responders is None:
        responders = db.session.scalars(sa.select(Responder).order_by(Responder.id))
    for r in responders:
        council = db.session.get(Council, r.council_id) if r.council_id else None
        ward = db.session.get(Ward, r.ward_id) if r.ward_id else None
        out.append({
            "name": r.name, "phone": r.phone, "role": r.role.value,
            "region": db.session.get_one(Region, r.region_id).name,
            "council": gz.council_label(council) if council else "",
            "ward": ward.name if ward else "", "languages": r.languages,
            "on_duty": "yes" if r.on_duty else "no",
            "lat": "" if r.lat is None else repr(r.lat),
            "lon": "" if r.lon is None else repr(r.lon),
            "confirmed": "yes" if r.confirmed else "no",
            "last_verified": r.last_verified_at.date().isoformat() if r.last_verified_at else "",
        })
    return out


def write_csv(rows: list[dict[str, str]], out: io.TextIOBase | Any) -> None:
    writer = csv.DictWriter(out, fieldnames=[*HEADER, *OPTIONAL, *EXPORT_EXTRA],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
