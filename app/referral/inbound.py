"""Responders' SMS commands and delivery reports of alerts. Services flush; callers commit.

Every inbound SMS gets exactly one reply, in the sender's language, and is handled once per
stored row (``handled_at``). Nothing a message says changes a case unless it comes from the
number the case was sent to.
"""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import apply_event, find_by_reference, lock_case, record
from app.cases.status import CaseEvent, CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.referral import services
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.reoffer import became_available
from app.referral.schedule import request_check, schedule_reminder
from app.referral.sms_commands import Command, Verb, parse_command
from app.referral.status import OPEN, WAITING, AlertEvent, AlertStatus, can
from app.referral.texts import KEYWORD, text
from app.sms.models import InboundSms, OutboundSms
from app.sms.services import queue_sms
from app.sms.status import WITHDRAWN, SmsStatus
from app.staff.services import audit

log = logging.getLogger(__name__)


class Reply(Exception):  # noqa: N818 - a control-flow signal carrying the answer, not an error
    """Stop handling and answer with ``key`` (an outcome label names what happened)."""

    def __init__(self, outcome: str, key: str, **params: str) -> None:
        super().__init__(outcome)
        self.outcome, self.key, self.params = outcome, key, params


def handle_inbound(msg: InboundSms) -> None:
    """Act on one stored inbound SMS and queue its one reply; a second call does nothing.

    A failure inside the command is rolled back to a savepoint and still answered, so the
    sender is never left without a reply and the message is never stored unhandled.
    """
    if msg.id is None:
        db.session.flush()
    db.session.refresh(msg, with_for_update=True)  # the same row signalled twice at once
    if msg.handled_at is not None:
        return
    if not _within_limit(msg):
        return
    command = parse_command(msg.text)
    responder = db.session.scalar(sa.select(Responder).where(Responder.phone_hash == msg.from_hash))
    lang = responder.language if responder else (command.language or "sw")
    savepoint = db.session.begin_nested()
    if responder is None:  # anybody else is making a report by SMS (it queues its reply)
        from app.smsreport.services import handle_report_sms

        audit("sms", "referral.unknown_sender", "inbound_sms", msg.id, verb=command.verb.value)
        try:
            msg.outcome = handle_report_sms(msg)
            savepoint.commit()
        except Exception:
            savepoint.rollback()
            log.exception("inbound sms %s: the report by SMS failed", msg.id)
            queue_sms(msg.sender, text(lang, "reply.error", hotline=_hotline()), purpose="reply",
                      ref_kind="inbound", ref_id=msg.id)
            msg.outcome = "error"
        msg.handled_at = utcnow()
        return
    try:
        outcome, key, params = _run(responder, command, msg)
        savepoint.commit()
    except Reply as reply:
        savepoint.commit()
        outcome, key, params = reply.outcome, reply.key, reply.params
    except Exception:
        savepoint.rollback()
        log.exception("inbound sms %s: command %s failed", msg.id, command.verb.value)
        audit("sms", "referral.command_failed", "inbound_sms", msg.id, verb=command.verb.value)
        outcome, key, params = "error", "reply.error", {}
    body = text(lang, key, hotline=_hotline(), **params) if key != "alert" else params["body"]
    queue_sms(msg.sender, body, purpose="reply", ref_kind="inbound", ref_id=msg.id)
    msg.handled_at = utcnow()
    msg.outcome = outcome
    log.info("inbound sms %s: %s", msg.id, outcome)


#: Packages that act on SMS after the referral (places, check-ins, replies to coordination
#: messages); each ``handle`` returns None when the message is not theirs.
AFTERCARE_HANDLERS = ("app.centres.sms", "app.followup.sms", "app.broadcast.sms")
#: Why a "taken" notice still in the outbox is never sent: the responder's own KUBALI was
#: answered "taken" (``_withdraw_notice``).
NOTICE_WITHDRAWN = WITHDRAWN + "the reply to the responder said the same"


def _within_limit(msg: InboundSms) -> bool:
    """INBOUND_SMS_PER_NUMBER_PER_HOUR: beyond it a message is kept but not acted on, and the
    sender is told once per hour (a flood must not become a flood of replies)."""
    from app.web.limits import allow, first_notice

    if allow("sms_in", msg.from_hash, current_app.config["INBOUND_SMS_PER_NUMBER_PER_HOUR"],
             3600):
        return True
    msg.handled_at, msg.outcome = utcnow(), "rate_limited"
    if first_notice("sms_in", msg.from_hash, 3600):
        who = db.session.scalar(sa.select(Responder).where(Responder.phone_hash == msg.from_hash))
        queue_sms(msg.sender, text(who.language if who else "sw", "reply.rate_limited",
                                   hotline=_hotline()),
                  purpose="reply", ref_kind="inbound", ref_id=msg.id)
    log.info("inbound sms %s: rate_limited", msg.id)
    return False


def _run(responder: Responder, command: Command, msg: InboundSms) -> tuple[str, str, dict]:
    verb = command.verb
    for name in AFTERCARE_HANDLERS:
        handled = importlib.import_module(name).handle(responder, command, msg)
        if handled is not None:
            return handled  # (outcome, "alert", {"body": the reply, already rendered})
    if verb is Verb.UNKNOWN:
        return "unknown_command", "reply.unknown_command", {}
    if verb is Verb.HELP:
        return "help", "reply.help", {}
    if verb is Verb.START:
        newly, was_available = responder.confirmed_at is None, responder.can_receive_alerts
        now = utcnow()
        if newly:
            responder.confirmed_at = now
            audit(f"responder:{responder.id}", "responder.confirm", "responder", responder.id)
        responder.on_duty, responder.last_verified_at = True, now
        if not was_available:
            became_available(responder)
        return ("confirmed", "reply.confirmed", {}) if newly else ("on_duty", "reply.started", {})
    if verb is Verb.STOP:
        responder.on_duty = False
        audit(f"responder:{responder.id}", "responder.off_duty", "responder", responder.id)
        return "off_duty", "reply.stopped", {}
    alert = _find_alert(responder, command, msg)
    case = lock_case(alert.case_id)
    db.session.refresh(alert)
    handler = {Verb.ACK: _accept, Verb.DECLINE: _decline, Verb.DONE: _done, Verb.INFO: _info}
    return handler[verb](responder, alert, case, command)


def _find_alert(responder: Responder, command: Command, msg: InboundSms) -> Alert:
    keyword = KEYWORD[responder.language if responder.language in KEYWORD else "sw"]
    if command.bad_reference:
        raise Reply("bad_reference", "reply.bad_reference", given=command.bad_reference)
    if command.reference:
        case = find_by_reference(command.reference)
        if case is None:  # the same answer as "not yours": no oracle of real case numbers
            raise Reply("no_such_case", "reply.not_yours", ref=command.reference)
        alert = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id,
                                                         Alert.responder_id == responder.id))
        if alert is None:
            record(case, "command_refused", actor=f"responder:{responder.id}",
                   detail={"verb": command.verb.value, "reason": "not sent to sender",
                           "inbound_sms": msg.id})
            audit(f"responder:{responder.id}", "referral.command_refused", "case", case.id,
                  verb=command.verb.value, reason="not sent to sender")
            raise Reply("not_yours", "reply.not_yours", ref=case.reference)
        return alert
    open_alerts = db.session.execute(
        sa.select(Alert, Case.reference).join(Case, Case.id == Alert.case_id)
        .where(Alert.responder_id == responder.id, Alert.status.in_(OPEN),
               Case.status != CaseStatus.CLOSED)
        .order_by(Alert.id)).all()
    if not open_alerts:
        raise Reply("no_open_alert", "reply.no_open")
    if len(open_alerts) > 1:
        refs = [ref for _, ref in open_alerts]
        raise Reply("ambiguous", "reply.which", refs=", ".join(refs[:5]), first=refs[0],
                    keyword=keyword[command.verb.value])
    return open_alerts[0][0]


def _accept(responder: Responder, alert: Alert, case: Case, command: Command
            ) -> tuple[str, str, dict]:
    ref = case.reference
    if case.lead_responder_id == responder.id and case.status is CaseStatus.ACCEPTED:
        return "already_lead", "reply.already_lead", {"ref": ref}
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED) or not can(alert.status,
                                                                         AlertEvent.ACCEPT):
        _withdraw_notice(alert)
        return "taken", "reply.taken", {"ref": ref}
    now = utcnow()
    services.move_alert(alert, AlertEvent.ACCEPT)
    alert.responded_at = now
    case.lead_responder_id = responder.id
    apply_event(case, CaseEvent.ACCEPT, actor=f"responder:{responder.id}",
                detail={"alert": alert.id})
    _stand_down_others(case, alert)
    _tell_reporter(case)
    schedule_reminder(alert.id, now + timedelta(seconds=current_app.config[
        "FOLLOW_UP_AFTER_SECONDS"]))
    return "accepted", "reply.accepted", {"ref": ref}


def _stand_down_others(case: Case, lead: Alert) -> None:
    """Cancel every other alert of the case; those still waiting are told it is taken."""
    now = utcnow()
    for wave in db.session.scalars(sa.select(ReferralWave).where(
            ReferralWave.case_id == case.id, ReferralWave.closed_at.is_(None))):
        wave.closed_at = now
    others = db.session.scalars(sa.select(Alert).where(Alert.case_id == case.id,
                                                       Alert.id != lead.id)).all()
    for other in others:
        if not can(other.status, AlertEvent.CANCEL) or other.status is AlertStatus.CANCELLED:
            continue
        told = other.status in WAITING or other.status is AlertStatus.EXPIRED
        services.move_alert(other, AlertEvent.CANCEL, reason="case taken")
        if told:
            who = db.session.get_one(Responder, other.responder_id)
            queue_sms(who.phone, text(who.language, "notice.taken", ref=case.reference),
                      purpose="notice", ref_kind="alert", ref_id=other.id,
                      expires_at=now + timedelta(seconds=current_app.config[
                          "ALERT_MAX_AGE_SECONDS"]))


def _hotline() -> str:
    return str(current_app.config["HOTLINE_PHONE"])


def _withdraw_notice(alert: Alert) -> None:
    """A responder who lost an accept race hears it once: the reply to their KUBALI says the
    case is taken, so a "taken" notice still waiting in the outbox is not sent as well."""
    for notice in db.session.scalars(sa.select(OutboundSms).where(
            OutboundSms.ref_kind == "alert", OutboundSms.ref_id == alert.id,
            OutboundSms.purpose == "notice", OutboundSms.status == SmsStatus.QUEUED)
            .with_for_update()):
        notice.status = SmsStatus.EXPIRED
        notice.failure_reason = NOTICE_WITHDRAWN


def _tell_reporter(case: Case) -> None:
    """One SMS to a reporter who agreed to be contacted; never to anybody else."""
    phone = case.reporter_phone
    if not case.callback_consent or not phone:
        return
    queue_sms(phone, text(case.language, "reporter.accepted", ref=case.reference),
              purpose="reporter", ref_kind="case", ref_id=case.id)
    record(case, "reporter_told", detail={"what": "accepted"})


def _decline(responder: Responder, alert: Alert, case: Case, command: Command
             ) -> tuple[str, str, dict]:
    ref = case.reference
    if alert.status is AlertStatus.ACCEPTED:
        return "lead_cannot_decline", "reply.lead_cannot_decline", {"ref": ref}
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED):
        return "taken", "reply.taken", {"ref": ref}
    if alert.status is not AlertStatus.DECLINED and can(alert.status, AlertEvent.DECLINE):
        services.move_alert(alert, AlertEvent.DECLINE, reason=command.rest or None)
        alert.responded_at = utcnow()
        record(case, "alert_declined", actor=f"responder:{responder.id}",
               detail={"alert": alert.id, "reason_given": bool(command.rest)})
        request_check(alert.wave_id)
    return "declined", "reply.declined", {"ref": ref}


def _done(responder: Responder, alert: Alert, case: Case, command: Command
          ) -> tuple[str, str, dict]:
    ref = case.reference
    if case.status is CaseStatus.CLOSED:
        return "already_closed", "reply.already_closed", {"ref": ref}
    if alert.status is not AlertStatus.ACCEPTED or case.lead_responder_id != responder.id:
        record(case, "command_refused", actor=f"responder:{responder.id}",
               detail={"verb": "done", "reason": "not the lead"})
        return "not_lead", "reply.not_lead", {"ref": ref}
    from app.followup.sms import close_by_sms

    return close_by_sms(responder, case, command.rest,
                        finish=lambda: services.move_alert(alert, AlertEvent.FINISH))


def _info(responder: Responder, alert: Alert, case: Case, command: Command
          ) -> tuple[str, str, dict]:
    if not may_read(responder, alert, case):
        record(case, "command_refused", actor=f"responder:{responder.id}",
               detail={"verb": "info", "reason": f"alert {alert.status.value}"})
        return "not_yours", "reply.not_yours", {"ref": case.reference}
    return "info", "alert", {"body": services.render_info(case, responder.language)}


def may_read(responder: Responder, alert: Alert, case: Case) -> bool:
    """Details (landmark, consented number) go to an alert still waiting, or to the lead
    until the case closes; never to one who declined, expired, was cancelled or replaced."""
    if case.status is CaseStatus.CLOSED:
        return False
    if alert.status is AlertStatus.ACCEPTED:
        return case.lead_responder_id == responder.id
    return alert.status in WAITING and case.status is not CaseStatus.ACCEPTED


def on_alert_sms_status(msg: OutboundSms, new: SmsStatus) -> None:
    """Follow an alert's SMS: a failed or expired one frees its slot at once."""
    if msg.ref_kind != "alert" or msg.ref_id is None or msg.purpose != "alert":
        return
    alert = db.session.get(Alert, msg.ref_id)
    if alert is None or alert.sms_id != msg.id:
        return
    event = {SmsStatus.SUBMITTED: AlertEvent.SEND, SmsStatus.SENT: AlertEvent.SEND,
             SmsStatus.DELIVERED: AlertEvent.DELIVER, SmsStatus.FAILED: AlertEvent.FAIL,
             SmsStatus.EXPIRED: AlertEvent.FAIL}.get(new)
    if event is None or not can(alert.status, event) or alert.status is AlertStatus.FAILED:
        return
    services.move_alert(alert, event,
                        reason=f"sms {new.value}" if event is AlertEvent.FAIL else None)
    if event is AlertEvent.FAIL:
        case = db.session.get_one(Case, alert.case_id)
        record(case, "alert_failed", detail={"alert": alert.id, "sms": new.value})
        request_check(alert.wave_id)
