"""No case left with nobody: cases nobody took reach whoever becomes able to take them, the
supervisors hear what waits, and the reconciler tries again without spamming anybody."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from app.cases.models import CaseCategory, CaseEventRecord
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length
from app.referral.models import ReferralWave
from app.referral.reoffer import REALERT_AFTER
from app.referral.status import AlertStatus
from app.referral.tasks import rescue_for_responder
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    PWANI,
    alerts_of,
    fresh,
    new_phone,
    report,
    responder,
    sms_in,
    sms_to,
)


def timeline(case) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CaseEventRecord.kind).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.id)))


def last_deadline(case):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.max(ReferralWave.deadline_at)).where(
        ReferralWave.case_id == case.id))


def test_a_case_nobody_could_take_reaches_a_responder_who_confirms(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, confirmed=False)
    case = report()
    run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION

    sms_in(police.phone, "ANZA")
    run_jobs()
    assert fresh(case).status is CaseStatus.REFERRED
    (alert,) = sms_to(police.phone, "alert")
    assert case.reference in alert.body
    assert alerts_of(case)[police.id].status is AlertStatus.PENDING
    assert timeline(case)[-2:] == ["rescue", "refer"]

    sms_in(police.phone, "ANZA")  # again: already able, nothing new to do
    rescue_for_responder(police.id, utcnow().isoformat())  # the job run twice
    run_jobs()
    assert len(sms_to(police.phone, "alert")) == 1
    assert timeline(case).count("rescue") == 1

    sms_in(police.phone, f"KUBALI {case.reference}")
    assert fresh(case).status is CaseStatus.ACCEPTED


def test_only_responders_the_rule_would_pick_get_the_case(app, run_jobs) -> None:
    far = responder("police_gcd", region=PWANI, council=None, confirmed=False)  # out of reach
    health = responder("health", ward=KARIAKOO, confirmed=False)  # no wave of this rule
    case = report()  # forced labour, urgent: police and social welfare, region reach
    run_jobs()
    for who in (far, health):
        sms_in(who.phone, "START")
    run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    assert sms_to(far.phone, "alert") == [] and sms_to(health.phone, "alert") == []
    assert "rescue" not in timeline(case)


def test_coming_back_on_duty_by_sms_or_import_brings_the_waiting_cases(
        app, run_jobs, tmp_path) -> None:
    police = responder("police_gcd", ward=KARIAKOO, on_duty=False)
    weo = responder("ward_executive", ward=KARIAKOO, on_duty=False, name="Asha Mrisho",
                    phone="+255713000101")
    urgent = report(category=CaseCategory.SEXUAL_EXPLOITATION)
    normal = report(urgent=False, category=CaseCategory.BEGGING)
    run_jobs()
    assert fresh(urgent).status is fresh(normal).status is CaseStatus.NEEDS_ATTENTION

    csv = tmp_path / "responders.csv"
    csv.write_text("name,phone,role,region,council,ward,languages,on_duty\n"
                   "Asha Mrisho,0713000101,ward_executive,Dar es Salaam,Ilala,Kariakoo,sw,yes\n")
    result = app.test_cli_runner().invoke(args=["responders", "import", str(csv)])
    assert "1 updated" in result.output, result.output
    run_jobs()
    assert set(alerts_of(normal)) == {weo.id}  # wave 1 of the normal rule
    assert alerts_of(urgent) == {}  # no ward executive in that rule...

    sms_in(police.phone, "ANZA")
    run_jobs()
    assert set(alerts_of(urgent)) == {police.id}  # ...but police are
    assert police.id not in alerts_of(normal)  # its round is still open: wave 2 comes later


def test_exhausted_without_any_supervisor_is_an_error_and_on_the_timeline(
        app, run_jobs, caplog) -> None:
    responder("hotline_supervisor", council=None, confirmed=False)
    responder("hotline_supervisor", council=None, on_duty=False)
    with caplog.at_level(logging.ERROR, logger="app.referral.services"):
        case = report()
        run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    assert "no_supervisor" in timeline(case)
    (line,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert str(case.id) in line.getMessage() and case.reference not in line.getMessage()


def test_a_supervisor_coming_on_duty_gets_one_sms_listing_what_waits(app, run_jobs,
                                                                     later) -> None:
    sw_sup = responder("hotline_supervisor", council=None, confirmed=False)
    en_sup = responder("hotline_supervisor", council=None, on_duty=False, language="en")
    cases = [report(urgent=i % 2 == 0, phone=new_phone()) for i in range(7)]  # under the limit
    run_jobs()
    assert all("no_supervisor" in timeline(c) for c in cases)

    now = utcnow()
    with later(now):
        sms_in(sw_sup.phone, "ANZA")
        sms_in(en_sup.phone, "START")
        run_jobs()
        rescue_for_responder(sw_sup.id, now.isoformat())  # the same job again: still one SMS
        run_jobs()
    (sw,) = sms_to(sw_sup.phone, "attention")
    (en,) = sms_to(en_sup.phone, "attention")
    assert "kesi 7 zinahitaji" in sw.body and "7 case(s) need attention" in en.body
    urgent_first = [*[c.reference for c in cases if c.urgent][:4], cases[1].reference]
    assert ", ".join(urgent_first) in en.body
    assert cases[3].reference not in en.body  # five numbers at most
    assert max(gsm7_length(sw.body), gsm7_length(en.body)) <= SMS_SINGLE_LIMIT

    sms_in(en_sup.phone, "STOP")
    sms_in(en_sup.phone, "START")
    run_jobs()
    assert len(sms_to(en_sup.phone, "attention")) == 2  # a new shift, a new summary


def test_a_supervisor_is_not_told_when_nothing_waits(app, run_jobs) -> None:
    sup = responder("hotline_supervisor", council=None, confirmed=False)
    sms_in(sup.phone, "ANZA")
    run_jobs()
    assert sms_to(sup.phone, "attention") == []


def test_the_reconciler_tries_new_people_each_interval_and_silent_ones_once_a_day(
        app, run_jobs, reconcile, later) -> None:
    w = [responder("ward_executive", ward=KARIAKOO) for _ in range(4)]
    case = report(urgent=False, category=CaseCategory.BEGGING)  # wave 1: 2 officers at once
    run_jobs()
    assert set(alerts_of(case)) == {w[0].id, w[1].id}
    sms_in(w[0].phone, f"KATAA {case.reference}")
    run_jobs()
    assert set(alerts_of(case)) == {w[0].id, w[1].id, w[2].id}  # the slot refilled

    def alert_sms() -> list[int]:
        return [len(sms_to(x.phone, "alert")) for x in w]

    interval = timedelta(seconds=app.config["ACK_TIMEOUT_NORMAL_SECONDS"])
    exhausted = last_deadline(case) + timedelta(seconds=1)
    with later(exhausted):
        run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    with later(exhausted + interval - timedelta(seconds=2)):
        assert reconcile()["referral-rescue"] == 0  # not yet
    with later(exhausted + interval + timedelta(seconds=1)):
        assert reconcile()["referral-rescue"] == 1
        run_jobs()
        run_jobs()
    assert fresh(case).status is CaseStatus.REFERRED
    assert alerts_of(case)[w[3].id].status is AlertStatus.PENDING  # the one never asked
    assert alert_sms() == [1, 1, 1, 1]

    exhausted = last_deadline(case) + timedelta(seconds=1)
    with later(exhausted):
        run_jobs()
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    with later(exhausted + 3 * interval):  # everybody was asked: nobody again the same day
        assert reconcile()["referral-rescue"] == 0
        run_jobs()
    assert alert_sms() == [1, 1, 1, 1]

    with later(exhausted + REALERT_AFTER):
        assert reconcile()["referral-rescue"] == 1
        run_jobs()
    assert alert_sms() == [1, 2, 2, 1]  # never who declined; two at a time, as the rule says
    assert alerts_of(case)[w[1].id].status is AlertStatus.PENDING
    db.session.expire_all()
    rescues = db.session.scalars(sa.select(CaseEventRecord.detail).where(
        CaseEventRecord.case_id == case.id, CaseEventRecord.kind == "rescue")).all()
    assert [r["asked_again"] for r in rescues] == [[], [w[1].id, w[2].id]]
    sms_in(w[1].phone, f"KUBALI {case.reference}")
    assert fresh(case).status is CaseStatus.ACCEPTED
