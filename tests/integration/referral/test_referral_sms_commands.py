"""Responders answer by SMS: every message gets one reply; only the alerted number acts."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.models import CaseEventRecord
from app.cases.reference import damm_digit
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.status import AlertStatus
from app.sms.models import InboundSms
from app.sms.status import SmsStatus
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    KISUTU,
    alerts_of,
    fresh,
    new_phone,
    report,
    responder,
    sms_in,
    sms_to,
)


def replies(phone: str) -> list[str]:
    return [m.body for m in sms_to(phone, "reply")]


def timeline(case) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CaseEventRecord.kind).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.id)))


def test_a_forged_accept_from_another_number_changes_nothing(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    other = responder("ward_executive", ward=KISUTU, language="en")  # known, not alerted
    case = report()
    run_jobs()
    assert set(alerts_of(case)) == {police.id}
    before = timeline(case)

    sms_in(other.phone, f"ACK {case.reference}")
    stranger = new_phone()
    sms_in(stranger, f"KUBALI {case.reference}")

    case = fresh(case)
    assert case.status is CaseStatus.REFERRED and case.lead_responder_id is None
    assert set(alerts_of(case)) == {police.id}
    assert replies(other.phone) == [
        f"Case {case.reference} is not one of your open cases. Check the number, or reply HELP "
        "for the commands."]
    (to_stranger,) = [m.body for m in sms_to(stranger)]  # not a responder: a report begins
    assert to_stranger.startswith("Linda: asante.") and "hatarini" in to_stranger
    assert timeline(case) == [*before, "command_refused"]
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"referral.command_refused", "referral.unknown_sender"} <= actions


def test_the_same_inbound_sms_three_times_acts_once(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    case = report()
    run_jobs()
    for _ in range(3):
        sms_in(police.phone, f"kubali {case.reference}", provider_id="ATXid_same")
    assert db.session.scalar(sa.select(sa.func.count(InboundSms.id))) == 1
    assert len(replies(police.phone)) == 1
    assert len(sms_to(swo.phone, "notice")) == 1
    assert timeline(case).count("accept") == 1
    msg = db.session.scalars(sa.select(InboundSms)).one()
    assert msg.handled_at is not None and msg.outcome == "accepted"


def test_a_mistyped_case_number_gets_check_the_number(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    typo = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    sms_in(police.phone, f"KUBALI {typo}")
    assert fresh(case).status is CaseStatus.REFERRED
    (reply,) = replies(police.phone)
    assert typo in reply and "hakiki namba" in reply


def test_a_well_formed_number_of_no_case_answers_as_a_case_not_yours(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, language="en")
    body = "100000"
    sms_in(police.phone, f"ACK {body}{damm_digit(body)}")
    # The same words as for a real case sent to someone else: no oracle of case numbers.
    assert replies(police.phone) == [f"Case {body}{damm_digit(body)} is not one of your open "
                                     "cases. Check the number, or reply HELP for the commands."]


def test_the_number_is_optional_with_one_open_alert_and_asked_for_with_two(
        app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    first = report()
    run_jobs()
    second = report()
    run_jobs()
    sms_in(police.phone, "kubali")
    assert fresh(first).status is CaseStatus.REFERRED
    assert "Una kesi kadhaa" in replies(police.phone)[-1]
    assert first.reference in replies(police.phone)[-1]

    sms_in(police.phone, f"KUBALI {second.reference}")
    assert fresh(second).status is CaseStatus.ACCEPTED
    sms_in(police.phone, "maliza mtoto yuko salama")  # both still open: asked again
    assert "Una kesi kadhaa" in replies(police.phone)[-1]
    sms_in(police.phone, f"maliza {second.reference} mtoto yuko salama")
    assert fresh(second).status is CaseStatus.CLOSED
    assert fresh(second).outcome == "mtoto yuko salama"
    sms_in(police.phone, "kubali")  # now only the first is open
    assert fresh(first).status is CaseStatus.ACCEPTED


def test_only_the_lead_can_close_and_a_second_accept_hears_it_is_taken(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, language="en")
    swo = responder("social_welfare", language="en")
    case = report()
    run_jobs()
    sms_in(police.phone, f"ACK {case.reference}")
    sms_in(swo.phone, f"ACK {case.reference}")
    assert "already taken" in replies(swo.phone)[-1]
    sms_in(swo.phone, f"DONE {case.reference}")
    assert fresh(case).status is CaseStatus.ACCEPTED
    assert "Only the officer leading" in replies(swo.phone)[-1]
    sms_in(police.phone, f"ACK {case.reference}")
    assert "already lead" in replies(police.phone)[-1]
    sms_in(police.phone, f"DONE {case.reference} child back with family")
    case = fresh(case)
    assert case.status is CaseStatus.CLOSED and case.outcome == "child back with family"
    assert alerts_of(case)[police.id].status is AlertStatus.DONE
    sms_in(police.phone, f"DONE {case.reference}")
    assert "already closed" in replies(police.phone)[-1]


def test_the_lead_cannot_decline_by_sms(app, run_jobs) -> None:
    app.config["HOTLINE_PHONE"] = "0800 110 011"
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    sms_in(police.phone, "kubali")
    sms_in(police.phone, "kataa")
    assert fresh(case).status is CaseStatus.ACCEPTED
    assert "piga simu ya msaada 0800 110 011" in replies(police.phone)[-1]


def test_info_resends_the_details_and_help_lists_the_commands(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, language="en")
    case = report()
    run_jobs()
    sms_in(police.phone, f"info {case.reference}")
    alert = sms_to(police.phone, "alert")[0].body
    assert replies(police.phone)[-1].startswith(alert.split(" Reply ")[0])
    sms_in(police.phone, "HELP")
    assert "DECLINE N reason" in replies(police.phone)[-1]
    assert "PLACE N" in replies(police.phone)[-1] and "ADMIT N" in replies(police.phone)[-1]
    assert "<" not in replies(police.phone)[-1] and "[" not in replies(police.phone)[-1]
    sms_in(police.phone, "what is this")
    assert "Reply HELP" in replies(police.phone)[-1]
    assert len(replies(police.phone)) == 3


def test_the_alert_and_info_carry_the_landmark(app, run_jobs) -> None:
    from app.cases.services import NewReport, create_case
    from app.cases.vocabulary import CaseCategory

    police = responder("police_gcd", ward=KARIAKOO)
    case = create_case(NewReport(category=CaseCategory.BEGGING, council_id="TZ-02-C053",
                                 ward_id=KARIAKOO, urgent=True, landmark="Soko la Kariakoo"))
    db.session.commit()
    run_jobs()
    assert "Mahali hasa: Soko la Kariakoo." in sms_to(police.phone, "alert")[0].body
    sms_in(police.phone, "taarifa")
    assert replies(police.phone)[-1] == (
        f"Linda kesi {case.reference}: DHARURA. kulazimishwa kuombaomba, leo. Mahali: "
        "Kariakoo, Ilala (Jiji la Dar es Salaam). Mahali hasa: Soko la "
        f"Kariakoo. Jibu KUBALI {case.reference} kuipokea.")


def test_a_responder_who_loses_an_accept_race_gets_one_sms(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, language="en")
    swo = responder("social_welfare", language="en")
    case = report()
    run_jobs()
    sms_in(police.phone, f"ACCEPT {case.reference}")  # queues "taken" for the other one
    sms_in(swo.phone, f"KUBALI {case.reference}")  # ... who answered at the same moment
    run_jobs()
    db.session.expire_all()
    sent = [m for m in sms_to(swo.phone) if m.status is not SmsStatus.EXPIRED]
    assert [m.purpose for m in sent] == ["alert", "reply"]
    assert "already taken" in sent[-1].body
    assert fresh(case).lead_responder_id == police.id


def test_stop_and_start_switch_duty_and_start_confirms_a_new_number(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, confirmed=False)
    first = report()
    run_jobs()
    assert sms_to(police.phone, "alert") == []  # unconfirmed: no alerts

    sms_in(police.phone, "ANZA")
    db.session.refresh(police)
    assert police.confirmed and police.on_duty and police.last_verified_at is not None
    assert "imethibitishwa" in replies(police.phone)[-1]
    run_jobs()  # the case nobody could take reaches the newly confirmed number
    assert [first.reference in a.body for a in sms_to(police.phone, "alert")] == [True]

    sms_in(police.phone, "acha")
    db.session.refresh(police)
    assert not police.on_duty
    second = report()
    run_jobs()
    assert len(sms_to(police.phone, "alert")) == 1

    sms_in(police.phone, "start")
    db.session.refresh(police)
    assert police.on_duty
    assert "Uko zamu" in replies(police.phone)[-1]
    run_jobs()  # back on duty: the case reported meanwhile reaches them
    third = report()
    run_jobs()
    bodies = [a.body for a in sms_to(police.phone, "alert")]
    assert [c.reference in b for c, b in zip((first, second, third), bodies, strict=True)] == [
        True, True, True]


def test_a_command_that_fails_is_rolled_back_and_still_answered(app, run_jobs,
                                                                monkeypatch) -> None:
    from app.referral import inbound

    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()

    def broken(responder, alert, case, command):
        case.lead_responder_id = responder.id  # a half-done change…
        raise RuntimeError("boom")

    monkeypatch.setattr(inbound, "_accept", broken)
    msg = sms_in(police.phone, "kubali")
    case = fresh(case)
    assert case.status is CaseStatus.REFERRED and case.lead_responder_id is None  # …undone
    assert "Jaribu tena" in replies(police.phone)[-1]
    db.session.refresh(msg)
    assert msg.outcome == "error" and msg.handled_at is not None
    assert "referral.command_failed" in set(db.session.scalars(sa.select(AuditEntry.action)))
