"""What retention removes, per the RETENTION_* settings. Callers commit.

- closed cases, ``RETENTION_CLOSED_CASE_DAYS`` after closing: the sealed personal fields
  (reporter's number and its index, landmark, details, outcome) and the cases' decline reasons
  are destroyed; category, place, dates and the timeline stay for statistics;
- SMS bodies and numbers, in and out, ``RETENTION_MESSAGE_DAYS`` after they were made (not
  one a worker is sending, nor an inbound one not yet handled): the rows stay, emptied;
- sandbox phones and messages after ``RETENTION_SANDBOX_HOURS``;
- unfinished USSD drafts and old sessions (their own rule, ``app.ussd.sessions``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import record
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.privacy import phone_hash
from app.referral.models import Alert
from app.sandbox.models import SandboxMessage, SandboxPhone
from app.sms.models import InboundSms, OutboundSms
from app.sms.status import SmsStatus
from app.ussd.sessions import purge_expired

BATCH = 500


def _days(name: str) -> timedelta:
    return timedelta(days=current_app.config[name])


def _cases_due(now: datetime) -> sa.Select[tuple[Case]]:
    personal = sa.or_(Case.reporter_phone_hash.is_not(None), Case.landmark_enc.is_not(None),
                      Case.details_enc.is_not(None), Case.outcome_enc.is_not(None))
    return sa.select(Case).where(
        Case.status == CaseStatus.CLOSED,
        Case.closed_at <= now - _days("RETENTION_CLOSED_CASE_DAYS"), personal)


def _outbound_due(now: datetime) -> sa.Select[tuple[OutboundSms]]:
    return sa.select(OutboundSms).where(
        OutboundSms.created_at <= now - _days("RETENTION_MESSAGE_DAYS"),
        OutboundSms.status != SmsStatus.SENDING,  # a worker holds it right now
        OutboundSms.to_hash != phone_hash(""))


def _inbound_due(now: datetime) -> sa.Select[tuple[InboundSms]]:
    return sa.select(InboundSms).where(
        InboundSms.received_at <= now - _days("RETENTION_MESSAGE_DAYS"),
        InboundSms.handled_at.is_not(None), InboundSms.from_hash != phone_hash(""))


def _sandbox_cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=current_app.config["RETENTION_SANDBOX_HOURS"])


def plan(now: datetime | None = None) -> dict[str, int]:
    """How many rows each rule would change now (``linda retention run --dry-run``)."""
    now = now or utcnow()

    def count(query: sa.Select) -> int:  # type: ignore[type-arg]
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    cutoff = _sandbox_cutoff(now)
    return {
        "closed cases anonymised": count(_cases_due(now)),
        "outbound SMS emptied": count(_outbound_due(now)),
        "inbound SMS emptied": count(_inbound_due(now)),
        "sandbox messages deleted": count(sa.select(SandboxMessage.id).where(
            SandboxMessage.created_at <= cutoff)),
        "sandbox phones deleted": count(sa.select(SandboxPhone.id).where(
            SandboxPhone.last_activity_at <= cutoff)),
    }


def run(now: datetime | None = None) -> dict[str, int]:
    """Apply every rule once (at most ``BATCH`` rows of each kind); returns what changed."""
    now = now or utcnow()
    done = {"closed cases anonymised": 0, "outbound SMS emptied": 0, "inbound SMS emptied": 0}
    for case in db.session.scalars(_cases_due(now).limit(BATCH)):
        case.reporter_phone = None
        case.landmark = case.details = case.outcome = None
        for alert in db.session.scalars(sa.select(Alert).where(Alert.case_id == case.id,
                                                              Alert.reason_enc.is_not(None))):
            alert.reason_enc = None
        record(case, "anonymised", detail={"after_days":
                                           current_app.config["RETENTION_CLOSED_CASE_DAYS"]})
        done["closed cases anonymised"] += 1
    for msg in db.session.scalars(_outbound_due(now).limit(BATCH)):
        msg.to, msg.body = "", ""
        done["outbound SMS emptied"] += 1
    for inbound in db.session.scalars(_inbound_due(now).limit(BATCH)):
        inbound.sender, inbound.text = "", ""
        done["inbound SMS emptied"] += 1
    cutoff = _sandbox_cutoff(now)
    done["sandbox messages deleted"] = db.session.execute(
        sa.delete(SandboxMessage).where(SandboxMessage.created_at <= cutoff)).rowcount or 0
    done["sandbox phones deleted"] = db.session.execute(
        sa.delete(SandboxPhone).where(SandboxPhone.last_activity_at <= cutoff)).rowcount or 0
    done["USSD drafts and sessions deleted"] = purge_expired(now)
    return done
