"""No case left with nobody: a case nobody is handling gets a new round as soon as somebody who
could take it becomes available, and hotline supervisors coming on duty hear what waits.

Policy (no spam): a responder who declined a case, or whose alert SMS failed (perhaps a wrong
number), is never alerted about it again. One who simply did not answer may be asked again by
a rescue round, at most once per ``REALERT_AFTER`` (a day) after the deadline they let pass.
A rescue round is opened only when the rule finds somebody it may ask: it never exhausts a case
by itself, so supervisors are not told twice about the same lack of responders (a round that
runs out exhausts the case again: at most once a round). Services flush; callers commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case, CaseEventRecord
from app.cases.services import record
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.referral import services
from app.referral.matching import Candidate, Site, rank, tier
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.roles import ResponderRole
from app.referral.rules import WavePlan
from app.referral.schedule import schedule_reoffer
from app.referral.status import AlertStatus
from app.referral.texts import text
from app.sms.models import OutboundSms
from app.sms.services import queue_sms

log = logging.getLogger(__name__)

#: Case numbers named in a supervisor's "cases need attention" SMS (one segment).
LISTED_REFS = 5
#: ``OutboundSms.purpose`` of that SMS.
ATTENTION_PURPOSE = "attention"
#: A responder who let an alert's deadline pass unanswered may be asked again this long after.
REALERT_AFTER = timedelta(days=1)


def unhandled_cases() -> sa.Select[tuple[int]]:
    """Ids of cases nobody is handling or being asked about: ``needs_attention``, and
    ``received``/``referred`` with no open wave; urgent first, then oldest."""
    open_wave = sa.select(ReferralWave.id).where(ReferralWave.case_id == Case.id,
                                                 ReferralWave.closed_at.is_(None)).exists()
    return (sa.select(Case.id)
            .where(sa.or_(Case.status == CaseStatus.NEEDS_ATTENTION,
                          sa.and_(Case.status.in_(services.SEEKING), ~open_wave)),
                   Case.held_at.is_(None))
            .order_by(Case.urgent.desc(), Case.created_at, Case.id))


def is_unhandled(case: Case) -> bool:
    if case.held_at is not None:  # waits for staff review, not for responders
        return False
    if case.status is CaseStatus.NEEDS_ATTENTION:
        return True
    return case.status in services.SEEKING and not db.session.scalar(
        sa.select(ReferralWave.id).where(ReferralWave.case_id == case.id,
                                         ReferralWave.closed_at.is_(None)))


def new_round(case: Case, *, reason: str, want: set[int] | None = None) -> ReferralWave | None:
    """Open a new round for an unhandled case, from the first step of its rule that finds
    somebody not yet alerted about it; return None (and change nothing) when no step does, or,
    with ``want``, when none of those responders could be reached by any step.

    Same rules and matching as dispatch: a role of some wave of the case's rule, within that
    wave's reach, available (on duty and confirmed).
    """
    if not is_unhandled(case):
        return None
    plans = services.rulebook().waves_for(case.category.value, case.urgent)
    if want is not None and not _could_match(case, want, plans):
        return None  # the usual answer, found without ranking every responder
    again = ask_again(case)
    exclude = services.already_alerted(case) - again
    site = services.case_site(case)
    ranked = [rank(site, services.candidates(p.roles), p.roles, exclude=exclude,
                   max_tier=p.max_tier)
              for p in plans]
    reachable = {c.id for found in ranked for c in found}
    if not reachable or (want is not None and not want & reachable):
        return None
    step = next(n for n, found in enumerate(ranked, 1) if found)
    entry = record(case, "rescue", detail={"reason": reason, "step": step,
                                           "available": sorted(want) if want else []})
    wave = services.open_wave(case, step, exclude=exclude)
    if wave is not None:
        asked = set(db.session.scalars(sa.select(Alert.responder_id).where(
            Alert.wave_id == wave.id)))
        entry.detail = {**entry.detail, "asked_again": sorted(asked & again)}
    return wave


def _could_match(case: Case, responder_ids: set[int], plans: tuple[WavePlan, ...]) -> bool:
    """Whether any of these responders has a role of some wave within that wave's reach."""
    site = Site(case.region_id, case.council_id, case.ward_id, None)
    for r in db.session.scalars(sa.select(Responder).where(Responder.id.in_(responder_ids))):
        me = Candidate(r.id, r.role, r.region_id, r.council_id, r.ward_id, None, True)
        if any(r.role in p.roles and tier(site, me) <= p.max_tier for p in plans):
            return True
    return False


def ask_again(case: Case) -> set[int]:
    """Responders who let an alert about ``case`` pass unanswered at least ``REALERT_AFTER``
    ago: a rescue round may ask them once more."""
    return set(db.session.scalars(sa.select(Alert.responder_id).where(
        Alert.case_id == case.id, Alert.status == AlertStatus.EXPIRED,
        Alert.deadline_at <= utcnow() - REALERT_AFTER)))


def became_available(responder: Responder) -> None:
    """Queue the re-offer job for a responder who can now receive alerts (after commit)."""
    schedule_reoffer(responder.id, utcnow())


def tell_supervisor(supervisor: Responder, since: datetime) -> OutboundSms | None:
    """One SMS to a supervisor who came on duty: how many cases need attention and a few of
    their numbers; nothing when none do, or when it was already sent since ``since``."""
    already = db.session.scalar(sa.select(OutboundSms.id).where(
        OutboundSms.purpose == ATTENTION_PURPOSE, OutboundSms.ref_kind == "responder",
        OutboundSms.ref_id == supervisor.id, OutboundSms.created_at >= since))
    if already is not None:
        return None
    refs = list(db.session.scalars(
        sa.select(Case.reference).where(Case.status == CaseStatus.NEEDS_ATTENTION)
        .order_by(Case.urgent.desc(), Case.created_at, Case.id)))
    if not refs:
        return None
    body = text(supervisor.language, "supervisor.attention", count=len(refs),
                refs=", ".join(refs[:LISTED_REFS]))
    return queue_sms(supervisor.phone, body, purpose=ATTENTION_PURPOSE, ref_kind="responder",
                     ref_id=supervisor.id)


def last_exhausted_at(case_id: int) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(CaseEventRecord.at)).where(
        CaseEventRecord.case_id == case_id, CaseEventRecord.kind == "exhaust"))


def retry_interval() -> timedelta:
    return timedelta(seconds=current_app.config["ACK_TIMEOUT_NORMAL_SECONDS"])


def due_for_retry() -> sa.Select[tuple[int]]:
    """Ids of ``needs_attention`` cases whose last round ran out at least
    ``ACK_TIMEOUT_NORMAL_SECONDS`` ago while some available responder (other than a
    supervisor) was never alerted about them, or may be asked again: the job then applies the
    rules."""
    ran_out = (sa.select(sa.func.max(CaseEventRecord.at))
               .where(CaseEventRecord.case_id == Case.id, CaseEventRecord.kind == "exhaust")
               .scalar_subquery())
    alerted = sa.select(Alert.id).where(Alert.case_id == Case.id,
                                        Alert.responder_id == Responder.id).exists()
    stale = sa.select(Alert.id).where(
        Alert.case_id == Case.id, Alert.responder_id == Responder.id,
        Alert.status == AlertStatus.EXPIRED, Alert.deadline_at <= utcnow() - REALERT_AFTER
    ).exists()
    somebody_new = sa.select(Responder.id).where(
        Responder.on_duty.is_(True), Responder.confirmed_at.is_not(None),
        Responder.role != ResponderRole.HOTLINE_SUPERVISOR, sa.or_(~alerted, stale)).exists()
    return sa.select(Case.id).where(Case.status == CaseStatus.NEEDS_ATTENTION,
                                    ran_out <= utcnow() - retry_interval(), somebody_new)
