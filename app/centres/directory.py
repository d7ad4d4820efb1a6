"""The protection centre directory: CSV import (all-or-nothing, idempotent) and export.

Same rules as the responder directory, whose helpers it uses: rows keyed by centre name,
every bad row listed with its line number and nothing written, places read as the gazetteer
reads them. Each contact number becomes (or already is) a ``shelter`` responder, who gets the
usual confirmation SMS and receives no placement request until they reply ANZA/START.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa

from app.centres.models import SERVICES, TAKES, Centre, CentreContact, CentreKind
from app.csvrows import ImportFileError, read_rows
from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.privacy import phone_hash
from app.referral.directory import (
    ask_confirmation,
    parse_phone,
    resolve_place_ids,
)
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from app.staff.services import audit

HEADER: Final = ("name", "kind", "region", "council", "ward", "services", "takes", "ages",
                 "beds", "contacts")
#: Export adds these; import ignores them, so an export imports back unchanged.
EXPORT_EXTRA: Final = ("taken", "free")
MAX_AGE: Final = 30  # vocational centres take young adults too
_AGES = re.compile(r"^(\d{1,2})\s*-\s*(\d{1,2})$")

__all__ = [
    "HEADER",
    "CentreRow",
    "ImportFileError",
    "export_rows",
    "import_centres",
    "parse_csv",
    "write_csv",
]


@dataclass(frozen=True)
class CentreRow:
    line: int
    name: str
    kind: CentreKind
    region_id: str
    council_id: str | None
    ward_id: str | None
    services: str
    takes: str  # "" when not known
    age_min: int | None  # both None when not known
    age_max: int | None
    beds: int
    contacts: tuple[str, ...]

    def fields(self) -> dict[str, Any]:
        return {"kind": self.kind, "region_id": self.region_id, "council_id": self.council_id,
                "ward_id": self.ward_id, "services": self.services, "takes": self.takes,
                "age_min": self.age_min, "age_max": self.age_max, "beds": self.beds}


@dataclass
class CentreImportSummary:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    new_contacts: list[int] = field(default_factory=list)


def parse_csv(content: str) -> list[CentreRow]:
    """Check every row of a centre CSV against the contract and the gazetteer.

    Raises:
        ImportFileError: any row is bad; every bad row is listed, nothing is returned.
    """
    rows, errors = read_rows(content, HEADER, _parse_row, lambda row: row.name.casefold(),
                             lambda row, first: f"centre {row.name!r} is already on line {first}")
    errors += _contact_role_errors(rows)
    if errors:
        raise ImportFileError(sorted(errors, key=lambda e: int(e.split()[1].rstrip(":"))))
    if not rows:
        raise ImportFileError(["line 2: the file has a header but no centres"])
    return rows


def _parse_row(line: int, rec: dict[str, str]) -> CentreRow:
    name = rec.get("name", "")
    if not name:
        raise ValueError("name is empty")
    if len(name) > 160:
        raise ValueError("name is longer than 160 characters")
    try:
        kind = CentreKind(rec.get("kind", "").lower())
    except ValueError:
        raise ValueError(f"kind {rec.get('kind')!r} must be one of "
                         f"{', '.join(k.value for k in CentreKind)}") from None
    region, council, ward = resolve_place_ids(rec.get("region", ""), rec.get("council", ""),
                                              rec.get("ward", ""))
    services = _choices(rec.get("services", ""), SERVICES, "services")
    # Whom a centre takes may not be known yet (an example row, a centre not asked yet):
    # empty is honest, and such a centre is offered only for a child not described.
    takes = _choices(rec.get("takes", ""), TAKES, "takes") if rec.get("takes") else ""
    age_min, age_max = _ages(rec.get("ages", ""))
    beds_raw = rec.get("beds", "")
    if not beds_raw.isdigit():
        raise ValueError(f"beds {beds_raw!r} must be a whole number (0 or more)")
    contacts: list[str] = []
    for cell in filter(None, (c.strip() for c in rec.get("contacts", "").split(";"))):
        phone = parse_phone(cell)
        if phone not in contacts:
            contacts.append(phone)
    return CentreRow(line, name, kind, region, council, ward, services, takes, age_min,
                     age_max, int(beds_raw), tuple(contacts))


def _ages(raw: str) -> tuple[int | None, int | None]:
    if not raw:
        return None, None
    match = _AGES.match(raw)
    if match is None:
        raise ValueError(f"ages {raw!r} must be MIN-MAX, e.g. 6-17, or empty when not known")
    age_min, age_max = int(match.group(1)), int(match.group(2))
    if age_min > age_max or age_max > MAX_AGE:
        raise ValueError(f"ages {raw!r}: MIN must not exceed MAX, "
                         f"and MAX must be at most {MAX_AGE}")
    return age_min, age_max


def _choices(raw: str, allowed: tuple[str, ...], column: str) -> str:
    given = [p.strip().lower() for p in raw.split(";") if p.strip()]
    bad = [p for p in given if p not in allowed]
    if not given or bad:
        what = f"unknown {', '.join(repr(b) for b in bad)}" if bad else "empty"
        raise ValueError(f"{column} is {what}: use ;-separated {', '.join(allowed)}")
    return ";".join(a for a in allowed if a in given)


def _contact_role_errors(rows: list[CentreRow]) -> list[str]:
    """A contact number already in the directory must belong to a ``shelter`` responder."""
    errors = []
    for row in rows:
        for phone in row.contacts:
            role = db.session.scalar(sa.select(Responder.role).where(
                Responder.phone_hash == phone_hash(phone)))
            if role is not None and role is not ResponderRole.SHELTER:
                errors.append(f"line {row.line}: contact {phone} is a {role.value} responder; "
                              "a centre contact must have the shelter role (use another "
                              "number or change the responder's role)")
    return errors


def import_centres(rows: Iterable[CentreRow], *, actor: str, added_by: str
                   ) -> CentreImportSummary:
    """Add new centres, update changed ones, leave the same ones alone; audit the import.

    ``taken`` is never changed by an import: only admissions and discharges move it.
    """
    summary = CentreImportSummary()
    for row in rows:
        centre = db.session.scalar(sa.select(Centre).where(
            sa.func.lower(Centre.name) == row.name.lower()))
        wanted = row.fields()
        if centre is None:
            centre = Centre(name=row.name, taken=0, **wanted)
            db.session.add(centre)
            db.session.flush()
            summary.added.append(centre.id)
            changed = True
        else:
            diff = {k: v for k, v in wanted.items() if getattr(centre, k) != v}
            for key, value in diff.items():
                setattr(centre, key, value)
            changed = bool(diff)
        changed |= _set_contacts(centre, row, added_by, summary)
        if centre.id not in summary.added:
            if changed:
                summary.updated.append(centre.id)
            else:
                summary.unchanged += 1
    audit(actor, "centres.import", "centre", None, added=summary.added,
          updated=summary.updated, unchanged=summary.unchanged,
          new_contacts=summary.new_contacts)
    return summary


def _set_contacts(centre: Centre, row: CentreRow, added_by: str,
                  summary: CentreImportSummary) -> bool:
    wanted: list[int] = []
    for phone in row.contacts:
        responder = db.session.scalar(sa.select(Responder).where(
            Responder.phone_hash == phone_hash(phone)))
        if responder is None:
            responder = Responder(name=row.name[:120], role=ResponderRole.SHELTER,
                                  region_id=row.region_id, council_id=row.council_id,
                                  ward_id=row.ward_id, languages="sw", language="sw",
                                  on_duty=True)
            responder.phone = phone
            db.session.add(responder)
            db.session.flush()
            ask_confirmation(responder, added_by)
            summary.new_contacts.append(responder.id)
        wanted.append(responder.id)
    links = db.session.scalars(sa.select(CentreContact).where(
        CentreContact.centre_id == centre.id)).all()
    have = {link.responder_id for link in links}
    for link in links:
        if link.responder_id not in wanted:
            db.session.delete(link)
    for rid in wanted:
        if rid not in have:
            db.session.add(CentreContact(centre_id=centre.id, responder_id=rid))
    db.session.flush()
    return have != set(wanted)


def contact_phones(centre_id: int) -> list[str]:
    rows = db.session.scalars(sa.select(Responder).join(
        CentreContact, CentreContact.responder_id == Responder.id).where(
        CentreContact.centre_id == centre_id).order_by(CentreContact.id))
    return [r.phone for r in rows]


def export_rows() -> list[dict[str, str]]:
    """Every centre as a CSV row that imports back unchanged."""
    from app.gazetteer.services import council_label

    out = []
    for c in db.session.scalars(sa.select(Centre).order_by(Centre.id)):
        council = db.session.get(Council, c.council_id) if c.council_id else None
        ward = db.session.get(Ward, c.ward_id) if c.ward_id else None
        out.append({
            "name": c.name, "kind": c.kind.value,
            "region": db.session.get_one(Region, c.region_id).name,
            "council": council_label(council) if council else "",
            "ward": ward.name if ward else "", "services": c.services, "takes": c.takes,
            "ages": "" if c.age_min is None else f"{c.age_min}-{c.age_max}",
            "beds": str(c.beds),
            "contacts": ";".join(contact_phones(c.id)),
            "taken": str(c.taken), "free": str(c.free),
        })
    return out


def write_csv(rows: list[dict[str, str]], out: io.TextIOBase | Any) -> None:
    writer = csv.DictWriter(out, fieldnames=[*HEADER, *EXPORT_EXTRA], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
