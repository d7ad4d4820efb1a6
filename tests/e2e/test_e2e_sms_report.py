"""A report made only by SMS reaches a responder who accepts it: over HTTP, through the real
``africastalking`` SDK and the sandbox's virtual phones, as a person without USSD would do it."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.cases.vocabulary import CaseSource
from app.extensions import db
from app.gsm import is_gsm7, sms_segments
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from tests.e2e.e2e_helpers import ASHA, JUMA, RESPONDER_PHONES, Product, inbox

TEXTER = "+255765432100"


def texted(linda: Product, *messages: str) -> str:
    """Send each message from the texter's phone; return the last reply on that phone."""
    for message in messages:
        before = len(inbox(TEXTER))
        linda.reply_from_phone(TEXTER, message)
        linda.run_jobs()
        assert len(inbox(TEXTER)) == before + 1, (message, inbox(TEXTER))  # one reply each
    return inbox(TEXTER)[-1]


def test_an_sms_only_report_reaches_a_responder_who_accepts_it(live_app, tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    linda.set_up_directory(tmp_path)

    first = texted(linda, "Nataka kuripoti, mtoto anafanyishwa kazi za ndani Kariakoo")
    assert first.startswith("Linda: asante.") and "Je, mtoto yuko hatarini" in first
    assert texted(linda, "ndiyo").startswith("Ukiweza, piga sasa 112")
    assert texted(linda, "1").startswith("Uliona nini?")
    assert texted(linda, "2").startswith("Ni wapi?")
    assert "1.Kariakoo (Ilala, Dar es Salaam)" in texted(linda, "kariakoo")
    assert texted(linda, "1").startswith("DHARURA: Kulazimishwa kufanya kazi\nKariakoo")
    done = texted(linda, "tuma")
    reference = done.split("Namba ya kumbukumbu:\n")[1][:7]
    case = find_by_reference(reference)
    assert case is not None and case.source is CaseSource.SMS and case.urgent
    assert case.details == "Nataka kuripoti, mtoto anafanyishwa kazi za ndani Kariakoo"

    # The same referral path as USSD: the nearest police desk and welfare officer are alerted.
    linda.run_jobs()
    for phone in (ASHA, JUMA):
        alert = inbox(phone)[-1]
        assert alert.startswith(f"Linda kesi {reference}: DHARURA. kulazimishwa kufanya kazi")
        assert is_gsm7(alert) and sms_segments(alert) <= 2
    linda.reply_from_phone(ASHA, f"KUBALI {reference}")
    linda.run_jobs()
    db.session.expire_all()
    assert find_by_reference(reference).status is CaseStatus.ACCEPTED
    assert inbox(ASHA)[-1].startswith(f"Wewe ndiye kiongozi wa kesi {reference}.")
    # Every reply went out through the SDK and was delivered; nothing to the responders'
    # numbers came from the texter's conversation.
    replies = db.session.scalars(sa.select(OutboundSms).where(
        OutboundSms.purpose == "sms_report")).all()
    assert len(replies) == 7 and {m.status for m in replies} == {SmsStatus.DELIVERED}
    assert TEXTER not in RESPONDER_PHONES
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


def test_acha_ends_an_sms_report_and_nothing_is_made(live_app, tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    linda.set_up_directory(tmp_path)
    texted(linda, "msaada")
    texted(linda, "2")
    assert texted(linda, "ACHA").startswith("Linda: tumesimamisha.")
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
