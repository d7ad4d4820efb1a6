"""Cases, alerts and USSD notices written directly with chosen times, for statistics tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

import sqlalchemy as sa

from app.cases.models import Case, CaseCategory, CaseEventRecord
from app.cases.reference import new_reference
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.roles import ResponderRole
from app.referral.status import AlertStatus
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from app.ussd.models import UssdSessionEvent

DSM, DSM_CC, TEMEKE = "TZ-02", "TZ-02-C053", "TZ-02-C054"
PWANI, BAGAMOYO = "TZ-19", "TZ-19-C043"
_phones = count(1)
_sessions = count(1)


def a_responder() -> Responder:
    r = Responder(name="Insp. Test", role=ResponderRole("police_gcd"), region_id=DSM,
                  council_id=DSM_CC, languages="sw", language="sw")
    r.phone = f"+2557140{next(_phones):05d}"
    db.session.add(r)
    db.session.flush()
    return r


def _unused_reference() -> str:
    """A random case number not yet taken: hundreds of seeded cases would otherwise collide."""
    while True:
        ref = new_reference()
        if db.session.scalar(sa.select(Case.id).where(Case.reference == ref)) is None:
            return ref


def a_case(created: datetime, *, council: str = DSM_CC, region: str = DSM,
           category: CaseCategory = CaseCategory.BEGGING, urgent: bool = False,
           accepted_after: timedelta | None = None, delivered_after: timedelta | None = None,
           escalated: bool = False, responder: Responder | None = None) -> Case:
    """One case as the engine would have left it, with its times set by hand."""
    case = Case(reference=_unused_reference(), category=category, urgent=urgent,
                region_id=region, council_id=council, created_at=created, updated_at=created,
                status=CaseStatus.ACCEPTED if accepted_after else CaseStatus.REFERRED,
                accepted_at=created + accepted_after if accepted_after else None)
    db.session.add(case)
    db.session.flush()
    if delivered_after is not None:
        responder = responder or a_responder()
        wave = ReferralWave(case_id=case.id, number=1, step=1, roles=["police_gcd"], size=1,
                            reach="region", deadline_at=created + timedelta(hours=1))
        db.session.add(wave)
        db.session.flush()
        sms = OutboundSms.compose("+255714999999", "alert", purpose="alert",
                                  status=SmsStatus.DELIVERED,
                                  delivered_at=created + delivered_after)
        db.session.add(sms)
        db.session.flush()
        db.session.add(Alert(case_id=case.id, responder_id=responder.id, wave_id=wave.id,
                             status=AlertStatus.DELIVERED, sms_id=sms.id,
                             deadline_at=created + timedelta(hours=1), created_at=created,
                             updated_at=created + delivered_after))
    if escalated:
        db.session.add(CaseEventRecord(case_id=case.id, at=created, kind="exhaust"))
    db.session.flush()
    return case


def a_notice(at: datetime, screen: str, status: str = "Incomplete") -> None:
    db.session.add(UssdSessionEvent(session_id=f"s{next(_sessions)}", status=status,
                                    last_screen=screen, received_at=at))
    db.session.flush()
