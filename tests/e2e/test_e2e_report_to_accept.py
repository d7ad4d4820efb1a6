"""From the responder directory to an accepted case, all over HTTP, as people would do it.

Runs on the embedded defaults and on PostgreSQL + Redis alike (the ``live_app`` fixture uses
whichever the suite runs on); jobs run in this thread with ``drain``.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.cases.models import Case
from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.gsm import is_gsm7, sms_segments
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
from app.sandbox.models import SandboxMessage
from app.sms.models import InboundSms, OutboundSms
from app.sms.status import SmsStatus
from app.worker.reconcile import reconcile
from tests.e2e.e2e_helpers import (
    ASHA,
    BARAKA,
    JUMA,
    NEEMA,
    REPORTER,
    RESPONDER_PHONES,
    SUPERVISOR,
    Product,
    inbox,
    phone_forms,
)


def test_a_ussd_report_reaches_the_nearest_responders_and_one_accepts(live_app,
                                                                       tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)

    # The operator imports the directory; each new number is asked to confirm itself.
    assert "5 added, 0 updated, 0 unchanged" in linda.import_responders(tmp_path)
    linda.run_jobs()
    for phone in RESPONDER_PHONES:
        (ask,) = inbox(phone)
        assert "Jibu ANZA" in ask
        linda.reply_from_phone(phone, "anza")
    linda.run_jobs()
    for phone in RESPONDER_PHONES:
        assert inbox(phone)[-1].startswith("Asante, namba yako imethibitishwa.")
    assert all(r.confirmed for r in db.session.scalars(sa.select(Responder)))

    # A reporter dials, hop by hop, without agreeing to a call back.
    reference = linda.report(consent=False)
    case = find_by_reference(reference)
    assert case is not None and case.status is CaseStatus.RECEIVED
    linda.run_jobs()

    # The nearest two of the first urgent wave get one-segment alerts with the case number.
    for phone in (ASHA, JUMA):
        alert = inbox(phone)[-1]
        assert alert.startswith(f"Linda kesi {reference}: DHARURA. kulazimishwa kufanya "
                                "uvuvi, watoto 2-5, wiki hii.")
        assert f"KUBALI {reference}" in alert
        assert is_gsm7(alert) and sms_segments(alert) <= 2
        assert not any(form in alert for form in phone_forms(REPORTER))
    for phone in (NEEMA, BARAKA, SUPERVISOR):
        assert not any(reference in text for text in inbox(phone))
    assert inbox(REPORTER) == []  # no consent: never an SMS to the reporter

    # Delivery reports came back from the sandbox and moved every outbox row to delivered.
    sent = db.session.scalars(sa.select(OutboundSms)).all()
    assert len(sent) == 5 + 5 + 2  # confirmations, "confirmed" replies, alerts
    assert {m.status for m in sent} == {SmsStatus.DELIVERED}
    assert all(m.callback_done_at is not None and m.callback_result.startswith("HTTP 200")
               for m in db.session.scalars(sa.select(SandboxMessage).where(
                   SandboxMessage.delivery.is_not(None))))

    # The police desk accepts from its phone; the social welfare officer stands down.
    linda.reply_from_phone(ASHA, f"KUBALI {reference}")
    linda.run_jobs()
    db.session.expire_all()
    case = db.session.get_one(Case, case.id)
    asha = db.session.scalar(sa.select(Responder).where(Responder.name == "Asha Mrisho"))
    assert case.status is CaseStatus.ACCEPTED and case.lead_responder_id == asha.id
    assert inbox(ASHA)[-1].startswith(f"Wewe ndiye kiongozi wa kesi {reference}.")
    assert inbox(JUMA)[-1] == (f"Kesi {reference} imechukuliwa na afisa mwingine. "
                               "Hakuna hatua inayohitajika, asante.")
    statuses = {a.responder_id: a.status for a in db.session.scalars(sa.select(Alert))}
    assert sorted(statuses.values()) == sorted([AlertStatus.ACCEPTED, AlertStatus.CANCELLED])

    # The reporter checks by USSD and reads, in Swahili, that a responder has it.
    assert linda.check_status(REPORTER, reference) == (
        f"END Afisa amepokea taarifa {reference} na anaifanyia kazi. "
        "Msaada: 116, Polisi: 112.")

    # Nothing else is pending: every SMS delivered, every inbound handled, and hours later
    # (past every wave deadline) nothing more is sent.
    assert {m.status for m in db.session.scalars(sa.select(OutboundSms))} == {
        SmsStatus.DELIVERED}
    assert all(m.handled_at is not None for m in db.session.scalars(sa.select(InboundSms)))
    seen = {phone: len(inbox(phone)) for phone in (*RESPONDER_PHONES, REPORTER)}
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        reconcile()
        linda.run_jobs()
    assert {phone: len(inbox(phone)) for phone in seen} == seen
    assert db.session.get_one(Case, case.id).status is CaseStatus.ACCEPTED
    assert db.session.scalar(sa.select(sa.func.count(Alert.id))) == 2
