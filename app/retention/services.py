"""What retention removes, per the RETENTION_* settings. Callers commit.

Every sealed column of the schema (``app.keys.services.sealed_tables``) has a rule here or is
kept for a reason given in ``COVERAGE``; a test fails when a new sealed column has neither.

- closed cases, ``RETENTION_CLOSED_CASE_DAYS`` after closing: the sealed personal fields
  (reporter's number and its index, landmark, details, outcome), the cases' decline reasons and
  the staff notes on them (notes and reasons for revealing a number) are destroyed; category,
  place, dates, the timeline (which only points at a note), outcome codes, placements and
  check-ins stay for statistics;
- SMS bodies and numbers, in and out, ``RETENTION_MESSAGE_DAYS`` after they were made (not
  one a worker is sending, nor an inbound one not yet handled): the rows stay, emptied;
- SMS-report conversations, ``RETENTION_MESSAGE_DAYS`` after their last SMS: the answers, the
  typed details and the sender's index go (a case made from one keeps its own copy, under the
  case rule); state, dates and the case link stay; one still open that long is expired;
- coordination messages' texts, ``RETENTION_MESSAGE_DAYS`` after sending: typed by staff for
  responders, not about a reporter, but nothing stops case details being typed, so they go
  like SMS bodies (each copy sent is an outbound SMS, emptied by that rule); audience, counts
  and dates stay;
- reports spooled on disk during a database outage, ``RETENTION_MESSAGE_DAYS`` after they
  were spooled: every reconcile and hop tries to replay them, so one still there failed every
  time; it is deleted and logged as an error with its reserved case number and menu version
  (it could still be replayed by the release that spooled it, so it never goes silently);
- sandbox phones and messages after ``RETENTION_SANDBOX_HOURS``;
- unfinished USSD drafts and old sessions (their own rule, ``app.ussd.sessions``).

Placements and follow-up check-ins hold no free text (ids, statuses, an answer label): they
stay with the case's statistics.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.broadcast.models import Broadcast
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
from app.smsreport.models import SmsReport
from app.staff.models import StaffNote
from app.ussd import outage
from app.ussd.sessions import purge_expired

log = logging.getLogger(__name__)
BATCH = 500

#: ``table`` → ``{sealed column: the rule that destroys it, or why it is kept}``.
COVERAGE: dict[str, dict[str, str]] = {
    "cases": dict.fromkeys(
        ("reporter_phone_enc", "landmark_enc", "details_enc", "outcome_enc"), "closed case rule"),
    "alerts": {"reason_enc": "closed case rule (decline reasons)"},
    "staff_notes": {"text_enc": "closed case rule (staff notes)"},
    "outbound_sms": {"to_enc": "message rule", "body_enc": "message rule"},
    "inbound_sms": {"from_enc": "message rule", "text_enc": "message rule"},
    "sms_reports": {"path_enc": "message rule (SMS-report conversations)",
                    "details_enc": "message rule (SMS-report conversations)"},
    "broadcasts": {"text_sw_enc": "message rule (coordination messages)",
                   "text_en_enc": "message rule (coordination messages)"},
    "sandbox_phones": {"number_enc": "sandbox rule"},
    "sandbox_messages": {"phone_enc": "sandbox rule", "text_enc": "sandbox rule"},
    "ussd_drafts": {"path_enc": "USSD draft purge (app.ussd.sessions)"},
    "ussd_sessions": {"draft_enc": "USSD draft purge (app.ussd.sessions)"},
    "responders": {"phone_enc": "kept: a responder's work number, needed while they are in "
                                "the directory; removing the responder removes it"},
    "staff_users": {"totp_secret_enc": "kept: a staff account's sign-in secret, not about a "
                                       "reporter; it goes with the account"},
}


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


def _notes_due(now: datetime) -> sa.Select[tuple[StaffNote]]:
    closed = sa.select(Case.id).where(
        Case.status == CaseStatus.CLOSED,
        Case.closed_at <= now - _days("RETENTION_CLOSED_CASE_DAYS"))
    return sa.select(StaffNote).where(StaffNote.case_id.in_(closed),
                                      StaffNote.text_enc.is_not(None))


def _sms_reports_due(now: datetime) -> sa.Select[tuple[SmsReport]]:
    return sa.select(SmsReport).where(
        SmsReport.updated_at <= now - _days("RETENTION_MESSAGE_DAYS"),
        sa.or_(SmsReport.path_enc.is_not(None), SmsReport.details_enc.is_not(None),
               SmsReport.phone_hash != phone_hash("")))


def _broadcasts_due(now: datetime) -> sa.Select[tuple[Broadcast]]:
    return sa.select(Broadcast).where(
        Broadcast.created_at <= now - _days("RETENTION_MESSAGE_DAYS"),
        sa.or_(Broadcast.text_sw_enc.is_not(None), Broadcast.text_en_enc.is_not(None)))


def _spool_due(now: datetime) -> list[Path]:
    """Spooled reports written ``RETENTION_MESSAGE_DAYS`` ago or more (by file time: a file
    is written once, then only read), oldest first, at most ``BATCH``."""
    cutoff = (now - _days("RETENTION_MESSAGE_DAYS")).astimezone(UTC).timestamp()
    due = []
    for path in outage.pending():
        with contextlib.suppress(FileNotFoundError):  # replayed meanwhile
            if (mtime := path.stat().st_mtime) <= cutoff:
                due.append((mtime, path))
    return [path for _, path in sorted(due)[:BATCH]]


def _delete_spooled(path: Path) -> int:
    """Delete one old spooled report, logged as an error: it never goes silently."""
    with path.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # being replayed right now
        if not path.exists():
            return 0
        try:
            entry = outage._read(path)
            what = (f"reserved case number {entry.get('reference')}, spooled "
                    f"{entry.get('received_at')} under menu version {entry.get('menu', 1)}")
        except Exception:  # unreadable (a retired key, not ours): said so, still deleted
            what = "unreadable with the keys this release holds"
        path.unlink()
    log.error("retention: spooled report %s deleted unreplayed after %d days (%s); it could "
              "have been replayed by the release that spooled it", path.name,
              current_app.config["RETENTION_MESSAGE_DAYS"], what)
    return 1


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
        "staff notes destroyed": count(_notes_due(now)),
        "SMS reports emptied": count(_sms_reports_due(now)),
        "coordination messages emptied": count(_broadcasts_due(now)),
        "spooled reports deleted": len(_spool_due(now)),
        "sandbox messages deleted": count(sa.select(SandboxMessage.id).where(
            SandboxMessage.created_at <= cutoff)),
        "sandbox phones deleted": count(sa.select(SandboxPhone.id).where(
            SandboxPhone.last_activity_at <= cutoff)),
    }


def run(now: datetime | None = None) -> dict[str, int]:
    """Apply every rule once (at most ``BATCH`` rows of each kind); returns what changed."""
    now = now or utcnow()
    done = dict.fromkeys(("closed cases anonymised", "outbound SMS emptied",
                          "inbound SMS emptied", "staff notes destroyed", "SMS reports emptied",
                          "coordination messages emptied", "spooled reports deleted"), 0)
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
    for note in db.session.scalars(_notes_due(now).limit(BATCH)):
        note.text_enc = None
        done["staff notes destroyed"] += 1
    for conv in db.session.scalars(_sms_reports_due(now).limit(BATCH)):
        conv.path_enc = conv.details_enc = None
        conv.phone_hash = phone_hash("")
        if conv.state == "open":  # silent that long: it could not be taken up again anyway
            conv.state = "expired"
        done["SMS reports emptied"] += 1
    for message in db.session.scalars(_broadcasts_due(now).limit(BATCH)):
        message.text_sw_enc = message.text_en_enc = None
        done["coordination messages emptied"] += 1
    for path in _spool_due(now):
        with contextlib.suppress(FileNotFoundError):  # replayed meanwhile
            done["spooled reports deleted"] += _delete_spooled(path)
    cutoff = _sandbox_cutoff(now)
    done["sandbox messages deleted"] = db.session.execute(
        sa.delete(SandboxMessage).where(SandboxMessage.created_at <= cutoff)).rowcount or 0
    done["sandbox phones deleted"] = db.session.execute(
        sa.delete(SandboxPhone).where(SandboxPhone.last_activity_at <= cutoff)).rowcount or 0
    done["USSD drafts and sessions deleted"] = purge_expired(now)
    return done
