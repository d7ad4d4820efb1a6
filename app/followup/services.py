"""Closing with an outcome, and checking on the child afterwards. Services flush; callers
commit. Every due time and answer deadline is a ``CheckIn`` row; jobs are only nudges, and the
reconciler re-enqueues whatever the rows say is due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import apply_event, record
from app.cases.status import CaseEvent, CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.followup.models import ANSWERABLE, CaseOutcome, CheckIn, CheckInStatus
from app.followup.outcomes import FOLLOWED_UP, Outcome
from app.followup.texts import checkin_text, duration, text
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from app.sms.services import queue_sms
from app.worker.queue import enqueue_after_commit

log = logging.getLogger(__name__)
S = CheckInStatus
#: Jobs queued by name: services never import their tasks.
SEND_CHECKIN = "app.followup.tasks.send_checkin"
CHECK_ANSWER = "app.followup.tasks.check_answer"
#: The dashboard's close choices (app/staff/casework.py) as numbered outcomes.
STAFF_OUTCOMES = {"returned_family": Outcome.RETURNED, "placed_centre": Outcome.PLACED,
                  "police_court": Outcome.POLICE_COURT, "not_found": Outcome.NOT_FOUND,
                  "other": Outcome.OTHER, "hoax": Outcome.FALSE_REPORT}
#: The same outcomes by the names the case timeline shows (``staff.outcome.*``).
OUTCOME_NAMES = {code: name for name, code in STAFF_OUTCOMES.items()}
#: "Could not reach" is asked again this many times, then the supervisors are told.
MAX_RETRIES = 2


def schedule() -> tuple[int, ...]:
    return tuple(current_app.config["FOLLOWUP_SCHEDULE"])


def close_case(case: Case, code: Outcome | None, note: str | None, *, actor: str) -> None:
    """Close ``case`` with a numbered outcome and/or free text (sealed on the case); a child
    returned to family or placed in a centre gets check-ins on ``FOLLOWUP_SCHEDULE``."""
    if note:
        case.outcome = note
    apply_event(case, CaseEvent.CLOSE, actor=actor,
                detail={"outcome_given": bool(note or code),
                        "outcome": None if code is None else OUTCOME_NAMES[code],
                        "outcome_code": None if code is None else int(code)})
    if code is not None:
        after_close(case, code, actor=actor)


def after_close(case: Case, code: Outcome, *, actor: str) -> None:
    """Keep the numbered outcome of a close (by SMS or on the dashboard) and schedule the
    check-ins it calls for."""
    db.session.add(CaseOutcome(case_id=case.id, code=int(code), actor=actor, at=utcnow()))
    if code in FOLLOWED_UP:
        schedule_checkins(case)


def latest_outcome(case_id: int) -> Outcome | None:
    code = db.session.scalar(sa.select(CaseOutcome.code).where(CaseOutcome.case_id == case_id)
                             .order_by(CaseOutcome.id.desc()).limit(1))
    return None if code is None else Outcome(code)


def schedule_checkins(case: Case) -> list[CheckIn]:
    cancel_pending(case)
    start = case.closed_at or utcnow()
    steps = schedule()
    rows = [CheckIn(case_id=case.id, number=i, of=len(steps), status=S.SCHEDULED,
                    due_at=start + timedelta(seconds=seconds))
            for i, seconds in enumerate(steps, start=1)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        _nudge_send(row)
    record(case, "followup_scheduled", detail={"checkins": [r.id for r in rows],
                                               "after_seconds": list(steps)})
    return rows


def _nudge_send(row: CheckIn) -> None:
    at = row.due_at.replace(microsecond=0) + timedelta(seconds=1)
    enqueue_after_commit(SEND_CHECKIN, row.id, job_id=f"checkin-{row.id}", at=at)


def cancel_pending(case: Case) -> int:
    """A reopened (or closed again) case: check-ins not yet sent are dropped."""
    rows = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.case_id == case.id, CheckIn.status == S.SCHEDULED)).all()
    for row in rows:
        row.status = S.CANCELLED
    return len(rows)


def responsible(case: Case) -> Responder | None:
    """Who is asked: the lead when a social welfare officer, else the social welfare officer
    of the case's ward, council or region (confirmed, on duty), else the lead."""
    lead = db.session.get(Responder, case.lead_responder_id) if case.lead_responder_id else None
    if lead is not None and lead.role is ResponderRole.SOCIAL_WELFARE and lead.can_receive_alerts:
        return lead
    officers = db.session.scalars(sa.select(Responder).where(
        Responder.role == ResponderRole.SOCIAL_WELFARE, Responder.region_id == case.region_id,
        Responder.on_duty.is_(True), Responder.confirmed_at.is_not(None))
        .order_by(Responder.id)).all()
    for place in (lambda r: r.ward_id is not None and r.ward_id == case.ward_id,
                  lambda r: r.council_id == case.council_id,
                  lambda r: r.council_id is None):
        found = next((r for r in officers if place(r)), None)
        if found is not None:
            return found
    return lead


def send(row: CheckIn, case: Case, now: datetime) -> None:
    """Send a due check-in; one of a case no longer closed is cancelled instead."""
    if row.status is not S.SCHEDULED or now < row.due_at:
        return
    if case.status is not CaseStatus.CLOSED:
        row.status = S.CANCELLED
        return
    who = responsible(case)
    if who is None:
        row.status, row.escalated_at = S.OVERDUE, now
        record(case, "checkin_nobody", detail={"checkin": row.id})
        _tell_supervisors(case, row, "supervisor.checkin_nobody")
        return
    answer_within = timedelta(seconds=current_app.config["FOLLOWUP_ANSWER_WITHIN"])
    row.responder_id, row.sent_at, row.status = who.id, now, S.SENT
    row.deadline_at = now + answer_within
    row.sms_id = queue_sms(who.phone, checkin_text(who.language, case.reference, row.number,
                                                   row.of),
                           purpose="checkin", ref_kind="checkin", ref_id=row.id,
                           expires_at=row.deadline_at).id
    record(case, "checkin_sent", detail={"checkin": row.id, "number": row.number,
                                         "responder": who.id, "attempt": row.attempt})
    at = row.deadline_at.replace(microsecond=0) + timedelta(seconds=1)
    enqueue_after_commit(CHECK_ANSWER, row.id, job_id=f"checkin-deadline-{row.id}", at=at)


def overdue(row: CheckIn, case: Case, now: datetime) -> None:
    """No answer in time: the hotline supervisors are told (once)."""
    if row.status is not S.SENT or row.deadline_at is None or now < row.deadline_at:
        return
    row.status, row.escalated_at = S.OVERDUE, now
    record(case, "checkin_overdue", detail={"checkin": row.id, "number": row.number})
    _tell_supervisors(case, row, "supervisor.checkin_overdue")


def _tell_supervisors(case: Case, row: CheckIn, key: str, **params: object) -> None:
    supervisors = db.session.scalars(sa.select(Responder).where(
        Responder.role == ResponderRole.HOTLINE_SUPERVISOR, Responder.on_duty.is_(True),
        Responder.confirmed_at.is_not(None)).order_by(Responder.id)).all()
    for sup in supervisors:
        queue_sms(sup.phone, text(sup.language, key, ref=case.reference, n=row.number,
                                  of=row.of, **params),
                  purpose="escalation", ref_kind="checkin", ref_id=row.id)
    if not supervisors:
        log.error("check-in %s needs a supervisor and none is confirmed and on duty", row.id)


def open_checkins(responder: Responder, case_id: int | None) -> list[CheckIn]:
    query = sa.select(CheckIn).where(CheckIn.responder_id == responder.id,
                                     CheckIn.status.in_(ANSWERABLE))
    if case_id is not None:
        query = query.where(CheckIn.case_id == case_id)
    return list(db.session.scalars(query.order_by(CheckIn.id)))


def answer(row: CheckIn, case: Case, said: str, responder: Responder) -> tuple[str, dict]:
    """Record ``safe``, ``concern`` or ``unreached``; return the reply key and its params.

    A concern reopens the case as urgent: referral then alerts responders along the normal
    path (the reopen signal). "Could not reach" asks again sooner, then tells supervisors.
    """
    now, actor = utcnow(), f"responder:{responder.id}"
    row.status, row.answer, row.answered_at = S.ANSWERED, said, now
    record(case, f"checkin_{said}", actor=actor, detail={"checkin": row.id,
                                                         "number": row.number})
    ref = case.reference
    if said == "concern":
        if case.status is CaseStatus.CLOSED:
            case.urgent = True
            cancel_pending(case)
            apply_event(case, CaseEvent.REOPEN, actor=actor,
                        detail={"reason": "followup_concern", "checkin": row.id})
        return "checkin.concern", {"ref": ref}
    if said == "unreached":
        if row.attempt >= MAX_RETRIES:
            _tell_supervisors(case, row, "supervisor.unreached", times=row.attempt + 1)
            return "checkin.unreached_final", {"ref": ref}
        after = timedelta(seconds=current_app.config["FOLLOWUP_RETRY_AFTER"])
        retry = CheckIn(case_id=case.id, number=row.number, of=row.of, attempt=row.attempt + 1,
                        status=S.SCHEDULED, due_at=now + after)
        db.session.add(retry)
        db.session.flush()
        _nudge_send(retry)
        return "checkin.unreached", {"ref": ref, "after": duration(responder.language,
                                                                   int(after.total_seconds()))}
    return "checkin.safe", {"ref": ref}
