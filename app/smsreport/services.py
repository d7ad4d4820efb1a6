"""One SMS from somebody who is not a responder: the next question of their report, or the case
number at the end. Services flush; the caller (``referral.inbound``) commits.

The conversation is a row keyed by the sender's blind index; its answers are replayed through
the USSD menu's ``walk`` on each SMS, so the same graph, checks and texts serve both ways in.
Every reply is an SMS the service pays for: a number gets at most ``SMS_REPORT_REPLIES_PER_DAY``
in a day, the last of them saying so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import NewReport, create_case
from app.cases.vocabulary import CaseCategory, CaseSource, ChildrenCount, SeenWhen
from app.clock import utcnow
from app.extensions import db
from app.gsm import to_gsm7
from app.i18n import Messages
from app.privacy import mask_phone
from app.sms.models import InboundSms, OutboundSms
from app.sms.services import queue_sms
from app.smsreport.flow import for_sms, guess_language, is_free_text, is_stop, to_input
from app.smsreport.models import SmsReport
from app.ussd import menu
from app.ussd.engine import render, walk
from app.ussd.screens import End, Position
from app.ussd.services import DbProvider

log = logging.getLogger(__name__)

MESSAGES = Messages(Path(__file__).parent / "translations")
PURPOSE = "sms_report"
DETAILS_MAX = 500
#: The report starts at the urgency question: the sender has already said they want to report,
#: so the main menu (where a caller chooses "danger now" or "report") is not sent.
START = "report.urgent"


def text(lang: str, key: str, **params: Any) -> str:
    return MESSAGES.get(lang, key, **params)


def handle_report_sms(msg: InboundSms) -> str:
    """Answer one SMS of a reporter; returns the outcome label stored on the inbound row."""
    now = utcnow()
    phash = msg.from_hash
    body = msg.text or ""
    conv = _open(phash, now)
    lang = conv.language if conv is not None else guess_language(body)
    sent_today = _replies_today(phash, now)
    cap = current_app.config["SMS_REPORT_REPLIES_PER_DAY"]
    if sent_today >= cap:
        log.info("sms report from %s: daily reply cap reached", mask_phone(msg.sender))
        return "report_capped"
    if is_stop(body):
        if conv is not None:
            conv.state, conv.updated_at = "stopped", now
        _reply(msg, text(lang, "sms.stopped"), sent_today, cap, lang)
        return "report_stopped"
    if conv is None:
        conv = SmsReport(phone_hash=phash, language=lang, started_at=now, updated_at=now)
        conv.path = []
        if is_free_text(body):
            conv.details = to_gsm7(" ".join(body.split()))[:DETAILS_MAX]
        db.session.add(conv)
        pos = walk(menu.graph(), [], DbProvider(), start=START)
        screen = _screen(pos, lang)
        _reply(msg, f"{text(lang, 'sms.intro')}\n{screen}", sent_today, cap, lang)
        return "report_started"
    provider = DbProvider()
    before = walk(menu.graph(), conv.path, provider, start=START)
    answer = to_input(before.screen, body, menu.MESSAGES.get)
    pos = walk(menu.graph(), [*conv.path, answer], provider, start=START)
    lang = pos.lang or lang
    conv.language, conv.updated_at = lang, now
    if isinstance(pos.screen, End):
        return _finish(msg, conv, pos, provider, lang, sent_today, cap)
    conv.path = list(pos.path)
    _reply(msg, _screen(pos, lang, provider), sent_today, cap, lang)
    return "report_asked" if pos.error is None else "report_asked_again"


def _finish(msg: InboundSms, conv: SmsReport, pos: Position, provider: DbProvider, lang: str,
            sent_today: int, cap: int) -> str:
    screen = pos.screen
    assert isinstance(screen, End)  # noqa: S101 - only called on the last screen
    outcome = None
    if screen.action == "create_case":
        case = _create_case(msg, conv, pos, lang)
        conv.state, conv.case_id = "sent", case.id
        outcome = ("ussd.done", {"ref": case.reference})
    elif screen.action == "check_status":
        outcome = menu.check_status(pos, provider)
        conv.state = "ended"
    else:
        conv.state = "cancelled" if screen.id == "report.cancelled" else "ended"
    rendered = render(menu.graph(), pos, menu.MESSAGES.get, lang, provider, outcome).text
    _reply(msg, for_sms(rendered, menu.MESSAGES.get, lang), sent_today, cap, lang)
    return f"report_{conv.state}"


def _create_case(msg: InboundSms, conv: SmsReport, pos: Position, lang: str) -> Case:
    a = pos.answers
    report = NewReport(
        category=a.get("category", CaseCategory.OTHER), labour_kind=a.get("labour_kind"),
        council_id=str(a.get("council")), ward_id=a.get("ward"), urgent=bool(a.get("urgent")),
        children=a.get("children", ChildrenCount.UNKNOWN),
        seen_when=a.get("seen_when", SeenWhen.NOW), landmark=a.get("landmark"),
        details=conv.details, callback_consent=bool(a.get("callback_consent")),
        reporter_phone=msg.sender, language=lang, source=CaseSource.SMS)
    case = create_case(report)
    log.info("sms case %s created from %s", case.reference, mask_phone(msg.sender))
    return case


def _screen(pos: Position, lang: str, provider: DbProvider | None = None) -> str:
    rendered = render(menu.graph(), pos, menu.MESSAGES.get, lang, provider or DbProvider())
    return for_sms(rendered.text, menu.MESSAGES.get, lang)


def _open(phash: str, now: datetime) -> SmsReport | None:
    """The sender's open conversation; one silent for longer than ``SMS_REPORT_IDLE_HOURS``
    is closed and a new one starts."""
    idle = timedelta(hours=current_app.config["SMS_REPORT_IDLE_HOURS"])
    conv = db.session.scalar(sa.select(SmsReport).where(
        SmsReport.phone_hash == phash, SmsReport.state == "open")
        .order_by(SmsReport.id.desc()).limit(1).with_for_update())
    if conv is not None and conv.updated_at < now - idle:
        conv.state = "expired"
        return None
    return conv


def _replies_today(phash: str, now: datetime) -> int:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(sa.select(sa.func.count(OutboundSms.id)).where(
        OutboundSms.to_hash == phash, OutboundSms.purpose == PURPOSE,
        OutboundSms.created_at >= day)) or 0


def _reply(msg: InboundSms, body: str, sent_today: int, cap: int, lang: str) -> None:
    """Queue the reply; the last one the day allows says so instead of asking more."""
    if sent_today == cap - 1:
        body = text(lang, "sms.cap", hotline=current_app.config["HOTLINE_PHONE"],
                    ussd=current_app.config["USSD_SERVICE_CODE"])
    queue_sms(msg.sender, body, purpose=PURPOSE, ref_kind="inbound", ref_id=msg.id)


__all__ = ["handle_report_sms"]
