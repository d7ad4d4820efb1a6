"""A case reaches the nearest responders and keeps moving until somebody accepts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.cases.models import CaseCategory, CaseEventRecord
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.gsm import sms_segments
from app.referral.models import ReferralWave
from app.referral.status import AlertStatus
from app.sms.status import SmsStatus
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    BAGAMOYO_KISUTU,
    KARIAKOO,
    KISUTU,
    PWANI,
    REPORTER,
    TEMEKE,
    alerts_of,
    delivery,
    fresh,
    report,
    responder,
    sms_in,
    sms_to,
)


def test_an_urgent_case_alerts_the_nearest_police_and_social_welfare(app, run_jobs) -> None:
    ward_police = responder("police_gcd", ward=KARIAKOO)
    responder("police_gcd", ward=KISUTU)  # same council, other ward: second choice
    swo = responder("social_welfare")  # council-wide
    responder("social_welfare", council=TEMEKE)  # same region, other council
    responder("police_gcd", region=PWANI, council=BAGAMOYO, ward=BAGAMOYO_KISUTU)
    unconfirmed = responder("police_gcd", ward=KARIAKOO, confirmed=False)
    off_duty = responder("social_welfare", ward=KARIAKOO, on_duty=False)
    responder("ward_executive", ward=KARIAKOO)  # not a role of the first urgent wave

    case = report()
    run_jobs()

    assert fresh(case).status is CaseStatus.REFERRED
    assert set(alerts_of(case)) == {ward_police.id, swo.id}
    for who in (ward_police, swo):
        (alert,) = sms_to(who.phone, "alert")
        assert case.reference in alert.body and "KUBALI" in alert.body
        assert sms_segments(alert.body) <= 2
        assert alert.expires_at is not None and alert.expires_at > utcnow()
        assert REPORTER not in alert.body  # no consent, no number
    assert sms_to(unconfirmed.phone, "alert") == [] and sms_to(off_duty.phone, "alert") == []


def test_the_reporter_number_is_in_the_alert_only_with_consent(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, language="en")
    case = report(consent=True)
    run_jobs()
    (alert,) = sms_to(police.phone, "alert")
    assert REPORTER in alert.body and "Reply ACCEPT" in alert.body and case.reference in alert.body


def test_a_normal_case_goes_to_local_officers_first(app, run_jobs) -> None:
    weo = responder("ward_executive", ward=KARIAKOO)
    cdo = responder("community_development")
    police = responder("police_gcd", ward=KARIAKOO)
    case = report(urgent=False, category=CaseCategory.BEGGING)
    run_jobs()
    assert set(alerts_of(case)) == {weo.id, cdo.id}
    assert police.id not in alerts_of(case)


def test_accept_makes_a_lead_stands_down_the_others_and_stops_escalation(
        app, run_jobs, reconcile, later) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    responder("police_gcd", ward=KISUTU)  # would be wave 2
    supervisor = responder("hotline_supervisor", council=None)
    case = report(consent=True)
    run_jobs()

    sms_in(swo.phone, f"KUBALI {case.reference}")
    case = fresh(case)
    assert case.status is CaseStatus.ACCEPTED and case.lead_responder_id == swo.id
    assert "kiongozi" in sms_to(swo.phone, "reply")[-1].body
    alerts = alerts_of(case)
    assert alerts[swo.id].status is AlertStatus.ACCEPTED
    assert alerts[police.id].status is AlertStatus.CANCELLED
    assert case.reference in sms_to(police.phone, "notice")[0].body
    assert len(sms_to(REPORTER, "reporter")) == 1

    with later(utcnow() + timedelta(hours=2)):
        reconcile()
        run_jobs()
    assert len(alerts_of(case)) == 2  # no further wave
    assert sms_to(supervisor.phone) == []
    assert fresh(case).status is CaseStatus.ACCEPTED
    assert len(sms_to(REPORTER, "reporter")) == 1


def test_silence_escalates_wave_by_wave_up_to_the_supervisors(app, run_jobs, later) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    second = responder("police_gcd", ward=KISUTU)
    weo = responder("ward_executive", ward=KARIAKOO)
    supervisor = responder("hotline_supervisor", council=None, language="en")
    sleeping = responder("hotline_supervisor", council=None, on_duty=False)
    case = report()
    run_jobs()
    assert set(alerts_of(case)) == {police.id, swo.id}
    deadline = wave_deadline(case, 1)

    with later(deadline - timedelta(seconds=1)):
        run_jobs()
    assert set(alerts_of(case)) == {police.id, swo.id}  # not yet

    with later(deadline + timedelta(seconds=1)):
        run_jobs()  # the deadline job scheduled for wave 1
    alerts = alerts_of(case)
    assert set(alerts) == {police.id, swo.id, second.id, weo.id}
    assert alerts[police.id].status is AlertStatus.EXPIRED
    assert fresh(case).status is CaseStatus.REFERRED
    assert sms_to(supervisor.phone) == []

    with later(wave_deadline(case, 2) + timedelta(seconds=1)):
        run_jobs()
    case = fresh(case)
    assert case.status is CaseStatus.NEEDS_ATTENTION
    (alarm,) = sms_to(supervisor.phone)
    assert case.reference in alarm.body and "no officer accepted" in alarm.body
    assert sms_to(sleeping.phone) == []
    kinds = db.session.scalars(sa.select(CaseEventRecord.kind).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.id)).all()
    assert kinds == ["created", "refer", "wave_closed", "escalate", "wave_closed", "exhaust"]

    sms_in(weo.phone, "kubali")  # a late accept is still welcome
    assert fresh(case).status is CaseStatus.ACCEPTED


def wave_deadline(case, number: int):
    db.session.expire_all()
    return db.session.scalars(sa.select(ReferralWave.deadline_at).where(
        ReferralWave.case_id == case.id, ReferralWave.number == number)).one()


@pytest.mark.parametrize("status", [SmsStatus.FAILED, SmsStatus.EXPIRED])
def test_a_failed_or_expired_alert_sms_moves_the_slot_on_at_once(app, run_jobs,
                                                                 status: SmsStatus) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    next_police = responder("police_gcd", ward=KISUTU)
    case = report()
    run_jobs()
    (alert_sms,) = sms_to(police.phone, "alert")
    delivery(alert_sms, status)
    run_jobs()
    alerts = alerts_of(case)
    assert alerts[police.id].status is AlertStatus.FAILED
    assert alerts[next_police.id].status is AlertStatus.PENDING
    assert alerts[swo.id].status is AlertStatus.PENDING
    assert len(sms_to(next_police.phone, "alert")) == 1
    delivery(alert_sms, SmsStatus.FAILED)  # the same report again changes nothing
    run_jobs()
    assert len(alerts_of(case)) == 3


def test_delivery_reports_follow_the_alert(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    (alert_sms,) = sms_to(police.phone, "alert")
    delivery(alert_sms, SmsStatus.SENT)
    assert alerts_of(case)[police.id].status is AlertStatus.SENT
    delivery(alert_sms, SmsStatus.DELIVERED)
    assert alerts_of(case)[police.id].status is AlertStatus.DELIVERED


def test_a_decline_moves_on_at_once_and_when_nobody_is_left_the_next_wave_starts(
        app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    weo = responder("ward_executive", ward=KARIAKOO)  # only in wave 2
    case = report()
    run_jobs()
    assert set(alerts_of(case)) == {police.id}
    sms_in(police.phone, f"KATAA {case.reference} niko safarini")
    assert "KATAA" not in sms_to(police.phone, "reply")[-1].body
    run_jobs()
    alerts = alerts_of(case)
    assert alerts[police.id].status is AlertStatus.DECLINED
    assert alerts[police.id].reason == "niko safarini"
    assert weo.id in alerts  # wave 2 began without waiting for the deadline
    waves = db.session.scalars(sa.select(ReferralWave).where(ReferralWave.case_id == case.id)
                               .order_by(ReferralWave.number)).all()
    assert [w.number for w in waves] == [1, 2] and waves[0].closed_at is not None


def test_nobody_to_alert_goes_straight_to_the_supervisors(app, run_jobs) -> None:
    supervisor = responder("hotline_supervisor", council=None)
    case = report()
    run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    assert len(sms_to(supervisor.phone, "escalation")) == 1


def test_a_lost_queue_still_escalates_once_the_reconciler_runs(
        app, run_jobs, reconcile, later) -> None:
    from app.worker.queue import connection

    police = responder("police_gcd", ward=KARIAKOO)
    second = responder("ward_executive", ward=KISUTU)  # wave 2
    case = report()
    connection().flushdb()  # Redis lost the dispatch job
    assert run_jobs() == 0
    reconcile()
    run_jobs()
    assert set(alerts_of(case)) == {police.id}

    connection().flushdb()  # ...and the wave's deadline job
    with later(wave_deadline(case, 1) + timedelta(seconds=1)):
        assert run_jobs() == 0
        reconcile()
        run_jobs()
    assert set(alerts_of(case)) == {police.id, second.id}
    reconcile()
    run_jobs()
    assert len(alerts_of(case)) == 2  # once


def test_the_lead_is_reminded_once_when_a_case_stays_open(app, run_jobs, reconcile,
                                                          later) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    sms_in(police.phone, "kubali")
    run_jobs()
    assert sms_to(police.phone, "reminder") == []
    with later(utcnow() + timedelta(seconds=app.config["FOLLOW_UP_AFTER_SECONDS"] + 5)):
        run_jobs()
        reconcile()
        run_jobs()
    (reminder,) = sms_to(police.phone, "reminder")
    assert case.reference in reminder.body and "MALIZA" in reminder.body


def test_a_failure_the_receiver_missed_is_caught_up_by_the_reconciler(
        app, run_jobs, reconcile) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    next_police = responder("police_gcd", ward=KISUTU)
    responder("social_welfare")
    case = report()
    run_jobs()
    (alert_sms,) = sms_to(police.phone, "alert")
    alert_sms.status = SmsStatus.FAILED  # set without telling anybody
    db.session.commit()
    reconcile()
    run_jobs()
    alerts = alerts_of(case)
    assert alerts[police.id].status is AlertStatus.FAILED
    assert next_police.id in alerts


def test_a_released_case_looks_for_responders_again(app, run_jobs) -> None:
    from app.cases.services import apply_event
    from app.cases.status import CaseEvent

    police = responder("police_gcd", ward=KARIAKOO)
    weo = responder("ward_executive", ward=KARIAKOO)
    case = report()
    run_jobs()
    sms_in(police.phone, "kubali")
    case = fresh(case)
    apply_event(case, CaseEvent.RELEASE, actor="staff:1")  # the lead handed it back
    db.session.commit()
    run_jobs()
    case = fresh(case)
    assert case.status is CaseStatus.REFERRED and case.lead_responder_id is None
    alerts = alerts_of(case)
    assert alerts[police.id].status is AlertStatus.CANCELLED
    assert alerts[weo.id].status is AlertStatus.PENDING  # a new round, new people
    sms_in(police.phone, f"MALIZA {case.reference}")
    assert fresh(case).status is CaseStatus.REFERRED


def test_a_reporter_without_consent_never_gets_an_sms(app, run_jobs, later) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    responder("hotline_supervisor", council=None)
    case = report(consent=False)
    run_jobs()
    with later(wave_deadline(case, 1) + timedelta(seconds=1)):
        run_jobs()  # exhausted: supervisors told
    sms_in(police.phone, f"KUBALI {case.reference}")  # a late accept
    sms_in(police.phone, f"MALIZA {case.reference} salama")
    assert fresh(case).status is CaseStatus.CLOSED
    assert sms_to(REPORTER) == []
