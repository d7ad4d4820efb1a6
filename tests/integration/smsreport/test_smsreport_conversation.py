"""A report by plain SMS, from the first message to the case number, as a reporter texts it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from flask import Flask

from app.cases.models import Case
from app.cases.vocabulary import CaseCategory, CaseSource
from app.clock import utcnow
from app.extensions import db
from app.smsreport.models import SmsReport
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    new_phone,
    responder,
    sms_in,
    sms_to,
)

FIRST = "Habari, kuna mtoto anafanyishwa kazi za ndani kwa jirani yangu Kariakoo"


def replies(phone: str) -> list[str]:
    return [m.body for m in sms_to(phone)]


def cases() -> list[Case]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Case)))


def texts(phone: str, *messages: str) -> list[str]:
    for message in messages:
        sms_in(phone, message)
    return replies(phone)


def test_a_report_by_sms_in_swahili_reaches_a_responder(app: Flask, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    phone = new_phone()
    [first] = texts(phone, FIRST)
    assert first.startswith("Linda: asante. Jibu maswali machache kwa namba au neno; ACHA")
    assert "Je, mtoto yuko hatarini sasa hivi?\n1.Ndiyo\n2.Hapana" in first
    assert "0.Rudi" not in first
    said = texts(phone, "ndiyo", "1", "2", "kariakoo")  # yes in words, 112 seen, forced work
    assert said[1].startswith("Ukiweza, piga sasa 112")
    assert said[-1].startswith("Chagua:\n1.Kariakoo (Ilala, Dar es Salaam)")
    summary = texts(phone, "1")[-1]
    assert summary.startswith("DHARURA: Kulazimishwa kufanya kazi\nKariakoo (Ilala")
    done = texts(phone, "tuma")[-1]  # "send" in words
    [case] = cases()
    assert done.endswith(f"Namba ya kumbukumbu:\n{case.reference}\n"
                         "Hatari sasa? Piga 112. Msaada kwa mtoto: 116 (bure).")
    assert case.source is CaseSource.SMS and case.category is CaseCategory.FORCED_LABOUR
    assert case.urgent and case.ward_id == KARIAKOO and case.reporter_phone == phone
    assert case.details == FIRST and FIRST not in (case.details_enc or "")
    assert all(len(r) <= 320 for r in replies(phone))
    run_jobs()  # the same referral path as a USSD report
    [alert] = sms_to(police.phone, "alert")
    assert case.reference in alert.body
    sms_in(police.phone, f"KUBALI {case.reference}")
    db.session.expire_all()
    assert db.session.get_one(Case, case.id).lead_responder_id == police.id
    conv = db.session.scalar(sa.select(SmsReport))
    assert conv is not None and conv.state == "sent" and conv.case_id == case.id
    assert "kariakoo" not in (conv.path_enc or "").lower()  # answers sealed at rest


def test_english_words_and_adding_details(app: Flask) -> None:
    phone = new_phone()
    [first] = texts(phone, "Hello, I want to report a child")
    assert "Is a child in danger right now?" in first
    texts(phone, "no", "Taken or sent far away", "igogo", "1", "add details",
          "2", "today", "near the market", "yes")
    summary = replies(phone)[-1]
    assert summary.startswith("Taken or sent far away\nIgogo (Nyamagana, Mwanza)\n"
                              "2-5 children, today, call me, near the market")
    done = texts(phone, "send")[-1]
    [case] = cases()
    assert case.reference in done and case.language == "en" and case.callback_consent
    assert case.details == "Hello, I want to report a child"  # the first free text
    assert case.landmark == "near the market"


def test_a_wrong_answer_is_asked_again_with_the_reason(app: Flask) -> None:
    phone = new_phone()
    texts(phone, "msaada")
    again = texts(phone, "labda")[-1]
    assert again.startswith("Si sahihi.\nJe, mtoto yuko hatarini sasa hivi?")
    place = texts(phone, "2", "1", "qqqq")[-1]
    assert place.startswith("Jina halijapatikana.")


def test_acha_stops_and_the_next_message_starts_again(app: Flask) -> None:
    phone = new_phone()
    texts(phone, "nataka kuripoti", "1")
    stopped = texts(phone, "ACHA")[-1]
    assert stopped.startswith("Linda: tumesimamisha.")
    assert db.session.scalar(sa.select(SmsReport.state)) == "stopped"
    again = texts(phone, "habari")[-1]
    assert "Je, mtoto yuko hatarini sasa hivi?" in again
    assert cases() == []


def test_the_conversation_survives_hours_of_silence_not_days(app: Flask) -> None:
    phone = new_phone()
    texts(phone, "nataka kuripoti", "2")
    with time_machine.travel(utcnow() + timedelta(hours=6), tick=False):
        assert texts(phone, "4")[-1].startswith("Ni wapi?")  # begging, asked where
    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        assert "Je, mtoto yuko hatarini" in texts(phone, "kariakoo")[-1]  # started again
    states = sorted(db.session.scalars(sa.select(SmsReport.state)))
    assert states == ["expired", "open"]


def test_each_number_gets_a_daily_cap_of_replies(app: Flask) -> None:
    app.config["SMS_REPORT_REPLIES_PER_DAY"] = 3
    phone, other = new_phone(), new_phone()
    texts(phone, "msaada", "9", "9", "9", "9")
    sent = replies(phone)
    assert len(sent) == 3 and sent[-1].startswith("Linda: umefika kikomo cha ujumbe wa leo.")
    assert "116" in sent[-1]
    assert len(texts(other, "msaada")) == 1  # another number is not affected
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        assert len(texts(phone, "1")) == 4  # a new day


def test_a_responder_keeps_the_responder_commands(app: Flask, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    sms_in(police.phone, "msaada")
    assert "KUBALI N" in replies(police.phone)[-1]  # the responder help, not a report
    assert db.session.scalar(sa.select(sa.func.count(SmsReport.id))) == 0
