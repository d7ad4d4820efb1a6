"""Referral jobs and their sweepers (registered in ``app.referral.init_app``). Every job takes
ids, re-reads rows and is safe to re-run."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.cases.models import Case
from app.cases.services import lock_case, record
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.referral import reoffer, services
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.roles import ResponderRole
from app.referral.schedule import dispatch_job_id, remind_job_id, retry_job_id, wave_check_job_id
from app.referral.status import WAITING, AlertStatus
from app.referral.texts import text
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.tasks import send_now
from app.worker.queue import enqueue

log = logging.getLogger(__name__)


def dispatch_case(case_id: int) -> None:
    """Send the first wave of a new case. Safe to re-run: a case with a wave is left alone.

    The wave's alerts are committed first, then sent by this job at once (``send_now``),
    rather than after whatever else is queued. Their own send jobs are queued all the same,
    and the reconciler finds them in the outbox: if this job dies before sending, or a send
    fails, the rows are still sent (a row is claimed once, by status, so never twice).
    """
    case = lock_case(case_id)
    wave = services.dispatch(case)
    sms_ids = services.alert_sms_ids(wave) if wave is not None else []
    db.session.commit()
    try:
        send_now(sms_ids)
    except Exception:  # the rows are committed: their jobs, or the sweeper, send them
        db.session.rollback()
        log.exception("case %s: sending its first alerts failed; left to their send jobs",
                      case_id)


def check_wave(wave_id: int) -> None:
    """Refill or close a wave whose slot failed, was declined, or whose deadline passed.

    Safe to re-run and to run early: it acts only on what the rows say now, and does nothing
    once the case is accepted or the wave closed.
    """
    wave = db.session.get(ReferralWave, wave_id)
    if wave is None:
        return
    case = lock_case(wave.case_id)
    db.session.refresh(wave)
    services.check_wave(wave, case, utcnow())
    db.session.commit()


def remind_lead(alert_id: int) -> None:
    """Remind the lead once that an accepted case is still open. At-most-once per alert."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        return
    case = lock_case(alert.case_id)
    db.session.refresh(alert)
    due = case.accepted_at is not None and utcnow() >= case.accepted_at + follow_up_after()
    if (alert.status is not AlertStatus.ACCEPTED or alert.reminded_at is not None
            or case.status is not CaseStatus.ACCEPTED or not due):
        return
    responder = db.session.get_one(Responder, alert.responder_id)
    alert.reminded_at = utcnow()
    queue_sms(responder.phone, text(responder.language, "reminder", ref=case.reference,
                                    hotline=current_app.config["HOTLINE_PHONE"]),
              purpose="reminder", ref_kind="alert", ref_id=alert.id)
    record(case, "lead_reminded", detail={"responder": responder.id})
    db.session.commit()


def follow_up_after() -> timedelta:
    return timedelta(seconds=current_app.config["FOLLOW_UP_AFTER_SECONDS"])


def sweep_undispatched() -> int:
    """Cases waiting for a responder with no open wave: new ones whose job was lost, and
    released or reopened ones."""
    open_wave = sa.select(ReferralWave.id).where(ReferralWave.case_id == Case.id,
                                                 ReferralWave.closed_at.is_(None)).exists()
    ids = db.session.scalars(sa.select(Case.id).where(Case.status.in_(services.SEEKING),
                                                      Case.held_at.is_(None), ~open_wave)).all()
    return sum(enqueue(dispatch_case, i, job_id=dispatch_job_id(i)) for i in ids)


#: How far back the sweep looks for alerts and SMS that changed (at least three sweeps).
#: Whatever it misses (a worker down for longer) is still caught at the wave's deadline.
RECENT_CHANGES = timedelta(minutes=15)


def sweep_waves() -> int:
    """Open waves past their deadline, with nobody left waiting, or with an alert whose SMS
    failed unnoticed (the delivery-report receiver did not run).

    Each part is read from an index and grows with what is due or changed lately, never with
    the number of open waves: deadlines from ``ix_referral_waves_open_deadline``; the other two
    only among alerts and SMS changed within ``RECENT_CHANGES``, since a wave stops having
    anybody waiting, or its SMS fails, only when one of its rows changes.
    """
    now = utcnow()
    since = now - max(RECENT_CHANGES,
                      timedelta(seconds=3 * current_app.config["RECONCILE_INTERVAL_SECONDS"]))
    is_open = ReferralWave.closed_at.is_(None)
    due = sa.select(ReferralWave.id).where(is_open, ReferralWave.deadline_at <= now)
    other = aliased(Alert)
    waiting = sa.select(other.id).where(other.wave_id == ReferralWave.id,
                                        other.status.in_(WAITING)).exists()
    stopped = (sa.select(ReferralWave.id).join(Alert, Alert.wave_id == ReferralWave.id)
               .where(Alert.updated_at >= since, Alert.status.not_in(WAITING), is_open,
                      ~waiting))
    undelivered = (sa.select(Alert.wave_id).join(OutboundSms, OutboundSms.id == Alert.sms_id)
                   .join(ReferralWave, ReferralWave.id == Alert.wave_id)
                   .where(OutboundSms.status.in_(services.SMS_FAILED),
                          OutboundSms.updated_at >= since, Alert.status.in_(WAITING), is_open))
    ids = sorted(set(db.session.scalars(sa.union_all(due, stopped, undelivered)).all()))
    return sum(enqueue(check_wave, i, job_id=wave_check_job_id(i)) for i in ids)


def sweep_follow_ups() -> int:
    """Accepted cases open past FOLLOW_UP_AFTER_SECONDS whose lead was not reminded."""
    ids = db.session.scalars(sa.select(Alert.id).join(Case, Case.id == Alert.case_id).where(
        Alert.status == AlertStatus.ACCEPTED, Alert.reminded_at.is_(None),
        Case.status == CaseStatus.ACCEPTED,
        Case.accepted_at <= utcnow() - follow_up_after())).all()
    return sum(enqueue(remind_lead, i, job_id=remind_job_id(i)) for i in ids)


def rescue_for_responder(responder_id: int, since: str) -> None:
    """A responder became able to receive alerts at ``since``: give each unhandled case they
    could take a new round; a hotline supervisor also gets one SMS listing what needs attention.

    Safe to re-run: a second run finds the cases already referred and the responder already
    alerted about them, and the supervisor's SMS already sent since ``since``.
    """
    responder = db.session.get(Responder, responder_id)
    if responder is None or not responder.can_receive_alerts:
        return
    for case_id in db.session.scalars(reoffer.unhandled_cases()).all():
        case = lock_case(case_id)
        reoffer.new_round(case, reason="responder_available", want={responder_id})
        db.session.commit()
    if responder.role is ResponderRole.HOTLINE_SUPERVISOR:
        db.session.refresh(responder, with_for_update=True)  # one SMS even if run twice at once
        reoffer.tell_supervisor(responder, datetime.fromisoformat(since))
    db.session.commit()


def retry_case(case_id: int) -> None:
    """Try a ``needs_attention`` case again (a new round for whoever was never alerted about
    it), at most once per ``ACK_TIMEOUT_NORMAL_SECONDS`` after its last round ran out."""
    case = lock_case(case_id)
    ran_out = reoffer.last_exhausted_at(case_id)
    if (case.status is CaseStatus.NEEDS_ATTENTION and ran_out is not None
            and utcnow() >= ran_out + reoffer.retry_interval()):
        reoffer.new_round(case, reason="retry")
    db.session.commit()


def sweep_needs_attention() -> int:
    """``needs_attention`` cases due for another try while somebody is left to alert."""
    ids = db.session.scalars(reoffer.due_for_retry()).all()
    return sum(enqueue(retry_case, i, job_id=retry_job_id(i)) for i in ids)
