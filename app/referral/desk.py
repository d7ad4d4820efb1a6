"""The responder directory as hotline staff work it from the dashboard.

Adding and editing use the CSV import's rules (``directory.parse_record``), so a responder
typed into the form and one imported from a file are checked the same way. Every change is
audited with the staff actor; services flush, the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from app.extensions import db
from app.phone import InvalidPhoneError, normalise_phone
from app.privacy import phone_hash
from app.referral.directory import Row, ask_confirmation, parse_record
from app.referral.models import Responder
from app.referral.reoffer import became_available
from app.referral.roles import ResponderRole
from app.staff.services import audit

PAGE_SIZE: Final = 50


class ResponderInputError(ValueError):
    """A form or search names something impossible; the message says what to fix."""


@dataclass(frozen=True)
class Search:
    text: str = ""  # a name fragment, or a phone number (any Tanzanian form)
    role: str = ""
    region_id: str = ""
    state: str = ""  # "", on_duty, off_duty, unconfirmed
    page: int = 1


def search(s: Search) -> tuple[list[Responder], bool]:
    """One page of responders matching ``s``, by name; and whether another page follows."""
    query = sa.select(Responder).order_by(Responder.name, Responder.id)
    text = s.text.strip()
    if text:
        try:
            query = query.where(Responder.phone_hash == phone_hash(normalise_phone(text)))
        except InvalidPhoneError:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(Responder.name.ilike(like, escape="\\"))
    if s.role:
        try:
            query = query.where(Responder.role == ResponderRole(s.role))
        except ValueError:
            raise ResponderInputError(f"unknown role {s.role!r}") from None
    if s.region_id:
        query = query.where(Responder.region_id == s.region_id)
    if s.state == "on_duty":
        query = query.where(Responder.on_duty.is_(True))
    elif s.state == "off_duty":
        query = query.where(Responder.on_duty.is_(False))
    elif s.state == "unconfirmed":
        query = query.where(Responder.confirmed_at.is_(None))
    page = max(s.page, 1)
    rows = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def add_responder(fields: dict[str, str], *, actor: str, added_by: str) -> Responder:
    """A new responder from the form; they get the confirmation SMS like an imported one.

    Raises:
        ResponderInputError: a field is wrong, or the number already belongs to a responder.
    """
    row = _row(fields)
    taken = db.session.scalar(sa.select(Responder).where(
        Responder.phone_hash == phone_hash(row.phone)))
    if taken is not None:
        raise ResponderInputError(f"{row.phone} already belongs to {taken.name}")
    responder = Responder(**row.fields())
    responder.phone = row.phone
    db.session.add(responder)
    db.session.flush()
    ask_confirmation(responder, added_by)
    audit(actor, "responder.create", "responder", responder.id, role=responder.role.value)
    return responder


def edit_responder(responder: Responder, fields: dict[str, str], *, actor: str,
                   added_by: str) -> list[str]:
    """Apply the form; a new number must be confirmed again. Returns the changed fields.

    Raises:
        ResponderInputError: a field is wrong, or the new number belongs to someone else.
    """
    row = _row(fields)
    changed = [k for k, v in row.fields().items() if getattr(responder, k) != v]
    was_available = responder.can_receive_alerts
    for key in changed:
        setattr(responder, key, row.fields()[key])
    if phone_hash(row.phone) != responder.phone_hash:
        other = db.session.scalar(sa.select(Responder.name).where(
            Responder.phone_hash == phone_hash(row.phone)))
        if other is not None:
            raise ResponderInputError(f"{row.phone} already belongs to {other}")
        responder.phone = row.phone
        responder.confirmed_at = None
        responder.confirm_sms_id = None
        changed.append("phone")
        db.session.flush()
        ask_confirmation(responder, added_by)
    if changed:
        audit(actor, "responder.update", "responder", responder.id, fields=sorted(changed))
    if responder.can_receive_alerts and not was_available:
        became_available(responder)
    return changed


def set_duty(responder: Responder, on_duty: bool, *, actor: str) -> None:
    """On or off duty from the dashboard; back on duty, cases nobody took may reach them."""
    if responder.on_duty == on_duty:
        return
    responder.on_duty = on_duty
    audit(actor, "responder.on_duty" if on_duty else "responder.off_duty", "responder",
          responder.id)
    if responder.can_receive_alerts:
        became_available(responder)


def resend_confirmation(responder: Responder, *, actor: str, added_by: str) -> None:
    """A new confirmation SMS for a responder who never replied ANZA/START.

    Raises:
        ResponderInputError: the number is already confirmed.
    """
    if responder.confirmed:
        raise ResponderInputError(f"{responder.name} already confirmed their number")
    responder.confirm_sms_id = None
    ask_confirmation(responder, added_by)
    audit(actor, "responder.resend_confirmation", "responder", responder.id)


def _row(fields: dict[str, str]) -> Row:
    record = {k: fields.get(k, "") for k in ("name", "phone", "role", "region", "council",
                                             "ward", "languages", "on_duty", "lat", "lon")}
    try:
        return parse_record(record)
    except ValueError as exc:
        raise ResponderInputError(str(exc)) from None
