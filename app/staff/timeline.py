"""A case's story for the case page: timeline lines, alerts with delivery, linked cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.cases.models import Case, CaseEventRecord
from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import place_label
from app.i18n import MissingMessageError
from app.referral.models import Alert, Responder
from app.sms.models import OutboundSms
from app.staff.models import StaffNote, StaffUser
from app.staff.texts import t


@dataclass
class Line:
    at: datetime
    kind: str
    label: str
    actor: str
    extra: str = ""


@dataclass
class AlertView:
    responder: str
    role: str
    status: str
    sms_status: str | None
    asked_at: datetime
    answered_at: datetime | None
    reason: str | None


def label_of(key: str, fallback: str) -> str:
    """A catalog text, or ``fallback`` for a kind another part of Linda added later."""
    try:
        return t(key)
    except MissingMessageError:
        return fallback


def place_of(case: Case) -> str:
    """The case's place label, read in one statement (not one per level)."""
    row = db.session.execute(
        sa.select(Region, Council, Ward).select_from(Council)
        .join(Region, Region.id == Council.region_id)
        .outerjoin(Ward, sa.and_(Ward.id == case.ward_id, Ward.council_id == Council.id))
        .where(Council.id == case.council_id)).first()
    if row is None:
        return ""
    return place_label(row[0], row[1], row[2])


def _actors(events: list[CaseEventRecord]) -> dict[str, str]:
    staff_ids, responder_ids = set(), set()
    for e in events:
        kind, _, num = e.actor.partition(":")
        if num.isdigit():
            (staff_ids if kind == "staff" else responder_ids).add(int(num))
        for rid in (e.detail or {}).get("responders", []) or []:
            responder_ids.add(int(rid))
        if isinstance((e.detail or {}).get("responder"), int):
            responder_ids.add(e.detail["responder"])
    names = {f"staff:{i}": email for i, email in db.session.execute(
        sa.select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(staff_ids)))}
    names.update({f"responder:{i}": name for i, name in db.session.execute(
        sa.select(Responder.id, Responder.name).where(Responder.id.in_(responder_ids)))})
    return names


def timeline(case: Case) -> list[Line]:
    events = list(db.session.scalars(sa.select(CaseEventRecord).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.at, CaseEventRecord.id)))
    names = _actors(events)
    notes = {n.id: n for n in db.session.scalars(
        sa.select(StaffNote).where(StaffNote.case_id == case.id, StaffNote.kind == "note",
        StaffNote.text_enc.is_not(None)))}  # a destroyed note (retention) leaves its event only
    lines = []
    for e in events:
        detail: dict[str, Any] = e.detail or {}
        extra = []
        if e.kind == "note" and detail.get("note") in notes:
            extra.append(str(notes[detail["note"]].text))
        if detail.get("responders"):
            extra.append(", ".join(names.get(f"responder:{r}", f"#{r}")
                                   for r in detail["responders"]))
        if isinstance(detail.get("responder"), int):
            extra.append(names.get(f"responder:{detail['responder']}", ""))
        if detail.get("outcome"):
            extra.append(label_of(f"staff.outcome.{detail['outcome']}", detail["outcome"]))
        if detail.get("duplicate_of"):
            extra.append(t("staff.case.duplicate_of", reference=detail["duplicate_of"]))
        if e.kind == "duplicate_marked" and detail.get("case"):
            extra.append(detail["case"])
        if e.to_status and e.from_status != e.to_status:
            extra.append(t("staff.case.moved", status=t(f"staff.status.{e.to_status}")))
        actor = names.get(e.actor) or label_of(f"staff.actor.{e.actor}", e.actor)
        lines.append(Line(at=e.at, kind=e.kind, actor=actor,
                          label=label_of(f"staff.event.{e.kind}", e.kind),
                          extra=" · ".join(x for x in extra if x)))
    return lines


def alerts(case: Case) -> list[AlertView]:
    rows = db.session.execute(
        sa.select(Alert, Responder.name, Responder.role, OutboundSms.status)
        .join(Responder, Responder.id == Alert.responder_id)
        .outerjoin(OutboundSms, OutboundSms.id == Alert.sms_id)
        .where(Alert.case_id == case.id).order_by(Alert.id))
    return [AlertView(responder=name, role=role.value, status=alert.status.value,
                      sms_status=None if sms is None else sms.value,
                      asked_at=alert.created_at, answered_at=alert.responded_at,
                      reason=alert.reason)
            for alert, name, role, sms in rows]


def lead_name(case: Case) -> str | None:
    if case.lead_responder_id is None:
        return None
    return db.session.scalar(sa.select(Responder.name).where(
        Responder.id == case.lead_responder_id))
