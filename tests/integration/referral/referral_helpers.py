"""Helpers for referral tests: gazetteer places, responders, reports, SMS in and out."""

from __future__ import annotations

from itertools import count

import sqlalchemy as sa

from app.cases.models import Case, CaseCategory
from app.cases.services import NewReport, create_case
from app.clock import utcnow
from app.extensions import db
from app.privacy import phone_hash
from app.referral.models import Alert, Responder
from app.referral.roles import ResponderRole
from app.sms.models import InboundSms, OutboundSms
from app.sms.signals import inbound_sms_received, sms_status_changed
from app.sms.status import SmsStatus

# Dar es Salaam City Council (Ilala until 2021) and its wards; Temeke; Bagamoyo in Pwani.
DSM, DSM_CC, TEMEKE = "TZ-02", "TZ-02-C053", "TZ-02-C054"
KARIAKOO, KISUTU, MCHIKICHINI = "W01116", "W01119", "W01125"
PWANI, BAGAMOYO, BAGAMOYO_KISUTU = "TZ-19", "TZ-19-C043", "W00966"
REPORTER = "+255754000999"

_phones = count(1)


def new_phone() -> str:
    """A number no test writes by hand (those use +2557130…): after a hundred helpers' phones
    a shared counter would otherwise reach a test's own +255713000101."""
    return f"+2557139{next(_phones):05d}"


def responder(role: ResponderRole | str, *, region: str = DSM, council: str | None = DSM_CC,
              ward: str | None = None, confirmed: bool = True, on_duty: bool = True,
              language: str = "sw", name: str | None = None, phone: str | None = None,
              lat: float | None = None, lon: float | None = None) -> Responder:
    """A responder row (committed), confirmed and on duty unless told otherwise."""
    r = Responder(name=name or f"{role} {ward or council or region}", role=ResponderRole(role),
                  region_id=region, council_id=council, ward_id=ward, on_duty=on_duty,
                  languages=language, language=language, lat=lat, lon=lon,
                  confirmed_at=utcnow() if confirmed else None)
    r.phone = phone or new_phone()
    db.session.add(r)
    db.session.commit()
    return r


def report(*, council: str = DSM_CC, ward: str | None = KARIAKOO, urgent: bool = True,
           category: CaseCategory = CaseCategory.FORCED_LABOUR, consent: bool = False,
           phone: str | None = REPORTER, language: str = "sw") -> Case:
    """A report as USSD makes it, committed (which queues the dispatch job)."""
    case = create_case(NewReport(category=category, council_id=council, ward_id=ward,
                                 urgent=urgent, callback_consent=consent, reporter_phone=phone,
                                 language=language))
    db.session.commit()
    return case


def sms_to(phone: str, purpose: str | None = None) -> list[OutboundSms]:
    """Every SMS queued to ``phone`` (optionally of one purpose), oldest first."""
    db.session.expire_all()
    query = sa.select(OutboundSms).where(OutboundSms.to_hash == phone_hash(phone))
    if purpose is not None:
        query = query.where(OutboundSms.purpose == purpose)
    return list(db.session.scalars(query.order_by(OutboundSms.id)))


def alerts_of(case: Case) -> dict[int, Alert]:
    """The case's alerts by responder id, freshly read."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Alert).where(Alert.case_id == case.id))
    return {a.responder_id: a for a in rows}


def fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get_one(Case, case.id)


_provider_ids = count(1)


def sms_in(sender: str, text: str, provider_id: str | None = None) -> InboundSms:
    """An inbound SMS as the webhook delivers it: stored once per provider id, then signalled."""
    provider_id = provider_id or f"ATXid_test{next(_provider_ids)}"
    msg = db.session.scalar(sa.select(InboundSms).where(InboundSms.provider_id == provider_id))
    if msg is None:
        msg = InboundSms.compose(provider_id, sender, text, to="15000")
        db.session.add(msg)
        db.session.flush()
    inbound_sms_received.send(msg)
    db.session.commit()
    return msg


def delivery(msg: OutboundSms, status: SmsStatus) -> None:
    """A delivery report for ``msg`` as the SMS feature applies it."""
    msg = db.session.get_one(OutboundSms, msg.id)
    old, msg.status = msg.status, status
    sms_status_changed.send(msg, old=old, new=status)
    db.session.commit()
