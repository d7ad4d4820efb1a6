"""Finding 1: case details (landmark, consented reporter number) reach only who may act now.

A responder whose alert was cancelled, declined or expired, or a lead whose case is closed,
asks INFO and gets the same short answer as for a case that does not exist: no details and
no way to tell which case numbers are real.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.cases.models import CaseCategory
from app.cases.reference import damm_digit
from app.cases.services import NewReport, create_case
from app.clock import utcnow
from app.extensions import db
from app.referral.models import ReferralWave
from app.referral.status import AlertStatus
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    KISUTU,
    alerts_of,
    responder,
    sms_in,
    sms_to,
)

LANDMARK = "Nyumba ya bluu karibu na soko"
REPORTER = "+255754111222"


def consented_case():
    case = create_case(NewReport(category=CaseCategory.BEGGING, council_id="TZ-02-C053",
                                 ward_id=KARIAKOO, urgent=True, landmark=LANDMARK,
                                 callback_consent=True, reporter_phone=REPORTER,
                                 language="sw"))
    db.session.commit()
    return case


def last_reply(phone: str) -> str:
    return sms_to(phone, "reply")[-1].body


def leaks(body: str) -> bool:
    return "bluu" in body or "111222" in body or "754111" in body


def unknown_reference() -> str:
    stem = "918273"
    return stem + str(damm_digit(stem))


def refusal(phone: str, ref: str) -> str:
    return last_reply(phone).replace(ref, "<ref>")


def test_info_reaches_an_open_alert_and_the_lead_only_until_the_case_closes(
        app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    case = consented_case()
    run_jobs()
    assert set(alerts_of(case)) == {police.id, swo.id}

    sms_in(swo.phone, f"TAARIFA {case.reference}")  # waiting alert: may read
    assert leaks(last_reply(swo.phone))

    sms_in(police.phone, f"KUBALI {case.reference}")
    assert alerts_of(case)[swo.id].status is AlertStatus.CANCELLED
    sms_in(swo.phone, f"TAARIFA {case.reference}")  # someone else took it
    assert not leaks(last_reply(swo.phone))
    cancelled = refusal(swo.phone, case.reference)

    sms_in(police.phone, f"TAARIFA {case.reference}")  # the lead, case open
    assert leaks(last_reply(police.phone))
    sms_in(police.phone, f"MALIZA {case.reference} mtoto yuko salama")
    sms_in(police.phone, f"TAARIFA {case.reference}")  # closed: not even the lead
    assert not leaks(last_reply(police.phone))
    assert refusal(police.phone, case.reference) == cancelled

    ghost = unknown_reference()
    sms_in(swo.phone, f"TAARIFA {ghost}")  # no such case: the very same answer
    assert refusal(swo.phone, ghost) == cancelled
    sms_in(swo.phone, f"KUBALI {ghost}")
    assert refusal(swo.phone, ghost) == cancelled


def test_a_responder_who_declined_or_whose_wave_expired_reads_nothing(
        app, run_jobs, later) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    responder("police_gcd", ward=KISUTU)
    case = consented_case()
    run_jobs()
    sms_in(swo.phone, f"KATAA {case.reference} niko mbali")
    sms_in(swo.phone, f"TAARIFA {case.reference}")
    assert not leaks(last_reply(swo.phone))

    deadline = db.session.scalar(sa.select(ReferralWave.deadline_at).where(
        ReferralWave.case_id == case.id, ReferralWave.number == 1))
    with later(deadline + timedelta(seconds=1)):
        run_jobs()
        assert alerts_of(case)[police.id].status is AlertStatus.EXPIRED
        sms_in(police.phone, f"INFO {case.reference}")
    assert not leaks(last_reply(police.phone))
    assert utcnow()  # the clock is back
