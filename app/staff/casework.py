"""What staff do to a case. Each action goes through the case transition table, writes its
timeline line and its audit entry in one transaction; the view commits once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa

from app.cases.models import Case, CaseEventRecord
from app.cases.services import apply_event, find_by_reference, record, release_case
from app.cases.status import CaseEvent, CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.referral import services as referral
from app.referral.models import ReferralWave, Responder
from app.referral.staffing import alert_chosen
from app.staff.models import StaffNote, StaffUser
from app.staff.services import audit

NOTE_MAX = 2000
#: Reports this close in time, place and kind are shown as possible duplicates.
DUPLICATE_WINDOW = timedelta(days=3)


class Outcome(StrEnum):
    RETURNED = "returned_family"
    PLACED = "placed_centre"
    POLICE = "police_court"
    NOT_FOUND = "not_found"
    OTHER = "other"


class ActionError(ValueError):
    """The action cannot be done; ``str(exc)`` is a catalog key suffix (``staff.action.err.*``)."""


@dataclass(frozen=True)
class Actor:
    user: StaffUser

    @property
    def name(self) -> str:
        return f"staff:{self.user.id}"


def _note(case: Case, actor: Actor, kind: str, text: str) -> StaffNote:
    note = StaffNote(uid=secrets.token_hex(16), case_id=case.id, staff_id=actor.user.id,
                     kind=kind, at=utcnow())
    note.text = text
    db.session.add(note)
    db.session.flush()
    return note


def add_note(case: Case, actor: Actor, text: str) -> StaffNote:
    text = text.strip()
    if not text:
        raise ActionError("empty_note")
    note = _note(case, actor, "note", text[:NOTE_MAX])
    record(case, "note", actor=actor.name, detail={"note": note.id})
    audit(actor.name, "case.note", "case", case.reference, note=note.id)
    return note


def reveal_phone(case: Case, actor: Actor, reason: str) -> str:
    """The reporter's number, for a call back; the typed reason is kept sealed."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ActionError("reason_needed")
    if not case.callback_consent or case.reporter_phone is None:
        raise ActionError("no_consent")
    note = _note(case, actor, "reveal", reason[:NOTE_MAX])
    record(case, "phone_revealed", actor=actor.name, detail={"reason_note": note.id})
    audit(actor.name, "case.reveal_phone", "case", case.reference, reason_note=note.id)
    return str(case.reporter_phone)


def alert_responder(case: Case, actor: Actor, responder_id: int) -> None:
    """Alert a chosen responder (reassigning the lead when the case is accepted)."""
    from app.referral.staffing import ChosenAlertError

    responder = db.session.get(Responder, responder_id)
    if responder is None or responder.region_id != case.region_id:
        raise ActionError("no_responder")
    reassign = case.status is CaseStatus.ACCEPTED
    try:
        alert_chosen(case, responder, actor=actor.name)
    except ChosenAlertError as exc:
        raise ActionError(str(exc)) from None
    record(case, "staff_alert", actor=actor.name,
           detail={"responder": responder.id, "reassign": reassign})
    audit(actor.name, "case.reassign" if reassign else "case.alert", "case", case.reference,
          responder=responder.id)


def escalate_now(case: Case, actor: Actor) -> None:
    """Do not wait for the deadline: close the open waves and go to the rule's next step;
    with no open wave (or nobody left), tell the hotline supervisors now."""
    if case.status not in (CaseStatus.RECEIVED, CaseStatus.REFERRED,
                           CaseStatus.NEEDS_ATTENTION):
        raise ActionError("not_waiting")
    record(case, "staff_escalate", actor=actor.name)
    audit(actor.name, "case.escalate", "case", case.reference)
    now = utcnow()
    waves = db.session.scalars(sa.select(ReferralWave).where(
        ReferralWave.case_id == case.id, ReferralWave.closed_at.is_(None))
        .order_by(ReferralWave.number)).all()
    if not waves:
        referral.exhaust(case)
        return
    latest = waves[-1]  # the rule goes on from the latest step, once
    latest.deadline_at = min(latest.deadline_at, now)
    referral.check_wave(latest, case, now)


def clear_review(case: Case, actor: Actor) -> None:
    """A report held for review (its phone passed the daily limit) is genuine: release it.

    A held report went to nobody: releasing it goes through the same service as
    `linda cases release`, so it reaches responders like any new case. A report only flagged
    (before holding existed) was dispatched already; this clears the flag.
    """
    if not case.flagged_for_review and case.held_at is None:
        raise ActionError("not_held")
    case.flagged_for_review = False
    if case.held_at is not None:
        release_case(case, actor=actor.name)  # timeline, audit and dispatch
        return
    record(case, "review_cleared", actor=actor.name)
    audit(actor.name, "case.release", "case", case.reference)
    referral.dispatch(case)


def close_case(case: Case, actor: Actor, outcome: str, text: str = "") -> None:
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise ActionError("bad_outcome") from None
    _close(case, actor, chosen.value, text)
    from app.followup.services import STAFF_OUTCOMES, after_close

    after_close(case, STAFF_OUTCOMES[chosen.value], actor=actor.name)  # check-ins when due


def _close(case: Case, actor: Actor, outcome: str, text: str = "", **detail: object) -> None:
    if case.status is CaseStatus.CLOSED:
        raise ActionError("already_closed")
    if text.strip():
        case.outcome = text.strip()[:NOTE_MAX]
    apply_event(case, CaseEvent.CLOSE, actor=actor.name,
                detail={"outcome": outcome, "outcome_given": bool(text.strip()), **detail})
    audit(actor.name, "case.close", "case", case.reference, outcome=outcome, **detail)


def mark_hoax(case: Case, actor: Actor) -> None:
    _close(case, actor, "hoax")
    from app.followup.services import STAFF_OUTCOMES, after_close

    after_close(case, STAFF_OUTCOMES["hoax"], actor=actor.name)


def mark_duplicate(case: Case, actor: Actor, other_reference: str) -> Case:
    """Close ``case`` as a duplicate of another; both timelines point at each other."""
    other = find_by_reference("".join(other_reference.split()))
    if other is None or other.id == case.id:
        raise ActionError("bad_duplicate")
    record(other, "duplicate_marked", actor=actor.name, detail={"case": case.reference})
    _close(case, actor, "duplicate", duplicate_of=other.reference)
    return other


def reopen(case: Case, actor: Actor) -> None:
    if case.status is not CaseStatus.CLOSED:
        raise ActionError("not_closed")
    apply_event(case, CaseEvent.REOPEN, actor=actor.name)
    audit(actor.name, "case.reopen", "case", case.reference)


def linked_duplicates(case: Case) -> list[str]:
    """Case numbers linked to this one as duplicates, either way."""
    refs = []
    for kind, detail in db.session.execute(
            sa.select(CaseEventRecord.kind, CaseEventRecord.detail).where(
                CaseEventRecord.case_id == case.id,
                CaseEventRecord.kind.in_(("close", "duplicate_marked")))):
        ref = detail.get("duplicate_of") if kind == "close" else detail.get("case")
        if ref and ref not in refs:
            refs.append(ref)
    return refs


def possible_duplicates(case: Case, limit: int = 5,
                        linked: list[str] | None = None) -> list[Case]:
    """Same ward (or council, without a ward) and category within a few days: suggested to
    staff, never merged automatically. ``linked``: the case's linked numbers, when the caller
    has already read them."""
    place = (Case.ward_id == case.ward_id if case.ward_id
             else Case.council_id == case.council_id)
    linked = linked_duplicates(case) if linked is None else linked
    found = db.session.scalars(
        sa.select(Case).where(place, Case.category == case.category, Case.id != case.id,
                              Case.created_at >= case.created_at - DUPLICATE_WINDOW,
                              Case.created_at <= case.created_at + DUPLICATE_WINDOW)
        .order_by(Case.created_at).limit(limit + len(linked)))
    return [c for c in found if c.reference not in linked][:limit]
